/**
 * Fields that KubeSphere's controllers rewrite on objects platform-cdk declares. A deployment tool that
 * compares what it declared with what is live (Pulumi) must ignore them, or every run would undo the
 * controller's work and the next reconcile would redo it.
 */

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

/** The fields to ignore in diffs for an object of this API version and kind (none for most kinds). */
export function controllerManagedPaths(apiVersion: string, kind: string): readonly string[] {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return BY_KIND.get(`${group}/${kind}`) ?? [];
}
