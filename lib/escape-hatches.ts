/**
 * Escape hatches: what the model does not say, said one level down and still owned by the model (docs/escape-hatches.md).
 *
 * - User constructs: any cdk8s construct (`ApiObject`, cdk8s-plus-27 constructs, classes of `cdk8s import`,
 *   `Include`, `Helm`) built by a callback that receives a fresh cdk8s `Chart` per placement: per project ×
 *   environment (its namespace on each cluster of the environment), per tenant (its namespaces on each cluster it
 *   is placed on), per cluster (cluster-scoped objects and the platform team's namespaces).
 * - Overrides: JSON patches on the objects an app or stateful service generates (`service.addOverride`).
 * - Transforms: functions that see every rendered object with its origin (`platform.addTransform`).
 *
 * The render (lib/render.ts) applies them in this order, on every entry point: generated objects → user constructs
 * → per-service overrides → platform transforms; then the checks see the result. An estate that declares none of
 * them pays nothing for them: the render asks {@link hatchesOf} once.
 */
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { Cluster } from '../constructs/cluster';
import type { Environment } from '../constructs/environment';
import type { Project, ProjectPlacement } from '../constructs/project';
import type { Tenant } from '../constructs/tenant';
import type { KubeObject, ManifestOrigin } from './manifest';
import { LabelKeys, MANAGED_BY } from './manifest';
import type { Problem } from './problems';
import type { JsonValue } from './yaml';

/** Where a user construct's chart is placed: given to the callback of `addManifests`, once per placement. */
export interface ManifestPlacement {
  /** The cluster the objects are written for. */
  readonly cluster: Cluster;
  /** The environment, for a project's placement (and a tenant's namespaces); `undefined` for a cluster's. */
  readonly environment?: Environment;
  /** The tenant, for a project's or a tenant's placement. */
  readonly tenant?: Tenant;
  /** The project, for a project's placement. */
  readonly project?: Project;
  /**
   * The namespace objects land in when they set none: the project's namespace (preset on the chart). `undefined`
   * for a tenant's or a cluster's placement: there, a namespaced object names its namespace.
   */
  readonly namespace?: string;
  /** The namespaces objects may be in: the project's one, or the tenant's on this cluster; empty for a cluster (any namespace no project owns). */
  readonly namespaces: readonly string[];
}

/** What builds user constructs: called at render time, once per placement, with a fresh chart. */
export type ManifestsBuilder = (chart: Chart, placement: ManifestPlacement) => void;

/** Options of a project's `addManifests`. */
export interface ProjectManifestsOptions {
  /**
   * Build the constructs only in this environment (by name).
   * @default - every environment the project is placed in
   */
  readonly environment?: string;
}

/** What a transform receives besides the object: where it comes from and the cluster it is written for. */
export interface TransformContext extends ManifestOrigin {
  /** The cluster the object is written for. */
  readonly cluster: Cluster;
}

/**
 * A platform-wide transform (an aspect): sees every rendered object, generated or user-added, and may change it in
 * place or return a replacement. Returning nothing keeps the (possibly changed) object.
 */
export type ObjectTransform = (object: KubeObject, context: TransformContext) => KubeObject | void;

/** One declared set of user constructs. */
interface DeclaredManifests {
  readonly id: string;
  /** The construct path the objects are named by: `<scope path>/<id>`. */
  readonly path: string;
  readonly build: ManifestsBuilder;
  readonly environment?: string;
  /** Checks the declaration against the whole model at render time: a message when it cannot be placed. */
  readonly check?: () => string | undefined;
}

/** One override of a service's generated objects. */
interface DeclaredOverride {
  readonly kind: string;
  readonly ops: readonly JsonPatch[];
  /** How the override was written, for its error. */
  readonly description: string;
  /** Whether it applied to at least one object (set by the render). */
  applied: boolean;
}

/** A transform and the construct path of the platform that declared it. */
interface DeclaredTransform {
  readonly path: string;
  readonly transform: ObjectTransform;
}

/** Everything one construct tree declares. */
export interface Hatches {
  readonly manifests: Map<IConstruct, DeclaredManifests[]>;
  readonly overrides: Map<IConstruct, DeclaredOverride[]>;
  readonly transforms: DeclaredTransform[];
}

const TREES = new WeakMap<IConstruct, Hatches>();

/** The escape hatches declared in the tree of `scope`, or `undefined` when there are none (the fast path). */
export function hatchesOf(scope: IConstruct): Hatches | undefined {
  return TREES.get(scope.node.root);
}

function hatchesFor(scope: IConstruct): Hatches {
  const root = scope.node.root;
  let h = TREES.get(root);
  if (!h) TREES.set(root, (h = { manifests: new Map(), overrides: new Map(), transforms: [] }));
  return h;
}

/**
 * Declares user constructs on a project, tenant or cluster (what their `addManifests` call).
 * @param scope the project, tenant or cluster
 * @param id an id unique among the scope's declarations; the objects' construct paths start with `<scope path>/<id>`
 * @param build the callback, called per placement at render time
 * @param environment for a project: only this environment
 * @param check checks the declaration against the whole model at render time (a message when it cannot be placed)
 */
export function declareManifests(scope: IConstruct, id: string, build: ManifestsBuilder, environment?: string, check?: () => string | undefined): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new Error(`[${scope.node.path}] addManifests id: got ${JSON.stringify(id)}; an id is letters, digits, '.', '_' and '-'. Fix: name the constructs, e.g. 'nightly-report'.`);
  if (typeof build !== 'function') throw new Error(`[${scope.node.path}/${id}] addManifests: got ${typeof build} instead of a function (chart, placement) => void. Fix: pass a callback that adds constructs to the chart.`);
  const h = hatchesFor(scope);
  const list = h.manifests.get(scope) ?? [];
  if (list.some((d) => d.id === id)) throw new Error(`[${scope.node.path}/${id}] addManifests: the id ${id} is used already on ${scope.node.path}. Fix: give each call its own id.`);
  list.push({ id, path: `${scope.node.path}/${id}`, build, environment, check });
  h.manifests.set(scope, list);
}

/**
 * Declares JSON patches on the objects of one kind that a service generates (what `addOverride` and
 * `addJsonPatch` of a service call).
 * @param service the app or stateful service
 * @param kind the kind of the objects patched, e.g. `Deployment`
 * @param ops the patches
 * @param description how the override reads, for its error
 */
export function declareOverride(service: IConstruct, kind: string, ops: readonly JsonPatch[], description: string): void {
  if (typeof kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) throw new Error(`[${service.node.path}] addOverride kind: got ${JSON.stringify(kind)}; a kind is a Kubernetes kind such as Deployment. Fix: name the kind of the generated object.`);
  const h = hatchesFor(service);
  const list = h.overrides.get(service) ?? [];
  list.push({ kind, ops, description, applied: false });
  h.overrides.set(service, list);
}

/**
 * The JSON patch of an override: `path` is a JSON pointer (`/spec/replicas`) or dotted (`spec.template.spec.hostNetwork`,
 * `\.` for a dot inside a key, digits for an array index). `undefined` removes the field; anything else adds or
 * replaces it (its parent must exist).
 * @param path the path
 * @param value the value
 */
export function overridePatch(path: string, value: JsonValue | undefined): JsonPatch {
  const pointer = toPointer(path);
  return value === undefined ? JsonPatch.remove(pointer) : JsonPatch.add(pointer, value);
}

/** A dotted path or JSON pointer as a JSON pointer. */
export function toPointer(path: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new Error(`an override path must be a non-empty string; got ${JSON.stringify(path)}`);
  if (path.startsWith('/')) return path;
  const keys: string[] = [];
  let key = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && path[i + 1] === '.') {
      key += '.';
      i++;
    } else if (ch === '.') {
      keys.push(key);
      key = '';
    } else key += ch;
  }
  keys.push(key);
  return keys.map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Declares a platform-wide transform.
 * @param platform the platform
 * @param transform the transform
 */
export function declareTransform(platform: IConstruct, transform: ObjectTransform): void {
  if (typeof transform !== 'function') throw new Error(`[${platform.node.path}] addTransform: got ${typeof transform} instead of a function (object, context) => object | void. Fix: pass a function.`);
  hatchesFor(platform).transforms.push({ path: platform.node.path, transform });
}

/** A user object and its construct path. */
export interface UserObject {
  readonly object: KubeObject;
  readonly origin: ManifestOrigin;
}

/** Built-in Kubernetes kinds that are cluster-scoped. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'PriorityClass',
  'IngressClass', 'RuntimeClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'CertificateSigningRequest', 'FlowSchema',
  'PriorityLevelConfiguration', 'ClusterIssuer', 'ClusterSecretStore', 'ClusterExternalSecret', 'WorkspaceTemplate', 'Workspace',
  'WorkspaceRole', 'WorkspaceRoleBinding', 'GlobalRole', 'GlobalRoleBinding', 'User', 'Group', 'GroupBinding', 'Cluster',
]);

/** Whether objects of a kind are cluster-scoped (built-in kinds, cert-manager, external-secrets and KubeSphere's). */
export function isClusterScopedKind(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** Built-in Kubernetes kinds (and those of the operators the model writes for) that are namespaced. */
const NAMESPACED = new Set([
  'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Pod', 'PodTemplate', 'ReplicationController', 'Deployment', 'StatefulSet', 'DaemonSet',
  'ReplicaSet', 'ControllerRevision', 'Job', 'CronJob', 'Ingress', 'NetworkPolicy', 'Role', 'RoleBinding', 'PersistentVolumeClaim',
  'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ResourceQuota', 'LimitRange', 'Endpoints', 'EndpointSlice', 'Event', 'Lease',
  'CSIStorageCapacity', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'ExternalSecret', 'SecretStore', 'Certificate', 'Issuer',
]);

/**
 * Whether objects of a kind are known to be namespaced (built-in kinds and those of the operators the model writes
 * for). A kind neither known namespaced nor known cluster-scoped (a custom resource's) is taken as cluster-scoped
 * when a cluster's construct gives it no namespace, as a CRD of `scope: Cluster` would have it.
 */
export function isNamespacedKind(kind: string): boolean {
  return NAMESPACED.has(kind);
}

/** One placement of a declaration, as the render builds it. */
export interface BuildRequest {
  readonly declared: DeclaredManifestsRef;
  readonly placement: ManifestPlacement;
  /** The labels every object of the placement carries (the project's, the tenant's, the platform's). */
  readonly labels: Readonly<Record<string, string>>;
  /** The origin of the objects, the construct path aside. */
  readonly origin: ManifestOrigin;
}

/** A declaration, opaque outside this file. */
export type DeclaredManifestsRef = Readonly<Pick<DeclaredManifests, 'path'>>;

/** The declarations of user constructs on a scope, in the order they were made. */
export function manifestsOf(hatches: Hatches, scope: IConstruct, environment?: string): readonly DeclaredManifestsRef[] {
  const list = hatches.manifests.get(scope);
  if (!list) return [];
  return environment === undefined ? list : list.filter((d) => d.environment === undefined || d.environment === environment);
}

/**
 * Runs a declaration's callback on a fresh chart and returns its objects, labelled and placed; what cannot be placed
 * is a problem naming the object's construct path.
 * @param request the declaration and its placement
 * @param problems where problems go
 */
export function buildUserObjects(request: BuildRequest, problems: Problem[]): UserObject[] {
  const declared = request.declared as DeclaredManifests;
  const { placement } = request;
  const app = new App({ outdir: 'unused' });
  const chart = new Chart(app, declared.id, { namespace: placement.namespace, disableResourceNameHashes: true });
  const where = `on cluster ${placement.cluster.name}${placement.environment ? ` (environment ${placement.environment.name})` : ''}`;
  try {
    declared.build(chart, placement);
  } catch (e) {
    problems.push({ severity: 'error', path: declared.path, property: 'addManifests', value: undefined, message: `the callback failed ${where}: ${e instanceof Error ? e.message : String(e)}`, fix: 'correct the constructs the callback adds (for Helm: is `helm` on PATH?)' });
    return [];
  }
  const errors = chart.node.findAll().flatMap((c) => c.node.validate().map((m) => `[${declared.path}/${relative(chart, c)}] ${m}`));
  if (errors.length > 0) {
    problems.push({ severity: 'error', path: declared.path, property: 'addManifests', value: undefined, message: `the constructs are invalid ${where}: ${errors.join('; ')}`, fix: 'correct the constructs the callback adds' });
    return [];
  }
  const out: UserObject[] = [];
  for (const c of chart.node.findAll()) {
    if (!ApiObject.isApiObject(c)) continue;
    const path = `${declared.path}/${relative(chart, c)}`;
    let object: KubeObject;
    try {
      object = JSON.parse(JSON.stringify((c as ApiObject).toJson())) as KubeObject;
    } catch (e) {
      problems.push({ severity: 'error', path, property: 'object', value: undefined, message: `the object cannot be synthesized ${where}: ${e instanceof Error ? e.message : String(e)}`, fix: 'correct the construct' });
      continue;
    }
    const placed = place(object, path, placement, where, problems);
    if (!placed) continue;
    placed.metadata.labels = { ...(placed.metadata.labels ?? {}), ...request.labels };
    out.push({ object: placed, origin: { ...request.origin, construct: path } });
  }
  return out;
}

/** The object in its placement's namespace, or `undefined` (and a problem) when it may not be there. */
function place(object: KubeObject, path: string, placement: ManifestPlacement, where: string, problems: Problem[]): KubeObject | undefined {
  const bad = (property: string, value: unknown, message: string, fix: string): undefined => {
    problems.push({ severity: 'error', path, property, value, message: `${message} ${where}`, fix });
    return undefined;
  };
  if (!object || typeof object !== 'object' || typeof object.kind !== 'string' || typeof object.apiVersion !== 'string' || !object.metadata || typeof object.metadata.name !== 'string' || object.metadata.name === '') {
    return bad('object', object?.kind, 'the object has no apiVersion, kind or metadata.name', 'give the object an apiVersion, a kind and a name');
  }
  const ns = object.metadata.namespace;
  const scoped = isClusterScopedKind(object.kind);
  if (placement.project || placement.tenant) {
    const owner = placement.project ? `project ${placement.project.name}` : `tenant ${placement.tenant?.name}`;
    if (scoped) {
      return bad('kind', object.kind, `a ${object.kind} is cluster-scoped, and the objects of ${owner} live in its namespaces`, 'add cluster-scoped objects with cluster.addManifests (the platform team\'s place)');
    }
    if (ns === undefined) {
      return bad('metadata.namespace', undefined, `the ${object.kind} ${object.metadata.name} names no namespace; the objects of ${owner} live in ${placement.namespaces.join(', ') || 'no namespace'}`, `set metadata.namespace to one of ${placement.namespaces.join(', ') || 'the tenant\'s namespaces'}`);
    }
    if (!placement.namespaces.includes(ns)) {
      return bad('metadata.namespace', ns, `the ${object.kind} ${object.metadata.name} is in namespace ${ns}, which is not ${owner}'s (${placement.namespaces.join(', ') || 'none here'})`, `leave metadata.namespace unset (the project's namespace) or set it to ${placement.namespaces[0] ?? 'one of its namespaces'}; objects of other namespaces belong to their own project, tenant or cluster`);
    }
    return object;
  }
  if (scoped) {
    if (ns !== undefined) {
      const { namespace: _, ...metadata } = object.metadata;
      return { ...object, metadata };
    }
    return object;
  }
  if (ns === undefined && isNamespacedKind(object.kind)) return bad('metadata.namespace', undefined, `the ${object.kind} ${object.metadata.name} names no namespace (a cluster's constructs are cluster-scoped or in the platform team's namespaces)`, 'set metadata.namespace');
  // Without a namespace, a custom resource is cluster-scoped (its CRD says `scope: Cluster`).
  return object;
}

function relative(chart: Chart, c: IConstruct): string {
  return c.node.path.slice(chart.node.path.length + 1) || c.node.id;
}

/** The labels of a cluster's user objects: the platform's. */
export function clusterLabels(): Record<string, string> {
  return { [LabelKeys.MANAGED_BY]: MANAGED_BY };
}

/** The project placement of a namespace on a cluster, among a cluster's placements. */
export function placementOfNamespace(placements: readonly ProjectPlacement[], namespace: string): ProjectPlacement | undefined {
  return placements.find((p) => p.namespace === namespace);
}

/**
 * Applies a service's overrides to its generated objects, in the order they were declared. An override that fails on
 * an object (its path's parent does not exist there) leaves that object as it was; one that applies to none of the
 * service's objects is reported by {@link unappliedOverrides}.
 * @param hatches the declarations
 * @param service the service
 * @param objects its objects in one namespace, replaced in place by their patched copies
 */
export function applyOverrides(hatches: Hatches, service: IConstruct, objects: KubeObject[]): void {
  const list = hatches.overrides.get(service);
  if (!list) return;
  for (let i = 0; i < objects.length; i++) {
    let o = objects[i];
    for (const override of list) {
      if (o.kind !== override.kind) continue;
      try {
        o = JsonPatch.apply(JSON.parse(JSON.stringify(o)), ...override.ops) as KubeObject;
        override.applied = true;
      } catch {
        // Not on this object: reported when it applies to none.
      }
    }
    objects[i] = o;
  }
}

/** The overrides that applied to no generated object, as problems (after a render). */
export function unappliedOverrides(hatches: Hatches): Problem[] {
  const problems: Problem[] = [];
  for (const [service, list] of hatches.overrides) {
    for (const o of list) {
      if (o.applied) continue;
      problems.push({ severity: 'error', path: service.node.path, property: `addOverride ${o.kind}`, value: o.description, message: `the override applies to no ${o.kind} this service generates (no such object, or the path's parent does not exist on it)`, fix: `check the kind and the path against the rendered ${o.kind} (\`platform-cdk synth\`); to add a field under a missing parent, override the parent with an object` });
    }
  }
  return problems;
}

/** The declarations of user constructs that cannot be placed (a project's environment it is not in), as problems. */
export function unplacedManifests(hatches: Hatches): Problem[] {
  const problems: Problem[] = [];
  for (const list of hatches.manifests.values()) {
    for (const d of list) {
      const message = d.check?.();
      if (message) problems.push({ severity: 'error', path: d.path, property: 'environment', value: d.environment, message, fix: 'name an environment the project is placed in, or leave `environment` out' });
    }
  }
  return problems;
}

/** Marks every override as not applied yet (before a render). */
export function resetOverrides(hatches: Hatches): void {
  for (const list of hatches.overrides.values()) for (const o of list) o.applied = false;
}

/**
 * Applies the platform's transforms to an object, in the order they were added.
 * @param hatches the declarations
 * @param object the object (not changed: transforms see a copy)
 * @param context where it comes from
 * @param problems where a failing transform is reported
 */
export function transformObject(hatches: Hatches, object: KubeObject, context: TransformContext, problems: Problem[]): KubeObject {
  let o = JSON.parse(JSON.stringify(object)) as KubeObject;
  for (const t of hatches.transforms) {
    try {
      const r = t.transform(o, context);
      if (r !== undefined) o = r;
    } catch (e) {
      problems.push({ severity: 'error', path: t.path, property: 'addTransform', value: `${object.kind} ${object.metadata.name}`, message: `the transform failed on cluster ${context.cluster.name}: ${e instanceof Error ? e.message : String(e)}`, fix: 'correct the transform' });
    }
  }
  if (!o || typeof o !== 'object' || !o.metadata || o.metadata.namespace !== object.metadata.namespace) {
    problems.push({ severity: 'error', path: hatches.transforms[0].path, property: 'addTransform', value: `${object.kind} ${object.metadata.name}`, message: `a transform moved the object out of its namespace (${object.metadata.namespace ?? 'cluster-scoped'}) on cluster ${context.cluster.name}`, fix: 'leave metadata.namespace as it is; place objects with addManifests on the project, tenant or cluster' });
    return object;
  }
  return o;
}
