/**
 * What the model does not say, said one level down (docs/escape-hatches.md): right-sizing the dispatch services.
 *
 * Case B: "cluster-level observability guides raising resource utilization (co-location of workloads, cost
 * reduction)". The platform team sizes services from what they use: a VerticalPodAutoscaler in recommendation mode
 * (`updateMode: Off`: it recommends requests and changes no pod) beside each service of the project named below, in
 * production, where the load is real. The model has no VPA, so:
 * - the VPA CRD, vendor YAML (vendor/vpa-crd.yaml), is included with cdk8s `Include` on the clusters those projects
 *   run on in that environment, as the cluster's own object (`cluster.addManifests`);
 * - the VPAs are instances of the class `cdk8s import` generated from that CRD (imports/autoscaling.k8s.io.ts), in
 *   the project's namespace (`project.addManifests`), labelled like the project's objects and checked like them.
 * The VPA recommender itself is one of the platform team's cluster add-ons, installed outside this estate.
 */
import * as path from 'path';
import { Include } from 'cdk8s';
import type { Cluster, Platform } from 'platform-cdk';
import { VerticalPodAutoscaler, VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues, VerticalPodAutoscalerSpecUpdatePolicyUpdateMode } from './imports/autoscaling.k8s.io';

/** The projects whose services get a recommending VPA, and the environment where they do. */
const RIGHT_SIZED = { projects: ['driver-dispatch'], environment: 'production' } as const;

/**
 * Adds the estate's escape hatches: the VPA CRD on the clusters that need it and a VPA per right-sized service.
 * @param platform the estate
 */
export function addEscapeHatches(platform: Platform): void {
  const needsCrd = new Set<Cluster>();
  for (const tenant of platform.tenants) {
    for (const project of tenant.projects) {
      if (!(RIGHT_SIZED.projects as readonly string[]).includes(project.name)) continue;
      project.addManifests('right-sizing', (chart) => {
        for (const name of project.services.map((s) => s.name)) {
          new VerticalPodAutoscaler(chart, name, {
            metadata: { name },
            spec: {
              targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
              updatePolicy: { updateMode: VerticalPodAutoscalerSpecUpdatePolicyUpdateMode.OFF },
              resourcePolicy: { containerPolicies: [{ containerName: '*', controlledResources: ['cpu', 'memory'], controlledValues: VerticalPodAutoscalerSpecResourcePolicyContainerPoliciesControlledValues.REQUESTS_ONLY }] },
            },
          });
        }
      }, { environment: RIGHT_SIZED.environment });
      for (const p of project.placements) if (p.environment.name === RIGHT_SIZED.environment) needsCrd.add(p.cluster);
    }
  }
  for (const cluster of needsCrd) {
    cluster.addManifests('vpa-crd', (chart) => void new Include(chart, 'vpa', { url: path.join(__dirname, 'vendor', 'vpa-crd.yaml') }));
  }
}
