import { Construct, IConstruct } from 'constructs';
import { checkDns1123Label, checkDns1123Subdomain } from '../lib/names';
import { declareManifests } from '../lib/escape-hatches';
import type { ManifestsBuilder } from '../lib/escape-hatches';
import { DEVOPS_SUFFIX, reservedNamespace, reservedTenantName } from '../lib/reserved';
import type { ProblemCollector } from '../lib/problems';
import { AlertRouting, AlertRoutingProps } from './alerting';
import type { Cluster } from './cluster';
import { assertNewChild, Platform, Target } from './platform';
import { BoundDepartmentRef, crossTenantBindings, EnvironmentSelector, DepartmentRef, ISubject, MembershipView, ProjectGrant, ProjectGrantOptions, ProjectRole, WorkspaceGrant, WorkspaceRole } from './access';
import { checkUserName, Department, DepartmentProps } from './department';
import type { Environment } from './environment';
import { checkProjectQuota, ProjectQuota } from './resources';
import { EnvironmentRef, Project, ProjectProps } from './project';

/**
 * Clusters a tenant's workspace is placed on besides those where its projects land (for example a partner
 * cluster where its people should see the workspace before any project runs there).
 */
export class TenantPlacement {
  /**
   * Named clusters.
   * @param clusters clusters of the platform, or their names
   */
  public static clusters(...clusters: (Cluster | string)[]): TenantPlacement {
    return new TenantPlacement(clusters, undefined);
  }

  /**
   * Every cluster whose labels include all of these (resolved when the platform is synthesized, and written as
   * a list, so the output says exactly where the workspace is).
   * @param matchLabels the labels a cluster must have
   */
  public static selector(matchLabels: Record<string, string>): TenantPlacement {
    return new TenantPlacement([], { ...matchLabels });
  }

  private constructor(
    /** Named clusters. */
    public readonly clusterRefs: readonly (Cluster | string)[],
    /** A label selector. */
    public readonly matchLabels: Readonly<Record<string, string>> | undefined,
  ) {}
}

/** Properties of a {@link Tenant}. */
export interface TenantProps {
  /**
   * The user who manages the workspace, by user name in KubeSphere (users come from the identity provider;
   * platform-cdk never creates them or their passwords).
   */
  readonly manager: string;
  /**
   * A human name shown in the KubeSphere console (`kubesphere.io/alias-name`).
   * @default - none
   */
  readonly displayName?: string;
  /**
   * A sentence on the business domain (`kubesphere.io/description`).
   * @default - none
   */
  readonly description?: string;
  /**
   * The workspace quota: what all the tenant's namespaces on one cluster may use together (a
   * quota.kubesphere.io ResourceQuota on every cluster where the tenant has projects).
   * @default - no workspace quota (each project still has its own)
   */
  readonly quota?: ProjectQuota;
  /**
   * The workspace quota on some clusters, keyed by cluster name, over `quota` there (e.g. more room on the
   * production cluster than on a partner cluster). KubeSphere targets only.
   * @default - `quota` on every cluster
   */
  readonly clusterQuotas?: Record<string, ProjectQuota>;
  /**
   * Clusters to place the workspace on besides those where its projects land.
   * @default - only the clusters where its projects land
   */
  readonly placement?: TenantPlacement;
  /**
   * Which traffic between the tenant's own pods is allowed.
   * @default TenantNetwork.OPEN_WITHIN_TENANT
   */
  readonly network?: TenantNetwork;
}

/** Which traffic between a tenant's own pods the network policies allow (other tenants are always denied). */
export enum TenantNetwork {
  /** Any pod of the tenant may reach any other (the `allow-same-tenant` policy), besides declared paths. */
  OPEN_WITHIN_TENANT = 'open-within-tenant',
  /** Only the paths declared with `connectsTo` (and DNS, the ingress controller and monitoring). */
  DECLARED_PATHS_ONLY = 'declared-paths-only',
}

const TENANT = Symbol.for('platform-cdk.Tenant');

/** Whether an environment is a preview (which shares its baseline's cluster by design). */
function isPreviewEnvironment(e: Environment): boolean {
  return Symbol.for('platform-cdk.PreviewEnvironment') in e;
}

/**
 * A tenant: one KubeSphere workspace, usually one business domain. Its placement on clusters is derived
 * from where its projects land, so it is never placed where it has nothing.
 */
export class Tenant extends Construct {
  /** Whether a value is a Tenant. */
  public static isTenant(this: void, x: unknown): x is Tenant {
    return typeof x === 'object' && x !== null && TENANT in x;
  }

  /**
   * The tenant a construct is defined in.
   * @param construct a project, a service, or the tenant itself
   */
  public static of(construct: IConstruct): Tenant {
    const t = construct.node.scopes.reverse().find(Tenant.isTenant);
    if (!t) throw new Error(`[${construct.node.path}] is not inside a Tenant`);
    return t;
  }

  /** The workspace name (the construct id). */
  public readonly name: string;
  /** The user who manages the workspace. */
  public readonly manager: string;
  /** The console name, if set. */
  public readonly displayName?: string;
  /** The description, if set. */
  public readonly description?: string;
  /** The workspace quota, if set. */
  public readonly quota?: ProjectQuota;
  /** Clusters to place the workspace on besides those of its projects, if set. */
  public readonly placement?: TenantPlacement;
  /** Which traffic between the tenant's own pods is allowed. */
  public readonly network: TenantNetwork;
  private readonly workspaceGrantList: WorkspaceGrant[] = [];
  private readonly selfProvisioning: { subject: ISubject; environments: EnvironmentRef[] }[] = [];
  private readonly projectGrantList: ProjectGrant[] = [];
  private readonly clusterQuotaList = new Map<Cluster | string, ProjectQuota>();

  /**
   * @param scope the platform
   * @param id the workspace name (DNS-1123 label)
   * @param props the manager and console texts
   */
  constructor(scope: Construct, id: string, props: TenantProps) {
    super(scope, id);
    Object.defineProperty(this, TENANT, { value: true });
    Platform.of(this)._register(this);
    this.name = id;
    this.manager = props.manager;
    this.displayName = props.displayName;
    this.description = props.description;
    this.quota = props.quota;
    this.placement = props.placement;
    this.network = props.network ?? TenantNetwork.OPEN_WITHIN_TENANT;
    for (const [cluster, quota] of Object.entries(props.clusterQuotas ?? {})) this.quotaOn(cluster, quota);
  }

  /**
   * Sets the workspace quota on one cluster, over `quota` there (calling it again for the cluster merges).
   * @param cluster the cluster or its name
   * @param quota what changes there
   */
  public quotaOn(cluster: Cluster | string, quota: ProjectQuota): void {
    this.clusterQuotaList.set(cluster, { ...this.clusterQuotaList.get(cluster), ...quota });
  }

  /**
   * The workspace quota written on a cluster: the cluster's (`quotaOn`, `clusterQuotas`) over `quota`; `undefined`
   * when neither is set.
   * @param cluster the cluster
   */
  public quotaFor(cluster: Cluster): ProjectQuota | undefined {
    const own = [...this.clusterQuotaList].filter(([ref]) => ref === cluster || ref === cluster.name).map(([, q]) => q);
    if (!this.quota && own.length === 0) return undefined;
    return Object.assign({}, this.quota, ...own) as ProjectQuota;
  }

  /**
   * Adds a department (a KubeSphere group) to the tenant.
   * @param id its name, unique in the tenant
   * @param props console name and members
   */
  public addDepartment(id: string, props: DepartmentProps = {}): Department {
    assertNewChild(this, id, 'department', props);
    return new Department(this, id, props);
  }

  /**
   * Adds your own cdk8s constructs to the tenant's namespaces (an escape hatch: docs/escape-hatches.md). At render
   * time `build` is called once per cluster the tenant's projects are placed on, with a fresh cdk8s `Chart` and the
   * tenant's namespaces there (`placement.namespaces`): each object names one of them, and gets the labels of the
   * project that owns it. An object in another namespace, or a cluster-scoped one, is a model error naming its construct path.
   * @param id names the constructs (unique on the tenant)
   * @param build adds constructs to the chart of one cluster
   */
  public addManifests(id: string, build: ManifestsBuilder): void {
    declareManifests(this, id, build);
  }

  /** Every department of the tenant, nested ones included, parents before children. */
  public get departments(): Department[] {
    return this.node.findAll().filter(Department.isDepartment);
  }

  /**
   * Grants a workspace role to a user or department. KubeSphere gives a subject one role per workspace.
   * The tenant's manager is the workspace's admin already and needs no grant.
   * @param subject a user (`User.named('alice')`) or a department of this tenant
   * @param role a built-in or custom workspace role
   */
  public grant(subject: ISubject, role: WorkspaceRole): WorkspaceGrant {
    const g = { subject: this._bind(subject), role };
    this.workspaceGrantList.push(g);
    return g;
  }

  /**
   * Lets a user or department create projects themselves (KubeSphere's `self-provisioner` workspace role) in some
   * environments only — typically development, for previews. The binding is written to the member clusters of those
   * environments, not to the host, so it does not reach the clusters of other environments; production
   * environments, the host cluster and clusters shared with other environments are refused.
   * @param subject a user or a department of this tenant
   * @param environments the environments (or their names)
   */
  public allowSelfProvisioning(subject: ISubject, environments: EnvironmentRef[]): void {
    this.selfProvisioning.push({ subject: this._bind(subject), environments: [...environments] });
  }

  /** The self-provisioning grants, with the environments they apply in. */
  public get selfProvisioningGrants(): readonly {
    /** The department or user who may provision. */
    readonly subject: ISubject;
    /** The environments they may provision in. */
    readonly environments: readonly EnvironmentRef[];
  }[] {
    return this.selfProvisioning;
  }

  /**
   * The workspace grants written to one cluster's own output (self-provisioning in its environments).
   * @param cluster the cluster
   */
  public clusterWorkspaceGrants(cluster: Cluster): WorkspaceGrant[] {
    const platform = Platform.of(this);
    return this.selfProvisioning
      .filter((g) => g.environments.some((ref) => (typeof ref === 'string' ? platform.findEnvironment(ref) : ref)?.clusters.includes(cluster)))
      .map((g) => ({ subject: g.subject, role: WorkspaceRole.SELF_PROVISIONER }));
  }

  /**
   * Binds a department named in a grant (`DepartmentRef.named`) to this tenant; other subjects are returned as they are.
   * @internal
   */
  public _bind(subject: ISubject): ISubject {
    return subject instanceof DepartmentRef ? new BoundDepartmentRef(() => this.departments, this.name, subject.departmentName) : subject;
  }

  /** The workspace roles granted. */
  public get workspaceGrants(): readonly WorkspaceGrant[] {
    return this.workspaceGrantList;
  }

  /**
   * Grants a project role in every project of the tenant (those added later too), in some environments.
   * @param subject a user or a department of this tenant
   * @param role a built-in or custom project role
   * @param options the environments
   */
  public grantInProjects(subject: ISubject, role: ProjectRole, options: ProjectGrantOptions = {}): ProjectGrant {
    const g = { subject: this._bind(subject), role, environments: options.environments };
    this.projectGrantList.push(g);
    return g;
  }

  /** The project roles granted in every project of the tenant. */
  public get projectGrants(): readonly ProjectGrant[] {
    return this.projectGrantList;
  }

  /**
   * Adds a project (a namespace of this tenant, placed in environments).
   * @param id the project's name; its namespace unless `namespace` says otherwise
   * @param props the environments it is placed in
   */
  public addProject(id: string, props: ProjectProps): Project {
    assertNewChild(this, id, 'project', props);
    return new Project(this, id, props);
  }

  /**
   * Routes the alerts of the tenant's services in some environments to receivers (docs/alerts.md).
   * @param id the routing's name
   * @param props receivers (e-mail, WeCom, DingTalk, Slack, webhook), routes and environments
   */
  public routeAlerts(id: string, props: AlertRoutingProps): AlertRouting {
    return new AlertRouting(this, id, props);
  }

  /** The tenant's projects, in the order they were added. */
  public get projects(): Project[] {
    return this.node.children.filter(Project.isProject);
  }

  /**
   * The workspace's placement, sorted by name: the clusters where the tenant has at least one project, and
   * those its `placement` adds.
   */
  public get clusters(): Cluster[] {
    const byName = new Map<string, Cluster>();
    for (const project of this.projects) {
      for (const placement of project.placements) byName.set(placement.cluster.name, placement.cluster);
    }
    for (const c of this.extraClusters()) byName.set(c.name, c);
    return [...byName.keys()].sort().map((n) => byName.get(n) as Cluster);
  }

  private extraClusters(): Cluster[] {
    if (!this.placement) return [];
    const platform = Platform.of(this);
    const named = this.placement.clusterRefs.map((r) => (typeof r === 'string' ? platform.findCluster(r) : r)).filter((c): c is Cluster => c !== undefined && c.node.root === platform);
    const selector = this.placement.matchLabels;
    const selected = selector ? platform.clusters.filter((c) => matches(c, selector)) : [];
    return [...named, ...selected];
  }

  /**
   * A tenant may not take a reserved workspace or namespace name (lib/reserved.ts), and its DevOps project's
   * namespace (`<tenant>-devops`) may not be a reserved namespace.
   */
  private checkReservedNames(problems: ProblemCollector, path: string): void {
    const r = reservedTenantName(this.name);
    if (r) {
      const family = r.name.endsWith('*') ? ` (${r.name})` : '';
      problems.error({ path, property: 'name', value: this.name, message: `the name is reserved${family}: ${r.purpose}, owned by ${r.owner}; a tenant may not take it`, fix: 'name the tenant after its business domain, e.g. "payments" (the reserved names are listed in docs/tenancy.md)' });
      return;
    }
    const devops = `${this.name}${DEVOPS_SUFFIX}`;
    const d = reservedNamespace(devops);
    if (d) problems.error({ path, property: 'name', value: this.name, message: `the tenant's DevOps project would be namespace ${devops}, which is reserved (${d.name}): ${d.purpose}, owned by ${d.owner}`, fix: 'give the tenant another name' });
  }

  /** Per-cluster quotas name clusters of the platform where the workspace is, on a KubeSphere target. */
  private checkClusterQuotas(problems: ProblemCollector, path: string, platform: Platform): void {
    const placed = [...new Set(this.projects.flatMap((p) => p.placements.map((x) => x.cluster)))];
    for (const [ref, quota] of this.clusterQuotaList) {
      const name = typeof ref === 'string' ? ref : ref?.name;
      const property = `clusterQuotas[${JSON.stringify(name)}]`;
      checkProjectQuota(problems, path, property, quota);
      if (platform.target === Target.KUBERNETES) {
        problems.error({ path, property, value: name, message: 'a workspace quota needs KubeSphere; plain Kubernetes has quotas per namespace only', fix: 'set project quotas instead (project quota or the environment\'s projectQuota), or use a KubeSphere target' });
        continue;
      }
      const cluster = typeof ref === 'string' ? platform.findCluster(ref) : ref;
      if (!cluster || cluster.node.root !== platform) {
        problems.error({ path, property, value: name, message: `no cluster of the platform has this name (clusters: ${platform.clusters.map((c) => c.name).join(', ') || 'none'})`, fix: 'key clusterQuotas by the names of the platform\'s clusters' });
      } else if (!placed.includes(cluster)) {
        problems.warning({ path, property, value: name, message: `the tenant has no project on cluster ${name}, so no workspace quota is written there (its projects are on: ${placed.map((c) => c.name).join(', ') || 'none'})`, fix: 'place a project on the cluster, or remove its quota' });
      }
    }
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const p = checkDns1123Label(this.name);
    if (p) problems.error({ path, property: 'name', value: this.name, message: p, fix: 'name the tenant after its business domain, e.g. "payments"' });
    else this.checkReservedNames(problems, path);
    const m = checkDns1123Subdomain(this.manager);
    if (m) problems.error({ path, property: 'manager', value: this.manager, message: `a manager is a KubeSphere user name: ${m.replace('a domain name', 'a user name')}`, fix: 'name an existing user, e.g. "alice"' });
    checkProjectQuota(problems, path, 'quota', this.quota);
    const platform = Platform.of(this);
    this.checkClusterQuotas(problems, path, platform);
    this.selfProvisioning.forEach((g, i) => {
      const property = `allowSelfProvisioning[${i}]`;
      checkSubject(problems, path, `${property}.subject`, this, g.subject);
      if (g.environments.length === 0) problems.error({ path, property: `${property}.environments`, value: [], message: 'self-provisioning needs the environments it applies in', fix: 'name the development environment' });
      if (platform.target === Target.KUBERNETES) problems.error({ path, property, value: platform.target, message: 'self-provisioning is a KubeSphere workspace role', fix: 'create preview namespaces through previews (platform.addPreview) on plain Kubernetes' });
      for (const ref of g.environments) {
        const env = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
        const label = typeof ref === 'string' ? ref : ref?.name;
        if (!env) {
          problems.error({ path, property: `${property}.environments`, value: label, message: 'no environment of the platform has this name', fix: 'name the development environment' });
          continue;
        }
        if (env.production) problems.error({ path, property: `${property}.environments`, value: label, message: 'developers may not create projects in a production environment', fix: 'allow self-provisioning in development only' });
        for (const c of env.clusters) {
          if (c.isHost) problems.error({ path, property: `${property}.environments`, value: label, message: `cluster ${c.name} is the host, where a workspace role reaches every cluster`, fix: 'run the development environment on a member cluster of its own' });
          const others = platform.environments.filter((e) => e !== env && !isPreviewEnvironment(e) && e.clusters.includes(c)).map((e) => e.name);
          if (others.length > 0) problems.error({ path, property: `${property}.environments`, value: label, message: `cluster ${c.name} also serves ${others.join(', ')}, where the role would apply too`, fix: 'run the development environment on clusters of its own' });
        }
      }
    });
    if (this.placement) {
      const platform = Platform.of(this);
      this.placement.clusterRefs.forEach((r, i) => {
        const c = typeof r === 'string' ? platform.findCluster(r) : r;
        if (!c || c.node.root !== platform) {
          problems.error({ path, property: `placement.clusters[${i}]`, value: typeof r === 'string' ? r : r.node.path, message: `no cluster of the platform has this name (clusters: ${platform.clusters.map((x) => x.name).join(', ')})`, fix: 'name a cluster of the platform' });
        }
      });
      const selector = this.placement.matchLabels;
      if (selector && !platform.clusters.some((c) => matches(c, selector))) {
        problems.error({ path, property: 'placement.selector', value: selector, message: 'the selector matches no cluster of the platform', fix: 'label the clusters the workspace belongs on, or fix the selector' });
      }
    }
    checkDepartmentNames(problems, this);
    const granted = new Map<string, number>();
    this.workspaceGrantList.forEach((g, i) => {
      const property = `grant[${i}]`;
      checkSubject(problems, path, property, this, g.subject);
      if (!(g.role instanceof WorkspaceRole)) {
        problems.error({ path, property: `${property}.role`, value: (g.role as { name?: string })?.name, message: 'a workspace grant needs a workspace role', fix: 'use WorkspaceRole.ADMIN, REGULAR, VIEWER, SELF_PROVISIONER or WorkspaceRole.custom()' });
        return;
      }
      const r = g.role._problem();
      if (r) problems.error({ path, property: `${property}.role`, value: g.role.name, message: r, fix: 'name the role with lowercase letters, digits and "-", and compose it from workspace-… templates' });
      const roleName = `${this.name}-${g.role.name}`;
      if (roleName.length > 63) problems.error({ path, property: `${property}.role`, value: g.role.name, message: `the workspace role name ${roleName} has ${roleName.length} characters, above the 63 a label value (iam.kubesphere.io/role-ref) allows`, fix: 'shorten the tenant or the role name' });
      const key = `${g.subject.subjectKind}/${g.subject.subjectName}`;
      const first = granted.get(key);
      if (first !== undefined) {
        problems.error({ path, property: `${property}.subject`, value: g.subject.subjectName, message: `grant[${first}] gives this ${g.subject.subjectKind === 'User' ? 'user' : 'department'} a workspace role already, and KubeSphere keeps one role per subject and workspace`, fix: 'grant one workspace role per user or department (a custom role can combine templates)' });
      } else granted.set(key, i);
    });
    this.projectGrantList.forEach((g, i) => checkProjectGrant(problems, path, `grantInProjects[${i}]`, this, g));
    // Users bound in a tenant's namespaces who belong to another tenant: the rule reads the whole estate, so the
    // platform's first tenant reports it once for the grants of every tenant and project (previews report their own).
    if (platform.tenants[0] === this) {
      for (const c of crossTenantBindings(membershipView(platform))) {
        if (c.binding.kind === 'grant') problems.error({ path: c.binding.path, property: `${c.binding.property}.subject`, value: c.binding.user, message: c.message, fix: c.fix });
      }
    }
    checkCustomRoleNames(problems, path, [
      ...this.workspaceGrantList.map((g) => g.role),
      ...this.projectGrantList.map((g) => g.role),
      ...this.projects.flatMap((p) => p.grants.map((g) => g.role)),
    ]);
    if (this.projects.length === 0 && this.clusters.length === 0) {
      problems.warning({ path, property: 'projects', value: [], message: 'the tenant has no project, so its workspace is placed on no cluster', fix: 'add a project with tenant.addProject(), or remove the tenant' });
    }
  }
}

/**
 * Reports a subject that is not a user with a valid name or a department of the tenant.
 * @internal
 */
export function checkSubject(problems: ProblemCollector, path: string, property: string, tenant: Tenant, subject: ISubject): void {
  if (subject?.subjectKind === 'User') {
    const u = checkUserName(subject.subjectName);
    if (u) problems.error({ path, property: `${property}.subject`, value: subject.subjectName, message: u, fix: 'name a KubeSphere user, e.g. User.named("alice")' });
  } else if (subject instanceof BoundDepartmentRef && !subject.department) {
    problems.error({ path, property: `${property}.subject`, value: subject.departmentName, message: `the tenant ${tenant.name} has no department of this name (departments: ${tenant.departments.map((d) => d.name).join(', ') || 'none'})`, fix: 'name a department added with tenant.addDepartment(), or add it' });
  } else if (subject?.subjectKind === 'Group' && Department.isDepartment(subject.department)) {
    if (subject.department.tenant !== tenant) {
      problems.error({ path, property: `${property}.subject`, value: subject.department.node.path, message: `the department belongs to the tenant ${subject.department.tenant.name}, and a tenant's roles go only to its own people`, fix: 'grant the role to a department of this tenant, or to the users themselves' });
    }
  } else {
    problems.error({ path, property: `${property}.subject`, value: (subject as { subjectName?: string })?.subjectName, message: 'a role is granted to a user or a department', fix: 'use User.named("alice") or a department from tenant.addDepartment()' });
  }
}

/**
 * Reports a project grant with a bad subject, a role of the wrong scope, or environments the project is not in.
 * @internal
 */
export function checkProjectGrant(problems: ProblemCollector, path: string, property: string, tenant: Tenant, g: ProjectGrant, project?: { isPlacedIn(e: Environment): boolean; environments: Environment[]; name: string }): void {
  checkSubject(problems, path, property, tenant, g.subject);
  if (!(g.role instanceof ProjectRole)) {
    problems.error({ path, property: `${property}.role`, value: (g.role as { name?: string })?.name, message: 'a project grant needs a project role', fix: 'use ProjectRole.ADMIN, OPERATOR, VIEWER or ProjectRole.custom()' });
  } else {
    const r = g.role._problem();
    if (r) problems.error({ path, property: `${property}.role`, value: g.role.name, message: r, fix: 'name the role with lowercase letters, digits and "-", and compose it from namespace-… templates' });
  }
  const platform = Platform.of(tenant);
  (g.environments ?? []).forEach((ref, j) => {
    if (EnvironmentSelector.isEnvironmentSelector(ref)) {
      if (project && !project.environments.some((e) => ref.matches(e))) {
        problems.warning({ path, property: `${property}.environments[${j}]`, value: ref.name, message: `the project ${project.name} is placed in no such environment (it is in: ${project.environments.map((e) => `${e.name}${e.production ? ' (production)' : ''}`).join(', ') || 'none'}), so the grant gives nothing yet`, fix: 'place the project in such an environment, or remove the grant' });
      }
      return;
    }
    if (typeof ref !== 'string' && (typeof ref !== 'object' || ref === null || !('node' in ref))) {
      problems.error({ path, property: `${property}.environments[${j}]`, value: ref, message: 'a grant names environments, their names, or EnvironmentSelector.PRODUCTION / NON_PRODUCTION', fix: 'name an environment of the platform' });
      return;
    }
    const env = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
    if (!env || env.node.root !== platform) {
      problems.error({ path, property: `${property}.environments[${j}]`, value: typeof ref === 'string' ? ref : ref.node.path, message: `no environment of the platform has this name (environments: ${platform.environments.map((e) => e.name).join(', ')})`, fix: 'name an environment of the platform' });
    } else if (project && !project.isPlacedIn(env)) {
      problems.error({ path, property: `${property}.environments[${j}]`, value: env.name, message: `the project ${project.name} is not placed in this environment (it is in: ${project.environments.map((e) => e.name).join(', ') || 'none'})`, fix: 'grant roles only in environments of the project' });
    }
  });
}

function checkDepartmentNames(problems: ProblemCollector, tenant: Tenant): void {
  const seen = new Map<string, Department>();
  for (const d of tenant.departments) {
    const first = seen.get(d.name);
    if (first) problems.error({ path: d.node.path, property: 'name', value: d.name, message: `the department ${first.node.path} has this name already, and a tenant's department names must be unique (each is a KubeSphere group ${d.subjectName})`, fix: 'give each department of a tenant its own name' });
    else seen.set(d.name, d);
  }
}

/** Two different custom roles of one scope may not share a name in a tenant: they would be one object. */
function checkCustomRoleNames(problems: ProblemCollector, path: string, roles: (WorkspaceRole | ProjectRole)[]): void {
  const seen = new Map<string, WorkspaceRole | ProjectRole>();
  for (const role of roles) {
    if (!role || role.builtIn) continue;
    const key = `${role.scope}/${role.name}`;
    const first = seen.get(key);
    if (!first) seen.set(key, role);
    else if (first !== role && JSON.stringify(first.templates) !== JSON.stringify(role.templates)) {
      problems.error({ path, property: 'roles', value: role.name, message: `two custom ${role.scope} roles of this tenant are named ${role.name}, with different templates (${first.templates.join(', ')} and ${role.templates.join(', ')})`, fix: 'give each custom role its own name, or reuse one role object' });
    }
  }
}

/**
 * What the cross-tenant rules read of a platform: its tenants, its written previews with their tenant and owner,
 * and whether the target has workspaces.
 * @param platform the platform
 * @internal
 */
export function membershipView(platform: Platform): MembershipView {
  return {
    plainKubernetes: platform.target === Target.KUBERNETES,
    tenants: platform.tenants.map((t) => ({
      name: t.name,
      manager: t.manager,
      node: t.node,
      workspaceGrants: t.workspaceGrants,
      projectGrants: t.projectGrants,
      selfProvisioningGrants: t.selfProvisioningGrants,
      departments: departmentsOf(t),
      projects: t.projects,
    })),
    previews: platform.activePreviews.map((p) => ({ path: p.node.path, property: 'owner', tenant: p.services[0]?.project.tenant.name, owner: p.owner })),
  };
}

/** A tenant's departments, nested ones included, found by walking departments only (not the services). */
function departmentsOf(tenant: Tenant): Department[] {
  const out: Department[] = [];
  const queue = tenant.node.children.filter(Department.isDepartment);
  while (queue.length > 0) {
    const d = queue.shift() as Department;
    out.push(d);
    queue.push(...d.node.children.filter(Department.isDepartment));
  }
  return out;
}

function matches(cluster: Cluster, selector: Readonly<Record<string, string>>): boolean {
  const labels = cluster.allLabels;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
