/**
 * The output of scaling owned elsewhere (`Replicas.external()`): the annotations that mark such a Deployment, the
 * fields deployment tools must then ignore (Pulumi `ignoreChanges`, Argo CD `ignoreDifferences`), and how the
 * production check reads the owner's minimum.
 */
import type { Cluster } from '../constructs/cluster';
import type { Platform } from '../constructs/platform';
import type { ResolvedReplicas } from '../constructs/scaling';
import type { KubeObject } from './manifest';
import type { JsonObject } from './yaml';
import { versionedWorkloads } from '../constructs/versions';

/** The annotations written on a Deployment whose replica count is set elsewhere. */
export const ScalingAnnotations = {
  /** `external`: the Deployment has no `replicas`; an internal platform, an operator or the console sets them. */
  REPLICAS: 'scaling.platform-cdk.io/replicas',
  /** The fewest replicas the owner keeps (what the production rule checks). */
  MIN_REPLICAS: 'scaling.platform-cdk.io/min-replicas',
  /** The most replicas the owner may run (what the quota holds). */
  MAX_REPLICAS: 'scaling.platform-cdk.io/max-replicas',
  /** Who sets the count, if said. */
  OWNER: 'scaling.platform-cdk.io/owner',
} as const;

/** The value of `scaling.platform-cdk.io/replicas` on a Deployment scaled elsewhere. */
export const EXTERNAL_REPLICAS = 'external';

/**
 * The annotations of a Deployment in one environment: none unless its replicas are set elsewhere.
 * @param settings the service's replicas in the environment
 */
export function externalScalingAnnotations(settings: ResolvedReplicas): Record<string, string> {
  const x = settings.externalReplicas;
  if (!x) return {};
  const out: Record<string, string> = {
    [ScalingAnnotations.REPLICAS]: EXTERNAL_REPLICAS,
    [ScalingAnnotations.MIN_REPLICAS]: String(x.min),
    [ScalingAnnotations.MAX_REPLICAS]: String(x.max),
  };
  if (x.owner !== undefined) out[ScalingAnnotations.OWNER] = x.owner;
  return out;
}

/** Whether an object is a Deployment (or StatefulSet) whose replica count is set elsewhere. */
export function isExternallyScaled(object: KubeObject): boolean {
  return object.apiVersion === 'apps/v1' && (object.kind === 'Deployment' || object.kind === 'StatefulSet') && object.metadata.annotations?.[ScalingAnnotations.REPLICAS] === EXTERNAL_REPLICAS;
}

/**
 * The replicas the production check counts for an object scaled elsewhere: the owner's minimum as written on it
 * (`undefined` for any other object, or when the annotation does not hold a whole number).
 * @param object a rendered object
 */
export function externalMinReplicas(object: KubeObject): number | undefined {
  if (!isExternallyScaled(object)) return undefined;
  const text = object.metadata.annotations?.[ScalingAnnotations.MIN_REPLICAS];
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/**
 * The fields of an object that a deployment tool comparing declared and live state must ignore because someone
 * else owns them, in Pulumi's property path syntax: `spec.replicas` of a Deployment scaled elsewhere; none for
 * any other object. The Pulumi output passes them as `ignoreChanges`.
 * @param object a rendered object
 */
export function ignoredFieldsOf(object: KubeObject): string[] {
  return isExternallyScaled(object) ? ['spec.replicas'] : [];
}

/**
 * Argo CD `ignoreDifferences` entries for the Deployments of one cluster whose replicas are set elsewhere (with the
 * `RespectIgnoreDifferences=true` sync option, a sync then leaves the live count alone), sorted by namespace and name.
 * @param platform the platform
 * @param cluster the cluster the Application syncs
 */
export function externalScalingIgnoreDifferences(platform: Platform, cluster: Cluster): JsonObject[] {
  const out: { namespace: string; name: string }[] = [];
  for (const tenant of platform.tenants) {
    for (const project of tenant.projects) {
      for (const placement of project.placements) {
        if (placement.cluster !== cluster) continue;
        for (const service of project.servicesIn(placement.environment)) {
          for (const w of versionedWorkloads(service.versions, service.settingsFor(placement.environment))) if (w.settings.externalReplicas) out.push({ namespace: placement.namespace, name: service.name + w.suffix });
        }
      }
    }
  }
  out.sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out.map((d) => ({ group: 'apps', kind: 'Deployment', namespace: d.namespace, name: d.name, jsonPointers: ['/spec/replicas'] }));
}
