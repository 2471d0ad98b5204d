/**
 * The per-cluster plan: which namespaces and tenant objects each cluster receives. Validation, the YAML
 * output and (later) the Pulumi output all read it, so they agree on where things land.
 */
import type { Cluster } from '../constructs/cluster';
import type { Platform } from '../constructs/platform';
import type { ProjectPlacement } from '../constructs/project';
import type { Tenant } from '../constructs/tenant';

/** What one cluster receives. */
export interface ClusterPlan {
  /** The cluster. */
  readonly cluster: Cluster;
  /** The tenants whose workspace objects it holds (every tenant on the host, none on members). */
  readonly tenants: readonly Tenant[];
  /** The project namespaces placed on it, sorted by namespace, then environment. */
  readonly placements: readonly ProjectPlacement[];
}

/** Plans every cluster of a platform, sorted by cluster name. Unresolvable references are left out (validation reports them). */
export function planPlatform(platform: Platform): ClusterPlan[] {
  const tenants = platform.tenants;
  const byCluster = new Map<Cluster, ProjectPlacement[]>();
  for (const c of platform.clusters) byCluster.set(c, []);
  for (const tenant of tenants) {
    for (const project of tenant.projects) {
      for (const placement of project.placements) byCluster.get(placement.cluster)?.push(placement);
    }
  }
  const plans: ClusterPlan[] = [];
  for (const [cluster, placements] of byCluster) {
    placements.sort((a, b) => compare(a.namespace, b.namespace) || compare(a.environment.name, b.environment.name) || compare(a.project.node.path, b.project.node.path));
    plans.push({ cluster, tenants: cluster.isHost ? [...tenants].sort((a, b) => compare(a.name, b.name)) : [], placements });
  }
  return plans.sort((a, b) => compare(a.cluster.name, b.cluster.name));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
