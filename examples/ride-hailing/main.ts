/**
 * Case B of CASES.md as code: a ride-hailing company that runs everything in containers on many clusters,
 * all managed from one KubeSphere host cluster, with one workspace (tenant) per business domain and
 * departments that get different rights in different environments.
 *
 *   CDK8S_OUTDIR=/tmp/ride-hailing npx tsx examples/ride-hailing/main.ts   # one folder per cluster
 *
 * How to read it: the estate is generated from the tables below (plain data), in the order a platform
 * engineer thinks about it —
 *   1. CLUSTERS      the host (control plane only) and the members, grouped by environment and partner;
 *   2. ENVIRONMENTS  development → test → staging → production, plus one per partner cluster (see the note there);
 *   3. ACCESS        what each kind of department may do, per environment (one table for every domain);
 *   4. DOMAINS       the six business domains: manager, org chart, and projects with their services, one line
 *                    per service (its calls into other domains, and which domains it accepts calls from);
 *   5. DELIVERY, BUILDERS  the GitLab CI release pipeline of every service, and how each runtime is built;
 *   6. PREVIEWS     the branches running beside the development baseline (and those a CI job or the
 *                   `previews/` folder adds);
 *   7. OBSERVABILITY  metrics, alerts and logs per runtime, wired on every service.
 * Adding a service, a team, a member or a preview is one line in a table (a service's pipeline, metrics and
 * alerts come with it); nothing below the tables needs to change.
 */
import {
  AlertSeverity, // alert routing
  AppService,
  Channel, // alert routing
  CiSystem,
  ClusterRole,
  Credential,
  Department,
  Duration,
  Environment,
  ErrorRateOptions,
  ExistingSecret, // alert routing
  Feature,
  Image,
  Issuer,
  LogFormat,
  LogOptions,
  MetricsOptions,
  ownerFromText,
  Platform,
  PreviewDependencies,
  PreviewOverride,
  Probe,
  ProjectQuota,
  ProjectRole,
  Registry,
  Replicas,
  Resources,
  synthesizeApp,
  Tenant,
  Tls,
  User,
  Waivers,
  WorkspaceRole,
} from 'platform-cdk';
import { addEscapeHatches } from './hatches';

// ---------------------------------------------------------------------------------------------------------
// 1. Clusters. "One host cluster acts as the control plane for member clusters and pushes management policies
//    to them. Member clusters are split by environment … and by tenant nature: some clusters serve
//    third-party business partners." The host runs KubeSphere only, so it is in no environment: it holds
//    the workspaces, departments and grants, and registers the members, but runs no business workload.
//
//    Two members serve partners, one per kind of partner: aggregator platforms (map and super apps that
//    resell rides) and corporate travel (companies whose employees ride on the company's account). They are
//    apart because what runs there differs (corporate billing runs only for corporate travel) and so that one
//    partner's load or incident stays off the other's cluster.
// ---------------------------------------------------------------------------------------------------------

/** The names of the environments, in the order a release goes through them. */
type EnvName = 'development' | 'test' | 'staging' | 'production' | 'partner-aggregator' | 'partner-corporate';

/** The label key the platform team puts on the member clusters' KubeSphere `Cluster` objects. */
const REGION_LABEL = 'rides.example.com/region';

/** A member cluster: the environment it serves, and the partner it is dedicated to, if any. */
interface MemberClusterSpec {
  readonly name: string;
  readonly environment: EnvName;
  readonly region: string;
  /** The business partner it serves (the cluster's `platform-cdk.io/partner` label). */
  readonly partner?: string;
  readonly description: string;
}

const HOST_CLUSTER = 'host';

const MEMBER_CLUSTERS: readonly MemberClusterSpec[] = [
  { name: 'dev-bj1', environment: 'development', region: 'cn-north', description: 'Development: feature work, previews and self-service projects for developers' },
  { name: 'test-bj1', environment: 'test', region: 'cn-north', description: 'Test: integration and QA of every domain' },
  { name: 'staging-bj1', environment: 'staging', region: 'cn-north', description: 'Pre-production: production-sized rehearsal of each release' },
  { name: 'prod-bj1', environment: 'production', region: 'cn-north', description: 'Production: the rider and driver apps' },
  { name: 'partner-agg-bj1', environment: 'partner-aggregator', region: 'cn-north', partner: 'aggregators', description: 'Production for aggregator platforms that resell rides through the open API' },
  { name: 'partner-corp-sh1', environment: 'partner-corporate', region: 'cn-east', partner: 'corporate-travel', description: 'Production for corporate-travel customers: the open API and enterprise billing' },
];

// ---------------------------------------------------------------------------------------------------------
// 2. Environments and their defaults. Each environment is one member cluster; development is small
//    (one replica, small containers, small project quotas), production is large.
//
//    Each partner cluster is a production environment of its own (production: true), because a project is
//    placed per environment, on every cluster of that environment: had one `partner` environment spanned both
//    partner clusters, enterprise billing would run for the aggregators too; had `production` spanned them,
//    every production project would land on them. The clusters are in the console's `partner` group.
//
//    Every environment serves its hosts over HTTPS: cert-manager issues each exposed service a certificate, from
//    the `letsencrypt` ClusterIssuer in the production environments, and from the company's internal CA (the
//    `rides-internal-ca` ClusterIssuer, trusted by the company's devices) in development, test and staging, whose
//    hosts are reachable from the office network only.
// ---------------------------------------------------------------------------------------------------------

/** The certificates of exposed hosts in production environments. */
const PUBLIC_TLS = Tls.certManager(Issuer.cluster('letsencrypt'));
/** The certificates of exposed hosts in development, test and staging. */
const INTERNAL_TLS = Tls.certManager(Issuer.cluster('rides-internal-ca'));

interface EnvironmentSpec {
  readonly name: EnvName;
  /** The cluster group in the KubeSphere console. */
  readonly group: string;
  readonly domain: string;
  readonly production?: boolean;
  readonly replicas: number;
  /** The certificate of exposed hosts, if they are served over HTTPS. */
  readonly tls?: Tls;
  /** Container defaults in this environment (a service's production size applies in `PRODUCTION_SIZED`). */
  readonly resources?: Resources;
  /** The quota of every project namespace in this environment. */
  readonly projectQuota: ProjectQuota;
}

/** The quota of a project in production: large enough for its services at their production size and replicas. */
const PRODUCTION_PROJECT_QUOTA: ProjectQuota = { cpuRequestMillis: 32000, cpuLimitMillis: 128000, memoryRequestMiB: 65536, memoryLimitMiB: 131072, pods: 150 };
/** The quota of a project on a partner cluster (two replicas per service). */
const PARTNER_PROJECT_QUOTA: ProjectQuota = { cpuRequestMillis: 16000, cpuLimitMillis: 64000, memoryRequestMiB: 32768, memoryLimitMiB: 65536, pods: 60 };

const ENVIRONMENTS: readonly EnvironmentSpec[] = [
  {
    name: 'development',
    group: 'development',
    tls: INTERNAL_TLS,
    domain: 'dev.rides.example.com',
    replicas: 1,
    resources: { cpuRequestMillis: 50, cpuLimitMillis: 500, memoryRequestMiB: 256, memoryLimitMiB: 512 },
    projectQuota: { cpuRequestMillis: 4000, cpuLimitMillis: 12000, memoryRequestMiB: 8192, memoryLimitMiB: 16384, pods: 40 },
  },
  {
    name: 'test',
    group: 'test',
    tls: INTERNAL_TLS,
    domain: 'test.rides.example.com',
    replicas: 1,
    projectQuota: { cpuRequestMillis: 4000, cpuLimitMillis: 24000, memoryRequestMiB: 8192, memoryLimitMiB: 16384, pods: 40 },
  },
  {
    name: 'staging',
    group: 'staging',
    tls: INTERNAL_TLS,
    domain: 'staging.rides.example.com',
    replicas: 2,
    projectQuota: { cpuRequestMillis: 16000, cpuLimitMillis: 64000, memoryRequestMiB: 32768, memoryLimitMiB: 65536, pods: 60 },
  },
  {
    name: 'production',
    group: 'production',
    domain: 'rides.example.com',
    production: true,
    replicas: 3,
    tls: PUBLIC_TLS,
    projectQuota: PRODUCTION_PROJECT_QUOTA,
  },
  {
    name: 'partner-aggregator',
    group: 'partner',
    domain: 'agg.partner.rides.example.com',
    production: true,
    replicas: 2,
    tls: PUBLIC_TLS,
    projectQuota: PARTNER_PROJECT_QUOTA,
  },
  {
    name: 'partner-corporate',
    group: 'partner',
    domain: 'corp.partner.rides.example.com',
    production: true,
    replicas: 2,
    tls: PUBLIC_TLS,
    projectQuota: PARTNER_PROJECT_QUOTA,
  },
];

/** The environments of the partner clusters. */
const PARTNERS: readonly EnvName[] = ['partner-aggregator', 'partner-corporate'];

/** Where a service runs at its production size (`SIZES[size]`); elsewhere the environment's defaults. */
const PRODUCTION_SIZED: readonly EnvName[] = ['staging', 'production', ...PARTNERS];

// ---------------------------------------------------------------------------------------------------------
// 3. Access. "Inside a workspace they model departments and grant each department different permissions on
//    different clusters (environments)." Every business domain has the same kinds of department, so what a
//    kind may do is one table: its workspace role, and its project role in each environment (no entry: no
//    access there). A role applies to every project of the domain that is placed in that environment.
// ---------------------------------------------------------------------------------------------------------

/**
 * After a release "developers use KubeSphere to read logs, monitoring, events": leads get this in production,
 * composed from KubeSphere's namespace role templates (KubeSphere fills in the rules).
 */
const TROUBLESHOOTER = ProjectRole.custom('troubleshooter', {
  templates: ['namespace-view-app-workloads', 'namespace-view-configmaps', 'namespace-view-project-settings'],
});

/** Internal audit: who runs what, and who may do what, in production; no configuration, no secrets. */
const AUDITOR = ProjectRole.custom('auditor', {
  templates: ['namespace-view-app-workloads', 'namespace-view-members', 'namespace-view-roles'],
});

/** SRE see every project and member of the workspace, without managing the workspace. */
const SRE_WORKSPACE = WorkspaceRole.custom('sre', { templates: ['workspace-view-projects', 'workspace-view-members'] });

/** The kinds of department found in every business domain. */
type DepartmentKind = 'lead' | 'developer' | 'tester' | 'sre' | 'auditor' | 'release';

interface AccessProfile {
  /** The one workspace role of the department (KubeSphere keeps one per subject and workspace). */
  readonly workspace: WorkspaceRole;
  /**
   * Where its members may create projects themselves (KubeSphere's `self-provisioner`), bound on those
   * environments' own member clusters only.
   */
  readonly selfProvisioning?: readonly EnvName[];
  /** Its role in the domain's projects, per environment. */
  readonly projects: Partial<Record<EnvName, ProjectRole>>;
}

/** The same role in both partner environments. */
function onPartners(role: ProjectRole): Partial<Record<EnvName, ProjectRole>> {
  return Object.fromEntries(PARTNERS.map((e) => [e, role]));
}

const ACCESS: Record<DepartmentKind, AccessProfile> = {
  // R&D leads: own the projects in development and test, release in staging, look but do not touch in production.
  lead: {
    workspace: WorkspaceRole.REGULAR,
    projects: { development: ProjectRole.ADMIN, test: ProjectRole.ADMIN, staging: ProjectRole.OPERATOR, production: TROUBLESHOOTER, ...onPartners(TROUBLESHOOTER) },
  },
  // Developers: "in the development environment developers have enough rights to create, update and delete
  // non-baseline environments themselves" — self-provisioners in development only (bound on dev-bj1, not on the
  // host, where the role would reach every cluster), regular members of the workspace elsewhere, operators in
  // development and test, viewers (logs, monitoring, events) in staging and production. Their previews (6.) are
  // owned by their department, or by one of them. On the partner clusters they see nothing: partners' data.
  developer: {
    workspace: WorkspaceRole.REGULAR,
    selfProvisioning: ['development'],
    projects: { development: ProjectRole.OPERATOR, test: ProjectRole.OPERATOR, staging: ProjectRole.VIEWER, production: ProjectRole.VIEWER },
  },
  // QA: run the test environment and rehearse releases in staging; no production access.
  tester: {
    workspace: WorkspaceRole.REGULAR,
    projects: { development: ProjectRole.VIEWER, test: ProjectRole.OPERATOR, staging: ProjectRole.OPERATOR },
  },
  // SRE: operate everything production-like (scale, restart, open a container console); watch the rest.
  sre: {
    workspace: SRE_WORKSPACE,
    projects: { development: ProjectRole.VIEWER, test: ProjectRole.VIEWER, staging: ProjectRole.OPERATOR, production: ProjectRole.OPERATOR, ...onPartners(ProjectRole.OPERATOR) },
  },
  // Internal audit: workspace viewers; the audit role in the production environments only.
  auditor: {
    workspace: WorkspaceRole.VIEWER,
    projects: { production: AUDITOR, ...onPartners(AUDITOR) },
  },
  // Release managers: approve every release to a production environment (production and the partner clusters)
  // in the release pipelines; they see the staging rehearsal and production to judge it. Their other rights
  // come from their other departments.
  release: {
    workspace: WorkspaceRole.VIEWER,
    projects: { staging: ProjectRole.VIEWER, production: ProjectRole.VIEWER, ...onPartners(ProjectRole.VIEWER) },
  },
};

/** The company's internal auditors: each business domain has an audit department with these members. */
const AUDITORS = ['he.jing', 'luo.yan'];

// ---------------------------------------------------------------------------------------------------------
// 4. Business domains. "One KubeSphere workspace per business domain. A business domain is stable while the
//    org chart changes": the tenant is the domain; departments (the org chart) hang inside it and can be
//    reshuffled without touching projects. "One project = one namespace per business domain" on each
//    cluster of the environments it is placed in.
//
//    Services, one line each. Delivery: the internal DevOps platform builds the images into Harbor and "only
//    publishes the image and scales replicas"; here that is the pinned tag (production's), the release candidate
//    that development and test run (`nextTag`), and the replicas per environment. In the production environments
//    the internal platform owns the replica count (`SCALED_BY_DEVOPS_PLATFORM`): the table's number is the fewest
//    it keeps, and GitOps leaves its scale-outs alone.
//
//    Calls between domains: a service names what it calls, `<service>` in its own domain or `<domain>/<service>`
//    in another; the callee's row says which domains it `accepts` calls from (written in the callee's domain,
//    as KubeSphere's tenants are isolated by default). The program connects them; the model refuses a call into
//    another domain that the callee does not accept, a callee whose project is missing where the caller runs,
//    and cycles.
// ---------------------------------------------------------------------------------------------------------

const harbor = Registry.at('harbor.rides.example.com');

/** The business domains: one tenant each. */
type DomainName = 'passenger' | 'driver' | 'order' | 'payment' | 'marketing' | 'risk';

/** The service's runtime: how it is built, checked for health, and how it reports metrics. */
type Runtime = 'java' | 'go';

/** Container sizes, where a service runs at its production size (`PRODUCTION_SIZED`). */
type Size = 'S' | 'M' | 'L';

const SIZES: Record<Size, Resources> = {
  S: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 },
  M: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 1024, memoryLimitMiB: 2048 },
  L: { cpuRequestMillis: 1000, cpuLimitMillis: 4000, memoryRequestMiB: 2048, memoryLimitMiB: 4096 },
};

/** The size of a service that gives none: Java services start a JVM. */
const DEFAULT_SIZE: Record<Runtime, Size> = { java: 'M', go: 'S' };

interface ServiceSpec {
  readonly name: string;
  readonly runtime: Runtime;
  /** The tag running in staging and production (images are `harbor.rides.example.com/<domain>/<name>`). */
  readonly tag: string;
  /** The release candidate running in development and test, if one is being tested. */
  readonly nextTag?: string;
  /** A gRPC port next to HTTP 8080, for calls between services (which then use it). */
  readonly grpc?: boolean;
  /** Its size where production-sized; default by runtime (`DEFAULT_SIZE`). */
  readonly size?: Size;
  /**
   * What it calls: `<service>` of its domain, or `<domain>/<service>`. It gets `<NAME>_HOST` and `<NAME>_PORT`
   * (the gRPC port where the target has one), and the network policies open exactly those paths.
   */
  readonly calls?: readonly string[];
  /** The other domains whose services may call it. */
  readonly accepts?: readonly DomainName[];
  /** Replicas where they differ from the environment's default. */
  readonly replicas?: Partial<Record<EnvName, number>>;
  /** Exposed at `<expose>.<environment domain>`, or at `hosts[env]` where given. */
  readonly expose?: string;
  readonly hosts?: Partial<Record<EnvName, string>>;
  /** Serves users or partners directly: an error-rate alert besides the standard ones. */
  readonly critical?: boolean;
  /** Literal environment variables, the same in every environment. */
  readonly env?: Record<string, string>;
  /** Why a production default (2 replicas, a disruption budget, spread) does not fit the service. */
  readonly waivers?: Waivers;
}

interface ProjectSpec {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly environments: readonly EnvName[];
  /** Quotas where the environment's default does not fit. */
  readonly quota?: Partial<Record<EnvName, ProjectQuota>>;
  readonly services: readonly ServiceSpec[];
}

interface DepartmentSpec {
  readonly name: string;
  readonly displayName: string;
  readonly kind: DepartmentKind;
  readonly members: readonly string[];
  /** Departments inside this one. */
  readonly teams?: readonly DepartmentSpec[];
}

interface DomainSpec {
  readonly name: DomainName;
  readonly displayName: string;
  readonly description: string;
  /** The workspace's manager (its admin). */
  readonly manager: string;
  /**
   * The org chart, besides the audit department every domain has. One top-level department of kind `release`
   * approves the domain's releases to production.
   */
  readonly departments: readonly DepartmentSpec[];
  readonly projects: readonly ProjectSpec[];
}

/**
 * Where the internal DevOps platform scales the services after release (`Replicas.external`): the Deployments there
 * have no `replicas`, and KubeSphere's GitOps ignores their `/spec/replicas`, so a scale-out is not reverted. The
 * replicas of the table (else the environment's) are the fewest it keeps, which the production rule checks. A
 * singleton (a service that waives the production replica rule) keeps its fixed count.
 */
const SCALED_BY_DEVOPS_PLATFORM: readonly EnvName[] = ['production', 'partner-aggregator', 'partner-corporate'];

/** Development, test, staging and production: where most projects run. */
const ALL: readonly EnvName[] = ['development', 'test', 'staging', 'production'];
/**
 * What all of a domain's namespaces on one cluster may use together: sized for production, the largest (the driver
 * domain's services there request 35 CPUs and limit 140, in 73 pods), with room for rolling updates. One quota for
 * every cluster (a tenant may set another on some clusters with `clusterQuotas`; this estate does not need to).
 */
const DOMAIN_QUOTA: ProjectQuota = { cpuRequestMillis: 64000, cpuLimitMillis: 256000, memoryRequestMiB: 131072, memoryLimitMiB: 262144, pods: 300 };

/** The org chart every domain shares the shape of: R&D (leads) with its teams, QA, SRE and release managers. */
function orgChart(domain: string, org: { leads: string[]; teams: DepartmentSpec[]; qa: string[]; sre: string[]; release: string[] }): DepartmentSpec[] {
  return [
    { name: 'rd', displayName: `${domain} R&D`, kind: 'lead', members: org.leads, teams: org.teams },
    { name: 'qa', displayName: `${domain} QA`, kind: 'tester', members: org.qa },
    { name: 'sre', displayName: `${domain} SRE`, kind: 'sre', members: org.sre },
    { name: 'release', displayName: `${domain} release managers`, kind: 'release', members: org.release },
  ];
}

/** A developer team. */
function team(name: string, displayName: string, members: string[], teams?: DepartmentSpec[]): DepartmentSpec {
  return { name, displayName, kind: 'developer', members, teams };
}

const DOMAINS: readonly DomainSpec[] = [
  {
    name: 'passenger',
    displayName: 'Passenger',
    description: 'Riders: the rider app back end, accounts, growth campaigns and customer support',
    manager: 'li.ming',
    departments: orgChart('Passenger', {
      leads: ['li.ming', 'wu.tao'],
      teams: [
        team('rider-app', 'Rider app team', ['chen.yu', 'lin.xiao', 'guo.peng']),
        team('growth', 'Growth team', ['ma.li', 'song.jia']),
        team('support', 'Customer support engineering', ['bai.lu', 'kong.wei']),
      ],
      qa: ['xu.ting', 'hu.bo'],
      sre: ['deng.kai'],
      release: ['li.ming', 'deng.kai'],
    }),
    projects: [
      {
        name: 'passenger-app', displayName: 'Rider app', description: 'The back end of the rider app', environments: ALL,
        services: [
          { name: 'rider-bff', runtime: 'java', tag: '3.12.0', nextTag: '3.13.0-rc.2', calls: ['rider-profile', 'rider-notify', 'rider-auth', 'order/order-api', 'marketing/coupon'], replicas: { production: 6 }, expose: 'rider-api', critical: true },
          { name: 'rider-profile', runtime: 'go', tag: '2.4.1', grpc: true, accepts: ['order', 'marketing'] },
          { name: 'rider-auth', runtime: 'go', tag: '1.15.0', grpc: true, critical: true },
          { name: 'rider-notify', runtime: 'go', tag: '1.9.3', env: { PUSH_PROVIDERS: 'apns,fcm,getui' } },
          { name: 'rider-settings', runtime: 'java', tag: '1.3.2', calls: ['rider-profile'] },
          { name: 'rider-address', runtime: 'go', tag: '1.1.0' },
          { name: 'rider-favorites', runtime: 'go', tag: '0.8.4', calls: ['rider-address'] },
          { name: 'rider-wallet-view', runtime: 'java', tag: '1.0.6', calls: ['payment/wallet'] },
          { name: 'emergency-contact', runtime: 'go', tag: '1.2.0', accepts: ['risk'] },
        ],
      },
      {
        // Growth experiments go from test straight to production behind feature flags: no staging.
        name: 'passenger-growth', displayName: 'Growth', description: 'Referrals, membership levels and rider tasks', environments: ['development', 'test', 'production'],
        services: [
          { name: 'referral', runtime: 'go', tag: '0.7.2', calls: ['marketing/points'], expose: 'invite' },
          { name: 'member-level', runtime: 'java', tag: '1.4.0', calls: ['marketing/points'] },
          { name: 'rider-tasks', runtime: 'java', tag: '0.5.1', calls: ['member-level'] },
          { name: 'rider-survey', runtime: 'go', tag: '0.3.0' },
        ],
      },
      {
        name: 'passenger-support', displayName: 'Customer support', description: 'Tickets, chat with agents, lost and found', environments: ALL,
        services: [
          { name: 'ticket-center', runtime: 'java', tag: '2.6.1', calls: ['order/order-history'], expose: 'help' },
          { name: 'im-gateway', runtime: 'go', tag: '1.8.0', calls: ['ticket-center'] },
          { name: 'faq', runtime: 'go', tag: '1.0.3' },
          { name: 'lost-found', runtime: 'java', tag: '1.1.4', calls: ['ticket-center'] },
          { name: 'feedback', runtime: 'go', tag: '0.9.0' },
        ],
      },
    ],
  },
  {
    name: 'driver',
    displayName: 'Driver',
    description: 'Drivers: dispatch, ETA, live location, the driver app, onboarding and service scores',
    manager: 'zhao.lei',
    departments: orgChart('Driver', {
      leads: ['zhao.lei', 'qian.bin'],
      teams: [
        // Three levels: the dispatch algorithm group sits inside the dispatch team.
        team('dispatch', 'Dispatch team', ['feng.rui', 'cao.yang'], [team('dispatch-algo', 'Dispatch algorithms', ['yuan.hao', 'tang.xin'])]),
        team('driver-app', 'Driver app team', ['ye.fan', 'qin.lu']),
        team('onboarding', 'Driver onboarding team', ['jiang.wen']),
      ],
      qa: ['pan.li'],
      sre: ['deng.kai', 'shi.lei'],
      release: ['zhao.lei', 'shi.lei'],
    }),
    projects: [
      {
        name: 'driver-dispatch', displayName: 'Dispatch', description: 'Matching riders to drivers, ETA and live location', environments: ALL,
        quota: { production: { cpuRequestMillis: 48000, cpuLimitMillis: 192000, memoryRequestMiB: 98304, memoryLimitMiB: 196608, pods: 150 } },
        services: [
          { name: 'dispatch-engine', runtime: 'go', tag: '5.2.0', nextTag: '5.3.0-rc.1', grpc: true, size: 'L', calls: ['eta', 'driver-location', 'supply-heatmap', 'order/trip-state'], accepts: ['order'], replicas: { staging: 3, production: 12 }, critical: true },
          { name: 'eta', runtime: 'java', tag: '4.0.3', grpc: true, replicas: { production: 6 } },
          { name: 'driver-location', runtime: 'go', tag: '2.11.0', accepts: ['risk'], replicas: { production: 8 }, expose: 'driver-gw', critical: true },
          { name: 'supply-heatmap', runtime: 'go', tag: '1.6.2', calls: ['driver-location'] },
          { name: 'dispatch-config', runtime: 'java', tag: '1.2.0' },
          { name: 'order-broadcast', runtime: 'go', tag: '2.0.1', calls: ['dispatch-engine'], replicas: { production: 4 } },
        ],
      },
      {
        name: 'driver-app', displayName: 'Driver app', description: 'The back end of the driver app: profile, income, schedule, vehicles', environments: ALL,
        services: [
          { name: 'driver-bff', runtime: 'java', tag: '2.8.0', nextTag: '2.9.0-rc.1', calls: ['driver-profile', 'driver-income', 'driver-schedule', 'driver-notify'], replicas: { production: 4 }, expose: 'driver-api', critical: true },
          { name: 'driver-profile', runtime: 'go', tag: '1.12.3', grpc: true, accepts: ['payment'] },
          { name: 'driver-income', runtime: 'java', tag: '1.7.0', calls: ['payment/balance-ledger'] },
          { name: 'driver-schedule', runtime: 'go', tag: '0.9.2' },
          { name: 'vehicle-registry', runtime: 'java', tag: '1.3.1', calls: ['driver-profile'] },
          { name: 'driver-notify', runtime: 'go', tag: '1.9.3', env: { PUSH_PROVIDERS: 'apns,fcm,getui' } },
        ],
      },
      {
        // Onboarding has no staging rehearsal: it changes rarely and is tested end to end in test.
        name: 'driver-onboarding', displayName: 'Driver onboarding', description: 'Sign-up, documents and background checks', environments: ['development', 'test', 'production'],
        services: [
          { name: 'onboarding-portal', runtime: 'java', tag: '1.6.0', calls: ['document-ocr', 'background-check', 'training'], expose: 'join', critical: true },
          { name: 'background-check', runtime: 'go', tag: '0.12.4', env: { PROVIDER_TIMEOUT_SECONDS: '20' } },
          { name: 'document-ocr', runtime: 'go', tag: '0.6.0', size: 'M' },
          { name: 'training', runtime: 'java', tag: '0.4.2' },
        ],
      },
      {
        name: 'driver-quality', displayName: 'Service quality', description: 'Ratings and service scores of drivers', environments: ALL,
        services: [
          { name: 'driver-rating', runtime: 'go', tag: '1.5.0' },
          { name: 'service-score', runtime: 'java', tag: '2.1.0', calls: ['driver-rating'] },
        ],
      },
    ],
  },
  {
    name: 'order',
    displayName: 'Order',
    description: 'Trips: orders, trip state, pricing, carpooling, and the open API for partners',
    manager: 'sun.hui',
    departments: orgChart('Order', {
      leads: ['sun.hui'],
      teams: [
        team('trip', 'Trip team', ['wang.fang', 'liu.yang', 'zheng.hao']),
        team('pricing', 'Pricing team', ['han.mei', 'du.jun']),
        team('carpool', 'Carpool team', ['mo.xin']),
        team('open-platform', 'Open platform team', ['xie.na', 'fu.qiang']),
      ],
      qa: ['xu.ting', 'lu.qiang'],
      sre: ['shi.lei'],
      release: ['sun.hui', 'shi.lei'],
    }),
    projects: [
      {
        name: 'order-core', displayName: 'Orders', description: 'Order intake, the trip state machine and order history', environments: ALL,
        services: [
          { name: 'order-api', runtime: 'java', tag: '7.1.0', nextTag: '7.2.0-rc.1', calls: ['trip-state', 'pricing', 'passenger/rider-profile', 'driver/dispatch-engine', 'risk/risk-engine', 'payment/pay-api'], accepts: ['passenger'], replicas: { production: 6 }, expose: 'order-api', critical: true },
          { name: 'trip-state', runtime: 'go', tag: '3.3.2', grpc: true, accepts: ['driver', 'risk'], replicas: { production: 4 }, critical: true },
          { name: 'order-history', runtime: 'java', tag: '2.0.4', accepts: ['passenger'] },
          { name: 'order-cancel', runtime: 'java', tag: '1.9.0', calls: ['trip-state'] },
          { name: 'order-events', runtime: 'go', tag: '1.4.1', calls: ['trip-state'] },
          { name: 'trip-share', runtime: 'go', tag: '1.0.2', calls: ['trip-state'], expose: 'share' },
        ],
      },
      {
        name: 'order-pricing', displayName: 'Pricing', description: 'Fares, surge pricing and tolls', environments: ALL,
        services: [
          { name: 'pricing', runtime: 'java', tag: '2.9.0', calls: ['surge', 'fare-rules', 'toll-estimator', 'marketing/coupon'], replicas: { production: 4 }, critical: true },
          // Surge reads the open trips (demand) from the trip state machine.
          { name: 'surge', runtime: 'go', tag: '1.4.0', calls: ['trip-state'], env: { SURGE_WINDOW_SECONDS: '60' } },
          { name: 'fare-rules', runtime: 'java', tag: '3.2.1' },
          { name: 'toll-estimator', runtime: 'go', tag: '0.8.0' },
          { name: 'price-audit', runtime: 'java', tag: '1.0.5', calls: ['fare-rules'] },
        ],
      },
      {
        // Carpooling is rehearsed in staging like the rest, but does not run for partners.
        name: 'order-carpool', displayName: 'Carpool', description: 'Matching riders who share a route', environments: ALL,
        services: [
          { name: 'carpool-match', runtime: 'go', tag: '1.3.0', grpc: true, size: 'M', calls: ['carpool-route', 'trip-state'] },
          { name: 'carpool-route', runtime: 'go', tag: '1.1.2' },
          { name: 'carpool-seat', runtime: 'java', tag: '0.7.0', calls: ['carpool-match'] },
        ],
      },
      {
        // The open API for aggregator platforms and corporate-travel partners: integrated in test and staging,
        // served in production from both partner clusters only.
        name: 'order-open-api', displayName: 'Open API', description: 'Ordering rides on behalf of partner platforms', environments: ['test', 'staging', ...PARTNERS],
        services: [
          { name: 'open-gateway', runtime: 'java', tag: '1.2.0', calls: ['partner-auth', 'partner-order', 'partner-quote'], expose: 'open', hosts: { 'partner-aggregator': 'open.rides.example.com' }, critical: true },
          { name: 'partner-auth', runtime: 'go', tag: '1.0.4', grpc: true },
          { name: 'partner-order', runtime: 'java', tag: '1.2.0', grpc: true, calls: ['partner-callback', 'risk/kyc-verify'], accepts: ['payment'] },
          { name: 'partner-quote', runtime: 'go', tag: '0.9.0' },
          { name: 'partner-callback', runtime: 'go', tag: '0.9.1' },
          { name: 'partner-status-sync', runtime: 'go', tag: '0.4.3', calls: ['partner-callback'] },
        ],
      },
    ],
  },
  {
    name: 'payment',
    displayName: 'Payment',
    description: 'Payments: the payment API, payment channels, wallets, settlement, reconciliation and enterprise billing',
    manager: 'zhou.min',
    departments: orgChart('Payment', {
      leads: ['zhou.min'],
      teams: [
        team('checkout', 'Checkout team', ['yang.jie', 'gao.lin']),
        team('wallet', 'Wallet team', ['cheng.yi']),
        team('settlement', 'Settlement team', ['lv.qing', 'yin.hao']),
      ],
      qa: ['hu.bo'],
      sre: ['deng.kai'],
      release: ['zhou.min', 'deng.kai'],
    }),
    projects: [
      {
        name: 'payment-gateway', displayName: 'Payment gateway', description: 'The payment API and the adapters to payment channels', environments: ALL,
        services: [
          { name: 'pay-api', runtime: 'java', tag: '4.5.2', nextTag: '4.6.0-rc.3', calls: ['payment-router', 'cashier', 'risk/payment-risk'], accepts: ['order'], replicas: { production: 4 }, expose: 'pay', critical: true },
          { name: 'payment-router', runtime: 'go', tag: '2.2.0', grpc: true, calls: ['channel-adapter'] },
          { name: 'channel-adapter', runtime: 'java', tag: '3.0.7', env: { CHANNELS: 'alipay,wechatpay,unionpay' } },
          { name: 'cashier', runtime: 'java', tag: '2.3.1' },
          { name: 'refund', runtime: 'java', tag: '1.8.0', calls: ['payment-router'] },
          { name: 'pay-callback', runtime: 'go', tag: '1.6.0', calls: ['pay-api'], expose: 'pay-notify', critical: true },
        ],
      },
      {
        name: 'payment-wallet', displayName: 'Wallets', description: 'Rider and driver balances, top-ups and withdrawals', environments: ALL,
        services: [
          { name: 'wallet', runtime: 'java', tag: '3.4.0', grpc: true, calls: ['balance-ledger'], accepts: ['passenger'] },
          { name: 'balance-ledger', runtime: 'go', tag: '2.7.1', grpc: true, accepts: ['driver'], critical: true },
          { name: 'withdrawal', runtime: 'java', tag: '1.5.2', calls: ['balance-ledger'] },
          { name: 'top-up', runtime: 'java', tag: '1.3.0', calls: ['wallet'] },
        ],
      },
      {
        // Settlement runs against the test ledger at the earliest: no development namespace.
        name: 'payment-settlement', displayName: 'Settlement', description: 'Driver payouts, invoices, tax and daily reconciliation', environments: ['test', 'staging', 'production'],
        services: [
          { name: 'settlement', runtime: 'java', tag: '2.2.0' },
          // One reconciler per environment: it takes a ledger lock, so more replicas would only wait.
          {
            name: 'reconciliation', runtime: 'java', tag: '1.8.3', replicas: { staging: 1, production: 1 },
            waivers: { replicas: 'singleton: reconciles payments under a ledger lock, so a second replica would only wait for it' },
          },
          { name: 'driver-payout', runtime: 'java', tag: '1.4.0', calls: ['settlement', 'driver/driver-profile'] },
          { name: 'invoice', runtime: 'java', tag: '2.0.0', calls: ['settlement'] },
          { name: 'tax-report', runtime: 'go', tag: '0.6.1', calls: ['invoice'] },
        ],
      },
      {
        // Enterprise billing serves corporate travel only: monthly bills on the company's account.
        name: 'payment-enterprise', displayName: 'Enterprise billing', description: 'Monthly bills and credit limits of corporate-travel customers', environments: ['test', 'staging', 'partner-corporate'],
        services: [
          { name: 'enterprise-billing', runtime: 'java', tag: '1.1.0', calls: ['credit-limit', 'order/partner-order'], expose: 'billing', critical: true },
          { name: 'corp-invoice', runtime: 'java', tag: '1.0.2', calls: ['enterprise-billing'] },
          { name: 'credit-limit', runtime: 'go', tag: '0.5.0' },
        ],
      },
    ],
  },
  {
    name: 'marketing',
    displayName: 'Marketing',
    description: 'Marketing: campaigns and coupons, audience reach, loyalty points and in-app ads',
    manager: 'tian.ye',
    departments: orgChart('Marketing', {
      leads: ['tian.ye'],
      teams: [
        team('campaign', 'Campaign team', ['rao.jun', 'jin.yue']),
        team('loyalty', 'Loyalty team', ['xia.qi']),
        team('ads', 'Ads team', ['shen.bo', 'wei.na']),
      ],
      qa: ['lu.qiang'],
      sre: ['shi.lei'],
      release: ['tian.ye', 'shi.lei'],
    }),
    projects: [
      {
        name: 'marketing-campaign', displayName: 'Campaigns', description: 'Campaigns, coupons, promotion rules and A/B tests', environments: ALL,
        services: [
          { name: 'campaign-center', runtime: 'java', tag: '3.0.2', calls: ['promo-rules', 'coupon-issuer'], expose: 'campaign' },
          { name: 'coupon', runtime: 'go', tag: '2.5.0', grpc: true, calls: ['promo-rules'], accepts: ['passenger', 'order'], replicas: { production: 4 }, critical: true },
          { name: 'coupon-issuer', runtime: 'java', tag: '2.5.0', calls: ['coupon', 'risk/coupon-abuse'] },
          { name: 'promo-rules', runtime: 'java', tag: '1.9.1' },
          { name: 'ab-test', runtime: 'go', tag: '1.2.0' },
        ],
      },
      {
        name: 'marketing-reach', displayName: 'Reach', description: 'Audiences, and push and SMS campaigns to them', environments: ALL,
        services: [
          { name: 'audience', runtime: 'java', tag: '1.6.0', grpc: true, calls: ['passenger/rider-profile'] },
          { name: 'push-campaign', runtime: 'go', tag: '1.3.2', calls: ['audience', 'message-template'] },
          { name: 'sms-campaign', runtime: 'go', tag: '1.3.2', calls: ['audience', 'message-template'] },
          { name: 'message-template', runtime: 'java', tag: '0.8.0' },
        ],
      },
      {
        // Loyalty goes from test to production behind feature flags, like passenger growth, which calls it.
        name: 'marketing-loyalty', displayName: 'Loyalty', description: 'Points, the rewards mall and daily check-in', environments: ['development', 'test', 'production'],
        services: [
          { name: 'points', runtime: 'go', tag: '2.0.3', grpc: true, accepts: ['passenger'] },
          { name: 'rewards-mall', runtime: 'java', tag: '1.4.1', calls: ['points'], expose: 'rewards' },
          { name: 'member-benefit', runtime: 'java', tag: '1.0.0', calls: ['points'] },
          { name: 'check-in', runtime: 'go', tag: '0.6.2', calls: ['points'] },
        ],
      },
      {
        name: 'marketing-ads', displayName: 'Ads', description: 'In-app ads, their creatives and attribution', environments: ALL,
        services: [
          { name: 'ad-server', runtime: 'go', tag: '3.1.0', size: 'M', calls: ['creative-review', 'attribution'], replicas: { production: 4 }, expose: 'ads' },
          { name: 'ad-report', runtime: 'java', tag: '1.2.2', calls: ['attribution'] },
          { name: 'creative-review', runtime: 'java', tag: '1.0.4' },
          { name: 'attribution', runtime: 'go', tag: '0.9.3' },
        ],
      },
    ],
  },
  {
    name: 'risk',
    displayName: 'Risk',
    description: 'Risk and safety: the decision engine, anti-fraud, trip safety and compliance checks',
    manager: 'qiu.feng',
    departments: orgChart('Risk', {
      leads: ['qiu.feng'],
      teams: [
        team('decision', 'Decision engine team', ['lei.ming', 'hou.jie']),
        team('antifraud', 'Anti-fraud team', ['bao.xin']),
        team('safety', 'Trip safety team', ['tao.ran', 'xiang.yu']),
      ],
      qa: ['pan.li'],
      sre: ['deng.kai'],
      release: ['qiu.feng', 'deng.kai'],
    }),
    projects: [
      {
        name: 'risk-engine', displayName: 'Decision engine', description: 'Risk decisions over rules, device fingerprints and block lists', environments: ALL,
        services: [
          { name: 'risk-engine', runtime: 'go', tag: '4.2.0', grpc: true, size: 'M', calls: ['rule-center', 'device-fingerprint', 'blacklist', 'decision-log'], accepts: ['order'], replicas: { production: 6 }, critical: true },
          { name: 'rule-center', runtime: 'java', tag: '2.3.0', expose: 'risk-rules' },
          { name: 'decision-log', runtime: 'go', tag: '1.1.1' },
          { name: 'device-fingerprint', runtime: 'go', tag: '1.7.0', grpc: true },
          { name: 'blacklist', runtime: 'go', tag: '1.4.4', grpc: true },
        ],
      },
      {
        name: 'risk-antifraud', displayName: 'Anti-fraud', description: 'Payment risk, coupon abuse and fake orders', environments: ALL,
        services: [
          { name: 'fraud-detect', runtime: 'java', tag: '3.0.0', grpc: true, size: 'L', calls: ['risk-engine'] },
          { name: 'payment-risk', runtime: 'go', tag: '2.1.0', grpc: true, calls: ['fraud-detect'], accepts: ['payment'], critical: true },
          { name: 'coupon-abuse', runtime: 'go', tag: '1.2.3', calls: ['fraud-detect'], accepts: ['marketing'] },
          { name: 'fake-order', runtime: 'java', tag: '1.5.0', calls: ['fraud-detect'] },
        ],
      },
      {
        name: 'risk-safety', displayName: 'Trip safety', description: 'Trip monitoring, route deviation, SOS and face checks', environments: ALL,
        services: [
          { name: 'trip-monitor', runtime: 'java', tag: '2.4.0', calls: ['route-deviation', 'order/trip-state'] },
          { name: 'route-deviation', runtime: 'go', tag: '1.3.0', calls: ['driver/driver-location'] },
          { name: 'sos-center', runtime: 'java', tag: '1.9.2', calls: ['trip-monitor', 'audio-evidence', 'passenger/emergency-contact'], expose: 'sos', critical: true },
          { name: 'audio-evidence', runtime: 'go', tag: '0.8.1' },
          { name: 'driver-face-check', runtime: 'go', tag: '1.0.0', size: 'M' },
        ],
      },
      {
        // KYC and sanction screening of partners' riders: tested in test and staging, run on the partner clusters.
        name: 'risk-compliance', displayName: 'Compliance', description: 'KYC and sanction screening for partner orders', environments: ['test', 'staging', ...PARTNERS],
        services: [
          { name: 'kyc-verify', runtime: 'go', tag: '1.1.0', grpc: true, calls: ['sanction-screen'], accepts: ['order'] },
          { name: 'sanction-screen', runtime: 'java', tag: '0.9.4' },
          { name: 'compliance-report', runtime: 'java', tag: '0.4.0', calls: ['kyc-verify'] },
        ],
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------------------------
// 5. Delivery. "Their own internal DevOps platform builds artifacts and, for containers, only publishes the
//    image and scales replicas; KubeSphere takes over after release." The internal platform runs GitLab CI:
//    every service gets a generated `.gitlab-ci.yml` (`_gitlab-ci/<domain>/<service>.gitlab-ci.yml` in the
//    output) that builds and unit-tests its repository with its runtime's builder, publishes
//    `harbor.rides.example.com/<domain>/<service>:<commit>`, and releases it through the environments of its
//    project in the platform's promotion order — development → test → staging → production → the partner clusters,
//    the order of ENVIRONMENTS — with the domain's release managers approving each production environment.
//    Releasing pins the tag (releases/<env>.json), synthesizes this program and pushes the output to the estate
//    repository; from there KubeSphere takes over: its GitOps (the default on KubeSphere) syncs each cluster's
//    folder. No KubeSphere DevOps project: the builds stay on the internal platform.
// ---------------------------------------------------------------------------------------------------------

const GITLAB = 'https://gitlab.rides.example.com';

const DELIVERY = {
  /** This program's repository: the estate's code and its synthesized output (`dist/<cluster>`), which GitOps syncs. */
  estate: { repository: `${GITLAB}/platform/estate.git`, credential: Credential.basicAuth('estate-git') },
  /** The services' repositories are `<GITLAB>/<domain>/<service>.git` (GitLab CI checks them out itself). */
  sourceCredential: Credential.basicAuth('gitlab'),
  /** Harbor robot accounts, one per domain's Harbor project, set as CI/CD variables of each domain's GitLab group. */
  registryCredential: Credential.basicAuth('harbor-robot'),
} as const;

/** How a runtime is built and unit-tested, with JUnit reports. GitLab CI starts every job from a fresh checkout. */
const BUILDERS: Record<Runtime, { readonly image: Image; readonly build: readonly string[]; readonly unitTests: readonly string[]; readonly report: string }> = {
  java: {
    image: harbor.image('ci/maven', '3.9.9-eclipse-temurin-21'),
    build: ['mvn -B -DskipTests package'],
    unitTests: ['mvn -B test'],
    report: 'target/surefire-reports/*.xml',
  },
  go: {
    image: harbor.image('ci/golang', '1.23.4-bookworm'),
    build: ['go vet ./...', 'go build ./...'],
    unitTests: ['go run gotest.tools/gotestsum@v1.12.0 --junitfile reports/unit-tests.xml -- ./...'],
    report: 'reports/unit-tests.xml',
  },
};

// ---------------------------------------------------------------------------------------------------------
// 6. Previews. "In the development environment developers have enough rights to create, update and delete
//    non-baseline environments themselves, without knowing the underlying architecture, so features are
//    developed and tested in parallel." A preview runs a branch's build of some services beside the development
//    baseline, on dev-bj1, in namespaces of its own (`<project>-pv-<slug>`, `<slug>` the branch as a DNS label),
//    at one replica and half the baseline's quota. Its owner — a department or a developer of the services'
//    domain — is admin there, and nobody else is granted anything. After its last day, synthesis leaves it out
//    and GitOps prunes it. The services it calls and does not run are the baseline's (BASELINE), or, with CLONE,
//    run in the preview too (those of the same domain, recursively).
//
//    The table holds the previews declared in code. Developers add theirs without editing this file: a
//    merge-request job runs `platform-cdk preview create` (a file in the estate's `previews/` folder, which the
//    program reads), or a one-off synth describes one in PREVIEW_BRANCH, PREVIEW_IMAGES, … (see the README).
// ---------------------------------------------------------------------------------------------------------

/** The environment previews derive from and run beside (a development environment, on a cluster of its own). */
const PREVIEW_BASELINE: EnvName = 'development';

interface BranchPreview {
  readonly branch: string;
  /** A department of the services' domain, or `user:<name>` (as `platform-cdk preview create --owner` takes it). */
  readonly owner: string;
  /** The last day it runs, `YYYY-MM-DD`. */
  readonly expires: string;
  /** The services the branch changes, by name: its build's image tag, and configuration over the baseline's. */
  readonly services: Record<string, PreviewOverride>;
  /** Where the services it runs find those they call. */
  readonly dependencies: PreviewDependencies;
}

const PREVIEWS: readonly BranchPreview[] = [
  // The rider app team's new login flow: only rider-bff changes; it calls the baseline's rider-profile, rider-auth and
  // rider-notify, and order-api and coupon of the order and marketing domains (which accept the passenger domain).
  {
    branch: 'feature/rider-login', owner: 'rider-app', expires: '2026-12-20', dependencies: PreviewDependencies.BASELINE,
    services: { 'rider-bff': { tag: 'sha-4f2a91c', config: { values: { LOGIN_FLOW: 'sms-otp-v2' } } } },
  },
  // A new surge model in pricing: what it calls in its domain (surge, fare-rules, toll-estimator, and trip-state,
  // which surge calls) is cloned into the preview, so that the experiment's load and trip state stay out of the
  // baseline; coupon, of the marketing domain, is the baseline's.
  {
    branch: 'feature/surge-model', owner: 'user:han.mei', expires: '2027-01-15', dependencies: PreviewDependencies.CLONE,
    services: { pricing: { tag: 'sha-91be02d' } },
  },
];

// ---------------------------------------------------------------------------------------------------------
// Health checks per runtime: Spring Boot's actuator groups for Java (with a startup probe, as the JVM starts
// slowly), /readyz and /healthz for Go.
// ---------------------------------------------------------------------------------------------------------

const PROBES: Record<Runtime, { readiness: Probe; liveness: Probe; startup?: Probe }> = {
  java: {
    readiness: Probe.http('/actuator/health/readiness', { period: Duration.seconds(5) }),
    liveness: Probe.http('/actuator/health/liveness', { period: Duration.seconds(10), timeout: Duration.seconds(2) }),
    startup: Probe.http('/actuator/health/liveness', { period: Duration.seconds(5), failureThreshold: 36 }),
  },
  go: {
    readiness: Probe.http('/readyz', { period: Duration.seconds(5) }),
    liveness: Probe.http('/healthz'),
  },
};

/** Per-environment variables of each runtime: the Spring profile, or the log level. */
function runtimeEnv(runtime: Runtime, env: EnvName): Record<string, string> {
  return runtime === 'java' ? { SPRING_PROFILES_ACTIVE: env } : { LOG_LEVEL: env === 'development' ? 'debug' : 'info' };
}

// ---------------------------------------------------------------------------------------------------------
// 7. Observability. "Monitoring, logging and events are integrated per application." Every service is scraped
//    by KubeSphere's Prometheus (a ServiceMonitor; Spring Boot's actuator for Java, /metrics for Go), has the
//    standard alerts (replicas unavailable for 10 minutes, restarting more than 3 times in 15 minutes), and
//    writes JSON logs that KubeSphere's logging parses, each record labelled with tenant, project, service and
//    environment. Services that serve users or partners directly (`critical`) also alert on their error rate,
//    over each runtime's request counter. Events need nothing: KubeSphere shows a project's events to whoever
//    may see the project.
// ---------------------------------------------------------------------------------------------------------

const OBSERVABILITY: Record<Runtime, { readonly metrics: MetricsOptions; readonly errorRate: ErrorRateOptions; readonly logs: LogOptions }> = {
  java: {
    metrics: { path: '/actuator/prometheus', interval: Duration.seconds(30) },
    // Micrometer's HTTP server timer, by status code.
    errorRate: { threshold: 0.02, metric: 'http_server_requests_seconds_count', status: { label: 'status', failures: '5..' } },
    logs: { format: LogFormat.JSON },
  },
  go: {
    metrics: { path: '/metrics', interval: Duration.seconds(30) },
    // The Prometheus client's HTTP handler counter, by code.
    errorRate: { threshold: 0.02, metric: 'http_requests_total', status: { label: 'code', failures: '5..' } },
    logs: { format: LogFormat.JSON },
  },
};

// --- Alert routing: who is paged, per domain and environment (docs/alerts.md) ---------------------------------
// A domain's SRE department operates staging, production and the partner clusters (ACCESS), so its members are on
// call there: critical alerts reach them on WeCom and by e-mail, warnings by e-mail. In test, alerts go to the
// domain's R&D leads by e-mail, twice a day at most; development sends none (developers watch the console).
// Credentials are keys of the `alerting` Secret in the notification manager's namespace on the host.
const ALERTING = {
  oncall: ['staging', 'production', 'partner-aggregator', 'partner-corporate'] as EnvName[],
  team: ['test'] as EnvName[],
  mailDomain: 'rides.example.com',
  smtp: { host: 'smtp.rides.example.com', port: 587 },
  wecom: { corpId: 'ww5f3c9e2a7b1d4086', agentId: '1000017' },
};

/** Routes a domain's alerts: its SRE on call where it operates, its R&D leads in test. */
function routeDomainAlerts(tenant: Tenant, d: DomainSpec): void {
  const members = (kind: DepartmentKind): string[] => d.departments.filter((x) => x.kind === kind).flatMap((x) => [...x.members]);
  const secret = ExistingSecret.named('alerting');
  const mail = (to: string[]): Channel => Channel.email({ to: to.map((u) => `${u}@${ALERTING.mailDomain}`), from: `alerts@${ALERTING.mailDomain}`, smtp: ALERTING.smtp, username: 'alerts', password: secret.key('smtp-password') });
  const placed = (envs: EnvName[]): EnvName[] => envs.filter((e) => d.projects.some((p) => p.environments.includes(e)));
  tenant.routeAlerts('oncall', {
    environments: placed(ALERTING.oncall),
    receivers: { wecom: Channel.weCom({ ...ALERTING.wecom, apiSecret: secret.key('wecom-api-secret'), toUser: members('sre') }), mail: mail(members('sre')) },
    routes: [{ receivers: ['wecom'], severities: [AlertSeverity.CRITICAL] }, { receivers: ['mail'] }],
  });
  tenant.routeAlerts('team', { environments: placed(ALERTING.team), repeatInterval: Duration.hours(12), receivers: { mail: mail(members('lead')) } });
}
// --- end of alert routing ----------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------------
// The estate, built from the tables.
// ---------------------------------------------------------------------------------------------------------

/** Builds the ride-hailing estate of Case B. */
export function build(): Platform {
  // Releases move through the environments in the order of ENVIRONMENTS (the platform's default promotion order).
  const platform = new Platform('ride-hailing', {
    defaultResources: { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 },
    // KubeSphere's installation files for every cluster (_install/<cluster>/: ks-core values, and on the host one
    // InstallPlan per extension, placed where the model needs it). Developers read logs, monitoring and events of
    // their applications in KubeSphere, so events are on too (nothing in the model asks for them by itself).
    install: {},
    features: { [Feature.EVENTS]: true },
  });

  // 1. The host: KubeSphere's control plane, in no environment (it is a Pulumi stack of its own, `host`).
  //    No labels: the host's own Cluster object is KubeSphere's (the installer creates it), so labels given
  //    here would be written nowhere.
  platform.addCluster(HOST_CLUSTER, {
    role: ClusterRole.HOST,
    description: 'KubeSphere control plane: workspaces, IAM and the member clusters; no business workloads',
  });
  for (const c of MEMBER_CLUSTERS) {
    platform.addCluster(c.name, {
      role: ClusterRole.MEMBER,
      group: ENVIRONMENTS.find((e) => e.name === c.environment)?.group,
      partner: c.partner,
      labels: { [REGION_LABEL]: c.region },
      ingressClassName: 'nginx',
      description: c.description,
    });
  }

  // 2. Environments, each on the member clusters that serve it.
  const environments = new Map<EnvName, Environment>();
  for (const e of ENVIRONMENTS) {
    environments.set(e.name, platform.addEnvironment(e.name, {
      clusters: MEMBER_CLUSTERS.filter((c) => c.environment === e.name).map((c) => c.name),
      domain: e.domain,
      production: e.production,
      replicas: e.replicas,
      tls: e.tls,
      resources: e.resources,
      projectQuota: e.projectQuota,
    }));
  }

  // 3 + 4. One tenant per business domain: its org chart and grants, then its projects and services, each
  //        service with its release pipeline, approved for production by the domain's release managers.
  const tenants = new Map<DomainName, Tenant>();
  const services = new Map<string, Added>();
  for (const d of DOMAINS) {
    const tenant = platform.addTenant(d.name, { manager: d.manager, displayName: d.displayName, description: d.description, quota: DOMAIN_QUOTA });
    tenants.set(d.name, tenant);
    const audit = tenant.addDepartment('audit', { displayName: `${d.displayName} audit`, members: [...AUDITORS] });
    grantProfile(tenant, audit, ACCESS.auditor);
    const departments = d.departments.map((spec) => ({ kind: spec.kind, department: addDepartment(tenant, tenant, spec) }));
    const approvers = departments.find((x) => x.kind === 'release')?.department;
    if (!approvers) throw new Error(`domain ${d.name} needs a department of kind "release": it approves releases to production`);
    for (const p of d.projects) {
      for (const added of addProject(tenant, p, approvers)) services.set(`${d.name}/${added.spec.name}`, added);
    }
  }
  // The calls between services, within and across domains, each callee accepting the domains it names.
  connectCalls(services, tenants);
  for (const d of DOMAINS) routeDomainAlerts(tenants.get(d.name) as Tenant, d); // alert routing (above)

  // 5. Delivery: GitLab CI builds and releases (the files of the pipelines above); KubeSphere's GitOps, the
  //    default on KubeSphere, syncs each cluster's folder of the estate repository.
  platform.configureDelivery({ estate: DELIVERY.estate, ci: [CiSystem.GITLAB_CI] });

  // A person outside every department: the payment domain's external PCI DSS assessor sees the payment
  // workspace, and audits the payment gateway in production only.
  const payment = tenants.get('payment') as Tenant;
  const assessor = User.named('pci.assessor');
  payment.grant(assessor, WorkspaceRole.VIEWER);
  payment.projects.find((p) => p.name === 'payment-gateway')?.grant(assessor, AUDITOR, { environments: ['production'] });

  // 6. Previews: those of the table; those of the estate's previews folder (`previews/<slug>.json`, written by
  //    `platform-cdk preview create`; relative to the working directory, the estate repository's root); and the
  //    one a CI job describes in its environment (PREVIEW_BRANCH, PREVIEW_IMAGES, PREVIEW_OWNER, PREVIEW_EXPIRES).
  for (const p of PREVIEWS) {
    platform.addPreview(p.branch, { baseline: PREVIEW_BASELINE, owner: ownerFromText(p.owner), expires: p.expires, services: p.services, dependencies: p.dependencies });
  }
  platform.loadPreviews();
  platform.addPreviewFromEnvironment({ baseline: PREVIEW_BASELINE });

  // What the model does not say, one level down: right-sizing recommendations for dispatch (hatches.ts).
  addEscapeHatches(platform);
  return platform;
}

/** A service added from its row. */
interface Added {
  readonly domain: DomainName;
  readonly spec: ServiceSpec;
  readonly service: AppService;
}

/**
 * Adds a department (and the teams inside it) with the grants of its kind. Every department is granted its own
 * roles: R&D (the leads) and the teams inside it get different ones, and nothing here relies on a parent
 * department's roles reaching the teams inside it.
 */
function addDepartment(tenant: Tenant, parent: Tenant | Department, spec: DepartmentSpec): Department {
  const department = parent.addDepartment(spec.name, { displayName: spec.displayName, members: [...spec.members] });
  grantProfile(tenant, department, ACCESS[spec.kind]);
  for (const t of spec.teams ?? []) addDepartment(tenant, department, t);
  return department;
}

/**
 * Grants a department its workspace role, and its project roles in every project of the tenant, one grant
 * per role with the environments it applies in (e.g. operator in development and test).
 */
function grantProfile(tenant: Tenant, department: Department, profile: AccessProfile): void {
  tenant.grant(department, profile.workspace);
  const byRole = new Map<ProjectRole, EnvName[]>();
  for (const [env, role] of Object.entries(profile.projects) as [EnvName, ProjectRole][]) {
    byRole.set(role, [...(byRole.get(role) ?? []), env]);
  }
  for (const [role, envs] of byRole) tenant.grantInProjects(department, role, { environments: envs });
  if (profile.selfProvisioning) tenant.allowSelfProvisioning(department, [...profile.selfProvisioning]);
}

/**
 * Adds a project and its services, placed in its environments, each with its observability and release
 * pipeline; returns the services.
 */
function addProject(tenant: Tenant, spec: ProjectSpec, approvers: Department): Added[] {
  const project = tenant.addProject(spec.name, {
    environments: [...spec.environments],
    displayName: spec.displayName,
    description: spec.description,
  });
  for (const [env, quota] of Object.entries(spec.quota ?? {}) as [EnvName, ProjectQuota][]) project.quotaIn(env, quota);
  const added: Added[] = [];

  for (const s of spec.services) {
    const image = harbor.image(`${tenant.name}/${s.name}`, s.tag);
    const probes = PROBES[s.runtime];
    const observability = OBSERVABILITY[s.runtime];
    const service = project.addService(s.name, {
      image,
      runAsUser: 1000,
      ports: s.grpc ? [{ port: 8080 }, { port: 9090, name: 'grpc' }] : [{ port: 8080 }],
      readiness: probes.readiness,
      liveness: probes.liveness,
      startup: probes.startup,
      env: { ...s.env },
      metrics: { port: 'http', ...observability.metrics },
      alerts: s.critical ? { errorRate: observability.errorRate } : true,
      logs: observability.logs,
      waivers: s.waivers,
    });
    const size = SIZES[s.size ?? DEFAULT_SIZE[s.runtime]];
    for (const env of spec.environments) {
      const preRelease = s.nextTag !== undefined && (env === 'development' || env === 'test');
      const scaledElsewhere = SCALED_BY_DEVOPS_PLATFORM.includes(env) && s.waivers?.replicas === undefined;
      service.inEnvironment(env, {
        replicas: scaledElsewhere ? Replicas.external({ min: s.replicas?.[env], owner: 'the internal DevOps platform' }) : s.replicas?.[env],
        resources: PRODUCTION_SIZED.includes(env) ? size : undefined,
        image: preRelease ? image.withTag(s.nextTag as string) : undefined,
        env: runtimeEnv(s.runtime, env),
      });
    }
    if (s.expose) service.expose({ subdomain: s.expose, hosts: s.hosts as Record<string, string> | undefined });

    // Release: build, unit tests, image, then development → … → production in the promotion order (the
    // project's environments), approved before each production environment.
    const builder = BUILDERS[s.runtime];
    service.addPipeline({
      source: { repository: `${GITLAB}/${tenant.name}/${s.name}.git`, credential: DELIVERY.sourceCredential },
      build: { image: builder.image, commands: [...builder.build] },
      unitTests: { commands: [...builder.unitTests], report: builder.report },
      registryCredential: DELIVERY.registryCredential,
      approval: { approvers },
    });
    added.push({ domain: tenant.name as DomainName, spec: s, service });
  }
  return added;
}

/**
 * Lets every service accept calls from the domains its row names, then connects every service to the services
 * it calls (`<service>` of its domain, or `<domain>/<service>`), on their gRPC port where they have one.
 */
function connectCalls(services: ReadonlyMap<string, Added>, tenants: ReadonlyMap<DomainName, Tenant>): void {
  for (const { spec, service } of services.values()) {
    if (spec.accepts) service.acceptFrom(...spec.accepts.map((d) => tenants.get(d) as Tenant));
  }
  for (const { domain, spec, service } of services.values()) {
    for (const call of spec.calls ?? []) {
      const target = services.get(call.includes('/') ? call : `${domain}/${call}`);
      if (!target) throw new Error(`service ${domain}/${spec.name} calls ${call}, which is no service of the DOMAINS table`);
      service.connectsTo(target.service, { port: target.spec.grpc ? 'grpc' : undefined });
    }
  }
}

synthesizeApp(build);
