/**
 * The pod and container options of an app service beyond its image, ports and probes: the user and groups it runs
 * as, its termination grace period, its own pod labels and annotations, the container's name, its priority class
 * and where its pods may be scheduled (node selector, tolerations, node affinity), with their checks.
 */
import type { Duration } from 'cdk8s';
import { LabelKeys } from '../lib/manifest';
import { checkDns1123Label, checkDns1123Subdomain, checkLabelKey, checkLabelValue } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { checkAnnotations } from '../lib/values';
import type { Environment } from './environment';
import type { Image } from './image';
import { checkWholeSeconds } from './probe';
import { checkNoLiteralSecret } from './secrets';

/** The most a user or group id may be (Kubernetes takes int64, Linux ids are 32 bits; ids above 2^31-1 are refused). */
const MAX_ID = 2147483647;

/** The user and primary group a container runs as. */
export interface ContainerIdentity {
  /**
   * The numeric user id the container runs as; never 0 (root), which the restricted profile forbids.
   * @default - the pod's `runAsUser`, else the user the image declares (`Image` option `user`), else the image's `USER`
   */
  readonly runAsUser?: number;
  /**
   * The numeric primary group id.
   * @default - the pod's `runAsGroup`, else the image's
   */
  readonly runAsGroup?: number;
}

/** The one capability a container may add: what the restricted Pod Security profile permits. */
export type AddedCapability = 'NET_BIND_SERVICE';

/** The capabilities a container adds to the empty set it starts with (every container drops `ALL`). */
export interface ContainerCapabilities {
  /**
   * Linux capabilities the container adds, written in `securityContext.capabilities.add` beside `drop: [ALL]`.
   * Only `NET_BIND_SERVICE` (binding ports below 1024 as a non-root user) is accepted: it is the one capability
   * the restricted Pod Security profile lets a container add.
   * @default - none
   */
  readonly addCapabilities?: AddedCapability[];
}

/** The user and groups every container of a pod runs as, and the group that owns its volumes. */
export interface PodIdentity extends ContainerIdentity {
  /**
   * The group that owns the pod's volumes (and is added to every container's groups).
   * @default - none: volumes keep their owner
   */
  readonly fsGroup?: number;
  /**
   * More groups for every container of the pod.
   * @default - none
   */
  readonly supplementalGroups?: number[];
}

/** The effect of a node taint a toleration matches. */
export enum TaintEffect {
  /** New pods are not scheduled on the node. */
  NO_SCHEDULE = 'NoSchedule',
  /** The scheduler avoids the node. */
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  /** Running pods are evicted from the node. */
  NO_EXECUTE = 'NoExecute',
}

/** A toleration: lets the pods run on nodes with a matching taint. */
export interface Toleration {
  /**
   * The taint's key.
   * @default - every key (with `exists: true` only)
   */
  readonly key?: string;
  /**
   * The taint's value; leave it out (with `exists: true`) to match any value.
   * @default - the taint has no value
   */
  readonly value?: string;
  /**
   * Match the key whatever its value (operator `Exists`).
   * @default false (operator `Equal`)
   */
  readonly exists?: boolean;
  /**
   * The taint effect matched.
   * @default - every effect
   */
  readonly effect?: TaintEffect;
  /**
   * With `NO_EXECUTE`: how long the pods stay on a node after the taint is added.
   * @default - forever
   */
  readonly tolerationSeconds?: number;
}

/** The operator of a node affinity expression. */
export type NodeOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

/** One condition on a node label. */
export interface NodeLabelCondition {
  /** The node label's key, e.g. `node.kubernetes.io/instance-type`. */
  readonly key: string;
  /** How the label is compared. */
  readonly operator: NodeOperator;
  /**
   * The values (`In`/`NotIn`: one or more; `Gt`/`Lt`: one whole number; `Exists`/`DoesNotExist`: none).
   * @default - none
   */
  readonly values?: string[];
}

/** A preferred node: the scheduler adds `weight` to nodes that meet every condition. */
export interface PreferredNode {
  /** From 1 to 100. */
  readonly weight: number;
  /** The conditions, all of which the node meets. */
  readonly conditions: NodeLabelCondition[];
}

/** Where a service's pods may be scheduled. */
export interface NodeScheduling {
  /**
   * Node labels a node must have (`nodeSelector`), e.g. `{ 'node-role.example.com/gpu': 'true' }`.
   * @default - any node
   */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Taints the pods tolerate.
   * @default - none
   */
  readonly tolerations?: Toleration[];
  /**
   * Node affinity that must hold: a node qualifies when it meets every condition of at least one of the lists.
   * @default - none
   */
  readonly requiredNodes?: NodeLabelCondition[][];
  /**
   * Node affinity the scheduler prefers.
   * @default - none
   */
  readonly preferredNodes?: PreferredNode[];
}

/** The pod options that may change per environment (in `perEnvironment` or `inEnvironment`). */
export interface PodEnvironmentOptions {
  /**
   * Where the pods may be scheduled in this environment; replaces the service's setting as a whole, `false` for no
   * constraint.
   * @default - the service's
   */
  readonly scheduling?: NodeScheduling | false;
  /**
   * The PriorityClass of the pods in this environment.
   * @default - the service's
   */
  readonly priorityClassName?: string;
}

/** The pod options of an app service. */
export interface PodOptions extends PodIdentity, ContainerCapabilities {
  /**
   * How long a stopping pod gets between SIGTERM and SIGKILL (whole seconds).
   * @default - Kubernetes' 30 seconds
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * More labels on the pods (not on the Deployment or its selector). The labels platform-cdk writes, and the
   * reserved prefixes `kubernetes.io/`, `k8s.io/` and `platform-cdk.io/` (and their subdomains), are refused.
   * @default - none
   */
  readonly podLabels?: Record<string, string>;
  /**
   * More annotations on the pods (e.g. a service mesh's). The annotations platform-cdk writes, and the reserved
   * prefixes, are refused.
   * @default - none
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * The name of the service's own container, when it must differ from the service's name (a program or a
   * dashboard that expects a container name).
   * @default - the service's name
   */
  readonly containerName?: string;
  /**
   * The PriorityClass of the pods (a cluster object; `system-*` classes are for the cluster's own add-ons).
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
  /**
   * Where the pods may be scheduled (each environment may replace it).
   * @default - any node
   */
  readonly scheduling?: NodeScheduling;
}

/** The pod defaults of an environment, for every app service that says nothing else. */
export interface EnvironmentPodDefaults {
  /**
   * Where the pods of the environment's app services may be scheduled (e.g. the production node pool); a service's
   * own `scheduling` (or its `perEnvironment` one) replaces it as a whole.
   * @default - any node
   */
  readonly podScheduling?: NodeScheduling;
  /**
   * The PriorityClass of the pods of the environment's app services, unless a service names its own.
   * @default - the cluster's default priority
   */
  readonly podPriorityClassName?: string;
}

/**
 * Reports what is wrong with an environment's pod defaults.
 * @internal
 */
export function checkEnvironmentPodDefaults(problems: ProblemCollector, path: string, d: EnvironmentPodDefaults): void {
  checkPriorityClass(problems, path, 'podPriorityClassName', d.podPriorityClassName);
  checkScheduling(problems, path, 'podScheduling', d.podScheduling);
}

/** The pod settings of a service in one environment. */
export interface PodEnvironmentSettings {
  /** Where the pods may be scheduled, if constrained. */
  readonly scheduling?: NodeScheduling;
  /** The PriorityClass, if any. */
  readonly priorityClassName?: string;
}

/** The annotation keys platform-cdk writes on pods: a user's pod annotation may not take one. */
export const OWNED_POD_ANNOTATIONS: readonly string[] = [
  'platform-cdk.io/config-hash',
  'fluentbit.io/parser',
  'fluentbit.io/exclude',
  'co.elastic.logs/enabled',
  'co.elastic.logs/json.keys_under_root',
  'co.elastic.logs/json.add_error_key',
  'co.elastic.logs/multiline.pattern',
  'co.elastic.logs/multiline.negate',
  'co.elastic.logs/multiline.match',
];

/** The label and annotation prefixes no user key may have (besides their subdomains). */
export const RESERVED_KEY_PREFIXES: readonly string[] = ['kubernetes.io', 'k8s.io', 'platform-cdk.io'];

/**
 * The pod options of a service's properties, copied (so that changing the properties object later changes nothing).
 * @param props the service's properties
 */
export function podOptionsOf(props: PodOptions): PodOptions {
  return {
    runAsUser: props.runAsUser,
    runAsGroup: props.runAsGroup,
    fsGroup: props.fsGroup,
    supplementalGroups: Array.isArray(props.supplementalGroups) ? [...props.supplementalGroups] : props.supplementalGroups,
    addCapabilities: Array.isArray(props.addCapabilities) ? [...props.addCapabilities] : props.addCapabilities,
    terminationGracePeriod: props.terminationGracePeriod,
    podLabels: isMap(props.podLabels) ? { ...props.podLabels } : props.podLabels,
    podAnnotations: isMap(props.podAnnotations) ? { ...props.podAnnotations } : props.podAnnotations,
    containerName: props.containerName,
    priorityClassName: props.priorityClassName,
    scheduling: props.scheduling,
  };
}

/**
 * Merges two environments' pod overrides, the second winning.
 * @param a the earlier overrides
 * @param b the later ones
 */
export function mergePodOverrides(a: PodEnvironmentOptions, b: PodEnvironmentOptions): PodEnvironmentOptions {
  return { scheduling: b.scheduling ?? a.scheduling, priorityClassName: b.priorityClassName ?? a.priorityClassName };
}

/**
 * The pod settings in one environment: the service's overrides there over the service's options over the
 * environment's defaults.
 * @param pod the service's pod options
 * @param o the service's overrides in the environment
 * @param defaults the environment's pod defaults
 */
export function podSettingsFor(pod: PodOptions, o: PodEnvironmentOptions, defaults: EnvironmentPodDefaults = {}): PodEnvironmentSettings {
  const scheduling = o.scheduling !== undefined ? o.scheduling : pod.scheduling ?? defaults.podScheduling;
  return { scheduling: scheduling === false ? undefined : scheduling, priorityClassName: o.priorityClassName ?? pod.priorityClassName ?? defaults.podPriorityClassName };
}

/** An init container or sidecar, as the pod checks see it. */
export interface PodSubjectContainer extends ContainerIdentity, ContainerCapabilities {
  /** The container's name. */
  readonly name: string;
  /** Its image. */
  readonly image: Image;
}

/** What the pod checks need of a service. */
export interface PodSubject {
  /** The service's name. */
  readonly name: string;
  /** Its pod options. */
  readonly pod: PodOptions;
  /** Its init containers and sidecars. */
  readonly initContainers: readonly PodSubjectContainer[];
  /** Its sidecars. */
  readonly sidecars: readonly PodSubjectContainer[];
  /** The environments it runs in. */
  readonly environments: readonly Environment[];
  /** Its image in one environment. */
  imageIn(environment: Environment): Image | undefined;
}

/**
 * Reports what is wrong with a service's pod options and per-environment overrides, a moving image tag in
 * production, and warns (once per service) when a container has no numeric user.
 * @param problems where problems go
 * @param path the service's construct path
 * @param s the service
 * @param overrides its per-environment overrides, with the property they were given under
 * @internal
 */
export function checkPodOptions(problems: ProblemCollector, path: string, s: PodSubject, overrides: readonly (readonly [string, PodEnvironmentOptions])[]): void {
  const pod = s.pod;
  checkIdentity(problems, path, '', pod);
  checkCapabilities(problems, path, '', pod);
  for (const k of ['fsGroup'] as const) {
    const v = pod[k];
    if (v !== undefined && !isId(v)) problems.error({ path, property: k, value: v, message: `a group id is a whole number from 0 to ${MAX_ID}`, fix: `set ${k} to the group that should own the volumes, e.g. 1000` });
  }
  if (pod.supplementalGroups !== undefined) {
    if (!Array.isArray(pod.supplementalGroups)) problems.error({ path, property: 'supplementalGroups', value: pod.supplementalGroups, message: 'the supplemental groups are a list of group ids', fix: 'use e.g. [1000, 2000]' });
    else pod.supplementalGroups.forEach((g, i) => {
      if (!isId(g)) problems.error({ path, property: `supplementalGroups[${i}]`, value: g, message: `a group id is a whole number from 0 to ${MAX_ID}`, fix: 'give numeric group ids, e.g. 1000' });
    });
  }
  const grace = checkWholeSeconds(pod.terminationGracePeriod, 0);
  if (grace) problems.error({ path, property: 'terminationGracePeriod', value: describe(pod.terminationGracePeriod), message: grace, fix: 'use whole seconds, e.g. Duration.seconds(60)' });
  checkKeys(problems, path, 'podLabels', pod.podLabels, 'label');
  checkKeys(problems, path, 'podAnnotations', pod.podAnnotations, 'annotation');
  if (pod.containerName !== undefined) {
    const n = checkDns1123Label(pod.containerName);
    if (n) problems.error({ path, property: 'containerName', value: pod.containerName, message: n, fix: 'name the container like "app" or "server"' });
  }
  checkPriorityClass(problems, path, 'priorityClassName', pod.priorityClassName);
  checkScheduling(problems, path, 'scheduling', pod.scheduling);
  [...s.initContainers.map((c, i) => [`initContainers[${i}]`, c] as const), ...s.sidecars.map((c, i) => [`sidecars[${i}]`, c] as const)].forEach(([property, c]) => {
    if (c) {
      checkIdentity(problems, path, `${property}.`, c);
      checkCapabilities(problems, path, `${property}.`, c);
    }
  });
  for (const [property, o] of overrides) {
    if (!o) continue;
    checkPriorityClass(problems, path, `${property}.priorityClassName`, o.priorityClassName);
    if (o.scheduling !== false) checkScheduling(problems, path, `${property}.scheduling`, o.scheduling);
  }
  checkImages(problems, path, s);
}

/** Production runs no moving tag, and every container needs a numeric user: reported per service. */
function checkImages(problems: ProblemCollector, path: string, s: PodSubject): void {
  const missing = new Set<string>();
  for (const env of s.environments) {
    const image = s.imageIn(env);
    if (env.production) {
      if (image && typeof image._checkProduction === 'function') image._checkProduction(problems, path, 'image', env.name);
      s.initContainers.forEach((c, i) => c?.image?._checkProduction?.(problems, path, `initContainers[${i}].image`, env.name));
      s.sidecars.forEach((c, i) => c?.image?._checkProduction?.(problems, path, `sidecars[${i}].image`, env.name));
    }
    if (s.pod.runAsUser === undefined && image && image.user === undefined) missing.add(s.pod.containerName ?? s.name);
  }
  for (const c of [...s.initContainers, ...s.sidecars]) {
    if (c && c.runAsUser === undefined && s.pod.runAsUser === undefined && c.image?.user === undefined) missing.add(c.name);
  }
  if (missing.size === 0) return;
  const names = [...missing];
  problems.warning({
    path,
    property: 'runAsUser',
    value: undefined,
    message: `the pods run with runAsNonRoot: true, and no numeric user is named for ${names.length === 1 ? `the container ${names[0]}` : `the containers ${names.join(', ')}`}: unless the image's USER is a numeric id other than 0, the kubelet refuses to start ${names.length === 1 ? 'it' : 'them'}`,
    fix: 'set runAsUser: 1000 on the service (or the container), or declare the image\'s user: registry.image("team/app", "1.0.0", { user: 1000 })',
  });
}

/** Whether a value is a plain map (not null, not a list). */
function isMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ID;
}

function describe(d: Duration | undefined): string {
  try {
    return d?.toHumanString() || 'NaN';
  } catch {
    return String(d);
  }
}

function checkIdentity(problems: ProblemCollector, path: string, prefix: string, c: ContainerIdentity): void {
  const u = c.runAsUser;
  if (u === 0) {
    problems.error({ path, property: `${prefix}runAsUser`, value: 0, message: 'user 0 is root, which the restricted Pod Security profile forbids (the pods run with runAsNonRoot: true)', fix: 'run as a non-root user id, e.g. runAsUser: 1000 (rebuild the image with a non-root USER if it needs root)' });
  } else if (u !== undefined && !isId(u)) {
    problems.error({ path, property: `${prefix}runAsUser`, value: u, message: `a user id is a whole number from 1 to ${MAX_ID}`, fix: 'give the numeric user id, e.g. runAsUser: 1000' });
  }
  const g = c.runAsGroup;
  if (g !== undefined && !isId(g)) problems.error({ path, property: `${prefix}runAsGroup`, value: g, message: `a group id is a whole number from 0 to ${MAX_ID}`, fix: 'give the numeric group id, e.g. runAsGroup: 1000' });
}

/** The capabilities the restricted Pod Security profile lets a container add. */
const ALLOWED_CAPABILITIES: readonly string[] = ['NET_BIND_SERVICE'];

function checkCapabilities(problems: ProblemCollector, path: string, prefix: string, c: ContainerCapabilities): void {
  const list = c.addCapabilities;
  if (list === undefined) return;
  const property = `${prefix}addCapabilities`;
  if (!Array.isArray(list)) {
    problems.error({ path, property, value: list, message: 'the added capabilities are a list', fix: 'use addCapabilities: ["NET_BIND_SERVICE"]' });
    return;
  }
  const seen = new Set<string>();
  list.forEach((cap: unknown, i) => {
    const at = `${property}[${i}]`;
    if (typeof cap === 'string' && cap.toUpperCase().replace(/^CAP_/, '') === 'NET_BIND_SERVICE' && cap !== 'NET_BIND_SERVICE') {
      problems.error({ path, property: at, value: cap, message: 'Kubernetes names capabilities in upper case without the CAP_ prefix', fix: 'write "NET_BIND_SERVICE"' });
    } else if (typeof cap !== 'string' || !ALLOWED_CAPABILITIES.includes(cap)) {
      problems.error({
        path, property: at, value: cap,
        message: 'the restricted Pod Security profile lets a container add NET_BIND_SERVICE only (every other capability is dropped, and a namespace that enforces the profile refuses the pod)',
        fix: 'remove it: run the program without the capability (as a non-root user, binding ports from 1024 up or with NET_BIND_SERVICE)',
      });
    } else if (seen.has(cap)) {
      problems.error({ path, property: at, value: cap, message: 'this capability is listed twice', fix: 'list each capability once' });
    }
    if (typeof cap === 'string') seen.add(cap);
  });
}

function checkPriorityClass(problems: ProblemCollector, path: string, property: string, name: string | undefined): void {
  if (name === undefined) return;
  const e = checkDns1123Subdomain(name);
  if (e) problems.error({ path, property, value: name, message: e, fix: 'name a PriorityClass of the cluster, e.g. "business-critical"' });
  else if (name.startsWith('system-')) problems.error({ path, property, value: name, message: 'the system-* priority classes are for the cluster\'s own add-ons (Kubernetes admits them in kube-system only)', fix: 'create a PriorityClass for the estate, e.g. "business-critical", and name it here' });
}

/** Whether a key has a reserved prefix (`kubernetes.io/`, `*.kubernetes.io/`, …). */
function reservedPrefix(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return undefined;
  const prefix = key.slice(0, slash);
  return RESERVED_KEY_PREFIXES.find((r) => prefix === r || prefix.endsWith(`.${r}`));
}

function checkKeys(problems: ProblemCollector, path: string, property: string, map: Record<string, string> | undefined, what: 'label' | 'annotation'): void {
  if (map === undefined) return;
  if (!isMap(map)) {
    problems.error({ path, property, value: map, message: `the pod ${what}s are a map of keys to text`, fix: 'use e.g. { "example.com/team": "checkout" }' });
    return;
  }
  const owned: readonly string[] = what === 'label' ? Object.values(LabelKeys) : OWNED_POD_ANNOTATIONS;
  for (const [k, v] of Object.entries(map)) {
    const p = `${property}[${JSON.stringify(k)}]`;
    if (owned.includes(k)) {
      problems.error({ path, property: p, value: k, message: `platform-cdk writes this ${what} on the pods itself`, fix: what === 'label' ? 'use a key of your own domain, e.g. "example.com/team"' : 'use the service option that writes it (logs, config), or a key of your own domain' });
      continue;
    }
    const reserved = reservedPrefix(k);
    if (reserved) {
      problems.error({ path, property: p, value: k, message: `the prefix ${reserved}/ (and its subdomains) is reserved for ${reserved === 'platform-cdk.io' ? 'platform-cdk' : 'Kubernetes'}`, fix: 'use a key of your own domain, e.g. "example.com/team"' });
      continue;
    }
    if (what === 'label') {
      const ke = checkLabelKey(k);
      if (ke) problems.error({ path, property: p, value: k, message: ke, fix: 'use a key like "example.com/team" or "tier"' });
      const ve = checkLabelValue(v);
      if (ve) problems.error({ path, property: p, value: v, message: ve, fix: 'use a value like "checkout"' });
    } else {
      for (const e of checkAnnotations({ [k]: v })) problems.error({ path, property: p, value: e.key === undefined ? `${k.length} characters` : k, message: e.message, fix: 'use a key like "example.com/owner" and a text value' });
      checkNoLiteralSecret(problems, path, p, v, 'annotations are written as they are: keep credentials out of them (read them from a secret in the container)', k);
    }
  }
}

function checkScheduling(problems: ProblemCollector, path: string, property: string, s: NodeScheduling | undefined): void {
  if (s === undefined) return;
  if (typeof s !== 'object' || s === null) {
    problems.error({ path, property, value: s, message: 'the scheduling is an object', fix: 'use e.g. { nodeSelector: { "example.com/pool": "batch" } }' });
    return;
  }
  for (const k of ['tolerations', 'requiredNodes', 'preferredNodes'] as const) {
    if (s[k] !== undefined && !Array.isArray(s[k])) problems.error({ path, property: `${property}.${k}`, value: s[k], message: `the ${k} are a list`, fix: 'give a list, e.g. []' });
  }
  if (s.nodeSelector !== undefined && (typeof s.nodeSelector !== 'object' || s.nodeSelector === null || Array.isArray(s.nodeSelector))) {
    problems.error({ path, property: `${property}.nodeSelector`, value: s.nodeSelector, message: 'the node selector is a map of node labels to values', fix: 'use e.g. { "kubernetes.io/arch": "amd64" }' });
  }
  for (const [k, v] of Object.entries(s.nodeSelector ?? {})) {
    const p = `${property}.nodeSelector[${JSON.stringify(k)}]`;
    const ke = checkLabelKey(k);
    if (ke) problems.error({ path, property: p, value: k, message: ke, fix: 'name a node label, e.g. "kubernetes.io/arch"' });
    const ve = checkLabelValue(v);
    if (ve) problems.error({ path, property: p, value: v, message: ve, fix: 'give the label value the nodes have, e.g. "amd64"' });
  }
  (Array.isArray(s.tolerations) ? s.tolerations : []).forEach((t, i) => {
    const p = `${property}.tolerations[${i}]`;
    if (!t || typeof t !== 'object') {
      problems.error({ path, property: p, value: t, message: 'a toleration is an object', fix: 'use e.g. { key: "dedicated", value: "batch", effect: TaintEffect.NO_SCHEDULE }' });
      return;
    }
    if (t.key !== undefined) {
      const ke = checkLabelKey(t.key);
      if (ke) problems.error({ path, property: `${p}.key`, value: t.key, message: ke.replace(/label key/g, 'taint key'), fix: 'give the taint\'s key, e.g. "dedicated"' });
    } else if (!t.exists) problems.error({ path, property: `${p}.key`, value: undefined, message: 'a toleration without a key matches every taint, and needs exists: true', fix: 'give the taint\'s key, or exists: true to tolerate every taint' });
    if (t.exists && t.value !== undefined) problems.error({ path, property: `${p}.value`, value: t.value, message: 'a toleration with exists: true matches any value and takes none', fix: 'remove the value, or exists' });
    if (t.value !== undefined) {
      const ve = checkLabelValue(t.value);
      if (ve) problems.error({ path, property: `${p}.value`, value: t.value, message: ve.replace(/label value/g, 'taint value'), fix: 'give the taint\'s value, e.g. "batch"' });
    }
    if (t.effect !== undefined && !Object.values(TaintEffect).includes(t.effect)) problems.error({ path, property: `${p}.effect`, value: t.effect, message: 'the effect is NoSchedule, PreferNoSchedule or NoExecute', fix: 'use TaintEffect.NO_SCHEDULE, PREFER_NO_SCHEDULE or NO_EXECUTE' });
    if (t.tolerationSeconds !== undefined) {
      if (t.effect !== TaintEffect.NO_EXECUTE) problems.error({ path, property: `${p}.tolerationSeconds`, value: t.tolerationSeconds, message: 'tolerationSeconds applies to NoExecute taints only', fix: 'set effect: TaintEffect.NO_EXECUTE, or remove tolerationSeconds' });
      else if (!isId(t.tolerationSeconds)) problems.error({ path, property: `${p}.tolerationSeconds`, value: t.tolerationSeconds, message: 'the time is a whole number of seconds, 0 or more', fix: 'use e.g. 300' });
    }
  });
  (Array.isArray(s.requiredNodes) ? s.requiredNodes : []).forEach((term, i) => {
    if (!Array.isArray(term) || term.length === 0) problems.error({ path, property: `${property}.requiredNodes[${i}]`, value: term, message: 'a list of node conditions is not empty', fix: 'give at least one condition, e.g. [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }]' });
    else term.forEach((c, j) => checkCondition(problems, path, `${property}.requiredNodes[${i}][${j}]`, c));
  });
  (Array.isArray(s.preferredNodes) ? s.preferredNodes : []).forEach((pref, i) => {
    const p = `${property}.preferredNodes[${i}]`;
    if (typeof pref?.weight !== 'number' || !Number.isInteger(pref.weight) || pref.weight < 1 || pref.weight > 100) problems.error({ path, property: `${p}.weight`, value: pref?.weight, message: 'a weight is a whole number from 1 to 100', fix: 'use e.g. 50' });
    if (!Array.isArray(pref?.conditions) || pref.conditions.length === 0) problems.error({ path, property: `${p}.conditions`, value: pref?.conditions, message: 'a preferred node names at least one condition', fix: 'give e.g. [{ key: "example.com/pool", operator: "In", values: ["fast"] }]' });
    else pref.conditions.forEach((c, j) => checkCondition(problems, path, `${p}.conditions[${j}]`, c));
  });
}

function checkCondition(problems: ProblemCollector, path: string, property: string, c: NodeLabelCondition): void {
  const ke = checkLabelKey(c?.key);
  if (ke) problems.error({ path, property: `${property}.key`, value: c?.key, message: ke, fix: 'name a node label, e.g. "kubernetes.io/arch"' });
  const op = c?.operator;
  const values: unknown[] = Array.isArray(c?.values) ? c.values : c?.values === undefined ? [] : [c.values];
  if (!['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'].includes(op)) {
    problems.error({ path, property: `${property}.operator`, value: op, message: 'the operator is In, NotIn, Exists, DoesNotExist, Gt or Lt', fix: 'use e.g. "In"' });
  } else if ((op === 'In' || op === 'NotIn') && values.length === 0) {
    problems.error({ path, property: `${property}.values`, value: values, message: `${op} compares with one or more values`, fix: 'give the values, e.g. ["amd64"]' });
  } else if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
    problems.error({ path, property: `${property}.values`, value: values, message: `${op} takes no values`, fix: 'remove the values' });
  } else if ((op === 'Gt' || op === 'Lt') && (values.length !== 1 || !/^-?[0-9]+$/.test(String(values[0])))) {
    problems.error({ path, property: `${property}.values`, value: values, message: `${op} compares with one whole number`, fix: 'give one number, e.g. ["8"]' });
  }
  values.forEach((v, i) => {
    const ve = checkLabelValue(v);
    if (ve) problems.error({ path, property: `${property}.values[${i}]`, value: v, message: ve, fix: 'give label values like "amd64"' });
  });
}
