/**
 * Exposures beyond a service's own objects in `platform-cdk import`:
 *
 * - a network exposure (`service.exposeNetwork`): a Service of its own (ClusterIP, NodePort or LoadBalancer) that
 *   selects the service's pods on some of its ports, with the network policy `ingress-to-<name>` that admits exactly
 *   the declared networks on exactly those ports. Read in each environment, written as one `exposeNetwork` call with
 *   the networks and annotations of most environments and the others in `perEnvironment`;
 * - a pending domain cut-over (`expose({ cutOver })`): the Service `<service>-legacy` (with the EndpointSlice of its
 *   addresses, or an ExternalName) that a host of the service's Ingress still routes to. Written as an exposure of
 *   that host in that environment with its cut-over (the service's other hosts stay in its `expose` call).
 *
 * An object is claimed only when the call written makes the library produce it again as it is; anything else stays
 * for an escape hatch.
 */
import { instanceName, LabelKeys } from '../manifest';
import { WAIVER_PREFIX } from '../policy';
import { code, Code, Ref } from './code';
import { literal } from './format';
import type { EstateIndex, NamespaceContext } from './passes';
import type { ExportedObject } from './read';
import { list, obj } from './json';
import type { Obj as Json } from './json';

/** A value's JSON with object keys sorted (an export's key order is not the library's). */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Json)[k])]));
  return v;
}
const same = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** The annotation the library writes on an Ingress with a pending cut-over. */
const CUT_OVER = 'platform-cdk.io/cut-over';
/** The rule a production exposure open to every address is waived from (lib/l4.ts). */
const SOURCE_RANGES_WAIVER = `${WAIVER_PREFIX}exposure-source-ranges`;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CIDR = /^[0-9a-fA-F.:]+\/[0-9]{1,3}$/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;

/** A network exposure as found in one environment. */
interface FoundNetwork {
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  readonly ports: (string | { port: string; nodePort: number })[];
  readonly externalTrafficPolicy?: string;
  readonly from: string[];
  readonly annotations: Record<string, string>;
  readonly waiver?: string;
}

/** The network exposures found per estate: `tenant/project/service/name` → environment → exposure. */
const FOUND = new WeakMap<EstateIndex, Map<string, Map<string, FoundNetwork>>>();

/**
 * Reads a Service that selects a service's pods (not the service's own) with its `ingress-to-<name>` policy as the
 * service's network exposure; returns it and the two objects, or `undefined` when the library would not write them so.
 */
function readNetworkExposure(ctx: NamespaceContext, e: ExportedObject): { service: string; found: FoundNetwork; policy: ExportedObject } | undefined {
  const o = e.object as unknown as Json & { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } };
  const spec = obj(o.spec);
  const type = spec.type === undefined ? 'ClusterIP' : spec.type;
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer') return undefined;
  const selector = obj(spec.selector);
  const target = selector[LabelKeys.NAME];
  if (Object.keys(selector).length !== 1 || typeof target !== 'string') return undefined;
  // The service whose pods it selects, and the service's own Service (its ports).
  const service = [...ctx.services.keys()].find((s) => ctx.sources.get(s)?.service !== e.object && s === target);
  const own = service === undefined ? undefined : ctx.sources.get(service)?.service;
  if (service === undefined || own === undefined || !DNS_LABEL.test(o.metadata.name) || o.metadata.name === service) return undefined;
  // The library labels it as the service's objects.
  if (!same(o.metadata.labels ?? {}, own.metadata.labels ?? {})) return undefined;
  const ownPorts = list(obj((own as unknown as Json).spec).ports);
  const imported = ctx.services.get(service)?.ports ?? [];
  const ports: FoundNetwork['ports'] = [];
  const policyPorts = new Set<string>();
  for (const p of list(spec.ports)) {
    const mine = ownPorts.find((x) => x.name === p.name);
    if (!mine || typeof p.name !== 'string' || p.port !== mine.port || p.targetPort !== p.name || (p.protocol ?? 'TCP') !== (mine.protocol ?? 'TCP')) return undefined;
    if (type === 'ClusterIP' && p.nodePort !== undefined) return undefined;
    if (p.nodePort !== undefined && (typeof p.nodePort !== 'number' || !Number.isInteger(p.nodePort))) return undefined;
    ports.push(typeof p.nodePort === 'number' ? { port: p.name, nodePort: p.nodePort } : p.name);
    const ip = imported.find((x) => x.port === p.port);
    policyPorts.add(`${String(p.protocol ?? 'TCP')}/${ip?.containerPort ?? String(p.port)}`);
  }
  if (ports.length === 0) return undefined;
  const policy = ctx.unclaimed().find((x) => x.object.kind === 'NetworkPolicy' && x.object.metadata.name === `ingress-to-${o.metadata.name}`);
  if (!policy || !same(policy.object.metadata.labels ?? {}, own.metadata.labels ?? {}) || Object.keys(policy.object.metadata.annotations ?? {}).length > 0) return undefined;
  const ps = obj((policy.object as unknown as Json).spec);
  const rules = list(ps.ingress);
  if (!same(obj(ps.podSelector), { matchLabels: { [LabelKeys.NAME]: service } }) || !same(ps.policyTypes, ['Ingress']) || rules.length !== 1) return undefined;
  const from = list(rules[0].from).map((f) => obj(f.ipBlock).cidr);
  if (from.length === 0 || from.some((c) => typeof c !== 'string' || !CIDR.test(c)) || list(rules[0].from).some((f) => Object.keys(f).length !== 1 || Object.keys(obj(f.ipBlock)).length !== 1)) return undefined;
  const admitted = list(rules[0].ports).map((p) => `${String(p.protocol)}/${String(p.port)}`);
  if (admitted.length !== policyPorts.size || admitted.some((p) => !policyPorts.has(p))) return undefined;
  const cidrs = (from as string[]).slice().sort();
  if (type === 'LoadBalancer' && !same(spec.loadBalancerSourceRanges, cidrs)) return undefined;
  if (type !== 'LoadBalancer' && spec.loadBalancerSourceRanges !== undefined) return undefined;
  const policyOfTraffic = spec.externalTrafficPolicy;
  if (type === 'ClusterIP' ? policyOfTraffic !== undefined : policyOfTraffic !== 'Local' && policyOfTraffic !== 'Cluster') return undefined;
  const annotations = { ...(o.metadata.annotations ?? {}) };
  const waiver = annotations[SOURCE_RANGES_WAIVER];
  delete annotations[SOURCE_RANGES_WAIVER];
  if (waiver !== undefined && !(ctx.environment.production && cidrs.some((c) => /^(0\.0\.0\.0|::)\/0$/.test(c)))) return undefined;
  const found: FoundNetwork = { type, ports, externalTrafficPolicy: typeof policyOfTraffic === 'string' ? policyOfTraffic : undefined, from: cidrs, annotations, waiver };
  return { service, found, policy };
}

/** The value most environments share (the last environment's on a tie), and the environments where it differs. */
function mostShared<T>(byEnv: [string, T][]): { value: T; others: [string, T][] } {
  let best = byEnv[byEnv.length - 1][1];
  let count = 0;
  for (const [, v] of byEnv) {
    const n = byEnv.filter(([, w]) => same(v, w)).length;
    if (n >= count) (best = v), (count = n);
  }
  return { value: best, others: byEnv.filter(([, v]) => !same(v, best)) };
}

/** The `exposeNetwork` call of an exposure found in some environments. */
function networkCall(tenant: string, project: string, service: string, name: string, byEnv: Map<string, FoundNetwork>, projectEnvs: readonly string[]): Code {
  const envs = projectEnvs.filter((e) => byEnv.has(e));
  const entries = envs.map((e) => [e, byEnv.get(e)!] as [string, FoundNetwork]);
  const first = entries[0][1];
  const from = mostShared(entries.map(([e, f]) => [e, f.from]));
  const annotations = mostShared(entries.map(([e, f]) => [e, f.annotations]));
  const waiver = entries.map(([, f]) => f.waiver).find((w) => w !== undefined);
  const names = ['ServiceType'];
  const options: Record<string, unknown> = { name };
  options.type = new Code(`ServiceType.${first.type === 'ClusterIP' ? 'CLUSTER_IP' : first.type === 'NodePort' ? 'NODE_PORT' : 'LOAD_BALANCER'}`);
  options.ports = first.ports;
  options.from = from.value;
  if (Object.keys(annotations.value).length > 0) options.annotations = annotations.value;
  if (first.externalTrafficPolicy === 'Cluster') {
    names.push('ExternalTrafficPolicy');
    options.externalTrafficPolicy = new Code('ExternalTrafficPolicy.CLUSTER');
  }
  if (envs.length !== projectEnvs.length) options.environments = envs;
  const per: Record<string, Record<string, unknown>> = {};
  for (const [e, f] of from.others) (per[e] ??= {}).from = f;
  // Annotations over the exposure's (those that differ): an environment that drops one of them cannot be written; the reader checks that.
  for (const [e, a] of annotations.others) (per[e] ??= {}).annotations = Object.fromEntries(Object.entries(a).filter(([k, v]) => annotations.value[k] !== v));
  if (Object.keys(per).length > 0) options.perEnvironment = Object.fromEntries(envs.filter((e) => per[e]).map((e) => [e, per[e]]));
  if (waiver !== undefined) options.waivers = { sourceRanges: waiver };
  return code(names)`${Ref.service(tenant, project, service)}.exposeNetwork(${literal(options, '  ')})`;
}

/** Whether the annotations of an environment can be written over the shared ones (none of them removed). */
function overridable(shared: Record<string, string>, own: Record<string, string>): boolean {
  return Object.keys(shared).every((k) => k in own);
}

/**
 * Claims the network exposures of a project's namespace (a Service selecting a service's pods, with its policy) and
 * writes each as one `exposeNetwork` call over the environments it is found in.
 */
export function networkExposurePass(ctx: NamespaceContext): void {
  const found = FOUND.get(ctx.index) ?? FOUND.set(ctx.index, new Map()).get(ctx.index)!;
  for (const e of ctx.unclaimed()) {
    if (e.object.kind !== 'Service' || e.object.apiVersion !== 'v1') continue;
    const read = readNetworkExposure(ctx, e);
    if (!read) continue;
    const key = `${ctx.tenant.name}/${ctx.project.name}/${read.service}/${e.object.metadata.name}`;
    const byEnv = found.get(key) ?? found.set(key, new Map()).get(key)!;
    // Type, ports and traffic policy are the exposure's in every environment; the waiver too.
    const other = [...byEnv.values()][0];
    if (other && (!same(other.type, read.found.type) || !same(other.ports, read.found.ports) || other.externalTrafficPolicy !== read.found.externalTrafficPolicy || (other.waiver !== undefined && read.found.waiver !== undefined && other.waiver !== read.found.waiver))) continue;
    const trial = new Map(byEnv).set(ctx.environment.name, read.found);
    const shared = mostShared([...trial].map(([env, f]) => [env, f.annotations])).value;
    if (![...trial.values()].every((f) => overridable(shared, f.annotations))) continue;
    byEnv.set(ctx.environment.name, read.found);
    ctx.claim(e, 'typed', `network exposure ${e.object.metadata.name} of service ${read.service}`);
    ctx.claim(read.policy, 'generated', `written for the network exposure ${e.object.metadata.name} of service ${read.service}`);
    // The same key in every environment: the last call holds every environment read so far.
    ctx.call(read.service, `exposeNetwork:${e.object.metadata.name}`, networkCall(ctx.tenant.name, ctx.project.name, read.service, e.object.metadata.name, byEnv, ctx.project.environments));
  }
}

/** The legacy backend of a pending cut-over, read from its Service (and EndpointSlice). */
function readLegacy(ctx: NamespaceContext, service: string, ingress: ExportedObject): { host: string; legacy: Json; objects: ExportedObject[] } | undefined {
  const name = `${service}-legacy`;
  const ing = ingress.object as unknown as Json & { metadata: { annotations?: Record<string, string> } };
  if (ing.metadata.annotations?.[CUT_OVER] !== 'pending') return undefined;
  const rules = list(obj(ing.spec).rules);
  const legacyRules = rules.filter((r) => list(obj(r.http).paths).some((p) => obj(obj(p.backend).service).name === name));
  if (legacyRules.length !== 1 || typeof legacyRules[0].host !== 'string') return undefined;
  const paths = list(obj(legacyRules[0].http).paths);
  const port = obj(obj(obj(paths[0]?.backend).service).port).number;
  if (paths.length !== 1 || typeof port !== 'number') return undefined;
  const svc = ctx.unclaimed().find((x) => x.object.kind === 'Service' && x.object.metadata.name === name);
  if (!svc) return undefined;
  // The service's labels (as on its Ingress), named for the legacy backend.
  const labels = svc.object.metadata.labels ?? {};
  const expected = { ...(ingress.object.metadata.labels ?? {}), [LabelKeys.NAME]: name, [LabelKeys.INSTANCE]: instanceName(name, ctx.environment.name) };
  if (!same(labels, expected) || Object.keys(svc.object.metadata.annotations ?? {}).length > 0) return undefined;
  const spec = obj((svc.object as unknown as Json).spec);
  if (!same(spec.ports, [{ name: 'http', port, targetPort: port, protocol: 'TCP' }]) || spec.selector !== undefined) return undefined;
  if (spec.type === 'ExternalName') {
    const host = spec.externalName;
    return typeof host === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host) ? { host: legacyRules[0].host, legacy: { host, port }, objects: [svc] } : undefined;
  }
  if (spec.type !== undefined && spec.type !== 'ClusterIP') return undefined;
  const slices = ctx.unclaimed().filter((x) => x.object.kind === 'EndpointSlice' && x.object.metadata.labels?.['kubernetes.io/service-name'] === name);
  if (slices.length !== 1 || slices[0].object.metadata.name !== name) return undefined;
  const slice = slices[0].object as unknown as Json;
  if (!same(slices[0].object.metadata.labels ?? {}, { ...labels, 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'platform-cdk.io' })) return undefined;
  if (slice.addressType !== 'IPv4' || !same(slice.ports, [{ name: 'http', port, protocol: 'TCP' }])) return undefined;
  const endpoints = list(slice.endpoints);
  const addresses = endpoints.map((x) => (Array.isArray(x.addresses) && x.addresses.length === 1 ? x.addresses[0] : undefined));
  if (addresses.length === 0 || addresses.some((a) => typeof a !== 'string' || !IPV4.test(a))) return undefined;
  if (!same(endpoints, [...(addresses as string[])].sort().map((a) => ({ addresses: [a], conditions: { ready: true } })))) return undefined;
  return { host: legacyRules[0].host, legacy: { addresses, port }, objects: [svc, slices[0]] };
}

/**
 * Claims the legacy backend of a service's pending domain cut-over and writes the host's exposure with its cut-over:
 * `expose({ hosts: { env: host }, environments: [env], cutOver: { env: { legacy, done: false } } })` (the service's
 * other hosts are its own `expose` call, read from the Ingress's other rules).
 */
export function cutOverPass(ctx: NamespaceContext): void {
  for (const service of ctx.services.keys()) {
    const ingress = ctx.objects.find((x) => x.object.kind === 'Ingress' && x.object.metadata.name === service);
    if (!ingress) continue;
    const read = readLegacy(ctx, service, ingress);
    if (!read) continue;
    const env = ctx.environment.name;
    // The imported environments have no domain, so the exposure has no test host of its own: only the legacy route.
    const options = { hosts: { [env]: read.host }, environments: [env], cutOver: { [env]: { legacy: read.legacy, done: false } } };
    for (const o of read.objects) ctx.claim(o, 'typed', `legacy backend of the cut-over of ${read.host} (service ${service}, ${env})`);
    ctx.call(service, `cutOver:${env}`, code()`${Ref.service(ctx.tenant.name, ctx.project.name, service)}.expose(${literal(options, '  ')})`);
  }
}
