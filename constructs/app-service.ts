import type { JsonPatch } from 'cdk8s';
import { declareOverride, overridePatch } from '../lib/escape-hatches';
import type { JsonValue } from '../lib/yaml';
import { Construct } from 'constructs';
import { checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkEnvVarName, checkPort, checkPortName, checkWholeNumber } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { instanceName } from '../lib/manifest';
import { externalSecretName } from '../lib/pod';
import { checkConnectionVariables, Connection, ConnectionPeer, connectionVariableNames, IConnectable } from './connection';
import { Environment } from './environment';
import { Exposure, ExposeOptions, PathType } from './exposure';
import type { Image } from './image';
import { assertObjectArgument, Platform } from './platform';
import { PreviewEnvironment } from './preview';
import { assertNoPipeline, Pipeline, PipelineProps } from './pipeline';
import { checkWholeSeconds } from './probe';
import type { Probe } from './probe';
import { checkMemoryFolders, checkWritablePaths, WritablePathOption } from './writable-paths';
import { checkContainerPorts } from './container-ports';
import { checkPodOptions, mergePodOverrides, PodEnvironmentOptions, PodEnvironmentSettings, PodOptions, podOptionsOf, podSettingsFor } from './pod-options';
import type { EnvironmentRef, Project } from './project';
import { checkResources, mergeResources, ResolvedResources, Resources, sumResources } from './resources';
import { checkNoLiteralSecret, SecretRef } from './secrets';
import { ProductionRules } from './service-options';
import type {
  AlertOptions, AutoscalingOptions, ConfigOptions, ConfigValue, ConnectOptions, ContainerOptions, DisruptionBudgetOptions,
  LogOptions, MetricsOptions, SpreadOptions, Waivers,
} from './service-options';
import { RolloutStrategy } from './service-options';
import { addNetworkExposure, checkNetworkExposures, NetworkExposeOptions, NetworkExposure, networkExposuresOf } from './network-exposure';
import { checkWorkload, settleSettings, Workload, WorkloadProps } from './workload';
import { derivedOnce } from '../lib/frozen-model';
import type { Tenant } from './tenant';
import { declaredIn, declareServiceEnvironments, ServicePlacementOptions } from './placement';
import { checkVersions, ServiceVersionOptions, VersionsOptions, workloadNames } from './versions';
import { checkReplicaOwners, checkReplicas, ReplicaCount, ResolvedReplicas, resolveReplicas } from './scaling';

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

/**
 * Ports with their defaults applied: the first is named `firstName` unless named, the others `port-<port>`; the
 * container port is the Service port and the protocol TCP unless given.
 * @param options the ports as given
 * @param firstName the default name of the first port
 */
export function resolvePorts(options: readonly PortOptions[], firstName: string): ServicePort[] {
  return options.map((p, i) => ({
    name: p.name ?? (i === 0 ? firstName : `port-${p.port}`),
    port: p.port,
    containerPort: p.containerPort ?? p.port,
    protocol: p.protocol ?? Protocol.TCP,
  }));
}

/**
 * A port by name or Service port number; the first port when none is named.
 * @param ports the ports
 * @param ref a port name or number
 */
export function findPortIn(ports: readonly ServicePort[], ref: string | number | undefined): ServicePort | undefined {
  if (ref === undefined) return ports[0];
  return ports.find((p) => (typeof ref === 'string' ? p.name === ref : p.port === ref));
}

/** What a service changes in one environment. Anything left out comes from the service, then the environment. */
export interface EnvironmentOverrides extends PodEnvironmentOptions {
  /**
   * Replicas in this environment: a number, or `Replicas.external()` when it is set elsewhere (constructs/scaling.ts).
   * @default - the service's `replicas`, else the environment's
   */
  readonly replicas?: ReplicaCount;
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
  /**
   * Configuration in this environment: values and files over the service's, and where the files are mounted.
   * @default - the service's configuration
   */
  readonly config?: ConfigOptions;
  /**
   * Autoscaling in this environment, or `false` for none.
   * @default - the service's
   */
  readonly autoscaling?: AutoscalingOptions | false;
  /**
   * The disruption budget in this environment, or `false` for none (in production, with a waiver).
   * @default - the service's
   */
  readonly disruptionBudget?: DisruptionBudgetOptions | false;
  /**
   * Spreading in this environment, or `false` for none (in production, with a waiver).
   * @default - the service's
   */
  readonly spread?: SpreadOptions | false;
  /**
   * Waivers of production defaults in this environment, over the service's.
   * @default - the service's
   */
  readonly waivers?: Waivers;
  /**
   * Variables read from secrets in this environment, over the service's (e.g. another key of the store).
   * @default - the service's
   */
  readonly secrets?: Record<string, SecretRef>;
}

/** Properties of an {@link AppService}. */
export interface AppServiceProps extends PodOptions, ServicePlacementOptions, WorkloadProps, VersionsOptions {
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
   * Replicas in every environment that does not override it: a number, or `Replicas.external()` when an internal
   * platform, an operator or the console sets the count (constructs/scaling.ts).
   * @default - the environment's replicas
   */
  readonly replicas?: ReplicaCount;
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
  /**
   * Configuration: values as environment variables and files, from a ConfigMap.
   * @default - none
   */
  readonly config?: ConfigOptions;
  /**
   * Environment variables read from secrets, by variable name. Values are references only.
   * @default - none
   */
  readonly secrets?: Record<string, SecretRef>;
  /**
   * Autoscaling (a HorizontalPodAutoscaler); the Deployment then leaves the replica count to it.
   * @default - a fixed replica count
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * A pod disruption budget, or `false` for none (in production, with a waiver).
   * @default - `{ maxUnavailable: 1 }` in production environments, none elsewhere
   */
  readonly disruptionBudget?: DisruptionBudgetOptions | false;
  /**
   * Spreading of pods over nodes and zones, or `false` for none (in production, with a waiver).
   * @default - nodes and zones in production environments, none elsewhere
   */
  readonly spread?: SpreadOptions | false;
  /**
   * Reasons for relaxing production defaults (fewer than 2 replicas, no disruption budget, no spread).
   * @default - none: every production default applies
   */
  readonly waivers?: Waivers;
  /**
   * Containers that run to completion before the service's container starts (migrations, downloads).
   * @default - none
   */
  readonly initContainers?: ContainerOptions[];
  /**
   * Containers that run beside the service's container (proxies, log shippers).
   * @default - none
   */
  readonly sidecars?: ContainerOptions[];
  /**
   * How a new version replaces the old pods.
   * @default RolloutStrategy.ROLLING_UPDATE
   */
  readonly rollout?: RolloutStrategy;
  /**
   * Whether the pods get a token of their ServiceAccount (`<service>`). Only services that call the Kubernetes API
   * need it.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * Folders the container writes to (an empty volume each; the root file system is read-only). `/tmp` always is;
   * `{ path: '/tmp', medium: 'Memory' }` keeps it in memory. A folder may give its volume's medium and size limit.
   * @default - none
   */
  readonly writablePaths?: WritablePathOption[];
  /**
   * Prometheus scraping (a ServiceMonitor).
   * @default - none
   */
  readonly metrics?: MetricsOptions;
  /**
   * The standard alert rules (a PrometheusRule); `true` for the defaults.
   * @default - none
   */
  readonly alerts?: AlertOptions | true;
  /**
   * Log collection options.
   * @default - collected as text, tagged by the pod labels
   */
  readonly logs?: LogOptions;
}

/** A service's settings in one environment, with every default applied. */
export interface ServiceSettings extends PodEnvironmentSettings, ResolvedReplicas {
  /** Container resources. */
  readonly resources: ResolvedResources;
  /** Environment variables with literal values, sorted by name. */
  readonly env: ReadonlyArray<readonly [string, string]>;
  /** The image. */
  readonly image: Image;
  /** Configuration values, sorted by name. */
  readonly configValues: ReadonlyArray<readonly [string, string]>;
  /** Configuration files, sorted by name. */
  readonly configFiles: ReadonlyArray<readonly [string, string]>;
  /** Where the configuration files are mounted. */
  readonly configMountPath: string;
  /** Autoscaling, if any. */
  readonly autoscaling?: AutoscalingOptions;
  /** The disruption budget, if any. */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /** Spreading, if any. */
  readonly spread?: SpreadOptions;
  /** Variables read from secrets, sorted by name. */
  readonly secrets: ReadonlyArray<readonly [string, SecretRef]>;
  /** The waivers that apply, by rule id (see `ProductionRules`), sorted. */
  readonly waivers: ReadonlyArray<readonly [string, string]>;
}

const APP_SERVICE = Symbol.for('platform-cdk.AppService');

/** The keys of what a service derives once while the model is frozen besides its settings (`derivedOnce`). */
const PORTS = {};
const ENVIRONMENTS = {};

function byName<T>(entries: Iterable<readonly [string, T]>): [string, T][] {
  const out: [string, T][] = [];
  for (const [k, v] of entries) out.push([k, v]);
  return sortByName(out);
}

/**
 * Sorts entries by name, in place (names are unique): a short list, the usual case, by insertion, which unlike the
 * built-in sort allocates nothing.
 */
function sortByName<T>(out: [string, T][]): [string, T][] {
  if (out.length > 16) return out.sort(compareFirst);
  for (let i = 1; i < out.length; i++) {
    const e = out[i];
    let j = i - 1;
    while (j >= 0 && out[j][0] > e[0]) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = e;
  }
  return out;
}

/**
 * A layer of values over another, as text sorted by name (the configuration's values and files): the upper layer's
 * value wins.
 */
function layeredByName<T>(lower: Readonly<Record<string, T>> | undefined, upper: Readonly<Record<string, T>> | undefined, text: (v: T) => string): [string, string][] {
  if (upper === undefined || upper === null) {
    const out = Object.entries(lower ?? {}) as unknown as [string, string][];
    for (const e of out) e[1] = text(e[1] as unknown as T);
    return sortByName(out);
  }
  const values = new Map<string, string>();
  for (const layer of [lower, upper]) if (layer) for (const [k, v] of Object.entries(layer)) values.set(k, text(v));
  return byName(values);
}

/** A file's text as given (a file that is not text is reported by the checks, and written as it is). */
function asGiven(v: string): string {
  return v;
}

function compareFirst([a]: readonly [string, unknown], [b]: readonly [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A stateless module: a Deployment of one container (with optional init containers and sidecars), a
 * ServiceAccount, a Service for its ports, and, as declared, a ConfigMap, ExternalSecrets, an Ingress with its
 * Certificate, a HorizontalPodAutoscaler, a PodDisruptionBudget, a ServiceMonitor and a PrometheusRule.
 *
 * @example
 * const api = project.addService('api', {
 *   image: harbor.image('shop/api', '2.3.0'),
 *   ports: [{ port: 8080 }],
 *   readiness: Probe.http('/ready'),
 *   config: { values: { LOG_LEVEL: 'info' } },
 *   secrets: { DB_PASSWORD: vault.key('shop/mysql', { property: 'password' }) },
 *   autoscaling: { minReplicas: 2, maxReplicas: 10 },
 *   perEnvironment: { production: { replicas: 4 } },
 * });
 * api.expose({ path: '/api', tls: Tls.certManager(Issuer.cluster('letsencrypt')) });
 * api.connectsTo(ordersDb);
 */
export class AppService extends Construct implements IConnectable {
  /** Whether a value is an AppService. */
  public static isAppService(this: void, x: unknown): x is AppService {
    return typeof x === 'object' && x !== null && APP_SERVICE in x;
  }

  /**
   * Overrides a field of the objects of one kind that the service generates (an escape hatch, in the spirit of
   * aws-cdk's `addPropertyOverride`: docs/escape-hatches.md), in every environment, applied in the render before the
   * checks. `path` is dotted (`spec.template.spec.containers.0.terminationMessagePolicy`; `\\.` for a dot in a key)
   * or a JSON pointer (`/metadata/annotations/example.com~1team`); `value` replaces or adds the field (its parent must
   * exist), `undefined` removes it. An override that applies to no object the service generates is a model error.
   * @param kind the kind of the generated objects, e.g. `Deployment`, `Service`, `Ingress`
   * @param path the field
   * @param value its new value, or `undefined` to remove it
   */
  public addOverride(kind: string, path: string, value: JsonValue | undefined): void {
    declareOverride(this, kind, [overridePatch(path, value)], `${path} = ${JSON.stringify(value)}`);
  }

  /**
   * Adds RFC-6902 JSON patches to the objects of one kind that the service generates, in every environment (see
   * `addOverride`). The patches of one call apply together; an object they do not apply to is left as it was, and
   * a call that applies to no object is a model error.
   * @param kind the kind of the generated objects
   * @param ops the patches (cdk8s `JsonPatch.add(...)`, `JsonPatch.replace(...)`, `JsonPatch.remove(...)` …)
   */
  public addJsonPatch(kind: string, ...ops: JsonPatch[]): void {
    declareOverride(this, kind, ops, ops.map((o) => JSON.stringify(o._toJson())).join(', '));
  }

  /** The name of the Deployment, Service and container. */
  public readonly name: string;
  /** The project the service belongs to. */
  public readonly project: Project;
  /** The image. */
  public readonly image: Image;
  /** Replicas in every environment that does not override it, if set. */
  public readonly replicas?: ReplicaCount;
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
  /** Where configuration files are mounted. */
  public readonly configMountPath: string;
  /** Init containers. */
  public readonly initContainers: readonly ContainerOptions[];
  /** Sidecars. */
  public readonly sidecars: readonly ContainerOptions[];
  /** Whether the pods get a ServiceAccount token. */
  public readonly automountServiceAccountToken: boolean;
  /** How a new version replaces the old pods. */
  public readonly rollout: RolloutStrategy;
  /** What the service runs as: a Deployment, Job, CronJob or DaemonSet. */
  public readonly workload: Workload;
  /** Folders the container writes to, besides `/tmp`. */
  public readonly writablePaths: readonly WritablePathOption[];
  /** Prometheus scraping, if declared. */
  public readonly metrics?: MetricsOptions;
  /** The standard alert rules, if declared. */
  public readonly alerts?: AlertOptions;
  /** Log collection options. */
  public readonly logs: LogOptions;
  /** The pod options: identity, grace period, pod labels and annotations, container name, priority, scheduling. */
  public readonly pod: PodOptions;
  /** Versions that run side by side behind the service's Service (constructs/versions.ts), if declared. */
  public readonly versions?: Record<string, ServiceVersionOptions>;

  private readonly portOptions: PortOptions[] = [];
  private readonly envVars = new Map<string, string>();
  private readonly secretVars = new Map<string, SecretRef>();
  private readonly configOptions: ConfigOptions;
  private readonly overrides = new Map<EnvironmentRef, EnvironmentOverrides>();
  private readonly exposureList: Exposure[] = [];
  private readonly connectionList: Connection[] = [];
  private readonly accepted: Tenant[] = [];
  private readonly base: Pick<AppServiceProps, 'autoscaling' | 'disruptionBudget' | 'spread' | 'waivers'>;

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
    this.configOptions = props.config ?? {};
    this.configMountPath = props.config?.mountPath ?? `/etc/${this.name}`;
    this.initContainers = [...(props.initContainers ?? [])];
    this.sidecars = [...(props.sidecars ?? [])];
    this.automountServiceAccountToken = props.automountServiceAccountToken ?? false;
    this.rollout = props.rollout ?? RolloutStrategy.ROLLING_UPDATE;
    this.workload = props.workload ?? Workload.deployment();
    this.writablePaths = [...(props.writablePaths ?? [])];
    this.metrics = props.metrics;
    this.alerts = props.alerts === true ? {} : props.alerts;
    this.logs = props.logs ?? {};
    this.pod = podOptionsOf(props);
    this.versions = props.versions;
    this.base = { autoscaling: props.autoscaling, disruptionBudget: props.disruptionBudget, spread: props.spread, waivers: props.waivers };
    declareServiceEnvironments(this, props.environments);
    for (const p of props.ports ?? []) this.addPort(p);
    for (const [k, v] of Object.entries(props.env ?? {})) this.addEnv(k, v);
    for (const [k, v] of Object.entries(props.secrets ?? {})) this.addSecret(k, v);
    for (const [env, o] of Object.entries(props.perEnvironment ?? {})) this.inEnvironment(env, o);
  }

  /**
   * Adds a port.
   * @param port the Service port and its options
   */
  public addPort(port: PortOptions): ServicePort {
    assertObjectArgument(this, `ports[${this.portOptions.length}]`, port, 'give the port as an object, e.g. { port: 8080 }');
    this.portOptions.push(port);
    return this.ports[this.ports.length - 1];
  }

  /**
   * Sets an environment variable (a literal value) in every environment. A variable named like a secret
   * (`*_PASSWORD`, `*_TOKEN` …) is refused: use `addSecret`.
   * @param name the variable's name
   * @param value its value
   */
  public addEnv(name: string, value: string): void {
    this.envVars.set(name, value);
  }

  /**
   * Sets an environment variable from a secret: a key of an external store or of an existing Secret.
   * @param name the variable's name
   * @param secret where the value is read from
   */
  public addSecret(name: string, secret: SecretRef): void {
    this.secretVars.set(name, secret);
  }

  /** The variables read from secrets, sorted by name. */
  public get secrets(): [string, SecretRef][] {
    return byName(this.secretVars);
  }

  /**
   * Changes settings in one environment. Calling it again for the same environment merges the overrides.
   * @param environment the environment or its name
   * @param overrides what changes there
   */
  public inEnvironment(environment: EnvironmentRef, overrides: EnvironmentOverrides): void {
    assertObjectArgument(this, `perEnvironment[${JSON.stringify(typeof environment === 'string' ? environment : environment?.node?.path)}]`, overrides, 'give the overrides as an object, e.g. { replicas: 3 }');
    const before = this.overrides.get(environment);
    this.overrides.set(environment, before ? mergeOverrides(before, overrides) : overrides);
  }

  /**
   * Exposes the service outside the cluster: Ingress rules per environment, at `<subdomain>.<domain>` unless
   * a host is given, with TLS from cert-manager or an existing Secret.
   * @param options host, path, port, TLS, environments and cut-over
   */
  public expose(options: ExposeOptions = {}): Exposure {
    assertObjectArgument(this, `expose[${this.exposureList.length}]`, options, 'give the exposure\'s options as an object, or leave them out');
    const exposure = new Exposure(this, options);
    this.exposureList.push(exposure);
    return exposure;
  }

  /** The service's exposures. */
  public get exposures(): readonly Exposure[] {
    return this.exposureList;
  }

  /**
   * Exposes TCP and UDP ports beyond HTTP: a ClusterIP, NodePort or LoadBalancer Service of their own, reachable
   * from the declared networks only (the load balancer's source ranges and a network policy of exactly those CIDRs).
   * @param options networks, type, ports, node ports and environments
   */
  public exposeNetwork(options: NetworkExposeOptions): NetworkExposure {
    assertObjectArgument(this, `exposeNetwork[${this.networkExposures.length}]`, options, 'give the options as an object, e.g. { from: ["10.20.0.0/16"] }');
    return addNetworkExposure(this, options);
  }

  /** The service's network exposures. */
  public get networkExposures(): readonly NetworkExposure[] {
    return networkExposuresOf(this);
  }

  /**
   * Declares that this service calls another one (an app service or a stateful service) in each environment:
   * the container gets `<PREFIX>_HOST` and `<PREFIX>_PORT`, or variables in its own format (`env` templates such as
   * `{ ORDERS_ADDR: '{host}:{port}' }`), the network policies open exactly that path, and the
   * Pulumi output creates the target first. A target in another tenant must accept this tenant (`acceptFrom`).
   * @param target the service called
   * @param options port, variable prefix and templates
   */
  public connectsTo(target: IConnectable, options: ConnectOptions = {}): void {
    assertObjectArgument(this, `connectsTo[${this.connectionList.length}]`, target, 'connect to an AppService or StatefulService of the platform');
    assertObjectArgument(this, `connectsTo[${this.connectionList.length}].options`, options, 'give the options as an object, or leave them out');
    this.connectionList.push({ target, options });
  }

  /** The services this one calls. */
  public get connections(): readonly Connection[] {
    return this.connectionList;
  }

  /**
   * Lets services of other tenants connect to this one (`connectsTo`); without it a cross-tenant connection is
   * refused.
   * @param tenants the tenants whose services may connect
   */
  public acceptFrom(...tenants: Tenant[]): void {
    for (const t of tenants) if (!this.accepted.includes(t)) this.accepted.push(t);
  }

  /** The tenants other than its own whose services may connect to this one. */
  public get acceptedTenants(): readonly Tenant[] {
    return this.accepted;
  }

  /** The ports with their defaults applied. */
  public get ports(): ServicePort[] {
    return [...this.portList()];
  }

  /** {@link ports}, resolved once while the model is frozen (`lib/frozen-model.ts`); not to be changed. */
  private portList(): readonly ServicePort[] {
    return derivedOnce(this, PORTS, AppService.resolvePortsOf);
  }

  /**
   * A port by name or Service port number; the first port when none is named.
   * @param ref a port name or number
   */
  public findPort(ref: string | number | undefined): ServicePort | undefined {
    return findPortIn(this.portList(), ref);
  }

  /**
   * The service's pods, for network policies.
   * @param _environment the environment
   * @param port the Service port
   */
  public peerIn(
    _environment: Environment,
    port: ServicePort,
  ): {
    /** The service's pods. */
    peer: ConnectionPeer;
    /** The container port. */
    port: number;
    /** The port's protocol. */
    protocol: string;
  } {
    return { peer: { kind: 'pods', podName: this.name }, port: port.containerPort, protocol: port.protocol };
  }

  /**
   * The service's settings in an environment: overrides over the service over the environment over the platform.
   * @param environment an environment the project is placed in
   */
  public settingsFor(environment: Environment): ServiceSettings {
    return derivedOnce(this, environment, AppService.computeSettingsOf);
  }

  // What settingsFor, ports and environments derive once while the model is frozen, as functions made once (no
  // closure per call).
  private static readonly computeSettingsOf = (s: AppService, e: Environment): ServiceSettings => s.computeSettings(e);
  private static readonly resolvePortsOf = (s: AppService): ServicePort[] => resolvePorts(s.portOptions, 'http');
  private static readonly findEnvironmentsOf = (s: AppService): Environment[] =>
    s.project.environments.filter((e) => (!PreviewEnvironment.isPreview(e) || e.runs(s)) && declaredIn(s, e));

  /** {@link settingsFor}, computed (once while the model is frozen: `lib/frozen-model.ts`). */
  private computeSettings(environment: Environment): ServiceSettings {
    if (PreviewEnvironment.isPreview(environment)) return this.previewSettings(environment);
    const o = this.overridesFor(environment);
    let env: Map<string, string> = this.envVars;
    if (o.env) {
      env = new Map(env);
      for (const [k, v] of Object.entries(o.env)) env.set(k, v);
    }
    const autoscaling = pick(o.autoscaling, this.base.autoscaling, undefined);
    const production = environment.production;
    const disruptionBudget = pick(o.disruptionBudget, this.base.disruptionBudget, production ? {} : undefined);
    const spread = pick(o.spread, this.base.spread, production ? {} : undefined);
    const waivers = this.base.waivers === undefined && o.waivers === undefined ? undefined : { ...this.base.waivers, ...o.waivers };
    // Object.assign rather than a literal that spreads and then adds fields: on this runtime an object made by a
    // spread gets a map of its own for every field added after it, which is slow and makes garbage, per service and
    // environment. The fields and their order are the same.
    return settleSettings(this.workload, Object.assign({}, resolveReplicas(autoscaling, o.replicas ?? this.replicas, environment.replicas), {
      resources: mergeResources(Platform.of(this).defaultResources, environment.resources, this.resources, o.resources),
      env: byName(env),
      image: this.releasedImage(o.image ?? this.image, environment),
      secrets: byName(o.secrets ? new Map([...this.secretVars, ...Object.entries(o.secrets)]) : this.secretVars),
      configValues: layeredByName(this.configOptions.values, o.config?.values, configText),
      configFiles: layeredByName(this.configOptions.files, o.config?.files, asGiven),
      configMountPath: o.config?.mountPath ?? this.configMountPath,
      autoscaling,
      disruptionBudget: disruptionBudget ? { maxUnavailable: disruptionBudget.minAvailable === undefined ? (disruptionBudget.maxUnavailable ?? 1) : disruptionBudget.maxUnavailable, minAvailable: disruptionBudget.minAvailable } : undefined,
      spread: spread ? { nodes: spread.nodes ?? true, zones: spread.zones ?? true } : undefined,
      waivers: waivers === undefined ? [] : byName(
        Object.entries({ 'production-replicas': waivers.replicas, 'production-disruption-budget': waivers.disruptionBudget, 'production-spread': waivers.spread })
          .filter((e): e is [string, string] => typeof e[1] === 'string'),
      ),
    }, podSettingsFor(this.pod, o, environment.podDefaults)));
  }

  /** The environments the service runs in: its project's, and the previews that run it. */
  public get environments(): Environment[] {
    return [...derivedOnce(this, ENVIRONMENTS, AppService.findEnvironmentsOf)];
  }

  /** The service's key in release pins and pipelines: `<tenant>/<project>/<service>`. */
  public get releaseKey(): string {
    return `${this.project.tenant.name}/${this.project.name}/${this.name}`;
  }

  /**
   * Adds the service's release pipeline: build, test and push its image from its repository, then deploy it
   * through the platform's environments in their promotion order.
   * @param props source, build, tests, registry credential, approval and notifications
   */
  public addPipeline(props: PipelineProps): Pipeline {
    assertObjectArgument(this, 'addPipeline', props, 'give the pipeline\'s properties as an object, e.g. { repository: … }');
    assertNoPipeline(this, 'Pipeline', this.name);
    return new Pipeline(this, 'Pipeline', { ...props, module: this.name, image: props.image ?? this.image, service: this });
  }

  /** The image released to an environment: pinned by a release pipeline, else as declared. */
  private releasedImage(image: Image, environment: Environment): Image {
    const tag = Platform.of(this).releasedTag(this.releaseKey, environment.name);
    return tag !== undefined && image && typeof image.withTag === 'function' ? image.withTag(tag) : image;
  }

  /**
   * The settings in a preview: the baseline's, with the preview's image tag and configuration, its replicas and
   * no autoscaling (a preview is small and not production).
   */
  private previewSettings(preview: PreviewEnvironment): ServiceSettings {
    const base = preview.baseline;
    const s = base ? this.settingsFor(base) : this.settingsFor(Platform.of(this).environments[0]);
    const o = preview.overridden.get(this) ?? {};
    const values = new Map(s.configValues);
    for (const [k, v] of Object.entries(o.config?.values ?? {})) values.set(k, configText(v));
    const files = new Map(s.configFiles);
    for (const [k, v] of Object.entries(o.config?.files ?? {})) files.set(k, v);
    const replicas = preview.replicas;
    return {
      ...s,
      replicas,
      maxReplicas: replicas,
      externalReplicas: undefined,
      replicasOwnedTwice: undefined,
      image: o.tag !== undefined && s.image && typeof s.image.withTag === 'function' ? s.image.withTag(o.tag) : s.image,
      configValues: byName(values),
      configFiles: byName(files),
      autoscaling: undefined,
      disruptionBudget: undefined,
      spread: undefined,
      waivers: [],
    };
  }

  /**
   * The resources of every container of a pod in an environment added up (the service's container and its
   * sidecars; init containers run before them), for quota checks.
   * @param environment the environment
   */
  public podResourcesIn(environment: Environment): ResolvedResources {
    return sumResources([this.settingsFor(environment).resources, ...this.sidecars.map((c) => this.containerResources(environment, c))]);
  }

  /**
   * The resources of an init container or sidecar in an environment.
   * @param environment the environment
   * @param container the container
   */
  public containerResources(environment: Environment, container: ContainerOptions): ResolvedResources {
    return mergeResources(Platform.of(this).defaultResources, environment.resources, container.resources);
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
    checkReplicas(problems, path, 'replicas', this.replicas);
    checkResources(problems, path, 'resources', this.resources);
    this.checkPorts(problems, path);
    checkEnv(problems, path, 'env', this.envVars);
    checkConfig(problems, path, 'config', this.configOptions);
    this.checkSecrets(problems, path);
    checkScaling(problems, path, '', this.base);
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
      } else if (!declaredIn(this, env)) problems.warning({ path, property, value: label, message: 'the service does not run in this environment (its `environments`), so the overrides are not used', fix: 'remove the overrides, or add the environment to the service\'s environments' });
      checkReplicas(problems, path, `${property}.replicas`, o.replicas);
      checkResources(problems, path, `${property}.resources`, o.resources);
      if (o.image) o.image._check(problems, path, `${property}.image`);
      checkEnv(problems, path, `${property}.env`, new Map(Object.entries(o.env ?? {})));
      if (o.config) checkConfig(problems, path, `${property}.config`, o.config);
      checkScaling(problems, path, `${property}.`, o);
    }
    for (const env of this.environments) {
      const settings = this.settingsFor(env);
      checkResources(problems, path, `resources (in ${env.name})`, undefined, settings.resources);
      const instance = instanceName(this.name, env.name);
      if (!n && instance.length > 63) {
        problems.error({ path, property: 'name', value: this.name, message: `the label app.kubernetes.io/instance=${instance} would have ${instance.length} characters in environment ${env.name}, above the limit of 63`, fix: `shorten the service name to at most ${62 - env.name.length} characters` });
      }
      checkReplicaOwners(problems, path, env.name, settings);
      if (env.production && this.workload?.kind === 'Deployment') this.checkProductionDefaults(problems, path, env, settings);
      this.checkNameClashes(problems, path, env, settings);
    }
    if (!Object.values(RolloutStrategy).includes(this.rollout)) problems.error({ path, property: 'rollout', value: this.rollout, message: 'the rollout is RollingUpdate or Recreate', fix: 'use RolloutStrategy.ROLLING_UPDATE or RolloutStrategy.RECREATE' });
    this.checkContainers(problems, path);
    this.checkLiteralSecrets(problems, path);
    this.checkProbes(problems, path);
    this.checkExposures(problems, path, platform);
    this.checkConnections(problems, path);
    this.checkObservability(problems, path);
    checkPodOptions(problems, path, { name: this.name, pod: this.pod, initContainers: this.initContainers, sidecars: this.sidecars, environments: this.environments, imageIn: (e) => this.settingsFor(e).image }, [...this.overrides].map(([r, o]) => [`perEnvironment[${JSON.stringify(typeof r === 'string' ? r : r?.name)}]`, o] as const));
    checkContainerPorts(problems, path, this.ports, this.initContainers, this.sidecars);
    checkMemoryFolders(problems, path, 'writablePaths', this.writablePaths, () => this.environments.map((e) => [e.name, this.settingsFor(e).resources.memoryLimitMiB] as const));
    checkWorkload(problems, path, this, [{ prefix: '', ...this.base }, ...[...this.overrides].map(([ref, o]) => ({ prefix: `perEnvironment[${JSON.stringify(typeof ref === 'string' ? ref : ref.name)}].`, ...o }))]);
    checkNetworkExposures(problems, this);
    // Only a service with versions pays for the project-wide names (a project may hold thousands of services).
    if (this.versions !== undefined) checkVersions(problems, path, this.versions, {
      name: this.name, workloadKind: this.workload?.kind ?? 'Deployment', podLabels: this.pod.podLabels,
      autoscales: this.environments.some((e) => this.settingsFor(e).autoscaling !== undefined),
      hasPipeline: this.node.tryFindChild('Pipeline') !== undefined,
      previews: this.environments.filter((e) => PreviewEnvironment.isPreview(e)).map((e) => e.name),
      otherNames: new Set(this.project.services.filter((s) => s !== this).flatMap((s) => workloadNames(s.name, s.versions))),
      production: this.environments.filter((e) => e.production).map((e) => ({ environment: e.name, waived: this.settingsFor(e).waivers.some(([r]) => r === 'production-replicas') })),
    });
  }

  private checkProductionDefaults(problems: ProblemCollector, path: string, env: Environment, s: ServiceSettings): void {
    const waived = new Map(s.waivers);
    const relaxed = relaxedProductionRules(s);
    for (const [rule] of s.waivers) {
      if (!relaxed.includes(rule)) problems.warning({ path, property: `waivers (in ${env.name})`, value: rule, message: `the service keeps the default of ${rule} in ${env.name}, so the waiver is not used there (and is not written)`, fix: 'remove the waiver, or set it only in the environments where the default is relaxed (perEnvironment)' });
    }
    if (s.replicas < 2 && !waived.has('production-replicas')) {
      problems.error({
        path,
        property: s.autoscaling ? `autoscaling.minReplicas (in ${env.name})` : `replicas (in ${env.name})`,
        value: s.replicas,
        message: `environment ${env.name} is production, where a service runs at least 2 replicas so that one pod can fail or move`,
        fix: `run 2 or more replicas there, or give a reason: waivers: { replicas: "…" } (rule production-replicas)`,
      });
    }
    if (!s.disruptionBudget && !waived.has('production-disruption-budget')) {
      problems.error({ path, property: `disruptionBudget (in ${env.name})`, value: false, message: `environment ${env.name} is production, where a service has a disruption budget so that node drains leave it running`, fix: 'remove `disruptionBudget: false`, or give a reason: waivers: { disruptionBudget: "…" } (rule production-disruption-budget)' });
    }
    if ((!s.spread || !s.spread.nodes || !s.spread.zones) && !waived.has('production-spread')) {
      problems.error({ path, property: `spread (in ${env.name})`, value: s.spread ?? false, message: `environment ${env.name} is production, where a service's pods are spread over nodes and zones`, fix: 'remove the spread setting, or give a reason: waivers: { spread: "…" } (rule production-spread)' });
    }
    for (const [rule, reason] of s.waivers) {
      if (reason.trim() === '') problems.error({ path, property: `waivers (in ${env.name})`, value: reason, message: `the waiver of ${rule} has no reason`, fix: 'say why the default is relaxed, e.g. "singleton consumer of a partitioned queue"' });
    }
  }

  private checkNameClashes(problems: ProblemCollector, path: string, env: Environment, s: ServiceSettings): void {
    const from = new Map<string, string>();
    const add = (name: string, source: string): void => {
      const first = from.get(name);
      if (first !== undefined && first !== source) {
        problems.error({ path, property: source, value: name, message: `in environment ${env.name} the variable is set by ${first} already`, fix: 'set each variable once: rename it, or the prefix of the connection (envPrefix)' });
      } else from.set(name, source);
    };
    for (const [k] of s.env) add(k, 'env');
    for (const [k] of s.configValues) add(k, 'config.values');
    for (const [k] of s.secrets) add(k, 'secrets');
    this.connectionList.forEach((c, i) => {
      for (const name of connectionVariableNames(c)) add(name, `connectsTo[${i}]`);
    });
  }

  private checkSecrets(problems: ProblemCollector, path: string): void {
    const given: [string, string, SecretRef][] = [...this.secretVars].map(([k, ref]): [string, string, SecretRef] => ['secrets', k, ref]);
    for (const [env, o] of this.overrides) {
      for (const [k, ref] of Object.entries(o.secrets ?? {})) given.push([`perEnvironment[${JSON.stringify(typeof env === 'string' ? env : env.name)}].secrets`, k, ref]);
    }
    for (const [where, k, ref] of given) {
      const property = `${where}[${JSON.stringify(k)}]`;
      const e = checkEnvVarName(k);
      if (e) problems.error({ path, property, value: k, message: e, fix: 'use a name like "DB_PASSWORD"' });
      if (!SecretRef.isSecretRef(ref)) {
        problems.error({ path, property, value: typeof ref === 'string' ? '<a literal value, not shown>' : ref, message: 'a secret must be a reference, never a value (it would be written into the manifests in clear text)', fix: 'use SecretStore.cluster("vault").key("path/in/store") or ExistingSecret.named("name").key("key")' });
      } else ref._check(problems, path, property);
    }
  }

  private checkContainers(problems: ProblemCollector, path: string): void {
    const names = new Map<string, string>([[this.pod.containerName ?? this.name, 'name']]);
    const all: [string, ContainerOptions][] = [
      ...this.initContainers.map((c, i): [string, ContainerOptions] => [`initContainers[${i}]`, c]),
      ...this.sidecars.map((c, i): [string, ContainerOptions] => [`sidecars[${i}]`, c]),
    ];
    // The pod's ExternalSecrets hold one key per variable name: a name read from a store reads one key in every container.
    const storeVars = new Map<string, { where: string; ref: SecretRef }>();
    for (const [k, ref] of this.secretVars) if (SecretRef.isSecretRef(ref) && ref.source.kind === 'store') storeVars.set(k, { where: 'secrets', ref });
    // An environment's own secrets replace the service's there, in the same ExternalSecrets.
    const envStoreVars: { name: string; where: string; ref: SecretRef }[] = [];
    for (const [env, o] of this.overrides) {
      const where = `perEnvironment[${JSON.stringify(typeof env === 'string' ? env : env.name)}].secrets`;
      for (const [k, ref] of Object.entries(o.secrets ?? {})) if (SecretRef.isSecretRef(ref) && ref.source.kind === 'store') envStoreVars.push({ name: k, where, ref });
    }
    for (const [property, c] of all) {
      const n = checkDns1123Label(c?.name);
      if (n) problems.error({ path, property: `${property}.name`, value: c?.name, message: n, fix: 'name the container like "migrate" or "proxy"' });
      const first = names.get(c?.name);
      if (first !== undefined) problems.error({ path, property: `${property}.name`, value: c.name, message: `${first === 'name' ? 'the service\'s own container' : first} has this name already`, fix: 'give each container of the pod its own name' });
      else names.set(c?.name, property);
      if (!c?.image || typeof c.image._check !== 'function') problems.error({ path, property: `${property}.image`, value: c?.image, message: 'a container needs an image', fix: 'set image: registry.image("team/tool", "1.0.0")' });
      else c.image._check(problems, path, `${property}.image`);
      checkResources(problems, path, `${property}.resources`, c?.resources);
      checkEnv(problems, path, `${property}.env`, new Map(Object.entries(c?.env ?? {})));
      for (const [k, ref] of Object.entries(c?.secrets ?? {})) {
        if (!SecretRef.isSecretRef(ref)) problems.error({ path, property: `${property}.secrets[${JSON.stringify(k)}]`, value: '<not a reference>', message: 'a secret must be a reference, never a value', fix: 'use SecretStore.cluster("vault").key("path/in/store") or ExistingSecret.named("name").key("key")' });
        else {
          ref._check(problems, path, `${property}.secrets[${JSON.stringify(k)}]`);
          const first = ref.source.kind === 'store' ? storeVars.get(k) : undefined;
          const clash = ref.source.kind === 'store' ? [first, ...envStoreVars.filter((e) => e.name === k)].find((e) => e !== undefined && storeKey(e.ref) !== storeKey(ref)) : undefined;
          if (clash) {
            problems.error({ path, property: `${property}.secrets[${JSON.stringify(k)}]`, value: ref.toString(), message: `${clash.where} reads this variable from ${clash.ref.toString()}, and the pod's ExternalSecrets hold one value per variable name`, fix: 'give the variable another name in one of the containers, or read the same key' });
          } else if (!first && ref.source.kind === 'store') storeVars.set(k, { where: `${property}.secrets`, ref });
        }
      }
      checkPaths(problems, path, `${property}.writablePaths`, c?.writablePaths ?? []);
    }
    checkPaths(problems, path, 'writablePaths', this.writablePaths);
  }

  /** Commands, arguments, probe commands and waiver reasons are written as they are: none may hold a secret. */
  private checkLiteralSecrets(problems: ProblemCollector, path: string): void {
    const fix = 'pass the secret in an environment variable read from a secret (secrets: { … }) and refer to it as $(VAR)';
    const lists: [string, unknown][] = [['command', this.command], ['args', this.args]];
    for (const [property, c] of [...this.initContainers.map((c, i): [string, ContainerOptions] => [`initContainers[${i}]`, c]), ...this.sidecars.map((c, i): [string, ContainerOptions] => [`sidecars[${i}]`, c])]) {
      lists.push([`${property}.command`, c?.command], [`${property}.args`, c?.args]);
    }
    for (const [property, probe] of [['readiness', this.readiness], ['liveness', this.liveness], ['startup', this.startup]] as const) {
      if (probe?.kind === 'exec') lists.push([`${property}.command`, probe.command]);
    }
    for (const [property, list] of lists) {
      if (Array.isArray(list)) checkNoLiteralSecret(problems, path, property, list, fix);
    }
    const waivers: [string, Waivers | undefined][] = [['waivers', this.base.waivers]];
    for (const [env, o] of this.overrides) waivers.push([`perEnvironment[${JSON.stringify(typeof env === 'string' ? env : env.name)}].waivers`, o.waivers]);
    for (const [property, w] of waivers) {
      for (const [k, reason] of Object.entries(w ?? {})) checkNoLiteralSecret(problems, path, `${property}.${k}`, reason, 'say why the default is relaxed, without credentials (the reason is written as an annotation)');
    }
  }

  private checkConnections(problems: ProblemCollector, path: string): void {
    const platform = Platform.of(this);
    this.connectionList.forEach((c, i) => {
      const property = `connectsTo[${i}]`;
      const t = c.target;
      if (!t || typeof t.peerIn !== 'function' || t.node.root !== platform) {
        problems.error({ path, property, value: t?.node?.path ?? t, message: 'the target is not a service of this platform', fix: 'connect to an AppService or StatefulService of the platform' });
        return;
      }
      if (t === (this as IConnectable)) {
        problems.error({ path, property, value: t.node.path, message: 'a service cannot connect to itself', fix: 'remove the connection' });
        return;
      }
      const port = t.findPort(c.options.port);
      if (!port) {
        problems.error({ path, property: `${property}.port`, value: c.options.port, message: `${t.node.path} has no port of this name or number (ports: ${describePorts(t)})`, fix: 'name one of the target\'s ports' });
      }
      checkConnectionVariables(problems, path, property, c.options);
      const mine = this.project.tenant;
      const theirs = t.project.tenant;
      if (mine !== theirs && !t.acceptedTenants.includes(mine)) {
        problems.error({
          path,
          property,
          value: t.node.path,
          message: `the target belongs to tenant ${theirs.name} and this service to tenant ${mine.name}; a connection across tenants must be allowed by the target's side`,
          fix: `in the code of tenant ${theirs.name}, call ${t.name}.acceptFrom(<tenant ${mine.name}>), or connect to a service of tenant ${mine.name}`,
        });
      }
      for (const env of this.environments) {
        // A preview reaches the baseline's instance of what it does not run.
        const reached = PreviewEnvironment.isPreview(env) && !(AppService.isAppService(t) && env.runs(t)) ? env.baseline : env;
        if (reached && !t.project.isPlacedIn(reached)) {
          problems.error({ path, property, value: t.node.path, message: `the target's project ${t.project.name} is not placed in environment ${env.name}, where this service runs`, fix: `place project ${t.project.name} in ${env.name}, or this project out of it` });
        }
      }
    });
  }

  private checkObservability(problems: ProblemCollector, path: string): void {
    const m = this.metrics;
    if (m) {
      const port = this.findPort(m.port);
      if (!port) problems.error({ path, property: 'metrics.port', value: m.port, message: `the service has no port of this name or number (ports: ${describePorts(this)})`, fix: 'declare the metrics port in `ports` and name it here' });
      if (m.path !== undefined && (typeof m.path !== 'string' || !m.path.startsWith('/'))) problems.error({ path, property: 'metrics.path', value: m.path, message: 'a path starts with "/"', fix: 'use a path like "/metrics"' });
      const interval = checkWholeSeconds(m.interval, 1);
      if (interval) problems.error({ path, property: 'metrics.interval', value: m.interval?.toHumanString(), message: interval, fix: 'use whole seconds, e.g. Duration.seconds(30)' });
    }
    const a = this.alerts;
    if (a) {
      if (a.restarts !== undefined && checkWholeNumber(a.restarts, 0)) problems.error({ path, property: 'alerts.restarts', value: a.restarts, message: 'the restart threshold is a whole number, 0 or more', fix: 'set restarts to e.g. 3, or 0 to turn the rule off' });
      const e = a.errorRate;
      if (e) {
        if (typeof e.threshold !== 'number' || !(e.threshold > 0 && e.threshold < 1)) problems.error({ path, property: 'alerts.errorRate.threshold', value: e.threshold, message: 'the threshold is a share of requests, between 0 and 1', fix: 'use e.g. 0.05 for 5%' });
        if (!m) problems.error({ path, property: 'alerts.errorRate', value: e.threshold, message: 'an error-rate alert needs the service\'s metrics', fix: 'declare `metrics` on the service' });
        if (e.metric !== undefined && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(e.metric)) problems.error({ path, property: 'alerts.errorRate.metric', value: e.metric, message: 'not a Prometheus metric name', fix: 'use a name like "http_requests_total"' });
        if (e.status !== undefined && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(e.status.label)) problems.error({ path, property: 'alerts.errorRate.status.label', value: e.status.label, message: 'not a Prometheus label name', fix: 'use a label like "code" or "status"' });
      }
    }
    if (this.logs.multilineStart !== undefined) {
      try {
        new RegExp(this.logs.multilineStart);
      } catch (e) {
        problems.error({ path, property: 'logs.multilineStart', value: this.logs.multilineStart, message: `not a regular expression: ${(e as Error).message}`, fix: 'use a pattern like "^\\\\d{4}-\\\\d{2}-\\\\d{2}"' });
      }
    }
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
      if (!probe) continue;
      if (typeof probe._check === 'function') probe._check(problems, path, property, property as 'readiness' | 'liveness' | 'startup');
      if (probe.kind === 'exec') continue;
      const ref = probe.options.port;
      if (ref === undefined && !this.ports.some((p) => p.protocol === Protocol.TCP)) {
        problems.error({ path, property, value: probe.kind, message: 'the probe names no port and the service has no TCP port to default to', fix: 'give the probe a port, add a TCP port, or use Probe.exec()' });
      } else if (ref !== undefined && !this.ports.some((p) => (typeof ref === 'string' ? p.name === ref : p.containerPort === ref))) {
        problems.error({ path, property: `${property}.port`, value: ref, message: `the service has no port of this name or container port (ports: ${this.ports.map((p) => `${p.name}=${p.containerPort}`).join(', ') || 'none'})`, fix: 'name one of the service\'s ports' });
      }
    }
    if (!this.workload?.batch && !this.ports.some((p) => p.protocol === Protocol.TCP) && !this.readiness && !this.liveness) {
      problems.warning({ path, property: 'readiness', value: undefined, message: 'the service has no TCP port to probe by default and no probe, so Kubernetes cannot tell whether it is healthy', fix: 'add a probe such as Probe.exec(["/bin/healthcheck"])' });
    }
  }

  /**
   * The Secret a cert-manager Certificate writes (`<service>-tls`) or an existing TLS Secret must not be the one an
   * ExternalSecret of the service writes (`<service>-<store>`): two controllers would overwrite each other.
   */
  private checkTlsSecretOwner(problems: ProblemCollector, path: string, env: Environment): void {
    const stores = new Map<string, string>();
    for (const [k, ref] of this.settingsFor(env).secrets) if (SecretRef.isSecretRef(ref) && ref.source.kind === 'store') stores.set(externalSecretName(this.name, ref.source.store), `secrets["${k}"]`);
    [...this.initContainers, ...this.sidecars].forEach((c) => {
      for (const [k, ref] of Object.entries(c?.secrets ?? {})) if (SecretRef.isSecretRef(ref) && ref.source.kind === 'store') stores.set(externalSecretName(this.name, ref.source.store), `${c.name}.secrets["${k}"]`);
    });
    this.exposureList.forEach((x, i) => {
      const tls = x.covers(env) ? x.tlsIn(env) : undefined;
      const secret = tls ? tls.secretNameFor(this.name) : undefined;
      const by = secret !== undefined ? stores.get(secret) : undefined;
      if (tls && by) {
        const what = tls.kind === 'cert-manager' ? 'the cert-manager Certificate of the service\'s hosts writes' : 'the exposure serves the existing TLS Secret';
        problems.error({ path, property: `expose[${i}].tls (in ${env.name})`, value: secret, message: `${what} Secret ${secret}, and the ExternalSecret of the store read by ${by} writes a Secret of the same name; two controllers would overwrite each other`, fix: 'read the secret from a store of another name (a store named "tls" clashes with the certificate\'s <service>-tls), or name another TLS Secret' });
      }
    });
  }

  private checkExposures(problems: ProblemCollector, path: string, platform: Platform): void {
    for (const env of this.environments) {
      const issuers = new Set<string>();
      const legacies = new Set<string>();
      for (const x of this.exposureList) {
        if (!x.covers(env)) continue;
        const tls = x.tlsIn(env);
        if (tls?.kind === 'cert-manager' && tls.issuer) issuers.add(`${tls.issuer.kind} ${tls.issuer.name}`);
        const cut = x.pendingCutOverIn(env);
        if (cut) legacies.add(JSON.stringify(cut.legacy));
      }
      this.checkTlsSecretOwner(problems, path, env);
      if (issuers.size > 1) problems.error({ path, property: 'expose', value: [...issuers].join(', '), message: `the service's hosts in ${env.name} name different cert-manager issuers, and it has one Certificate per environment`, fix: 'use one issuer for all of the service\'s hosts in an environment' });
      if (legacies.size > 1) problems.error({ path, property: 'expose', value: legacies.size, message: `the service's pending cut-overs in ${env.name} name different legacy backends`, fix: 'point every pending cut-over of the service in an environment at one legacy backend' });
    }
    this.exposureList.forEach((x, i) => {
      const property = `expose[${i}]`;
      if (this.ports.length === 0) {
        problems.error({ path, property: `${property}.port`, value: x.options.port, message: 'an exposed service needs a port', fix: 'add a port to the service' });
      } else if (!x.port) {
        problems.error({ path, property: `${property}.port`, value: x.options.port, message: `the service has no port of this name or number (ports: ${this.ports.map((p) => `${p.name}=${p.port}`).join(', ')})`, fix: 'name one of the service\'s ports' });
      }
      x.options.tls?._check(problems, path, `${property}.tls`);
      x._checkCutOver(problems, path, property);
      if (x.options.pathType !== undefined && x.options.pathType !== PathType.PREFIX && x.options.pathType !== PathType.EXACT) {
        problems.error({ path, property: `${property}.pathType`, value: x.options.pathType, message: 'the path type is Prefix or Exact', fix: 'use PathType.PREFIX or PathType.EXACT' });
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
      for (const env of this.environments) {
        if (!x.covers(env)) continue;
        const host = x.hostIn(env);
        if (host === undefined) {
          problems.error({ path, property: `${property}.hosts[${JSON.stringify(env.name)}]`, value: undefined, message: `the environment ${env.name} has no domain, so the service has no host there`, fix: `set a domain on the environment ${env.name} or give the host in hosts` });
        } else {
          const h = checkDns1123Subdomain(host);
          if (h) problems.error({ path, property: `${property}.hosts[${JSON.stringify(env.name)}]`, value: host, message: h, fix: 'use a host like "shop.example.com"' });
          if (env.production && !x.tlsIn(env)) {
            problems.warning({ path, property: `${property}.tls`, value: host, message: `the host is served over plain HTTP in production environment ${env.name}`, fix: `set tls on the exposure or on environment ${env.name}, e.g. Tls.certManager(Issuer.cluster("letsencrypt"))` });
          }
        }
      }
    });
  }
}

/**
 * The production rules a service's settings relax in an environment (each needs a waiver there).
 * @param s the settings
 */
export function relaxedProductionRules(s: ServiceSettings): string[] {
  const out: string[] = [];
  if (s.replicas < 2) out.push(ProductionRules.REPLICAS);
  if (!s.disruptionBudget) out.push(ProductionRules.DISRUPTION_BUDGET);
  if (!s.spread || !s.spread.nodes || !s.spread.zones) out.push(ProductionRules.SPREAD);
  return out;
}

function mergeOverrides(a: EnvironmentOverrides, b: EnvironmentOverrides): EnvironmentOverrides {
  return {
    replicas: b.replicas ?? a.replicas,
    resources: a.resources || b.resources ? { ...a.resources, ...b.resources } : undefined,
    env: a.env || b.env ? { ...a.env, ...b.env } : undefined,
    image: b.image ?? a.image,
    config: a.config || b.config ? { values: { ...a.config?.values, ...b.config?.values }, files: { ...a.config?.files, ...b.config?.files }, mountPath: b.config?.mountPath ?? a.config?.mountPath } : undefined,
    autoscaling: b.autoscaling ?? a.autoscaling,
    disruptionBudget: b.disruptionBudget ?? a.disruptionBudget,
    spread: b.spread ?? a.spread,
    waivers: a.waivers || b.waivers ? { ...a.waivers, ...b.waivers } : undefined,
    secrets: a.secrets || b.secrets ? { ...a.secrets, ...b.secrets } : undefined,
    ...mergePodOverrides(a, b),
  };
}

/** The first setting given: `false` (switched off) gives `undefined`. */
function pick<T>(override: T | false | undefined, base: T | false | undefined, fallback: T | undefined): T | undefined {
  const v = override !== undefined ? override : base !== undefined ? base : fallback;
  return v === false ? undefined : v;
}

/** What a reference to a store reads: store, key, property and version. */
function storeKey(ref: SecretRef): string {
  const s = ref.source;
  return s.kind === 'store' ? JSON.stringify([s.store.kind, s.store.name, s.remoteKey, s.property, s.version]) : '';
}

/** A configuration value as the text written to the ConfigMap. */
function configText(v: ConfigValue): string {
  return typeof v === 'string' ? v : String(v);
}

function describePorts(t: IConnectable): string {
  const ports = AppService.isAppService(t) ? t.ports : (t as IConnectable & { ports?: ServicePort[] }).ports ?? [];
  return ports.map((p) => `${p.name}=${p.port}`).join(', ') || 'none';
}

/** Variable names must be valid, and a literal value must not be a secret. */
function checkEnv(problems: ProblemCollector, path: string, property: string, vars: ReadonlyMap<string, unknown>): void {
  for (const [k, v] of vars) {
    const p = `${property}[${JSON.stringify(k)}]`;
    const e = checkEnvVarName(k);
    if (e) problems.error({ path, property: p, value: k, message: e, fix: 'use a name like "LOG_LEVEL"' });
    if (typeof v !== 'string') problems.error({ path, property: p, value: v, message: 'an environment variable\'s value is a string', fix: 'give the value as text, e.g. "8"' });
    checkNoLiteralSecret(problems, path, p, v, `read it from a secret: secrets: { ${k}: SecretStore.cluster("vault").key("…") } or ExistingSecret.named("…").key("…")`, k);
  }
}

function checkConfig(problems: ProblemCollector, path: string, property: string, config: ConfigOptions): void {
  for (const [k, v] of Object.entries(config.values ?? {})) {
    const p = `${property}.values[${JSON.stringify(k)}]`;
    const e = checkEnvVarName(k);
    if (e) problems.error({ path, property: p, value: k, message: `a value becomes an environment variable: ${e}`, fix: 'use a name like "LOG_LEVEL"' });
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') problems.error({ path, property: p, value: v, message: 'a configuration value is a string, number or boolean', fix: 'give the value as text, a number or a boolean; put structured configuration in `files`' });
    checkNoLiteralSecret(problems, path, p, v, `read it from a secret: secrets: { ${k}: SecretStore.cluster("vault").key("…") }`, k);
  }
  for (const [k, v] of Object.entries(config.files ?? {})) {
    const p = `${property}.files[${JSON.stringify(k)}]`;
    // Kubernetes refuses a volume item path starting with ".." (the kubelet's own `..data` link lives there).
    if (!/^[-._a-zA-Z0-9]+$/.test(k) || k === '.' || k.startsWith('..')) problems.error({ path, property: p, value: k, message: 'a file name is letters, digits, "-", "_" and "." (no folders), not "." and not starting with ".."', fix: 'name the file like "application.yaml"' });
    if (typeof v !== 'string') problems.error({ path, property: p, value: v, message: 'a file\'s content is a string', fix: 'give the content as text' });
    else checkNoLiteralSecret(problems, path, p, v, 'keep the secret out of the file: read it from a secret (secrets: { … }) and refer to it as ${VAR}, or mount a Secret filled from a SecretStore');
  }
  for (const k of Object.keys(config.files ?? {})) {
    if (config.values && k in config.values) problems.error({ path, property: `${property}.files[${JSON.stringify(k)}]`, value: k, message: 'a value has this name already, and values and files share the ConfigMap', fix: 'rename the file or the value' });
  }
  if (config.mountPath !== undefined && (typeof config.mountPath !== 'string' || !config.mountPath.startsWith('/') || config.mountPath === '/' || config.mountPath === '/tmp')) {
    problems.error({ path, property: `${property}.mountPath`, value: config.mountPath, message: 'the mount path is an absolute folder other than "/" and "/tmp"', fix: 'use a path like "/etc/app"' });
  }
  const bytes = Object.entries(config.values ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0) + Object.entries(config.files ?? {}).reduce((n, [k, v]) => n + k.length + (typeof v === 'string' ? Buffer.byteLength(v) : 0), 0);
  if (bytes > 1_000_000) problems.error({ path, property, value: `${bytes} bytes`, message: 'a ConfigMap holds at most 1 MiB', fix: 'move large files into the image or a volume' });
}

function checkScaling(problems: ProblemCollector, path: string, prefix: string, o: Pick<EnvironmentOverrides, 'autoscaling' | 'disruptionBudget' | 'spread' | 'waivers'>): void {
  const a = o.autoscaling;
  if (a) {
    const min = checkWholeNumber(a.minReplicas, 1);
    if (min) problems.error({ path, property: `${prefix}autoscaling.minReplicas`, value: a.minReplicas, message: min, fix: 'set minReplicas to 1 or more' });
    const max = checkWholeNumber(a.maxReplicas, 1);
    if (max) problems.error({ path, property: `${prefix}autoscaling.maxReplicas`, value: a.maxReplicas, message: max, fix: 'set maxReplicas to 1 or more' });
    if (!min && !max && a.minReplicas > a.maxReplicas) {
      problems.error({ path, property: `${prefix}autoscaling`, value: `minReplicas ${a.minReplicas} > maxReplicas ${a.maxReplicas}`, message: 'the autoscaler\'s minimum is above its maximum', fix: `raise maxReplicas to at least ${a.minReplicas} or lower minReplicas` });
    }
    for (const k of ['cpuUtilization', 'memoryUtilization'] as const) {
      const v = a[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100)) {
        problems.error({ path, property: `${prefix}autoscaling.${k}`, value: v, message: 'a utilization target is a whole percentage from 1 to 100', fix: 'use e.g. 70' });
      }
    }
  }
  const d = o.disruptionBudget;
  if (d) {
    if (d.maxUnavailable !== undefined && d.minAvailable !== undefined) problems.error({ path, property: `${prefix}disruptionBudget`, value: d, message: 'a disruption budget has maxUnavailable or minAvailable, not both', fix: 'keep one of them' });
    for (const k of ['maxUnavailable', 'minAvailable'] as const) {
      const v = d[k];
      const e = v === undefined ? undefined : checkWholeNumber(v, k === 'maxUnavailable' ? 1 : 0);
      if (e) problems.error({ path, property: `${prefix}disruptionBudget.${k}`, value: v, message: e, fix: k === 'maxUnavailable' ? 'set maxUnavailable to 1 or more (0 would block every node drain)' : 'set minAvailable to 0 or more' });
    }
  }
  for (const [k, v] of Object.entries(o.waivers ?? {})) {
    if (!['replicas', 'disruptionBudget', 'spread'].includes(k)) problems.error({ path, property: `${prefix}waivers.${k}`, value: k, message: 'no production default has this name (waivers: replicas, disruptionBudget, spread)', fix: 'waive replicas, disruptionBudget or spread' });
    else if (typeof v !== 'string' || v.trim() === '') problems.error({ path, property: `${prefix}waivers.${k}`, value: v, message: 'a waiver needs a reason', fix: 'say why the default is relaxed, e.g. "batch consumer, one at a time"' });
  }
}

function checkPaths(problems: ProblemCollector, path: string, property: string, paths: readonly WritablePathOption[]): void {
  checkWritablePaths(problems, path, property, paths, property === 'writablePaths');
}
