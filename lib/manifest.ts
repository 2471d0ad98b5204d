/**
 * The objects synthesis produces: plain Kubernetes manifests held in cdk8s `ApiObject`s, the labels every
 * object carries, and the order objects are written in.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import type { AppService } from '../constructs/app-service';
import type { StatefulService } from '../constructs/stateful-service';
import type { Environment } from '../constructs/environment';
import type { ProjectPlacement } from '../constructs/project';
import type { Tenant } from '../constructs/tenant';
import type { JsonObject } from './yaml';

/**
 * Where in the model an object comes from. The Pulumi output uses it to pick an environment's objects and to
 * group them as platform → cluster → tenant → project → service.
 */
export interface ManifestOrigin {
  /** The tenant the object belongs to, if any. */
  readonly tenant?: Tenant;
  /** The project namespace (and so the environment) the object belongs to, if any. */
  readonly placement?: ProjectPlacement;
  /** The app service or stateful service the object renders, if any. */
  readonly service?: AppService | StatefulService;
  /**
   * The construct path of a user construct's object (see `addManifests`): `<project, tenant or cluster path>/<id>/<path
   * in the chart>`; `undefined` for the objects the model generates.
   */
  readonly construct?: string;
}

/** The construct path an object is reported under: the user construct's, else the service's, project's or tenant's. */
export function originPath(origin: ManifestOrigin): string | undefined {
  return origin.construct ?? (origin.service ?? origin.placement?.project ?? origin.tenant)?.node.path;
}

/** The environment an object belongs to, or `undefined` for objects of the cluster as a whole (tenants on the host). */
export function environmentOf(origin: ManifestOrigin): Environment | undefined {
  return origin.placement?.environment;
}

/** A Kubernetes object as plain JSON, as it is written to a manifest. */
export interface KubeObject extends JsonObject {
  /** The API group and version, e.g. `apps/v1`. */
  apiVersion: string;
  /** The kind, e.g. `Deployment`. */
  kind: string;
  /** Name, namespace, labels and annotations. */
  metadata: KubeMetadata;
}

/** The metadata platform-cdk writes on an object. */
export interface KubeMetadata extends JsonObject {
  /** The object's name. */
  name: string;
  /** The namespace; absent for cluster-scoped objects. */
  namespace?: string;
  /** Labels, always including `app.kubernetes.io/managed-by`. */
  labels?: Record<string, string>;
  /** Annotations. */
  annotations?: Record<string, string>;
}

/** The label and annotation keys platform-cdk writes. */
export const LabelKeys = {
  /** `app.kubernetes.io/managed-by`: always `platform-cdk`. */
  MANAGED_BY: 'app.kubernetes.io/managed-by',
  /** `app.kubernetes.io/name`: the app service. */
  NAME: 'app.kubernetes.io/name',
  /** `app.kubernetes.io/instance`: the app service in one environment (`<service>-<environment>`). */
  INSTANCE: 'app.kubernetes.io/instance',
  /** `app.kubernetes.io/part-of`: the project the object belongs to. */
  PART_OF: 'app.kubernetes.io/part-of',
  /** `app.kubernetes.io/version`: the image tag of the app service. */
  VERSION: 'app.kubernetes.io/version',
  /** `platform-cdk.io/tenant`: the tenant (KubeSphere workspace). */
  TENANT: 'platform-cdk.io/tenant',
  /** `platform-cdk.io/environment`: the environment. */
  ENVIRONMENT: 'platform-cdk.io/environment',
} as const;

/** The value of `app.kubernetes.io/instance`: the service in one environment. */
export function instanceName(service: string, environment: string): string {
  return `${service}-${environment}`;
}

/** The value of `app.kubernetes.io/managed-by` on every object. */
export const MANAGED_BY = 'platform-cdk';

// Install order, after the convention of Helm and kubectl: what others depend on comes first (a tenant's
// workspace before the namespaces that join it).
const KIND_ORDER = [
  'CustomResourceDefinition',
  'Cluster',
  'WorkspaceTemplate',
  'WorkspaceRole',
  'Group',
  'GroupBinding',
  'WorkspaceRoleBinding',
  'Namespace',
  'ResourceQuota',
  'LimitRange',
  'NetworkPolicy',
  'ServiceAccount',
  'Secret',
  'ExternalSecret',
  'ConfigMap',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'EndpointSlice',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Certificate',
  'Ingress',
  'ServiceMonitor',
  'PrometheusRule',
];
const KIND_RANK = new Map(KIND_ORDER.map((k, i) => [k, i]));

/** The install rank of a kind: lower ranks are created first; kinds not listed come last. */
export function kindRank(kind: string): number {
  return KIND_RANK.get(kind) ?? KIND_ORDER.length;
}

/** Orders objects for writing: by install order of their kind, then kind, then namespace, then name. */
export function compareObjects(a: KubeObject, b: KubeObject): number {
  const ra = KIND_RANK.get(a.kind) ?? KIND_ORDER.length;
  const rb = KIND_RANK.get(b.kind) ?? KIND_ORDER.length;
  if (ra !== rb) return ra - rb;
  return (
    compare(a.kind, b.kind) ||
    compare(a.apiVersion, b.apiVersion) ||
    compare(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    compare(a.metadata.name, b.metadata.name)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A cdk8s `ApiObject` that holds a finished manifest. Synthesis renders the model into these, one cdk8s
 * chart per cluster, and both outputs read them.
 *
 * The manifest is built by platform-cdk's renderers as plain JSON with no tokens, so `toJson()` returns it
 * as it is instead of running cdk8s's token resolution over it (most of cdk8s's own synthesis time). JSON
 * patches added with `addJsonPatch()` still apply: an object with patches goes through cdk8s's full path.
 */
export class ManifestObject extends ApiObject {
  /** The manifest as rendered. */
  public readonly manifest: KubeObject;
  /** Where in the model the object comes from. */
  public readonly origin: ManifestOrigin;
  private patched = false;

  /**
   * @param scope the chart (or a construct inside it)
   * @param id the construct id, unique in `scope`
   * @param manifest the finished object
   * @param origin where in the model it comes from
   */
  constructor(scope: Construct, id: string, manifest: KubeObject, origin: ManifestOrigin = {}) {
    super(scope, id, manifest);
    this.manifest = manifest;
    this.origin = origin;
  }

  /**
   * Adds JSON patches applied when the object is written (an escape hatch for what the model does not say).
   * @param ops the RFC-6902 operations
   */
  public override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  /** The object as written: the manifest itself, or, when JSON patches were added, cdk8s's resolved and patched copy. */
  public override toJson(): KubeObject {
    if (!this.patched) return this.manifest;
    return super.toJson() as KubeObject;
  }
}

/** A map, or `undefined` when it has no entries (so that empty maps are left out of manifests). */
export function nonEmpty(map: Record<string, string>): Record<string, string> | undefined {
  for (const _ in map) return map;
  return undefined;
}

/** Whether a label selector (matchLabels, matchExpressions) selects these labels, as Kubernetes decides; an empty selector selects all. */
export function selectorMatches(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  const record = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
  for (const [k, v] of Object.entries(record(selector.matchLabels))) if (labels[k] !== v) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const raw of expressions) {
    const e = record(raw);
    const key = String(e.key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
