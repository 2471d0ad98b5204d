/**
 * The one render path: the model becomes, per cluster, a cdk8s chart of finished Kubernetes objects. The YAML
 * output writes these charts; the Pulumi output registers the same objects.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ProjectRole, WorkspaceRole } from '../constructs/access';
import type { Cluster } from '../constructs/cluster';
import type { ProjectPlacement } from '../constructs/project';
import { Platform, Target } from '../constructs/platform';
import type { TargetEmitter } from './emitters/emitter';
import { kubernetesEmitter } from './emitters/kubernetes';
import { kubeSphereV3Emitter, kubeSphereV4Emitter } from './emitters/kubesphere';
import { KubeObject, kindRank, LabelKeys, ManifestObject, ManifestOrigin, nonEmpty, originPath as sourceOf } from './manifest';
import { whileModelFrozen } from './frozen-model';
import { merged } from './merged';
import { applyOverrides, Hatches, hatchesOf, resetOverrides, transformObject, unappliedOverrides, unplacedManifests } from './escape-hatches';
import { userObjects, UserObjects } from './user-objects';
import { ClusterPlan, planPlatform } from './plan';
import { Problem, ValidationError } from './problems';
import { renderProjectBaseline } from './project-baseline';
import { alertRoutingClusterObjects, alertRoutingNamespaceObjects } from './alerting';
import { connectionPolicies, ConnectionIndex, indexConnections } from './connections';
import { clusterGitopsObjects, devopsObjects, gitlabCiFiles, hostGitopsObjects } from './delivery';
import { renderStatefulService } from './stateful';
import { previewAnnotations, previewLabels, projectLabels, renderAppService } from './workloads';

/** One cluster's synthesized objects. */
export interface RenderedCluster {
  /** The cluster. */
  readonly cluster: Cluster;
  /** What was planned for it. */
  readonly plan: ClusterPlan;
  /** The cdk8s chart holding its objects. */
  readonly chart: Chart;
  /** Its objects, in install order (cluster-scoped first, then by namespace). */
  readonly objects: readonly ManifestObject[];
}

/** A platform's synthesized objects, per cluster. */
export interface RenderedPlatform {
  /** The cdk8s app holding one chart per cluster. */
  readonly app: App;
  /** Each cluster's objects, sorted by cluster name. */
  readonly clusters: readonly RenderedCluster[];
  /** Files besides the clusters' objects, by path in the output (the GitLab CI files of release pipelines). */
  readonly files: ReadonlyMap<string, string>;
}

/** Options of a render. */
export interface RenderOptions {
  /**
   * Called before each cluster is rendered (for progress output).
   * @default - nothing is called
   */
  readonly onCluster?: (cluster: string, index: number, total: number) => void;
}

/** The emitter of each target. */
const EMITTERS: Record<Target, TargetEmitter> = {
  [Target.KUBESPHERE_V4_1]: kubeSphereV4Emitter,
  [Target.KUBESPHERE_V3_4]: kubeSphereV3Emitter,
  [Target.KUBERNETES]: kubernetesEmitter,
};

/** The emitter of a platform's target. */
export function emitterOf(platform: Platform): TargetEmitter {
  const emitter = EMITTERS[platform.target];
  if (!emitter) throw new Error(`[${platform.node.path}] target: got ${JSON.stringify(platform.target)}; this target has no emitter. Fix: use one of ${Object.values(Target).join(', ')}.`);
  return emitter;
}

/** The pod security level every project namespace enforces. */
const POD_SECURITY_LEVEL = 'restricted';

/**
 * One group of a cluster's rendered objects, in apply order: a namespace's objects (a project's, or another
 * namespace's such as a DevOps project's), or the cluster-scoped objects.
 */
export interface RenderedGroup {
  /** The namespace; `undefined` for the cluster-scoped objects. */
  readonly namespace?: string;
  /** The objects, sorted (see `compareObjects`). */
  readonly objects: readonly RenderedObject[];
}

/** A finished object and where in the model it comes from. */
export interface RenderedObject {
  /** The object. */
  readonly object: KubeObject;
  /** Where in the model it comes from. */
  readonly origin: ManifestOrigin;
}

/** What {@link renderGroups} hands on, cluster by cluster. */
export interface RenderSink {
  /**
   * Called with each group of a cluster's objects as soon as it is complete: each project namespace in the order
   * of the cluster's plan, then the other namespaces sorted by name, then the cluster-scoped objects. Not called
   * once two objects are found to collide (the render ends with a `ValidationError`).
   */
  group(cluster: ClusterPlan, group: RenderedGroup): void;
  /** Called after a cluster's last group. */
  clusterDone?(cluster: ClusterPlan): void;
}

/**
 * Renders a platform into one cdk8s chart per cluster. The model should be valid (see `validatePlatform`);
 * `ManifestStack` checks that first. Throws a `ValidationError` when two objects of a cluster would have the
 * same kind, namespace and name.
 * @param platform the platform
 * @param plan its per-cluster plan, when the caller has it already
 * @param options progress output
 */
export function renderPlatform(platform: Platform, plan: readonly ClusterPlan[] = planPlatform(platform), options: RenderOptions = {}): RenderedPlatform {
  const app = new App({ outdir: 'unused' });
  const clusters: RenderedCluster[] = [];
  renderClusters(platform, plan, options, (cluster, groups) => void clusters.push(chartOf(app, cluster, groups)));
  return { app, clusters, files: gitlabCiFiles(platform) };
}

/**
 * The objects added to a render's charts outside the pipeline (e.g. `new ApiObject(rendered.clusters[0].chart, …)`
 * after `render()`), as errors naming their construct paths: no output writes them, so they are refused rather than
 * dropped. User constructs are declared on the model instead (`addManifests`).
 * @param rendered the render
 */
export function strayObjects(rendered: RenderedPlatform): Problem[] {
  const problems: Problem[] = [];
  for (const rc of rendered.clusters) {
    const known = new Set<unknown>(rc.objects);
    for (const c of rc.chart.node.findAll()) {
      if (!ApiObject.isApiObject(c) || known.has(c)) continue;
      problems.push({
        severity: 'error',
        path: c.node.path,
        property: 'chart',
        value: `${c.kind} ${c.name}`,
        message: `the object was added to the render of cluster ${rc.cluster.name} outside the pipeline, so no output would write it`,
        fix: 'declare it on the model with project.addManifests, tenant.addManifests or cluster.addManifests (docs/escape-hatches.md)',
      });
    }
  }
  return problems;
}

/**
 * {@link renderGroups} a whole cluster at a time: `done` receives each cluster's groups once the cluster is
 * rendered, for a caller that needs a cluster's objects together (its charts, the checks) but not the estate's.
 * @param platform the platform (valid: see `validatePlatform`)
 * @param plan its per-cluster plan
 * @param options progress output
 * @param done what receives each cluster's groups
 */
export function renderClusters(platform: Platform, plan: readonly ClusterPlan[], options: RenderOptions, done: (cluster: ClusterPlan, groups: readonly RenderedGroup[]) => void): void {
  let groups: RenderedGroup[] = [];
  renderGroups(platform, plan, options, {
    group: (_cluster, group) => void groups.push(group),
    clusterDone: (cluster) => {
      done(cluster, groups);
      groups = [];
    },
  });
}

/**
 * The render itself, streamed: renders the platform cluster by cluster and hands each group of objects to `sink`
 * as soon as it is complete, so that a caller writing them as they come (`ManifestStack.synth()`) holds one
 * namespace's objects at a time rather than the whole estate. `renderPlatform` collects the same groups into
 * cdk8s charts. Every cluster is rendered even after a collision is found, so that all of them are reported in
 * the one `ValidationError` thrown at the end.
 * @param platform the platform (valid: see `validatePlatform`)
 * @param plan its per-cluster plan
 * @param options progress output
 * @param sink what receives the groups
 */
export function renderGroups(platform: Platform, plan: readonly ClusterPlan[], options: RenderOptions, sink: RenderSink): void {
  whileModelFrozen(() => renderFrozen(platform, plan, options, sink));
}

function renderFrozen(platform: Platform, plan: readonly ClusterPlan[], options: RenderOptions, sink: RenderSink): void {
  const emitter = emitterOf(platform);
  const duplicates: Problem[] = [];
  const hatches = hatchesOf(platform);
  if (hatches) resetOverrides(hatches);
  const context: RenderContext = { emitter, federated: multiClusterProjects(plan, emitter), connections: indexConnections(platform), delivery: deliveryObjects(platform), hatches };
  plan.forEach((p, i) => {
    options.onCluster?.(p.cluster.name, i, plan.length);
    renderCluster(p, context, duplicates, sink);
  });
  if (hatches) duplicates.push(...unplacedManifests(hatches), ...unappliedOverrides(hatches));
  if (duplicates.length > 0) throw new ValidationError(duplicates);
}

/** What every cluster's render shares. */
interface RenderContext {
  readonly emitter: TargetEmitter;
  readonly federated: readonly RenderedObject[];
  readonly connections: ConnectionIndex;
  readonly delivery: DeliveryRendered;
  /** The escape hatches the model declares (user constructs, overrides, transforms); `undefined` when none. */
  readonly hatches?: Hatches;
}

/** The delivery objects of the host (DevOps projects, pipelines, KubeSphere GitOps applications), rendered once. */
interface DeliveryRendered {
  readonly host: readonly RenderedObject[];
  readonly platform: Platform;
}

function deliveryObjects(platform: Platform): DeliveryRendered {
  const host: RenderedObject[] = [];
  for (const { tenant, objects } of devopsObjects(platform)) for (const object of objects) host.push({ object, origin: { tenant } });
  for (const object of hostGitopsObjects(platform)) host.push({ object, origin: {} });
  return { host, platform };
}

/** A cluster's groups as a cdk8s chart: the cluster-scoped objects first, then each namespace's. */
function chartOf(app: App, plan: ClusterPlan, groups: readonly RenderedGroup[]): RenderedCluster {
  const chart = new Chart(app, plan.cluster.name, { disableResourceNameHashes: true });
  const out: ManifestObject[] = [];
  const ordered = [...groups.filter((g) => g.namespace === undefined), ...groups.filter((g) => g.namespace !== undefined)];
  for (const { namespace, objects } of ordered) {
    const scope = namespace === undefined ? chart : (chart.node.tryFindChild(namespace) ?? new Construct(chart, namespace));
    for (const r of objects) out.push(new ManifestObject(scope, `${r.object.kind}.${r.object.metadata.name}`, r.object, r.origin));
  }
  return { cluster: plan.cluster, plan, chart, objects: out };
}

function renderCluster(plan: ClusterPlan, context: RenderContext, duplicates: Problem[], sink: RenderSink): void {
  const { emitter, connections, delivery, hatches } = context;
  const seen: SeenObjects = new Map();
  // Declared user constructs, built for this cluster (generated objects → user constructs → overrides → transforms).
  const user: UserObjects | undefined = hatches && hatches.manifests.size > 0 ? userObjects(hatches, plan, duplicates) : undefined;
  const transforms = hatches && hatches.transforms.length > 0 ? hatches : undefined;
  const hand = (group: RenderedGroup): void => {
    if (transforms) {
      const objects = group.objects.map((r) => ({ object: transformObject(transforms, r.object, { ...r.origin, cluster: plan.cluster }, duplicates), origin: r.origin }));
      group = { namespace: group.namespace, objects: sortRendered(objects) };
    }
    if (checkUnique(plan.cluster.name, group.objects, seen, duplicates) && duplicates.length === 0) sink.group(plan, group);
  };
  const clusterScoped: RenderedObject[] = [];
  const add = (objects: KubeObject[], origin: ManifestOrigin, into: RenderedObject[] = clusterScoped): void => {
    for (const object of objects) into.push({ object, origin });
  };
  for (const tenant of plan.tenants) {
    add(emitter.tenantObjects(tenant, tenant.clusters), { tenant });
    for (const department of tenant.departments) add(emitter.departmentObjects(department), { tenant });
    for (const role of uniqueCustomRoles(tenant.workspaceGrants.map((g) => g.role))) add(emitter.workspaceRoleObjects(tenant, role), { tenant });
    for (const grant of tenant.workspaceGrants) add(emitter.workspaceGrantObjects(tenant, grant), { tenant });
  }
  // Self-provisioning in some environments: bound on those environments' own clusters, not on the host.
  for (const tenant of Platform.of(plan.cluster).tenants) {
    for (const grant of tenant.clusterWorkspaceGrants(plan.cluster)) add(emitter.workspaceGrantObjects(tenant, grant), { tenant });
  }
  if (plan.cluster.isHost) {
    for (const member of plan.members) add(emitter.memberClusterObjects(member), {});
  }
  for (const tenant of new Set(plan.placements.map((p) => p.project.tenant))) {
    const quota = tenant.quotaFor(plan.cluster);
    if (quota) add(emitter.workspaceQuotaObjects(tenant, quota), { tenant });
  }
  for (const placement of plan.placements) {
    const tenant = placement.project.tenant;
    clusterScoped.push({ object: namespaceObject(placement, emitter), origin: { tenant, placement } });
    const objects: RenderedObject[] = [];
    const origin = { tenant, placement };
    add(renderProjectBaseline(placement), origin, objects);
    const grants = placement.project.grantsIn(placement.environment);
    for (const role of uniqueCustomRoles(grants.map((g) => g.role))) add(emitter.projectRoleObjects(placement, role), origin, objects);
    for (const grant of grants) add(emitter.projectGrantObjects(placement, grant), origin, objects);
    for (const grant of tenant.workspaceGrants) add(emitter.workspaceGrantNamespaceObjects(placement, grant), origin, objects);
    add(connectionPolicies(placement, connections, projectLabels(placement)), origin, objects);
    add(alertRoutingNamespaceObjects(placement, projectLabels(placement)), origin, objects);
    // One origin for all of a service's objects (nothing changes an origin).
    for (const service of placement.project.servicesIn(placement.environment)) {
      const generated = renderAppService(service, placement);
      if (hatches) applyOverrides(hatches, service, generated);
      const from: ManifestOrigin = { tenant, placement, service };
      for (const o of generated) objects.push({ object: o, origin: from });
    }
    for (const service of placement.project.statefulServicesIn(placement.environment)) {
      const generated = renderStatefulService(service, placement);
      if (hatches) applyOverrides(hatches, service, generated);
      const from: ManifestOrigin = { tenant, placement, service };
      for (const o of generated) objects.push({ object: o, origin: from });
    }
    if (user) objects.push(...(user.namespaces.get(placement.namespace) ?? []));
    // Every object of a preview's namespace carries its environment and preview labels, the owner's RoleBinding too
    // (so that the preview's objects are found, deployed and pruned together).
    const preview = previewLabels(placement.environment);
    if (Object.keys(preview).length > 0) {
      const labels = { [LabelKeys.ENVIRONMENT]: placement.environment.name, ...preview };
      for (const r of objects) r.object.metadata = { ...r.object.metadata, labels: { ...(r.object.metadata.labels ?? {}), ...labels } };
    }
    hand({ namespace: placement.namespace, objects: sortRendered(objects) });
  }
  // Objects in namespaces that are not projects here: DevOps projects' and GitOps tools' namespaces, and on the
  // host the namespaces that only hold a multi-cluster project's FederatedNamespace.
  const others = new Map<string, RenderedObject[]>();
  const deliveryHere = [...(plan.cluster.isHost ? [...delivery.host, ...context.federated] : []), ...clusterGitopsObjects(delivery.platform, plan.cluster).map((object) => ({ object, origin: {} }))];
  if (user) deliveryHere.push(...user.cluster);
  for (const { object, tenant } of alertRoutingClusterObjects(plan)) deliveryHere.push({ object, origin: { tenant } });
  for (const r of deliveryHere) {
    const ns = r.object.metadata.namespace;
    if (ns === undefined) clusterScoped.push(r);
    else others.set(ns, [...(others.get(ns) ?? []), r]);
  }
  for (const ns of [...others.keys()].sort()) hand({ namespace: ns, objects: sortRendered(others.get(ns) as RenderedObject[]) });
  hand({ objects: sortRendered(clusterScoped) });
  sink.clusterDone?.(plan);
}

/** The custom roles among some roles, each once (by name), in the order first seen. */
function uniqueCustomRoles<R extends ProjectRole | WorkspaceRole>(roles: R[]): R[] {
  const byName = new Map<string, R>();
  for (const r of roles) if (!r.builtIn && !byName.has(r.name)) byName.set(r.name, r);
  return [...byName.values()];
}

/** A project namespace's Namespace object on one cluster. */
function namespaceObject(placement: ProjectPlacement, emitter: TargetEmitter): KubeObject {
  const target = emitter.namespaceMetadata(placement);
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: placement.namespace,
      labels: merged(projectLabels(placement), target.labels, {
        'pod-security.kubernetes.io/enforce': POD_SECURITY_LEVEL,
        'pod-security.kubernetes.io/audit': POD_SECURITY_LEVEL,
        'pod-security.kubernetes.io/warn': POD_SECURITY_LEVEL,
      }),
      annotations: nonEmpty(merged(target.annotations, previewAnnotations(placement.environment))),
    },
  };
}

/** What the host holds for each project namespace that exists on several clusters (target-specific; often nothing). */
function multiClusterProjects(plans: readonly ClusterPlan[], emitter: TargetEmitter): RenderedObject[] {
  const host = plans.find((p) => p.cluster.isHost)?.cluster;
  if (!host) return [];
  const spans = new Map<string, ProjectPlacement[]>();
  for (const plan of plans) {
    for (const placement of plan.placements) {
      const key = `${placement.project.node.path}/${placement.namespace}`;
      spans.set(key, [...(spans.get(key) ?? []), placement]);
    }
  }
  const out: RenderedObject[] = [];
  for (const placements of spans.values()) {
    if (placements.length < 2) continue;
    const sorted = [...placements].sort((a, b) => (a.cluster.name < b.cluster.name ? -1 : a.cluster.name > b.cluster.name ? 1 : 0));
    const objects = emitter.multiClusterProjectObjects(host, sorted.map((p) => ({ cluster: p.cluster, namespace: namespaceObject(p, emitter) })));
    for (const object of objects) out.push({ object, origin: { tenant: sorted[0].project.tenant } });
  }
  return out;
}

/**
 * Two objects of one kind may not have the same name in one namespace of a cluster (names built from the model,
 * such as `<subject>-<role>`, can meet). Reported like any model error, naming both sources, before anything is
 * written. Returns whether the group added no collision.
 *
 * A group is sorted (`compareObjects`: kind, apiVersion, namespace, name), so its own collisions are neighbours; the
 * objects of the cluster's earlier groups are looked up by name only in a namespace that an earlier group wrote to
 * (rare: each project namespace is one group), so that the usual group costs one entry per object and no lookup.
 * @param seen the objects of the cluster's earlier groups, by namespace
 * @internal
 */
export function checkUnique(cluster: string, objects: readonly RenderedObject[], seen: SeenObjects, problems: Problem[]): boolean {
  const before = problems.length;
  // The namespaces this group is the first to write to: nothing earlier to look up there.
  const opened = new Set<string>();
  let head: KubeObject | undefined;
  let headFirst: ManifestOrigin | undefined;
  let namespace = '';
  let list: NamespaceSeen | undefined;
  for (const r of objects) {
    const o = r.object;
    const ns = o.metadata.namespace ?? '';
    if (list === undefined || ns !== namespace) {
      namespace = ns;
      list = seen.get(ns);
      if (!list) {
        seen.set(ns, (list = { entries: [] }));
        opened.add(ns);
      }
    }
    let first: ManifestOrigin | undefined;
    if (head !== undefined && sameObject(head, o)) first = headFirst;
    else {
      first = opened.has(ns) ? undefined : earlierOrigin(list, o);
      head = o;
      headFirst = first ?? r.origin;
    }
    if (!first) {
      // Not the object itself, which is released once written: its kind, apiVersion, name and origin, flat (no
      // object per entry; most are never looked up).
      list.entries.push(o.kind, o.apiVersion, o.metadata.name, r.origin);
      if (list.byName) addByName(list.byName, { kind: o.kind, apiVersion: o.apiVersion, name: o.metadata.name, origin: r.origin });
      continue;
    }
    const where = o.metadata.namespace ? `in namespace ${o.metadata.namespace} ` : '';
    problems.push({
      severity: 'error',
      path: originPath(r.origin),
      property: o.kind,
      value: o.metadata.name,
      message: `on cluster ${cluster}, ${originPath(first)} writes a ${o.kind} of this name ${where}already (names are built from the model: <subject>-<role>, <group>-<user> …)`,
      fix: 'rename one of the users, departments, roles or services whose names meet here',
    });
  }
  return problems.length === before;
}

/** An object of a cluster rendered so far: its kind, apiVersion, name and origin. @internal */
export interface SeenObject {
  /** Its kind. */
  readonly kind: string;
  /** Its apiVersion. */
  readonly apiVersion: string;
  /** Its name. */
  readonly name: string;
  /** What wrote it. */
  readonly origin: ManifestOrigin;
}

/** The objects of one namespace of a cluster rendered so far, in order, and by name once an object is looked up there. @internal */
export interface NamespaceSeen {
  /** The objects, in the order rendered: kind, apiVersion, name and origin of each, one after the other. */
  readonly entries: (string | ManifestOrigin)[];
  /** The same by name, built when an object is first looked up in the namespace. */
  byName?: Map<string, SeenObject[]>;
}

/** The objects of a cluster rendered so far, by namespace (`''` for none). @internal */
export type SeenObjects = Map<string, NamespaceSeen>;

/** Whether two objects have the same kind, apiVersion, namespace and name. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  return a.metadata.name === b.metadata.name && a.kind === b.kind && a.apiVersion === b.apiVersion && (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '');
}

/** The origin of the first object of an earlier group with the kind, apiVersion and name of `o` in its namespace. */
function earlierOrigin(list: NamespaceSeen, o: KubeObject): ManifestOrigin | undefined {
  if (!list.byName) {
    list.byName = new Map();
    const e = list.entries;
    for (let i = 0; i < e.length; i += 4) addByName(list.byName, { kind: e[i] as string, apiVersion: e[i + 1] as string, name: e[i + 2] as string, origin: e[i + 3] as ManifestOrigin });
  }
  return list.byName.get(o.metadata.name)?.find((e) => e.kind === o.kind && e.apiVersion === o.apiVersion)?.origin;
}

function addByName(byName: Map<string, SeenObject[]>, entry: SeenObject): void {
  const named = byName.get(entry.name);
  if (named) named.push(entry);
  else byName.set(entry.name, [entry]);
}

function originPath(origin: ManifestOrigin): string {
  return sourceOf(origin) ?? '-';
}

/**
 * Sorts a group's objects in place as `compareObjects` orders them, with fewer comparisons: by kind first (each kind's
 * objects kept in the order given, the kinds ordered by install rank, then name), then each kind's objects by
 * apiVersion, namespace and name. Both sorts are stable, so the order is the one a stable sort by `compareObjects` gives.
 * @param objects the objects
 * @internal
 */
export function sortRendered(objects: RenderedObject[]): RenderedObject[] {
  if (objects.length < 2) return objects;
  const byKind = new Map<string, RenderedObject[]>();
  for (const r of objects) {
    const list = byKind.get(r.object.kind);
    if (list) list.push(r);
    else byKind.set(r.object.kind, [r]);
  }
  const kinds = stableSort([...byKind.keys()], compareKinds);
  let i = 0;
  for (const kind of kinds) {
    const list = stableSort(byKind.get(kind) as RenderedObject[], compareWithinKind);
    for (let j = 0; j < list.length; j++) objects[i++] = list[j];
  }
  return objects;
}

/** Sorts in place, stably: a short list (the usual one) by insertion, which unlike the built-in sort allocates nothing. */
function stableSort<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  if (list.length > 16) return list.sort(compare);
  for (let i = 1; i < list.length; i++) {
    const x = list[i];
    let j = i - 1;
    while (j >= 0 && compare(list[j], x) > 0) {
      list[j + 1] = list[j];
      j--;
    }
    list[j + 1] = x;
  }
  return list;
}

function compareKinds(a: string, b: string): number {
  return kindRank(a) - kindRank(b) || compareText(a, b);
}

/** `compareObjects` for two objects of one kind. */
function compareWithinKind(x: RenderedObject, y: RenderedObject): number {
  const a = x.object;
  const b = y.object;
  return compareText(a.apiVersion, b.apiVersion) || compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || compareText(a.metadata.name, b.metadata.name);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
