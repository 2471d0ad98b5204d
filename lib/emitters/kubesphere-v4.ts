import type { ISubject, ProjectGrant, ProjectRole, WorkspaceGrant, WorkspaceRole } from '../../constructs/access';
import type { Cluster } from '../../constructs/cluster';
import type { Department } from '../../constructs/department';
import { renderQuotaHard as quotaHard, ResolvedProjectQuota } from '../../constructs/resources';
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

/** The IAM labels KubeSphere puts on its groups and bindings (iam.kubesphere.io/v1beta1 constants). */
export const IamLabels = {
  /** The user a binding is for. */
  USER_REF: 'iam.kubesphere.io/user-ref',
  /** The group a binding is for. */
  GROUP_REF: 'iam.kubesphere.io/group-ref',
  /** The role a binding grants. */
  ROLE_REF: 'iam.kubesphere.io/role-ref',
  /** A group's parent group. */
  GROUP_PARENT: 'iam.kubesphere.io/group-parent',
} as const;

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
  checkTarget(): void {
    // Everything the model says has a KubeSphere 4.1 object.
  },

  workspaceGrantNamespaceObjects(): KubeObject[] {
    return [];
  },

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

  departmentObjects(department: Department): KubeObject[] {
    const ws = department.tenant.name;
    const group = department.subjectName;
    const labels = { ...tenantLabels(ws) };
    const out: KubeObject[] = [
      {
        apiVersion: IAM_V1BETA1,
        kind: 'Group',
        metadata: {
          name: group,
          labels: department.parent ? { ...labels, [IamLabels.GROUP_PARENT]: department.parent.subjectName } : labels,
          annotations: nonEmpty(consoleAnnotations(department.displayName, undefined)),
        },
        spec: {},
      },
    ];
    for (const user of [...department.members].sort()) {
      out.push({
        apiVersion: IAM_V1BETA1,
        kind: 'GroupBinding',
        metadata: { name: `${group}-${user}`, labels: { ...labels, [IamLabels.USER_REF]: user, [IamLabels.GROUP_REF]: group } },
        groupRef: { apiGroup: IAM_GROUP, kind: 'groups', name: group },
        users: [user],
      });
    }
    return out;
  },

  workspaceRoleObjects(tenant: Tenant, role: WorkspaceRole): KubeObject[] {
    return [
      {
        apiVersion: IAM_V1BETA1,
        kind: 'WorkspaceRole',
        metadata: { name: `${tenant.name}-${role.name}`, labels: tenantLabels(tenant.name) },
        aggregationRoleTemplates: { templateNames: [...role.templates] },
      },
    ];
  },

  workspaceGrantObjects(tenant: Tenant, grant: WorkspaceGrant): KubeObject[] {
    const role = `${tenant.name}-${grant.role.name}`;
    return [
      {
        apiVersion: IAM_V1BETA1,
        kind: 'WorkspaceRoleBinding',
        metadata: { name: `${grant.subject.subjectName}-${role}`, labels: { ...tenantLabels(tenant.name), ...subjectLabels(grant.subject), [IamLabels.ROLE_REF]: role } },
        subjects: [{ kind: grant.subject.subjectKind, apiGroup: IAM_GROUP, name: grant.subject.subjectName }],
        roleRef: { apiGroup: IAM_GROUP, kind: 'WorkspaceRole', name: role },
      },
    ];
  },

  workspaceQuotaObjects(tenant: Tenant, quota: ResolvedProjectQuota): KubeObject[] {
    return [
      {
        apiVersion: 'quota.kubesphere.io/v1alpha2',
        kind: 'ResourceQuota',
        metadata: { name: tenant.name, labels: tenantLabels(tenant.name) },
        spec: { selector: { [WORKSPACE_LABEL]: tenant.name }, quota: { hard: quotaHard(quota) } },
      },
    ];
  },

  projectRoleObjects(placement: ProjectPlacement, role: ProjectRole): KubeObject[] {
    return [
      {
        apiVersion: IAM_V1BETA1,
        kind: 'Role',
        metadata: { name: role.name, namespace: placement.namespace, labels: tenantLabels(placement.project.tenant.name) },
        aggregationRoleTemplates: { templateNames: [...role.templates] },
      },
    ];
  },

  projectGrantObjects(placement: ProjectPlacement, grant: ProjectGrant): KubeObject[] {
    return [
      {
        apiVersion: IAM_V1BETA1,
        kind: 'RoleBinding',
        metadata: {
          name: `${grant.subject.subjectName}-${grant.role.name}`,
          namespace: placement.namespace,
          labels: { ...tenantLabels(placement.project.tenant.name), ...subjectLabels(grant.subject), [IamLabels.ROLE_REF]: grant.role.name },
        },
        subjects: [{ kind: grant.subject.subjectKind, apiGroup: IAM_GROUP, name: grant.subject.subjectName }],
        roleRef: { apiGroup: IAM_GROUP, kind: 'Role', name: grant.role.name },
      },
    ];
  },

  memberClusterObjects(cluster: Cluster): KubeObject[] {
    // A proxy connection: the member's agent dials the host, so the object holds no kubeconfig (KubeSphere's
    // Cluster has no field to take one from a Secret, and its content must never be in the output).
    return [
      {
        apiVersion: 'cluster.kubesphere.io/v1alpha1',
        kind: 'Cluster',
        metadata: {
          name: cluster.name,
          labels: { [LabelKeys.MANAGED_BY]: MANAGED_BY, ...cluster.labels },
          annotations: nonEmpty(consoleAnnotations(undefined, cluster.description)),
        },
        spec: { connection: { type: 'proxy' } },
      },
    ];
  },
};

const IAM_GROUP = 'iam.kubesphere.io';
const IAM_V1BETA1 = 'iam.kubesphere.io/v1beta1';

function tenantLabels(tenant: string): Record<string, string> {
  return { [LabelKeys.MANAGED_BY]: MANAGED_BY, [LabelKeys.TENANT]: tenant, [WORKSPACE_LABEL]: tenant };
}

function subjectLabels(subject: ISubject): Record<string, string> {
  return subject.subjectKind === 'User' ? { [IamLabels.USER_REF]: subject.subjectName } : { [IamLabels.GROUP_REF]: subject.subjectName };
}
