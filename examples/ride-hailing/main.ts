/**
 * Case B of CASES.md as code: a ride-hailing company that runs everything in containers on many clusters,
 * all managed from one KubeSphere host cluster, with one workspace (tenant) per business domain and
 * departments that get different rights in different environments.
 *
 *   CDK8S_OUTDIR=/tmp/ride-hailing npx tsx examples/ride-hailing/main.ts   # one folder per cluster
 *
 * How to read it: the estate is generated from the tables below (plain data), in the order a platform
 * engineer thinks about it —
 *   1. CLUSTERS      the host (control plane only) and the members, labelled by environment and partner;
 *   2. ENVIRONMENTS  development → test → staging → production, plus `partner` (see the note there);
 *   3. ACCESS        what each kind of department may do, per environment (one table for every domain);
 *   4. DOMAINS       the business domains: manager, quota, org chart, projects and their services;
 *   5. DELIVERY, BUILDERS  the GitLab CI release pipeline of every service, and how each runtime is built;
 *   6. PREVIEWS     the branches running beside the development baseline (and those a CI job or the
 *                   `previews/` folder adds).
 * Adding a service, a team, a member or a preview is one line in a table (a service's pipeline comes with it);
 * nothing below the tables needs to change.
 */
import {
  AppService,
  CiSystem,
  ClusterRole,
  Credential,
  Department,
  Duration,
  Environment,
  Image,
  Issuer,
  ownerFromText,
  Platform,
  PreviewDependencies,
  PreviewOverride,
  Probe,
  ProjectQuota,
  ProjectRole,
  Registry,
  Resources,
  synthesizeApp,
  Tenant,
  Tls,
  User,
  Waivers,
  WorkspaceRole,
} from 'platform-cdk';

// ---------------------------------------------------------------------------------------------------------
// 1. Clusters. "One host cluster acts as the control plane for member clusters and pushes management policies
//    to them. Member clusters are split by environment … and by tenant nature: some clusters serve
//    third-party business partners." The host runs KubeSphere only, so it is in no environment: it holds
//    the workspaces, departments and grants, and registers the members, but runs no business workload.
// ---------------------------------------------------------------------------------------------------------

/** The names of the environments, in the order a release goes through them. */
type EnvName = 'development' | 'test' | 'staging' | 'production' | 'partner';

/**
 * The label keys the platform team puts on the member clusters' KubeSphere `Cluster` objects, so that tooling and
 * policies pushed from the host can tell environments and partner-facing clusters apart.
 */
const LABEL = {
  environment: 'rides.example.com/environment',
  partner: 'rides.example.com/partner',
  region: 'rides.example.com/region',
} as const;

/** A member cluster: the environment it serves, and whether it serves third-party partners. */
interface MemberClusterSpec {
  readonly name: string;
  readonly environment: EnvName;
  readonly partner: boolean;
  readonly description: string;
}

const HOST_CLUSTER = 'host';

const MEMBER_CLUSTERS: readonly MemberClusterSpec[] = [
  { name: 'dev-bj1', environment: 'development', partner: false, description: 'Development: feature work, self-service projects for developers' },
  { name: 'test-bj1', environment: 'test', partner: false, description: 'Test: integration and QA of every domain' },
  { name: 'staging-bj1', environment: 'staging', partner: false, description: 'Pre-production: production-sized rehearsal of each release' },
  { name: 'prod-bj1', environment: 'production', partner: false, description: 'Production: the rider and driver apps' },
  { name: 'partner-bj1', environment: 'partner', partner: true, description: 'Production for third-party business partners (aggregator platforms, corporate travel)' },
];

// ---------------------------------------------------------------------------------------------------------
// 2. Environments and their defaults. Each environment is one member cluster; development is small
//    (one replica, small containers, small project quotas), production is large.
//
//    `partner` is production too (production: true), on the partner cluster. It is a deployment environment
//    of its own only because a project is placed per environment, on every cluster of that environment: had
//    production spanned prod-bj1 and partner-bj1, every production project would land on the partner
//    cluster. Its cluster is labelled environment=production, partner=true.
//
//    Both production environments serve their hosts over HTTPS: cert-manager issues each exposed service a
//    certificate from the `letsencrypt` ClusterIssuer.
// ---------------------------------------------------------------------------------------------------------

/** The certificates of exposed hosts in production-like environments. */
const PUBLIC_TLS = Tls.certManager(Issuer.cluster('letsencrypt'));

interface EnvironmentSpec {
  readonly name: EnvName;
  readonly domain: string;
  readonly production?: boolean;
  readonly replicas: number;
  /** The certificate of exposed hosts, if they are served over HTTPS. */
  readonly tls?: Tls;
  /** Container defaults in this environment (a service's production sizing applies in production-like ones). */
  readonly resources?: Resources;
  /** The quota of every project namespace in this environment. */
  readonly projectQuota: ProjectQuota;
}

const ENVIRONMENTS: readonly EnvironmentSpec[] = [
  {
    name: 'development',
    domain: 'dev.rides.example.com',
    replicas: 1,
    resources: { cpuRequestMillis: 50, cpuLimitMillis: 500, memoryRequestMiB: 256, memoryLimitMiB: 512 },
    projectQuota: { cpuRequestMillis: 2000, cpuLimitMillis: 8000, memoryRequestMiB: 4096, memoryLimitMiB: 8192, pods: 20 },
  },
  {
    name: 'test',
    domain: 'test.rides.example.com',
    replicas: 1,
    projectQuota: { cpuRequestMillis: 4000, cpuLimitMillis: 12000, memoryRequestMiB: 8192, memoryLimitMiB: 16384, pods: 30 },
  },
  {
    name: 'staging',
    domain: 'staging.rides.example.com',
    replicas: 2,
    projectQuota: { cpuRequestMillis: 8000, cpuLimitMillis: 32000, memoryRequestMiB: 16384, memoryLimitMiB: 32768, pods: 40 },
  },
  {
    name: 'production',
    domain: 'rides.example.com',
    production: true,
    replicas: 3,
    tls: PUBLIC_TLS,
    projectQuota: { cpuRequestMillis: 16000, cpuLimitMillis: 64000, memoryRequestMiB: 32768, memoryLimitMiB: 65536, pods: 100 },
  },
  {
    name: 'partner',
    domain: 'partner.rides.example.com',
    production: true,
    replicas: 2,
    tls: PUBLIC_TLS,
    projectQuota: { cpuRequestMillis: 8000, cpuLimitMillis: 32000, memoryRequestMiB: 16384, memoryLimitMiB: 32768, pods: 40 },
  },
];

/** Where a service runs at its production size (its `resources` in the table); elsewhere the environment's defaults. */
const PRODUCTION_SIZED: readonly EnvName[] = ['staging', 'production', 'partner'];

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

const ACCESS: Record<DepartmentKind, AccessProfile> = {
  // R&D leads: own the projects in development and test, release in staging, look but do not touch in production.
  lead: {
    workspace: WorkspaceRole.REGULAR,
    projects: { development: ProjectRole.ADMIN, test: ProjectRole.ADMIN, staging: ProjectRole.OPERATOR, production: TROUBLESHOOTER, partner: TROUBLESHOOTER },
  },
  // Developers: "in the development environment developers have enough rights to create, update and delete
  // non-baseline environments themselves" — self-provisioners in development only (bound on dev-bj1, not on the
  // host, where the role would reach every cluster), regular members of the workspace elsewhere, operators in
  // development and test, viewers (logs, monitoring, events) in staging and production. Their previews (6.) are
  // owned by their department, or by one of them.
  developer: {
    workspace: WorkspaceRole.REGULAR,
    selfProvisioning: ['development'],
    projects: { development: ProjectRole.OPERATOR, test: ProjectRole.OPERATOR, staging: ProjectRole.VIEWER, production: ProjectRole.VIEWER, partner: ProjectRole.VIEWER },
  },
  // QA: run the test environment and rehearse releases in staging; no production access.
  tester: {
    workspace: WorkspaceRole.REGULAR,
    projects: { development: ProjectRole.VIEWER, test: ProjectRole.OPERATOR, staging: ProjectRole.OPERATOR },
  },
  // SRE: operate everything production-like (scale, restart, open a container console); watch the rest.
  sre: {
    workspace: SRE_WORKSPACE,
    projects: { development: ProjectRole.VIEWER, test: ProjectRole.VIEWER, staging: ProjectRole.OPERATOR, production: ProjectRole.OPERATOR, partner: ProjectRole.OPERATOR },
  },
  // Internal audit: workspace viewers; the audit role in production only.
  auditor: {
    workspace: WorkspaceRole.VIEWER,
    projects: { production: AUDITOR, partner: AUDITOR },
  },
  // Release managers: approve every release to a production environment (production, partner) in the release
  // pipelines; they see the staging rehearsal and production to judge it. Their other rights come from their
  // other departments.
  release: {
    workspace: WorkspaceRole.VIEWER,
    projects: { staging: ProjectRole.VIEWER, production: ProjectRole.VIEWER, partner: ProjectRole.VIEWER },
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
//    Delivery: the internal DevOps platform builds the images into Harbor and "only publishes the image and
//    scales replicas"; here that is the pinned tag (production's), the release candidate that development and
//    test run (`nextTag`), and the replicas per environment.
// ---------------------------------------------------------------------------------------------------------

const harbor = Registry.at('harbor.rides.example.com');

/** How the service's runtime reports health. */
type Runtime = 'java' | 'go';

interface ServiceSpec {
  readonly name: string;
  readonly runtime: Runtime;
  /** The tag running in staging and production (images are `harbor.rides.example.com/<domain>/<name>`). */
  readonly tag: string;
  /** The release candidate running in development and test, if one is being tested. */
  readonly nextTag?: string;
  /** A gRPC port next to HTTP 8080, for calls between services. */
  readonly grpc?: boolean;
  /**
   * The services of the same domain it calls, by name: it gets `<NAME>_HOST` and `<NAME>_PORT` (the gRPC port
   * where the target has one), and the network policies open exactly those paths.
   */
  readonly calls?: readonly string[];
  /** Replicas where they differ from the environment's default. */
  readonly replicas?: Partial<Record<EnvName, number>>;
  /** Container size in staging and production (`PRODUCTION_SIZED`); elsewhere the environment's defaults. */
  readonly resources?: Resources;
  /** Exposed at `<subdomain>.<environment domain>`, or at `hosts[env]` where given. */
  readonly expose?: { readonly subdomain: string; readonly hosts?: Partial<Record<EnvName, string>> };
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
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  /** The workspace's manager (its admin). */
  readonly manager: string;
  /** What all the domain's namespaces on one cluster may use together. */
  readonly quota: ProjectQuota;
  /**
   * The org chart, besides the audit department every domain has. One top-level department of kind `release`
   * approves the domain's releases to production.
   */
  readonly departments: readonly DepartmentSpec[];
  readonly projects: readonly ProjectSpec[];
}

const JAVA_SIZE: Resources = { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 1024, memoryLimitMiB: 2048 };
const GO_SIZE: Resources = { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 };
const ALL: readonly EnvName[] = ['development', 'test', 'staging', 'production'];
const DOMAIN_QUOTA: ProjectQuota = { cpuRequestMillis: 48000, cpuLimitMillis: 160000, memoryRequestMiB: 98304, memoryLimitMiB: 196608, pods: 300 };

const DOMAINS: readonly DomainSpec[] = [
  {
    name: 'passenger',
    displayName: 'Passenger',
    description: 'Riders: the rider app back end, profiles, notifications, growth campaigns',
    manager: 'li.ming',
    quota: DOMAIN_QUOTA,
    departments: [
      {
        name: 'rd', displayName: 'Passenger R&D', kind: 'lead', members: ['li.ming', 'wu.tao'],
        teams: [
          { name: 'rider-app', displayName: 'Rider app team', kind: 'developer', members: ['chen.yu', 'lin.xiao', 'guo.peng'] },
          { name: 'growth', displayName: 'Growth team', kind: 'developer', members: ['ma.li', 'song.jia'] },
        ],
      },
      { name: 'qa', displayName: 'Passenger QA', kind: 'tester', members: ['xu.ting', 'hu.bo'] },
      { name: 'sre', displayName: 'Passenger SRE', kind: 'sre', members: ['deng.kai'] },
      { name: 'release', displayName: 'Passenger release managers', kind: 'release', members: ['li.ming', 'deng.kai'] },
    ],
    projects: [
      {
        name: 'passenger-app', displayName: 'Rider app', description: 'The back end of the rider app', environments: ALL,
        services: [
          {
            name: 'rider-bff', runtime: 'java', tag: '3.12.0', nextTag: '3.13.0-rc.2', calls: ['rider-profile', 'rider-notify'],
            replicas: { production: 6 }, resources: JAVA_SIZE, expose: { subdomain: 'rider-api' },
          },
          { name: 'rider-profile', runtime: 'go', tag: '2.4.1', grpc: true, resources: GO_SIZE },
          { name: 'rider-notify', runtime: 'go', tag: '1.9.3', resources: GO_SIZE, env: { PUSH_PROVIDERS: 'apns,fcm,getui' } },
        ],
      },
      {
        // Growth experiments go from test straight to production behind feature flags: no staging.
        name: 'passenger-growth', displayName: 'Growth', description: 'Coupons and referrals', environments: ['development', 'test', 'production'],
        services: [
          { name: 'coupon', runtime: 'java', tag: '1.18.0', resources: JAVA_SIZE },
          { name: 'referral', runtime: 'go', tag: '0.7.2', resources: GO_SIZE, expose: { subdomain: 'invite' } },
        ],
      },
    ],
  },
  {
    name: 'driver',
    displayName: 'Driver',
    description: 'Drivers: dispatch, ETA, live location, onboarding',
    manager: 'zhao.lei',
    quota: DOMAIN_QUOTA,
    departments: [
      {
        name: 'rd', displayName: 'Driver R&D', kind: 'lead', members: ['zhao.lei', 'qian.bin'],
        teams: [
          {
            name: 'dispatch', displayName: 'Dispatch team', kind: 'developer', members: ['feng.rui', 'cao.yang'],
            // Three levels: the dispatch algorithm group sits inside the dispatch team.
            teams: [{ name: 'dispatch-algo', displayName: 'Dispatch algorithms', kind: 'developer', members: ['yuan.hao', 'tang.xin'] }],
          },
          { name: 'onboarding', displayName: 'Driver onboarding team', kind: 'developer', members: ['jiang.wen'] },
        ],
      },
      { name: 'qa', displayName: 'Driver QA', kind: 'tester', members: ['pan.li'] },
      { name: 'sre', displayName: 'Driver SRE', kind: 'sre', members: ['deng.kai', 'shi.lei'] },
      { name: 'release', displayName: 'Driver release managers', kind: 'release', members: ['zhao.lei', 'shi.lei'] },
    ],
    projects: [
      {
        name: 'driver-dispatch', displayName: 'Dispatch', description: 'Matching riders to drivers, ETA and live location', environments: ALL,
        quota: { production: { cpuRequestMillis: 24000, cpuLimitMillis: 96000, memoryLimitMiB: 98304 } },
        services: [
          {
            name: 'dispatch-engine', runtime: 'go', tag: '5.2.0', nextTag: '5.3.0-rc.1', grpc: true,
            replicas: { staging: 3, production: 12 }, resources: { cpuRequestMillis: 1000, cpuLimitMillis: 4000, memoryRequestMiB: 1024, memoryLimitMiB: 2048 },
          },
          { name: 'eta', runtime: 'java', tag: '4.0.3', grpc: true, replicas: { production: 6 }, resources: JAVA_SIZE },
          { name: 'driver-location', runtime: 'go', tag: '2.11.0', replicas: { production: 8 }, resources: GO_SIZE, expose: { subdomain: 'driver-gw' } },
        ],
      },
      {
        // Onboarding has no staging rehearsal: it changes rarely and is tested end to end in test.
        name: 'driver-onboarding', displayName: 'Driver onboarding', description: 'Sign-up, documents and background checks', environments: ['development', 'test', 'production'],
        services: [
          { name: 'onboarding-portal', runtime: 'java', tag: '1.6.0', resources: JAVA_SIZE, expose: { subdomain: 'join' } },
          { name: 'background-check', runtime: 'go', tag: '0.12.4', replicas: { production: 2 }, resources: GO_SIZE, env: { PROVIDER_TIMEOUT_SECONDS: '20' } },
        ],
      },
    ],
  },
  {
    name: 'order',
    displayName: 'Order',
    description: 'Trips: orders, trip state, pricing, and the open API for partners',
    manager: 'sun.hui',
    quota: DOMAIN_QUOTA,
    departments: [
      {
        name: 'rd', displayName: 'Order R&D', kind: 'lead', members: ['sun.hui'],
        teams: [
          { name: 'trip', displayName: 'Trip team', kind: 'developer', members: ['wang.fang', 'liu.yang', 'zheng.hao'] },
          { name: 'pricing', displayName: 'Pricing team', kind: 'developer', members: ['han.mei', 'du.jun'] },
          { name: 'open-platform', displayName: 'Open platform team', kind: 'developer', members: ['xie.na'] },
        ],
      },
      { name: 'qa', displayName: 'Order QA', kind: 'tester', members: ['xu.ting', 'lu.qiang'] },
      { name: 'sre', displayName: 'Order SRE', kind: 'sre', members: ['shi.lei'] },
      { name: 'release', displayName: 'Order release managers', kind: 'release', members: ['sun.hui', 'shi.lei'] },
    ],
    projects: [
      {
        name: 'order-core', displayName: 'Orders', description: 'Order intake and the trip state machine', environments: ALL,
        services: [
          { name: 'order-api', runtime: 'java', tag: '7.1.0', nextTag: '7.2.0-rc.1', replicas: { production: 6 }, resources: JAVA_SIZE, expose: { subdomain: 'order-api' } },
          { name: 'trip-state', runtime: 'go', tag: '3.3.2', grpc: true, replicas: { production: 4 }, resources: GO_SIZE },
        ],
      },
      {
        name: 'order-pricing', displayName: 'Pricing', description: 'Fares and surge pricing', environments: ALL,
        services: [
          { name: 'pricing', runtime: 'java', tag: '2.9.0', calls: ['surge'], replicas: { production: 4 }, resources: JAVA_SIZE },
          // Surge reads the open trips (demand) from the trip state machine.
          { name: 'surge', runtime: 'go', tag: '1.4.0', calls: ['trip-state'], resources: GO_SIZE, env: { SURGE_WINDOW_SECONDS: '60' } },
        ],
      },
      {
        // The open API for aggregator platforms and corporate-travel partners: integrated in test and staging,
        // served in production from the partner cluster only.
        name: 'order-open-api', displayName: 'Open API', description: 'Ordering rides on behalf of partner platforms', environments: ['test', 'staging', 'partner'],
        services: [
          { name: 'open-gateway', runtime: 'java', tag: '1.2.0', resources: JAVA_SIZE, expose: { subdomain: 'open', hosts: { partner: 'open.rides.example.com' } } },
          { name: 'partner-callback', runtime: 'go', tag: '0.9.1', resources: GO_SIZE },
        ],
      },
    ],
  },
  {
    name: 'payment',
    displayName: 'Payment',
    description: 'Payments: the payment API, payment channels, settlement and reconciliation',
    manager: 'zhou.min',
    quota: DOMAIN_QUOTA,
    departments: [
      {
        name: 'rd', displayName: 'Payment R&D', kind: 'lead', members: ['zhou.min'],
        teams: [
          { name: 'checkout', displayName: 'Checkout team', kind: 'developer', members: ['yang.jie', 'gao.lin'] },
          { name: 'settlement', displayName: 'Settlement team', kind: 'developer', members: ['lv.qing'] },
        ],
      },
      { name: 'qa', displayName: 'Payment QA', kind: 'tester', members: ['hu.bo'] },
      { name: 'sre', displayName: 'Payment SRE', kind: 'sre', members: ['deng.kai'] },
      { name: 'release', displayName: 'Payment release managers', kind: 'release', members: ['zhou.min', 'deng.kai'] },
    ],
    projects: [
      {
        name: 'payment-gateway', displayName: 'Payment gateway', description: 'The payment API and the adapters to payment channels', environments: ALL,
        services: [
          { name: 'pay-api', runtime: 'java', tag: '4.5.2', nextTag: '4.6.0-rc.3', replicas: { production: 4 }, resources: JAVA_SIZE, expose: { subdomain: 'pay' } },
          { name: 'channel-adapter', runtime: 'java', tag: '3.0.7', resources: JAVA_SIZE, env: { CHANNELS: 'alipay,wechatpay,unionpay' } },
        ],
      },
      {
        // Settlement runs against the test ledger at the earliest: no development namespace.
        name: 'payment-settlement', displayName: 'Settlement', description: 'Driver payouts and daily reconciliation', environments: ['test', 'staging', 'production'],
        services: [
          { name: 'settlement', runtime: 'java', tag: '2.2.0', resources: JAVA_SIZE },
          // One reconciler per environment: it takes a ledger lock, so more replicas would only wait.
          {
            name: 'reconciliation', runtime: 'java', tag: '1.8.3', replicas: { staging: 1, production: 1 }, resources: JAVA_SIZE,
            waivers: { replicas: 'singleton: reconciles payments under a ledger lock, so a second replica would only wait for it' },
          },
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
//    project in the platform's promotion order — development → test → staging → production → partner, the
//    order of ENVIRONMENTS — with the domain's release managers approving each production environment.
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
  // The rider app team's new login flow: only rider-bff changes; it calls the baseline's rider-profile and rider-notify.
  {
    branch: 'feature/rider-login', owner: 'rider-app', expires: '2026-12-20', dependencies: PreviewDependencies.BASELINE,
    services: { 'rider-bff': { tag: 'sha-4f2a91c', config: { values: { LOGIN_FLOW: 'sms-otp-v2' } } } },
  },
  // A new surge model in pricing: surge and trip-state, which it calls, are cloned into the preview, so that the
  // experiment's load and trip state stay out of the baseline.
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
// The estate, built from the tables.
// ---------------------------------------------------------------------------------------------------------

/** Builds the ride-hailing estate of Case B. */
export function build(): Platform {
  // Releases move through the environments in the order of ENVIRONMENTS (the platform's default promotion order).
  const platform = new Platform('ride-hailing', {
    defaultResources: { cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 },
  });

  // 1. The host: KubeSphere's control plane, in no environment (it is a Pulumi stack of its own, `host`).
  //    No labels: the host's own Cluster object is KubeSphere's (the installer creates it), so labels given
  //    here would be written nowhere.
  platform.addCluster(HOST_CLUSTER, {
    role: ClusterRole.HOST,
    description: 'KubeSphere control plane: workspaces, IAM and the member clusters; no business workloads',
  });
  for (const c of MEMBER_CLUSTERS) {
    const production = ENVIRONMENTS.find((e) => e.name === c.environment)?.production ?? false;
    platform.addCluster(c.name, {
      role: ClusterRole.MEMBER,
      labels: { [LABEL.environment]: production ? 'production' : c.environment, [LABEL.partner]: String(c.partner), [LABEL.region]: 'cn-north' },
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
  //        service with its release pipeline, approved for production by the domain's release managers, and the
  //        calls between its services.
  for (const d of DOMAINS) {
    const tenant = platform.addTenant(d.name, { manager: d.manager, displayName: d.displayName, description: d.description, quota: d.quota });
    const audit = tenant.addDepartment('audit', { displayName: `${d.displayName} audit`, members: [...AUDITORS] });
    grantProfile(tenant, audit, ACCESS.auditor);
    const departments = d.departments.map((spec) => ({ kind: spec.kind, department: addDepartment(tenant, tenant, spec) }));
    const approvers = departments.find((x) => x.kind === 'release')?.department;
    if (!approvers) throw new Error(`domain ${d.name} needs a department of kind "release": it approves releases to production`);
    const services = new Map<string, { spec: ServiceSpec; service: AppService }>();
    for (const p of d.projects) for (const [spec, service] of addProject(tenant, p, approvers)) services.set(spec.name, { spec, service });
    connectCalls(services);
  }

  // 5. Delivery: GitLab CI builds and releases (the files of the pipelines above); KubeSphere's GitOps, the
  //    default on KubeSphere, syncs each cluster's folder of the estate repository.
  platform.configureDelivery({ estate: DELIVERY.estate, ci: [CiSystem.GITLAB_CI] });

  // A person outside every department: the payment domain's external PCI DSS assessor sees the payment
  // workspace, and audits the payment gateway in production only.
  const payment = platform.tenants.find((t) => t.name === 'payment') as Tenant;
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

  return platform;
}

/**
 * Adds a department (and the teams inside it) with the grants of its kind. Every department is granted its own
 * roles: R&D (the leads) and the teams inside it get different ones, and nothing here relies on a parent
 * department's roles reaching the teams inside it.
 */
function addDepartment(tenant: Tenant, parent: Tenant | Department, spec: DepartmentSpec): Department {
  const department = parent.addDepartment(spec.name, { displayName: spec.displayName, members: [...spec.members] });
  grantProfile(tenant, department, ACCESS[spec.kind]);
  for (const team of spec.teams ?? []) addDepartment(tenant, department, team);
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

/** Adds a project and its services, placed in its environments, each with its release pipeline; returns the services. */
function addProject(tenant: Tenant, spec: ProjectSpec, approvers: Department): [ServiceSpec, AppService][] {
  const project = tenant.addProject(spec.name, {
    environments: [...spec.environments],
    displayName: spec.displayName,
    description: spec.description,
  });
  for (const [env, quota] of Object.entries(spec.quota ?? {}) as [EnvName, ProjectQuota][]) project.quotaIn(env, quota);
  const added: [ServiceSpec, AppService][] = [];

  for (const s of spec.services) {
    const image = harbor.image(`${tenant.name}/${s.name}`, s.tag);
    const probes = PROBES[s.runtime];
    const service = project.addService(s.name, {
      image,
      ports: s.grpc ? [{ port: 8080 }, { port: 9090, name: 'grpc' }] : [{ port: 8080 }],
      readiness: probes.readiness,
      liveness: probes.liveness,
      startup: probes.startup,
      env: { ...s.env },
      waivers: s.waivers,
    });
    for (const env of spec.environments) {
      const preRelease = s.nextTag !== undefined && (env === 'development' || env === 'test');
      service.inEnvironment(env, {
        replicas: s.replicas?.[env],
        resources: PRODUCTION_SIZED.includes(env) ? s.resources : undefined,
        image: preRelease ? image.withTag(s.nextTag as string) : undefined,
        env: runtimeEnv(s.runtime, env),
      });
    }
    if (s.expose) service.expose({ subdomain: s.expose.subdomain, hosts: s.expose.hosts as Record<string, string> | undefined });

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
    added.push([s, service]);
  }
  return added;
}

/** Connects every service of a domain to the services it calls, on their gRPC port where they have one. */
function connectCalls(services: ReadonlyMap<string, { spec: ServiceSpec; service: AppService }>): void {
  for (const { spec, service } of services.values()) {
    for (const name of spec.calls ?? []) {
      const target = services.get(name);
      if (!target) throw new Error(`service ${spec.name} calls ${name}, which is no service of its domain`);
      service.connectsTo(target.service, { port: target.spec.grpc ? 'grpc' : undefined });
    }
  }
}

if (require.main === module) synthesizeApp(build());
