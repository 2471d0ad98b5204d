/**
 * The bench estate as a platform-cdk model.
 */
import { Cluster, ClusterRole, Issuer, Platform, Project, Registry, Tls } from '../index';
import { benchEstateSpec } from './estate-spec';

/**
 * Builds the bench estate: `n` services × 4 environments on 4 clusters (one host, three members), in tenants
 * of 5 projects of 10 services (see `benchEstateSpec`), every project placed in every environment and every
 * service configured, exposed, autoscaled and given a disruption budget, so each service-environment yields a
 * ServiceAccount, a ConfigMap, a Deployment, a Service, an Ingress, a HorizontalPodAutoscaler and a
 * PodDisruptionBudget (in production also, production being served over HTTPS, a cert-manager Certificate), and
 * each project-environment a namespace with its quota, limit range and network policies.
 * @param n the number of services, a positive multiple of 10
 * @param extend what to add to the projects once they are built (variant u's user constructs: `user-objects.ts`)
 */
export function buildBenchEstate(n: number, extend?: (projects: readonly Project[]) => void): Platform {
  const spec = benchEstateSpec(n);
  const platform = new Platform('bench', { defaultResources: { ...spec.resources }, defaultProjectQuota: { ...spec.projectQuota } });
  const clusters = new Map<string, Cluster>();
  for (const c of spec.clusters) {
    clusters.set(c.name, platform.addCluster(c.name, { role: c.host ? ClusterRole.HOST : ClusterRole.MEMBER, ingressClassName: spec.ingressClassName, ingressNamespace: spec.ingressNamespace }));
  }
  const environments = spec.environments.map((e) => {
    const cluster = clusters.get(e.cluster);
    if (!cluster) throw new Error(`the environment ${e.name} names no cluster of the estate: ${e.cluster}`);
    const tls = e.tlsClusterIssuer === undefined ? undefined : Tls.certManager(Issuer.cluster(e.tlsClusterIssuer));
    return platform.addEnvironment(e.name, { clusters: [cluster], domain: e.domain, production: e.production, tls });
  });
  const registry = Registry.at(spec.registry);
  const projects: Project[] = [];
  for (const t of spec.tenants) {
    const tenant = platform.addTenant(t.name, { manager: t.manager, displayName: t.displayName });
    for (const p of t.projects) {
      const project = tenant.addProject(p.name, { environments, description: p.description });
      projects.push(project);
      for (const s of p.services) {
        const service = project.addService(s.name, {
          image: registry.image(s.repository, spec.imageTag),
          runAsUser: 1000,
          ports: [{ port: spec.port }],
          config: { values: { ...spec.config } },
          autoscaling: { ...spec.autoscaling },
          disruptionBudget: { maxUnavailable: spec.maxUnavailable },
          perEnvironment: { [spec.productionEnvironment]: { autoscaling: { ...spec.productionAutoscaling } } },
        });
        service.expose();
      }
    }
  }
  extend?.(projects);
  return platform;
}
