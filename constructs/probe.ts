import { Duration } from 'cdk8s';
import type { ProblemCollector } from '../lib/problems';
import { checkHttpPath, checkPort } from '../lib/values';
import type { JsonObject } from '../lib/yaml';
import { checkNoLiteralSecret } from './secrets';

/** A probe's period and timeout when not given: 10 s and 1 s (`Duration.seconds(10)`, `Duration.seconds(1)`). */
const DEFAULT_PERIOD_SECONDS = 10;
const DEFAULT_TIMEOUT_SECONDS = 1;

/** Timing of a probe. Every field maps to the Kubernetes field of the same name (in seconds). */
export interface ProbeOptions {
  /**
   * Wait before the first probe.
   * @default Duration.seconds(0)
   */
  readonly initialDelay?: Duration;
  /**
   * Time between probes.
   * @default Duration.seconds(10)
   */
  readonly period?: Duration;
  /**
   * Time after which one probe counts as failed.
   * @default Duration.seconds(1)
   */
  readonly timeout?: Duration;
  /**
   * Successful probes in a row after a failure before the container counts as healthy again. Kubernetes allows
   * only 1 for liveness and startup probes.
   * @default 1
   */
  readonly successThreshold?: number;
  /**
   * Failed probes in a row before the container counts as not ready (readiness) or is restarted (liveness).
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * How long a container that fails this probe gets to stop before it is killed, over the pod's
   * `terminationGracePeriod` (liveness and startup probes only; Kubernetes refuses it on readiness probes).
   * @default - the pod's termination grace period
   */
  readonly terminationGracePeriod?: Duration;
}

/** Options of a probe against a port. */
export interface PortProbeOptions extends ProbeOptions {
  /**
   * The port to probe: a port name or a container port number of the service.
   * @default - the service's first port
   */
  readonly port?: string | number;
}

/** The scheme of an HTTP probe. */
export enum ProbeScheme {
  /** Plain HTTP. */
  HTTP = 'HTTP',
  /** HTTPS; the kubelet does not verify the certificate. */
  HTTPS = 'HTTPS',
}

/** Options of an HTTP probe. */
export interface HttpProbeOptions extends PortProbeOptions {
  /**
   * Request headers, by name (e.g. `{ Host: 'shop.example.com' }`). Written as they are: never a credential.
   * @default - none
   */
  readonly headers?: Record<string, string>;
  /**
   * HTTP or HTTPS.
   * @default ProbeScheme.HTTP
   */
  readonly scheme?: ProbeScheme;
}

/** Options of a gRPC probe. */
export interface GrpcProbeOptions extends ProbeOptions {
  /**
   * The service name sent in the gRPC health check request (`grpc.health.v1.Health/Check`).
   * @default - empty: the server's overall health
   */
  readonly service?: string;
}

/** The kind of check a probe makes. */
export type ProbeKind = 'http' | 'tcp' | 'exec' | 'grpc';

/** What a probe decides: readiness (traffic), liveness (restart) or startup (when the others begin). */
export type ProbeRole = 'readiness' | 'liveness' | 'startup';

/** An HTTP header name: an RFC 7230 token. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The most seconds Kubernetes accepts in a probe's time fields (int32). */
const MAX_SECONDS = 2147483647;

/**
 * Why a duration is not a whole number of seconds from `min`, or `undefined` when it is (or is not given).
 * @param d the duration
 * @param min the fewest seconds
 */
export function checkWholeSeconds(d: Duration | undefined, min: number): string | undefined {
  if (d === undefined) return undefined;
  let seconds: number;
  try {
    seconds = d.toSeconds();
  } catch {
    return 'the time is written in whole seconds';
  }
  if (!Number.isFinite(seconds)) return `the time must be a finite number of seconds, not ${String(seconds)}`;
  if (!Number.isInteger(seconds)) return 'the time is written in whole seconds';
  if (seconds > MAX_SECONDS) return `the time must be at most ${MAX_SECONDS} seconds`;
  return seconds < min ? `the time must be at least ${min} second${min === 1 ? '' : 's'}` : undefined;
}

/** A duration as text for a problem's value (a broken duration does not throw). */
function describeDuration(d: Duration | undefined): string {
  try {
    return d?.toHumanString() || 'NaN';
  } catch {
    return String(d);
  }
}

/**
 * A health check of a container: readiness (may it receive traffic), liveness (should it be restarted) or
 * startup.
 *
 * @example
 * Probe.http('/healthz', { period: Duration.seconds(5) })
 * Probe.http('/healthz', { scheme: ProbeScheme.HTTPS, headers: { Host: 'shop.example.com' } })
 * Probe.grpc(9090, { service: 'orders' })
 */
export class Probe {
  /**
   * An HTTP GET that succeeds with a status from 200 to 399.
   * @param path the request path, e.g. `/healthz`
   * @param options port, scheme, headers and timing
   */
  public static http(path: string, options: HttpProbeOptions = {}): Probe {
    return new Probe('http', options ?? {}, path, undefined);
  }

  /**
   * A TCP connection that succeeds when the port accepts it.
   * @param options port and timing
   */
  public static tcp(options: PortProbeOptions = {}): Probe {
    return new Probe('tcp', options ?? {}, undefined, undefined);
  }

  /**
   * A command run in the container that succeeds when it exits with 0.
   * @param command the command and its arguments
   * @param options timing
   */
  public static exec(command: string[], options: ProbeOptions = {}): Probe {
    return new Probe('exec', options ?? {}, undefined, command);
  }

  /**
   * A gRPC health check (`grpc.health.v1`), which succeeds when the server answers SERVING.
   * @param port the port: a port name or container port number of the service (written as the container port
   *   number, since Kubernetes takes no port name here)
   * @param options the health service name and timing
   */
  public static grpc(port: string | number, options: GrpcProbeOptions = {}): Probe {
    return new Probe('grpc', { ...(options ?? {}), port }, undefined, undefined);
  }

  private constructor(
    /** What the probe checks. */
    public readonly kind: ProbeKind,
    /** Port and timing (and, for HTTP and gRPC probes, their own options). */
    public readonly options: PortProbeOptions & HttpProbeOptions & GrpcProbeOptions,
    /** The HTTP path, for `http` probes. */
    public readonly path: string | undefined,
    /** The command, for `exec` probes. */
    public readonly command: string[] | undefined,
  ) {}

  /**
   * Reports what is wrong with the probe's own values: the HTTP path (it becomes the request line the kubelet
   * sends, so a newline or a space would break it), headers and scheme, a port number, the command of an exec
   * probe, every timing field, and the fields Kubernetes refuses for the probe's role. The port's existence is
   * checked by the service.
   * @param role what the probe decides, when known (the success threshold and grace period depend on it)
   * @internal
   */
  public _check(problems: ProblemCollector, path: string, property: string, role?: ProbeRole): void {
    const o = this.options ?? {};
    if (this.kind === 'http') {
      const e = checkHttpPath(this.path);
      if (e) problems.error({ path, property: `${property}.path`, value: this.path, message: e, fix: 'use a path like "/healthz" (percent-encode other characters)' });
      if (o.scheme !== undefined && o.scheme !== ProbeScheme.HTTP && o.scheme !== ProbeScheme.HTTPS) {
        problems.error({ path, property: `${property}.scheme`, value: o.scheme, message: 'the scheme is HTTP or HTTPS', fix: 'use ProbeScheme.HTTP or ProbeScheme.HTTPS' });
      }
      this.checkHeaders(problems, path, `${property}.headers`);
    } else if (o.headers !== undefined || o.scheme !== undefined) {
      problems.error({ path, property: `${property}.${o.headers !== undefined ? 'headers' : 'scheme'}`, value: this.kind, message: `only HTTP probes send headers and have a scheme; this is a ${this.kind} probe`, fix: 'use Probe.http(path, { headers, scheme }) or remove the option' });
    }
    const port = o.port;
    if (port !== undefined && typeof port !== 'string') {
      const e = checkPort(port);
      if (e) problems.error({ path, property: `${property}.port`, value: port, message: e, fix: 'name a port of the service, or give its container port' });
    }
    if (this.kind === 'grpc' && port === undefined) {
      problems.error({ path, property: `${property}.port`, value: port, message: 'a gRPC probe names its port', fix: 'use Probe.grpc(9090) or Probe.grpc("grpc")' });
    }
    if (this.kind === 'grpc' && o.service !== undefined && (typeof o.service !== 'string' || /[\u0000-\u001f\u007f]/.test(o.service))) {
      problems.error({ path, property: `${property}.service`, value: o.service, message: 'the gRPC health service name is text without control characters', fix: 'use the service name the server registers, e.g. "orders.v1.Orders", or leave it out' });
    }
    if (this.kind === 'exec' && (!Array.isArray(this.command) || this.command.length === 0 || this.command.some((c) => typeof c !== 'string'))) {
      problems.error({ path, property: `${property}.command`, value: this.command, message: 'an exec probe runs a command: a non-empty list of strings', fix: 'give the command and its arguments, e.g. ["/bin/healthcheck"]' });
    }
    this.checkTiming(problems, path, property, role);
  }

  private checkHeaders(problems: ProblemCollector, path: string, property: string): void {
    const headers = this.options.headers;
    if (headers === undefined) return;
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      problems.error({ path, property, value: headers, message: 'the headers are a map of names to values', fix: 'use e.g. { Host: "shop.example.com" }' });
      return;
    }
    for (const [name, value] of Object.entries(headers)) {
      const p = `${property}[${JSON.stringify(name)}]`;
      if (!HEADER_NAME.test(name)) problems.error({ path, property: p, value: name, message: 'not an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)', fix: 'use a header name like "Host" or "X-Probe"' });
      if (typeof value !== 'string' || /[\r\n\u0000]/.test(value)) {
        problems.error({ path, property: p, value: typeof value === 'string' ? '<text with a line break>' : value, message: 'a header value is text on one line', fix: 'give the value as text without line breaks' });
      } else {
        checkNoLiteralSecret(problems, path, p, value, 'the probe headers are written into the manifests as they are: probe an endpoint that needs no credentials, or use Probe.exec with a command that reads the secret from a variable', name);
      }
    }
  }

  private checkTiming(problems: ProblemCollector, path: string, property: string, role: ProbeRole | undefined): void {
    const o = this.options ?? {};
    for (const [k, min] of [['initialDelay', 0], ['period', 1], ['timeout', 1], ['terminationGracePeriod', 1]] as const) {
      const e = checkWholeSeconds(o[k], min);
      if (e) problems.error({ path, property: `${property}.${k}`, value: describeDuration(o[k]), message: e, fix: `use whole seconds, e.g. Duration.seconds(${k === 'initialDelay' ? 10 : k === 'terminationGracePeriod' ? 30 : 5})` });
    }
    for (const k of ['successThreshold', 'failureThreshold'] as const) {
      const v = o[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_SECONDS)) {
        problems.error({ path, property: `${property}.${k}`, value: v, message: `the ${k === 'successThreshold' ? 'success' : 'failure'} threshold is a whole number from 1 to ${MAX_SECONDS}`, fix: `set ${k} to 1 or more, e.g. ${k === 'successThreshold' ? 1 : 3}` });
      }
    }
    if (role !== undefined && role !== 'readiness' && typeof o.successThreshold === 'number' && Number.isInteger(o.successThreshold) && o.successThreshold > 1) {
      problems.error({ path, property: `${property}.successThreshold`, value: o.successThreshold, message: `Kubernetes allows a success threshold of 1 only on ${role} probes`, fix: 'remove successThreshold, or set it on the readiness probe' });
    }
    if (role === 'readiness' && o.terminationGracePeriod !== undefined) {
      problems.error({ path, property: `${property}.terminationGracePeriod`, value: describeDuration(o.terminationGracePeriod), message: 'Kubernetes refuses a termination grace period on readiness probes (a failed readiness probe stops no container)', fix: 'set it on the liveness or startup probe, or the pod\'s terminationGracePeriod' });
    }
  }

  /**
   * The Kubernetes probe object.
   * @param defaultPort the port name to probe when the probe names none
   * @param containerPortOf the container port number of a port name or number (gRPC probes take numbers only)
   * @internal
   */
  public _render(defaultPort: string | number | undefined, containerPortOf?: (ref: string | number) => number | undefined): JsonObject {
    const o = this.options;
    const port = o.port ?? defaultPort;
    const timing: JsonObject = {
      initialDelaySeconds: o.initialDelay?.toSeconds(),
      periodSeconds: o.period === undefined || o.period === null ? DEFAULT_PERIOD_SECONDS : o.period.toSeconds(),
      timeoutSeconds: o.timeout === undefined || o.timeout === null ? DEFAULT_TIMEOUT_SECONDS : o.timeout.toSeconds(),
      successThreshold: o.successThreshold,
      failureThreshold: o.failureThreshold ?? 3,
      terminationGracePeriodSeconds: o.terminationGracePeriod?.toSeconds(),
    };
    switch (this.kind) {
      case 'http': {
        const headers = o.headers ? Object.keys(o.headers).sort().map((name) => ({ name, value: (o.headers as Record<string, string>)[name] })) : [];
        return { httpGet: { path: this.path, port, scheme: o.scheme, httpHeaders: headers.length > 0 ? headers : undefined }, ...timing };
      }
      case 'tcp':
        return { tcpSocket: { port }, ...timing };
      case 'grpc': {
        const number = typeof port === 'number' ? port : port !== undefined ? containerPortOf?.(port) : undefined;
        return { grpc: { port: number, service: o.service }, ...timing };
      }
      default:
        return { exec: { command: [...(this.command ?? [])] }, ...timing };
    }
  }
}
