/**
 * The one render path: the model becomes, per cluster, a cdk8s chart of finished Kubernetes objects. The YAML
 * output writes these charts; the Pulumi output registers the same objects.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { ProjectRole, WorkspaceRole } from '../constructs/access';
import type { Cluster } from '../constructs/cluster';
import type { ProjectPlacement } from '../constructs/project';
import { Platform, Target } from '../constructs/platform';
import type { TargetEmitter } from './emitters/emitter';
import { kubernetesEmitter } from './emitters/kubernetes';
import { kubeSphereV3Emitter, kubeSphereV4Emitter } from './emitters/kubesphere';
import { compareObjects, KubeObject, LabelKeys, ManifestObject, ManifestOrigin, nonEmpty } from './manifest';
import { ClusterPlan, planPlatform } from './plan';
import { Problem, ValidationError } from './problems';
import { renderProjectBaseline } from './project-baseline';
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
 * Renders a platform into one cdk8s chart per cluster. The model should be valid (see `validatePlatform`);
 * `ManifestStack` checks that first. Throws a `ValidationError` when two objects of a cluster would have the
 * same kind, namespace and name.
 * @param platform the platform
 * @param plan its per-cluster plan, when the caller has it already
 */
export function renderPlatform(platform: Platform, plan: readonly ClusterPlan[] = planPlatform(platform), options: RenderOptions = {}): RenderedPlatform {
  const emitter = emitterOf(platform);
  const app = new App({ outdir: 'unused' });
  const duplicates: Problem[] = [];
  const federated = multiClusterProjects(plan, emitter);
  const connections = indexConnections(platform);
  const delivery = deliveryObjects(platform);
  const clusters = plan.map((p, i) => {
    options.onCluster?.(p.cluster.name, i, plan.length);
    return renderCluster(app, p, emitter, federated, connections, delivery, duplicates);
  });
  if (duplicates.length > 0) throw new ValidationError(duplicates);
  return { app, clusters, files: gitlabCiFiles(platform) };
}

/** The delivery objects of the host (DevOps projects, pipelines, KubeSphere GitOps applications), rendered once. */
interface DeliveryRendered {
  readonly host: readonly Rendered[];
  readonly platform: Platform;
}

function deliveryObjects(platform: Platform): DeliveryRendered {
  const host: Rendered[] = [];
  for (const { tenant, objects } of devopsObjects(platform)) for (const object of objects) host.push({ object, origin: { tenant } });
  for (const object of hostGitopsObjects(platform)) host.push({ object, origin: {} });
  return { host, platform };
}

function renderCluster(app: App, plan: ClusterPlan, emitter: TargetEmitter, federated: readonly Rendered[], connections: ConnectionIndex, delivery: DeliveryRendered, duplicates: Problem[]): RenderedCluster {
  const chart = new Chart(app, plan.cluster.name, { disableResourceNameHashes: true });
  const clusterScoped: Rendered[] = [];
  const add = (objects: KubeObject[], origin: ManifestOrigin, into: Rendered[] = clusterScoped): void => {
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
    if (tenant.quota) add(emitter.workspaceQuotaObjects(tenant, tenant.quota), { tenant });
  }
  const namespaced: Rendered[][] = [];
  for (const placement of plan.placements) {
    const tenant = placement.project.tenant;
    clusterScoped.push({ object: namespaceObject(placement, emitter), origin: { tenant, placement } });
    const objects: Rendered[] = [];
    const origin = { tenant, placement };
    add(renderProjectBaseline(placement), origin, objects);
    const grants = placement.project.grantsIn(placement.environment);
    for (const role of uniqueCustomRoles(grants.map((g) => g.role))) add(emitter.projectRoleObjects(placement, role), origin, objects);
    for (const grant of grants) add(emitter.projectGrantObjects(placement, grant), origin, objects);
    for (const grant of tenant.workspaceGrants) add(emitter.workspaceGrantNamespaceObjects(placement, grant), origin, objects);
    add(connectionPolicies(placement, connections, projectLabels(placement)), origin, objects);
    for (const service of placement.project.servicesIn(placement.environment)) {
      for (const o of renderAppService(service, placement)) objects.push({ object: o, origin: { tenant, placement, service } });
    }
    for (const service of placement.project.statefulServicesIn(placement.environment)) {
      for (const o of renderStatefulService(service, placement)) objects.push({ object: o, origin: { tenant, placement, service } });
    }
    // Every object of a preview's namespace carries its environment and preview labels, the owner's RoleBinding too
    // (so that the preview's objects are found, deployed and pruned together).
    const preview = previewLabels(placement.environment);
    if (Object.keys(preview).length > 0) {
      const labels = { [LabelKeys.ENVIRONMENT]: placement.environment.name, ...preview };
      for (const r of objects) r.object.metadata = { ...r.object.metadata, labels: { ...(r.object.metadata.labels ?? {}), ...labels } };
    }
    namespaced.push(objects.sort(compareRendered));
  }
  // Objects in namespaces that are not projects here: DevOps projects' and GitOps tools' namespaces, and on the
  // host the namespaces that only hold a multi-cluster project's FederatedNamespace.
  const others = new Map<string, Rendered[]>();
  const deliveryHere = [...(plan.cluster.isHost ? [...delivery.host, ...federated] : []), ...clusterGitopsObjects(delivery.platform, plan.cluster).map((object) => ({ object, origin: {} }))];
  for (const r of deliveryHere) {
    const ns = r.object.metadata.namespace;
    if (ns === undefined) clusterScoped.push(r);
    else others.set(ns, [...(others.get(ns) ?? []), r]);
  }
  const otherNamespaces = [...others.keys()].sort();
  for (const ns of otherNamespaces) others.get(ns)?.sort(compareRendered);
  clusterScoped.sort(compareRendered);
  const out: ManifestObject[] = [];
  if (!checkUnique(plan.cluster.name, [clusterScoped, ...namespaced, ...otherNamespaces.map((ns) => others.get(ns) as Rendered[])], duplicates)) return { cluster: plan.cluster, plan, chart, objects: out };
  for (const r of clusterScoped) out.push(new ManifestObject(chart, `${r.object.kind}.${r.object.metadata.name}`, r.object, r.origin));
  plan.placements.forEach((placement, i) => {
    const scope = new Construct(chart, placement.namespace);
    for (const r of namespaced[i]) out.push(new ManifestObject(scope, `${r.object.kind}.${r.object.metadata.name}`, r.object, r.origin));
  });
  for (const ns of otherNamespaces) {
    const scope = chart.node.tryFindChild(ns) ?? new Construct(chart, ns);
    for (const r of others.get(ns) as Rendered[]) out.push(new ManifestObject(scope, `${r.object.kind}.${r.object.metadata.name}`, r.object, r.origin));
  }
  return { cluster: plan.cluster, plan, chart, objects: out };
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
      labels: {
        ...projectLabels(placement),
        ...target.labels,
        'pod-security.kubernetes.io/enforce': POD_SECURITY_LEVEL,
        'pod-security.kubernetes.io/audit': POD_SECURITY_LEVEL,
        'pod-security.kubernetes.io/warn': POD_SECURITY_LEVEL,
      },
      annotations: nonEmpty({ ...target.annotations, ...previewAnnotations(placement.environment) }),
    },
  };
}

/** What the host holds for each project namespace that exists on several clusters (target-specific; often nothing). */
function multiClusterProjects(plans: readonly ClusterPlan[], emitter: TargetEmitter): Rendered[] {
  const host = plans.find((p) => p.cluster.isHost)?.cluster;
  if (!host) return [];
  const spans = new Map<string, ProjectPlacement[]>();
  for (const plan of plans) {
    for (const placement of plan.placements) {
      const key = `${placement.project.node.path}/${placement.namespace}`;
      spans.set(key, [...(spans.get(key) ?? []), placement]);
    }
  }
  const out: Rendered[] = [];
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
 * written.
 */
function checkUnique(cluster: string, groups: readonly Rendered[][], problems: Problem[]): boolean {
  const seen = new Map<string, Rendered>();
  const before = problems.length;
  for (const group of groups) {
    for (const r of group) {
      const o = r.object;
      const key = `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, r);
        continue;
      }
      const where = o.metadata.namespace ? `in namespace ${o.metadata.namespace} ` : '';
      problems.push({
        severity: 'error',
        path: originPath(r.origin),
        property: o.kind,
        value: o.metadata.name,
        message: `on cluster ${cluster}, ${originPath(first.origin)} writes a ${o.kind} of this name ${where}already (names are built from the model: <subject>-<role>, <group>-<user> …)`,
        fix: 'rename one of the users, departments, roles or services whose names meet here',
      });
    }
  }
  return problems.length === before;
}

function originPath(origin: ManifestOrigin): string {
  return (origin.service ?? origin.placement?.project ?? origin.tenant)?.node.path ?? '-';
}

/** An object and where it comes from, before it is put into its chart. */
interface Rendered {
  readonly object: KubeObject;
  readonly origin: ManifestOrigin;
}

function compareRendered(a: Rendered, b: Rendered): number {
  return compareObjects(a.object, b.object);
}
