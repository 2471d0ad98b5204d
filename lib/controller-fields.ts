/**
 * Fields that KubeSphere's controllers rewrite on objects platform-cdk declares. A deployment tool that
 * compares what it declared with what is live (Pulumi) must ignore them, or every run would undo the
 * controller's work and the next reconcile would redo it.
 */
import type { KubeObject } from './manifest';

/** Fields a controller owns on one kind, as Pulumi `ignoreChanges` paths. */
export interface ControllerManagedFields {
  /** The API group of the kind (`""` for the core group). */
  readonly group: string;
  /** The kind. */
  readonly kind: string;
  /** The paths, in Pulumi's property path syntax (`metadata.annotations["kubesphere.io/creator"]`). */
  readonly paths: readonly string[];
  /** Why the controller rewrites them. */
  readonly reason: string;
}

/** Annotations KubeSphere's controllers set on the objects they manage. */
const KUBESPHERE_ANNOTATIONS = ['metadata.annotations["kubesphere.io/creator"]', 'metadata.annotations["iam.kubesphere.io/aggregation-roles"]'];

/** What KubeSphere rewrites, by kind. Every kind of `iam.kubesphere.io` role gets its rules from role templates. */
export const CONTROLLER_MANAGED_FIELDS: readonly ControllerManagedFields[] = [
  ...['Role', 'ClusterRole', 'WorkspaceRole', 'GlobalRole'].map((kind) => ({
    group: 'iam.kubesphere.io',
    kind,
    paths: ['rules', ...KUBESPHERE_ANNOTATIONS],
    reason: 'KubeSphere fills role rules from the role templates named in iam.kubesphere.io/aggregation-roles',
  })),
  {
    group: 'tenant.kubesphere.io',
    kind: 'WorkspaceTemplate',
    paths: [...KUBESPHERE_ANNOTATIONS],
    reason: 'KubeSphere records who created a workspace',
  },
  {
    group: '',
    kind: 'Namespace',
    paths: ['metadata.annotations["kubesphere.io/creator"]'],
    reason: 'KubeSphere records who created a project',
  },
];

const BY_KIND = new Map(CONTROLLER_MANAGED_FIELDS.map((f) => [`${f.group}/${f.kind}`, f.paths]));

/** The annotation with which KubeSphere 3.x composes any role, Kubernetes RBAC roles included, from templates. */
const AGGREGATION_ROLES = 'iam.kubesphere.io/aggregation-roles';

/**
 * The fields to ignore in diffs for an object (none for most kinds): those of its kind in
 * `CONTROLLER_MANAGED_FIELDS`, and the rules of any role KubeSphere composes from role templates.
 */
export function controllerManagedPaths(object: KubeObject): readonly string[] {
  const slash = object.apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : object.apiVersion.slice(0, slash);
  const paths = BY_KIND.get(`${group}/${object.kind}`) ?? [];
  if (object.metadata.annotations?.[AGGREGATION_ROLES] !== undefined && !paths.includes('rules')) return ['rules', ...paths];
  return paths;
}
