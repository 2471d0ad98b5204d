import { checkDns1123Subdomain, checkPort } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { derivedOnce } from '../lib/frozen-model';
import type { AppService, ServicePort } from './app-service';
import type { Environment } from './environment';
import { Platform } from './platform';
import { PreviewEnvironment } from './preview';
import type { EnvironmentRef } from './project';

/** A cert-manager issuer. */
export class Issuer {
  /**
   * A `ClusterIssuer` (usable from every namespace, e.g. Let's Encrypt or the company CA).
   * @param name its name
   */
  public static cluster(name: string): Issuer {
    return new Issuer(name, 'ClusterIssuer');
  }

  /**
   * An `Issuer` in the namespace of the service.
   * @param name its name
   */
  public static namespaced(name: string): Issuer {
    return new Issuer(name, 'Issuer');
  }

  private constructor(
    /** The issuer's name. */
    public readonly name: string,
    /** `ClusterIssuer` or `Issuer`. */
    public readonly kind: 'ClusterIssuer' | 'Issuer',
  ) {}
}

/** Where the certificate of an exposed host comes from. */
export class Tls {
  /**
   * A cert-manager `Certificate` for the hosts, issued by an issuer; its Secret is `<service>-tls`.
   * @param issuer the issuer
   */
  public static certManager(issuer: Issuer): Tls {
    return new Tls('cert-manager', issuer, undefined);
  }

  /**
   * A TLS Secret an operator created in the namespace (e.g. the company's wildcard certificate).
   * @param secretName the Secret's name
   */
  public static existingSecret(secretName: string): Tls {
    return new Tls('secret', undefined, secretName);
  }

  private constructor(
    /** Where the certificate comes from. */
    public readonly kind: 'cert-manager' | 'secret',
    /** The issuer, for cert-manager. */
    public readonly issuer: Issuer | undefined,
    /** The Secret, for an existing one. */
    public readonly secret: string | undefined,
  ) {}

  /**
   * The name of the Secret that holds the certificate for a service.
   * @param service the service's name
   */
  public secretNameFor(service: string): string {
    return this.secret ?? `${service}-tls`;
  }

  /** @internal */
  public _check(problems: ProblemCollector, path: string, property: string): void {
    const name = this.kind === 'secret' ? this.secret : this.issuer?.name;
    const n = checkDns1123Subdomain(name ?? '');
    if (n) problems.error({ path, property, value: name, message: `the ${this.kind === 'secret' ? 'Secret' : 'issuer'} name is invalid: ${n}`, fix: this.kind === 'secret' ? 'name the TLS Secret like "wildcard-example-com"' : 'name the issuer like "letsencrypt-prod"' });
  }
}

/** The old backend of a public domain, outside the cluster, while a service is not yet cut over. */
export interface LegacyBackendOptions {
  /** The backend's IP addresses (a Service with an EndpointSlice points at them). Give these or `host`. */
  readonly addresses?: string[];
  /** The backend's DNS name (an ExternalName Service points at it). Give this or `addresses`. */
  readonly host?: string;
  /** The backend's port. */
  readonly port: number;
}

/** The state of a domain cut-over in one environment. */
export interface CutOverOptions {
  /** Where the domain points until the cut-over. */
  readonly legacy: LegacyBackendOptions;
  /**
   * The one switch: `false` while the domain still points at the legacy backend, `true` once it points at the
   * service (the legacy objects are then no longer written).
   */
  readonly done: boolean;
}

/** The path type of an Ingress rule. */
export enum PathType {
  /** The path and everything under it. */
  PREFIX = 'Prefix',
  /** Exactly the path. */
  EXACT = 'Exact',
}

/** How a service is reached from outside the cluster. */
export interface ExposeOptions {
  /**
   * The first label of the host under each environment's domain (`<subdomain>.<domain>`).
   * @default - the service's name
   */
  readonly subdomain?: string;
  /**
   * The exact host per environment name, where it is not `<subdomain>.<domain>` (e.g. the public domain in
   * production).
   * @default - every host is `<subdomain>.<domain>`
   */
  readonly hosts?: Record<string, string>;
  /**
   * The path routed to the service.
   * @default "/"
   */
  readonly path?: string;
  /**
   * How the path matches.
   * @default PathType.PREFIX
   */
  readonly pathType?: PathType;
  /**
   * The port that receives the traffic: a port name or Service port number.
   * @default - the service's first port
   */
  readonly port?: string | number;
  /**
   * The environments the service is exposed in.
   * @default - every environment of the project
   */
  readonly environments?: EnvironmentRef[];
  /**
   * The certificate of the hosts.
   * @default - the environment's `tls`, else plain HTTP (a warning in production environments)
   */
  readonly tls?: Tls;
  /**
   * A domain cut-over per environment name: the host of that environment points at a legacy backend outside
   * the cluster until `done` is set. Meanwhile the service stays reachable at `<subdomain>.<domain>` for tests.
   * @default - no cut-over: every host points at the service
   */
  readonly cutOver?: Record<string, CutOverOptions>;
}

/** A route of an exposure in one environment (see `Exposure.routesIn`). */
interface Route {
  /** The host name. */
  host: string;
  /** Whether the host still routes to the legacy backend. */
  legacy: boolean;
}

/** A service's exposure: Ingress rules in each environment it covers. */
export class Exposure {
  /**
   * @param service the exposed service
   * @param options host, path, port, TLS and environments
   */
  constructor(
    /** The exposed service. */
    public readonly service: AppService,
    /** Host, path, port, TLS and environments as given. */
    public readonly options: ExposeOptions,
  ) {}

  /** The path. */
  public get path(): string {
    return this.options.path ?? '/';
  }

  /** How the path matches. */
  public get pathType(): PathType {
    return this.options.pathType ?? PathType.PREFIX;
  }

  /** Whether the service is exposed in an environment. */
  public covers(environment: Environment): boolean {
    if (PreviewEnvironment.isPreview(environment)) {
      // A preview exposes what its baseline exposes, for the services it runs, under its own domain.
      const base = environment.baseline;
      return base !== undefined && environment.runs(this.service) && this.covers(base);
    }
    if (!this.options.environments) return this.service.project.isPlacedIn(environment);
    const platform = Platform.of(this.service);
    return this.options.environments.some((ref) => (typeof ref === 'string' ? platform.findEnvironment(ref) : ref) === environment);
  }

  /** The host in an environment, or `undefined` when it has none (no domain and no host given). */
  public hostIn(environment: Environment): string | undefined {
    const explicit = this.options.hosts?.[environment.name];
    if (explicit !== undefined) return explicit;
    const host = this.defaultHostIn(environment);
    if (host === undefined && PreviewEnvironment.isPreview(environment) && environment.baseline) {
      // A preview of a baseline without a domain: under the baseline's host (given in hosts), `<slug>.<host>`.
      const base = this.hostIn(environment.baseline);
      return base === undefined ? undefined : `${environment.slug}.${base}`;
    }
    return host;
  }

  /** `<subdomain>.<domain>` in an environment, or `undefined` when the environment has no domain. */
  public defaultHostIn(environment: Environment): string | undefined {
    if (environment.domain === undefined) return undefined;
    return `${this.options.subdomain ?? this.service.name}.${environment.domain}`;
  }

  /** The pending cut-over in an environment (its host still points at the legacy backend), if any. */
  public pendingCutOverIn(environment: Environment): CutOverOptions | undefined {
    const c = this.options.cutOver?.[environment.name];
    return c && c.done !== true ? c : undefined;
  }

  /** The certificate in an environment, if any. */
  public tlsIn(environment: Environment): Tls | undefined {
    return this.options.tls ?? environment.tls;
  }

  /** The port that receives the traffic. */
  public get port(): ServicePort | undefined {
    return this.service.findPort(this.options.port);
  }

  /**
   * The routes of this exposure in an environment: host, path and whether it goes to the legacy backend.
   * @param environment the environment
   */
  public routesIn(environment: Environment): {
    /** The host name. */
    host: string;
    /** Whether the host still routes to the legacy backend (a cut-over not done). */
    legacy: boolean;
  }[] {
    // Found once per environment while the model is frozen (validation and render both ask): a copy of the list.
    return [...derivedOnce(this, environment, Exposure.findRoutes)];
  }

  private static readonly findRoutes = (x: Exposure, environment: Environment): Route[] => x.routesFound(environment);

  private routesFound(environment: Environment): Route[] {
    if (!this.covers(environment)) return [];
    const host = this.hostIn(environment);
    if (host === undefined) return [];
    if (!this.pendingCutOverIn(environment)) return [{ host, legacy: false }];
    const test = this.defaultHostIn(environment);
    return test !== undefined && test !== host ? [{ host, legacy: true }, { host: test, legacy: false }] : [{ host, legacy: true }];
  }

  /** @internal */
  public _checkCutOver(problems: ProblemCollector, path: string, property: string): void {
    const platform = Platform.of(this.service);
    for (const [name, c] of Object.entries(this.options.cutOver ?? {})) {
      const p = `${property}.cutOver[${JSON.stringify(name)}]`;
      const env = platform.findEnvironment(name);
      if (!env || !this.service.project.isPlacedIn(env)) {
        problems.error({ path, property: p, value: name, message: 'this is not an environment of the project', fix: 'key cutOver by the names of the project\'s environments' });
        continue;
      }
      if (typeof c?.done !== 'boolean') {
        problems.error({ path, property: `${p}.done`, value: c?.done, message: 'the cut-over switch is true or false', fix: 'set done: false while the domain points at the legacy backend, true after the cut-over' });
      }
      const l = c?.legacy;
      const hasAddresses = (l?.addresses?.length ?? 0) > 0;
      if (!l || hasAddresses === (l.host !== undefined)) {
        problems.error({ path, property: `${p}.legacy`, value: l, message: 'the legacy backend needs either addresses or a host', fix: 'give legacy: { addresses: ["10.0.0.5"], port: 80 } or legacy: { host: "old.example.com", port: 80 }' });
        continue;
      }
      const pp = checkPort(l.port);
      if (pp) problems.error({ path, property: `${p}.legacy.port`, value: l.port, message: pp, fix: 'give the legacy backend\'s port, 1 to 65535' });
      (l.addresses ?? []).forEach((a, i) => {
        if (!isIpv4(a)) problems.error({ path, property: `${p}.legacy.addresses[${i}]`, value: a, message: 'not an IPv4 address', fix: 'give addresses like "10.0.0.5", or a DNS name in host' });
      });
      if (l.host !== undefined) {
        const h = checkDns1123Subdomain(l.host);
        if (h) problems.error({ path, property: `${p}.legacy.host`, value: l.host, message: h, fix: 'give a DNS name like "old-www.example.com"' });
      }
      if (!this.covers(env)) problems.error({ path, property: p, value: name, message: `the service is not exposed in environment ${name}`, fix: 'cut over only in environments the exposure covers' });
    }
  }
}

/** Whether a string is a dotted IPv4 address. */
export function isIpv4(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}
