/**
 * Stateful services outside the cluster in an export: a Service without selector and the EndpointSlice of its
 * machines' addresses (what `project.addStatefulService` writes with `external: { addresses }`), or an ExternalName
 * Service (`external: { host }`). The engine is read
 * from the `platform-cdk.io/engine` label the library writes: a known engine (MySQL, Redis, ClickHouse) when the ports
 * are its own, else a generic engine of the Service's ports. The addresses may differ per environment; a service present in only some
 * of its project's environments is placed in those.
 *
 * The connections pass (lib/import/connections.ts) finds these services as targets: a consumer's egress policy to
 * them admits their addresses.
 */
import { code, Code, Ref } from './code';
import type { ImportedProject } from './model';
import type { EstateIndex, NamespaceContext, NamespacePlace } from './passes';
import type { ExportedObject } from './read';
import { literal } from './format';
import { obj, list } from './json';
import type { Obj as Json } from './json';

/** A port of an external stateful service. */
export interface StatefulPort {
  /** Its name. */
  readonly name: string;
  /** The Service's port. */
  readonly port: number;
  /** The port the machines listen on. */
  readonly targetPort: number;
  /** Its protocol. */
  readonly protocol: string;
}

/** An external stateful service in one namespace. */
export interface ExternalStateful {
  /** Its place. */
  readonly place: NamespacePlace;
  /** Its name (the Service's). */
  readonly name: string;
  /** The engine's name (the `platform-cdk.io/engine` label's). */
  readonly engine: string;
  /** Its ports. */
  readonly ports: readonly StatefulPort[];
  /** The machines' IPv4 addresses, sorted (none when it is given by a DNS name). */
  readonly addresses: readonly string[];
  /** Its DNS name, for an ExternalName Service. */
  readonly host?: string;
  /** The Service and the EndpointSlice. */
  readonly objects: readonly ExportedObject[];
}

/** The engines the typed model knows: their ports by name (in order). */
const ENGINES: Readonly<Record<string, readonly [string, number][]>> = {
  mysql: [['mysql', 3306]],
  redis: [['redis', 6379]],
  clickhouse: [['http', 8123], ['native', 9000]],
};

const ENGINE_CODE: Readonly<Record<string, string>> = { mysql: 'Engine.mysql()', redis: 'Engine.redis()', clickhouse: 'Engine.clickhouse()' };

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reads one Service without selector and its EndpointSlice as an external stateful service, if they are in the
 * shape the library writes (named ports, one port list, ready IPv4 addresses).
 * @param place the namespace
 * @param service the Service
 * @param objects the namespace's objects
 */
export function readExternal(place: NamespacePlace, service: ExportedObject, objects: readonly ExportedObject[]): ExternalStateful | undefined {
  const svc = service.object as unknown as Json;
  const spec = obj(svc.spec);
  const name = service.object.metadata.name;
  if (service.object.kind !== 'Service' || !DNS_LABEL.test(name) || name.length > 54) return undefined;
  if (spec.selector !== undefined && Object.keys(obj(spec.selector)).length > 0) return undefined;
  if (spec.type === 'ExternalName') return readExternalName(place, service, spec);
  if ((spec.type ?? 'ClusterIP') !== 'ClusterIP' || spec.externalName !== undefined || spec.clusterIP === 'None') return undefined;
  const slices = objects.filter((e) => e.object.kind === 'EndpointSlice' && e.object.metadata.labels?.['kubernetes.io/service-name'] === name);
  if (slices.length !== 1 || slices[0].object.metadata.name !== name) return undefined;
  const slice = slices[0].object as unknown as Json;
  if (slice.addressType !== 'IPv4') return undefined;
  const addresses: string[] = [];
  for (const ep of list(slice.endpoints)) {
    const a = Array.isArray(ep.addresses) ? ep.addresses : [];
    if (a.length !== 1 || typeof a[0] !== 'string' || !IPV4.test(a[0]) || obj(ep.conditions).ready !== true || Object.keys(ep).some((k) => k !== 'addresses' && k !== 'conditions')) return undefined;
    addresses.push(a[0]);
  }
  if (addresses.length === 0 || new Set(addresses).size !== addresses.length) return undefined;
  const slicePorts = list(slice.ports);
  const ports: StatefulPort[] = [];
  for (const p of list(spec.ports)) {
    const pname = p.name;
    const sp = slicePorts.find((x) => x.name === pname);
    const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
    if (typeof pname !== 'string' || !DNS_LABEL.test(pname) || typeof p.port !== 'number' || !sp || typeof sp.port !== 'number' || p.targetPort !== sp.port || (sp.protocol ?? 'TCP') !== protocol || p.nodePort !== undefined) return undefined;
    ports.push({ name: pname, port: p.port, targetPort: sp.port, protocol });
  }
  if (ports.length === 0 || slicePorts.length !== ports.length) return undefined;
  // Only the first port may listen elsewhere on the machines (`external.port`).
  if (ports.slice(1).some((p) => p.port !== p.targetPort)) return undefined;
  // The library labels a stateful service's objects with its engine (a Service without selector of another kind, such
  // as an exposure's legacy route, carries none).
  const engine = service.object.metadata.labels?.['platform-cdk.io/engine'];
  if (engine === undefined || !DNS_LABEL.test(engine)) return undefined;
  return { place, name, engine, ports, addresses: [...addresses].sort(), objects: [service, slices[0]] };
}

/** An ExternalName Service with the engine's label: a stateful service given by its DNS name (`external: { host }`). */
function readExternalName(place: NamespacePlace, service: ExportedObject, spec: Json): ExternalStateful | undefined {
  const engine = service.object.metadata.labels?.['platform-cdk.io/engine'];
  const host = spec.externalName;
  if (engine === undefined || !DNS_LABEL.test(engine) || typeof host !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host) || host.length > 253) return undefined;
  const ports: StatefulPort[] = [];
  for (const p of list(spec.ports)) {
    const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
    if (typeof p.name !== 'string' || !DNS_LABEL.test(p.name) || typeof p.port !== 'number' || p.targetPort !== p.port) return undefined;
    ports.push({ name: p.name, port: p.port, targetPort: p.port, protocol });
  }
  if (ports.length === 0) return undefined;
  return { place, name: service.object.metadata.name, engine, ports, addresses: [], host, objects: [service] };
}

/** Whether the engine's ports are those of a known engine, by name and port. */
function knownEngine(s: ExternalStateful): string | undefined {
  const ports = ENGINES[s.engine];
  if (!ports || ports.length !== s.ports.length) return undefined;
  return ports.every(([n, p], i) => s.ports[i].name === n && s.ports[i].port === p && s.ports[i].protocol === 'TCP') ? s.engine : undefined;
}

/** The external stateful services of an estate, by `<cluster>/<namespace>/<name>`, read once per estate. */
const cache = new WeakMap<EstateIndex, ReadonlyMap<string, ExternalStateful>>();

/**
 * Every external stateful service of an estate's project namespaces, by `<cluster>/<namespace>/<name>`. A namespace's
 * Service that a Deployment's service claims is not one (it has a selector).
 * @param index the estate
 */
export function externalStatefulServices(index: EstateIndex): ReadonlyMap<string, ExternalStateful> {
  const known = cache.get(index);
  if (known) return known;
  const out = new Map<string, ExternalStateful>();
  const byNs = new Map<string, ExportedObject[]>();
  for (const e of index.exported.objects) {
    const ns = e.object.metadata.namespace;
    if (ns) (byNs.get(`${e.cluster}/${ns}`) ?? byNs.set(`${e.cluster}/${ns}`, []).get(`${e.cluster}/${ns}`)!).push(e);
  }
  for (const place of index.places) {
    const objects = byNs.get(`${place.cluster}/${place.namespace}`) ?? [];
    for (const e of objects) {
      if (e.object.kind !== 'Service') continue;
      const s = readExternal(place, e, objects);
      if (s) out.set(`${place.cluster}/${place.namespace}/${s.name}`, s);
    }
  }
  // One engine per service name in a project, whatever the environment.
  const byService = new Map<string, ExternalStateful[]>();
  for (const s of out.values()) (byService.get(`${s.place.tenant}/${s.place.project}/${s.name}`) ?? byService.set(`${s.place.tenant}/${s.place.project}/${s.name}`, []).get(`${s.place.tenant}/${s.place.project}/${s.name}`)!).push(s);
  for (const all of byService.values()) {
    const sig = (s: ExternalStateful): string => JSON.stringify([s.engine, s.ports.map((p) => [p.name, p.port, p.protocol])]);
    if (all.some((s) => sig(s) !== sig(all[0]))) for (const s of all) out.delete(`${s.place.cluster}/${s.place.namespace}/${s.name}`);
  }
  cache.set(index, out);
  return out;
}

/** What the program says of one external stateful service, built up environment by environment. */
interface Declared {
  readonly name: string;
  readonly engine: Code;
  readonly byEnv: Map<string, Json>;
  readonly entry: { name: string; props: Record<string, unknown> };
}

const declared = new WeakMap<ImportedProject, Map<string, Declared>>();

/** The `external` options of a service in one environment. */
function externalOptions(s: ExternalStateful): Json {
  if (s.host !== undefined) return { host: s.host };
  const first = s.ports[0];
  return { addresses: [...s.addresses], ...(first.targetPort !== first.port ? { port: first.targetPort } : {}) };
}

/** The engine of a service, as code. */
function engineCode(s: ExternalStateful): Code {
  const known = knownEngine(s);
  if (known) return code(['Engine'])`${ENGINE_CODE[known]}`;
  // An engine the typed model does not know: its ports; the data folder is used only once it runs in the cluster.
  const ports = s.ports.map((p) => ({ port: p.port, name: p.name, ...(p.protocol !== 'TCP' ? { protocol: new Code(`Protocol.${p.protocol}`, ['Protocol']) } : {}) }));
  return code(['Engine'])`Engine.generic(${literal({ name: s.engine, ports, dataPath: '/data' })})`;
}

/** The props of a declared service from its environments: one `external` when all agree, else per environment. */
function props(d: Declared, project: ImportedProject): Record<string, unknown> {
  const envs = project.environments.filter((e) => d.byEnv.has(e));
  const values = envs.map((e) => d.byEnv.get(e)!);
  const same = values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]));
  const p: Record<string, unknown> = { engine: d.engine };
  if (envs.length < project.environments.length) p.environments = envs.map((e) => new Code([Ref.environment(e)]));
  if (same) p.external = values[0];
  else p.perEnvironment = Object.fromEntries(envs.map((e) => [e, { external: d.byEnv.get(e) }]));
  return p;
}

/**
 * The namespace pass: claims the Service and EndpointSlice of each external stateful service of the namespace and
 * declares the service in its project (`addStatefulService`), its addresses per environment.
 * @param ctx the namespace
 */
export function statefulPass(ctx: NamespaceContext): void {
  const all = externalStatefulServices(ctx.index);
  for (const s of all.values()) {
    if (s.place.cluster !== ctx.cluster || s.place.namespace !== ctx.namespace) continue;
    if (s.objects.some((e) => ctx.isClaimed(e)) || ctx.services.has(s.name)) continue;
    const byProject = declared.get(ctx.project) ?? declared.set(ctx.project, new Map()).get(ctx.project)!;
    let d = byProject.get(s.name);
    if (!d) {
      d = { name: s.name, engine: engineCode(s), byEnv: new Map(), entry: { name: s.name, props: {} } };
      byProject.set(s.name, d);
      (ctx.project.stateful ??= []).push(d.entry);
    }
    const x = externalOptions(s);
    const before = d.byEnv.get(ctx.environment.name);
    // A second cluster of the environment must hold the same machines.
    if (before && JSON.stringify(before) !== JSON.stringify(x)) continue;
    d.byEnv.set(ctx.environment.name, x);
    d.entry.props = props(d, ctx.project);
    for (const e of s.objects) ctx.claim(e, 'typed', `stateful service ${ctx.project.name}/${s.name} outside the cluster, in ${ctx.environment.name}`);
  }
}
