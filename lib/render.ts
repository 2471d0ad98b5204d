/**
 * The one render path: the model becomes, per cluster, a cdk8s chart of finished Kubernetes objects. The YAML
 * output writes these charts; the Pulumi output registers the same objects.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Cluster } from '../constructs/cluster';
import { Platform, Target } from '../constructs/platform';
import type { TargetEmitter } from './emitters/emitter';
import { kubeSphereV4Emitter } from './emitters/kubesphere-v4';
import { compareObjects, KubeObject, ManifestObject, nonEmpty } from './manifest';
import { ClusterPlan, planPlatform } from './plan';
import { projectLabels, renderAppService } from './workloads';

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
}

/** The emitter of each target. */
const EMITTERS: Record<Target, TargetEmitter> = {
  [Target.KUBESPHERE_V4_1]: kubeSphereV4Emitter,
};

/** The pod security level every project namespace enforces. */
const POD_SECURITY_LEVEL = 'restricted';

/**
 * Renders a platform into one cdk8s chart per cluster. The model should be valid (see `validatePlatform`);
 * `ManifestStack` checks that first.
 * @param platform the platform
 * @param plan its per-cluster plan, when the caller has it already
 */
export function renderPlatform(platform: Platform, plan: readonly ClusterPlan[] = planPlatform(platform)): RenderedPlatform {
  const emitter = EMITTERS[platform.target];
  if (!emitter) throw new Error(`[${platform.node.path}] target: got ${JSON.stringify(platform.target)}; this target has no emitter. Fix: use one of ${Object.values(Target).join(', ')}.`);
  const app = new App({ outdir: 'unused' });
  const clusters = plan.map((p) => renderCluster(app, p, emitter));
  return { app, clusters };
}

function renderCluster(app: App, plan: ClusterPlan, emitter: TargetEmitter): RenderedCluster {
  const chart = new Chart(app, plan.cluster.name, { disableResourceNameHashes: true });
  const clusterScoped: KubeObject[] = [];
  for (const tenant of plan.tenants) clusterScoped.push(...emitter.tenantObjects(tenant, tenant.clusters));
  const namespaced: KubeObject[][] = [];
  for (const placement of plan.placements) {
    const target = emitter.namespaceMetadata(placement);
    clusterScoped.push({
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
        annotations: nonEmpty(target.annotations),
      },
    });
    const objects: KubeObject[] = [];
    for (const service of placement.project.services) objects.push(...renderAppService(service, placement));
    namespaced.push(objects.sort(compareObjects));
  }
  clusterScoped.sort(compareObjects);
  const out: ManifestObject[] = [];
  for (const o of clusterScoped) out.push(new ManifestObject(chart, `${o.kind}.${o.metadata.name}`, o));
  plan.placements.forEach((placement, i) => {
    const scope = new Construct(chart, placement.namespace);
    for (const o of namespaced[i]) out.push(new ManifestObject(scope, `${o.kind}.${o.metadata.name}`, o));
  });
  return { cluster: plan.cluster, plan, chart, objects: out };
}
