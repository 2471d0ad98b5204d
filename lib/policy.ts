/**
 * Policy checks over synthesized output: named rules with ids and severities, in profiles by environment
 * (`baseline` for every object, `production` adds the availability rules for objects of production
 * environments). They read the objects as written — so they also hold for JSON patches and for output that
 * was edited by hand — and name the object and, when known, the construct path that produced it. A rule is
 * waived on one object by the annotation `waiver.platform-cdk.io/<rule id>: <reason>`; waived findings are kept
 * and listed with their reason.
 */
import { selectorMatches } from './manifest';
import { findSecret, findSecretIn } from './secret-rules';
import type { SecretMatch } from './secret-rules';
import { externalMinReplicas } from './scaling';
import type { KubeObject } from './manifest';
import type { JsonObject, JsonValue } from './yaml';

/** How bad a finding is: errors fail `validate` and `cdk8s synth`; warnings are reported. */
export type FindingSeverity = 'error' | 'warning';

/** The profile a rule belongs to. */
export type PolicyProfile = 'baseline' | 'production';

/** A policy rule. */
export interface PolicyRule {
  /** The rule's id, e.g. `pod-security-restricted`; waivers name it. */
  readonly id: string;
  /** Its severity. */
  readonly severity: FindingSeverity;
  /** `baseline` (every object) or `production` (objects of production environments). */
  readonly profile: PolicyProfile;
  /** What it requires, in one sentence. */
  readonly description: string;
}

/** One object given to the checks. */
export interface CheckedObject {
  /** The cluster whose output holds it. */
  readonly cluster: string;
  /** The object as written. */
  readonly object: KubeObject;
  /** The construct path that produced it, when known. */
  readonly source?: string;
  /** Whether it belongs to a production environment. */
  readonly production: boolean;
}

/** A finding of a check: a schema violation or a policy rule. */
export interface Finding {
  /** The rule id, or `schema` for a schema violation. */
  readonly rule: string;
  /** Its severity. */
  readonly severity: FindingSeverity;
  /** The cluster. */
  readonly cluster: string;
  /** The object, as `<apiVersion> <kind> <namespace>/<name>`. */
  readonly object: string;
  /** The construct path that produced the object, or `-` when unknown. */
  readonly source: string;
  /** Where in the object (a JSON pointer), or `` for the whole object. */
  readonly at: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The waiver's reason, when the finding is waived. */
  readonly waived?: string;
}

/** The prefix of waiver annotations. */
export const WAIVER_PREFIX = 'waiver.platform-cdk.io/';

/** Every policy rule, by id. */
export const POLICY_RULES: readonly PolicyRule[] = [
  { id: 'pod-security-restricted', severity: 'error', profile: 'baseline', description: 'Pods follow the restricted Pod Security profile: non-root, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault, no host namespaces, ports or paths.' },
  { id: 'read-only-root', severity: 'warning', profile: 'baseline', description: 'Containers run with a read-only root file system.' },
  { id: 'resources', severity: 'error', profile: 'baseline', description: 'Every container requests and limits CPU and memory.' },
  { id: 'probes', severity: 'warning', profile: 'baseline', description: 'Every long-running main container has a readiness and a liveness probe.' },
  { id: 'image-registry', severity: 'error', profile: 'baseline', description: 'Images name their registry.' },
  { id: 'image-pinned', severity: 'error', profile: 'baseline', description: 'Images have a tag other than latest, or a digest.' },
  { id: 'tenancy-quota', severity: 'error', profile: 'baseline', description: 'Every tenant namespace has a ResourceQuota and a LimitRange.' },
  { id: 'tenancy-default-deny', severity: 'error', profile: 'baseline', description: 'Every tenant namespace has a default-deny NetworkPolicy for ingress and egress.' },
  { id: 'rbac-no-wildcard', severity: 'error', profile: 'baseline', description: 'Roles grant no "*" verb, resource or API group.' },
  { id: 'rbac-no-cross-tenant', severity: 'error', profile: 'baseline', description: 'A binding in a tenant\'s namespace or workspace binds only that tenant\'s departments.' },
  { id: 'rbac-no-cluster-binding', severity: 'error', profile: 'baseline', description: 'No ClusterRoleBinding binds users or groups (tenant users get rights in their namespaces and workspaces).' },
  { id: 'secrets-no-inline', severity: 'error', profile: 'baseline', description: 'No Secret carries values, and no environment value, container command or argument, probe, ConfigMap entry or annotation holds a secret (the secret rules of docs/services.md).' },
  { id: 'secrets-one-owner', severity: 'error', profile: 'baseline', description: 'No two objects create the same Secret in a namespace (ExternalSecret targets, cert-manager Certificates).' },
  { id: 'exposure-unique-host', severity: 'error', profile: 'baseline', description: 'A host belongs to one tenant per cluster, and a host and path to one Ingress.' },
  { id: 'exposure-tls', severity: 'warning', profile: 'baseline', description: 'Ingress hosts are served over TLS.' },
  { id: 'exposure-source-ranges', severity: 'error', profile: 'production', description: 'LoadBalancer Services of production environments admit declared source ranges (loadBalancerSourceRanges), not every address.' },
  { id: 'production-replicas', severity: 'error', profile: 'production', description: 'Deployments of production environments run at least 2 replicas (or autoscale from 2).' },
  { id: 'production-disruption-budget', severity: 'error', profile: 'production', description: 'Deployments of production environments have a PodDisruptionBudget.' },
  { id: 'production-spread', severity: 'error', profile: 'production', description: 'Deployments of production environments spread their pods over nodes and zones.' },
];

const RULES = new Map(POLICY_RULES.map((r) => [r.id, r]));

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'Pod']);

function isObject(x: JsonValue | undefined): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function asArray(x: JsonValue | undefined): JsonValue[] {
  return Array.isArray(x) ? x : [];
}

/** An object's description in findings. */
export function describeObject(o: KubeObject): string {
  return `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
}

/** The pod template of a workload and the JSON pointer to it. */
export function podSpecOf(o: KubeObject): { spec: JsonObject; at: string; metadata?: JsonObject } | undefined {
  const spec = o.spec as JsonObject | undefined;
  if (!WORKLOADS.has(o.kind) || !isObject(spec)) return undefined;
  if (o.kind === 'Pod') return { spec, at: '/spec' };
  if (o.kind === 'CronJob') {
    const t = (((spec.jobTemplate as JsonObject)?.spec as JsonObject)?.template as JsonObject) ?? {};
    return isObject(t.spec) ? { spec: t.spec, at: '/spec/jobTemplate/spec/template/spec', metadata: t.metadata as JsonObject } : undefined;
  }
  const t = spec.template as JsonObject | undefined;
  return isObject(t) && isObject(t.spec) ? { spec: t.spec, at: '/spec/template/spec', metadata: t.metadata as JsonObject } : undefined;
}

/** Whether an image reference names a registry: its first path component is a host (has a "." or ":", or is localhost). */
export function imageHasRegistry(image: string): boolean {
  const slash = image.indexOf('/');
  if (slash < 0) return false;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/** Whether an image reference is pinned: a digest, or a tag other than `latest`. */
export function imagePinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return false;
  return image.slice(colon + 1) !== 'latest';
}

/** How a finding says that a value looks like a secret, without the value. */
function looksLike(found: SecretMatch): string {
  return `holds a value withheld here: it looks like ${found.description} (rule ${found.rule})`;
}

/** Escapes a key for a JSON pointer. */
function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The annotations of an object and its ConfigMap data hold no secret. */
function checkLiteralSecrets(o: KubeObject, f: ObjectFindings): void {
  for (const [k, v] of Object.entries(o.metadata?.annotations ?? {})) {
    const found = typeof v === 'string' ? findSecret(v, { name: k.slice(k.lastIndexOf('/') + 1) }) : undefined;
    if (found) f.add('secrets-no-inline', `/metadata/annotations/${pointer(k)}`, `annotation ${k} ${looksLike(found)}`, 'keep secrets out of annotations');
  }
  if (o.kind !== 'ConfigMap' || o.apiVersion !== 'v1') return;
  for (const field of ['data', 'binaryData'] as const) {
    const data = (o as unknown as Record<string, JsonValue | undefined>)[field];
    if (!isObject(data)) continue;
    for (const [k, v] of Object.entries(data)) {
      const text = field === 'binaryData' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v;
      const found = typeof text === 'string' ? findSecret(text, { name: k }) : undefined;
      if (found) f.add('secrets-no-inline', `/${field}/${pointer(k)}`, `entry ${k} of the ConfigMap ${looksLike(found)}`, 'read the value from a Secret filled from a secret store, and keep secrets out of configuration files');
    }
  }
}

/** The Secrets an object makes a controller create: an ExternalSecret's target, a Certificate's secretName. */
function claimedSecret(o: KubeObject): string | undefined {
  const spec = isObject(o.spec as JsonValue) ? (o.spec as JsonObject) : undefined;
  if (!spec) return undefined;
  if (o.kind === 'ExternalSecret' && o.apiVersion.startsWith('external-secrets.io/')) {
    const target = isObject(spec.target) ? spec.target : {};
    if (target.creationPolicy === 'Merge' || target.creationPolicy === 'None') return undefined;
    return typeof target.name === 'string' && target.name !== '' ? target.name : o.metadata.name;
  }
  if (o.kind === 'Certificate' && o.apiVersion.startsWith('cert-manager.io/')) return typeof spec.secretName === 'string' ? spec.secretName : undefined;
  return undefined;
}

/** Collects findings for one object, honouring its waivers. */
class ObjectFindings {
  private readonly waivers: Map<string, string>;

  constructor(
    private readonly c: CheckedObject,
    private readonly out: Finding[],
  ) {
    this.waivers = new Map();
    for (const [k, v] of Object.entries(c.object.metadata?.annotations ?? {})) if (k.startsWith(WAIVER_PREFIX)) this.waivers.set(k.slice(WAIVER_PREFIX.length), v);
  }

  public add(ruleId: string, at: string, message: string, fix: string): void {
    const rule = RULES.get(ruleId);
    if (!rule) throw new Error(`unknown policy rule ${ruleId}`);
    const waived = this.waivers.get(ruleId);
    this.out.push({
      rule: ruleId,
      severity: rule.severity,
      cluster: this.c.cluster,
      object: describeObject(this.c.object),
      source: this.c.source ?? '-',
      at,
      message,
      fix,
      waived: waived !== undefined && waived.trim() !== '' ? waived : undefined,
    });
  }

  /** Waivers without a reason, or of rules that do not exist. */
  public checkWaivers(): void {
    for (const [id, reason] of this.waivers) {
      const known = RULES.has(id);
      if (!known || reason.trim() === '') {
        this.out.push({
          rule: 'waiver',
          severity: 'error',
          cluster: this.c.cluster,
          object: describeObject(this.c.object),
          source: this.c.source ?? '-',
          at: `/metadata/annotations/${(WAIVER_PREFIX + id).replace(/~/g, '~0').replace(/\//g, '~1')}`,
          message: known ? `the waiver of ${id} gives no reason` : `no policy rule has the id ${id}`,
          fix: known ? 'say why the rule is relaxed for this object' : `name one of the rules: ${POLICY_RULES.map((r) => r.id).join(', ')}`,
        });
      }
    }
  }
}

function checkPod(c: CheckedObject, f: ObjectFindings): void {
  const pod = podSpecOf(c.object);
  if (!pod) return;
  const { spec, at } = pod;
  const podSc = isObject(spec.securityContext) ? spec.securityContext : {};
  for (const k of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[k] === true) f.add('pod-security-restricted', `${at}/${k}`, `the pod shares the node's ${k.slice(4)} namespace`, `remove ${k}`);
  }
  asArray(spec.volumes).forEach((v, i) => {
    if (isObject(v) && v.hostPath !== undefined) f.add('pod-security-restricted', `${at}/volumes/${i}`, 'the pod mounts a folder of the node (hostPath)', 'use a PersistentVolumeClaim, a ConfigMap or an emptyDir');
  });
  const podSeccomp = (podSc.seccompProfile as JsonObject | undefined)?.type;
  const lists: [string, JsonValue[]][] = [['containers', asArray(spec.containers)], ['initContainers', asArray(spec.initContainers)]];
  for (const [list, containers] of lists) {
    containers.forEach((raw, i) => {
      if (!isObject(raw)) return;
      const p = `${at}/${list}/${i}`;
      const name = String(raw.name);
      const sc = isObject(raw.securityContext) ? raw.securityContext : {};
      const caps = isObject(sc.capabilities) ? sc.capabilities : {};
      if (sc.privileged === true) f.add('pod-security-restricted', `${p}/securityContext/privileged`, `container ${name} is privileged`, 'remove privileged: true');
      if (sc.allowPrivilegeEscalation !== false) f.add('pod-security-restricted', `${p}/securityContext/allowPrivilegeEscalation`, `container ${name} may escalate privileges`, 'set allowPrivilegeEscalation: false');
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) f.add('pod-security-restricted', `${p}/securityContext/runAsNonRoot`, `container ${name} may run as root`, 'set runAsNonRoot: true on the container or the pod');
      if (sc.runAsUser === 0 || (sc.runAsUser === undefined && podSc.runAsUser === 0)) f.add('pod-security-restricted', `${p}/securityContext/runAsUser`, `container ${name} runs as user 0`, 'run as a non-zero user id');
      if (!asArray(caps.drop).includes('ALL')) f.add('pod-security-restricted', `${p}/securityContext/capabilities/drop`, `container ${name} does not drop all capabilities`, 'set capabilities: { drop: ["ALL"] }');
      const added = asArray(caps.add).filter((x) => x !== 'NET_BIND_SERVICE');
      if (added.length > 0) f.add('pod-security-restricted', `${p}/securityContext/capabilities/add`, `container ${name} adds capabilities ${added.join(', ')}`, 'add no capability other than NET_BIND_SERVICE');
      const seccomp = (sc.seccompProfile as JsonObject | undefined)?.type ?? podSeccomp;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') f.add('pod-security-restricted', `${p}/securityContext/seccompProfile`, `container ${name} has no RuntimeDefault or Localhost seccomp profile`, 'set seccompProfile: { type: RuntimeDefault } on the pod');
      asArray(raw.ports).forEach((port, j) => {
        if (isObject(port) && port.hostPort !== undefined && port.hostPort !== 0) f.add('pod-security-restricted', `${p}/ports/${j}/hostPort`, `container ${name} takes port ${port.hostPort} of the node`, 'remove hostPort; expose the port with a Service');
      });
      if (sc.readOnlyRootFilesystem !== true) f.add('read-only-root', `${p}/securityContext/readOnlyRootFilesystem`, `container ${name} can write to its root file system`, 'set readOnlyRootFilesystem: true and mount an emptyDir where it writes');
      const res = isObject(raw.resources) ? raw.resources : {};
      for (const kind of ['requests', 'limits'] as const) {
        const r = isObject(res[kind]) ? (res[kind] as JsonObject) : {};
        const missing = ['cpu', 'memory'].filter((k) => r[k] === undefined);
        if (missing.length > 0) f.add('resources', `${p}/resources/${kind}`, `container ${name} has no ${kind} for ${missing.join(' and ')}`, `set resources.${kind}.${missing.join(' and ')}`);
      }
      const image = typeof raw.image === 'string' ? raw.image : '';
      if (!imageHasRegistry(image)) f.add('image-registry', `${p}/image`, `container ${name}'s image ${image || '(none)'} names no registry, so it comes from wherever the node's runtime defaults to`, 'name the registry, e.g. harbor.example.com/team/app:1.2.3');
      if (!imagePinned(image)) f.add('image-pinned', `${p}/image`, `container ${name}'s image ${image || '(none)'} is not pinned (no tag, or latest)`, 'pin a version tag or a digest');
      if (list === 'containers' && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(c.object.kind) && i === 0) {
        const missing = ['readinessProbe', 'livenessProbe'].filter((k) => raw[k] === undefined);
        if (missing.length > 0) f.add('probes', p, `container ${name} has no ${missing.join(' and ')}`, 'give the service readiness and liveness probes');
      }
      asArray(raw.env).forEach((e, j) => {
        const found = isObject(e) && typeof e.name === 'string' && typeof e.value === 'string' ? findSecret(e.value, { name: e.name }) : undefined;
        if (found) f.add('secrets-no-inline', `${p}/env/${j}/value`, `variable ${String((e as JsonObject).name)} of container ${name} ${looksLike(found)}`, 'read it from a Secret (secretKeyRef) filled from a secret store');
      });
      for (const k of ['command', 'args'] as const) {
        const found = findSecretIn(asArray(raw[k]));
        if (found) f.add('secrets-no-inline', `${p}/${k}`, `the ${k === 'args' ? 'arguments' : k} of container ${name} ${looksLike(found)}`, 'pass the secret in a variable read from a Secret and refer to it as $(VAR)');
      }
      for (const k of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
        const probe = isObject(raw[k]) ? (raw[k] as JsonObject) : undefined;
        const exec = probe && isObject(probe.exec) ? findSecretIn(asArray(probe.exec.command)) : undefined;
        if (exec) f.add('secrets-no-inline', `${p}/${k}/exec/command`, `the ${k} command of container ${name} ${looksLike(exec)}`, 'read the secret in the command from a variable filled from a Secret');
        asArray(probe && isObject(probe.httpGet) ? probe.httpGet.httpHeaders : undefined).forEach((h, j) => {
          const header = isObject(h) && typeof h.name === 'string' && typeof h.value === 'string' ? findSecret(h.value, { name: h.name }) ?? findSecret(`${h.name}: ${h.value}`) : undefined;
          if (header) f.add('secrets-no-inline', `${p}/${k}/httpGet/httpHeaders/${j}/value`, `a header of the ${k} of container ${name} ${looksLike(header)}`, 'probe an endpoint that needs no credentials');
        });
      }
    });
  }
}

function checkRbac(c: CheckedObject, f: ObjectFindings, tenantOfNamespace: ReadonlyMap<string, string>, tenants: ReadonlySet<string>): void {
  const o = c.object;
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.lastIndexOf('/')) : '';
  const isRbacGroup = group === 'rbac.authorization.k8s.io' || group === 'iam.kubesphere.io';
  if (isRbacGroup && ['Role', 'ClusterRole', 'WorkspaceRole', 'GlobalRole'].includes(o.kind)) {
    asArray(o.rules).forEach((r, i) => {
      if (!isObject(r)) return;
      for (const k of ['verbs', 'resources', 'apiGroups'] as const) {
        if (asArray(r[k]).includes('*')) f.add('rbac-no-wildcard', `/rules/${i}/${k}`, `the role grants "*" in ${k}`, `list the ${k} the role needs`);
      }
    });
  }
  if (group === 'rbac.authorization.k8s.io' && o.kind === 'ClusterRoleBinding') {
    const people = asArray(o.subjects).filter((s) => isObject(s) && (s.kind === 'User' || s.kind === 'Group'));
    if (people.length > 0) f.add('rbac-no-cluster-binding', '/subjects', 'a ClusterRoleBinding gives users or groups rights in every namespace', 'bind a Role in the tenant\'s namespaces (project grants) or a workspace role instead');
  }
  if (isRbacGroup && ['RoleBinding', 'WorkspaceRoleBinding'].includes(o.kind)) {
    const tenant = o.kind === 'WorkspaceRoleBinding' ? o.metadata.labels?.['kubesphere.io/workspace'] : o.metadata.namespace !== undefined ? tenantOfNamespace.get(o.metadata.namespace) : undefined;
    if (tenant === undefined) return;
    asArray(o.subjects).forEach((s, i) => {
      if (!isObject(s) || s.kind !== 'Group' || typeof s.name !== 'string') return;
      const other = [...tenants].find((t) => t !== tenant && s.name !== undefined && String(s.name).startsWith(`${t}-`) && !String(s.name).startsWith(`${tenant}-`));
      if (other) f.add('rbac-no-cross-tenant', `/subjects/${i}`, `group ${s.name} of tenant ${other} is bound in tenant ${tenant}`, `bind departments of tenant ${tenant} only, or grant across tenants explicitly in the owning tenant's code`);
    });
  }
}

/**
 * Runs the policy rules over the objects of an output.
 * @param objects every object of the output, with its cluster, source and profile
 */
export function checkPolicies(objects: readonly CheckedObject[]): Finding[] {
  const out: Finding[] = [];
  const byCluster = new Map<string, CheckedObject[]>();
  for (const c of objects) {
    const list = byCluster.get(c.cluster);
    if (list) list.push(c);
    else byCluster.set(c.cluster, [c]);
  }
  for (const list of byCluster.values()) {
    const tenantOfNamespace = new Map<string, string>();
    const tenants = new Set<string>();
    for (const c of list) {
      const t = c.object.metadata.labels?.['platform-cdk.io/tenant'];
      if (t) tenants.add(t);
      if (c.object.kind === 'Namespace' && t) tenantOfNamespace.set(c.object.metadata.name, t);
    }
    // Objects by namespace and kind, so that the checks of one object look at its neighbours only.
    const index = new Map<string, CheckedObject[]>();
    for (const c of list) {
      const key = `${c.object.metadata.namespace ?? ''}/${c.object.kind}`;
      const l = index.get(key);
      if (l) l.push(c);
      else index.set(key, [c]);
    }
    const inNamespace = (ns: string, kind: string): readonly CheckedObject[] => index.get(`${ns}/${kind}`) ?? [];
    const secretOwners = new Map<string, string>();
    const hosts = new Map<string, { tenant: string; object: string }>();
    const routes = new Map<string, string>();
    for (const c of list) {
      const o = c.object;
      const f = new ObjectFindings(c, out);
      f.checkWaivers();
      checkPod(c, f);
      checkRbac(c, f, tenantOfNamespace, tenants);
      checkLiteralSecrets(o, f);
      const claimed = claimedSecret(o);
      if (claimed !== undefined) {
        const key = `${o.metadata.namespace ?? ''}/${claimed}`;
        const first = secretOwners.get(key);
        if (first === undefined) secretOwners.set(key, describeObject(o));
        else f.add('secrets-one-owner', o.kind === 'Certificate' ? '/spec/secretName' : '/spec/target/name', `Secret ${claimed} is created by ${first} already, and two controllers would overwrite each other's data`, 'give each ExternalSecret and Certificate its own Secret name (rename the secret store or the service)');
      }
      if (o.kind === 'Secret' && o.apiVersion === 'v1' && (o.data !== undefined || o.stringData !== undefined)) {
        f.add('secrets-no-inline', o.data !== undefined ? '/data' : '/stringData', 'the Secret carries its values in the manifest', 'let an ExternalSecret create it from a secret store, or have an operator create it');
      }
      if (o.kind === 'Namespace' && tenantOfNamespace.has(o.metadata.name)) {
        const ns = o.metadata.name;
        if (inNamespace(ns, 'ResourceQuota').length === 0) f.add('tenancy-quota', '', `namespace ${ns} has no ResourceQuota`, 'give the project a quota');
        if (inNamespace(ns, 'LimitRange').length === 0) f.add('tenancy-quota', '', `namespace ${ns} has no LimitRange`, 'give the namespace a LimitRange with default requests and limits');
        const denies = inNamespace(ns, 'NetworkPolicy').some((p) => {
          const s = p.object.spec as JsonObject;
          const types = asArray(s?.policyTypes);
          return isObject(s?.podSelector) && Object.keys(s.podSelector).length === 0 && types.includes('Ingress') && types.includes('Egress') && asArray(s.ingress).length === 0 && asArray(s.egress).length === 0;
        });
        if (!denies) f.add('tenancy-default-deny', '', `namespace ${ns} has no default-deny NetworkPolicy`, 'add a NetworkPolicy selecting every pod with policyTypes Ingress and Egress and no rules');
      }
      if (o.kind === 'Ingress') {
        const spec = (o.spec as JsonObject) ?? {};
        const tlsHosts = new Set(asArray(spec.tls).flatMap((t) => (isObject(t) ? asArray(t.hosts) : [])));
        const tenant = o.metadata.labels?.['platform-cdk.io/tenant'] ?? (o.metadata.namespace ? tenantOfNamespace.get(o.metadata.namespace) : undefined) ?? '-';
        asArray(spec.rules).forEach((r, i) => {
          if (!isObject(r) || typeof r.host !== 'string') return;
          const host = r.host;
          const claim = hosts.get(host);
          if (claim && claim.tenant !== tenant) f.add('exposure-unique-host', `/spec/rules/${i}/host`, `host ${host} is claimed by tenant ${claim.tenant} already (${claim.object})`, 'give each tenant its own hosts');
          else if (!claim) hosts.set(host, { tenant, object: describeObject(o) });
          for (const [j, p] of asArray((r.http as JsonObject | undefined)?.paths).entries()) {
            if (!isObject(p)) continue;
            const key = `${host}${String(p.path ?? '/')}`;
            const first = routes.get(key);
            if (first && first !== describeObject(o)) f.add('exposure-unique-host', `/spec/rules/${i}/http/paths/${j}`, `${key} is routed by ${first} already`, 'give each route its own host or path');
            else routes.set(key, describeObject(o));
          }
          if (!tlsHosts.has(host)) f.add('exposure-tls', `/spec/rules/${i}/host`, `host ${host} is served over plain HTTP`, 'give the exposure or the environment tls');
        });
      }
      if (c.production && o.kind === 'Deployment') checkProductionDeployment(c, f, inNamespace);
      if (c.production && o.kind === 'Service' && o.apiVersion === 'v1') checkSourceRanges(o, f);
    }
  }
  return out;
}

function checkProductionDeployment(c: CheckedObject, f: ObjectFindings, inNamespace: (ns: string, kind: string) => readonly CheckedObject[]): void {
  const o = c.object;
  const ns = o.metadata.namespace ?? '';
  const spec = (o.spec as JsonObject) ?? {};
  const podLabels = ((spec.template as JsonObject)?.metadata as JsonObject)?.labels as Record<string, string> | undefined;
  const hpa = inNamespace(ns, 'HorizontalPodAutoscaler').find((x) => ((x.object.spec as JsonObject)?.scaleTargetRef as JsonObject)?.name === o.metadata.name);
  const replicas = hpa ? Number((hpa.object.spec as JsonObject).minReplicas ?? 1) : Number(spec.replicas ?? externalMinReplicas(o) ?? 1);
  if (replicas < 2) f.add('production-replicas', hpa ? '/spec' : '/spec/replicas', `the Deployment runs ${replicas} replica${replicas === 1 ? '' : 's'}${hpa ? ' at the autoscaler\'s minimum' : ''} in production`, 'run at least 2 replicas, or waive with a reason');
  // A PDB without a selector selects no pod (policy/v1); an empty selector selects every pod of the namespace.
  const pdb = inNamespace(ns, 'PodDisruptionBudget').some((x) => {
    const selector = (x.object.spec as JsonObject)?.selector;
    return isObject(selector) && selectorMatches(selector, podLabels ?? {});
  });
  if (!pdb) f.add('production-disruption-budget', '', 'no PodDisruptionBudget selects the Deployment\'s pods in production', 'give the service a disruption budget, or waive with a reason');
  const pod = podSpecOf(o);
  // A topology is covered by a spread constraint or by a pod anti-affinity term over it (required or preferred).
  const keys = new Set(asArray(pod?.spec.topologySpreadConstraints).map((t) => (isObject(t) ? t.topologyKey : undefined)));
  const anti = (pod?.spec.affinity as JsonObject | undefined)?.podAntiAffinity as JsonObject | undefined;
  for (const term of [...asArray(anti?.requiredDuringSchedulingIgnoredDuringExecution), ...asArray(anti?.preferredDuringSchedulingIgnoredDuringExecution).map((t) => (isObject(t) ? t.podAffinityTerm : undefined))]) {
    if (isObject(term)) keys.add(term.topologyKey);
  }
  const missing = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].filter((k) => !keys.has(k));
  if (missing.length > 0) {
    f.add('production-spread', `${pod?.at ?? '/spec'}/topologySpreadConstraints`, `the pods are not spread over ${missing.map((k) => (k.endsWith('hostname') ? 'nodes' : 'zones')).join(' and ')} in production`, 'spread the service, or waive with a reason');
  }
}

/** A production LoadBalancer admits declared source ranges: some, and none that is every address. */
function checkSourceRanges(o: KubeObject, f: ObjectFindings): void {
  const spec = isObject(o.spec as JsonValue) ? (o.spec as JsonObject) : {};
  if (spec.type !== 'LoadBalancer') return;
  const ranges = asArray(spec.loadBalancerSourceRanges).filter((r): r is string => typeof r === 'string');
  const open = ranges.filter((r) => /\/0$/.test(r.trim()));
  if (ranges.length === 0) f.add('exposure-source-ranges', '/spec', 'the LoadBalancer Service admits every address in production (no loadBalancerSourceRanges)', 'list the networks that call it (exposeNetwork({ from: [...] })), or waive with a reason');
  else if (open.length > 0) f.add('exposure-source-ranges', '/spec/loadBalancerSourceRanges', `the LoadBalancer Service admits every address in production (${open.join(', ')})`, 'list the networks that call it, or waive with a reason');
}
