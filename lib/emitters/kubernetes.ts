import { ProjectRole, WorkspaceRole } from '../../constructs/access';
import type { ISubject, ProjectGrant, WorkspaceGrant } from '../../constructs/access';
import type { Platform } from '../../constructs/platform';
import type { ProjectPlacement } from '../../constructs/project';
import { KubeObject, LabelKeys, MANAGED_BY } from '../manifest';
import type { ProblemCollector } from '../problems';
import type { TargetEmitter } from './emitter';

const RBAC = 'rbac.authorization.k8s.io';

/** The built-in cluster role each built-in project role maps to. */
const CLUSTER_ROLE_OF: Record<string, string> = {
  [ProjectRole.ADMIN.name]: 'admin',
  [ProjectRole.OPERATOR.name]: 'edit',
  [ProjectRole.VIEWER.name]: 'view',
};

/** What a workspace role gives in every namespace of the tenant, where it gives anything. */
const WORKSPACE_CLUSTER_ROLE_OF: Record<string, string | undefined> = {
  [WorkspaceRole.ADMIN.name]: 'admin',
  [WorkspaceRole.VIEWER.name]: 'view',
  // A regular member of a workspace has access only to the projects they are invited to.
  [WorkspaceRole.REGULAR.name]: undefined,
};

function roleBinding(placement: ProjectPlacement, subject: ISubject, role: string, clusterRole: string): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'RoleBinding',
    metadata: {
      name: `${subject.subjectName}-${role}`,
      namespace: placement.namespace,
      labels: { [LabelKeys.MANAGED_BY]: MANAGED_BY, [LabelKeys.TENANT]: placement.project.tenant.name, [LabelKeys.ENVIRONMENT]: placement.environment.name },
    },
    subjects: [{ kind: subject.subjectKind, apiGroup: RBAC, name: subject.subjectName }],
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: clusterRole },
  };
}

/**
 * Plain Kubernetes: no KubeSphere objects at all. A tenant is the `platform-cdk.io/tenant` label on its
 * namespaces (which the network policies select); departments are groups of the cluster's identity provider
 * (e.g. an OIDC groups claim) named `<tenant>-<department>`; project roles are RoleBindings to the built-in
 * ClusterRoles `admin`, `edit` (operator) and `view`; a workspace admin or viewer gets `admin` or `view` in
 * every namespace of the tenant.
 */
export const kubernetesEmitter: TargetEmitter = {
  checkTarget(platform: Platform, problems: ProblemCollector): void {
    const fix = 'use built-in roles, or a KubeSphere target (Target.KUBESPHERE_V4_1)';
    for (const tenant of platform.tenants) {
      const path = tenant.node.path;
      if (tenant.quota) {
        problems.error({ path, property: 'quota', value: tenant.quota, message: 'a workspace quota needs KubeSphere; plain Kubernetes has quotas per namespace only', fix: 'set project quotas instead (project quota or the environment\'s projectQuota), or use a KubeSphere target' });
      }
      tenant.workspaceGrants.forEach((g, i) => {
        if (!g.role.builtIn) problems.error({ path, property: `grant[${i}].role`, value: g.role.name, message: 'custom roles are composed from KubeSphere role templates, which plain Kubernetes does not have', fix });
        else if (g.role === WorkspaceRole.SELF_PROVISIONER) problems.error({ path, property: `grant[${i}].role`, value: g.role.name, message: 'plain Kubernetes has no workspace in which to create projects', fix: 'grant project roles, or use a KubeSphere target' });
      });
      const projectGrants: { path: string; property: string; grant: ProjectGrant }[] = tenant.projectGrants.map((grant, i) => ({ path, property: `grantInProjects[${i}]`, grant }));
      for (const project of tenant.projects) project.grants.forEach((grant, i) => projectGrants.push({ path: project.node.path, property: `grant[${i}]`, grant }));
      for (const { path: p, property, grant } of projectGrants) {
        if (!grant.role.builtIn) problems.error({ path: p, property: `${property}.role`, value: grant.role.name, message: 'custom roles are composed from KubeSphere role templates, which plain Kubernetes does not have', fix });
      }
    }
  },
  tenantObjects: () => [],
  namespaceMetadata: () => ({ labels: {}, annotations: {} }),
  departmentObjects: () => [],
  workspaceRoleObjects: () => [],
  workspaceGrantObjects: () => [],
  workspaceQuotaObjects: () => [],
  projectRoleObjects: () => [],
  memberClusterObjects: () => [],
  multiClusterProjectObjects: () => [],
  projectGrantObjects(placement: ProjectPlacement, grant: ProjectGrant): KubeObject[] {
    const clusterRole = CLUSTER_ROLE_OF[grant.role.name];
    return clusterRole ? [roleBinding(placement, grant.subject, grant.role.name, clusterRole)] : [];
  },
  workspaceGrantNamespaceObjects(placement: ProjectPlacement, grant: WorkspaceGrant): KubeObject[] {
    const clusterRole = WORKSPACE_CLUSTER_ROLE_OF[grant.role.name];
    return clusterRole ? [roleBinding(placement, grant.subject, `workspace-${grant.role.name}`, clusterRole)] : [];
  },
};
