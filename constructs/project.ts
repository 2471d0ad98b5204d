import { Construct } from 'constructs';
import { checkDns1123Label } from '../lib/names';
import { declareManifests } from '../lib/escape-hatches';
import type { ManifestsBuilder, ProjectManifestsOptions } from '../lib/escape-hatches';
import { checkProjectQuota, mergeProjectQuota, ProjectQuota, ResolvedProjectQuota, ResolvedResources } from './resources';
import type { ProblemCollector } from '../lib/problems';
import { estateNamespaces, namespaceReservation, reservationMessage } from '../lib/reserved';
import { grantEnvironmentMatches } from './access';
import type { ISubject, ProjectGrant, ProjectGrantOptions, ProjectRole } from './access';
import { AppService, AppServiceProps } from './app-service';
import { Cluster } from './cluster';
import type { ClusterRef } from './environment';
import { checkConnectionPlacement, checkPreviewPlacement, checkServiceEnvironments, declaredIn } from './placement';
import type { IConnectable } from './connection';
import { Environment } from './environment';
import { assertNewChild, Platform } from './platform';
import type { Image } from './image';
import { assertNoPipeline, Pipeline, PipelineProps } from './pipeline';
import { RolloutStrategy } from './service-options';
import { PreviewEnvironment } from './preview';
import { StatefulService, StatefulServiceProps } from './stateful-service';
import { checkProjectGrant, Tenant } from './tenant';
import { derivedOnce } from '../lib/frozen-model';

/** The keys of what a project derives once while the model is frozen (`derivedOnce`). */
const SERVICES = {};
const ENVIRONMENTS = {};

function servicesOf(p: Project): AppService[] {
  return p.node.children.filter(AppService.isAppService);
}

/** An environment, or an environment's name (for estates generated from a table). */
export type EnvironmentRef = Environment | string;

/** Properties of a {@link Project}. */
export interface ProjectProps {
  /** The environments the project is placed in: it gets a namespace on every cluster of each. */
  readonly environments: EnvironmentRef[];
  /**
   * The namespace name (each environment may add its `namespaceSuffix`).
   * @default - the project's id
   */
  readonly namespace?: string;
  /**
   * A human name shown in the KubeSphere console (`kubesphere.io/alias-name`).
   * @default - none
   */
  readonly displayName?: string;
  /**
   * A sentence on the project (`kubesphere.io/description`).
   * @default - none
   */
  readonly description?: string;
  /**
   * The project's quota in every environment, over the environment's.
   * @default - the environment's `projectQuota`, else the platform's
   */
  readonly quota?: ProjectQuota;
  /**
   * Some of an environment's clusters, keyed by environment name, where the project is placed on those only
   * (e.g. one region of a production environment that spans two). Each must be a cluster of that environment.
   * @default - every cluster of each of its environments
   */
  readonly clustersIn?: Record<string, readonly ClusterRef[]>;
}

/** Where a project lands: one namespace on one cluster for one environment. */
export interface ProjectPlacement {
  /** The project. */
  readonly project: Project;
  /** The environment. */
  readonly environment: Environment;
  /** The cluster. */
  readonly cluster: Cluster;
  /** The namespace name on that cluster. */
  readonly namespace: string;
}

const PROJECT = Symbol.for('platform-cdk.Project');

/** A project: a namespace of a tenant, placed in environments (a KubeSphere project). */
export class Project extends Construct {
  /** Whether a value is a Project. */
  public static isProject(this: void, x: unknown): x is Project {
    return typeof x === 'object' && x !== null && PROJECT in x;
  }

  /** The project's name (its construct id). */
  public readonly name: string;
  /** The namespace name before any environment suffix. */
  public readonly namespace: string;
  /** The console name, if set. */
  public readonly displayName?: string;
  /** The description, if set. */
  public readonly description?: string;
  /** The tenant the project belongs to. */
  public readonly tenant: Tenant;
  private readonly environmentRefs: EnvironmentRef[];
  private readonly quotas = new Map<EnvironmentRef | undefined, ProjectQuota>();
  private readonly grantList: ProjectGrant[] = [];
  private readonly clusterChoice = new Map<EnvironmentRef, readonly ClusterRef[]>();

  /**
   * @param scope the tenant
   * @param id the project's name
   * @param props the environments it is placed in
   */
  constructor(scope: Tenant, id: string, props: ProjectProps) {
    super(scope, id);
    Object.defineProperty(this, PROJECT, { value: true });
    this.name = id;
    this.tenant = Tenant.of(scope);
    this.namespace = props.namespace ?? id;
    this.displayName = props.displayName;
    this.description = props.description;
    this.environmentRefs = [...(props.environments ?? [])];
    if (props.quota) this.quotas.set(undefined, props.quota);
    for (const [env, clusters] of Object.entries(props.clustersIn ?? {})) this.placeOnClusters(env, clusters);
  }

  /**
   * Places the project on some of an environment's clusters only (over `clustersIn`).
   * @param environment the environment or its name
   * @param clusters clusters of that environment, or their names
   */
  public placeOnClusters(environment: EnvironmentRef, clusters: readonly ClusterRef[]): void {
    this.clusterChoice.set(environment, Array.isArray(clusters) ? [...clusters] : clusters);
  }

  /**
   * The clusters the project is placed on in one of its environments: the environment's, or those chosen with
   * `clustersIn` / `placeOnClusters` (a preview's own clusters for a preview).
   * @param environment the environment
   */
  public clustersIn(environment: Environment): Cluster[] {
    const all = environment.clusters;
    if (PreviewEnvironment.isPreview(environment)) return all;
    const chosen = this.clusterChoice.get(environment) ?? this.clusterChoice.get(environment.name);
    if (!chosen || !Array.isArray(chosen)) return all;
    const platform = Platform.of(this);
    const named = chosen.map((r) => (typeof r === 'string' ? platform.findCluster(r) : r));
    return all.filter((c) => named.includes(c));
  }

  /**
   * Grants a project role to a user or a department of the tenant, in some or all of the project's environments.
   * @param subject a user (`User.named('bob')`) or a department of this project's tenant
   * @param role a built-in or custom project role
   * @param options the environments (default: all of the project's)
   */
  public grant(subject: ISubject, role: ProjectRole, options: ProjectGrantOptions = {}): ProjectGrant {
    const g = { subject: this.tenant._bind(subject), role, environments: options.environments };
    this.grantList.push(g);
    return g;
  }

  /** The roles granted in this project (grants in every project of the tenant are in `tenant.projectGrants`). */
  public get grants(): readonly ProjectGrant[] {
    return this.grantList;
  }

  /**
   * Every role granted in this project in one environment, the tenant's grants in every project first.
   * @param environment an environment of the project
   */
  public grantsIn(environment: Environment): ProjectGrant[] {
    const platform = Platform.of(this);
    const covers = (g: ProjectGrant): boolean => !g.environments || g.environments.some((ref) => grantEnvironmentMatches(ref, environment, (n) => platform.findEnvironment(n)));
    // A preview's namespaces: its owner is admin, and nobody else is granted anything there.
    if (PreviewEnvironment.isPreview(environment)) return [{ subject: this.tenant._bind(environment.owner), role: environment.ownerRole }];
    return [...this.tenant.projectGrants, ...this.grantList].filter(covers);
  }

  /**
   * Sets the project's quota in one environment (over its quota for every environment).
   * @param environment the environment or its name
   * @param quota what changes there
   */
  public quotaIn(environment: EnvironmentRef, quota: ProjectQuota): void {
    this.quotas.set(environment, { ...this.quotas.get(environment), ...quota });
  }

  /**
   * The project's quota in an environment: per-environment over project over environment over platform.
   * @param environment an environment the project is placed in
   */
  public quotaFor(environment: Environment): ResolvedProjectQuota {
    if (PreviewEnvironment.isPreview(environment)) {
      // Smaller than the baseline: half of the project's quota there, unless the preview gives one.
      const base = environment.baseline;
      if (environment.previewProps.quota) return mergeProjectQuota(Platform.of(this).defaultProjectQuota, environment.previewProps.quota);
      if (base) {
        const q = this.quotaFor(base);
        return { cpuRequestMillis: Math.ceil(q.cpuRequestMillis / 2), cpuLimitMillis: Math.ceil(q.cpuLimitMillis / 2), memoryRequestMiB: Math.ceil(q.memoryRequestMiB / 2), memoryLimitMiB: Math.ceil(q.memoryLimitMiB / 2), pods: Math.max(1, Math.ceil(q.pods / 2)) };
      }
    }
    const own = this.quotas.get(environment) ?? this.quotas.get(environment.name);
    return mergeProjectQuota(Platform.of(this).defaultProjectQuota, environment.projectQuota, this.quotas.get(undefined), own);
  }

  /**
   * Adds an app service to the project.
   * @param id the service's name
   * @param props image, ports and the rest
   */
  public addService(id: string, props: AppServiceProps): AppService {
    assertNewChild(this, id, 'service', props);
    return new AppService(this, id, props);
  }

  /**
   * Adds a stateful service (a database or cache, outside the cluster or in it) to the project.
   * @param id the service's name
   * @param props engine, external and in-cluster settings, and the switch
   */
  public addStatefulService(id: string, props: StatefulServiceProps): StatefulService {
    assertNewChild(this, id, 'stateful service', props);
    return new StatefulService(this, id, props);
  }

  /**
   * Adds the release pipeline of a module that is not modelled as a service here (its image is given).
   * @param module the module's name
   * @param props the image, source, build and the rest
   */
  public addPipeline(module: string, props: PipelineProps & { readonly image: Image }): Pipeline {
    const id = `pipeline-${module}`;
    assertNoPipeline(this, id, module);
    return new Pipeline(this, id, { ...props, module });
  }

  /** The release pipelines of the project's modules: those of its services, then the others. */
  public get pipelines(): Pipeline[] {
    const ofServices = this.services.flatMap((s) => s.node.children.filter(Pipeline.isPipeline));
    return [...ofServices, ...this.node.children.filter(Pipeline.isPipeline)];
  }

  /** The project's stateful services, in the order they were added. */
  public get statefulServices(): StatefulService[] {
    return this.node.children.filter(StatefulService.isStatefulService);
  }

  /**
   * Adds your own cdk8s constructs to the project (an escape hatch: docs/escape-hatches.md). At render time `build` is
   * called once per placement of the project (each cluster of each environment, or of `options.environment`) with a
   * fresh cdk8s `Chart` whose namespace is the project's there: `ApiObject`s, cdk8s-plus-27 constructs, classes of
   * `cdk8s import`, `Include` and `Helm` added to it are written with the project's objects, carry its labels, and
   * are checked like them. A namespaced object may set no namespace, or the project's; a cluster-scoped one, or one in
   * another namespace, is a model error naming its construct path (`<project path>/<id>/<path in the chart>`).
   * @param id names the constructs (unique on the project)
   * @param build adds constructs to the chart of one placement
   * @param options only one environment
   * @example
   * project.addManifests('nightly-report', (chart) => {
   *   new kplus.CronJob(chart, 'report', { schedule: Cron.daily(), containers: [{ image: 'harbor.example.com/shop/report:1.0.0' }] });
   * });
   */
  public addManifests(id: string, build: ManifestsBuilder, options: ProjectManifestsOptions = {}): void {
    const env = options.environment;
    declareManifests(this, id, build, env, env === undefined ? undefined : () => (this.environments.some((e) => e.name === env) ? undefined : `the project is not placed in an environment ${env} (it is in ${this.environments.map((e) => e.name).join(', ') || 'none'})`));
  }

  /**
   * Places the project in one more environment.
   * @param environment the environment or its name
   */
  public placeIn(environment: EnvironmentRef): void {
    this.environmentRefs.push(environment);
  }

  /** The project's app services, in the order they were added. */
  public get services(): AppService[] {
    return [...this.serviceList()];
  }

  /** {@link services}, found once while the model is frozen (`lib/frozen-model.ts`); not to be changed. */
  private serviceList(): readonly AppService[] {
    return derivedOnce(this, SERVICES, servicesOf);
  }

  /**
   * The environments the project is placed in (unknown references are left out; validation reports them), then
   * the active previews that run some of its services.
   */
  public get environments(): Environment[] {
    return [...this.environmentList()];
  }

  /** {@link environments}, found once while the model is frozen (`lib/frozen-model.ts`); not to be changed. */
  private environmentList(): readonly Environment[] {
    return derivedOnce(this, ENVIRONMENTS, Project.findEnvironmentsOf);
  }

  private static readonly findEnvironmentsOf = (p: Project): Environment[] => p.findEnvironments();

  private findEnvironments(): Environment[] {
    const platform = Platform.of(this);
    const out: Environment[] = [];
    for (const ref of this.environmentRefs) {
      const e = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      if (e && e.node.root === platform && !out.includes(e) && !PreviewEnvironment.isPreview(e)) out.push(e);
    }
    for (const p of platform.activePreviews) if (p.projects.includes(this)) out.push(p);
    return out;
  }

  /**
   * The services that run in an environment: all of them, except in a preview, which runs those it overrides
   * (and clones).
   * @param environment the environment
   */
  public servicesIn(environment: Environment): AppService[] {
    if (PreviewEnvironment.isPreview(environment)) return this.serviceList().filter((s) => environment.runs(s));
    return this.serviceList().filter((s) => declaredIn(s, environment));
  }

  /**
   * The stateful services that run in an environment (a preview reaches the baseline's).
   * @param environment the environment
   */
  public statefulServicesIn(environment: Environment): StatefulService[] {
    return PreviewEnvironment.isPreview(environment) ? [] : this.statefulServices.filter((s) => declaredIn(s, environment));
  }

  /** Whether the project is placed in an environment. */
  public isPlacedIn(environment: Environment): boolean {
    return this.environmentList().includes(environment);
  }

  /** Every namespace of the project: one per cluster of each of its environments. */
  public get placements(): ProjectPlacement[] {
    const out: ProjectPlacement[] = [];
    for (const environment of this.environmentList()) {
      for (const cluster of this.clustersIn(environment)) {
        out.push({ project: this, environment, cluster, namespace: `${this.namespace}${environment.namespaceSuffix}` });
      }
    }
    return out;
  }

  /**
   * The services of the project at their maximum scale in an environment, counting the extra pod a rolling
   * update starts (Kubernetes' default surge of 25%, rounded up; none for Recreate), must fit the project's quota there.
   */
  private checkQuotaFits(problems: ProblemCollector, path: string, env: Environment): void {
    const quota = this.quotaFor(env);
    const need = { cpuRequestMillis: 0, cpuLimitMillis: 0, memoryRequestMiB: 0, memoryLimitMiB: 0, pods: 0 };
    const add = (pods: number, r: ResolvedResources): void => {
      need.pods += pods;
      need.cpuRequestMillis += pods * r.cpuRequestMillis;
      need.cpuLimitMillis += pods * r.cpuLimitMillis;
      need.memoryRequestMiB += pods * r.memoryRequestMiB;
      need.memoryLimitMiB += pods * r.memoryLimitMiB;
    };
    for (const service of this.servicesIn(env)) {
      const s = service.settingsFor(env);
      // Recreate stops the old pods before starting new ones: no surge.
      const surge = service.rollout === RolloutStrategy.RECREATE ? 0 : Math.ceil(s.maxReplicas / 4);
      add(s.maxReplicas + surge, service.podResourcesIn(env));
    }
    for (const stateful of this.statefulServicesIn(env)) {
      const s = stateful.settingsFor(env);
      if (s.inCluster) add(s.inCluster.replicas ?? 1, s.resources);
      if (s.inCluster?.backup) add(1, stateful.backupResourcesIn(env));
    }
    for (const key of Object.keys(need) as (keyof typeof need)[]) {
      // A number that is not finite is reported at its own field (replicas, resources, quota), not summed here again.
      if (!Number.isFinite(need[key]) || !Number.isFinite(quota[key]) || need[key] <= quota[key]) continue;
      problems.error({
        path,
        property: `quota.${key} (in ${env.name})`,
        value: quota[key],
        message: `the services of project ${this.name} need ${need[key]} in environment ${env.name} at their maximum scale (${need.pods} pods, counting one rolling-update surge pod per 4 replicas), above the quota of ${quota[key]}`,
        fix: `raise ${key} to at least ${need[key]} (project quota, quotaIn(${JSON.stringify(env.name)}) or the environment's projectQuota), or lower the services' replicas or resources`,
      });
    }
  }

  /**
   * A project may not claim a reserved namespace (lib/reserved.ts): a system or KubeSphere namespace, a GitOps
   * tool's, or one the estate creates for something else (a tenant's DevOps project, the GitOps applications).
   * A cluster's ingress or monitoring namespace is reported by the cluster (its setting names the namespace);
   * preview namespaces by their preview.
   */
  private checkReservedNamespaces(problems: ProblemCollector, path: string, platform: Platform): void {
    const estate = estateNamespaces(platform);
    const placements = this.placements.filter((x) => !PreviewEnvironment.isPreview(x.environment));
    const names = new Map<string, string[]>();
    for (const x of placements) names.set(x.namespace, [...(names.get(x.namespace) ?? []), x.environment.name]);
    if (placements.length === 0) names.set(this.namespace, []);
    for (const [ns, environments] of names) {
      const r = namespaceReservation(platform, ns, estate);
      if (!r || r.cluster !== undefined) continue;
      const where = ns === this.namespace ? '' : ` (in environment${environments.length > 1 ? 's' : ''} ${environments.join(', ')})`;
      problems.error({ path, property: 'namespace', value: ns, message: `${reservationMessage(ns, r)}${where}`, fix: `give the project another name or \`namespace\` (the reserved names are listed in docs/tenancy.md)` });
    }
  }

  /** `clustersIn` names environments of the project, and clusters of those environments. */
  private checkClusterChoice(problems: ProblemCollector, path: string, platform: Platform): void {
    for (const [ref, clusters] of this.clusterChoice) {
      const label = typeof ref === 'string' ? ref : ref?.name;
      const property = `clustersIn[${JSON.stringify(label)}]`;
      const env = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      if (!env || !this.isPlacedIn(env)) {
        problems.error({ path, property, value: label, message: `the project is not placed in this environment (it is in: ${this.environments.filter((e) => !PreviewEnvironment.isPreview(e)).map((e) => e.name).join(', ') || 'none'})`, fix: 'choose clusters only in environments of the project' });
        continue;
      }
      if (!Array.isArray(clusters) || clusters.length === 0) {
        problems.error({ path, property, value: Array.isArray(clusters) ? [] : clusters, message: 'the project would be placed on no cluster of the environment', fix: `list one or more of ${env.clusters.map((c) => c.name).join(', ')}, or leave the environment out of clustersIn` });
        continue;
      }
      clusters.forEach((r, i) => {
        const c = typeof r === 'string' ? platform.findCluster(r) : Cluster.isCluster(r) ? r : undefined;
        const name = typeof r === 'string' ? r : Cluster.isCluster(r) ? r.name : r;
        if (!c || !env.clusters.includes(c)) {
          problems.error({ path, property: `${property}[${i}]`, value: name, message: `environment ${env.name} spans no cluster of this name (its clusters: ${env.clusters.map((x) => x.name).join(', ') || 'none'})`, fix: `name clusters of ${env.name}` });
        }
      });
    }
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const platform = Platform.of(this);
    const p = checkDns1123Label(this.namespace);
    if (p) problems.error({ path, property: 'namespace', value: this.namespace, message: p, fix: 'name the project like "storefront" or set `namespace`' });
    if (this.environmentRefs.length === 0) {
      problems.error({ path, property: 'environments', value: [], message: 'a project must be placed in at least one environment', fix: 'list its environments in `environments`' });
    }
    this.environmentRefs.forEach((ref, i) => {
      if (typeof ref === 'string') {
        if (!platform.findEnvironment(ref)) {
          problems.error({ path, property: `environments[${i}]`, value: ref, message: `no environment of the platform has this name (environments: ${platform.environments.map((e) => e.name).join(', ') || 'none'})`, fix: 'name an environment added with platform.addEnvironment(), or add it' });
        }
      } else if (!Environment.isEnvironment(ref) || ref.node.root !== platform) {
        problems.error({ path, property: `environments[${i}]`, value: Environment.isEnvironment(ref) ? ref.node.path : ref, message: 'the environment belongs to another platform', fix: 'use an environment of this platform' });
      }
    });
    for (const placement of this.placements) {
      const n = checkDns1123Label(placement.namespace);
      if (n && !p) problems.error({ path, property: 'namespace', value: placement.namespace, message: `in environment ${placement.environment.name}: ${n}`, fix: 'shorten the project name or the environment\'s namespaceSuffix' });
    }
    if (!p) this.checkReservedNamespaces(problems, path, platform);
    this.checkClusterChoice(problems, path, platform);
    for (const s of [...this.services, ...this.statefulServices]) checkServiceEnvironments(problems, s);
    for (const s of this.services) checkConnectionPlacement(problems, s, s.connections, s.environments, targetEnvironmentOf);
    for (const preview of platform.activePreviews) checkPreviewPlacement(problems, preview, this.services.filter((s) => preview.runs(s)));
    for (const [ref, quota] of this.quotas) {
      const label = ref === undefined ? 'quota' : `quotaIn(${JSON.stringify(typeof ref === 'string' ? ref : ref.name)})`;
      checkProjectQuota(problems, path, label, quota);
      if (ref === undefined) continue;
      const env = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      if (!env || !this.isPlacedIn(env)) {
        problems.error({ path, property: label, value: typeof ref === 'string' ? ref : ref.name, message: `the project is not placed in this environment (it is in: ${this.environments.map((e) => e.name).join(', ') || 'none'})`, fix: 'set quotas only for environments of the project' });
      }
    }
    for (const env of this.environments) this.checkQuotaFits(problems, path, env);
    this.grantList.forEach((g, i) => checkProjectGrant(problems, path, `grant[${i}]`, this.tenant, g, this));
    for (const env of this.environments) {
      const seen = new Map<string, string>();
      for (const g of this.grantsIn(env)) {
        const key = `${g.subject?.subjectKind}/${g.subject?.subjectName}`;
        const first = seen.get(key);
        if (first !== undefined) {
          problems.error({ path, property: 'grant', value: g.subject?.subjectName, message: `in environment ${env.name} this ${g.subject?.subjectKind === 'Group' ? 'department' : 'user'} is granted ${first} and ${g.role?.name} on project ${this.name}; one subject has one role per project and environment`, fix: 'grant one role per subject and environment (a custom role can combine templates)' });
        } else seen.set(key, g.role?.name);
      }
    }
    // A tenant's pipelines share its DevOps project and GitLab CI folder, both keyed by module name: one
    // pipeline per module name in the tenant. Each project reports its own pipelines.
    const modules = new Map<string, Pipeline>();
    for (const pl of this.tenant.projects.flatMap((x) => x.pipelines)) {
      const first = modules.get(pl.module);
      if (!first) modules.set(pl.module, pl);
      else if (pl.project !== this) continue;
      else if (first.project === this) problems.error({ path: pl.node.path, property: 'module', value: pl.module, message: `${first.node.path} is the pipeline of this module already`, fix: 'give each module one pipeline (add stages or environments to it instead)' });
      else problems.error({ path: pl.node.path, property: 'module', value: pl.module, message: `${first.node.path} of project ${first.project.name} releases a module of this name already, and a tenant's pipelines share its DevOps project and GitLab CI folder by module name`, fix: 'give the modules of a tenant different names (e.g. prefix the project: "orders-api")' });
    }
    const names = new Map<string, AppService | StatefulService>();
    for (const s of [...this.services, ...this.statefulServices]) {
      const first = names.get(s.name);
      if (first) {
        problems.error({ path: s.node.path, property: 'name', value: s.name, message: `the service ${first.node.path} in the same project has this name already`, fix: 'give each service of a project its own name' });
      } else names.set(s.name, s);
    }
  }
}

/** The environment whose instance of a target a caller in an environment reaches (a preview's baseline for what it does not run). */
function targetEnvironmentOf(target: IConnectable, environment: Environment): Environment | undefined {
  if (!PreviewEnvironment.isPreview(environment)) return environment;
  return AppService.isAppService(target) && environment.runs(target) ? environment : environment.baseline;
}
