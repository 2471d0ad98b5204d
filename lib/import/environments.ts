/**
 * What an environment is, beyond its name: whether it is a production environment. platform-cdk writes no
 * production label, so an environment not named `production` or `prod` (a partner's cluster, a second region) is
 * recognised by what the library writes by default only in production: a disruption budget beside each Deployment.
 */
import type { ExportedObject } from './read';

/** Where a namespace belongs (the fields of a project's place that matter here). */
interface NamespaceOf {
  readonly cluster: string;
  readonly namespace: string;
  readonly environment: string;
}

/**
 * Whether an environment is production: named so, or most of its Deployments (more than half) have a
 * PodDisruptionBudget of their name, which the library writes by default in production only.
 * @param name the environment's name
 * @param objects the export's objects
 * @param places where each project namespace belongs
 */
export function isProductionEnvironment(name: string, objects: readonly ExportedObject[], places: readonly NamespaceOf[]): boolean {
  if (name === 'production' || name === 'prod') return true;
  const namespaces = new Set(places.filter((p) => p.environment === name).map((p) => `${p.cluster}/${p.namespace}`));
  const budgets = new Set<string>();
  const deployments: string[] = [];
  for (const e of objects) {
    const key = `${e.cluster}/${e.object.metadata.namespace ?? ''}`;
    if (!namespaces.has(key)) continue;
    if (e.object.kind === 'Deployment') deployments.push(`${key}/${e.object.metadata.name}`);
    else if (e.object.kind === 'PodDisruptionBudget') budgets.add(`${key}/${e.object.metadata.name}`);
  }
  return deployments.length > 0 && deployments.filter((d) => budgets.has(d)).length * 2 > deployments.length;
}
