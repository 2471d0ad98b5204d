/**
 * Connections in an export: `service.connectsTo(target, options)` inferred from a consumer's address variables
 * (`<PREFIX>_HOST`/`<PREFIX>_PORT` and variables in its own format, `ConnectOptions.env` templates) and confirmed by
 * the network policies the library writes for a connection (`egress-to-<target>[.<namespace>]` in the consumer's
 * namespace, `ingress-to-<target>` in the target's). A connection is declared only where the program makes the library
 * write every one of those objects again as exported: the variables at the end of the container's list in the
 * library's order, the same connections in every environment of the consumer, and every policy identical. What does
 * not qualify stays as it was (plain variables, policies through an escape hatch).
 *
 * Targets are app services (a Service selecting the pods named like it) and external stateful services
 * (lib/import/stateful.ts), in any project of the same environment; a target of another tenant accepts the
 * consumer's tenant (`acceptFrom`).
 */
import { defaultEnvPrefix, fillConnectionTemplate, parseConnectionTemplate, serviceAddress } from '../../constructs/connection';
import { PreviewLabels } from '../../constructs/preview';
import { LabelKeys } from '../manifest';
import { findSecret } from '../secret-rules';
import { code, Code, Ref } from './code';
import type { EstateContext, EstateIndex, NamespaceContext, NamespacePlace } from './passes';
import type { ExportedObject } from './read';
import { externalStatefulServices } from './stateful';
import { literal } from './format';
import { obj, list } from './json';
import type { Obj as Json } from './json';

/** The namespace label selecting a namespace by name. */
const NAMESPACE_NAME = 'kubernetes.io/metadata.name';

/** A port of a target: the Service's, and the one its pods or machines listen on. */
export interface TargetPort {
  /** The Service port's name. */
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /** The port the target's pods or machines listen on. */
  readonly targetPort: number;
  /** Its protocol. */
  readonly protocol: string;
}

/** Something a consumer connects to, in one namespace. */
export interface ConnectionTarget {
  /** Its namespace. */
  readonly place: NamespacePlace;
  /** Its name (the Service's). */
  readonly name: string;
  /** Its ports. */
  readonly ports: readonly TargetPort[];
  /** Pods (an app service), or machines' addresses (an external stateful service). */
  readonly peer: { readonly kind: 'pods' } | { readonly kind: 'addresses'; readonly cidrs: readonly string[] };
}

/** One inferred connection of a consumer. */
export interface InferredConnection {
  /** The target. */
  readonly target: ConnectionTarget;
  /** The target's port called. */
  readonly port: TargetPort;
  /** The options to write (`port`, `envPrefix`, `env`, `hostAndPort`). */
  readonly options: Json;
  /** The variables it sets, in order. */
  readonly vars: readonly string[];
}

/** What the connections of an estate are. */
export interface EstateConnections {
  /** The connections of each consumer, by `<cluster>/<namespace>/<pod name>`, in the order they are declared. */
  readonly consumers: ReadonlyMap<string, readonly InferredConnection[]>;
  /** The network policies the program writes again. */
  readonly policies: ReadonlySet<ExportedObject>;
}

/** A value with its object keys sorted, for comparing. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .filter((k) => (v as Json)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The pod template of a workload the library writes. */
function podTemplate(o: Json): Json | undefined {
  if (o.kind === 'Deployment' || o.kind === 'StatefulSet') return obj(obj(o.spec).template);
  if (o.kind === 'CronJob') return obj(obj(obj(obj(o.spec).jobTemplate).spec).template);
  return undefined;
}

/** The app-service targets of a namespace: Services selecting the pods named like them. */
function appTargets(place: NamespacePlace, objects: readonly ExportedObject[]): ConnectionTarget[] {
  const out: ConnectionTarget[] = [];
  for (const e of objects) {
    if (e.object.kind !== 'Service') continue;
    const name = e.object.metadata.name;
    const spec = obj((e.object as unknown as Json).spec);
    const selector = obj(spec.selector);
    if (selector[LabelKeys.NAME] !== name || (spec.type ?? 'ClusterIP') !== 'ClusterIP' || spec.clusterIP === 'None') continue;
    const pods = objects.map((w) => podTemplate(w.object as unknown as Json)).find((t, i) => objects[i].object.kind === 'Deployment' && obj(obj(t?.metadata).labels)[LabelKeys.NAME] === name);
    if (!pods) continue;
    const containers = list(obj(pods.spec).containers);
    const ports: TargetPort[] = [];
    for (const p of list(spec.ports)) {
      const target = typeof p.targetPort === 'number' ? p.targetPort : typeof p.targetPort === 'string' ? containers.flatMap((c) => list(c.ports)).find((c) => c.name === p.targetPort)?.containerPort : p.port;
      if (typeof p.name !== 'string' || typeof p.port !== 'number' || typeof target !== 'number') continue;
      ports.push({ name: p.name, port: p.port, targetPort: target, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP' });
    }
    if (ports.length > 0) out.push({ place, name, ports, peer: { kind: 'pods' } });
  }
  return out;
}

/** An entry of a container's env that is a plain value. */
function plainValue(e: Json): string | undefined {
  return typeof e.name === 'string' && typeof e.value === 'string' && Object.keys(e).every((k) => k === 'name' || k === 'value') ? e.value : undefined;
}

/** Host names in a value: `<name>.<namespace>.svc.cluster.local`. */
const FULL_HOST = /([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\.cluster\.local/g;
/** A short host at the start of an address: the whole value, after `//` or `@`, before `:`, `/` or the end. */
const SHORT_HOST = /(?:^|\/\/|@)([a-z]([-a-z0-9]*[a-z0-9])?(\.[a-z]([-a-z0-9]*[a-z0-9])?)?)(?=:\d|\/|$)/;
/** A user and password in an address: never a template (a credential is not written into the program). */
const CREDENTIAL_IN_ADDRESS = /\/\/[^/@\s]*:[^/@\s]*@/;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The connections a consumer's container variables say, or undefined where they are not in the shape the library
 * writes them in.
 * @param env the container's env list
 * @param own the consumer's namespace
 * @param lookup a target by namespace and name, in the consumer's environment and cluster
 */
export function inferConnections(
  env: readonly Json[],
  own: string,
  lookup: (namespace: string, name: string) => ConnectionTarget | undefined,
  portHint: (target: ConnectionTarget) => TargetPort | undefined = () => undefined,
): InferredConnection[] | undefined {
  // Which target each variable names.
  const assigned: (ConnectionTarget | undefined)[] = env.map((e) => {
    const value = plainValue(e);
    // A value that holds a credential is never a connection's: it is never written into a template.
    if (value === undefined || CREDENTIAL_IN_ADDRESS.test(value) || findSecret(value, { name: String(e.name) }) !== undefined) return undefined;
    const found = new Set<ConnectionTarget>();
    for (const m of value.matchAll(FULL_HOST)) {
      const t = lookup(m[3], m[1]);
      if (!t) return undefined;
      found.add(t);
    }
    if (found.size === 0) {
      const m = SHORT_HOST.exec(value);
      if (m) {
        const [name, ns] = m[1].includes('.') ? m[1].split('.') : [m[1], own];
        const t = ns === own && m[1].includes('.') ? undefined : lookup(ns, name);
        if (t) found.add(t);
      }
    }
    return found.size === 1 ? [...found][0] : undefined;
  });
  // `<PREFIX>_PORT` belongs with the `<PREFIX>_HOST` before it.
  env.forEach((e, i) => {
    const before = env[i - 1];
    if (assigned[i] === undefined && i > 0 && assigned[i - 1] !== undefined && plainValue(e) !== undefined && String(e.name).endsWith('_PORT') && String(before.name) === `${String(e.name).slice(0, -'_PORT'.length)}_HOST`) assigned[i] = assigned[i - 1];
  });
  // The connections' variables are the last of the list.
  let start = env.length;
  while (start > 0 && assigned[start - 1] !== undefined) start--;
  const runs: { target: ConnectionTarget; entries: Json[] }[] = [];
  for (let i = start; i < env.length; i++) {
    const t = assigned[i]!;
    const last = runs[runs.length - 1];
    if (last && last.target === t) last.entries.push(env[i]);
    else if (runs.some((r) => r.target === t)) return undefined;
    else runs.push({ target: t, entries: [env[i]] });
  }
  const out: InferredConnection[] = [];
  for (const r of runs) {
    const c = connectionOf(r.target, r.entries, own, portHint);
    if (!c) return undefined;
    out.push(c);
  }
  return out;
}

/** One connection from its variables (in order), if the library writes them so. */
function connectionOf(t: ConnectionTarget, entries: readonly Json[], own: string, portHint: (target: ConnectionTarget) => TargetPort | undefined): InferredConnection | undefined {
  const ns = t.place.namespace;
  const host = serviceAddress(t.name, ns);
  const shortHost = ns === own ? t.name : `${t.name}.${ns}`;
  const named = entries.map((e) => [String(e.name), String(e.value)] as const);
  let port: TargetPort | undefined;
  let prefix: string | undefined;
  let rest = named;
  const [first, second] = named;
  if (first && second && first[0].endsWith('_HOST') && first[1] === host) {
    const p = first[0].slice(0, -'_HOST'.length);
    const byPort = t.ports.find((x) => String(x.port) === second[1]);
    if (second[0] === `${p}_PORT` && byPort && /^[A-Z_][A-Z0-9_]*$/.test(p)) {
      prefix = p;
      port = byPort;
      rest = named.slice(2);
    }
  }
  // The port of templates without the pair: the one written after the host, else the first.
  const hostPattern = `(?:${escapeRegExp(host)}|(?<=^|//|@)${escapeRegExp(shortHost)})`;
  if (!port) {
    const written = new Set<string>();
    for (const [, v] of rest) for (const m of v.matchAll(new RegExp(`${hostPattern}:(\\d+)(?!\\d)`, 'g'))) written.add(m[1]);
    if (written.size > 1) return undefined;
    port = written.size === 1 ? t.ports.find((x) => String(x.port) === [...written][0]) : (portHint(t) ?? t.ports[0]);
    if (!port) return undefined;
  }
  const values = { host, shortHost, port: String(port.port), namespace: ns };
  const templates: Record<string, string> = {};
  for (const [name, value] of rest) {
    let tpl = value.replace(/[{}]/g, (b) => b + b);
    tpl = tpl.replace(new RegExp(`(${escapeRegExp(host)}|(?<=^|//|@)${escapeRegExp(shortHost)})(?=:\\d|/|$|[^-a-z0-9.])`, 'g'), (h) => (h === host ? '{host}' : '{shortHost}'));
    tpl = tpl.replace(new RegExp(`(\\{(?:host|shortHost)\\}):${port.port}(?!\\d)`, 'g'), '$1:{port}');
    // The target's namespace as a word of its own (not inside a name).
    tpl = tpl.replace(new RegExp(`(?<![-a-z0-9.{])${escapeRegExp(ns)}(?![-a-z0-9}])`, 'g'), '{namespace}');
    const parsed = parseConnectionTemplate(tpl);
    if ('error' in parsed || tpl.length > 2048 || /[\n\r]/.test(tpl) || fillConnectionTemplate(tpl, values) !== value) return undefined;
    templates[name] = tpl;
  }
  const names = Object.keys(templates);
  // The library writes the templates by name, after the pair.
  if (names.some((n, i) => i > 0 && names[i - 1] > n)) return undefined;
  const options: Json = {};
  if (port !== t.ports[0]) options.port = port.name;
  if (prefix !== undefined && prefix !== defaultEnvPrefix(t.name)) options.envPrefix = prefix;
  if (names.length > 0) {
    options.env = templates;
    if (prefix !== undefined) options.hostAndPort = true;
  }
  const vars = [...(prefix !== undefined ? [`${prefix}_HOST`, `${prefix}_PORT`] : []), ...names];
  if (canonical(vars) !== canonical(named.map(([n]) => n))) return undefined;
  return { target: t, port, options, vars };
}

/** The egress peers of a target. */
function peers(t: ConnectionTarget): Json[] {
  if (t.peer.kind === 'addresses') return [...t.peer.cidrs].sort().map((cidr) => ({ ipBlock: { cidr } }));
  return [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: t.place.namespace } }, podSelector: { matchLabels: { [LabelKeys.NAME]: t.name } } }];
}

/** Callers grouped by the port their pods or machines listen on, sorted as the library sorts them. */
function byPort<T extends { port: TargetPort }>(callers: readonly T[]): { port: TargetPort; callers: T[] }[] {
  const groups = new Map<string, { port: TargetPort; callers: T[] }>();
  for (const c of callers) {
    const k = `${c.port.protocol}/${c.port.targetPort}`;
    const g = groups.get(k);
    if (g) g.callers.push(c);
    else groups.set(k, { port: c.port, callers: [c] });
  }
  return [...groups.keys()].sort().map((k) => groups.get(k)!);
}

/**
 * Whether a workload becomes a service of the program: a Deployment (the skeleton reads every one), or a CronJob,
 * Job or DaemonSet in the shape the library writes for `Workload.*` (named like its pods, running as its own
 * ServiceAccount), which the workloads pass reads back.
 */
function becomesService(o: Json, pod: string): boolean {
  if (o.kind === 'Deployment') return true;
  if (o.kind !== 'CronJob' && o.kind !== 'Job' && o.kind !== 'DaemonSet') return false;
  return obj(o.metadata).name === pod && obj(podTemplate(o)?.spec).serviceAccountName === pod;
}

const cache = new WeakMap<EstateIndex, EstateConnections>();

/**
 * The connections of an estate: inferred from every consumer's variables, then kept only where every network
 * policy the library would write for them is in the export as written.
 * @param index the estate
 */
export function estateConnections(index: EstateIndex): EstateConnections {
  const known = cache.get(index);
  if (known) return known;
  const byNs = new Map<string, ExportedObject[]>();
  for (const e of index.exported.objects) {
    const ns = e.object.metadata.namespace;
    if (ns) (byNs.get(`${e.cluster}/${ns}`) ?? byNs.set(`${e.cluster}/${ns}`, []).get(`${e.cluster}/${ns}`)!).push(e);
  }
  const objectsOf = (p: NamespacePlace): ExportedObject[] => byNs.get(`${p.cluster}/${p.namespace}`) ?? [];
  // The previews' namespaces, by `<cluster>/<namespace>` (lib/import/previews.ts reads them).
  const previews = new Set(index.exported.objects.filter((e) => e.object.kind === 'Namespace' && (e.object.metadata.labels?.[PreviewLabels.PREVIEW] ?? '') !== '').map((e) => `${e.cluster}/${e.object.metadata.name}`));
  // Targets by `<cluster>/<namespace>/<name>`.
  const targets = new Map<string, ConnectionTarget>();
  for (const p of index.places) for (const t of appTargets(p, objectsOf(p))) targets.set(`${p.cluster}/${p.namespace}/${t.name}`, t);
  for (const [k, s] of externalStatefulServices(index)) {
    // Given by a DNS name, the library opens any address on the port (networks given as `cidrs` are not imported).
    const cidrs = s.host !== undefined ? ['0.0.0.0/0'] : s.addresses.map((a) => `${a}/32`);
    targets.set(k, { place: s.place, name: s.name, ports: s.ports, peer: { kind: 'addresses', cidrs } });
  }
  // Every consumer's connections, by `<cluster>/<namespace>/<pod>`, and the consumer's identity across environments.
  interface Consumer {
    readonly place: NamespacePlace;
    readonly pod: string;
    readonly identity: string;
    connections: InferredConnection[];
  }
  const consumers: Consumer[] = [];
  for (const place of index.places) {
    const lookup = (ns: string, name: string): ConnectionTarget | undefined => {
      const there = index.places.filter((p) => p.namespace === ns && p.environment === place.environment);
      const same = there.find((p) => p.cluster === place.cluster) ?? there[0];
      return same ? targets.get(`${same.cluster}/${ns}/${name}`) : undefined;
    };
    for (const e of objectsOf(place)) {
      const template = podTemplate(e.object as unknown as Json);
      const pod = obj(obj(template?.metadata).labels)[LabelKeys.NAME];
      if (!template || typeof pod !== 'string') continue;
      const container = list(obj(template.spec).containers)[0];
      if (!becomesService(e.object as unknown as Json, pod)) continue;
      // The port of the egress policy that names these pods, for variables that do not say it.
      const hint = (t: ConnectionTarget): TargetPort | undefined => {
        const base = t.place.namespace === place.namespace ? `egress-to-${t.name}` : `egress-to-${t.name}.${t.place.namespace}`;
        const opened = objectsOf(place)
          .filter((x) => x.object.kind === 'NetworkPolicy' && (x.object.metadata.name === base || x.object.metadata.name.startsWith(`${base}-`)))
          .map((x) => obj((x.object as unknown as Json).spec))
          .filter((sp) => list(obj(sp.podSelector).matchExpressions).some((m) => Array.isArray(m.values) && m.values.includes(pod)))
          .flatMap((sp) => list(list(sp.egress)[0]?.ports).map((p) => p.port));
        const ports = t.ports.filter((p) => opened.includes(p.targetPort));
        return ports.length === 1 ? ports[0] : undefined;
      };
      const found = container ? inferConnections(list(container.env), place.namespace, lookup, hint) : undefined;
      if (found && found.length > 0) consumers.push({ place, pod, identity: `${place.tenant}/${place.project}/${pod}`, connections: found });
    }
  }
  const signature = (c: Consumer): string => canonical(c.connections.map((x) => [x.target.place.tenant, x.target.place.project, x.target.name, x.options]));
  const drop = (c: Consumer): void => {
    c.connections = [];
  };
  // The same connections in every environment (and cluster) of a consumer.
  const identities = new Map<string, Consumer[]>();
  for (const c of consumers) (identities.get(c.identity) ?? identities.set(c.identity, []).get(c.identity)!).push(c);
  for (const all of identities.values()) if (all.some((c) => signature(c) !== signature(all[0]))) all.forEach(drop);
  // A target's project is in every environment of the consumer's project (the program runs the consumer in each).
  const envsOf = (tenant: string, project: string): Set<string> => new Set(index.places.filter((p) => p.tenant === tenant && p.project === project).map((p) => p.environment));
  for (const c of consumers) {
    const mine = envsOf(c.place.tenant, c.place.project);
    if (c.connections.some((x) => [...mine].some((e) => !envsOf(x.target.place.tenant, x.target.place.project).has(e)))) drop(c);
  }
  // Every policy the connections make the library write must be in the export as it is.
  const policies = new Set<ExportedObject>();
  // Each round drops at least one consumer that still declares connections, so the loop ends.
  for (;;) {
    policies.clear();
    const bad = new Set<Consumer>();
    const live = consumers.filter((c) => c.connections.length > 0);
    const check = (place: NamespacePlace, name: string, spec: Json, culprits: readonly Consumer[], previewCallers?: ReadonlySet<string>): void => {
      const found = objectsOf(place).find((e) => e.object.kind === 'NetworkPolicy' && e.object.metadata.name === name);
      let given = found ? obj((found.object as unknown as Json).spec) : undefined;
      // The callers of a preview on this cluster that reach this instance (the library admits them here): the same
      // services as the declared callers, in preview namespaces.
      if (given && previewCallers && canonical(given) !== canonical(spec)) {
        const fromPreview = (f: Json): boolean =>
          previews.has(`${place.cluster}/${String(obj(obj(f.namespaceSelector).matchLabels)[NAMESPACE_NAME])}`) && previewCallers.has(String(obj(obj(f.podSelector).matchLabels)[LabelKeys.NAME]));
        given = { ...given, ingress: list(given.ingress).map((r) => ({ ...r, from: list(r.from).filter((f) => !fromPreview(f)) })) };
      }
      if (found && canonical(given) === canonical(spec)) policies.add(found);
      else for (const c of culprits) bad.add(c);
    };
    // Egress, in each consumer's namespace, per target.
    const byNsTarget = new Map<string, { place: NamespacePlace; target: ConnectionTarget; callers: { consumer: Consumer; port: TargetPort }[] }>();
    for (const c of live) {
      for (const x of c.connections) {
        const k = `${c.place.cluster}/${c.place.namespace}/${x.target.place.namespace}/${x.target.name}`;
        const g = byNsTarget.get(k) ?? byNsTarget.set(k, { place: c.place, target: x.target, callers: [] }).get(k)!;
        g.callers.push({ consumer: c, port: x.port });
      }
    }
    for (const { place, target, callers } of byNsTarget.values()) {
      const groups = byPort(callers);
      const base = target.place.namespace === place.namespace ? `egress-to-${target.name}` : `egress-to-${target.name}.${target.place.namespace}`;
      for (const g of groups) {
        const spec = {
          podSelector: { matchExpressions: [{ key: LabelKeys.NAME, operator: 'In', values: [...new Set(g.callers.map((x) => x.consumer.pod))].sort() }] },
          policyTypes: ['Egress'],
          egress: [{ to: peers(target), ports: [{ protocol: g.port.protocol, port: g.port.targetPort }] }],
        };
        check(place, groups.length === 1 ? base : `${base}-${g.port.name}`, spec, g.callers.map((x) => x.consumer));
      }
    }
    // Ingress, in each app target's namespace on each of its environment's clusters: every caller of the environment,
    // whatever its cluster (the namespaces are the same on every cluster of an environment).
    const byTarget = new Map<string, { consumer: Consumer; port: TargetPort }[]>();
    const targetKey = (t: ConnectionTarget): string => `${t.place.environment}/${t.place.namespace}/${t.name}`;
    for (const c of live) {
      for (const x of c.connections) {
        if (x.target.peer.kind !== 'pods' || c.place.environment !== x.target.place.environment) continue;
        (byTarget.get(targetKey(x.target)) ?? byTarget.set(targetKey(x.target), []).get(targetKey(x.target))!).push({ consumer: c, port: x.port });
      }
    }
    for (const target of targets.values()) {
      const all = byTarget.get(targetKey(target));
      if (!all) continue;
      const rules = byPort(all).map((g) => {
        const from = new Map<string, Json>();
        for (const x of g.callers) from.set(`${x.consumer.place.namespace}/${x.consumer.pod}`, { namespaceSelector: { matchLabels: { [NAMESPACE_NAME]: x.consumer.place.namespace } }, podSelector: { matchLabels: { [LabelKeys.NAME]: x.consumer.pod } } });
        return { from: [...from.keys()].sort().map((k) => from.get(k)!), ports: [{ protocol: g.port.protocol, port: g.port.targetPort }] };
      });
      check(target.place, `ingress-to-${target.name}`, { podSelector: { matchLabels: { [LabelKeys.NAME]: target.name } }, policyTypes: ['Ingress'], ingress: rules }, all.map((x) => x.consumer), new Set(all.map((x) => x.consumer.pod)));
    }
    if (bad.size === 0) break;
    // A consumer with a policy out of line declares no connection, in any environment.
    const badIds = new Set([...bad].map((c) => c.identity));
    for (const c of consumers) if (badIds.has(c.identity)) drop(c);
  }
  const out: EstateConnections = {
    consumers: new Map(consumers.filter((c) => c.connections.length > 0).map((c) => [`${c.place.cluster}/${c.place.namespace}/${c.pod}`, c.connections])),
    policies,
  };
  cache.set(index, out);
  return out;
}

/** The `connectsTo` statements of one consumer: a loop over the targets called without options, in order. */
function connectionCode(consumer: Ref, connections: readonly (InferredConnection | { ref: Ref })[]): Code[] {
  const out: Code[] = [];
  let plain: Ref[] = [];
  const flush = (): void => {
    if (plain.length === 1) out.push(code()`${consumer}.connectsTo(${plain[0]})`);
    else if (plain.length > 1) {
      out.push(new Code(['for (const target of ', ...refList(plain), ') ', consumer, '.connectsTo(target)']));
    }
    plain = [];
  };
  for (const c of connections) {
    if ('ref' in c) {
      plain.push(c.ref);
      continue;
    }
    const t = Ref.service(c.target.place.tenant, c.target.place.project, c.target.name);
    if (Object.keys(c.options).length === 0) plain.push(t);
    else {
      flush();
      out.push(code()`${consumer}.connectsTo(${t}, ${literal(c.options)})`);
    }
  }
  flush();
  return out;
}

/** The connections declared so far, by consumer, in the order they were found. */
const declarations = new WeakMap<EstateIndex, Map<string, { consumer: Ref; connections: readonly InferredConnection[] }>>();

/** A list of references as code: `[a, b, c]`. */
function refList(refs: readonly Ref[]): (string | Ref)[] {
  const parts: (string | Ref)[] = ['['];
  refs.forEach((r, i) => parts.push(...(i > 0 ? [', '] : []), r));
  parts.push(']');
  return parts;
}

/**
 * The estate pass: writes the declared connections, consumers that call the same targets (in the same order, without
 * options) in one statement (`for (const service of [a, b]) for (const target of [db, cache]) service.connectsTo(target)`),
 * the others one statement each.
 * @param ctx the estate
 */
export function connectionsEstatePass(ctx: EstateContext): void {
  const declared = declarations.get(ctx.index);
  if (!declared) return;
  const groups = new Map<string, { consumers: Ref[]; targets: Ref[] }>();
  for (const { consumer, connections } of declared.values()) {
    const targets = connections.map((c) => Ref.service(c.target.place.tenant, c.target.place.project, c.target.name));
    if (connections.some((c) => Object.keys(c.options).length > 0)) {
      for (const st of connectionCode(consumer, connections)) ctx.statement(st);
      continue;
    }
    const key = targets.map((t) => t.key).join(' ');
    const g = groups.get(key) ?? groups.set(key, { consumers: [], targets }).get(key)!;
    g.consumers.push(consumer);
  }
  for (const { consumers, targets } of groups.values()) {
    if (consumers.length === 1) {
      for (const st of connectionCode(consumers[0], targets.map((t) => ({ ref: t })))) ctx.statement(st);
      continue;
    }
    const each = targets.length === 1 ? ['service.connectsTo(', targets[0], ')'] : ['for (const target of ', ...refList(targets), ') service.connectsTo(target)'];
    ctx.statement(new Code(['for (const service of ', ...refList(consumers), ') ', ...each]));
  }
}

/**
 * The namespace pass: for each service of the namespace with connections, takes the variables the connections write
 * out of its `env`, declares the connections (and a target's `acceptFrom` of another tenant), and claims the network
 * policies the library writes for them.
 * @param ctx the namespace
 */
export function connectionsPass(ctx: NamespaceContext): void {
  const all = estateConnections(ctx.index);
  const declared = new Set<string>();
  const here = `${ctx.cluster}/${ctx.namespace}/`;
  // A consumer that is not a service here after all (no pass read its workload), or whose variables the reader did
  // not keep as plain values, declares nothing; nor does one that shares a target with it (their egress policy is one).
  const skipped = new Set<string>();
  const mine = [...all.consumers].filter(([k]) => k.startsWith(here)).map(([k, c]) => [k.slice(here.length), c] as const);
  for (const [name, connections] of mine) {
    const fields = ctx.services.get(name);
    if (!fields || !connections.flatMap((c) => c.vars).every((v) => fields.env?.[v] !== undefined)) skipped.add(name);
  }
  for (let grown = true; grown; ) {
    grown = false;
    const targets = new Set(mine.filter(([n]) => skipped.has(n)).flatMap(([, c]) => c.map((x) => x.target)));
    for (const [name, connections] of mine) {
      if (skipped.has(name) || !connections.some((x) => targets.has(x.target))) continue;
      skipped.add(name);
      grown = true;
    }
  }
  for (const [name, fields] of ctx.services) {
    const connections = all.consumers.get(`${here}${name}`);
    if (!connections || skipped.has(name)) continue;
    const vars = connections.flatMap((c) => c.vars);
    for (const v of vars) delete fields.env![v];
    if (Object.keys(fields.env ?? {}).length === 0) delete fields.env;
    declared.add(name);
    const me = Ref.service(ctx.tenant.name, ctx.project.name, name);
    // Written by the estate pass, once, grouped with the consumers that call the same targets.
    const list = declarations.get(ctx.index) ?? declarations.set(ctx.index, new Map()).get(ctx.index)!;
    if (!list.has(me.key)) list.set(me.key, { consumer: me, connections });
    for (const c of connections) {
      const tenant = c.target.place.tenant;
      if (tenant === ctx.tenant.name) continue;
      ctx.call(name, `accept:${tenant}/${c.target.place.project}/${c.target.name}`, code()`${Ref.service(tenant, c.target.place.project, c.target.name)}.acceptFrom(${Ref.tenant(ctx.tenant.name)})`);
    }
  }
  for (const e of ctx.unclaimed()) {
    if (!all.policies.has(e)) continue;
    // Every caller of this namespace that a policy names is a service whose connections were declared.
    const spec = obj((e.object as unknown as Json).spec);
    const callers = e.object.metadata.name.startsWith('egress-to-')
      ? list(obj(spec.podSelector).matchExpressions).flatMap((x) => (Array.isArray(x.values) ? x.values.map(String) : []))
      : list(spec.ingress).flatMap((r) => list(r.from)).filter((f) => obj(obj(f.namespaceSelector).matchLabels)[NAMESPACE_NAME] === ctx.namespace).map((f) => String(obj(obj(f.podSelector).matchLabels)[LabelKeys.NAME]));
    if (callers.every((c) => declared.has(c))) ctx.claim(e, 'generated', 'written for the connections of the services (connectsTo)');
  }
}
