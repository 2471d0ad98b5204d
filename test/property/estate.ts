/**
 * Random valid estates for the property tests: fast-check generates a plain description (`EstateSpec`, JSON that
 * prints readably when a property fails), and `buildEstate` turns it into a Platform through the public API only.
 *
 * The generator draws raw choices (sizes, indexes, switches) and `normalize` turns them into a description that
 * is valid by construction: unique names, namespaces suffixed where environments share a cluster, hosts unique per
 * tenant, connections only to services placed in every environment of the caller (and only to services generated
 * before it, so they never form a cycle), quotas that fit, approvals where a pipeline reaches production.
 */
import * as fc from 'fast-check';
import {
  AlertSeverity,
  AppService,
  BackupTarget,
  Channel,
  CiSystem,
  ClusterRole,
  Credential,
  Department,
  Engine,
  EnvironmentSelector,
  ExistingSecret,
  Issuer,
  Platform,
  PreviewDependencies,
  Duration,
  Probe,
  ProbeScheme,
  ProjectRole,
  Protocol,
  Registry,
  ServiceType,
  Replicas,
  StatefulMode,
  SecretStore,
  StatefulService,
  TaintEffect,
  Target,
  TenantNetwork,
  Tls,
  User,
  Workload,
  WorkspaceRole,
} from 'platform-cdk';
import type { AppServiceProps, NodeScheduling, Project, Resources, Tenant } from 'platform-cdk';

/** A generated estate: plain data. */
export interface EstateSpec {
  readonly target: Target;
  /** Member clusters (the host is `host`). */
  readonly members: string[];
  readonly environments: EnvironmentSpec[];
  readonly tenants: TenantSpec[];
  readonly previews: PreviewSpec[];
  /** The CI system of the release pipelines, when delivery is configured. */
  readonly ci?: CiSystem;
}

/** An environment. */
export interface EnvironmentSpec {
  readonly name: string;
  readonly clusters: string[];
  readonly production: boolean;
  readonly domain: string;
  readonly tls: boolean;
  readonly namespaceSuffix?: string;
  /** Pod defaults of its app services (node pool and priority class). */
  readonly podDefaults?: boolean;
}

/** A department, possibly with sub-departments. */
export interface DepartmentSpec {
  readonly name: string;
  readonly members: string[];
  readonly children: DepartmentSpec[];
  /** Its workspace role, if any. */
  readonly workspaceRole?: 'regular' | 'viewer';
  /** Its project role in the tenant's projects, in these environments. */
  readonly projectRole?: { readonly role: 'operator' | 'viewer'; readonly environments: string[] };
  // --- placement and external scaling ---
  /** Its project role in every production (or non-production) environment instead of named ones. */
  readonly projectRoleIn?: 'production' | 'non-production';
  // --- end placement and external scaling ---
}

/** A tenant. */
export interface TenantSpec {
  readonly name: string;
  readonly manager: string;
  readonly network: 'open-within-tenant' | 'declared-paths-only';
  readonly departments: DepartmentSpec[];
  readonly projects: ProjectSpec[];
  /** A workspace quota (KubeSphere targets). */
  readonly quota?: boolean;
  /** A user with the workspace's viewer role. */
  readonly viewer?: string;
  /** The environment where its first department may create projects itself (KubeSphere targets). */
  readonly selfProvisioning?: string;
  // --- placement and external scaling ---
  /** A cluster with a workspace quota of its own (KubeSphere targets; with or without `quota`). */
  readonly clusterQuota?: string;
  // --- end placement and external scaling ---
  // --- alert routing ---
  /** Its alert routing: the channels (one receiver each), the environments (all when absent), critical alerts to the first receiver only, credentials from a store or an existing Secret. */
  readonly alerts?: { readonly channels: AlertChannelKind[]; readonly environments?: string[]; readonly criticalFirst: boolean; readonly store: boolean };
  // --- end alert routing ---
}

// --- alert routing ---
/** The channel kinds the generator draws. */
export const ALERT_CHANNELS = ['email', 'wecom', 'dingtalk', 'slack', 'webhook'] as const;
/** A channel kind. */
export type AlertChannelKind = (typeof ALERT_CHANNELS)[number];

/**
 * Routes a generated tenant's alerts, through the public API.
 * @param tenant the tenant
 * @param spec its routing
 */
export function routeGeneratedAlerts(tenant: Tenant, spec: NonNullable<TenantSpec['alerts']>): void {
  const secret = (key: string) => (spec.store ? SecretStore.cluster('vault').key(`alerting/${tenant.name}/${key}`) : ExistingSecret.named('alerting').key(key));
  const channel = (kind: AlertChannelKind): Channel => {
    switch (kind) {
      case 'email':
        return Channel.email({ to: [`${tenant.name}-oncall@example.com`], from: 'alerts@example.com', smtp: { host: 'smtp.example.com' }, username: 'alerts', password: secret('smtp') });
      case 'wecom':
        return Channel.weCom({ corpId: 'ww1234567890', agentId: '1000002', apiSecret: secret('wecom'), toParty: ['12'] });
      case 'dingtalk':
        return Channel.dingTalk({ webhook: secret('dingtalk'), keywords: ['alert'] });
      case 'slack':
        return Channel.slack({ channel: `#${tenant.name}`, credentials: secret('slack') });
      default:
        return Channel.webhook({ url: `https://pager.example.com/${tenant.name}`, bearerToken: secret('pager') });
    }
  };
  const receivers = Object.fromEntries(spec.channels.map((k) => [k, channel(k)]));
  tenant.routeAlerts('oncall', {
    receivers,
    ...(spec.environments ? { environments: spec.environments } : {}),
    ...(spec.criticalFirst ? { routes: [{ receivers: [spec.channels[0]], severities: [AlertSeverity.CRITICAL] }, { receivers: spec.channels.slice(1).length > 0 ? spec.channels.slice(1) : [spec.channels[0]] }] } : {}),
  });
}
// --- end alert routing ---

/** A project. */
export interface ProjectSpec {
  readonly name: string;
  readonly environments: string[];
  readonly quota: boolean;
  readonly services: ServiceSpec[];
  readonly stateful: StatefulSpec[];
  // --- placement and external scaling ---
  /** One cluster of a production environment spanning two, where the project is placed on that cluster only. */
  readonly clustersIn?: { readonly environment: string; readonly cluster: string };
  // --- end placement and external scaling ---
}

/** An app service. */
export interface ServiceSpec {
  readonly name: string;
  readonly ports: number[];
  readonly replicas?: number;
  readonly resources?: Resources;
  /** The subdomain it is exposed at, in every environment of its project. */
  readonly subdomain?: string;
  readonly config?: Record<string, string>;
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number };
  /** Keys (`<tenant>/<project>/<name>`) of the services and stateful services it calls. */
  readonly connectsTo: string[];
  readonly pipeline: boolean;
  /** Its readiness probe. */
  readonly readiness?: 'http' | 'tcp';
  /** Whether its second port serves metrics (a ServiceMonitor), with the default alerts. */
  readonly metrics?: boolean;
  /** Replicas in one environment, over the service's. */
  readonly replicasIn?: { readonly environment: string; readonly replicas: number };
  // --- workload kinds and network exposure ----------------------------------------------------------------
  /** What it runs as, when not a Deployment (a Job or CronJob has no ports, exposure, probes or scaling). */
  readonly workload?: 'job' | 'cronJob' | 'daemonSet';
  /** Its ports exposed to networks (with a UDP port when `udp`), a fixed node port where no two environments share a cluster. */
  readonly network?: { readonly type: 'LoadBalancer' | 'NodePort' | 'ClusterIP'; readonly from: string[]; readonly udp: boolean; readonly nodePort?: number };
  // --- end of workload kinds and network exposure ----------------------------------------------------------
  // --- placement and external scaling ---
  /** The environments of its project it runs in, when not all (a non-production one left out; nothing calls it). */
  readonly onlyIn?: string[];
  /** An environment whose replicas are set elsewhere (`Replicas.external({ min: 2, max: 3 })`; no autoscaling). */
  readonly externalIn?: string;
  // --- end placement and external scaling ---
  // --- connections in the caller's format (ConnectOptions.env, hostAndPort) ---
  /** The format of its connections' address variables: templates, with or without <PREFIX>_HOST/_PORT. */
  readonly addressFormat?: AddressFormat;
  // --- end connections in the caller's format ---
  /** Its pod options (identity, probes, pod details, image). */
  readonly pod?: PodSpec;
}

// --- connections in the caller's format ---
/** The address variables' formats the generator draws. */
export const ADDRESS_FORMATS = ['host-port', 'url', 'url-path', 'both'] as const;
/** A format of a connection's address variables. */
export type AddressFormat = (typeof ADDRESS_FORMATS)[number];

/**
 * The connection options of a format: `<TARGET>_ADDR` as `{host}:{port}`, a URL on the short host, a URL with a
 * path, or a template beside `<PREFIX>_HOST`/`<PREFIX>_PORT`.
 * @param format the format, if any
 * @param target the target's name
 */
export function addressOptions(format: AddressFormat | undefined, target: string): { env?: Record<string, string>; hostAndPort?: boolean } {
  const name = `${target.toUpperCase().replace(/-/g, '_')}_ADDR`;
  switch (format) {
    case 'host-port':
      return { env: { [name]: '{host}:{port}' } };
    case 'url':
      return { env: { [name]: 'http://{shortHost}:{port}' } };
    case 'url-path':
      return { env: { [name]: 'https://{host}:{port}/api/v1?ns={namespace}' } };
    case 'both':
      return { env: { [name]: '{{{shortHost}}}' }, hostAndPort: true };
    default:
      return {};
  }
}
// --- end connections in the caller's format ---

// ---- Pod options: identity, probes, pod details, images (generators and building) ----------------------------
/** The pod options of a generated service. */
export interface PodSpec {
  readonly runAsUser?: number;
  readonly groups?: boolean;
  readonly graceSeconds?: number;
  readonly podLabel?: boolean;
  readonly podAnnotation?: boolean;
  readonly containerName?: boolean;
  readonly priorityClass?: boolean;
  readonly scheduling?: 'selector' | 'tolerations' | 'affinity';
  /** An environment where the scheduling is dropped. */
  readonly schedulingOffIn?: string;
  readonly ephemeralMiB?: number;
  /** A liveness probe of this kind, with every timing field. */
  readonly probe?: 'grpc' | 'https';
  /** The image: declares its user, is a moving tag pinned by digest, or a moving tag waived. */
  readonly image?: 'user' | 'digest' | 'waived';
  /** Adds NET_BIND_SERVICE (the one capability the restricted profile permits). */
  readonly capability?: boolean;
  /** Keeps /tmp and a folder in memory, with size limits. */
  readonly memoryFolders?: boolean;
  /** A sidecar listening on a port of its own. */
  readonly sidecarPort?: boolean;
}

const rawPod = fc.record({
  runAsUser: fc.option(fc.integer({ min: 1, max: 65534 }), { nil: undefined }),
  groups: fc.boolean(),
  graceSeconds: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
  podLabel: fc.boolean(),
  podAnnotation: fc.boolean(),
  containerName: fc.boolean(),
  priorityClass: fc.boolean(),
  scheduling: fc.constantFrom(undefined, 'selector' as const, 'tolerations' as const, 'affinity' as const),
  schedulingOffIn: fc.option(fc.nat(), { nil: undefined }),
  ephemeralMiB: fc.option(fc.integer({ min: 64, max: 4096 }), { nil: undefined }),
  probe: fc.constantFrom(undefined, 'grpc' as const, 'https' as const),
  image: fc.constantFrom(undefined, 'user' as const, 'digest' as const, 'waived' as const),
  capability: fc.boolean(),
  memoryFolders: fc.boolean(),
  sidecarPort: fc.boolean(),
});

/** A raw pod choice as a valid description (environments by name). */
function normalizePod(raw: typeof rawPod extends fc.Arbitrary<infer T> ? T : never, environments: readonly string[]): PodSpec {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && v !== false && k !== 'schedulingOffIn') out[k] = v;
  if (raw.scheduling && raw.schedulingOffIn !== undefined) out.schedulingOffIn = pick(environments, raw.schedulingOffIn);
  return out as PodSpec;
}

/** The service properties of a generated pod description. */
function podProps(name: string, ports: readonly number[], pod: PodSpec | undefined, resources: Resources | undefined): Partial<AppServiceProps> {
  if (!pod) return {};
  const scheduling: NodeScheduling | undefined =
    pod.scheduling === 'selector' ? { nodeSelector: { 'example.com/pool': 'general' } }
      : pod.scheduling === 'tolerations' ? { tolerations: [{ key: 'dedicated', value: 'shop', effect: TaintEffect.NO_SCHEDULE }] }
        : pod.scheduling === 'affinity' ? { requiredNodes: [[{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]], preferredNodes: [{ weight: 10, conditions: [{ key: 'example.com/ssd', operator: 'Exists' }] }] }
          : undefined;
  const timing = { initialDelay: Duration.seconds(5), period: Duration.seconds(15), timeout: Duration.seconds(2), failureThreshold: 4, terminationGracePeriod: Duration.seconds(20) };
  const image = pod.image === 'user' ? REGISTRY.image(`pods/${name}`, '1.0.0', { user: 10001 })
    : pod.image === 'digest' ? REGISTRY.image(`pods/${name}`, { tag: 'stable', digest: `sha256:${'c'.repeat(64)}` })
      : pod.image === 'waived' ? REGISTRY.image(`pods/${name}`, 'main', { waivers: { movingTag: 'tracks the vendor\'s main channel' } })
        : undefined;
  return {
    ...(image ? { image } : {}),
    ...(pod.runAsUser !== undefined ? { runAsUser: pod.runAsUser } : {}),
    ...(pod.groups ? { runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000] } : {}),
    ...(pod.graceSeconds !== undefined ? { terminationGracePeriod: Duration.seconds(pod.graceSeconds) } : {}),
    ...(pod.podLabel ? { podLabels: { 'example.com/team': name } } : {}),
    ...(pod.podAnnotation ? { podAnnotations: { 'example.com/owner': `${name} team` } } : {}),
    ...(pod.containerName ? { containerName: 'app' } : {}),
    ...(pod.priorityClass ? { priorityClassName: 'business-critical' } : {}),
    ...(scheduling ? { scheduling } : {}),
    ...(pod.ephemeralMiB !== undefined ? { resources: { ...resources, ephemeralStorageRequestMiB: pod.ephemeralMiB, ephemeralStorageLimitMiB: pod.ephemeralMiB * 2 } } : {}),
    ...(pod.probe === 'grpc' ? { liveness: Probe.grpc(ports[0], { service: 'health', ...timing }) } : {}),
    ...(pod.capability ? { addCapabilities: ['NET_BIND_SERVICE' as const] } : {}),
    ...(pod.sidecarPort ? { sidecars: [{ name: 'exporter', image: REGISTRY.image('pods/exporter', '1.0.0'), runAsUser: 1000, ports: [{ name: 'exporter', containerPort: 9901 }] }] } : {}),
    ...(pod.memoryFolders ? { writablePaths: [{ path: '/tmp', medium: 'Memory' as const, sizeLimitMiB: 32 }, { path: '/var/cache/app', medium: 'Memory' as const }, { path: '/data', sizeLimitMiB: 256 }] } : {}),
    ...(pod.probe === 'https' ? { liveness: Probe.http('/live', { scheme: ProbeScheme.HTTPS, headers: { 'X-Probe': 'kubelet' }, ...timing }) } : {}),
  };
}
// ---- end of pod options ------------------------------------------------------------------------------------

/** A stateful service. */
export interface StatefulSpec {
  readonly name: string;
  readonly engine: 'mysql' | 'redis' | 'clickhouse';
  readonly mode: 'external' | 'in-cluster';
  readonly backup?: string;
  /** The environments of its project it runs in, when not all (placement). */
  readonly onlyIn?: string[];
}

/** A preview. */
export interface PreviewSpec {
  readonly branch: string;
  readonly baseline: string;
  /** A department of the tenant (`department:<name>`) or a user (`user:<name>`). */
  readonly owner: string;
  /** Keys of the services it overrides. */
  readonly services: string[];
  readonly dependencies: 'baseline' | 'clone';
  /** Its last day: far ahead, or past (then it is left out, with a warning). */
  readonly expires: string;
}

// ------------------------------------------------------------------------------------------------------------
// Raw choices
// ------------------------------------------------------------------------------------------------------------

const ENV_NAMES = ['development', 'test', 'staging', 'production'];
const TENANT_NAMES = ['payments', 'orders', 'search', 'media'];
const PROJECT_NAMES = ['api', 'web', 'core'];
const SERVICE_NAMES = ['gateway', 'auth', 'worker', 'billing'];
const STATEFUL_NAMES = ['db', 'cache'];
const DEPARTMENT_NAMES = ['backend', 'frontend', 'ops'];
const PORTS = [8080, 9090, 3000, 5000];
const CRONS = ['0 3 * * *', '*/30 * * * *', '15 1 * * 0'];

const rawResources = fc.record({ cpuRequestMillis: fc.integer({ min: 10, max: 500 }), cpuExtra: fc.integer({ min: 0, max: 1000 }), memoryRequestMiB: fc.integer({ min: 32, max: 512 }), memoryExtra: fc.integer({ min: 0, max: 512 }) });

const rawService = fc.record({
  ports: fc.subarray(PORTS, { minLength: 1, maxLength: 2 }),
  replicas: fc.option(fc.integer({ min: 2, max: 3 }), { nil: undefined }),
  resources: fc.option(rawResources, { nil: undefined }),
  exposed: fc.boolean(),
  config: fc.option(fc.dictionary(fc.constantFrom('LOG_LEVEL', 'REGION', 'FEATURE_X'), fc.constantFrom('info', 'debug', 'eu-1', 'on', ''), { noNullPrototype: true }), { nil: undefined }),
  autoscaling: fc.option(fc.integer({ min: 2, max: 5 }), { nil: undefined }),
  calls: fc.array(fc.nat(), { maxLength: 2 }),
  pipeline: fc.boolean(),
  readiness: fc.constantFrom(undefined, 'http' as const, 'tcp' as const),
  metrics: fc.boolean(),
  replicasIn: fc.option(fc.record({ env: fc.nat(), replicas: fc.integer({ min: 2, max: 4 }) }), { nil: undefined }),
  // --- workload kinds and network exposure ---
  // One service in five runs as another kind, one in four exposes ports to networks: Deployments stay the common case.
  kind: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('job' as const, 'cronJob' as const, 'daemonSet' as const) }),
  network: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('LoadBalancer' as const, 'NodePort' as const, 'ClusterIP' as const), cidrs: fc.subarray(['10.20.0.0/16', '100.64.0.0/10', '192.168.7.0/24', '2001:db8::/32'], { minLength: 1 }), udp: fc.boolean(), nodePort: fc.boolean() }) },
  ),
  // --- placement and external scaling ---
  drop: fc.option(fc.nat(), { nil: undefined }),
  externalIn: fc.option(fc.nat(), { nil: undefined }),
  addressFormat: fc.constantFrom(undefined, ...ADDRESS_FORMATS), // connections in the caller's format
  pod: fc.option(rawPod, { nil: undefined }),
});

/** The workload kind and network exposure of a generated service: what its kind does not have is left out. */
function withKindAndNetwork(base: ServiceSpec, raw: { kind?: 'job' | 'cronJob' | 'daemonSet'; network?: { type: 'LoadBalancer' | 'NodePort' | 'ClusterIP'; cidrs: string[]; udp: boolean; nodePort: boolean } }, nodePort: () => number | undefined): ServiceSpec {
  const kind = raw.kind;
  if (kind === 'job' || kind === 'cronJob') {
    const { ports: _p, replicas: _r, subdomain: _s, autoscaling: _a, readiness: _re, metrics: _m, replicasIn: _ri, externalIn: _ei, ...rest } = base;
    const pod = rest.pod ? (({ probe: _pr, ...p }) => p)(rest.pod) : undefined;
    return { ...rest, ...(pod ? { pod } : {}), ports: [], workload: kind };
  }
  const out: ServiceSpec = kind === 'daemonSet' ? (({ replicas: _r, autoscaling: _a, replicasIn: _ri, externalIn: _ei, ...rest }) => ({ ...rest, workload: kind }))(base) : base;
  const n = raw.network;
  if (!n) return out;
  const fixed = n.nodePort && n.type !== 'ClusterIP' ? nodePort() : undefined;
  return { ...out, network: { type: n.type, from: [...n.cidrs], udp: n.udp, ...(fixed !== undefined ? { nodePort: fixed } : {}) } };
}

const rawStateful = fc.record({ /* placement */ drop: fc.boolean(), engine: fc.constantFrom('mysql' as const, 'redis' as const, 'clickhouse' as const), inCluster: fc.boolean(), backup: fc.option(fc.constantFrom(...CRONS), { nil: undefined }) });

const rawProject = fc.record({ envMask: fc.integer({ min: 1, max: 15 }), quota: fc.boolean(), services: fc.array(rawService, { maxLength: 3 }), stateful: fc.array(rawStateful, { maxLength: 2 }), /* placement */ clusterPick: fc.option(fc.nat(), { nil: undefined }) });

const rawDepartment = fc.record({ members: fc.integer({ min: 0, max: 2 }), child: fc.boolean(), workspaceRole: fc.constantFrom(undefined, 'regular' as const, 'viewer' as const), projectRole: fc.constantFrom(undefined, 'operator' as const, 'viewer' as const), envMask: fc.integer({ min: 1, max: 15 }), /* placement */ roleIn: fc.constantFrom(undefined, 'production' as const, 'non-production' as const) });

const rawTenant = fc.record({
  alerts: fc.option(fc.record({ channels: fc.subarray([...ALERT_CHANNELS], { minLength: 1 }), envMask: fc.integer({ min: 0, max: 15 }), criticalFirst: fc.boolean(), store: fc.boolean() }), { nil: undefined }), // alert routing
  /* placement */ clusterQuota: fc.option(fc.nat(), { nil: undefined }),
  declared: fc.boolean(), quota: fc.boolean(), viewer: fc.boolean(), selfProvisioning: fc.boolean(), departments: fc.array(rawDepartment, { minLength: 1, maxLength: 3 }), projects: fc.array(rawProject, { minLength: 1, maxLength: 3 }) });

const rawEstate = fc.record({
  target: fc.constantFrom(Target.KUBESPHERE_V4_1, Target.KUBESPHERE_V3_4, Target.KUBERNETES),
  members: fc.integer({ min: 0, max: 2 }),
  environments: fc.array(fc.record({ production: fc.boolean(), cluster: fc.nat(), second: fc.option(fc.nat(), { nil: undefined }), tls: fc.boolean(), podDefaults: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  tenants: fc.array(rawTenant, { minLength: 1, maxLength: 3 }),
  previews: fc.array(fc.record({ pick: fc.nat(), clone: fc.boolean(), user: fc.boolean(), expired: fc.boolean() }), { maxLength: 2 }),
  ci: fc.constantFrom(undefined, CiSystem.KUBESPHERE_DEVOPS, CiSystem.GITLAB_CI),
});

type RawEstate = typeof rawEstate extends fc.Arbitrary<infer T> ? T : never;

// ------------------------------------------------------------------------------------------------------------
// Normalization: raw choices → a valid description
// ------------------------------------------------------------------------------------------------------------

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length];
}

function byMask<T>(list: readonly T[], mask: number): T[] {
  const out = list.filter((_, i) => (mask >> i) & 1);
  return out.length > 0 ? out : [list[0]];
}

/** Turns raw choices into a valid estate description. */
export function normalize(raw: RawEstate): EstateSpec {
  const members = Array.from({ length: raw.members }, (_, i) => `member-${i + 1}`);
  const clusters = ['host', ...members];
  const used = new Set<string>();
  const environments: EnvironmentSpec[] = raw.environments.map((e, i) => {
    const name = ENV_NAMES[i];
    const list = [pick(clusters, e.cluster)];
    if (e.second !== undefined && !list.includes(pick(clusters, e.second))) list.push(pick(clusters, e.second));
    // Environments sharing a cluster need namespaces of their own there.
    const shared = list.some((c) => used.has(c));
    list.forEach((c) => used.add(c));
    return { name, clusters: list, production: e.production, domain: `${name}.example.com`, tls: e.tls, ...(shared ? { namespaceSuffix: `-${name}` } : {}), ...(e.podDefaults ? { podDefaults: true } : {}) };
  });
  const envNames = environments.map((e) => e.name);
  // Self-provisioning: in a non-production environment whose clusters are members that no other environment uses.
  const selfProvisioned = environments.find(
    (e) => !e.production && e.clusters.every((c) => c !== 'host' && environments.every((o) => o === e || !o.clusters.includes(c))),
  );
  const services: { key: string; tenant: string; environments: string[]; spec: { calls: number[]; batch?: boolean } }[] = [];
  // Fixed node ports, one per exposure: only where no two of the project's environments share a cluster.
  let nextNodePort = 30000;
  const sharesCluster = (envs: string[]): boolean => {
    const cs = envs.flatMap((e) => environments.find((x) => x.name === e)?.clusters ?? []);
    return new Set(cs).size < cs.length;
  };
  const tenants: TenantSpec[] = raw.tenants.map((t, ti) => {
    const name = TENANT_NAMES[ti];
    const departments = t.departments.map((d, di): DepartmentSpec => {
      const dname = DEPARTMENT_NAMES[di];
      // The first department approves releases, so it has a member at least.
      const members = Array.from({ length: di === 0 ? Math.max(1, d.members) : d.members }, (_, m) => `${name}.${dname}${m}`);
      return {
        name: dname,
        members,
        children: d.child ? [{ name: `${dname}-oncall`, members: [`${name}.${dname}-oncall`], children: [] }] : [],
        ...(d.workspaceRole ? { workspaceRole: d.workspaceRole } : {}),
        ...(d.projectRole ? { projectRole: { role: d.projectRole, environments: byMask(envNames, d.envMask) } } : {}),
      };
    });
    const projects = t.projects.map((p, pi): ProjectSpec => {
      const pname = `${name}-${PROJECT_NAMES[pi]}`;
      const penvs = byMask(envNames, p.envMask);
      return {
        name: pname,
        environments: penvs,
        quota: p.quota,
        stateful: p.stateful.map((s, si) => ({ name: STATEFUL_NAMES[si], engine: s.engine, mode: s.inCluster ? 'in-cluster' : 'external', ...(s.inCluster && s.backup && s.engine !== 'clickhouse' ? { backup: s.backup } : {}) })),
        services: p.services.map((s, si): ServiceSpec => {
          // Unique in the tenant: a tenant's release pipelines are named after their services.
          const sname = `${PROJECT_NAMES[pi]}-${SERVICE_NAMES[si]}`;
          const key = `${name}/${pname}/${sname}`;
          services.push({ key, tenant: name, environments: penvs, spec: { calls: s.calls, batch: s.kind === 'job' || s.kind === 'cronJob' } });
          const r = s.resources;
          return withKindAndNetwork({
            name: sname,
            ports: [...s.ports],
            ...(s.replicas !== undefined ? { replicas: s.replicas } : {}),
            ...(r ? { resources: { cpuRequestMillis: r.cpuRequestMillis, cpuLimitMillis: r.cpuRequestMillis + r.cpuExtra, memoryRequestMiB: r.memoryRequestMiB, memoryLimitMiB: r.memoryRequestMiB + r.memoryExtra } } : {}),
            // Hosts unique per tenant: the subdomain names the service and its project.
            ...(s.exposed ? { subdomain: `${sname}-${name}` } : {}),
            ...(s.config ? { config: s.config } : {}),
            ...(s.autoscaling !== undefined ? { autoscaling: { minReplicas: 2, maxReplicas: s.autoscaling } } : {}),
            connectsTo: [],
            pipeline: raw.ci !== undefined && s.pipeline,
            ...(s.readiness ? { readiness: s.readiness } : {}),
            ...(s.metrics && s.ports.length > 1 ? { metrics: true } : {}),
            ...(s.replicasIn ? { replicasIn: { environment: pick(penvs, s.replicasIn.env), replicas: s.replicasIn.replicas } } : {}),
            ...(s.addressFormat ? { addressFormat: s.addressFormat } : {}), // connections in the caller's format
            ...(s.pod ? { pod: normalizePod(s.pod, penvs) } : {}),
          }, s, () => (sharesCluster(penvs) ? undefined : nextNodePort++));
        }),
      };
    });
    return {
      name,
      manager: `${name}.admin`,
      network: t.declared ? 'declared-paths-only' : 'open-within-tenant',
      departments,
      projects,
      ...(t.quota && raw.target !== Target.KUBERNETES ? { quota: true } : {}),
      ...(t.viewer ? { viewer: `${name}.auditor` } : {}),
      ...(t.selfProvisioning && selfProvisioned && raw.target !== Target.KUBERNETES ? { selfProvisioning: selfProvisioned.name } : {}),
      ...alertSpec(t.alerts, raw.target, projects), // alert routing
    };
  });
  // Connections: to services generated before the caller (no cycles), placed in every environment of the caller.
  const allServices = tenants.flatMap((t) => t.projects.flatMap((p) => p.services.map((s) => ({ t, p, s }))));
  const statefuls = tenants.flatMap((t) => t.projects.flatMap((p) => p.stateful.map((s) => ({ key: `${t.name}/${p.name}/${s.name}`, environments: p.environments }))));
  allServices.forEach(({ p, s }, i) => {
    const calls = services[i].spec.calls;
    const candidates = [
      ...services.slice(0, i).filter((x) => !x.spec.batch).map((x) => ({ key: x.key, environments: x.environments })),
      ...statefuls,
    ].filter((c) => p.environments.every((e) => c.environments.includes(e)));
    const targets = new Set<string>();
    for (const n of calls) if (candidates.length > 0) targets.add(pick(candidates, n).key);
    // Two targets of one name would give the same address variables; keep one per name.
    const names = new Set<string>();
    for (const key of [...targets].sort()) {
      const n = key.split('/')[2];
      if (names.has(n)) continue;
      names.add(n);
      s.connectsTo.push(key);
    }
  });
  // Previews: on a non-production environment, of one or two services of one tenant placed there.
  const previews: PreviewSpec[] = [];
  raw.previews.forEach((pv, i) => {
    // A preview runs on its baseline's first cluster, which must run no production environment.
    const productionClusters = new Set(environments.filter((e) => e.production).flatMap((e) => e.clusters));
    const baselines = environments.filter((e) => !e.production && !productionClusters.has(e.clusters[0]));
    if (baselines.length === 0) return;
    const baseline = pick(baselines, pv.pick);
    const candidates = allServices.filter(({ p }) => p.environments.includes(baseline.name));
    if (candidates.length === 0) return;
    const chosen = pick(candidates, pv.pick);
    const owner = pv.user ? `user:${chosen.t.manager}` : `department:${chosen.t.departments[0].name}`;
    previews.push({ branch: `feature/change-${i + 1}`, baseline: baseline.name, owner, services: [`${chosen.t.name}/${chosen.p.name}/${chosen.s.name}`], dependencies: pv.clone ? 'clone' : 'baseline', expires: pv.expired ? '2026-01-31' : '2099-12-31' });
  });
  // --- placement and external scaling ---
  placeFiner(raw, environments, tenants, previews);
  // --- end placement and external scaling ---
  // Plain Kubernetes has no KubeSphere DevOps: its pipelines are GitLab CI's.
  const ci = raw.ci === undefined ? undefined : raw.target === Target.KUBERNETES ? CiSystem.GITLAB_CI : raw.ci;
  return { target: raw.target, members, environments, tenants, previews, ...(ci ? { ci } : {}) };
}

// --- placement and external scaling ---

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Placement finer than a project's environments, and scaling owned elsewhere, kept valid: a service or stateful
 * service leaves out one non-production environment of its project only when nothing calls it and no preview runs
 * it; a project is placed on one cluster of a production environment spanning two only when no other project calls
 * into it; a workspace quota of its own on a cluster where the tenant has projects (KubeSphere targets); replicas
 * set elsewhere only where the service does not autoscale.
 */
function placeFiner(raw: RawEstate, environments: readonly EnvironmentSpec[], tenants: TenantSpec[], previews: readonly PreviewSpec[]): void {
  const called = new Set(tenants.flatMap((t) => t.projects.flatMap((p) => p.services.flatMap((s) => s.connectsTo))));
  const calledFromElsewhere = new Set(tenants.flatMap((t) => t.projects.flatMap((p) => p.services.flatMap((s) => s.connectsTo.filter((k) => !k.startsWith(`${t.name}/${p.name}/`))))));
  const previewed = new Set(previews.flatMap((p) => p.services));
  const production = new Set(environments.filter((e) => e.production).map((e) => e.name));
  tenants.forEach((t, ti) => {
    const rt = raw.tenants[ti];
    t.departments.forEach((d, di) => {
      const roleIn = rt.departments[di]?.roleIn;
      if (d.projectRole && roleIn) (d as Mutable<DepartmentSpec>).projectRoleIn = roleIn;
    });
    const clusters = new Set<string>();
    t.projects.forEach((p, pi) => {
      const rp = rt.projects[pi];
      const prefix = `${t.name}/${p.name}/`;
      const wide = environments.filter((e) => p.environments.includes(e.name) && e.production && e.clusters.length > 1);
      if (rp.clusterPick !== undefined && wide.length > 0 && ![...calledFromElsewhere].some((k) => k.startsWith(prefix))) {
        const env = pick(wide, rp.clusterPick);
        (p as Mutable<ProjectSpec>).clustersIn = { environment: env.name, cluster: pick(env.clusters, rp.clusterPick) };
      }
      for (const e of environments) {
        if (!p.environments.includes(e.name)) continue;
        for (const c of p.clustersIn?.environment === e.name ? [p.clustersIn.cluster] : e.clusters) clusters.add(c);
      }
      const droppable = p.environments.filter((e) => !production.has(e));
      p.services.forEach((sv, si) => {
        const rs = rp.services[si];
        const key = `${prefix}${sv.name}`;
        const m = sv as Mutable<ServiceSpec>;
        if (rs.drop !== undefined && p.environments.length > 1 && droppable.length > 0 && !called.has(key) && !previewed.has(key)) {
          const gone = pick(droppable, rs.drop);
          m.onlyIn = p.environments.filter((e) => e !== gone);
        }
        if (rs.externalIn !== undefined && !sv.autoscaling && sv.workload === undefined) m.externalIn = pick(m.onlyIn ?? p.environments, rs.externalIn);
      });
      p.stateful.forEach((st, si) => {
        const key = `${prefix}${st.name}`;
        if (rp.stateful[si].drop && droppable.length > 0 && p.environments.length > 1 && !called.has(key)) {
          (st as Mutable<StatefulSpec>).onlyIn = p.environments.filter((e) => e !== droppable[0]);
        }
      });
    });
    if (rt.clusterQuota !== undefined && raw.target !== Target.KUBERNETES && clusters.size > 0) (t as Mutable<TenantSpec>).clusterQuota = pick([...clusters].sort(), rt.clusterQuota);
  });
}
// --- end placement and external scaling ---
// --- alert routing ---
/** A tenant's alert routing, valid by construction: no DingTalk on plain Kubernetes, only environments the tenant's projects are in. */
function alertSpec(raw: { channels: AlertChannelKind[]; envMask: number; criticalFirst: boolean; store: boolean } | undefined, target: Target, projects: ProjectSpec[]): { alerts?: TenantSpec['alerts'] } {
  if (!raw) return {};
  const channels = raw.channels.filter((c) => target !== Target.KUBERNETES || c !== 'dingtalk');
  if (channels.length === 0) return {};
  const placed = [...new Set(projects.flatMap((p) => p.environments))];
  const chosen = raw.envMask === 0 ? undefined : placed.filter((_, i) => (raw.envMask >> i) & 1);
  return { alerts: { channels, ...(chosen && chosen.length > 0 ? { environments: chosen } : {}), criticalFirst: raw.criticalFirst, store: raw.store } };
}
// --- end alert routing ---

/** Random valid estates. */
export const validEstate: fc.Arbitrary<EstateSpec> = rawEstate.map(normalize);

// ------------------------------------------------------------------------------------------------------------
// Building
// ------------------------------------------------------------------------------------------------------------

/** The registry of generated images. */
export const REGISTRY = Registry.at('harbor.example.com');

/** A quota every generated project fits in, whatever its services. */
export const ROOMY_QUOTA = { cpuRequestMillis: 64000, cpuLimitMillis: 256000, memoryRequestMiB: 131072, memoryLimitMiB: 524288, pods: 500 };

/** A workspace quota every generated tenant fits in. */
export const WORKSPACE_QUOTA = { cpuRequestMillis: 640000, cpuLimitMillis: 2560000, memoryRequestMiB: 1310720, memoryLimitMiB: 5242880, pods: 5000 };

/** What was built, for the invalid changes to reach into. */
export interface BuiltEstate {
  readonly platform: Platform;
  readonly tenants: Map<string, Tenant>;
  readonly projects: Map<string, Project>;
  readonly services: Map<string, AppService>;
  readonly statefuls: Map<string, StatefulService>;
}

/**
 * Builds the Platform a description describes, through the public API.
 * @param spec the description
 * @param today the date previews are checked against
 */
export function buildEstate(spec: EstateSpec, today = '2026-11-22'): BuiltEstate {
  const platform = new Platform('acme', { target: spec.target, today });
  platform.addCluster('host', { role: ClusterRole.HOST, ingressClassName: 'nginx' });
  for (const m of spec.members) platform.addCluster(m, { role: ClusterRole.MEMBER });
  for (const e of spec.environments) {
    platform.addEnvironment(e.name, {
      clusters: e.clusters,
      production: e.production,
      domain: e.domain,
      ...(e.tls ? { tls: Tls.certManager(Issuer.cluster('letsencrypt')) } : {}),
      ...(e.namespaceSuffix ? { namespaceSuffix: e.namespaceSuffix } : {}),
      ...(e.podDefaults ? { podScheduling: { nodeSelector: { 'example.com/pool': e.name } }, podPriorityClassName: `${e.name}-default` } : {}),
    });
  }
  if (spec.ci) platform.configureDelivery({ estate: { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate') }, ci: [spec.ci] });
  const tenants = new Map<string, Tenant>();
  const projects = new Map<string, Project>();
  const services = new Map<string, AppService>();
  const statefuls = new Map<string, StatefulService>();
  const departments = new Map<string, Department>();
  for (const t of spec.tenants) {
    const tenant = platform.addTenant(t.name, {
      manager: t.manager,
      network: t.network === 'declared-paths-only' ? TenantNetwork.DECLARED_PATHS_ONLY : TenantNetwork.OPEN_WITHIN_TENANT,
      ...(t.quota ? { quota: WORKSPACE_QUOTA } : {}),
      ...(t.clusterQuota ? { clusterQuotas: { [t.clusterQuota]: { pods: WORKSPACE_QUOTA.pods + 1 } } } : {}), // placement
    });
    tenants.set(t.name, tenant);
    if (t.viewer) tenant.grant(User.named(t.viewer), WorkspaceRole.VIEWER);
    const firstDepartment = (): Department => departments.get(`${t.name}/${t.departments[0].name}`) as Department;
    for (const d of t.departments) {
      const department = tenant.addDepartment(d.name, { members: d.members });
      departments.set(`${t.name}/${d.name}`, department);
      for (const c of d.children) department.addDepartment(c.name, { members: c.members });
      if (d.workspaceRole) tenant.grant(department, d.workspaceRole === 'regular' ? WorkspaceRole.REGULAR : WorkspaceRole.VIEWER);
      const roleIn = d.projectRoleIn === undefined ? undefined : d.projectRoleIn === 'production' ? EnvironmentSelector.PRODUCTION : EnvironmentSelector.NON_PRODUCTION; // placement
      if (d.projectRole) tenant.grantInProjects(department, d.projectRole.role === 'operator' ? ProjectRole.OPERATOR : ProjectRole.VIEWER, { environments: roleIn ? [roleIn] : d.projectRole.environments });
    }
    if (t.selfProvisioning) tenant.allowSelfProvisioning(firstDepartment(), [t.selfProvisioning]);
    if (t.alerts) routeGeneratedAlerts(tenant, t.alerts); // alert routing
    for (const p of t.projects) {
      // The quota given for the whole project or per environment; roomy either way.
      const project = tenant.addProject(p.name, { environments: p.environments, ...(p.quota ? { quota: ROOMY_QUOTA } : {}), ...(p.clustersIn ? { clustersIn: { [p.clustersIn.environment]: [p.clustersIn.cluster] } } : {}) });
      if (!p.quota) for (const e of p.environments) project.quotaIn(e, ROOMY_QUOTA);
      projects.set(`${t.name}/${p.name}`, project);
      for (const s of p.stateful) {
        const engine = s.engine === 'mysql' ? Engine.mysql() : s.engine === 'redis' ? Engine.redis() : Engine.clickhouse();
        const stateful = project.addStatefulService(s.name, {
          engine,
          mode: s.mode === 'external' ? StatefulMode.EXTERNAL : StatefulMode.IN_CLUSTER,
          external: { addresses: ['10.0.8.21', '10.0.8.22'] },
          inCluster: {
            image: REGISTRY.image(`library/${s.engine}`, '8.0.36'),
            storage: '10Gi',
            credentials: ExistingSecret.named(`${s.name}-credentials`).key('password'),
            ...(s.backup ? { backup: { schedule: s.backup, target: BackupTarget.volume(`${s.name}-backups`) } } : {}),
            // Pod options: the engine's probes and user, overridden on backed-up engines.
            ...(s.backup ? { readiness: Probe.tcp({ period: Duration.seconds(5), successThreshold: 2 }), startup: Probe.tcp({ failureThreshold: 30 }), runAsUser: 1001 } : {}),
          },
          ...(s.onlyIn ? { environments: s.onlyIn } : {}), // placement
        });
        statefuls.set(`${t.name}/${p.name}/${s.name}`, stateful);
      }
      for (const s of p.services) {
        const service = project.addService(s.name, {
          image: REGISTRY.image(`${t.name}/${s.name}`, '1.0.0'),
          ports: s.ports.map((port, i) => (i === 0 ? { port } : { port, name: `tcp-${port}` })),
          ...(s.replicas !== undefined ? { replicas: s.replicas } : {}),
          ...(s.resources ? { resources: s.resources } : {}),
          ...(s.config ? { config: { values: s.config } } : {}),
          ...(s.autoscaling ? { autoscaling: { ...s.autoscaling, cpuUtilization: 70 } } : {}),
          ...(s.readiness ? { readiness: s.readiness === 'http' ? Probe.http('/ready') : Probe.tcp() } : {}),
          ...(s.metrics ? { metrics: { port: `tcp-${s.ports[1]}`, path: '/metrics' }, alerts: true as const } : {}),
          ...podProps(s.name, s.ports, s.pod, s.resources),
          ...(s.replicasIn ? { perEnvironment: { [s.replicasIn.environment]: { replicas: s.replicasIn.replicas } } } : {}),
          // --- workload kinds and network exposure ---
          ...(s.workload ? { workload: s.workload === 'job' ? Workload.job() : s.workload === 'cronJob' ? Workload.cronJob({ schedule: '0 3 * * *', timeZone: 'Europe/Berlin' }) : Workload.daemonSet() } : {}),
          ...(s.onlyIn ? { environments: s.onlyIn } : {}), // placement
          ...versionsOf(s, spec.previews.length > 0), // versions side by side
        });
        if (s.externalIn) service.inEnvironment(s.externalIn, { replicas: Replicas.external({ min: 2, max: 3 }) }); // external scaling
        if (s.pod?.schedulingOffIn) service.inEnvironment(s.pod.schedulingOffIn, { scheduling: false });
        if (s.network) {
          const n = s.network;
          if (n.udp) service.addPort({ port: 5683, name: 'coap', protocol: Protocol.UDP });
          service.exposeNetwork({ type: n.type as ServiceType, from: n.from, ports: [{ port: service.ports[0].name, nodePort: n.nodePort }, ...(n.udp ? ['coap'] : [])] });
        }
        if (s.subdomain) service.expose({ subdomain: s.subdomain });
        services.set(`${t.name}/${p.name}/${s.name}`, service);
      }
    }
  }
  for (const t of spec.tenants) {
    for (const p of t.projects) {
      for (const s of p.services) {
        const service = services.get(`${t.name}/${p.name}/${s.name}`) as AppService;
        for (const key of s.connectsTo) {
          const target = services.get(key) ?? statefuls.get(key);
          if (!target) throw new Error(`the generated estate names ${key}, which it does not hold`);
          const owner = key.split('/')[0];
          if (owner !== t.name) target.acceptFrom(tenants.get(t.name) as Tenant);
          service.connectsTo(target, addressOptions(s.addressFormat, target.name)); // connections in the caller's format
        }
        if (s.pipeline) {
          const production = p.environments.some((e) => spec.environments.find((x) => x.name === e)?.production);
          service.addPipeline({
            source: { repository: `https://gitlab.example.com/${t.name}/${s.name}.git`, credential: Credential.basicAuth('gitlab') },
            build: { image: REGISTRY.image('ci/node', '20.11.1'), commands: ['npm ci', 'npm run build'] },
            registryCredential: Credential.basicAuth('harbor-robot'),
            ...(production ? { approval: { approvers: departments.get(`${t.name}/${t.departments[0].name}`) as Department } } : {}),
          });
        }
      }
    }
  }
  for (const pv of spec.previews) {
    const tenant = tenants.get(pv.services[0].split('/')[0]) as Tenant;
    const [kind, name] = pv.owner.split(':');
    const owner = kind === 'user' ? User.named(name) : (departments.get(`${tenant.name}/${name}`) as Department);
    platform.addPreview(pv.branch, {
      baseline: pv.baseline,
      owner,
      expires: pv.expires,
      services: Object.fromEntries(pv.services.map((k) => [k, { tag: '2.0.0' }])),
      dependencies: pv.dependencies === 'clone' ? PreviewDependencies.CLONE : PreviewDependencies.BASELINE,
    });
  }
  return { platform, tenants, projects, services, statefuls };
}

// --- versions side by side (constructs/versions.ts) --------------------------------------------------------------
/**
 * Versions for a generated service, derived from its other fields (the random stream is unchanged): a Deployment at
 * 3 replicas, without autoscaling or a pipeline, in an estate without previews, runs as v1 and v2 (v2 with its own
 * image tag and a variable).
 */
function versionsOf(s: ServiceSpec, hasPreviews: boolean): { versions?: Record<string, { image?: ReturnType<typeof REGISTRY.image>; env?: Record<string, string> }> } {
  if (hasPreviews || s.workload || s.autoscaling || s.pipeline || s.replicas !== 3) return {};
  return { versions: { v1: {}, v2: { image: REGISTRY.image(`versions/${s.name}`, '2.0.0'), env: { CANARY: 'true' } } } };
}
// --- end of versions side by side ----------------------------------------------------------------------------------
