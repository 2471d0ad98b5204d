/**
 * Tenant isolation, proved on the synthesized output rather than on the model: whatever the constructs meant,
 * these checks read the objects a cluster would receive and report every place where one tenant could act on,
 * or reach, another's namespaces, where two tenants claim one public host, and where a preview could act on, or
 * reach, its baseline beyond what was declared.
 *
 * How tenants show in the output: a namespace belongs to the tenant of its `platform-cdk.io/tenant` label (or
 * KubeSphere's `kubesphere.io/workspace`), and to a preview when it carries `platform-cdk.io/preview`. A user
 * belongs to the tenants whose workspace names it (the WorkspaceTemplate's manager, a WorkspaceRoleBinding, a
 * GroupBinding into one of its groups); a group to the tenant of its KubeSphere `Group` (or, on plain Kubernetes,
 * of its `<tenant>-<department>` name); a ServiceAccount to the tenant of its namespace.
 */
import { parseAllDocuments } from 'yaml';
import type { Platform } from '../constructs/platform';
import { PreviewLabels } from '../constructs/preview';
import { namespaceIn, NAMESPACE_NAME_LABEL, targetEnvironment } from './connections';
import { WORKSPACE_LABEL } from './emitters/kubesphere';
import { KubeObject, LabelKeys, selectorMatches as matches } from './manifest';
import type { RenderedPlatform } from './render';

/** The isolation checks. */
export enum IsolationCheck {
  /** A binding gives a subject of one tenant rights in another tenant's namespaces (or in every namespace). */
  TENANT_ACCESS = 'tenant-access',
  /** A network policy opens a path between two tenants' namespaces that no declared connection covers. */
  TENANT_NETWORK = 'tenant-network',
  /** One Ingress host is claimed by namespaces of two tenants. */
  INGRESS_HOST = 'ingress-host',
  /** A preview's binding (its owner's) lands outside the preview's own namespaces. */
  PREVIEW_ACCESS = 'preview-access',
  /** A network policy opens a path from a preview to a baseline namespace that no declared connection covers. */
  PREVIEW_NETWORK = 'preview-network',
}

/** One synthesized object and the cluster it goes to. */
export interface IsolationObject {
  /** The cluster (output folder) the object goes to. */
  readonly cluster: string;
  /** The object as written. */
  readonly object: KubeObject;
}

/**
 * A network path the model declares (a `connectsTo`, accepted by the target's tenant with `acceptFrom` when it
 * crosses tenants): callers in one namespace reach one port of pods in another.
 */
export interface DeclaredPath {
  /** The callers' namespace. */
  readonly from: string;
  /** The target's namespace. */
  readonly to: string;
  /** The protocol, `TCP`, `UDP` or `SCTP`. */
  readonly protocol: string;
  /** The port the target's pods listen on. */
  readonly port: number;
}

/** Something that breaks isolation. */
export interface IsolationFinding {
  /** Which check found it. */
  readonly check: IsolationCheck;
  /** The cluster of the object. */
  readonly cluster: string;
  /** The object, `<Kind> <namespace>/<name>` (or `<Kind> <name>` when cluster-scoped). */
  readonly object: string;
  /** What it allows, and why that breaks isolation. */
  readonly reason: string;
}

/** Options of {@link checkIsolation}. */
export interface IsolationOptions {
  /**
   * The network paths the model declares. A path across tenants, or from a preview to a baseline namespace, is
   * accepted only when one of these covers it (same namespaces, protocol and port).
   * @default - none: every such path is a finding
   */
  readonly declaredPaths?: readonly DeclaredPath[];
}

/** The label a namespace's KubeSphere workspace is written in. */

/** What is known of one namespace of one cluster. */
interface NamespaceInfo {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly tenant?: string;
  readonly preview?: string;
}

/** A binding's subject, as RBAC and KubeSphere write it. */
interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding', 'WorkspaceRoleBinding']);

/** The kinds the isolation checks read: namespaces, who belongs to which tenant, bindings, network policies, Ingresses. */
const ISOLATION_KINDS = new Set(['Namespace', 'Group', 'GroupBinding', 'WorkspaceTemplate', ...BINDING_KINDS, 'NetworkPolicy', 'Ingress']);

/**
 * Whether the isolation checks read an object. They read nothing else, so that a check made in parts (a cluster
 * at a time, as a synthesis renders it) keeps only these few, small objects until the whole estate is seen:
 * `checkIsolation` of them gives the findings of `checkIsolation` of every object.
 * @param object an object of the output
 */
export function isIsolationObject(object: KubeObject): boolean {
  return ISOLATION_KINDS.has(object.kind);
}

/**
 * Checks synthesized objects for breaches of tenant isolation.
 * @param all every object of every cluster (only those {@link isIsolationObject} accepts are read)
 * @param options the declared network paths
 * @returns the findings, sorted by check, cluster and object
 */
export function checkIsolation(all: readonly IsolationObject[], options: IsolationOptions = {}): IsolationFinding[] {
  const objects = all.filter((o) => isIsolationObject(o.object));
  const findings: IsolationFinding[] = [];
  const namespaces = indexNamespaces(objects);
  const tenants = new Set<string>();
  for (const byName of namespaces.values()) for (const ns of byName.values()) if (ns.tenant) tenants.add(ns.tenant);
  for (const { object: o } of objects) if (o.kind === 'WorkspaceTemplate') tenants.add(o.metadata.name);
  const membership = indexMembership(objects, namespaces, tenants);
  checkAccess(objects, namespaces, membership, findings);
  checkNetwork(objects, namespaces, options.declaredPaths ?? [], findings);
  checkIngressHosts(objects, namespaces, findings);
  const order = Object.values(IsolationCheck) as string[];
  return findings.sort((a, b) => order.indexOf(a.check) - order.indexOf(b.check) || cmp(a.cluster, b.cluster) || cmp(a.object, b.object) || cmp(a.reason, b.reason));
}

/**
 * The objects of synthesized files (`<cluster>/<file>.yaml`, as `ManifestStack.files()` returns them or an
 * output folder holds them); files of other kinds (the GitLab CI files) are left out.
 * @param files file texts by path relative to the output folder
 */
export function isolationObjectsOfFiles(files: ReadonlyMap<string, string>): IsolationObject[] {
  const out: IsolationObject[] = [];
  for (const [file, text] of files) {
    if (!/\.ya?ml$/.test(file) || file.startsWith('_')) continue;
    const cluster = file.split('/')[0];
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as KubeObject | null;
      if (object && typeof object === 'object' && typeof object.kind === 'string') out.push({ cluster, object });
    }
  }
  return out;
}

/**
 * The objects of a render (`ManifestStack.render()`), as they are written: the same objects as
 * `isolationObjectsOfFiles` reads back from the files, without parsing YAML.
 * @param rendered the render
 */
export function isolationObjectsOfRender(rendered: RenderedPlatform): IsolationObject[] {
  return rendered.clusters.flatMap((rc) => rc.objects.map((o) => ({ cluster: rc.cluster.name, object: o.toJson() })));
}

/**
 * The network paths a platform's model declares: every `connectsTo` to pods (services, in-cluster stateful
 * services), in every environment the caller runs in, previews included (a preview's caller reaches the
 * baseline's instance of what the preview does not run).
 * @param platform the platform
 */
export function declaredPaths(platform: Platform): DeclaredPath[] {
  const out = new Map<string, DeclaredPath>();
  for (const tenant of platform.tenants) {
    for (const project of tenant.projects) {
      for (const service of project.services) {
        for (const c of service.connections) {
          const port = c.target.findPort(c.options.port);
          if (!port) continue;
          for (const env of service.environments) {
            const reached = targetEnvironment(c.target, env);
            if (!c.target.project.isPlacedIn(reached)) continue;
            const peer = c.target.peerIn(reached, port);
            if (peer.peer.kind !== 'pods') continue;
            const path: DeclaredPath = { from: namespaceIn(project, env), to: namespaceIn(c.target.project, reached), protocol: peer.protocol, port: peer.port };
            out.set(`${path.from}|${path.to}|${path.protocol}|${path.port}`, path);
          }
        }
      }
    }
  }
  return [...out.keys()].sort().map((k) => out.get(k) as DeclaredPath);
}

/**
 * Renders a platform in memory and checks its output, with the paths its model declares.
 * @param platform the platform (it must be valid: a `ValidationError` is thrown otherwise)
 */
export function checkPlatformIsolation(platform: Platform): IsolationFinding[] {
  // Loaded here: the engine's modules below import the constructs, which this module's importers may be loading.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { planPlatform } = require('./plan') as typeof import('./plan');
  const { validatePlatform } = require('./validate') as typeof import('./validate');
  const { renderPlatform } = require('./render') as typeof import('./render');
  const { ValidationError } = require('./problems') as typeof import('./problems');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const plan = planPlatform(platform);
  const problems = validatePlatform(platform, plan);
  if (problems.some((p) => p.severity === 'error')) throw new ValidationError(problems);
  return checkIsolation(isolationObjectsOfRender(renderPlatform(platform, plan)), { declaredPaths: declaredPaths(platform) });
}

/** A finding as one line: `[check] cluster: object: reason`. */
export function formatIsolationFinding(f: IsolationFinding): string {
  return `[${f.check}] ${f.cluster}: ${f.object}: ${f.reason}`;
}

// ------------------------------------------------------------------------------------------------------------
// Namespaces and who belongs where
// ------------------------------------------------------------------------------------------------------------

function indexNamespaces(objects: readonly IsolationObject[]): Map<string, Map<string, NamespaceInfo>> {
  const out = new Map<string, Map<string, NamespaceInfo>>();
  for (const { cluster, object: o } of objects) {
    if (o.kind !== 'Namespace' || o.apiVersion !== 'v1') continue;
    const labels: Record<string, string> = { ...labelsOf(o), [NAMESPACE_NAME_LABEL]: o.metadata.name };
    let byName = out.get(cluster);
    if (!byName) out.set(cluster, (byName = new Map()));
    byName.set(o.metadata.name, {
      name: o.metadata.name,
      labels,
      tenant: labels[LabelKeys.TENANT] ?? labels[WORKSPACE_LABEL],
      preview: labels[PreviewLabels.PREVIEW],
    });
  }
  return out;
}

/** The tenant of a namespaced object: its namespace's, else (a namespace KubeSphere creates, e.g. a DevOps project's) the object's own labels. */
function tenantOfNamespace(namespaces: Map<string, Map<string, NamespaceInfo>>, cluster: string, namespace: string, o?: KubeObject): string | undefined {
  const ns = namespaces.get(cluster)?.get(namespace);
  if (ns) return ns.tenant;
  const labels = o ? labelsOf(o) : {};
  return labels[LabelKeys.TENANT] ?? labels[WORKSPACE_LABEL];
}

interface Membership {
  /** Tenants of each user, from workspace-level objects. */
  readonly users: Map<string, Set<string>>;
  /** The tenant of each group. */
  readonly groups: Map<string, string>;
  /** Every tenant name. */
  readonly tenants: ReadonlySet<string>;
  /** Tenants of the namespaces each user is bound in, for users no workspace-level object names. */
  readonly boundIn: Map<string, Set<string>>;
}

function indexMembership(objects: readonly IsolationObject[], namespaces: Map<string, Map<string, NamespaceInfo>>, tenants: ReadonlySet<string>): Membership {
  const users = new Map<string, Set<string>>();
  const groups = new Map<string, string>();
  const join = (user: string, tenant: string | undefined): void => {
    if (!tenant) return;
    const set = users.get(user) ?? new Set<string>();
    set.add(tenant);
    users.set(user, set);
  };
  for (const { object: o } of objects) {
    if (o.kind === 'Group' && o.apiVersion.startsWith('iam.kubesphere.io/')) {
      const t = labelsOf(o)[WORKSPACE_LABEL] ?? labelsOf(o)[LabelKeys.TENANT];
      if (t) groups.set(o.metadata.name, t);
    }
  }
  for (const { object: o } of objects) {
    if (o.kind === 'WorkspaceTemplate') {
      const manager = nested(o, ['spec', 'template', 'spec', 'manager']);
      if (typeof manager === 'string') join(manager, o.metadata.name);
    } else if (o.kind === 'GroupBinding') {
      const group = nested(o, ['groupRef', 'name']);
      const tenant = typeof group === 'string' ? groups.get(group) : undefined;
      for (const u of stringList(o.users)) join(u, tenant);
    } else if (o.kind === 'WorkspaceRoleBinding') {
      const tenant = labelsOf(o)[WORKSPACE_LABEL] ?? labelsOf(o)[LabelKeys.TENANT];
      for (const s of subjectsOf(o)) if (s.kind === 'User') join(s.name, tenant);
    }
  }
  const boundIn = new Map<string, Set<string>>();
  for (const { cluster, object: o } of objects) {
    if (o.kind !== 'RoleBinding' || o.metadata.namespace === undefined) continue;
    const tenant = tenantOfNamespace(namespaces, cluster, o.metadata.namespace, o);
    if (!tenant) continue;
    for (const s of subjectsOf(o)) {
      if (s.kind !== 'User' || users.has(s.name)) continue;
      const set = boundIn.get(s.name) ?? new Set<string>();
      set.add(tenant);
      boundIn.set(s.name, set);
    }
  }
  return { users, groups, tenants, boundIn };
}

/** The tenant of a group: its KubeSphere Group's, else the tenant its `<tenant>-<department>` name starts with. */
function groupTenant(m: Membership, group: string): string | undefined {
  const known = m.groups.get(group);
  if (known) return known;
  let best: string | undefined;
  for (const t of m.tenants) if (group.startsWith(`${t}-`) && (!best || t.length > best.length)) best = t;
  return best;
}

// ------------------------------------------------------------------------------------------------------------
// Access: bindings
// ------------------------------------------------------------------------------------------------------------

function checkAccess(objects: readonly IsolationObject[], namespaces: Map<string, Map<string, NamespaceInfo>>, m: Membership, findings: IsolationFinding[]): void {
  for (const { cluster, object: o } of objects) {
    if (!BINDING_KINDS.has(o.kind)) continue;
    const at = describe(o);
    const add = (check: IsolationCheck, reason: string): void => {
      findings.push({ check, cluster, object: at, reason });
    };
    const subjects = subjectsOf(o);
    if (o.kind === 'ClusterRoleBinding') {
      for (const s of subjects) {
        const of = subjectTenants(m, namespaces, cluster, s);
        if (of.length > 0) add(IsolationCheck.TENANT_ACCESS, `binds ${subjectText(s)} of tenant ${of.join(', ')} cluster-wide, which gives it rights in every tenant's namespaces; bind it in its tenant's namespaces instead`);
      }
      continue;
    }
    if (o.kind === 'WorkspaceRoleBinding') {
      const tenant = labelsOf(o)[WORKSPACE_LABEL] ?? labelsOf(o)[LabelKeys.TENANT];
      if (!tenant) continue;
      for (const s of subjects) {
        const of = subjectTenants(m, namespaces, cluster, s).filter((t) => t !== tenant);
        if (s.kind !== 'User' && of.length > 0) add(IsolationCheck.TENANT_ACCESS, `binds ${subjectText(s)} of tenant ${of.join(', ')} in the workspace of tenant ${tenant}, which gives it rights in all of ${tenant}'s namespaces`);
      }
      continue;
    }
    const namespace = o.metadata.namespace;
    if (namespace === undefined) continue;
    const tenant = tenantOfNamespace(namespaces, cluster, namespace, o);
    if (tenant) {
      for (const s of subjects) {
        const of = subjectTenants(m, namespaces, cluster, s, namespace);
        if (s.kind === 'User' && !m.users.has(s.name)) {
          // Nothing at workspace level names the user (plain Kubernetes): one user bound in two tenants' namespaces.
          if (of.length > 1) add(IsolationCheck.TENANT_ACCESS, `binds ${subjectText(s)} in namespace ${namespace} of tenant ${tenant}, and the user is also bound in namespaces of ${of.filter((t) => t !== tenant).join(', ')}; nothing in the output makes the user a member of several tenants`);
          continue;
        }
        if (of.length > 0 && !of.includes(tenant)) add(IsolationCheck.TENANT_ACCESS, `gives ${subjectText(s)} of tenant ${of.join(', ')} rights in namespace ${namespace} of tenant ${tenant}`);
      }
    }
    // Previews: the bindings of a preview (its owner's) stay in the preview's own namespaces.
    const ns = namespaces.get(cluster)?.get(namespace);
    const labels = labelsOf(o);
    const preview = labels[PreviewLabels.PREVIEW];
    const owner = labels[PreviewLabels.OWNER];
    if ((preview !== undefined || owner !== undefined) && (ns?.preview === undefined || (preview !== undefined && ns.preview !== preview))) {
      const whose = preview !== undefined ? `preview ${preview}` : `the owner of a preview (${owner})`;
      add(IsolationCheck.PREVIEW_ACCESS, `belongs to ${whose} and grants ${subjects.map(subjectText).join(', ')} rights in namespace ${namespace}, which ${ns?.preview ? `belongs to preview ${ns.preview}` : 'is a baseline namespace'}`);
    }
  }
}

function subjectTenants(m: Membership, namespaces: Map<string, Map<string, NamespaceInfo>>, cluster: string, s: Subject, bindingNamespace?: string): string[] {
  if (s.kind === 'User') return [...(m.users.get(s.name) ?? m.boundIn.get(s.name) ?? [])].sort();
  if (s.kind === 'Group') {
    const t = groupTenant(m, s.name);
    return t ? [t] : [];
  }
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace ?? bindingNamespace;
    const t = ns === undefined ? undefined : tenantOfNamespace(namespaces, cluster, ns);
    return t ? [t] : [];
  }
  return [];
}

function subjectText(s: Subject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace ?? ''}/${s.name}` : `${s.kind} ${s.name}`;
}

function subjectsOf(o: KubeObject): Subject[] {
  const list = Array.isArray(o.subjects) ? o.subjects : [];
  const out: Subject[] = [];
  for (const s of list) {
    if (s && typeof s === 'object' && !Array.isArray(s) && typeof s.kind === 'string' && typeof s.name === 'string') {
      out.push({ kind: s.kind, name: s.name, namespace: typeof s.namespace === 'string' ? s.namespace : undefined });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------------
// Network: policies
// ------------------------------------------------------------------------------------------------------------

interface Port {
  readonly protocol: string;
  readonly port: number;
}

function checkNetwork(objects: readonly IsolationObject[], namespaces: Map<string, Map<string, NamespaceInfo>>, declared: readonly DeclaredPath[], findings: IsolationFinding[]): void {
  const declaredKeys = new Set(declared.map((d) => `${d.from}|${d.to}|${d.protocol}|${d.port}`));
  for (const { cluster, object: o } of objects) {
    if (o.kind !== 'NetworkPolicy' || o.metadata.namespace === undefined) continue;
    const known = namespaces.get(cluster) ?? new Map<string, NamespaceInfo>();
    const self = known.get(o.metadata.namespace);
    if (!self) continue;
    const spec = asObject(o.spec);
    const types = stringList(spec.policyTypes);
    const sides: { direction: 'ingress' | 'egress'; rules: unknown[] }[] = [];
    if (types.includes('Ingress') || (types.length === 0 && spec.ingress !== undefined)) sides.push({ direction: 'ingress', rules: Array.isArray(spec.ingress) ? spec.ingress : [] });
    if (types.includes('Egress') || (types.length === 0 && spec.egress !== undefined)) sides.push({ direction: 'egress', rules: Array.isArray(spec.egress) ? spec.egress : [] });
    for (const { direction, rules } of sides) {
      const open = new Map<string, { other: NamespaceInfo; ports: Port[] | 'all' }>();
      for (const raw of rules) {
        const rule = asObject(raw);
        const peersField = direction === 'ingress' ? rule.from : rule.to;
        const ports = portsOf(rule.ports);
        const peers = Array.isArray(peersField) ? peersField : [];
        // A rule without peers admits every address; the platform's DNS rule (port 53 to anywhere) is the one allowed.
        if (peers.length === 0 && direction === 'egress' && ports !== 'all' && ports.every((p) => p.port === 53)) continue;
        const others = peers.length === 0 ? [...known.values()] : peers.flatMap((p) => peerNamespaces(asObject(p), self, known));
        for (const other of others) {
          if (other.name === self.name) continue;
          const entry = open.get(other.name) ?? { other, ports: [] as Port[] | 'all' };
          entry.ports = entry.ports === 'all' || ports === 'all' ? 'all' : [...entry.ports, ...ports];
          open.set(other.name, entry);
        }
      }
      for (const { other, ports } of [...open.values()].sort((a, b) => cmp(a.other.name, b.other.name))) {
        const [from, to] = direction === 'ingress' ? [other, self] : [self, other];
        const crossTenant = from.tenant !== undefined && to.tenant !== undefined && from.tenant !== to.tenant;
        const previewToBaseline = from.preview !== undefined && to.preview === undefined && !crossTenant;
        if (!crossTenant && !previewToBaseline) continue;
        const undeclared = ports === 'all' ? 'all' : ports.filter((p) => !declaredKeys.has(`${from.name}|${to.name}|${p.protocol}|${p.port}`));
        if (undeclared !== 'all' && undeclared.length === 0) continue;
        const what = undeclared === 'all' ? 'every port' : `port${undeclared.length > 1 ? 's' : ''} ${[...new Set(undeclared.map((p) => `${p.protocol}/${p.port}`))].sort().join(', ')}`;
        const verb = direction === 'ingress' ? `admits traffic from namespace ${from.name}` : `lets its pods reach namespace ${to.name}`;
        findings.push(
          crossTenant
            ? { check: IsolationCheck.TENANT_NETWORK, cluster, object: describe(o), reason: `${verb} (tenant ${other.tenant}) on ${what}, across tenants (${from.tenant} → ${to.tenant}), and no declared connection (connectsTo, accepted with acceptFrom) covers it` }
            : { check: IsolationCheck.PREVIEW_NETWORK, cluster, object: describe(o), reason: `${verb} on ${what}, from preview ${from.preview} to the baseline namespace ${to.name}, and no declared dependency of the preview covers it` },
        );
      }
    }
  }
}

/** The namespaces a policy peer selects (an `ipBlock` selects addresses outside the cluster: none). */
function peerNamespaces(peer: Record<string, unknown>, self: NamespaceInfo, known: Map<string, NamespaceInfo>): NamespaceInfo[] {
  if (peer.ipBlock !== undefined) return [];
  if (peer.namespaceSelector === undefined) return [self];
  const selector = asObject(peer.namespaceSelector);
  return [...known.values()].filter((ns) => matches(selector, ns.labels));
}

function portsOf(value: unknown): Port[] | 'all' {
  if (!Array.isArray(value) || value.length === 0) return 'all';
  const out: Port[] = [];
  for (const raw of value) {
    const p = asObject(raw);
    // A named port or a range cannot be matched to a declared path here: treated as every port.
    if (typeof p.port !== 'number' || p.endPort !== undefined) return 'all';
    out.push({ protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP', port: p.port });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------------
// Ingress hosts
// ------------------------------------------------------------------------------------------------------------

function checkIngressHosts(objects: readonly IsolationObject[], namespaces: Map<string, Map<string, NamespaceInfo>>, findings: IsolationFinding[]): void {
  const claims = new Map<string, { tenant: string; cluster: string; object: string }[]>();
  for (const { cluster, object: o } of objects) {
    if (o.kind !== 'Ingress' || o.metadata.namespace === undefined) continue;
    const tenant = tenantOfNamespace(namespaces, cluster, o.metadata.namespace, o);
    if (!tenant) continue;
    const spec = asObject(o.spec);
    const hosts = new Set<string>();
    for (const r of Array.isArray(spec.rules) ? spec.rules : []) {
      const h = asObject(r).host;
      if (typeof h === 'string') hosts.add(h);
    }
    for (const t of Array.isArray(spec.tls) ? spec.tls : []) for (const h of stringList(asObject(t).hosts)) hosts.add(h);
    for (const h of hosts) {
      const list = claims.get(h) ?? [];
      list.push({ tenant, cluster, object: describe(o) });
      claims.set(h, list);
    }
  }
  for (const [host, list] of claims) {
    const tenants = [...new Set(list.map((c) => c.tenant))].sort();
    if (tenants.length < 2) continue;
    for (const c of list) {
      const others = list.filter((x) => x.tenant !== c.tenant).map((x) => `${x.cluster}: ${x.object} (tenant ${x.tenant})`);
      findings.push({ check: IsolationCheck.INGRESS_HOST, cluster: c.cluster, object: c.object, reason: `claims host ${host} for tenant ${c.tenant}, and ${others.join(', ')} claims it too` });
    }
  }
}

// ------------------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------------------

function labelsOf(o: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(o.metadata?.labels))) if (typeof v === 'string') out[k] = v;
  return out;
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

function nested(o: unknown, keys: readonly string[]): unknown {
  let v: unknown = o;
  for (const k of keys) v = asObject(v)[k];
  return v;
}

function describe(o: KubeObject): string {
  return o.metadata.namespace === undefined ? `${o.kind} ${o.metadata.name}` : `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
