/**
 * The per-cluster plan: which namespaces and tenant objects each cluster receives. Validation, the YAML
 * output and (later) the Pulumi output all read it, so they agree on where things land.
 */
import type { Cluster } from '../constructs/cluster';
import type { Environment } from '../constructs/environment';
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
  /** On the host cluster, the member clusters it manages, sorted by name; empty elsewhere. */
  readonly members: readonly Cluster[];
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
    const members = cluster.isHost ? platform.clusters.filter((c) => !c.isHost).sort((a, b) => compare(a.name, b.name)) : [];
    plans.push({ cluster, tenants: cluster.isHost ? [...tenants].sort((a, b) => compare(a.name, b.name)) : [], placements, members });
  }
  return plans.sort((a, b) => compare(a.cluster.name, b.cluster.name));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What one deployment stack (a Pulumi stack) covers: an environment, or a cluster that is in no environment
 * (a host cluster that only runs the control plane).
 */
export interface StackScope {
  /** The stack's name: the environment's or the cluster's. */
  readonly name: string;
  /** The environment, when the stack is an environment's. */
  readonly environment?: Environment;
  /** The clusters the stack deploys to, sorted by name. */
  readonly clusters: readonly Cluster[];
}

/**
 * The stack that owns a cluster's objects that belong to no environment (the tenants' objects on the host):
 * the first environment, in the order they were added, that spans the cluster, or else the cluster itself.
 */
export function clusterOwner(platform: Platform, cluster: Cluster): string {
  return platform.environments.find((e) => e.clusters.includes(cluster))?.name ?? cluster.name;
}

/** The names a stack may have: every environment, then every cluster that is in no environment. */
export function stackNames(platform: Platform): string[] {
  const names = platform.environments.map((e) => e.name);
  // A cluster in no environment is a stack of its own; an environment named after its cluster is listed once.
  for (const c of platform.clusters) if (clusterOwner(platform, c) === c.name && !names.includes(c.name)) names.push(c.name);
  return names;
}

/**
 * The scope of the stack with this name, or `undefined` when no environment, and no cluster outside every
 * environment, has it.
 */
export function stackScope(platform: Platform, name: string): StackScope | undefined {
  const environment = platform.findEnvironment(name);
  if (environment) {
    return { name, environment, clusters: [...environment.clusters].sort((a, b) => compare(a.name, b.name)) };
  }
  const cluster = platform.findCluster(name);
  if (cluster && clusterOwner(platform, cluster) === cluster.name) return { name, clusters: [cluster] };
  return undefined;
}

/**
 * Whether a stack deploys an object: objects of a project namespace go with their environment; objects of the
 * cluster as a whole go with the cluster's owner (see `clusterOwner`).
 */
export function stackIncludes(platform: Platform, scope: StackScope, cluster: Cluster, environment: Environment | undefined): boolean {
  if (!scope.clusters.includes(cluster)) return false;
  if (environment) return environment === scope.environment;
  return clusterOwner(platform, cluster) === scope.name;
}
