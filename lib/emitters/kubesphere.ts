import type { ISubject, ProjectGrant, ProjectRole, RoleScope, WorkspaceGrant, WorkspaceRole } from '../../constructs/access';
import type { Cluster } from '../../constructs/cluster';
import type { Department } from '../../constructs/department';
import type { Platform } from '../../constructs/platform';
import { ProjectQuota, renderQuotaHard as quotaHard } from '../../constructs/resources';
import type { ProjectPlacement } from '../../constructs/project';
import type { Tenant } from '../../constructs/tenant';
import { KubeObject, LabelKeys, MANAGED_BY, nonEmpty } from '../manifest';
import { checkDns1123Label } from '../names';
import { renderClosedNamespaceBaseline } from '../project-baseline';
import type { ProblemCollector } from '../problems';
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

/** How one KubeSphere release writes tenancy: the API versions and the few shapes that differ. */
interface Release {
  /** `tenant.kubesphere.io/…` of WorkspaceTemplate. */
  readonly tenantVersion: string;
  /** `iam.kubesphere.io/…` of groups, workspace roles and bindings. */
  readonly iamVersion: string;
  /** The apiGroup written in binding subjects (KubeSphere matches subjects by kind and name only). */
  readonly subjectApiGroup: string;
  /** The API group of project roles and role bindings: KubeSphere's own (4.x) or Kubernetes RBAC (3.x). */
  readonly projectRbacGroup: string;
  /** The API version of project roles and role bindings. */
  readonly projectRbacVersion: string;
  /** How role templates are named in each scope, with an example. */
  readonly templatePrefix: Record<RoleScope, { readonly prefix: string; readonly example: string }>;
  /** Whether roles name their templates in `aggregationRoleTemplates` (4.x) or in an annotation (3.x). */
  readonly aggregation: 'field' | 'annotation';
  /** Whether the workspace template carries 3.x's network isolation switch. */
  readonly networkIsolationSwitch: boolean;
  /** Whether projects on several clusters are kubefed FederatedNamespaces on the host (3.x multi-cluster projects). */
  readonly federatedProjects: boolean;
}

/** The annotation through which KubeSphere 3.x composes a role from role templates (a JSON list of names). */
export const AGGREGATION_ROLES_ANNOTATION = 'iam.kubesphere.io/aggregation-roles';

/**
 * KubeSphere: a tenant is a `WorkspaceTemplate` on the host cluster, placed on the clusters where it has
 * projects (in 4.x an empty placement means "nowhere"); KubeSphere creates the `Workspace` on each of them and
 * the built-in workspace and project roles, so the library never writes those. A namespace joins its
 * workspace by label; departments are groups; grants are KubeSphere's bindings, named and labelled the way the
 * console names them (`<subject>-<role>`, `iam.kubesphere.io/user-ref` / `group-ref`).
 */
function kubeSphereEmitter(release: Release): TargetEmitter {
  const aggregation = (templates: readonly string[]): Partial<KubeObject> =>
    release.aggregation === 'field' ? { aggregationRoleTemplates: { templateNames: [...templates] } } : { rules: [] };
  const aggregationAnnotations = (templates: readonly string[]): Record<string, string> | undefined =>
    release.aggregation === 'annotation' ? { [AGGREGATION_ROLES_ANNOTATION]: JSON.stringify(templates) } : undefined;
  return {
  checkTarget(platform: Platform, problems: ProblemCollector): void {
    for (const tenant of platform.tenants) {
      tenant.workspaceGrants.forEach((g, i) => checkTemplates(problems, tenant.node.path, `grant[${i}].role`, g.role, release));
      tenant.projectGrants.forEach((g, i) => checkTemplates(problems, tenant.node.path, `grantInProjects[${i}].role`, g.role, release));
      for (const project of tenant.projects) project.grants.forEach((g, i) => checkTemplates(problems, project.node.path, `grant[${i}].role`, g.role, release));
    }
  },

  workspaceGrantNamespaceObjects(): KubeObject[] {
    return [];
  },

  tenantObjects(tenant: Tenant, placement: readonly Cluster[]): KubeObject[] {
    const annotations = consoleAnnotations(tenant.displayName, tenant.description);
    return [
      {
        apiVersion: release.tenantVersion,
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
            spec: release.networkIsolationSwitch ? { manager: tenant.manager, networkIsolation: true } : { manager: tenant.manager },
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
        apiVersion: release.iamVersion,
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
        apiVersion: release.iamVersion,
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
        apiVersion: release.iamVersion,
        kind: 'WorkspaceRole',
        metadata: { name: `${tenant.name}-${role.name}`, labels: tenantLabels(tenant.name), annotations: aggregationAnnotations(role.templates) },
        ...aggregation(role.templates),
      },
    ];
  },

  workspaceGrantObjects(tenant: Tenant, grant: WorkspaceGrant): KubeObject[] {
    const role = `${tenant.name}-${grant.role.name}`;
    return [
      {
        apiVersion: release.iamVersion,
        kind: 'WorkspaceRoleBinding',
        metadata: { name: `${grant.subject.subjectName}-${role}`, labels: { ...tenantLabels(tenant.name), ...subjectLabels(grant.subject), [IamLabels.ROLE_REF]: role } },
        subjects: [{ kind: grant.subject.subjectKind, apiGroup: release.subjectApiGroup, name: grant.subject.subjectName }],
        roleRef: { apiGroup: IAM_GROUP, kind: 'WorkspaceRole', name: role },
      },
    ];
  },

  workspaceQuotaObjects(tenant: Tenant, quota: ProjectQuota): KubeObject[] {
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
        apiVersion: release.projectRbacVersion,
        kind: 'Role',
        metadata: { name: role.name, namespace: placement.namespace, labels: tenantLabels(placement.project.tenant.name), annotations: aggregationAnnotations(role.templates) },
        ...aggregation(role.templates),
      },
    ];
  },

  projectGrantObjects(placement: ProjectPlacement, grant: ProjectGrant): KubeObject[] {
    return [
      {
        apiVersion: release.projectRbacVersion,
        kind: 'RoleBinding',
        metadata: {
          name: `${grant.subject.subjectName}-${grant.role.name}`,
          namespace: placement.namespace,
          labels: { ...tenantLabels(placement.project.tenant.name), ...subjectLabels(grant.subject), [IamLabels.ROLE_REF]: grant.role.name },
        },
        subjects: [{ kind: grant.subject.subjectKind, apiGroup: release.subjectApiGroup, name: grant.subject.subjectName }],
        roleRef: { apiGroup: release.projectRbacGroup, kind: 'Role', name: grant.role.name },
      },
    ];
  },

  multiClusterProjectObjects(host: Cluster, spans: readonly { readonly cluster: Cluster; readonly namespace: KubeObject }[]): KubeObject[] {
    if (!release.federatedProjects) return [];
    const first = spans[0].namespace.metadata;
    const shared = Object.fromEntries(Object.entries(first.labels ?? {}).filter(([k, v]) => spans.every((s) => s.namespace.metadata.labels?.[k] === v)));
    const out: KubeObject[] = [];
    // The FederatedNamespace lives in the namespace it federates, so the host has that namespace even when the
    // project does not run there.
    if (!spans.some((s) => s.cluster === host)) {
      // Nothing runs there: KubeSphere's label for such namespaces, a quota of no pods, and no traffic at all, so
      // that the host's copy of a project is as closed as the tenancy baseline asks of every tenant namespace.
      const name = first.name;
      const labels = { ...shared, [KUBEFED_HOST_NAMESPACE_LABEL]: 'true' };
      out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations: first.annotations } }, ...renderClosedNamespaceBaseline(name, shared));
    }
    out.push({
      apiVersion: 'types.kubefed.io/v1beta1',
      kind: 'FederatedNamespace',
      metadata: { name: first.name, namespace: first.name, labels: shared },
      spec: {
        placement: { clusters: spans.map((s) => ({ name: s.cluster.name })) },
        template: { metadata: { labels: shared, annotations: first.annotations } },
        // Labels that differ per cluster (the environment) go in per-cluster overrides, as the console writes them.
        overrides: spans.map((s) => ({ clusterName: s.cluster.name, clusterOverrides: [{ path: '/metadata/labels', value: s.namespace.metadata.labels ?? {} }] })),
      },
    });
    return out;
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
          labels: { [LabelKeys.MANAGED_BY]: MANAGED_BY, ...cluster.allLabels },
          annotations: nonEmpty(consoleAnnotations(undefined, cluster.description)),
        },
        spec: { connection: { type: 'proxy' } },
      },
    ];
  },
  };
}

const IAM_GROUP = 'iam.kubesphere.io';
/** KubeSphere 3.x's label of a host namespace that only holds a multi-cluster project's FederatedNamespace. */
const KUBEFED_HOST_NAMESPACE_LABEL = 'kubesphere.io/kubefed-host-namespace';

/** KubeSphere 4.1: tenant.kubesphere.io/v1beta1, iam.kubesphere.io/v1beta1 for workspace and project roles. */
export const kubeSphereV4Emitter = kubeSphereEmitter({
  tenantVersion: 'tenant.kubesphere.io/v1beta1',
  iamVersion: 'iam.kubesphere.io/v1beta1',
  subjectApiGroup: IAM_GROUP,
  projectRbacGroup: IAM_GROUP,
  projectRbacVersion: 'iam.kubesphere.io/v1beta1',
  templatePrefix: { workspace: { prefix: 'workspace-', example: 'workspace-view-projects' }, project: { prefix: 'namespace-', example: 'namespace-view-app-workloads' } },
  aggregation: 'field',
  networkIsolationSwitch: false,
  federatedProjects: false,
});

/**
 * KubeSphere 3.4: tenant.kubesphere.io/v1alpha2 with its network isolation switch, iam.kubesphere.io/v1alpha2
 * for workspace roles and groups, Kubernetes RBAC for project roles, role templates named in the
 * `iam.kubesphere.io/aggregation-roles` annotation, and a kubefed FederatedNamespace on the host for every
 * project namespace that exists on several clusters (the console's multi-cluster projects).
 */
export const kubeSphereV3Emitter = kubeSphereEmitter({
  tenantVersion: 'tenant.kubesphere.io/v1alpha2',
  iamVersion: 'iam.kubesphere.io/v1alpha2',
  subjectApiGroup: 'rbac.authorization.k8s.io',
  projectRbacGroup: 'rbac.authorization.k8s.io',
  projectRbacVersion: 'rbac.authorization.k8s.io/v1',
  templatePrefix: { workspace: { prefix: 'role-template-', example: 'role-template-view-projects' }, project: { prefix: 'role-template-', example: 'role-template-view-app-workloads' } },
  aggregation: 'annotation',
  networkIsolationSwitch: true,
  federatedProjects: true,
});

function checkTemplates(problems: ProblemCollector, path: string, property: string, role: WorkspaceRole | ProjectRole, release: Release): void {
  if (!role || role.builtIn) return;
  const { prefix, example } = release.templatePrefix[role.scope];
  for (const t of role.templates) {
    if (checkDns1123Label(t) || !t.startsWith(prefix)) {
      problems.error({
        path,
        property,
        value: role.name,
        message: `the role template ${JSON.stringify(t)} is not a ${role.scope} role template of this KubeSphere release (they are named ${prefix}…, e.g. ${example})`,
        fix: `compose the role from ${role.scope} role templates`,
      });
    }
  }
}

function tenantLabels(tenant: string): Record<string, string> {
  return { [LabelKeys.MANAGED_BY]: MANAGED_BY, [LabelKeys.TENANT]: tenant, [WORKSPACE_LABEL]: tenant };
}

function subjectLabels(subject: ISubject): Record<string, string> {
  return subject.subjectKind === 'User' ? { [IamLabels.USER_REF]: subject.subjectName } : { [IamLabels.GROUP_REF]: subject.subjectName };
}
