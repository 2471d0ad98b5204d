import { Duration } from 'cdk8s';
import type { ProblemCollector } from '../lib/problems';
import { checkHttpPath, checkPort } from '../lib/values';
import type { JsonObject } from '../lib/yaml';

/** Timing of a probe. */
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
   * Failed probes in a row before the container counts as not ready (readiness) or is restarted (liveness).
   * @default 3
   */
  readonly failureThreshold?: number;
}

/** Options of a probe against a port. */
export interface PortProbeOptions extends ProbeOptions {
  /**
   * The port to probe: a port name or a container port number of the service.
   * @default - the service's first port
   */
  readonly port?: string | number;
}

/** The kind of check a probe makes. */
export type ProbeKind = 'http' | 'tcp' | 'exec';

/**
 * A health check of a container: readiness (may it receive traffic), liveness (should it be restarted) or
 * startup.
 *
 * @example
 * Probe.http('/healthz', { period: Duration.seconds(5) })
 */
export class Probe {
  /**
   * An HTTP GET that succeeds with a status from 200 to 399.
   * @param path the request path, e.g. `/healthz`
   * @param options port and timing
   */
  public static http(path: string, options: PortProbeOptions = {}): Probe {
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

  private constructor(
    /** What the probe checks. */
    public readonly kind: ProbeKind,
    /** Port and timing. */
    public readonly options: PortProbeOptions,
    /** The HTTP path, for `http` probes. */
    public readonly path: string | undefined,
    /** The command, for `exec` probes. */
    public readonly command: string[] | undefined,
  ) {}

  /**
   * Reports what is wrong with the probe's own values: the HTTP path (it becomes the request line the kubelet
   * sends, so a newline or a space would break it), a port number, the command of an exec probe. The timing and
   * the port's existence are checked by the service.
   * @internal
   */
  public _check(problems: ProblemCollector, path: string, property: string): void {
    if (this.kind === 'http') {
      const e = checkHttpPath(this.path);
      if (e) problems.error({ path, property: `${property}.path`, value: this.path, message: e, fix: 'use a path like "/healthz" (percent-encode other characters)' });
    }
    const port = this.options.port;
    if (port !== undefined && typeof port !== 'string') {
      const e = checkPort(port);
      if (e) problems.error({ path, property: `${property}.port`, value: port, message: e, fix: 'name a port of the service, or give its container port' });
    }
    if (this.kind === 'exec' && (!Array.isArray(this.command) || this.command.length === 0 || this.command.some((c) => typeof c !== 'string'))) {
      problems.error({ path, property: `${property}.command`, value: this.command, message: 'an exec probe runs a command: a non-empty list of strings', fix: 'give the command and its arguments, e.g. ["/bin/healthcheck"]' });
    }
  }

  /**
   * The Kubernetes probe object.
   * @param defaultPort the port name to probe when the probe names none
   * @internal
   */
  public _render(defaultPort: string | number | undefined): JsonObject {
    const o = this.options;
    const port = o.port ?? defaultPort;
    const timing: JsonObject = {
      initialDelaySeconds: o.initialDelay?.toSeconds(),
      periodSeconds: (o.period ?? Duration.seconds(10)).toSeconds(),
      timeoutSeconds: (o.timeout ?? Duration.seconds(1)).toSeconds(),
      failureThreshold: o.failureThreshold ?? 3,
    };
    switch (this.kind) {
      case 'http':
        return { httpGet: { path: this.path, port }, ...timing };
      case 'tcp':
        return { tcpSocket: { port }, ...timing };
      default:
        return { exec: { command: [...(this.command ?? [])] }, ...timing };
    }
  }
}
