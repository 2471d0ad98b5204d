import type { ProjectGrant, ProjectRole, WorkspaceGrant, WorkspaceRole } from '../../constructs/access';
import type { Cluster } from '../../constructs/cluster';
import type { Department } from '../../constructs/department';
import type { Platform } from '../../constructs/platform';
import type { ProblemCollector } from '../problems';
import type { ProjectQuota } from '../../constructs/resources';
import type { ProjectPlacement } from '../../constructs/project';
import type { Tenant } from '../../constructs/tenant';
import type { KubeObject } from '../manifest';

/** Labels and annotations for an object. */
export interface MetadataParts {
  /** Labels to add. */
  readonly labels: Record<string, string>;
  /** Annotations to add. */
  readonly annotations: Record<string, string>;
}

/**
 * Turns the tenancy part of the model into one target's objects. The model and the workloads are the same for
 * every target; only this part differs between KubeSphere releases.
 */
export interface TargetEmitter {
  /**
   * Reports what the model asks for that this target cannot express (e.g. KubeSphere role templates on plain
   * Kubernetes).
   * @param platform the platform
   * @param problems where to report
   */
  checkTarget(platform: Platform, problems: ProblemCollector): void;
  /**
   * The objects that make a tenant exist, written to the host cluster only.
   * @param tenant the tenant
   * @param placement the clusters where the tenant has projects, sorted by name
   */
  tenantObjects(tenant: Tenant, placement: readonly Cluster[]): KubeObject[];
  /**
   * What a project's namespace carries so that the target attaches it to its tenant.
   * @param placement the namespace's project, environment and cluster
   */
  namespaceMetadata(placement: ProjectPlacement): MetadataParts;
  /**
   * A department and its members, written to the host cluster.
   * @param department the department
   */
  departmentObjects(department: Department): KubeObject[];
  /**
   * A custom workspace role (built-in roles are the target's own and are never written), on the host cluster.
   * @param tenant the tenant whose workspace it belongs to
   * @param role the custom role
   */
  workspaceRoleObjects(tenant: Tenant, role: WorkspaceRole): KubeObject[];
  /**
   * A workspace role granted to a user or department, on the host cluster.
   * @param tenant the tenant
   * @param grant who gets which role
   */
  workspaceGrantObjects(tenant: Tenant, grant: WorkspaceGrant): KubeObject[];
  /**
   * The tenant's workspace quota on one cluster where it has projects.
   * @param tenant the tenant
   * @param quota what its namespaces on the cluster may use together (only the fields set are limited)
   */
  workspaceQuotaObjects(tenant: Tenant, quota: ProjectQuota): KubeObject[];
  /**
   * A custom project role in one namespace.
   * @param placement the namespace
   * @param role the custom role
   */
  projectRoleObjects(placement: ProjectPlacement, role: ProjectRole): KubeObject[];
  /**
   * A project role granted in one namespace.
   * @param placement the namespace
   * @param grant who gets which role
   */
  projectGrantObjects(placement: ProjectPlacement, grant: ProjectGrant): KubeObject[];
  /**
   * What a workspace grant writes into each of the tenant's namespaces, for targets without workspaces.
   * @param placement the namespace
   * @param grant who gets which workspace role
   */
  workspaceGrantNamespaceObjects(placement: ProjectPlacement, grant: WorkspaceGrant): KubeObject[];
  /**
   * What makes a member cluster known to the host, written to the host cluster.
   * @param cluster the member cluster
   */
  memberClusterObjects(cluster: Cluster): KubeObject[];
  /**
   * What the host holds for a project namespace that exists on several clusters (KubeSphere 3.4's multi-cluster
   * projects), written to the host cluster.
   * @param host the host cluster
   * @param spans the namespace's object on each cluster it exists on, sorted by cluster name
   */
  multiClusterProjectObjects(host: Cluster, spans: readonly { readonly cluster: Cluster; readonly namespace: KubeObject }[]): KubeObject[];
}
