/**
 * The user constructs of one cluster (see lib/escape-hatches.ts): each declaration built once per placement on the
 * cluster, its objects labelled, placed in their namespace and named by their construct path, ready to join the
 * generated objects of the same namespace in the render.
 */
import type { Tenant } from '../constructs/tenant';
import { buildUserObjects, clusterLabels, Hatches, manifestsOf, placementOfNamespace } from './escape-hatches';
import { LabelKeys, MANAGED_BY } from './manifest';
import type { ClusterPlan } from './plan';
import type { Problem } from './problems';
import type { RenderedObject } from './render';
import { projectLabels } from './workloads';

/** One cluster's user objects. */
export interface UserObjects {
  /** The objects in the project namespaces of the cluster, by namespace. */
  readonly namespaces: Map<string, RenderedObject[]>;
  /** The cluster's own objects: cluster-scoped ones, and those in namespaces no project owns. */
  readonly cluster: RenderedObject[];
}

/**
 * Builds the user constructs declared for one cluster: each project's, per placement on the cluster; each tenant's,
 * once for its namespaces on the cluster; the cluster's own. What cannot be placed is a problem naming its construct path.
 * @param hatches the declarations
 * @param plan the cluster's plan
 * @param problems where problems go
 */
export function userObjects(hatches: Hatches, plan: ClusterPlan, problems: Problem[]): UserObjects {
  const out: UserObjects = { namespaces: new Map(), cluster: [] };
  const into = (ns: string, r: RenderedObject): void => {
    let list = out.namespaces.get(ns);
    if (!list) out.namespaces.set(ns, (list = []));
    list.push(r);
  };
  const cluster = plan.cluster;
  for (const p of plan.placements) {
    const { project, environment } = p;
    for (const declared of manifestsOf(hatches, project, environment.name)) {
      const placement = { cluster, environment, tenant: project.tenant, project, namespace: p.namespace, namespaces: [p.namespace] };
      for (const r of buildUserObjects({ declared, placement, labels: projectLabels(p), origin: { tenant: project.tenant, placement: p } }, problems)) into(p.namespace, r);
    }
  }
  const tenants: Tenant[] = [];
  for (const p of plan.placements) if (!tenants.includes(p.project.tenant)) tenants.push(p.project.tenant);
  for (const tenant of tenants) {
    const declarations = manifestsOf(hatches, tenant);
    if (declarations.length === 0) continue;
    const namespaces = [...new Set(plan.placements.filter((p) => p.project.tenant === tenant).map((p) => p.namespace))].sort();
    for (const declared of declarations) {
      const placement = { cluster, tenant, namespaces };
      const labels = { [LabelKeys.MANAGED_BY]: MANAGED_BY, [LabelKeys.TENANT]: tenant.name };
      for (const r of buildUserObjects({ declared, placement, labels, origin: { tenant } }, problems)) {
        const ns = r.object.metadata.namespace as string;
        const where = placementOfNamespace(plan.placements, ns);
        if (where) r.object.metadata.labels = { ...(r.object.metadata.labels ?? {}), ...projectLabels(where) };
        into(ns, { object: r.object, origin: { ...r.origin, placement: where } });
      }
    }
  }
  for (const declared of manifestsOf(hatches, cluster)) {
    for (const r of buildUserObjects({ declared, placement: { cluster, namespaces: [] }, labels: clusterLabels(), origin: {} }, problems)) {
      const ns = r.object.metadata.namespace;
      const owner = ns === undefined ? undefined : placementOfNamespace(plan.placements, ns);
      if (owner) {
        problems.push({
          severity: 'error',
          path: r.origin.construct ?? declared.path,
          property: 'metadata.namespace',
          value: ns,
          message: `the ${r.object.kind} ${r.object.metadata.name} is in namespace ${ns} on cluster ${cluster.name}, which is project ${owner.project.name}'s (tenant ${owner.project.tenant.name})`,
          fix: `add it with project.addManifests on ${owner.project.node.path} (or tenant.addManifests), so that it is the project's`,
        });
        continue;
      }
      out.cluster.push(r);
    }
  }
  return out;
}
