import type { Cluster } from '../../constructs/cluster';
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
}
