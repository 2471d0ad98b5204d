import type { Cluster } from '../../constructs/cluster';
import type { ProjectPlacement } from '../../constructs/project';
import type { Tenant } from '../../constructs/tenant';
import { KubeObject, LabelKeys, MANAGED_BY, nonEmpty } from '../manifest';
import type { MetadataParts, TargetEmitter } from './emitter';

/** The annotation KubeSphere shows as an object's display name. */
export const ALIAS_NAME_ANNOTATION = 'kubesphere.io/alias-name';
/** The annotation KubeSphere shows as an object's description. */
export const DESCRIPTION_ANNOTATION = 'kubesphere.io/description';
/** The namespace label that attaches a namespace to a workspace. */
export const WORKSPACE_LABEL = 'kubesphere.io/workspace';
/** The namespace label that marks a namespace as a KubeSphere project. */
export const MANAGED_LABEL = 'kubesphere.io/managed';

/** Display name and description annotations, where set. */
export function consoleAnnotations(displayName: string | undefined, description: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (displayName !== undefined) out[ALIAS_NAME_ANNOTATION] = displayName;
  if (description !== undefined) out[DESCRIPTION_ANNOTATION] = description;
  return out;
}

/**
 * KubeSphere 4.1: a tenant is a `WorkspaceTemplate` (tenant.kubesphere.io/v1beta1) on the host cluster, placed
 * on the clusters where it has projects (in 4.x an empty placement means "nowhere"); KubeSphere creates the
 * `Workspace` on each of them, so the library never writes one. A namespace joins its workspace by label.
 */
export const kubeSphereV4Emitter: TargetEmitter = {
  tenantObjects(tenant: Tenant, placement: readonly Cluster[]): KubeObject[] {
    const annotations = consoleAnnotations(tenant.displayName, tenant.description);
    return [
      {
        apiVersion: 'tenant.kubesphere.io/v1beta1',
        kind: 'WorkspaceTemplate',
        metadata: {
          name: tenant.name,
          labels: { [LabelKeys.MANAGED_BY]: MANAGED_BY, [LabelKeys.TENANT]: tenant.name },
          annotations: nonEmpty(annotations),
        },
        spec: {
          placement: { clusters: placement.map((c) => ({ name: c.name })) },
          template: {
            metadata: { labels: { [LabelKeys.MANAGED_BY]: MANAGED_BY, [LabelKeys.TENANT]: tenant.name }, annotations: nonEmpty(annotations) },
            spec: { manager: tenant.manager },
          },
        },
      },
    ];
  },

  namespaceMetadata(placement: ProjectPlacement): MetadataParts {
    return {
      labels: { [WORKSPACE_LABEL]: placement.project.tenant.name, [MANAGED_LABEL]: 'true' },
      annotations: consoleAnnotations(placement.project.displayName, placement.project.description),
    };
  },
};
