import { Construct } from 'constructs';
import { checkDns1035Label, checkDns1123Subdomain, checkEnvVarName, checkPort, checkPortName, checkWholeNumber } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { instanceName } from '../lib/manifest';
import { Environment } from './environment';
import type { Image } from './image';
import { Platform } from './platform';
import type { Probe } from './probe';
import type { EnvironmentRef, Project } from './project';
import { checkResources, mergeResources, ResolvedResources, Resources } from './resources';

/** The transport protocol of a port. */
export enum Protocol {
  /** TCP. */
  TCP = 'TCP',
  /** UDP. */
  UDP = 'UDP',
}

/** A port the service listens on. */
export interface PortOptions {
  /** The port of the Kubernetes Service (what callers connect to). */
  readonly port: number;
  /**
   * The port's name (an IANA service name: at most 15 lowercase letters, digits and "-").
   * @default "http" for the first port, "port-<port>" for the others
   */
  readonly name?: string;
  /**
   * The port the container listens on.
   * @default - the same as `port`
   */
  readonly containerPort?: number;
  /**
   * The protocol.
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;
}

/** A port with every default applied. */
export interface ServicePort {
  /** The port's name. */
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /** The container port. */
  readonly containerPort: number;
  /** The protocol. */
  readonly protocol: Protocol;
}

/** What a service changes in one environment. Anything left out comes from the service, then the environment. */
export interface EnvironmentOverrides {
  /**
   * Replicas in this environment.
   * @default - the service's `replicas`, else the environment's
   */
  readonly replicas?: number;
  /**
   * Resources in this environment, over the service's.
   * @default - the service's resources
   */
  readonly resources?: Resources;
  /**
   * Environment variables in this environment, over the service's.
   * @default - the service's variables
   */
  readonly env?: Record<string, string>;
  /**
   * The image in this environment (e.g. the tag production is pinned to).
   * @default - the service's image
   */
  readonly image?: Image;
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
   * The path prefix routed to the service.
   * @default "/"
   */
  readonly path?: string;
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
}

/** A service's exposure: an Ingress in each environment it covers. */
export class Exposure {
  /**
   * @param service the exposed service
   * @param options host, path, port and environments
   */
  constructor(
    /** The exposed service. */
    public readonly service: AppService,
    /** Host, path, port and environments as given. */
    public readonly options: ExposeOptions,
  ) {}

  /** The path prefix. */
  public get path(): string {
    return this.options.path ?? '/';
  }

  /** Whether the service is exposed in an environment. */
  public covers(environment: Environment): boolean {
    if (!this.options.environments) return this.service.project.isPlacedIn(environment);
    const platform = Platform.of(this.service);
    return this.options.environments.some((ref) => (typeof ref === 'string' ? platform.findEnvironment(ref) : ref) === environment);
  }

  /** The host in an environment, or `undefined` when it has none (no domain and no host given). */
  public hostIn(environment: Environment): string | undefined {
    const explicit = this.options.hosts?.[environment.name];
    if (explicit !== undefined) return explicit;
    if (environment.domain === undefined) return undefined;
    return `${this.options.subdomain ?? this.service.name}.${environment.domain}`;
  }

  /** The port that receives the traffic. */
  public get port(): ServicePort | undefined {
    return this.service.findPort(this.options.port);
  }
}

/** Properties of an {@link AppService}. */
export interface AppServiceProps {
  /** The container image, from a named registry at a fixed version. */
  readonly image: Image;
  /**
   * The name of the Deployment, Service and container.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The ports the service listens on. A service with ports gets a Kubernetes Service.
   * @default - none (add with `addPort`)
   */
  readonly ports?: PortOptions[];
  /**
   * Environment variables with literal values.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Container resources, over the environment's and the platform's.
   * @default - the environment's resources
   */
  readonly resources?: Resources;
  /**
   * Replicas in every environment that does not override it.
   * @default - the environment's replicas
   */
  readonly replicas?: number;
  /**
   * Readiness probe.
   * @default - a TCP probe on the first port
   */
  readonly readiness?: Probe;
  /**
   * Liveness probe.
   * @default - a TCP probe on the first port
   */
  readonly liveness?: Probe;
  /**
   * Startup probe.
   * @default - none
   */
  readonly startup?: Probe;
  /**
   * The container's entry point.
   * @default - the image's entry point
   */
  readonly command?: string[];
  /**
   * Arguments to the entry point.
   * @default - the image's arguments
   */
  readonly args?: string[];
  /**
   * What changes per environment, keyed by environment name.
   * @default - nothing changes
   */
  readonly perEnvironment?: Record<string, EnvironmentOverrides>;
}

/** A service's settings in one environment, with every default applied. */
export interface ServiceSettings {
  /** Replicas. */
  readonly replicas: number;
  /** Container resources. */
  readonly resources: ResolvedResources;
  /** Environment variables, sorted by name. */
  readonly env: ReadonlyArray<readonly [string, string]>;
  /** The image. */
  readonly image: Image;
}

const APP_SERVICE = Symbol.for('platform-cdk.AppService');

/**
 * A stateless module: a Deployment of one container, a Service for its ports, and an Ingress in each
 * environment where it is exposed.
 *
 * @example
 * const api = project.addService('api', {
 *   image: harbor.image('shop/api', '2.3.0'),
 *   ports: [{ port: 8080 }],
 *   readiness: Probe.http('/ready'),
 *   perEnvironment: { production: { replicas: 4 } },
 * });
 * api.expose({ path: '/api' });
 */
export class AppService extends Construct {
  /** Whether a value is an AppService. */
  public static isAppService(this: void, x: unknown): x is AppService {
    return typeof x === 'object' && x !== null && APP_SERVICE in x;
  }

  /** The name of the Deployment, Service and container. */
  public readonly name: string;
  /** The project the service belongs to. */
  public readonly project: Project;
  /** The image. */
  public readonly image: Image;
  /** Replicas in every environment that does not override it, if set. */
  public readonly replicas?: number;
  /** Resources, if set. */
  public readonly resources?: Resources;
  /** Readiness probe, if set. */
  public readonly readiness?: Probe;
  /** Liveness probe, if set. */
  public readonly liveness?: Probe;
  /** Startup probe, if set. */
  public readonly startup?: Probe;
  /** Entry point, if set. */
  public readonly command?: string[];
  /** Arguments, if set. */
  public readonly args?: string[];

  private readonly portOptions: PortOptions[] = [];
  private readonly envVars = new Map<string, string>();
  private readonly overrides = new Map<EnvironmentRef, EnvironmentOverrides>();
  private readonly exposureList: Exposure[] = [];

  /**
   * @param scope the project
   * @param id the service's id; its name unless `name` is given
   * @param props image, ports and the rest
   */
  constructor(scope: Project, id: string, props: AppServiceProps) {
    super(scope, id);
    Object.defineProperty(this, APP_SERVICE, { value: true });
    this.project = scope;
    this.name = props.name ?? id;
    this.image = props.image;
    this.replicas = props.replicas;
    this.resources = props.resources;
    this.readiness = props.readiness;
    this.liveness = props.liveness;
    this.startup = props.startup;
    this.command = props.command;
    this.args = props.args;
    for (const p of props.ports ?? []) this.addPort(p);
    for (const [k, v] of Object.entries(props.env ?? {})) this.addEnv(k, v);
    for (const [env, o] of Object.entries(props.perEnvironment ?? {})) this.inEnvironment(env, o);
  }

  /**
   * Adds a port.
   * @param port the Service port and its options
   */
  public addPort(port: PortOptions): ServicePort {
    this.portOptions.push(port);
    return this.ports[this.ports.length - 1];
  }

  /**
   * Sets an environment variable (a literal value) in every environment.
   * @param name the variable's name
   * @param value its value
   */
  public addEnv(name: string, value: string): void {
    this.envVars.set(name, value);
  }

  /**
   * Changes settings in one environment. Calling it again for the same environment merges the overrides.
   * @param environment the environment or its name
   * @param overrides what changes there
   */
  public inEnvironment(environment: EnvironmentRef, overrides: EnvironmentOverrides): void {
    const before = this.overrides.get(environment);
    this.overrides.set(environment, before ? mergeOverrides(before, overrides) : overrides);
  }

  /**
   * Exposes the service outside the cluster: an Ingress per environment, at `<subdomain>.<domain>` unless
   * a host is given.
   * @param options host, path, port and environments
   */
  public expose(options: ExposeOptions = {}): Exposure {
    const exposure = new Exposure(this, options);
    this.exposureList.push(exposure);
    return exposure;
  }

  /** The service's exposures. */
  public get exposures(): readonly Exposure[] {
    return this.exposureList;
  }

  /** The ports with their defaults applied. */
  public get ports(): ServicePort[] {
    return this.portOptions.map((p, i) => ({
      name: p.name ?? (i === 0 ? 'http' : `port-${p.port}`),
      port: p.port,
      containerPort: p.containerPort ?? p.port,
      protocol: p.protocol ?? Protocol.TCP,
    }));
  }

  /**
   * A port by name or Service port number; the first port when none is named.
   * @param ref a port name or number
   */
  public findPort(ref: string | number | undefined): ServicePort | undefined {
    const ports = this.ports;
    if (ref === undefined) return ports[0];
    return ports.find((p) => (typeof ref === 'string' ? p.name === ref : p.port === ref));
  }

  /**
   * The service's settings in an environment: overrides over the service over the environment over the platform.
   * @param environment an environment the project is placed in
   */
  public settingsFor(environment: Environment): ServiceSettings {
    const o = this.overridesFor(environment);
    const env = new Map(this.envVars);
    for (const [k, v] of Object.entries(o.env ?? {})) env.set(k, v);
    return {
      replicas: o.replicas ?? this.replicas ?? environment.replicas,
      resources: mergeResources(Platform.of(this).defaultResources, environment.resources, this.resources, o.resources),
      env: [...env.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      image: o.image ?? this.image,
    };
  }

  private overridesFor(environment: Environment): EnvironmentOverrides {
    let merged: EnvironmentOverrides = {};
    for (const [ref, o] of this.overrides) {
      if (ref === environment || ref === environment.name) merged = mergeOverrides(merged, o);
    }
    return merged;
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const platform = Platform.of(this);
    const n = checkDns1035Label(this.name);
    if (n) problems.error({ path, property: 'name', value: this.name, message: n, fix: 'name the service like "web" or "order-api"' });
    if (!this.image || typeof this.image._check !== 'function') {
      problems.error({ path, property: 'image', value: this.image, message: 'a service needs an image', fix: 'set image: registry.image("team/app", "1.0.0")' });
    } else this.image._check(problems, path, 'image');
    if (this.replicas !== undefined) {
      const r = checkWholeNumber(this.replicas, 0);
      if (r) problems.error({ path, property: 'replicas', value: this.replicas, message: r, fix: 'set replicas to 0 or more' });
    }
    checkResources(problems, path, 'resources', this.resources);
    this.checkPorts(problems, path);
    for (const [k] of this.envVars) {
      const e = checkEnvVarName(k);
      if (e) problems.error({ path, property: `env[${JSON.stringify(k)}]`, value: k, message: e, fix: 'use a name like "LOG_LEVEL"' });
    }
    for (const [ref, o] of this.overrides) {
      const env = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      const label = typeof ref === 'string' ? ref : ref.name;
      const property = `perEnvironment[${JSON.stringify(label)}]`;
      if (!env || env.node.root !== platform) {
        problems.error({ path, property, value: label, message: `no environment of the platform has this name (environments: ${platform.environments.map((e) => e.name).join(', ')})`, fix: 'name an environment of the platform' });
        continue;
      }
      if (!this.project.isPlacedIn(env)) {
        problems.error({ path, property, value: label, message: `the project ${this.project.name} is not placed in this environment (it is in: ${this.project.environments.map((e) => e.name).join(', ') || 'none'})`, fix: 'place the project in the environment, or remove the override' });
      }
      if (o.replicas !== undefined) {
        const r = checkWholeNumber(o.replicas, 0);
        if (r) problems.error({ path, property: `${property}.replicas`, value: o.replicas, message: r, fix: 'set replicas to 0 or more' });
      }
      checkResources(problems, path, `${property}.resources`, o.resources);
      if (o.image) o.image._check(problems, path, `${property}.image`);
      for (const k of Object.keys(o.env ?? {})) {
        const e = checkEnvVarName(k);
        if (e) problems.error({ path, property: `${property}.env[${JSON.stringify(k)}]`, value: k, message: e, fix: 'use a name like "LOG_LEVEL"' });
      }
    }
    for (const env of this.project.environments) {
      checkResources(problems, path, `resources (in ${env.name})`, undefined, this.settingsFor(env).resources);
      const instance = instanceName(this.name, env.name);
      if (!n && instance.length > 63) {
        problems.error({ path, property: 'name', value: this.name, message: `the label app.kubernetes.io/instance=${instance} would have ${instance.length} characters in environment ${env.name}, above the limit of 63`, fix: `shorten the service name to at most ${62 - env.name.length} characters` });
      }
    }
    this.checkProbes(problems, path);
    this.checkExposures(problems, path, platform);
  }

  private checkPorts(problems: ProblemCollector, path: string): void {
    const seenPorts = new Map<number, number>();
    const seenNames = new Map<string, number>();
    const seenContainer = new Map<string, number>();
    this.ports.forEach((p, i) => {
      const given = this.portOptions[i];
      const pp = checkPort(p.port);
      if (pp) problems.error({ path, property: `ports[${i}].port`, value: given.port, message: pp, fix: 'choose a port between 1 and 65535' });
      if (given.containerPort !== undefined) {
        const cp = checkPort(p.containerPort);
        if (cp) problems.error({ path, property: `ports[${i}].containerPort`, value: given.containerPort, message: cp, fix: 'choose a port between 1 and 65535' });
      }
      const pn = checkPortName(p.name);
      if (pn) problems.error({ path, property: `ports[${i}].name`, value: p.name, message: pn, fix: 'name the port like "http" or "grpc"' });
      if (p.protocol !== Protocol.TCP && p.protocol !== Protocol.UDP) {
        problems.error({ path, property: `ports[${i}].protocol`, value: p.protocol, message: 'the protocol is TCP or UDP', fix: 'use Protocol.TCP or Protocol.UDP' });
      }
      const firstPort = seenPorts.get(p.port);
      if (firstPort !== undefined) problems.error({ path, property: `ports[${i}].port`, value: p.port, message: `ports[${firstPort}] declares this port already`, fix: 'declare each port once' });
      else seenPorts.set(p.port, i);
      const firstName = seenNames.get(p.name);
      if (firstName !== undefined) problems.error({ path, property: `ports[${i}].name`, value: p.name, message: `ports[${firstName}] has this name already`, fix: 'give each port its own name' });
      else seenNames.set(p.name, i);
      const key = `${p.containerPort}/${p.protocol}`;
      const firstContainer = seenContainer.get(key);
      if (firstContainer !== undefined && firstPort === undefined) problems.error({ path, property: `ports[${i}].containerPort`, value: p.containerPort, message: `ports[${firstContainer}] uses this container port already`, fix: 'give each port its own container port' });
      else seenContainer.set(key, i);
    });
  }

  private checkProbes(problems: ProblemCollector, path: string): void {
    const probes: [string, Probe | undefined][] = [['readiness', this.readiness], ['liveness', this.liveness], ['startup', this.startup]];
    for (const [property, probe] of probes) {
      if (!probe || probe.kind === 'exec') continue;
      const ref = probe.options.port;
      if (ref === undefined && !this.ports.some((p) => p.protocol === Protocol.TCP)) {
        problems.error({ path, property, value: probe.kind, message: 'the probe names no port and the service has no TCP port to default to', fix: 'give the probe a port, add a TCP port, or use Probe.exec()' });
      } else if (ref !== undefined && !this.ports.some((p) => (typeof ref === 'string' ? p.name === ref : p.containerPort === ref))) {
        problems.error({ path, property: `${property}.port`, value: ref, message: `the service has no port of this name or container port (ports: ${this.ports.map((p) => `${p.name}=${p.containerPort}`).join(', ') || 'none'})`, fix: 'name one of the service\'s ports' });
      }
    }
    if (!this.ports.some((p) => p.protocol === Protocol.TCP) && !this.readiness && !this.liveness) {
      problems.warning({ path, property: 'readiness', value: undefined, message: 'the service has no TCP port to probe by default and no probe, so Kubernetes cannot tell whether it is healthy', fix: 'add a probe such as Probe.exec(["/bin/healthcheck"])' });
    }
  }

  private checkExposures(problems: ProblemCollector, path: string, platform: Platform): void {
    this.exposureList.forEach((x, i) => {
      const property = `expose[${i}]`;
      if (this.ports.length === 0) {
        problems.error({ path, property: `${property}.port`, value: x.options.port, message: 'an exposed service needs a port', fix: 'add a port to the service' });
      } else if (!x.port) {
        problems.error({ path, property: `${property}.port`, value: x.options.port, message: `the service has no port of this name or number (ports: ${this.ports.map((p) => `${p.name}=${p.port}`).join(', ')})`, fix: 'name one of the service\'s ports' });
      }
      if (typeof x.path !== 'string' || !x.path.startsWith('/') || /\s/.test(x.path)) {
        problems.error({ path, property: `${property}.path`, value: x.options.path, message: 'a path must start with "/" and have no spaces', fix: 'use a path like "/" or "/api"' });
      }
      if (x.options.subdomain !== undefined && checkDns1035Label(x.options.subdomain) && checkDns1123Subdomain(x.options.subdomain)) {
        problems.error({ path, property: `${property}.subdomain`, value: x.options.subdomain, message: 'a subdomain must be lowercase DNS labels', fix: 'use a subdomain like "shop"' });
      }
      (x.options.environments ?? []).forEach((ref, j) => {
        const env = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
        if (!env || env.node.root !== platform) {
          problems.error({ path, property: `${property}.environments[${j}]`, value: typeof ref === 'string' ? ref : ref.node.path, message: `no environment of the platform has this name (environments: ${platform.environments.map((e) => e.name).join(', ')})`, fix: 'name an environment of the platform' });
        } else if (!this.project.isPlacedIn(env)) {
          problems.error({ path, property: `${property}.environments[${j}]`, value: typeof ref === 'string' ? ref : ref.name, message: `the project ${this.project.name} is not placed in this environment (it is in: ${this.project.environments.map((e) => e.name).join(', ') || 'none'})`, fix: 'expose the service only in environments of its project' });
        }
      });
      for (const name of Object.keys(x.options.hosts ?? {})) {
        const env = platform.findEnvironment(name);
        if (!env || !this.project.isPlacedIn(env)) {
          problems.error({ path, property: `${property}.hosts[${JSON.stringify(name)}]`, value: name, message: 'this is not an environment of the project', fix: 'key hosts by the names of the project\'s environments' });
        }
      }
      for (const env of this.project.environments) {
        if (!x.covers(env)) continue;
        const host = x.hostIn(env);
        if (host === undefined) {
          problems.error({ path, property: `${property}.hosts[${JSON.stringify(env.name)}]`, value: undefined, message: `the environment ${env.name} has no domain, so the service has no host there`, fix: `set a domain on the environment ${env.name} or give the host in hosts` });
        } else {
          const h = checkDns1123Subdomain(host);
          if (h) problems.error({ path, property: `${property}.hosts[${JSON.stringify(env.name)}]`, value: host, message: h, fix: 'use a host like "shop.example.com"' });
        }
      }
    });
  }
}

function mergeOverrides(a: EnvironmentOverrides, b: EnvironmentOverrides): EnvironmentOverrides {
  return {
    replicas: b.replicas ?? a.replicas,
    resources: a.resources || b.resources ? { ...a.resources, ...b.resources } : undefined,
    env: a.env || b.env ? { ...a.env, ...b.env } : undefined,
    image: b.image ?? a.image,
  };
}
