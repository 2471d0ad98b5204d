/**
 * Case A of CASES.md as code: the cloud operations centre of a connected-vehicle platform. A team of six (one
 * architect, four developers, one DevOps engineer) runs 60+ front-end and back-end modules in containers on two
 * private-cloud KubeSphere 4.1 clusters, test and production, that are kept identical; MySQL, Redis and ClickHouse
 * run on VMs outside the clusters.
 *
 *   CDK8S_OUTDIR=/tmp/connected-vehicle npx tsx examples/connected-vehicle/main.ts   # one folder per cluster
 *
 * How to read it: the estate is generated from the tables below (plain data), in the order a platform engineer
 * thinks about it —
 *   1. CLUSTER_PLAN, ENVIRONMENTS  one plan that both clusters are built from, and what differs per environment;
 *   2. TEAM                        the tenant, its two departments and what each may do where;
 *   3. PROJECTS                    the namespaces and their quotas;
 *   4. DATABASES                   MySQL, Redis, ClickHouse: on VMs today, in the cluster with one switch each;
 *   5. MODULES                     every module, one line each: name, project, ports, size, version, databases;
 *   6. PUBLIC_DOMAIN               the public domain's cut-over from the old physical production (pending);
 *   7. DELIVERY, STACKS            the estate repository, KubeSphere DevOps and GitOps, the release department,
 *                                  and how each kind of module is built and tested: one release pipeline per module.
 * Adding a module is one line in MODULES (its release pipeline comes with it); nothing below the tables needs to change.
 */
import { ApiObject, Cron, JsonPatch, Size as Bytes } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AppService,
  BackupTarget,
  CiSystem,
  ClusterRole,
  ConcurrencyPolicy,
  ContainerRuntime,
  Credential,
  Department,
  DeployMethod,
  Duration,
  Engine,
  ExternalOptions,
  Feature,
  GitOpsTool,
  Image,
  InClusterOptions,
  Issuer,
  LoadBalancerKind,
  LogFormat,
  NetworkPlugin,
  NodePlan,
  NodeRole,
  Platform,
  Probe,
  Project,
  ProjectQuota,
  ProjectRole,
  Registry,
  Resources,
  SecretRef,
  ServiceType,
  SecretStore,
  StatefulMode,
  StatefulService,
  synthesizeApp,
  Tls,
  Workload,
  WorkspaceRole,
} from 'platform-cdk';

/** The two environments: every module is released to test first, then to production. */
type EnvName = 'test' | 'production';

// ---------------------------------------------------------------------------------------------------------
// 1. Clusters and environments. "Two environments, test and production, on separate private-cloud clusters
//    that are kept identical", each installed with KubeKey on six VMware VMs. Both clusters' node plans are built
//    by one function (nodePlan) from the one CLUSTER_PLAN below, so they cannot drift apart in the model: only
//    the subnet differs. Synthesis writes each cluster's KubeKey file and KubeSphere's installation to
//    dist/_install/<cluster>/ (docs/install.md). Production runs on the host cluster (which also runs KubeSphere's
//    multi-cluster control plane), test on a member managed from it.
// ---------------------------------------------------------------------------------------------------------

/** The plan of every cluster: "the same for test and production", six nodes. */
const CLUSTER_PLAN = {
  /** Control plane: kube-apiserver, scheduler, controller-manager, etcd. */
  masters: ['kp-master01', 'kp-master02'],
  /** Workers: kubelet, kube-proxy, container runtime (32 vCPU, 128 GiB each). */
  workers: ['kp-node01', 'kp-node02', 'kp-node03', 'kp-node05'],
  /** The ingress class of the cluster's gateway. */
  ingressClassName: 'nginx',
  /** The storage class KubeKey installs (OpenEBS local volumes), for databases once they run in the cluster. */
  storageClassName: 'local',
  /** The last byte of each node's address in its environment's subnet (masters, then workers). */
  hostNumbers: { 'kp-master01': 11, 'kp-master02': 12, 'kp-node01': 21, 'kp-node02': 22, 'kp-node03': 23, 'kp-node05': 25 },
  /** The Kubernetes release KubeKey installs, and its container runtime and network. */
  kubernetesVersion: 'v1.27.16',
  containerRuntime: ContainerRuntime.CONTAINERD,
  networkPlugin: NetworkPlugin.CALICO,
  /** `kk` logs in as this user with the DevOps engineer's deploy key (a path on the release server, never the key). */
  sshUser: 'kubekey',
  privateKeyPath: '~/.ssh/kubekey_ed25519',
} as const;

/**
 * The node plan of a cluster: the same six nodes in every environment, on the environment's subnet. Both masters run
 * etcd too, as in the team's plan — two etcd members tolerate no failure, which synthesis reports as a warning
 * (a third etcd member, e.g. on kp-node01, would tolerate one).
 */
function nodePlan(subnet: string): NodePlan {
  const address = (name: keyof typeof CLUSTER_PLAN.hostNumbers): string => `${subnet}.${CLUSTER_PLAN.hostNumbers[name]}`;
  return {
    nodes: [
      ...CLUSTER_PLAN.masters.map((name) => ({ name, address: address(name), roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD] })),
      ...CLUSTER_PLAN.workers.map((name) => ({ name, address: address(name), roles: [NodeRole.WORKER] })),
    ],
    // Two API servers behind KubeKey's haproxy on every node, reached at the cluster's own domain.
    controlPlaneEndpoint: { domain: 'lb.kubesphere.local', loadBalancer: LoadBalancerKind.HAPROXY },
    kubernetesVersion: CLUSTER_PLAN.kubernetesVersion,
    containerRuntime: CLUSTER_PLAN.containerRuntime,
    networkPlugin: CLUSTER_PLAN.networkPlugin,
    sshUser: CLUSTER_PLAN.sshUser,
    privateKeyPath: CLUSTER_PLAN.privateKeyPath,
    // The nodes pull the modules' images from Harbor; its robot account comes from the installing job's variables.
    registry: { auths: [{ registry: 'harbor.cv.example.com', usernameEnv: 'HARBOR_USERNAME', passwordEnv: 'HARBOR_PASSWORD' }] },
  };
}

interface EnvironmentSpec {
  readonly name: EnvName;
  /** The cluster that serves the environment (one per environment). */
  readonly cluster: string;
  /** The /24 network of the cluster's nodes (the first three bytes). */
  readonly subnet: string;
  readonly role: ClusterRole;
  /** Front-ends are exposed at `<subdomain>.<domain>`. */
  readonly domain: string;
  readonly production: boolean;
  /** The certificate of exposed hosts: from cert-manager in production; test is reached over the office network. */
  readonly tls?: Tls;
}

const ENVIRONMENTS: readonly EnvironmentSpec[] = [
  { name: 'test', cluster: 'kp-test', subnet: '192.168.10', role: ClusterRole.MEMBER, domain: 'test.cv.example.com', production: false },
  {
    name: 'production',
    cluster: 'kp-prod',
    subnet: '192.168.20',
    role: ClusterRole.HOST,
    domain: 'cv.example.com',
    production: true,
    tls: Tls.certManager(Issuer.cluster('letsencrypt-prod')),
  },
];

// ---------------------------------------------------------------------------------------------------------
// 2. The team. One tenant (KubeSphere workspace) for the whole platform; the architect manages it. Developers
//    release and debug in test and watch production; the DevOps engineer runs both.
// ---------------------------------------------------------------------------------------------------------

const TEAM = {
  tenant: 'connected-vehicle',
  displayName: 'Connected-vehicle cloud',
  description: 'Cloud operations centre of the connected-vehicle platform: vehicle access, business and analytics modules',
  /** The architect: the workspace's admin. */
  manager: 'chen.jie',
  departments: [
    {
      name: 'developers',
      displayName: 'Developers',
      members: ['li.wei', 'wang.fang', 'zhang.min', 'liu.yang'],
      workspace: WorkspaceRole.REGULAR,
      projects: { test: ProjectRole.OPERATOR, production: ProjectRole.VIEWER },
    },
    {
      name: 'devops',
      displayName: 'DevOps',
      members: ['zhao.lei'],
      workspace: WorkspaceRole.REGULAR,
      projects: { test: ProjectRole.ADMIN, production: ProjectRole.ADMIN },
    },
  ],
} as const;

/** Every secret is read from this external-secrets.io ClusterSecretStore (Vault), never written in the code. */
const vault = SecretStore.cluster('vault');

/** Images are built by the release pipelines into Harbor: `harbor.cv.example.com/connected-vehicle/<module>`. */
const harbor = Registry.at('harbor.cv.example.com');

// ---------------------------------------------------------------------------------------------------------
// 3. Projects: one namespace per layer, on both clusters. Quotas leave room for a rolling update of every
//    module at its largest scale (the library checks that they fit), and cv-data's for the databases once
//    they run in the cluster.
// ---------------------------------------------------------------------------------------------------------

type ProjectName = 'cv-portal' | 'cv-access' | 'cv-business' | 'cv-analytics' | 'cv-data';

interface ProjectSpec {
  readonly name: ProjectName;
  readonly displayName: string;
  readonly description: string;
  readonly quota: Record<EnvName, ProjectQuota>;
}

const PROJECTS: readonly ProjectSpec[] = [
  {
    name: 'cv-portal', displayName: 'Portals', description: 'Front-ends: web portals, consoles and H5 pages, exposed at the domain',
    quota: {
      test: { cpuRequestMillis: 1500, cpuLimitMillis: 6000, memoryRequestMiB: 2048, memoryLimitMiB: 4096, pods: 30 },
      production: { cpuRequestMillis: 3000, cpuLimitMillis: 12000, memoryRequestMiB: 4096, memoryLimitMiB: 8192, pods: 50 },
    },
  },
  {
    name: 'cv-access', displayName: 'Vehicle access', description: 'TBox connections, telemetry intake, remote control and OTA updates',
    quota: {
      test: { cpuRequestMillis: 8000, cpuLimitMillis: 32000, memoryRequestMiB: 32768, memoryLimitMiB: 49152, pods: 40 },
      production: { cpuRequestMillis: 32000, cpuLimitMillis: 128000, memoryRequestMiB: 131072, memoryLimitMiB: 196608, pods: 100 },
    },
  },
  {
    name: 'cv-business', displayName: 'Business services', description: 'Users, vehicles, trips, fleets, orders, payments and notifications',
    quota: {
      test: { cpuRequestMillis: 12000, cpuLimitMillis: 48000, memoryRequestMiB: 49152, memoryLimitMiB: 65536, pods: 64 },
      production: { cpuRequestMillis: 24000, cpuLimitMillis: 96000, memoryRequestMiB: 98304, memoryLimitMiB: 147456, pods: 110 },
    },
  },
  {
    name: 'cv-analytics', displayName: 'Analytics', description: 'History queries, statistics and reports over ClickHouse',
    quota: {
      test: { cpuRequestMillis: 4000, cpuLimitMillis: 20000, memoryRequestMiB: 20480, memoryLimitMiB: 28672, pods: 24 },
      production: { cpuRequestMillis: 6000, cpuLimitMillis: 24000, memoryRequestMiB: 24576, memoryLimitMiB: 36864, pods: 36 },
    },
  },
  {
    // Room for the three databases and their backup jobs once they run in the cluster (idle while they are on VMs).
    name: 'cv-data', displayName: 'Databases', description: 'MySQL, Redis and ClickHouse: on VMs today, in the cluster tomorrow',
    quota: {
      test: { cpuRequestMillis: 10000, cpuLimitMillis: 32000, memoryRequestMiB: 45056, memoryLimitMiB: 65536, pods: 10 },
      production: { cpuRequestMillis: 10000, cpuLimitMillis: 32000, memoryRequestMiB: 45056, memoryLimitMiB: 65536, pods: 10 },
    },
  },
];

/**
 * The workspace quota: what all of the tenant's namespaces on one cluster may use together. The four workers have
 * 128 vCPU and 512 GiB; three quarters of the CPU and memory are the tenant's, the rest is KubeSphere's own.
 */
const WORKSPACE_QUOTA: ProjectQuota = { cpuRequestMillis: 96000, cpuLimitMillis: 384000, memoryRequestMiB: 393216, memoryLimitMiB: 524288, pods: 400 };

// ---------------------------------------------------------------------------------------------------------
// 4. Databases. "MySQL (business data), Redis, ClickHouse (OLAP history) run on VMs outside the cluster … Future
//    plan: containerize the stateful services too." Each database is given both ways: its VMs per environment
//    (by IP address), and how it would run in the cluster. `mode` is the switch (`modeIn` flips it in one
//    environment only); modules reach the database at the same address (`<name>.cv-data.svc.cluster.local`)
//    either way, so flipping it changes none of their objects.
// ---------------------------------------------------------------------------------------------------------

type DbName = 'mysql' | 'redis' | 'clickhouse';

interface DatabaseSpec {
  readonly engine: Engine;
  /** The switch: StatefulMode.EXTERNAL (the VMs) or StatefulMode.IN_CLUSTER (a StatefulSet). */
  readonly mode: StatefulMode;
  /** The switch in one environment only, e.g. `{ test: StatefulMode.IN_CLUSTER }` to move it in test first. */
  readonly modeIn?: Partial<Record<EnvName, StatefulMode>>;
  /** The VMs, per environment. */
  readonly vms: Record<EnvName, ExternalOptions>;
  /** How it runs once it is in the cluster. */
  readonly inCluster: InClusterOptions;
}

const DATABASES: Record<DbName, DatabaseSpec> = {
  mysql: {
    engine: Engine.mysql(),
    mode: StatefulMode.EXTERNAL, // ← StatefulMode.IN_CLUSTER runs it in the cluster
    // The primary's virtual IP (keepalived), which moves to the replica on fail-over.
    vms: { test: { addresses: ['10.10.30.10'] }, production: { addresses: ['10.20.30.10'] } },
    inCluster: {
      image: harbor.image('library/mysql', '8.0.36'),
      storage: '500Gi',
      resources: { cpuRequestMillis: 2000, cpuLimitMillis: 4000, memoryRequestMiB: 8192, memoryLimitMiB: 8192 },
      credentials: vault.key('connected-vehicle/mysql/root', { property: 'password' }),
      backup: { schedule: '0 2 * * *', timeZone: 'Asia/Shanghai', target: BackupTarget.volume('db-backups') },
    },
  },
  redis: {
    engine: Engine.redis(),
    mode: StatefulMode.EXTERNAL, // ← StatefulMode.IN_CLUSTER runs it in the cluster
    vms: { test: { addresses: ['10.10.30.20'] }, production: { addresses: ['10.20.30.20'] } },
    inCluster: {
      image: harbor.image('library/redis', '7.2.4'),
      storage: '20Gi',
      resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 4096, memoryLimitMiB: 4096 },
      credentials: vault.key('connected-vehicle/redis', { property: 'password' }),
      backup: { schedule: '30 2 * * *', timeZone: 'Asia/Shanghai', target: BackupTarget.volume('db-backups') },
    },
  },
  clickhouse: {
    engine: Engine.clickhouse(),
    mode: StatefulMode.EXTERNAL, // ← StatefulMode.IN_CLUSTER runs it in the cluster
    // Three shards; any node takes queries and inserts.
    vms: { test: { addresses: ['10.10.30.31'] }, production: { addresses: ['10.20.30.31', '10.20.30.32', '10.20.30.33'] } },
    inCluster: {
      image: harbor.image('clickhouse/clickhouse-server', '24.3.2'),
      storage: '1Ti',
      resources: { cpuRequestMillis: 2000, cpuLimitMillis: 8000, memoryRequestMiB: 8192, memoryLimitMiB: 16384 },
      credentials: vault.key('connected-vehicle/clickhouse/default', { property: 'password' }),
      // ClickHouse has no default backup command: dump every table of the history database over the HTTP
      // interface (the port the backup job may reach), one gzipped Native file per table.
      backup: {
        schedule: '0 3 * * 0',
        timeZone: 'Asia/Shanghai',
        target: BackupTarget.volume('db-backups'),
        command: [
          'sh',
          '-c',
          'set -e; ts=$(date +%Y%m%dT%H%M%S); q() { wget -qO- --header "X-ClickHouse-Key: $DB_PASSWORD" --post-data "$1" "http://$DB_HOST:$DB_PORT/"; }; '
            + 'for t in $(q "SHOW TABLES FROM history"); do q "SELECT * FROM history.$t FORMAT Native" | gzip > "/backup/history.$t-$ts.native.gz"; done',
        ],
      },
    },
  },
};

/** What a module that uses a database gets besides its address: the account, read from Vault. */
function databaseAccess(db: DbName, module: string): { values: Record<string, string>; secrets: Record<string, SecretRef> } {
  const account = module.replace(/-/g, '_');
  switch (db) {
    case 'mysql':
      return {
        values: { MYSQL_DATABASE: `cv_${account}`, MYSQL_USERNAME: account },
        secrets: { MYSQL_PASSWORD: vault.key(`connected-vehicle/mysql/${module}`, { property: 'password' }) },
      };
    case 'redis':
      return { values: {}, secrets: { REDIS_PASSWORD: vault.key('connected-vehicle/redis', { property: 'password' }) } };
    case 'clickhouse':
      return {
        values: { CLICKHOUSE_DATABASE: 'history', CLICKHOUSE_USERNAME: account },
        secrets: { CLICKHOUSE_PASSWORD: vault.key(`connected-vehicle/clickhouse/${module}`, { property: 'password' }) },
      };
  }
}

// ---------------------------------------------------------------------------------------------------------
// 5. Modules. "Stateless services (front-end modules, back-end modules: 60+) run in containers." One line each:
//    front-ends are nginx serving a single-page app on 8080 and proxying /api to api-gateway, exposed at
//    `<subdomain>.<environment domain>`; back-ends are Spring Boot services on 8080, reached only inside the
//    cluster, some with an actuator management port (health probes, Prometheus metrics, alerts). `uses` names
//    the databases a back-end connects to, `calls` the modules it calls. Sizes are per container; test runs one
//    replica of each, production `replicas` (default 2) or an autoscaler between `autoscale` [min, max].
// ---------------------------------------------------------------------------------------------------------

type Size = 'XS' | 'S' | 'M' | 'L';

/** Container sizes: XS for nginx front-ends, S to L for JVMs (the heap is 75% of the memory limit). */
const SIZES: Record<Size, Resources> = {
  XS: { cpuRequestMillis: 50, cpuLimitMillis: 200, memoryRequestMiB: 64, memoryLimitMiB: 128 },
  S: { cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 512, memoryLimitMiB: 768 },
  M: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 1024, memoryLimitMiB: 1536 },
  L: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 2048, memoryLimitMiB: 3072 },
};

type AppProject = Exclude<ProjectName, 'cv-data'>;

interface ModuleSpec {
  readonly name: string;
  readonly project: AppProject;
  readonly kind: 'frontend' | 'backend';
  /** The port it serves on. */
  readonly port: number;
  /** The actuator management port: health probes and Prometheus metrics (`/actuator/prometheus`), with alerts. */
  readonly metrics?: number;
  readonly size: Size;
  /** The version running in production (and in test, unless `testTag`). */
  readonly tag: string;
  /** The release candidate being tested, where test runs ahead of production. */
  readonly testTag?: string;
  /** Replicas in production (default 2). */
  readonly replicas?: number;
  /** Autoscaling in production: [min, max] replicas at 70% CPU. */
  readonly autoscale?: readonly [number, number];
  /** Databases it connects to. */
  readonly uses?: readonly DbName[];
  /** Modules it calls. */
  readonly calls?: readonly string[];
  /** Third-party credentials, read from Vault. */
  readonly secrets?: Record<string, SecretRef>;
  /** Front-ends: the first label of the host. */
  readonly subdomain?: string;
  /** Why the module runs one replica in production, too. */
  readonly singleton?: string;
}

const MODULES: readonly ModuleSpec[] = [
  // cv-portal: front-ends, exposed.
  { name: 'fleet-portal', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '3.8.2', replicas: 3, subdomain: 'fleet' },
  { name: 'owner-web', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '2.14.0', subdomain: 'my' },
  { name: 'owner-h5', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '2.14.0', replicas: 3, subdomain: 'm' },
  { name: 'dealer-portal', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '1.9.3', subdomain: 'dealer' },
  { name: 'ops-console', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '4.2.1', subdomain: 'ops' },
  { name: 'monitor-screen', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '1.6.0', subdomain: 'screen' },
  { name: 'admin-console', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '4.2.1', subdomain: 'admin' },
  { name: 'ota-console', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '2.3.0', testTag: '2.4.0-rc.1', subdomain: 'ota' },
  { name: 'service-desk', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '1.11.2', subdomain: 'desk' },
  { name: 'insight-web', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '1.4.5', subdomain: 'insight' },
  { name: 'developer-portal', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '1.2.0', subdomain: 'developer' },
  { name: 'charging-web', project: 'cv-portal', kind: 'frontend', port: 8080, size: 'XS', tag: '0.9.4', subdomain: 'charging' },

  // cv-access: vehicle access.
  { name: 'vehicle-gateway', project: 'cv-access', kind: 'backend', port: 8080, metrics: 8081, size: 'L', tag: '5.4.1', autoscale: [4, 12], uses: ['redis'] },
  { name: 'tbox-auth', project: 'cv-access', kind: 'backend', port: 8080, metrics: 8081, size: 'S', tag: '2.7.0', uses: ['mysql', 'redis'] },
  { name: 'telemetry-ingest', project: 'cv-access', kind: 'backend', port: 8080, metrics: 8081, size: 'L', tag: '6.1.3', autoscale: [4, 16], uses: ['redis', 'clickhouse'] },
  { name: 'telemetry-parser', project: 'cv-access', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '6.1.3', replicas: 4, uses: ['clickhouse'] },
  { name: 'can-decoder', project: 'cv-access', kind: 'backend', port: 8080, size: 'S', tag: '3.2.0', uses: ['mysql'] },
  { name: 'vehicle-status', project: 'cv-access', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '4.0.2', replicas: 3, uses: ['mysql', 'redis'] },
  { name: 'location-service', project: 'cv-access', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '3.5.1', replicas: 3, uses: ['redis', 'clickhouse'] },
  { name: 'remote-control', project: 'cv-access', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '4.6.0', testTag: '4.7.0-rc.2', uses: ['mysql', 'redis'], calls: ['vehicle-gateway'] },
  { name: 'command-dispatcher', project: 'cv-access', kind: 'backend', port: 8080, size: 'S', tag: '4.6.0', uses: ['redis'], calls: ['vehicle-gateway'] },
  { name: 'ota-update', project: 'cv-access', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '3.3.4', uses: ['mysql', 'redis'], calls: ['vehicle-gateway'] },
  { name: 'ota-campaign', project: 'cv-access', kind: 'backend', port: 8080, size: 'S', tag: '3.3.4', uses: ['mysql'], calls: ['ota-update'] },
  { name: 'ota-package', project: 'cv-access', kind: 'backend', port: 8080, size: 'S', tag: '3.3.4', uses: ['mysql'] },
  { name: 'diagnostic-service', project: 'cv-access', kind: 'backend', port: 8080, size: 'M', tag: '2.8.1', uses: ['mysql', 'clickhouse'] },
  { name: 'alarm-engine', project: 'cv-access', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '2.5.0', replicas: 3, uses: ['mysql', 'redis'], calls: ['notification-service'] },
  { name: 'geofence', project: 'cv-access', kind: 'backend', port: 8080, size: 'S', tag: '1.9.0', uses: ['mysql', 'redis'] },

  // cv-business: business services.
  {
    name: 'api-gateway', project: 'cv-business', kind: 'backend', port: 8080, metrics: 8081, size: 'L', tag: '7.2.0', autoscale: [3, 10], uses: ['redis'],
    calls: ['auth-center', 'user-center', 'vehicle-registry', 'vehicle-status', 'remote-control', 'ota-campaign', 'trip-service', 'fleet-management', 'order-service', 'history-query', 'report-service', 'dashboard-api'],
  },
  { name: 'auth-center', project: 'cv-business', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '3.1.4', replicas: 3, uses: ['mysql', 'redis'] },
  { name: 'user-center', project: 'cv-business', kind: 'backend', port: 8080, size: 'M', tag: '3.6.0', uses: ['mysql', 'redis'] },
  { name: 'vehicle-registry', project: 'cv-business', kind: 'backend', port: 8080, size: 'M', tag: '4.2.2', uses: ['mysql', 'redis'] },
  { name: 'device-registry', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '2.4.1', uses: ['mysql'] },
  { name: 'sim-management', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '1.7.3', uses: ['mysql'], secrets: { CARRIER_API_KEY: vault.key('connected-vehicle/carrier', { property: 'api-key' }) } },
  { name: 'trip-service', project: 'cv-business', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '5.0.1', testTag: '5.1.0-rc.1', uses: ['mysql', 'clickhouse'] },
  { name: 'driving-score', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '2.2.0', uses: ['mysql', 'clickhouse'] },
  { name: 'fleet-management', project: 'cv-business', kind: 'backend', port: 8080, size: 'M', tag: '3.9.0', uses: ['mysql', 'redis'] },
  { name: 'driver-management', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '2.1.6', uses: ['mysql'] },
  { name: 'dispatch-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '1.8.2', uses: ['mysql', 'redis'] },
  { name: 'maintenance-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '2.0.4', uses: ['mysql'] },
  { name: 'dealer-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '1.9.3', uses: ['mysql'] },
  { name: 'order-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'M', tag: '2.6.1', uses: ['mysql', 'redis'], calls: ['payment-service'] },
  { name: 'payment-service', project: 'cv-business', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '2.3.7', uses: ['mysql', 'redis'], secrets: { PAY_API_KEY: vault.key('connected-vehicle/payment', { property: 'api-key' }) } },
  { name: 'notification-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '3.0.2', uses: ['mysql', 'redis'], calls: ['message-push'], secrets: { SMS_API_KEY: vault.key('connected-vehicle/sms', { property: 'api-key' }) } },
  { name: 'message-push', project: 'cv-business', kind: 'backend', port: 8080, size: 'M', tag: '3.0.2', uses: ['redis'], secrets: { PUSH_API_KEY: vault.key('connected-vehicle/push', { property: 'api-key' }) } },
  { name: 'insurance-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '1.3.0', uses: ['mysql'] },
  { name: 'charging-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '1.5.2', uses: ['mysql', 'redis'] },
  { name: 'battery-monitor', project: 'cv-business', kind: 'backend', port: 8080, size: 'M', tag: '1.7.0', uses: ['redis', 'clickhouse'], calls: ['alarm-engine'] },
  { name: 'poi-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '2.2.3', uses: ['mysql', 'redis'], secrets: { MAP_API_KEY: vault.key('connected-vehicle/map', { property: 'api-key' }) } },
  { name: 'navigation-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '2.2.3', uses: ['redis'], secrets: { MAP_API_KEY: vault.key('connected-vehicle/map', { property: 'api-key' }) } },
  { name: 'content-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '1.4.0', uses: ['mysql'] },
  { name: 'file-service', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '2.0.0', uses: ['mysql'] },
  { name: 'audit-log', project: 'cv-business', kind: 'backend', port: 8080, size: 'S', tag: '1.6.1', uses: ['mysql', 'clickhouse'] },
  { name: 'open-api', project: 'cv-business', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '1.8.0', uses: ['mysql', 'redis'], calls: ['vehicle-status', 'trip-service'] },

  // cv-analytics: history and statistics over ClickHouse.
  { name: 'history-query', project: 'cv-analytics', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '2.9.0', uses: ['redis', 'clickhouse'] },
  { name: 'report-service', project: 'cv-analytics', kind: 'backend', port: 8080, size: 'M', tag: '2.4.2', uses: ['mysql', 'clickhouse'] },
  {
    name: 'report-scheduler', project: 'cv-analytics', kind: 'backend', port: 8080, size: 'S', tag: '2.4.2', uses: ['mysql', 'clickhouse'], calls: ['notification-service'],
    singleton: 'fires the scheduled reports without a lock: a second replica would send every report twice',
  },
  { name: 'mileage-stats', project: 'cv-analytics', kind: 'backend', port: 8080, size: 'S', tag: '1.6.0', uses: ['clickhouse'] },
  { name: 'energy-stats', project: 'cv-analytics', kind: 'backend', port: 8080, size: 'S', tag: '1.3.1', uses: ['clickhouse'] },
  { name: 'driving-behavior', project: 'cv-analytics', kind: 'backend', port: 8080, size: 'M', tag: '2.0.3', uses: ['mysql', 'clickhouse'] },
  { name: 'fault-analytics', project: 'cv-analytics', kind: 'backend', port: 8080, size: 'S', tag: '1.5.0', uses: ['mysql', 'clickhouse'] },
  { name: 'data-export', project: 'cv-analytics', kind: 'backend', port: 8080, size: 'S', tag: '1.2.4', uses: ['mysql', 'clickhouse'] },
  { name: 'dashboard-api', project: 'cv-analytics', kind: 'backend', port: 8080, metrics: 8081, size: 'M', tag: '1.8.0', uses: ['redis', 'clickhouse'] },
];

/** Every front-end proxies `/api` to this back-end. */
const FRONTEND_UPSTREAM = 'api-gateway';

// ---------------------------------------------------------------------------------------------------------
// 5a. Vehicle access over MQTT. The vehicles' TBoxes connect to vehicle-gateway over MQTT: 1883, and 8883 with
//     TLS that the gateway terminates itself (client certificates per vehicle). They come from the carriers'
//     private APN networks, never from the internet: each cluster's OpenELB (KubeSphere's load balancer for bare
//     metal) announces one address of the environment's pool, and the load balancer's source ranges and the
//     network policy admit exactly these networks, on exactly these two ports.
// ---------------------------------------------------------------------------------------------------------

const VEHICLE_ACCESS = {
  module: 'vehicle-gateway',
  ports: [{ port: 1883, name: 'mqtt' }, { port: 8883, name: 'mqtts' }],
  /** The carriers' APN networks per environment (test: the test fleet's private APN). */
  networks: { test: ['10.80.0.0/16'], production: ['10.64.0.0/14', '10.72.0.0/14'] } as Record<EnvName, string[]>,
  /** OpenELB's address pool per environment. */
  pools: { test: 'vehicle-access-test', production: 'vehicle-access' } as Record<EnvName, string>,
};

/** OpenELB's annotations: announce an address of a pool over layer 2. */
function openElb(pool: string): Record<string, string> {
  return { 'lb.kubesphere.io/v1alpha1': 'openelb', 'protocol.openelb.kubesphere.io/v1alpha1': 'layer2', 'eip.openelb.kubesphere.io/v1alpha2': pool };
}

// ---------------------------------------------------------------------------------------------------------
// 5b. Batch analytics. The statistics the analytics modules serve are computed at night from the day's history in
//     ClickHouse, by Spring Batch jobs that run to completion: CronJobs with the modules' pod (security baseline,
//     resources, configuration, database accounts), in China's time zone, never two runs at once. Each is a module
//     of its own with its release pipeline (no automated tests after the deploy: there is no endpoint to test).
// ---------------------------------------------------------------------------------------------------------

interface BatchSpec {
  readonly name: string;
  /** When it runs, in Asia/Shanghai time. */
  readonly schedule: string;
  /** What it computes, and for which module. */
  readonly computes: string;
  readonly size: Size;
  readonly tag: string;
  readonly uses: readonly DbName[];
  /** The most a run may take. */
  readonly deadlineHours: number;
}

const BATCH_JOBS: readonly BatchSpec[] = [
  { name: 'mileage-rollup', schedule: '10 0 * * *', computes: 'the previous day\'s mileage per vehicle, served by mileage-stats', size: 'S', tag: '1.0.2', uses: ['clickhouse'], deadlineHours: 2 },
  { name: 'energy-rollup', schedule: '20 0 * * *', computes: 'the previous day\'s energy use per vehicle, served by energy-stats', size: 'S', tag: '1.0.0', uses: ['clickhouse'], deadlineHours: 2 },
  { name: 'driving-behavior-weekly', schedule: '0 3 * * 1', computes: 'last week\'s driving scores per driver, served by driving-behavior', size: 'M', tag: '1.1.0', uses: ['mysql', 'clickhouse'], deadlineHours: 4 },
];

// ---------------------------------------------------------------------------------------------------------
// 6. The public domain. "They built the containerized production alongside the old physical production, and
//    switched the public domain name over to the containerized one once it was stable." The public host of the
//    fleet portal already reaches the production cluster's gateway, which sends it on to the old physical
//    production by IP until `done` is true; meanwhile the containerized portal is tested at fleet.cv.example.com.
// ---------------------------------------------------------------------------------------------------------

const PUBLIC_DOMAIN = {
  module: 'fleet-portal',
  host: 'www.cv.example.com',
  /** The old physical production: nginx on two machines. */
  legacy: { addresses: ['10.20.0.21', '10.20.0.22'], port: 80 },
  /** The one switch: true once the public domain is served by the cluster (the legacy objects then go away). */
  done: false,
} as const;

// ---------------------------------------------------------------------------------------------------------
// 7. Delivery. "Code in GitLab, images in Harbor. In KubeSphere one DevOps project holds one release pipeline
//    per module … A developer commits to GitLab, then clicks "run" on the pipeline to release to test or
//    production. Future plan: automated tests inside the release pipelines." Every module in MODULES gets its
//    pipeline in the tenant's DevOps project: build and unit-test its repository, push
//    `harbor.cv.example.com/connected-vehicle/<module>:<commit>`, deploy to test, run the automated tests against
//    test, wait for the release department's approval, deploy to production. Deploying is no longer a shell
//    script on a release server: the pipeline pins the new tag for the module in the environment, synthesizes
//    this program and pushes the output to the estate repository, whose folders KubeSphere's GitOps syncs to
//    the clusters. Credentials appear by id only; an operator creates them once (see README.md).
// ---------------------------------------------------------------------------------------------------------

const GITLAB = 'https://gitlab.cv.example.com';

const DELIVERY = {
  /** This program's repository: the estate's code and its synthesized output (`dist/<cluster>`), which GitOps syncs. */
  estate: { repository: `${GITLAB}/platform/cv-estate.git`, credential: Credential.basicAuth('estate-git') },
  /** The modules' repositories, `<group>/<module>.git`, read with one credential. */
  sources: { group: `${GITLAB}/connected-vehicle`, credential: Credential.basicAuth('gitlab') },
  /** Harbor's robot account that pushes to the `connected-vehicle` project. */
  registryCredential: Credential.basicAuth('harbor-robot'),
  /** The department that approves every release to production: the architect and the DevOps engineer. */
  approvers: { name: 'release', displayName: 'Release managers', members: ['chen.jie', 'zhao.lei'] },
  /** Mailed when a release pipeline fails. */
  notify: ['cv-dev@cv.example.com'],
  /** Node.js with git: the front-ends' builder, and the deploy step's image (it synthesizes this estate). */
  node: harbor.image('ci/node', '20.19.5-bookworm'),
  /** The automated tests reach back-ends through the API gateway, as the front-ends do: at this portal's `/api/`. */
  apiEntry: 'ops-console',
} as const;

/** How a kind of module is built and tested: the builder image of its stack, and its tests with JUnit reports. */
interface StackSpec {
  readonly builder: Image;
  readonly build: readonly string[];
  readonly unitTests: { readonly commands: readonly string[]; readonly report: string };
  /** The automated tests after the deploy to test, against the module's URL there. */
  readonly testsAfter: { readonly image: Image; readonly commands: (url: string) => string[]; readonly report: string };
}

const STACKS: Record<ModuleSpec['kind'], StackSpec> = {
  // Spring Boot back-ends: Maven; the API tests (a Postman collection in the repository) run with Newman.
  backend: {
    builder: harbor.image('ci/maven', '3.9.9-eclipse-temurin-17'),
    build: ['mvn -B -DskipTests package'],
    unitTests: { commands: ['mvn -B test'], report: 'target/surefire-reports/*.xml' },
    testsAfter: {
      image: harbor.image('ci/newman', '6.2.1'),
      commands: (url) => [`newman run tests/api.postman_collection.json --env-var baseUrl=${url} --reporters cli,junit --reporter-junit-export reports/api-tests.xml`],
      report: 'reports/api-tests.xml',
    },
  },
  // nginx front-ends: a single-page app built with Node.js (Vitest unit tests); browser tests with Playwright.
  frontend: {
    builder: DELIVERY.node,
    build: ['npm ci', 'npm run build'],
    unitTests: { commands: ['npx vitest run --reporter=default --reporter=junit --outputFile.junit=reports/unit-tests.xml'], report: 'reports/unit-tests.xml' },
    testsAfter: {
      image: harbor.image('ci/playwright', 'v1.49.1-noble'),
      commands: (url) => ['npm ci', `BASE_URL=${url} PLAYWRIGHT_JUNIT_OUTPUT_NAME=reports/e2e-tests.xml npx playwright test --reporter=junit`],
      report: 'reports/e2e-tests.xml',
    },
  },
};

// ---------------------------------------------------------------------------------------------------------
// Health checks and configuration per kind of module.
// ---------------------------------------------------------------------------------------------------------

/** The nginx site of a front-end: the image's entry point renders it into /etc/nginx/conf.d with the upstream's address. */
const NGINX_SITE = `server {
    listen 8080;
    root /usr/share/nginx/html;
    location = /healthz { access_log off; return 200 "ok\\n"; }
    location /api/ { proxy_pass http://\${API_GATEWAY_HOST}:\${API_GATEWAY_PORT}/; }
    location / { try_files $uri $uri/ /index.html; }
}
`;

/** Spring Boot's health groups, on the management port where there is one; a startup probe, as the JVM starts slowly. */
function javaProbes(port: string): { readiness: Probe; liveness: Probe; startup: Probe } {
  return {
    readiness: Probe.http('/actuator/health/readiness', { port, period: Duration.seconds(5) }),
    liveness: Probe.http('/actuator/health/liveness', { port, period: Duration.seconds(10), timeout: Duration.seconds(2) }),
    startup: Probe.http('/actuator/health/liveness', { port, period: Duration.seconds(5), failureThreshold: 36 }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The estate, built from the tables.
// ---------------------------------------------------------------------------------------------------------

/** Builds the connected-vehicle estate of Case A. */
export function build(): Platform {
  // KubeSphere 4.1, the default target. Logs go to the team's ELK (Filebeat reads the pods' labels and the
  // co.elastic.logs annotations), so KubeSphere's own log collection stays off; the other features are on where the
  // model needs them (DevOps for the pipelines, monitoring and alerting for the modules that declare them,
  // metrics-server for those that autoscale, the gateway for the exposed front-ends).
  const platform = new Platform('connected-vehicle', { features: { [Feature.LOGGING]: false } });

  // 1. One cluster per environment, each from the same plan.
  for (const e of ENVIRONMENTS) {
    platform.addCluster(e.cluster, {
      role: e.role,
      group: e.name,
      ingressClassName: CLUSTER_PLAN.ingressClassName,
      storageClassName: CLUSTER_PLAN.storageClassName,
      nodePlan: nodePlan(e.subnet),
      description: `${e.production ? 'Production' : 'Test'} (KubeKey): control plane ${CLUSTER_PLAN.masters.join(', ')}; workers ${CLUSTER_PLAN.workers.join(', ')}`,
    });
    platform.addEnvironment(e.name, { clusters: [e.cluster], domain: e.domain, production: e.production, tls: e.tls });
  }

  // 2. The tenant and its departments.
  const tenant = platform.addTenant(TEAM.tenant, { manager: TEAM.manager, displayName: TEAM.displayName, description: TEAM.description, quota: WORKSPACE_QUOTA });
  for (const d of TEAM.departments) {
    const department = tenant.addDepartment(d.name, { displayName: d.displayName, members: [...d.members] });
    tenant.grant(department, d.workspace);
    for (const [env, role] of Object.entries(d.projects)) tenant.grantInProjects(department, role, { environments: [env] });
  }

  // 3. The projects, in both environments.
  const projects = new Map<ProjectName, Project>();
  for (const p of PROJECTS) {
    const project = tenant.addProject(p.name, { environments: ENVIRONMENTS.map((e) => e.name), displayName: p.displayName, description: p.description });
    for (const e of ENVIRONMENTS) project.quotaIn(e.name, p.quota[e.name]);
    projects.set(p.name, project);
  }

  // 4. The databases, in cv-data.
  const data = projects.get('cv-data') as Project;
  const databases = new Map<DbName, StatefulService>();
  for (const [name, db] of Object.entries(DATABASES) as [DbName, DatabaseSpec][]) {
    databases.set(name, data.addStatefulService(name, {
      engine: db.engine,
      mode: db.mode,
      inCluster: db.inCluster,
      perEnvironment: Object.fromEntries(ENVIRONMENTS.map((e) => [e.name, { external: db.vms[e.name], mode: db.modeIn?.[e.name] }])),
    }));
  }

  // 5. The modules, then the calls between them (a module may call one listed after it).
  const modules = new Map(MODULES.map((m) => [m.name, addModule(projects.get(m.project) as Project, m, databases)]));
  for (const m of MODULES) {
    const calls = m.kind === 'frontend' ? [FRONTEND_UPSTREAM] : m.calls ?? [];
    for (const target of calls) {
      const t = modules.get(target);
      if (!t) throw new Error(`module ${m.name} calls ${target}, which is not in MODULES`);
      (modules.get(m.name) as AppService).connectsTo(t);
    }
  }

  // 6. Front-ends are exposed; the public domain's cut-over is pending in production.
  for (const m of MODULES.filter((x) => x.kind === 'frontend')) {
    const service = modules.get(m.name) as AppService;
    if (m.name !== PUBLIC_DOMAIN.module) service.expose({ subdomain: m.subdomain });
    else {
      service.expose({
        subdomain: m.subdomain,
        hosts: { production: PUBLIC_DOMAIN.host },
        cutOver: { production: { legacy: { addresses: [...PUBLIC_DOMAIN.legacy.addresses], port: PUBLIC_DOMAIN.legacy.port }, done: PUBLIC_DOMAIN.done } },
      });
    }
  }

  // 6a. The vehicle gateways' MQTT ports, from the vehicles' networks only (a load balancer of OpenELB's pool).
  const gateway = modules.get(VEHICLE_ACCESS.module) as AppService;
  for (const p of VEHICLE_ACCESS.ports) gateway.addPort(p);
  gateway.exposeNetwork({
    name: `${VEHICLE_ACCESS.module}-mqtt`,
    type: ServiceType.LOAD_BALANCER,
    ports: VEHICLE_ACCESS.ports.map((p) => p.name),
    from: VEHICLE_ACCESS.networks.production,
    annotations: openElb(VEHICLE_ACCESS.pools.production),
    perEnvironment: { test: { from: VEHICLE_ACCESS.networks.test, annotations: openElb(VEHICLE_ACCESS.pools.test) } },
  });

  // 6b. The batch analytics, as CronJobs.
  const batchJobs = BATCH_JOBS.map((b) => addBatchJob(projects.get('cv-analytics') as Project, b, databases));

  // 7. Delivery: KubeSphere DevOps runs the pipelines, KubeSphere's GitOps syncs each cluster's folder of the
  //    estate repository; then one release pipeline per module, approved for production by the release department.
  platform.configureDelivery({
    estate: DELIVERY.estate,
    ci: [CiSystem.KUBESPHERE_DEVOPS],
    deployMethod: DeployMethod.GITOPS,
    gitops: GitOpsTool.KUBESPHERE,
    toolImages: { node: DELIVERY.node },
  });
  const approvers = tenant.addDepartment(DELIVERY.approvers.name, { displayName: DELIVERY.approvers.displayName, members: [...DELIVERY.approvers.members] });
  // Developers run the pipelines (a commit, then Run in the DevOps project); the release department approves.
  const developers = tenant.departments.find((d) => d.name === 'developers') as Department;
  for (const m of MODULES) addReleasePipeline(modules.get(m.name) as AppService, m, approvers, developers);
  for (const job of batchJobs) addReleasePipeline(job, { kind: 'backend', name: job.name }, approvers, developers);

  // 8. What the model does not say (docs/escape-hatches.md): the report service finishes the report it is writing
  //    before it stops (an override on its generated Deployment), and the analytics project asks it for the nightly
  //    fleet report with a cdk8s-plus-27 CronJob (in its namespace on both clusters, checked like the generated
  //    objects; the tenant's own pods may reach each other, so it needs no network rule of its own).
  (modules.get('report-service') as AppService).addOverride('Deployment', 'spec.template.spec.terminationGracePeriodSeconds', 120);
  (projects.get('cv-analytics') as Project).addManifests('nightly-report', (chart) => {
    const job = new kplus.CronJob(chart, 'fleet', {
      metadata: { name: 'nightly-fleet-report' },
      schedule: Cron.schedule({ minute: '30', hour: '2' }),
      concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
      containers: [{
        name: 'trigger',
        image: harbor.image('library/curl', '8.7.1').reference,
        args: ['-fsS', '-X', 'POST', 'http://report-service:8080/reports/fleet-daily/run'],
        securityContext: { user: 1000, group: 1000 },
        resources: { cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) }, memory: { request: Bytes.mebibytes(32), limit: Bytes.mebibytes(64) } },
      }],
    });
    // What cdk8s-plus-27 does not say and the restricted pod security level requires.
    ApiObject.of(job).addJsonPatch(
      JsonPatch.add('/spec/jobTemplate/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/jobTemplate/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
    );
  });

  return platform;
}

/** Where the automated tests reach a module in test (over the office network): a front-end at its host, a back-end through the API gateway. */
function testUrl(m: Pick<ModuleSpec, 'kind' | 'name' | 'subdomain'>): string {
  const domain = ENVIRONMENTS.find((e) => e.name === 'test')?.domain;
  const entry = m.kind === 'frontend' ? m : MODULES.find((x) => x.name === DELIVERY.apiEntry);
  if (!entry?.subdomain) throw new Error(`the automated tests of ${m.name} reach it through ${entry?.name ?? DELIVERY.apiEntry}, which is no exposed front-end in MODULES`);
  return m.kind === 'frontend' ? `http://${entry.subdomain}.${domain}` : `http://${entry.subdomain}.${domain}/api`;
}

/**
 * The release pipeline of a module: build and unit-test its repository with its stack's builder, push its image to
 * Harbor, deploy to test, run the automated tests there, then production once the release department approves.
 */
function addReleasePipeline(service: AppService, m: Pick<ModuleSpec, 'kind' | 'name' | 'subdomain'>, approvers: Department, developers: Department): void {
  const stack = STACKS[m.kind];
  // A batch job has no endpoint to test after the deploy.
  const batch = service.workload.batch;
  service.addPipeline({
    source: { repository: `${DELIVERY.sources.group}/${m.name}.git`, branch: 'main', credential: DELIVERY.sources.credential },
    build: { image: stack.builder, commands: [...stack.build] },
    unitTests: { commands: [...stack.unitTests.commands], report: stack.unitTests.report },
    registryCredential: DELIVERY.registryCredential,
    testsAfter: batch ? undefined : { test: { image: stack.testsAfter.image, commands: stack.testsAfter.commands(testUrl(m)), report: stack.testsAfter.report } },
    approval: { approvers },
    operators: [developers],
    notify: { email: [...DELIVERY.notify] },
  });
}

/** Adds one module: a front-end (nginx) or a back-end (Spring Boot), sized, probed, logging JSON, with its databases. */
function addModule(project: Project, m: ModuleSpec, databases: ReadonlyMap<DbName, StatefulService>): AppService {
  if (m.kind === 'frontend' && m.subdomain === undefined) throw new Error(`front-end ${m.name} needs a subdomain`);
  const image = harbor.image(`connected-vehicle/${m.name}`, m.tag);
  const values: Record<string, string> = {};
  const secrets: Record<string, SecretRef> = { ...m.secrets };
  for (const db of m.uses ?? []) {
    const access = databaseAccess(db, m.name);
    Object.assign(values, access.values);
    Object.assign(secrets, access.secrets);
  }
  const production = {
    replicas: m.singleton ? 1 : m.replicas,
    autoscaling: m.autoscale ? { minReplicas: m.autoscale[0], maxReplicas: m.autoscale[1], cpuUtilization: 70 } : undefined,
    waivers: m.singleton ? { replicas: m.singleton } : undefined,
  };
  const test = { image: m.testTag ? image.withTag(m.testTag) : undefined };

  const service = m.kind === 'frontend'
    ? project.addService(m.name, {
      image,
      runAsUser: 101, // nginx (unprivileged)
      ports: [{ port: m.port }],
      readiness: Probe.http('/healthz', { period: Duration.seconds(5) }),
      liveness: Probe.http('/healthz'),
      resources: SIZES[m.size],
      config: { files: { 'default.conf.template': NGINX_SITE }, mountPath: '/etc/nginx/templates' },
      writablePaths: ['/etc/nginx/conf.d', '/var/cache/nginx'],
      logs: { format: LogFormat.JSON },
      perEnvironment: { test, production },
    })
    : project.addService(m.name, {
      image,
      runAsUser: 1000,
      ports: m.metrics ? [{ port: m.port }, { port: m.metrics, name: 'management' }] : [{ port: m.port }],
      ...javaProbes(m.metrics ? 'management' : 'http'),
      resources: SIZES[m.size],
      config: { values: { ...values, TZ: 'Asia/Shanghai', JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75' } },
      secrets,
      metrics: m.metrics ? { port: 'management', path: '/actuator/prometheus' } : undefined,
      alerts: m.metrics ? { errorRate: { threshold: 0.05 } } : undefined,
      logs: { format: LogFormat.JSON },
      perEnvironment: {
        test: { ...test, config: { values: { SPRING_PROFILES_ACTIVE: 'test' } } },
        production: { ...production, config: { values: { SPRING_PROFILES_ACTIVE: 'production' } } },
      },
    });
  for (const db of m.uses ?? []) service.connectsTo(databases.get(db) as StatefulService);
  return service;
}

/** Adds one batch job: a CronJob of its own image, with the analytics modules' configuration and database accounts. */
function addBatchJob(project: Project, b: BatchSpec, databases: ReadonlyMap<DbName, StatefulService>): AppService {
  const values: Record<string, string> = {};
  const secrets: Record<string, SecretRef> = {};
  for (const db of b.uses) {
    const access = databaseAccess(db, b.name);
    Object.assign(values, access.values);
    Object.assign(secrets, access.secrets);
  }
  const job = project.addService(b.name, {
    image: harbor.image(`connected-vehicle/${b.name}`, b.tag),
    runAsUser: 1000,
    workload: Workload.cronJob({ schedule: b.schedule, timeZone: 'Asia/Shanghai', concurrencyPolicy: ConcurrencyPolicy.FORBID, activeDeadline: Duration.hours(b.deadlineHours), backoffLimit: 2 }),
    resources: SIZES[b.size],
    config: { values: { ...values, TZ: 'Asia/Shanghai', JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75' } },
    secrets,
    logs: { format: LogFormat.JSON },
    perEnvironment: {
      test: { config: { values: { SPRING_PROFILES_ACTIVE: 'test' } } },
      production: { config: { values: { SPRING_PROFILES_ACTIVE: 'production' } } },
    },
  });
  for (const db of b.uses) job.connectsTo(databases.get(db) as StatefulService);
  return job;
}

synthesizeApp(build);
