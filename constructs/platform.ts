import { Construct, IConstruct } from 'constructs';
import { ProblemCollector, ValidationError } from '../lib/problems';
import { declareTransform } from '../lib/escape-hatches';
import type { ObjectTransform } from '../lib/escape-hatches';
import { Cluster, ClusterProps } from './cluster';
import { Environment, EnvironmentProps } from './environment';
import { Feature, FeatureSwitches, InstallOptions } from './features';
import { checkProjectQuota, checkResources, mergeResources, ProjectQuota, Resources } from './resources';
import { checkDelivery, checkReleasePins, DeliveryOptions, readReleasePins, ReleasePins } from './delivery';
import type { EnvironmentRef } from './project';
import type { PreviewEnvironment, PreviewProps } from './preview';
import type { PreviewFromEnvironmentOptions } from './preview-sources';
import { previewSlug } from './preview-name';
import { checkAnnotations, checkBranchName } from '../lib/values';
import { Tenant, TenantProps } from './tenant';

/** What the output is for: the KubeSphere release whose API the objects use. */
export enum Target {
  /** KubeSphere 4.1 (`tenant.kubesphere.io/v1beta1` WorkspaceTemplates). The default. */
  KUBESPHERE_V4_1 = 'kubesphere-v4.1',
  /**
   * KubeSphere 3.4 (`tenant.kubesphere.io/v1alpha2` WorkspaceTemplates with the network isolation switch,
   * Kubernetes RBAC for project roles, role templates named in the aggregation annotation).
   */
  KUBESPHERE_V3_4 = 'kubesphere-v3.4',
  /**
   * Plain Kubernetes, no KubeSphere: tenants become labels, roles become RBAC bindings to the built-in cluster
   * roles (admin, edit, view) with users and groups from the cluster's identity provider, and every project
   * keeps its quota, limit range and network policies.
   */
  KUBERNETES = 'kubernetes',
}

/** Properties of a {@link Platform}. */
export interface PlatformProps {
  /**
   * The KubeSphere release the output targets. The model is the same for every target; this switch picks
   * the emitter that turns tenants into that release's objects.
   * @default Target.KUBESPHERE_V4_1
   */
  readonly target?: Target;
  /**
   * Resources of every container that neither its environment nor its service sets.
   * @default - 100m/500m CPU, 128/256 MiB memory (`DEFAULT_RESOURCES`)
   */
  readonly defaultResources?: Resources;
  /**
   * The quota of every project namespace that neither its environment nor its project sets.
   * @default - 4/8 cores, 8/16 GiB, 50 pods (`DEFAULT_PROJECT_QUOTA`)
   */
  readonly defaultProjectQuota?: ProjectQuota;
  /**
   * The order releases move through environments (e.g. test → staging → production). A release pipeline deploys
   * to its environments in this order, and may not skip ahead.
   * @default - the environments in the order they were added
   */
  readonly promotionOrder?: EnvironmentRef[];
  /**
   * The date previews are checked against, `YYYY-MM-DD`, so that a run is reproducible (`platform-cdk synth
   * --now` sets it through `PLATFORM_CDK_NOW`).
   * @default - `PLATFORM_CDK_NOW`, else today (UTC)
   */
  readonly today?: string;
  /**
   * KubeSphere features turned on or off on every cluster (a cluster's own `features` win). A feature left out is on
   * where the model needs it: see {@link Feature}.
   * @default - every feature where the model needs it
   */
  readonly features?: FeatureSwitches;
  /**
   * Writes KubeSphere's installation files (`_install/<cluster>/`: ks-core values and InstallPlans on 4.1, the
   * ClusterConfiguration on 3.4) with these options (release, extension versions, telemetry); `{}` for the defaults.
   * They are written too as soon as a cluster has a node plan. See docs/install.md.
   * @default - installation files only when a cluster has a node plan, with the pinned versions and no telemetry
   */
  readonly install?: InstallOptions;
}

const PLATFORM = Symbol.for('platform-cdk.Platform');

/**
 * The root of an estate: its clusters, environments and tenants.
 *
 * @example
 * const platform = new Platform('acme');
 * const host = platform.addCluster('host', { role: ClusterRole.HOST });
 * const prod = platform.addEnvironment('production', { clusters: [host], production: true });
 */
export class Platform extends Construct {
  /**
   * The platform a construct belongs to.
   * @param construct any construct of the model
   */
  public static of(construct: IConstruct): Platform {
    const root = construct.node.root;
    if (!Platform.isPlatform(root)) {
      throw new Error(`[${construct.node.path}] is not inside a Platform; create it with platform.addTenant(), tenant.addProject() and so on`);
    }
    return root;
  }

  /** Whether a value is a Platform (works across copies of the library). */
  public static isPlatform(x: unknown): x is Platform {
    return typeof x === 'object' && x !== null && PLATFORM in x;
  }

  /** The KubeSphere release the output targets. */
  public readonly target: Target;
  /** Resources of containers that set none. */
  public readonly defaultResources?: Resources;
  /** The quota of projects that set none. */
  public readonly defaultProjectQuota?: ProjectQuota;

  private readonly promotionRefs?: EnvironmentRef[];
  private deliveryOptions?: DeliveryOptions;
  private readonly releasePins = new Map<string, ReleasePins>();
  private readonly clusterScope: Construct;
  private readonly environmentScope: Construct;
  private readonly clusterList: Cluster[] = [];
  private readonly environmentList: Environment[] = [];
  private readonly tenantList: Tenant[] = [];
  private readonly previewList: PreviewEnvironment[] = [];
  /** The date previews are checked against, `YYYY-MM-DD`. */
  public readonly today: string;
  /** KubeSphere features turned on or off explicitly on every cluster. */
  public readonly features: Readonly<FeatureSwitches>;
  /** Options of the KubeSphere installation files, when given. */
  public readonly install?: Readonly<InstallOptions>;

  /**
   * A platform on its own: the root of its construct tree, synthesized by `ManifestStack`, `synthesizeApp` or
   * `PulumiStack`.
   * @param id the platform's name; it starts every construct path in messages
   * @param props options
   */
  constructor(id: string, props?: PlatformProps);
  /**
   * A platform in an existing cdk8s `App`: `app.synth()` adds one chart per cluster (`<id>-<cluster>`) holding exactly
   * the objects `ManifestStack` writes, validated and checked by the same pipeline (see `PlatformCharts`). The
   * platform's construct paths still start with its id.
   * @param scope the cdk8s App (or a construct in it) the charts are added to
   * @param id the platform's name; it starts every construct path in messages
   * @param props options
   */
  constructor(scope: Construct, id: string, props?: PlatformProps);
  constructor(scopeOrId: Construct | string, idOrProps?: string | PlatformProps, scopedProps?: PlatformProps) {
    const scope = Construct.isConstruct(scopeOrId) ? scopeOrId : undefined;
    const id = (scope ? idOrProps : scopeOrId) as string;
    const given = scope ? scopedProps : idOrProps;
    const props = (given === undefined ? {} : given) as PlatformProps;
    if (typeof id !== 'string' || id.trim() === '' || id.includes('/')) {
      throw new ValidationError([{ severity: 'error', path: '(platform)', property: 'id', value: id, message: 'the platform\'s name starts every construct path and message: a non-empty string without "/"', fix: 'name the platform, e.g. new Platform("acme")' }]);
    }
    if (typeof props !== 'object' || props === null || Array.isArray(props)) {
      throw new ValidationError([{ severity: 'error', path: id, property: 'props', value: props, message: 'the properties of a platform are an object', fix: 'pass the platform\'s properties as an object, or leave them out' }]);
    }
    if (scope) assertNewChild(scope, id, 'platform');
    super(undefined as unknown as Construct, id);
    Object.defineProperty(this, PLATFORM, { value: true });
    this.target = props.target ?? Target.KUBESPHERE_V4_1;
    this.defaultResources = props.defaultResources;
    this.defaultProjectQuota = props.defaultProjectQuota;
    this.promotionRefs = props.promotionOrder ? [...props.promotionOrder] : undefined;
    this.today = props.today ?? process.env.PLATFORM_CDK_NOW ?? new Date().toISOString().slice(0, 10);
    this.features = { ...(props.features ?? {}) };
    this.install = props.install === undefined ? undefined : { ...props.install };
    this.clusterScope = new Construct(this, 'Clusters');
    this.environmentScope = new Construct(this, 'Environments');
    if (scope) {
      // Loaded here: the App's charts are made by the stacks, which need this module loaded first.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PlatformCharts } = require('../stacks/cdk8s-app') as typeof import('../stacks/cdk8s-app');
      new PlatformCharts(scope, this);
    }
  }

  /**
   * Adds a cluster.
   * @param id the cluster's name, as KubeSphere knows it (DNS-1123 label)
   * @param props role, labels and ingress class
   */
  public addCluster(id: string, props: ClusterProps): Cluster {
    assertNewChild(this.clusterScope, id, 'cluster', props);
    return new Cluster(this.clusterScope, id, props);
  }

  /**
   * Adds an environment.
   * @param id the environment's name, e.g. `test` or `production`
   * @param props the clusters it spans and its defaults
   */
  public addEnvironment(id: string, props: EnvironmentProps): Environment {
    assertNewChild(this.environmentScope, id, 'environment', props);
    return new Environment(this.environmentScope, id, props);
  }

  /**
   * Adds a tenant (a KubeSphere workspace, one per business domain).
   * @param id the tenant's name (DNS-1123 label)
   * @param props its manager
   */
  public addTenant(id: string, props: TenantProps): Tenant {
    assertNewChild(this, id, 'tenant', props);
    return new Tenant(this, id, props);
  }

  /**
   * Adds a platform-wide transform (an aspect; an escape hatch: docs/escape-hatches.md): a function that sees every
   * rendered object of every cluster, generated or added with `addManifests`, with its origin and cluster, and may
   * change it in place or return a replacement. Transforms run once per object, in the order they were added, after
   * the services' overrides and before the checks, on every entry point; they may not move an object to another namespace.
   * @param transform the function
   */
  public addTransform(transform: ObjectTransform): void {
    declareTransform(this, transform);
  }

  /** Every cluster, in the order they were added. */
  public get clusters(): Cluster[] {
    return [...this.clusterList];
  }

  /** Every environment, in the order they were added, then the previews that have not expired. */
  public get environments(): Environment[] {
    return [...this.environmentList, ...this.activePreviews];
  }

  /**
   * Adds a preview environment for a branch: the services it overrides run in their own namespaces on the
   * baseline's development cluster until it expires.
   * @param branch the Git branch
   * @param props baseline, owner, expiry and the services it overrides
   */
  public addPreview(branch: string, props: PreviewProps): PreviewEnvironment {
    if (typeof branch !== 'string') {
      throw new ValidationError([{ severity: 'error', path: this.environmentScope.node.path, property: 'branch', value: branch, message: 'a preview is named after its Git branch, a string', fix: 'pass the branch name, e.g. "feature/login"' }]);
    }
    const slug = previewSlug(branch);
    const taken = this.previewList.find((p) => p.slug === slug);
    if (taken && taken.branch !== branch) {
      throw new ValidationError([
        {
          severity: 'error',
          path: taken.node.path,
          property: 'branch',
          value: branch,
          message: `the branches ${JSON.stringify(taken.branch)} and ${JSON.stringify(branch)} both name the preview pv-${slug} (a preview is named after its branch in lowercase letters, digits and "-"), so one would replace the other's namespaces`,
          fix: `rename one of the branches so that they differ in more than case and punctuation, or remove the preview of ${JSON.stringify(taken.branch)} first`,
        },
      ]);
    }
    assertNewChild(this.environmentScope, `pv-${slug}`, 'preview', props);
    // Loaded here: a preview is an Environment, which needs this module loaded first.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PreviewEnvironment: Preview } = require('./preview') as typeof import('./preview');
    return new Preview(this.environmentScope, branch, props);
  }

  /**
   * Adds the preview a CI job describes in its environment (`PREVIEW_BRANCH`, `PREVIEW_IMAGES`,
   * `PREVIEW_EXPIRES`, `PREVIEW_OWNER`, `PREVIEW_BASELINE`, `PREVIEW_DEPENDENCIES`); nothing when `PREVIEW_BRANCH` is
   * not set.
   * @param options the baseline and owner when the variables do not give them
   */
  public addPreviewFromEnvironment(options: PreviewFromEnvironmentOptions = {}): PreviewEnvironment | undefined {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./preview-sources') as typeof import('./preview-sources')).addPreviewFromEnvironment(this, options);
  }

  /**
   * Adds the previews of the estate's previews folder (`<dir>/<slug>.json`, written by `platform-cdk preview
   * create`), relative to the working directory.
   * @param dir the folder
   */
  public loadPreviews(dir = 'previews'): PreviewEnvironment[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('./preview-sources') as typeof import('./preview-sources')).loadPreviews(this, dir);
  }

  /** Every preview, expired or not, in the order they were added. */
  public get previews(): PreviewEnvironment[] {
    return [...this.previewList];
  }

  /** The previews that have not expired on `today`: those that are synthesized. */
  public get activePreviews(): PreviewEnvironment[] {
    return this.previewList.filter((p) => !p.expiredOn(this.today));
  }

  /**
   * Records a preview (its constructor calls it): previews are environments apart from the baseline ones.
   * @internal
   */
  public _registerPreview(preview: PreviewEnvironment): void {
    const i = this.environmentList.indexOf(preview);
    if (i >= 0) this.environmentList.splice(i, 1);
    this.previewList.push(preview);
  }

  /** Every tenant, in the order they were added. */
  public get tenants(): Tenant[] {
    return [...this.tenantList];
  }

  /**
   * Records a cluster, environment or tenant of this platform; their constructors call it.
   * @internal
   */
  public _register(member: Cluster | Environment | Tenant): void {
    if (Cluster.isCluster(member)) this.clusterList.push(member);
    else if (Environment.isEnvironment(member)) this.environmentList.push(member);
    else this.tenantList.push(member);
  }

  /** The environments in the order releases move through them (unknown references are left out). */
  public get promotionOrder(): Environment[] {
    if (!this.promotionRefs) return [...this.environmentList];
    const out: Environment[] = [];
    for (const ref of this.promotionRefs) {
      const e = typeof ref === 'string' ? this.findEnvironment(ref) : ref;
      if (e && !out.includes(e)) out.push(e);
    }
    return out;
  }

  /**
   * Says how the platform delivers: the estate's repository, how a deploy reaches the clusters, the CI systems of
   * the release pipelines and the GitOps tool. Needed by release pipelines (`service.addPipeline`) and for the
   * GitOps objects of each cluster.
   * @param options the estate repository and the delivery choices
   */
  public configureDelivery(options: DeliveryOptions): void {
    this.deliveryOptions = options;
  }

  /** How the platform delivers, if configured. */
  public get delivery(): DeliveryOptions | undefined {
    return this.deliveryOptions;
  }

  /**
   * The image tag released to an environment for a service, from the estate's release pins
   * (`<releasesDir>/<environment>.json`, written by `platform-cdk release`), if any.
   * @param key the service's key, `<tenant>/<project>/<service>`
   * @param environment the environment's name
   */
  public releasedTag(key: string, environment: string): string | undefined {
    if (!this.deliveryOptions) return undefined;
    if (!this.releasePins.has(environment)) this.releasePins.set(environment, readReleasePins(this.deliveryOptions.releasesDir ?? 'releases', environment));
    return this.releasePins.get(environment)?.pins?.[key];
  }

  /** The host cluster, if there is exactly one. */
  public get hostCluster(): Cluster | undefined {
    const hosts = this.clusters.filter((c) => c.isHost);
    return hosts.length === 1 ? hosts[0] : undefined;
  }

  /**
   * An environment by name.
   * @param name the environment's name
   */
  public findEnvironment(name: string): Environment | undefined {
    return this.environmentList.find((e) => e.name === name) ?? this.previewList.find((e) => e.name === name);
  }

  /**
   * A cluster by name.
   * @param name the cluster's name
   */
  public findCluster(name: string): Cluster | undefined {
    return this.clusterList.find((c) => c.name === name);
  }

  /**
   * Checks the platform as a whole (one host, every member managed by it).
   * @internal
   */
  public _checkModel(problems: ProblemCollector): void {
    checkResources(problems, this.node.path, 'defaultResources', this.defaultResources, mergeResources(this.defaultResources));
    checkProjectQuota(problems, this.node.path, 'defaultProjectQuota', this.defaultProjectQuota);
    const clusters = this.clusters;
    const hosts = clusters.filter((c) => c.isHost);
    if (hosts.length > 1) {
      for (const h of hosts.slice(1)) {
        problems.error({ path: h.node.path, property: 'role', value: h.role, message: `the platform has ${hosts.length} host clusters (${hosts.map((x) => x.name).join(', ')}), and KubeSphere manages members from exactly one`, fix: 'make one cluster the host and the others members' });
      }
    }
    if (hosts.length === 0) {
      for (const m of clusters) {
        problems.error({ path: m.node.path, property: 'role', value: m.role, message: 'a member cluster needs a host cluster in the platform to manage it, and there is none', fix: 'add a cluster with role ClusterRole.HOST' });
      }
    }
    const names = new Map<string, Cluster>();
    for (const c of clusters) {
      const first = names.get(c.name);
      if (first) {
        problems.error({ path: c.node.path, property: 'name', value: c.name, message: `the cluster ${first.node.path} has this name already`, fix: 'give each cluster its own name' });
      } else names.set(c.name, c);
    }
    const groups = new Map<string, IConstruct>();
    for (const tenant of this.tenants) {
      for (const d of tenant.departments) {
        const first = groups.get(d.subjectName);
        if (first && Tenant.of(first) !== tenant) {
          problems.error({ path: d.node.path, property: 'name', value: d.name, message: `its KubeSphere group ${d.subjectName} would be the same as that of ${first.node.path} (groups are cluster-wide and named <tenant>-<department>)`, fix: 'rename one of the departments' });
        } else if (!first) groups.set(d.subjectName, d);
      }
    }
    (this.promotionRefs ?? []).forEach((ref, i) => {
      const e = typeof ref === 'string' ? this.findEnvironment(ref) : ref;
      if (!e || e.node.root !== this) problems.error({ path: this.node.path, property: `promotionOrder[${i}]`, value: typeof ref === 'string' ? ref : ref.node.path, message: `no environment of the platform has this name (environments: ${this.environments.map((x) => x.name).join(', ')})`, fix: 'list environments of the platform' });
    });
    if (this.deliveryOptions) checkDelivery(problems, this, this.deliveryOptions);
    checkReleasePins(problems, this);
    checkFeatureSwitches(problems, this.node.path, 'features', this.features);
    const versions = this.install?.extensionVersions ?? {};
    for (const [name, version] of Object.entries(versions)) {
      if (typeof version !== 'string' || !/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) {
        problems.error({ path: this.node.path, property: `install.extensionVersions[${JSON.stringify(name)}]`, value: version, message: 'an extension version is a semantic version without "v", e.g. "1.1.1"', fix: 'use a version `kubectl get extensionversions` lists for the extension' });
      }
    }
    const ksVersion = this.install?.kubesphereVersion;
    if (ksVersion !== undefined && !/^v\d+\.\d+\.\d+$/.test(ksVersion)) {
      problems.error({ path: this.node.path, property: 'install.kubesphereVersion', value: ksVersion, message: 'a KubeSphere release is written like "v4.1.3"', fix: 'name a KubeSphere release, e.g. "v4.1.3" (or "v3.4.1" for Target.KUBESPHERE_V3_4)' });
    }
    for (const preview of this.previews) checkPreviewBranch(problems, preview);
    const envNames = new Map<string, Environment>();
    for (const e of this.environments) {
      const first = envNames.get(e.name);
      if (first) {
        problems.error({ path: e.node.path, property: 'name', value: e.name, message: `the environment ${first.node.path} has this name already`, fix: 'give each environment its own name' });
      } else envNames.set(e.name, e);
    }
  }
}

/**
 * The branch of a preview becomes an annotation of its namespaces and a line of `platform-cdk preview list`: it is
 * a Git branch name of at most 255 characters, and the annotations it is written to stay within Kubernetes' limits.
 * (A branch without a letter or digit is reported by the preview itself.)
 */
function checkPreviewBranch(problems: ProblemCollector, preview: PreviewEnvironment): void {
  const branch = preview.branch;
  if (typeof branch !== 'string' || !/[A-Za-z0-9]/.test(branch)) return;
  const source = preview.source;
  const property = source.kind === 'environment' ? 'PREVIEW_BRANCH' : source.kind === 'file' && source.file !== undefined ? `${source.file}: branch` : 'branch';
  const e = checkBranchName(branch);
  if (e) {
    problems.error({ path: preview.node.path, property, value: branch, message: e, fix: 'name the preview after the Git branch it previews, e.g. "feature/login"' });
    return;
  }
  for (const a of checkAnnotations({ [PREVIEW_BRANCH_ANNOTATION]: branch })) {
    problems.error({ path: preview.node.path, property, value: branch, message: `the branch is written as the annotation ${PREVIEW_BRANCH_ANNOTATION} of the preview's namespaces: ${a.message}`, fix: 'use a shorter branch name' });
  }
}

/** The annotation the branch of a preview is written to (PreviewLabels.BRANCH; the preview module loads after this one). */
const PREVIEW_BRANCH_ANNOTATION = 'platform-cdk.io/preview-branch';

/**
 * Checks feature switches: every key must be a {@link Feature} and every value a boolean.
 * @internal
 */
export function checkFeatureSwitches(problems: ProblemCollector, path: string, property: string, switches: FeatureSwitches): void {
  for (const [k, v] of Object.entries(switches)) {
    if (!Object.values(Feature).includes(k as Feature)) {
      problems.error({ path, property: `${property}[${JSON.stringify(k)}]`, value: k, message: 'not a KubeSphere feature', fix: `use one of ${Object.values(Feature).join(', ')}` });
    } else if (typeof v !== 'boolean' && v !== undefined) {
      problems.error({ path, property: `${property}[${JSON.stringify(k)}]`, value: v, message: 'a feature is switched on with true or off with false', fix: 'use true or false, or leave it out to have it where the model needs it' });
    }
  }
}

/**
 * Throws at once, as a `ValidationError` naming the construct and the argument, when an argument that must be an
 * object is not (`null`, `undefined`, a string …): a bad call is reported where it is made, never as a raw
 * `TypeError` later.
 * @param scope the construct called
 * @param property the argument, as the message names it
 * @param value the value given
 * @param fix how to fix it
 * @internal
 */
export function assertObjectArgument(scope: IConstruct, property: string, value: unknown, fix: string): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return;
  throw new ValidationError([{ severity: 'error', path: scope.node.path, property, value, message: 'this argument is an object', fix }]);
}

/**
 * Throws at once, as a `ValidationError` naming the scope and the id, when a construct cannot be added: its id is
 * not a non-empty string, the id is taken (the tree cannot hold two children of one id), or, when `props` is
 * given, the properties are not an object (`null`, `undefined`, a string …), so that a bad call never surfaces as
 * a raw `TypeError` from deep inside a constructor.
 * @param scope where the construct goes
 * @param id its id
 * @param what what it is, for the message (`tenant`, `service` …)
 * @param props its properties, when the method takes them
 * @internal
 */
export function assertNewChild(scope: Construct, id: string, what: string, ...props: unknown[]): void {
  const a = /^[aeiou]/.test(what) ? 'an' : 'a';
  const fail = (property: string, value: unknown, message: string, fix: string, path = scope.node.path): never => {
    throw new ValidationError([{ severity: 'error', path, property, value, message, fix }]);
  };
  if (typeof id !== 'string' || id.trim() === '') fail('id', id, `${a} ${what}'s id must be a non-empty string (it names the ${what} and starts its construct path)`, `give the ${what} a name, e.g. "${what === 'tenant' ? 'payments' : what === 'cluster' ? 'host' : 'api'}"`);
  if (scope.node.tryFindChild(id)) fail('id', id, `${a} ${what} or other construct with this id exists already here`, `give each ${what} its own id`);
  if (props.length > 0 && (typeof props[0] !== 'object' || props[0] === null || Array.isArray(props[0]))) {
    fail('props', props[0], `the properties of ${a} ${what} are an object`, `pass the ${what}'s properties as an object`, `${scope.node.path}/${id}`);
  }
}
