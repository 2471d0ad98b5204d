import { Duration, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { declareOverride, overridePatch } from '../lib/escape-hatches';
import type { JsonValue } from '../lib/yaml';
import { checkCron, checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkEnvVarName, checkPort, checkStorageSize, checkWholeNumber } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { checkWritablePath } from '../lib/values';
import { findPortIn, PortOptions, resolvePorts, ServicePort } from './app-service';
import type { ConnectionPeer, IConnectable } from './connection';
import type { Environment } from './environment';
import { isIpv4 } from './exposure';
import type { Image } from './image';
import type { PodIdentity } from './pod-options';
import { Probe, ProbeRole } from './probe';
import { Platform } from './platform';
import { declareServiceEnvironments, ServicePlacementOptions } from './placement';
import type { EnvironmentRef, Project } from './project';
import { checkResources, mergeResources, ResolvedResources, Resources } from './resources';
import { checkNoLiteralSecret, ExistingSecret, SecretRef } from './secrets';
import type { Tenant } from './tenant';

/** Options of a stateful engine not known to platform-cdk. */
export interface GenericEngineOptions {
  /** A short name of the engine, e.g. `postgres` (used in labels and messages). */
  readonly name: string;
  /** The ports it listens on; the first is what consumers connect to by default. */
  readonly ports: PortOptions[];
  /** The folder of its data, on the volume. */
  readonly dataPath: string;
  /**
   * The user id the image runs as (the restricted profile forbids root).
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * The environment variable that takes the credentials in the container (e.g. `POSTGRES_PASSWORD`).
   * @default - the engine takes no credentials through the environment
   */
  readonly credentialEnv?: string;
  /**
   * Other folders it writes to (an empty volume each; the root file system is read-only).
   * @default - none
   */
  readonly writablePaths?: string[];
}

/** A database or cache engine: its ports, data folder, user and how it takes credentials. */
export class Engine {
  /** MySQL (official image): port 3306, data in `/var/lib/mysql`, user 999, root password from `MYSQL_ROOT_PASSWORD`. */
  public static mysql(): Engine {
    return new Engine('mysql', [{ port: 3306, name: 'mysql' }], '/var/lib/mysql', 999, 'MYSQL_ROOT_PASSWORD', ['/var/run/mysqld'], (creds) =>
      creds ? ['sh', '-c', 'MYSQL_PWD="$DB_PASSWORD" mysqldump -h "$DB_HOST" -P "$DB_PORT" -u root --all-databases --single-transaction | gzip > "/backup/$DB_NAME-$(date +%Y%m%dT%H%M%S).sql.gz"'] : undefined);
  }

  /** Redis (official image): port 6379, data in `/data`, user 999, password from `REDIS_PASSWORD` (`--requirepass`). */
  public static redis(): Engine {
    return new Engine('redis', [{ port: 6379, name: 'redis' }], '/data', 999, 'REDIS_PASSWORD', [], (creds) =>
      ['sh', '-c', `redis-cli -h "$DB_HOST" -p "$DB_PORT"${creds ? ' --no-auth-warning -a "$DB_PASSWORD"' : ''} --rdb "/backup/$DB_NAME-$(date +%Y%m%dT%H%M%S).rdb"`]);
  }

  /** ClickHouse (official image): HTTP port 8123 and native port 9000, data in `/var/lib/clickhouse`, user 101, password from `CLICKHOUSE_PASSWORD`. */
  public static clickhouse(): Engine {
    // The image's entry point writes the default user's password into users.d when CLICKHOUSE_PASSWORD is set.
    return new Engine('clickhouse', [{ port: 8123, name: 'http' }, { port: 9000, name: 'native' }], '/var/lib/clickhouse', 101, 'CLICKHOUSE_PASSWORD', ['/var/log/clickhouse-server', '/etc/clickhouse-server/users.d'], () => undefined);
  }

  /**
   * Any other engine.
   * @param options ports, data folder, user and credentials variable
   */
  public static generic(options: GenericEngineOptions): Engine {
    return new Engine(options.name, options.ports, options.dataPath, options.runAsUser ?? 1000, options.credentialEnv, options.writablePaths ?? [], () => undefined);
  }

  private constructor(
    /** The engine's name. */
    public readonly name: string,
    /** Its ports. */
    public readonly portOptions: readonly PortOptions[],
    /** Its data folder. */
    public readonly dataPath: string,
    /** The user id it runs as. */
    public readonly runAsUser: number,
    /** The variable that takes its credentials, if any. */
    public readonly credentialEnv: string | undefined,
    /** Other folders it writes to. */
    public readonly writablePaths: readonly string[],
    private readonly backupCommand: (withCredentials: boolean) => string[] | undefined,
  ) {}

  /**
   * The default command of a backup to a volume mounted at `/backup`, if the engine has one. It reads
   * `DB_HOST`, `DB_PORT`, `DB_NAME` and `DB_PASSWORD`.
   * @param withCredentials whether the engine has credentials
   */
  public defaultBackupCommand(withCredentials: boolean): string[] | undefined {
    return this.backupCommand(withCredentials);
  }

  /** The extra arguments the container gets (Redis takes its password on the command line). */
  public argsFor(withCredentials: boolean): string[] | undefined {
    if (this.name === 'redis' && withCredentials) return ['redis-server', '--requirepass', '$(REDIS_PASSWORD)'];
    return undefined;
  }
}

/** Where a stateful service runs. */
export enum StatefulMode {
  /** On machines outside the cluster; the cluster has a stable DNS name pointing at them. */
  EXTERNAL = 'external',
  /** In the cluster, as a StatefulSet. */
  IN_CLUSTER = 'inCluster',
}

/** A stateful service outside the cluster. */
export interface ExternalOptions {
  /** Its IP addresses (a Service without selector and an EndpointSlice). Give these or `host`. */
  readonly addresses?: string[];
  /** Its DNS name (an ExternalName Service). Give this or `addresses`. */
  readonly host?: string;
  /**
   * The port it listens on, when it differs from the engine's (only with `addresses`).
   * @default - the engine's first port
   */
  readonly port?: number;
  /**
   * The networks consumers may reach it in, for network policies, when it is given by `host`.
   * @default - with `addresses`, exactly those addresses; with `host`, any address on the port (a warning)
   */
  readonly cidrs?: string[];
}

/** An S3 bucket for backups. */
export interface S3BackupOptions {
  /** The bucket. */
  readonly bucket: string;
  /**
   * The endpoint URL, for S3-compatible stores (MinIO, Ceph).
   * @default - AWS
   */
  readonly endpoint?: string;
  /** A Secret with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. */
  readonly credentials: ExistingSecret;
  /**
   * The networks of the endpoint, for the backup job's network policy.
   * @default - any address on the endpoint's port (a warning)
   */
  readonly cidrs?: string[];
}

/**
 * The port of an S3 endpoint: the one its URL names, else 80 for `http:` and 443 otherwise (and for AWS).
 * @param endpoint the endpoint URL, if any
 */
export function s3EndpointPort(endpoint: string | undefined): number {
  if (endpoint === undefined) return 443;
  try {
    const url = new URL(endpoint);
    return url.port !== '' ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  } catch {
    return 443;
  }
}

/** Where backups go. */
export class BackupTarget {
  /**
   * A PersistentVolumeClaim of the namespace, mounted at `/backup`.
   * @param claimName the claim's name
   */
  public static volume(claimName: string): BackupTarget {
    return new BackupTarget('volume', claimName, undefined);
  }

  /**
   * An S3 bucket; the job gets `BACKUP_S3_BUCKET`, `BACKUP_S3_ENDPOINT` and the keys of an existing Secret
   * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) as variables, and may reach the endpoint on its URL's port
   * (443 by default, 80 for `http:`) in `cidrs`, else anywhere. Needs a `command`.
   * @param options bucket, endpoint, the credentials Secret and the endpoint's networks
   */
  public static s3(options: S3BackupOptions): BackupTarget {
    return new BackupTarget('s3', undefined, options);
  }

  private constructor(
    /** A volume or an S3 bucket. */
    public readonly kind: 'volume' | 's3',
    /** The claim, for a volume. */
    public readonly claimName: string | undefined,
    /** The bucket, for S3. */
    public readonly s3: S3BackupOptions | undefined,
  ) {}
}

/** A scheduled backup of an in-cluster stateful service (a CronJob `<name>-backup`). */
export interface BackupOptions {
  /** When it runs: a five-field cron schedule (`0 3 * * *`) or a macro (`@daily`). */
  readonly schedule: string;
  /** Where the backup goes. */
  readonly target: BackupTarget;
  /**
   * The image of the backup job.
   * @default - the stateful service's image (which has the engine's client tools)
   */
  readonly image?: Image;
  /**
   * The command. It gets `DB_HOST`, `DB_PORT`, `DB_NAME` and `DB_PASSWORD`.
   * @default - the engine's dump command to `/backup` (MySQL, Redis; others must give one)
   */
  readonly command?: string[];
  /**
   * The time zone of the schedule, e.g. `Asia/Shanghai`.
   * @default - the cluster's (controller manager's) time zone
   */
  readonly timeZone?: string;
  /**
   * The port the job connects to (`DB_PORT`), by name or number, e.g. ClickHouse's `native`.
   * @default - the engine's first port
   */
  readonly port?: string | number;
  /**
   * The job's container resources.
   * @default - the platform's and environment's defaults (not the database's)
   */
  readonly resources?: Resources;
}

/**
 * The probes of an engine when the service gives none: a TCP connection to its first port, every 10 seconds;
 * liveness waits 30 seconds and restarts after 6 failures.
 */
export const DEFAULT_ENGINE_PROBES: {
  /** TCP on the engine's first port. */
  readonly readiness: Probe;
  /** TCP on the engine's first port, after 30 s, failing after 6 tries. */
  readonly liveness: Probe;
} = {
  readiness: Probe.tcp(),
  liveness: Probe.tcp({ initialDelay: Duration.seconds(30), failureThreshold: 6 }),
};

/**
 * A stateful service in the cluster. The identity fields (`runAsUser`, `runAsGroup`, `fsGroup`,
 * `supplementalGroups`) override the engine's user: by default the pod runs as the engine's user, with the same
 * id as its group and volume group.
 */
export interface InClusterOptions extends PodIdentity {
  /** The image, from a named registry at a fixed version. */
  readonly image: Image;
  /** The size of each replica's volume, e.g. `50Gi`. */
  readonly storage: string;
  /**
   * The storage class of the volumes.
   * @default - the cluster's `storageClassName`, else its default storage class
   */
  readonly storageClassName?: string;
  /**
   * Replicas (for engines that replicate by themselves; one volume each).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Container resources.
   * @default - the platform's and environment's defaults
   */
  readonly resources?: Resources;
  /**
   * The credentials, read from a secret into the engine's credentials variable.
   * @default - none (the engine must not need any)
   */
  readonly credentials?: SecretRef;
  /**
   * A scheduled backup.
   * @default - none (a warning in production)
   */
  readonly backup?: BackupOptions;
  /**
   * The readiness probe, with every timing field (`Probe.tcp`, `Probe.exec`, `Probe.http`, `Probe.grpc` on an
   * engine port).
   * @default - `DEFAULT_ENGINE_PROBES.readiness`: TCP on the first port
   */
  readonly readiness?: Probe;
  /**
   * The liveness probe.
   * @default - `DEFAULT_ENGINE_PROBES.liveness`: TCP on the first port after 30 seconds, 6 failures
   */
  readonly liveness?: Probe;
  /**
   * A startup probe (for engines that take long to recover their data).
   * @default - none
   */
  readonly startup?: Probe;
}

/** What changes per environment. */
export interface StatefulOverrides {
  /** Where it runs in this environment. */
  readonly mode?: StatefulMode;
  /** Its external addresses in this environment. */
  readonly external?: ExternalOptions;
  /** In-cluster settings in this environment, over the service's. */
  readonly inCluster?: Partial<InClusterOptions>;
}

/** Properties of a {@link StatefulService}. */
export interface StatefulServiceProps extends ServicePlacementOptions {
  /** The engine: `Engine.mysql()`, `Engine.redis()`, `Engine.clickhouse()` or `Engine.generic(...)`. */
  readonly engine: Engine;
  /**
   * The name of its Service (what consumers connect to).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Where it runs outside the cluster.
   * @default - nowhere outside
   */
  readonly external?: ExternalOptions;
  /**
   * How it runs in the cluster.
   * @default - not in the cluster
   */
  readonly inCluster?: InClusterOptions;
  /**
   * The switch: where it runs. Consumers' addresses are the same either way.
   * @default - EXTERNAL when `external` is given, else IN_CLUSTER
   */
  readonly mode?: StatefulMode;
  /**
   * What changes per environment, keyed by environment name (e.g. in-cluster in test, external in production).
   * @default - nothing changes
   */
  readonly perEnvironment?: Record<string, StatefulOverrides>;
}

/** A stateful service's settings in one environment. */
export interface StatefulSettings {
  /** Where it runs. */
  readonly mode: StatefulMode;
  /** Its external addresses, in EXTERNAL mode. */
  readonly external?: ExternalOptions;
  /** Its in-cluster settings, in IN_CLUSTER mode. */
  readonly inCluster?: InClusterOptions;
  /** Container resources, in IN_CLUSTER mode. */
  readonly resources: ResolvedResources;
}

const STATEFUL_SERVICE = Symbol.for('platform-cdk.StatefulService');

/**
 * A database or cache (MySQL, Redis, ClickHouse, or any engine) with one switch between running outside the
 * cluster and in it. Either way consumers reach it at `<name>.<namespace>.svc.cluster.local` on the engine's
 * port, so moving it into the cluster changes none of their objects.
 *
 * - EXTERNAL: a Service without selector and an EndpointSlice for IP addresses, or an ExternalName Service for
 *   a DNS name.
 * - IN_CLUSTER: a StatefulSet with a volume per replica, a headless Service, a disruption budget, anti-affinity,
 *   credentials from a secret store, and an optional backup CronJob.
 *
 * @example
 * const db = project.addStatefulService('orders-db', {
 *   engine: Engine.mysql(),
 *   external: { addresses: ['10.0.8.21'] },
 *   inCluster: { image: harbor.image('library/mysql', '8.0.36'), storage: '100Gi', credentials: vault.key('orders/mysql', { property: 'root' }) },
 *   mode: StatefulMode.EXTERNAL,
 * });
 * api.connectsTo(db);
 */
export class StatefulService extends Construct implements IConnectable {
  /** Whether a value is a StatefulService. */
  public static isStatefulService(this: void, x: unknown): x is StatefulService {
    return typeof x === 'object' && x !== null && STATEFUL_SERVICE in x;
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

  /** The name of its Service. */
  public readonly name: string;
  /** The project it belongs to. */
  public readonly project: Project;
  /** The engine. */
  public readonly engine: Engine;
  private readonly props: StatefulServiceProps;
  private readonly overrides = new Map<EnvironmentRef, StatefulOverrides>();
  private readonly accepted: Tenant[] = [];

  /**
   * @param scope the project
   * @param id the service's id; its name unless `name` is given
   * @param props engine, external and in-cluster settings, and the switch
   */
  constructor(scope: Project, id: string, props: StatefulServiceProps) {
    super(scope, id);
    declareServiceEnvironments(this, props.environments);
    Object.defineProperty(this, STATEFUL_SERVICE, { value: true });
    this.project = scope;
    this.name = props.name ?? id;
    this.engine = props.engine;
    this.props = props;
    for (const [env, o] of Object.entries(props.perEnvironment ?? {})) this.inEnvironment(env, o);
  }

  /**
   * Changes settings in one environment.
   * @param environment the environment or its name
   * @param overrides what changes there
   */
  public inEnvironment(environment: EnvironmentRef, overrides: StatefulOverrides): void {
    const before = this.overrides.get(environment);
    this.overrides.set(environment, before ? { ...before, ...overrides, inCluster: { ...before.inCluster, ...overrides.inCluster } } : overrides);
  }

  /**
   * Lets services of other tenants connect to this one.
   * @param tenants the tenants whose services may connect
   */
  public acceptFrom(...tenants: Tenant[]): void {
    for (const t of tenants) if (!this.accepted.includes(t)) this.accepted.push(t);
  }

  /** The tenants other than its own whose services may connect to this one. */
  public get acceptedTenants(): readonly Tenant[] {
    return this.accepted;
  }

  /** The engine's ports. */
  public get ports(): ServicePort[] {
    return resolvePorts(this.engine?.portOptions ?? [], this.engine?.name);
  }

  /**
   * A port by name or Service port number; the first port when none is named.
   * @param ref a port name or number
   */
  public findPort(ref: string | number | undefined): ServicePort | undefined {
    return findPortIn(this.ports, ref);
  }

  /**
   * Where it runs in an environment, for consumers' network policies.
   * @param environment the environment
   * @param port the Service port
   */
  public peerIn(
    environment: Environment,
    port: ServicePort,
  ): {
    /** Where the database runs: its pods, or the addresses of its machines. */
    peer: ConnectionPeer;
    /** The port a client's traffic reaches. */
    port: number;
    /** The port's protocol. */
    protocol: string;
  } {
    const s = this.settingsFor(environment);
    if (s.mode === StatefulMode.IN_CLUSTER) return { peer: { kind: 'pods', podName: this.name }, port: port.containerPort, protocol: port.protocol };
    const x = s.external ?? {};
    const target = this.externalPort(x, port);
    if ((x.addresses?.length ?? 0) > 0) return { peer: { kind: 'addresses', cidrs: (x.addresses ?? []).map((a) => `${a}/32`) }, port: target, protocol: port.protocol };
    if ((x.cidrs?.length ?? 0) > 0) return { peer: { kind: 'addresses', cidrs: x.cidrs ?? [] }, port: target, protocol: port.protocol };
    return { peer: { kind: 'anywhere' }, port: target, protocol: port.protocol };
  }

  /**
   * The port the external machines listen on for a Service port.
   * @param x the external settings
   * @param port the Service port
   */
  public externalPort(x: ExternalOptions, port: ServicePort): number {
    // By name: `ports` builds new objects on every call.
    return port.name === this.ports[0]?.name && x.port !== undefined ? x.port : port.containerPort;
  }

  /**
   * Its settings in an environment.
   * @param environment an environment the project is placed in
   */
  public settingsFor(environment: Environment): StatefulSettings {
    let o: StatefulOverrides = {};
    for (const [ref, v] of this.overrides) if (ref === environment || ref === environment.name) o = { ...o, ...v, inCluster: { ...o.inCluster, ...v.inCluster } };
    const external = o.external ?? this.props.external;
    const inClusterGiven = this.props.inCluster !== undefined || (o.inCluster !== undefined && Object.keys(o.inCluster).length > 0);
    const inCluster = inClusterGiven ? ({ ...this.props.inCluster, ...o.inCluster } as InClusterOptions) : undefined;
    const mode = o.mode ?? this.props.mode ?? (external ? StatefulMode.EXTERNAL : StatefulMode.IN_CLUSTER);
    return {
      mode,
      external: mode === StatefulMode.EXTERNAL ? external : undefined,
      inCluster: mode === StatefulMode.IN_CLUSTER ? inCluster : undefined,
      resources: mergeResources(Platform.of(this).defaultResources, environment.resources, inCluster?.resources),
    };
  }

  /**
   * The port the backup job connects to in an environment, if it has a backup there (never in a preview).
   * @param environment the environment
   */
  public backupPortIn(environment: Environment): ServicePort | undefined {
    // A preview runs no stateful service (its consumers reach the baseline's), so no backup job either: a path for
    // one would let pods of the preview reach the baseline's database.
    if (Symbol.for('platform-cdk.PreviewEnvironment') in environment) return undefined;
    const b = this.settingsFor(environment).inCluster?.backup;
    return b ? this.findPort(b.port) : undefined;
  }

  /**
   * The backup job's resources in an environment.
   * @param environment the environment
   */
  public backupResourcesIn(environment: Environment): ResolvedResources {
    return mergeResources(Platform.of(this).defaultResources, environment.resources, this.settingsFor(environment).inCluster?.backup?.resources);
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const platform = Platform.of(this);
    const n = checkDns1035Label(this.name);
    if (n) problems.error({ path, property: 'name', value: this.name, message: n, fix: 'name the service like "orders-db"' });
    else if (this.name.length > 63 - '-headless'.length) problems.error({ path, property: 'name', value: this.name, message: `the headless Service ${this.name}-headless would have more than 63 characters`, fix: `shorten the name to at most ${63 - '-headless'.length} characters` });
    if (!(this.engine instanceof Engine)) {
      problems.error({ path, property: 'engine', value: this.engine, message: 'a stateful service needs an engine', fix: 'set engine: Engine.mysql(), Engine.redis(), Engine.clickhouse() or Engine.generic({...})' });
      return;
    }
    this.ports.forEach((p, i) => {
      const e = checkPort(p.port);
      if (e) problems.error({ path, property: `engine.ports[${i}]`, value: p.port, message: e, fix: 'give ports between 1 and 65535' });
    });
    if (this.ports.length === 0) problems.error({ path, property: 'engine.ports', value: [], message: 'the engine has no port', fix: 'give the engine at least one port' });
    if (typeof this.engine.dataPath !== 'string' || !this.engine.dataPath.startsWith('/')) problems.error({ path, property: 'engine.dataPath', value: this.engine.dataPath, message: 'the data folder is an absolute path', fix: 'use a path like "/var/lib/postgresql/data"' });
    else {
      const data = checkWritablePath(this.engine.dataPath);
      if (data) problems.error({ path, property: 'engine.dataPath', value: this.engine.dataPath, message: `the data volume is mounted there, and a writable path is an absolute, normalised folder: ${data}`, fix: 'use a path like "/var/lib/postgresql/data"' });
    }
    (Array.isArray(this.engine.writablePaths) ? this.engine.writablePaths : []).forEach((p, i) => {
      const e = checkWritablePath(p);
      if (e) problems.error({ path, property: `engine.writablePaths[${i}]`, value: p, message: `a writable path is an absolute, normalised folder: ${e}`, fix: 'use a folder of the engine such as "/var/run/postgresql"' });
    });
    if (this.engine.credentialEnv !== undefined && checkEnvVarName(this.engine.credentialEnv)) problems.error({ path, property: 'engine.credentialEnv', value: this.engine.credentialEnv, message: 'not a variable name', fix: 'use a name like "POSTGRES_PASSWORD"' });
    const uid = checkWholeNumber(this.engine.runAsUser, 1);
    if (uid) problems.error({ path, property: 'engine.runAsUser', value: this.engine.runAsUser, message: `${uid}; the restricted profile forbids root (0)`, fix: 'give the user id the image runs as, e.g. 999' });
    if (this.props.mode !== undefined && !Object.values(StatefulMode).includes(this.props.mode)) {
      problems.error({ path, property: 'mode', value: this.props.mode, message: 'the mode is external or inCluster', fix: 'use StatefulMode.EXTERNAL or StatefulMode.IN_CLUSTER' });
    }
    for (const [ref, o] of this.overrides) {
      const label = typeof ref === 'string' ? ref : ref.name;
      const env = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      if (!env || !this.project.isPlacedIn(env)) {
        problems.error({ path, property: `perEnvironment[${JSON.stringify(label)}]`, value: label, message: `the project ${this.project.name} is not placed in this environment (it is in: ${this.project.environments.map((e) => e.name).join(', ') || 'none'})`, fix: 'key perEnvironment by the names of the project\'s environments' });
      }
      if (o.mode !== undefined && !Object.values(StatefulMode).includes(o.mode)) {
        problems.error({ path, property: `perEnvironment[${JSON.stringify(label)}].mode`, value: o.mode, message: 'the mode is external or inCluster', fix: 'use StatefulMode.EXTERNAL or StatefulMode.IN_CLUSTER' });
      }
    }
    // Previews reach the baseline's stateful services and run none.
    for (const env of this.project.environments.filter((e) => !(Symbol.for('platform-cdk.PreviewEnvironment') in e))) {
      const s = this.settingsFor(env);
      const where = `in ${env.name}`;
      if (s.mode === StatefulMode.EXTERNAL) {
        if (!s.external) {
          problems.error({ path, property: `external (${where})`, value: undefined, message: `the service runs outside the cluster in ${env.name} and no hosts are given, nor in-cluster settings to run it inside`, fix: 'give external: { addresses: ["10.0.0.5"] } or { host: "db.example.com" }, or inCluster settings with mode IN_CLUSTER' });
        } else this.checkExternal(problems, path, `external (${where})`, s.external, env);
      } else if (!s.inCluster) {
        problems.error({ path, property: `inCluster (${where})`, value: undefined, message: `the service has neither hosts outside the cluster nor in-cluster settings in ${env.name}`, fix: 'give external: { addresses: [...] } (runs outside) or inCluster: { image, storage } (runs in the cluster)' });
      } else this.checkInCluster(problems, path, `inCluster (${where})`, s.inCluster, env);
    }
  }

  /** The probes and identity of the in-cluster service, and its images in production. */
  private checkPodDetails(problems: ProblemCollector, path: string, property: string, c: InClusterOptions, env: Environment): void {
    for (const role of ['readiness', 'liveness', 'startup'] as const) {
      const probe: unknown = c[role];
      if (probe === undefined) continue;
      if (!(probe instanceof Probe)) {
        problems.error({ path, property: `${property}.${role}`, value: probe, message: 'a probe is made with Probe.tcp(), Probe.http(), Probe.grpc() or Probe.exec()', fix: 'use e.g. Probe.tcp({ period: Duration.seconds(5) })' });
        continue;
      }
      checkEngineProbe(problems, path, `${property}.${role}`, probe, role, this.ports);
    }
    const u = c.runAsUser;
    if (u !== undefined && (typeof u !== 'number' || !Number.isInteger(u) || u < 1 || u > 2147483647)) {
      problems.error({ path, property: `${property}.runAsUser`, value: u, message: u === 0 ? 'user 0 is root, which the restricted Pod Security profile forbids' : 'a user id is a whole number from 1 to 2147483647', fix: 'give the non-root user id the image runs as, e.g. 999' });
    }
    for (const k of ['runAsGroup', 'fsGroup'] as const) {
      const v = c[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2147483647)) problems.error({ path, property: `${property}.${k}`, value: v, message: 'a group id is a whole number from 0 to 2147483647', fix: `give the numeric group id, e.g. ${k}: 999` });
    }
    const groups: unknown = c.supplementalGroups;
    if (groups !== undefined && (!Array.isArray(groups) || groups.some((g) => typeof g !== 'number' || !Number.isInteger(g) || g < 0 || g > 2147483647))) {
      problems.error({ path, property: `${property}.supplementalGroups`, value: groups, message: 'the supplemental groups are a list of group ids from 0 to 2147483647', fix: 'use e.g. [999]' });
    }
    if (env.production) {
      c.image?._checkProduction?.(problems, path, 'inCluster.image', env.name);
      c.backup?.image?._checkProduction?.(problems, path, 'inCluster.backup.image', env.name);
    }
  }

  private checkExternal(problems: ProblemCollector, path: string, property: string, x: ExternalOptions, env: Environment): void {
    const hasAddresses = (x.addresses?.length ?? 0) > 0;
    if (hasAddresses === (x.host !== undefined)) {
      problems.error({ path, property, value: x, message: 'an external service has either addresses or a host', fix: 'give addresses: ["10.0.0.5"] or host: "db.example.com"' });
      return;
    }
    (x.addresses ?? []).forEach((a, i) => {
      if (!isIpv4(a)) problems.error({ path, property: `${property}.addresses[${i}]`, value: a, message: 'not an IPv4 address', fix: 'give addresses like "10.0.8.21", or a DNS name in host' });
    });
    if (x.host !== undefined) {
      const h = checkDns1123Subdomain(x.host);
      if (h) problems.error({ path, property: `${property}.host`, value: x.host, message: h, fix: 'give a DNS name like "mysql.corp.example.com"' });
      if (x.port !== undefined && x.port !== this.ports[0]?.port) {
        problems.error({ path, property: `${property}.port`, value: x.port, message: `an ExternalName Service cannot map ports, so consumers would connect to ${this.ports[0]?.port} and miss the service`, fix: 'give the machines\' IP addresses instead of the host, or run the service on the engine\'s port' });
      }
      if ((x.cidrs?.length ?? 0) === 0) {
        problems.warning({ path, property: `${property}.cidrs`, value: x.host, message: `consumers in ${env.name} may reach any address on port ${x.port ?? this.ports[0]?.port}, because a network policy cannot name a DNS host`, fix: 'give the networks of the machines in cidrs, e.g. ["10.0.8.0/24"]' });
      }
    }
    if (x.port !== undefined) {
      const p = checkPort(x.port);
      if (p) problems.error({ path, property: `${property}.port`, value: x.port, message: p, fix: 'give a port between 1 and 65535' });
    }
    (x.cidrs ?? []).forEach((c, i) => {
      const [ip, bits] = String(c).split('/');
      if (!isIpv4(ip) || bits === undefined || !/^[0-9]+$/.test(bits) || Number(bits) > 32) problems.error({ path, property: `${property}.cidrs[${i}]`, value: c, message: 'not an IPv4 network', fix: 'give networks like "10.0.8.0/24"' });
    });
  }

  private checkInCluster(problems: ProblemCollector, path: string, property: string, c: InClusterOptions, env: Environment): void {
    if (!c.image || typeof c.image._check !== 'function') problems.error({ path, property: `${property}.image`, value: c.image, message: 'an in-cluster stateful service needs an image', fix: 'set image: registry.image("library/mysql", "8.0.36")' });
    else c.image._check(problems, path, `${property}.image`);
    const size = checkStorageSize(c.storage);
    if (size) problems.error({ path, property: `${property}.storage`, value: c.storage, message: size, fix: 'give the volume size like "50Gi"' });
    if (c.storageClassName !== undefined) {
      const sc = checkDns1123Subdomain(c.storageClassName);
      if (sc) problems.error({ path, property: `${property}.storageClassName`, value: c.storageClassName, message: sc, fix: 'name a StorageClass of the cluster' });
    }
    if (c.replicas !== undefined) {
      const r = checkWholeNumber(c.replicas, 1);
      if (r) problems.error({ path, property: `${property}.replicas`, value: c.replicas, message: r, fix: 'set replicas to 1 or more' });
    }
    checkResources(problems, path, `${property}.resources`, c.resources, this.settingsFor(env).resources);
    this.checkPodDetails(problems, path, property, c, env);
    if (c.credentials !== undefined) {
      if (!SecretRef.isSecretRef(c.credentials)) problems.error({ path, property: `${property}.credentials`, value: '<not a reference>', message: 'credentials must be a reference to a secret, never a value', fix: 'use SecretStore.cluster("vault").key("…") or ExistingSecret.named("…").key("…")' });
      else {
        c.credentials._check(problems, path, `${property}.credentials`);
        if (this.engine.credentialEnv === undefined) problems.error({ path, property: `${property}.credentials`, value: c.credentials.toString(), message: `the engine ${this.engine.name} takes no credentials variable`, fix: 'give the engine a credentialEnv, or remove the credentials' });
      }
    } else if (this.engine.credentialEnv !== undefined) {
      problems.warning({ path, property: `${property}.credentials`, value: undefined, message: `the ${this.engine.name} server in ${env.name} gets no ${this.engine.credentialEnv}: it may refuse to start, or run without a password`, fix: 'give credentials: SecretStore.cluster("vault").key("…")' });
    }
    const b = c.backup;
    if (b) {
      const cron = checkCron(b.schedule);
      if (cron) problems.error({ path, property: `${property}.backup.schedule`, value: b.schedule, message: `not a valid cron schedule: ${cron}`, fix: 'use five fields like "0 3 * * *" (03:00 every day) or a macro like "@daily"' });
      if (!(b.target instanceof BackupTarget)) {
        problems.error({ path, property: `${property}.backup.target`, value: b.target, message: 'a backup needs a target', fix: 'use BackupTarget.volume("backups") or BackupTarget.s3({...})' });
      } else if (b.target.kind === 'volume') {
        const v = checkDns1123Subdomain(b.target.claimName);
        if (v) problems.error({ path, property: `${property}.backup.target`, value: b.target.claimName, message: v, fix: 'name a PersistentVolumeClaim of the namespace' });
      } else if (b.target.s3) {
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b.target.s3.bucket)) problems.error({ path, property: `${property}.backup.target.bucket`, value: b.target.s3.bucket, message: 'not an S3 bucket name', fix: 'use a bucket name like "db-backups"' });
        if (!(b.target.s3.credentials instanceof ExistingSecret)) problems.error({ path, property: `${property}.backup.target.credentials`, value: '<not a reference>', message: 'the S3 credentials are an existing Secret, never values', fix: 'use ExistingSecret.named("backup-s3")' });
        const endpoint = b.target.s3.endpoint;
        const secret = checkNoLiteralSecret(problems, path, `${property}.backup.target.endpoint`, endpoint, 'give the endpoint without credentials; the job reads them from the credentials Secret');
        if (!secret && endpoint !== undefined && !/^https?:\/\/[^\s/?#]+(\/\S*)?$/.test(endpoint)) problems.error({ path, property: `${property}.backup.target.endpoint`, value: endpoint, message: 'the endpoint is an http(s) URL', fix: 'give the endpoint like "https://s3.example.com" or "http://minio.example.com:9000"' });
        if ((b.target.s3.cidrs?.length ?? 0) === 0) problems.warning({ path, property: `${property}.backup.target.cidrs`, value: endpoint ?? 'AWS', message: `the backup job may reach any address on port ${s3EndpointPort(endpoint)}, because a network policy cannot name the endpoint`, fix: 'give the networks of the endpoint in cidrs' });
        (b.target.s3.cidrs ?? []).forEach((c, i) => {
          const [ip, bits] = String(c).split('/');
          if (!isIpv4(ip) || bits === undefined || !/^[0-9]+$/.test(bits) || Number(bits) > 32) problems.error({ path, property: `${property}.backup.target.cidrs[${i}]`, value: c, message: 'not an IPv4 network', fix: 'give networks like "10.0.9.0/24"' });
        });
      }
      const defaultCommand = b.target instanceof BackupTarget && b.target.kind === 'volume' ? this.engine.defaultBackupCommand(c.credentials !== undefined) : undefined;
      if (b.command === undefined && defaultCommand === undefined) {
        problems.error({ path, property: `${property}.backup.command`, value: undefined, message: `there is no default backup command for ${this.engine.name} to this target`, fix: 'give the command that writes the backup (it gets DB_HOST, DB_PORT, DB_NAME and DB_PASSWORD)' });
      }
      if (Array.isArray(b.command)) checkNoLiteralSecret(problems, path, `${property}.backup.command`, b.command, 'read the secret from a variable (the job gets DB_PASSWORD from the credentials) and refer to it as "$DB_PASSWORD"');
      if (b.image !== undefined) b.image._check(problems, path, `${property}.backup.image`);
      if (b.port !== undefined && !this.findPort(b.port)) problems.error({ path, property: `${property}.backup.port`, value: b.port, message: `the engine has no port of this name or number (ports: ${this.ports.map((p) => `${p.name}=${p.port}`).join(', ')})`, fix: 'name one of the engine\'s ports' });
      checkResources(problems, path, `${property}.backup.resources`, b.resources, this.backupResourcesIn(env));
      if (b.timeZone !== undefined && !/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(b.timeZone)) problems.error({ path, property: `${property}.backup.timeZone`, value: b.timeZone, message: 'not a time zone name', fix: 'use a name like "Asia/Shanghai"' });
      const job = checkDns1123Label(`${this.name}-backup`);
      if (job) problems.error({ path, property: `${property}.backup`, value: `${this.name}-backup`, message: `the CronJob name is invalid: ${job}`, fix: 'shorten the service name' });
    } else if (env.production) {
      problems.warning({ path, property: `${property}.backup`, value: undefined, message: `the in-cluster ${this.engine.name} of production environment ${env.name} has no backup`, fix: 'give backup: { schedule: "0 3 * * *", target: BackupTarget.volume("backups") }' });
    }
  }
}

/**
 * Reports what is wrong with a probe of an engine: its own values and its port, which must be one of the engine's.
 * @param role what the probe decides
 * @param ports the engine's ports
 */
function checkEngineProbe(problems: ProblemCollector, path: string, property: string, probe: Probe, role: ProbeRole, ports: readonly ServicePort[]): void {
  probe._check(problems, path, property, role);
  const ref = probe.options.port;
  if (probe.kind === 'exec' || ref === undefined) return;
  if (!ports.some((p) => (typeof ref === 'string' ? p.name === ref : p.containerPort === ref))) {
    problems.error({ path, property: `${property}.port`, value: ref, message: `the engine has no port of this name or container port (ports: ${ports.map((p) => `${p.name}=${p.containerPort}`).join(', ')})`, fix: 'name one of the engine\'s ports' });
  }
}
