/**
 * Compares an example's output with the published YAML of the application it re-expresses (test/fixtures/<app>/),
 * object by object, on the fields that decide what runs: images, ports and Service ports, environment variables,
 * probes (kind, port, path, headers and every timing), resources, user and group ids, the grace period, Service
 * types and node ports, commands, writable folders, pod labels and annotations, node selectors. Kubernetes'
 * defaults are applied on both sides first (a probe without `timeoutSeconds` times out after 1 s either way), ports
 * given by name are resolved to numbers, and Docker Hub's short image names are spelled out.
 *
 * What differs is returned as a list of {@link Difference}s; a test explains each one with an {@link Allowance}
 * (what the library adds or changes on purpose, a field still to come, a gap) and {@link explain} says which
 * differences no allowance explains and which allowances explain nothing (so that the lists shrink as the typed
 * model grows).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { KubeObject } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';

/** One field of one object whose value differs between the upstream YAML and the output. */
export interface Difference {
  /** `<Kind>/<name>` of the upstream object (or of the output object that upstream lacks). */
  readonly object: string;
  /** The field, e.g. `container carts: env JAVA_OPTS`, `port 80: nodePort`, `object` (one side lacks it). */
  readonly field: string;
  /** Its upstream value (`undefined`: not there). */
  readonly upstream: unknown;
  /** Its output value (`undefined`: not there). */
  readonly output: unknown;
}

/** Why some differences are meant (or not yet avoidable). */
export interface Allowance {
  /** The objects it covers: `<Kind>/<name>` exactly, or a pattern. */
  readonly object: string | RegExp;
  /** The fields it covers: exactly, or a pattern. */
  readonly field: string | RegExp;
  /** When given, the output value it expects (what the library writes instead), or a test of it. */
  readonly output?: unknown;
  /** Why. */
  readonly reason: string;
}

type Obj = Record<string, unknown>;
type Fields = Map<string, unknown>;

/** The Kubernetes objects of a fixture file, in order. */
export function readUpstream(file: string): KubeObject[] {
  const text = fs.readFileSync(path.resolve(__dirname, '..', 'fixtures', file), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => o !== null && typeof o === 'object');
}

/** The kinds compared field by field; objects of other kinds are compared by presence only. */
const COMPARED = new Set(['Deployment', 'Service', 'ServiceAccount', 'Namespace']);

/** `<Kind>/<name>`. */
export function keyOf(o: KubeObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

/**
 * An image reference with Docker Hub spelled out: `mongo` is `docker.io/library/mongo:latest`,
 * `weaveworksdemos/carts:0.4.8` is `docker.io/weaveworksdemos/carts:0.4.8`.
 */
export function normalImage(ref: string): string {
  let [name, digest] = ref.split('@');
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || !(first.includes('.') || first.includes(':') || first === 'localhost')) name = `docker.io/${slash < 0 ? 'library/' : ''}${name}`;
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && digest === undefined) name = `${name}:latest`;
  return digest === undefined ? name : `${name}@${digest}`;
}

/** CPU in millicores, memory in bytes, from a Kubernetes quantity. */
function quantity(q: unknown, cpu: boolean): number | undefined {
  if (q === undefined) return undefined;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q));
  if (!m) return NaN;
  const units: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  const v = Number(m[1]) * (units[m[2]] ?? NaN);
  return cpu ? Math.round(v * 1000) : Math.round(v);
}

/** A probe's fields with Kubernetes' defaults, its port resolved to a number. */
function probeFields(out: Fields, prefix: string, probe: Obj | undefined, ports: Map<string, number>): void {
  if (!probe) {
    out.set(prefix, 'none');
    return;
  }
  out.set(prefix, 'present');
  const port = (p: unknown): unknown => (typeof p === 'string' ? ports.get(p) ?? p : p);
  const http = probe.httpGet as Obj | undefined;
  const tcp = probe.tcpSocket as Obj | undefined;
  const grpc = probe.grpc as Obj | undefined;
  const exec = probe.exec as Obj | undefined;
  if (http) {
    out.set(`${prefix} kind`, 'http');
    out.set(`${prefix} port`, port(http.port));
    out.set(`${prefix} path`, http.path ?? '/');
    out.set(`${prefix} scheme`, http.scheme ?? 'HTTP');
    out.set(`${prefix} headers`, http.httpHeaders ?? []);
  } else if (tcp) {
    out.set(`${prefix} kind`, 'tcp');
    out.set(`${prefix} port`, port(tcp.port));
  } else if (grpc) {
    out.set(`${prefix} kind`, 'grpc');
    out.set(`${prefix} port`, grpc.port);
    out.set(`${prefix} service`, grpc.service ?? '');
  } else if (exec) {
    out.set(`${prefix} kind`, 'exec');
    out.set(`${prefix} command`, exec.command);
  }
  out.set(`${prefix} initialDelaySeconds`, probe.initialDelaySeconds ?? 0);
  out.set(`${prefix} periodSeconds`, probe.periodSeconds ?? 10);
  out.set(`${prefix} timeoutSeconds`, probe.timeoutSeconds ?? 1);
  out.set(`${prefix} failureThreshold`, probe.failureThreshold ?? 3);
  out.set(`${prefix} successThreshold`, probe.successThreshold ?? 1);
  if (probe.terminationGracePeriodSeconds !== undefined) out.set(`${prefix} terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds);
}

/** The container ports of a pod by name. */
function namedPorts(pod: Obj): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of (pod.containers as Obj[] | undefined) ?? []) for (const p of (c.ports as Obj[] | undefined) ?? []) if (typeof p.name === 'string') out.set(p.name, p.containerPort as number);
  return out;
}

/**
 * The compared fields of a pod template, keyed by field. Containers are named by `containerName` (which maps an
 * output container to its upstream counterpart).
 */
function podFields(template: Obj, containerName: (name: string, index: number) => string, labelKeys: ReadonlySet<string> | undefined): Fields {
  const out: Fields = new Map();
  const meta = (template.metadata as Obj | undefined) ?? {};
  const pod = (template.spec as Obj | undefined) ?? {};
  const podSc = (pod.securityContext as Obj | undefined) ?? {};
  for (const [k, v] of Object.entries((meta.labels as Obj | undefined) ?? {})) if (labelKeys === undefined || labelKeys.has(k)) out.set(`pod label ${k}`, v);
  for (const [k, v] of Object.entries((meta.annotations as Obj | undefined) ?? {})) out.set(`pod annotation ${k}`, v);
  for (const [k, v] of Object.entries((pod.nodeSelector as Obj | undefined) ?? {})) out.set(`nodeSelector ${k}`, v);
  out.set('serviceAccountName', pod.serviceAccountName ?? 'default');
  out.set('terminationGracePeriodSeconds', pod.terminationGracePeriodSeconds ?? 30);
  out.set('fsGroup', podSc.fsGroup);
  out.set('supplementalGroups', podSc.supplementalGroups);
  const ports = namedPorts(pod);
  const volumes = new Map<string, Obj>(((pod.volumes as Obj[] | undefined) ?? []).map((v) => [v.name as string, v]));
  const containers = [...((pod.initContainers as Obj[] | undefined) ?? []).map((c) => ['init ', c] as const), ...((pod.containers as Obj[] | undefined) ?? []).map((c) => ['', c] as const)];
  containers.forEach(([kind, c], i) => {
    const name = containerName(c.name as string, i);
    const p = `${kind}container ${name}`;
    const sc = (c.securityContext as Obj | undefined) ?? {};
    const image = normalImage(c.image as string);
    out.set(`${p}`, 'present');
    out.set(`${p}: image`, image);
    out.set(`${p}: imagePullPolicy`, c.imagePullPolicy ?? (image.endsWith(':latest') ? 'Always' : 'IfNotPresent'));
    out.set(`${p}: command`, c.command);
    out.set(`${p}: args`, c.args);
    for (const port of (c.ports as Obj[] | undefined) ?? []) {
      out.set(`${p}: port ${port.containerPort as number}`, `${(port.protocol as string | undefined) ?? 'TCP'}${port.name !== undefined ? ` ${port.name as string}` : ''}`);
    }
    for (const e of (c.env as Obj[] | undefined) ?? []) {
      const from = e.valueFrom as Obj | undefined;
      const secret = from?.secretKeyRef as Obj | undefined;
      const config = from?.configMapKeyRef as Obj | undefined;
      out.set(`${p}: env ${e.name as string}`, secret ? `<secret ${secret.name as string}/${secret.key as string}>` : config ? `<configMap ${config.name as string}/${config.key as string}>` : from ? '<valueFrom>' : (e.value ?? ''));
    }
    const res = (c.resources as Obj | undefined) ?? {};
    out.set(`${p}: resources`, Object.keys(res).length === 0 ? 'none' : 'present');
    for (const side of ['requests', 'limits']) {
      const r = (res[side] as Obj | undefined) ?? {};
      for (const [k, v] of Object.entries(r)) out.set(`${p}: resources ${side}.${k}`, quantity(v, k === 'cpu'));
    }
    probeFields(out, `${p}: readinessProbe`, c.readinessProbe as Obj | undefined, ports);
    probeFields(out, `${p}: livenessProbe`, c.livenessProbe as Obj | undefined, ports);
    probeFields(out, `${p}: startupProbe`, c.startupProbe as Obj | undefined, ports);
    out.set(`${p}: runAsUser`, sc.runAsUser ?? podSc.runAsUser);
    out.set(`${p}: runAsGroup`, sc.runAsGroup ?? podSc.runAsGroup);
    const caps = ((sc.capabilities as Obj | undefined)?.add as string[] | undefined) ?? [];
    out.set(`${p}: capabilities.add`, caps.length > 0 ? [...caps].sort() : undefined);
    const mounts = ((c.volumeMounts as Obj[] | undefined) ?? [])
      .filter((m) => volumes.get(m.name as string)?.emptyDir !== undefined)
      .map((m) => {
        const medium = (volumes.get(m.name as string)?.emptyDir as Obj).medium as string | undefined;
        return `${m.mountPath as string}${medium ? ` (${medium})` : ''}`;
      })
      .sort();
    out.set(`${p}: writable folders`, mounts.length > 0 ? mounts : undefined);
  });
  return out;
}

/** The Deployments whose pods a Service's selector selects, by name. */
function selected(service: KubeObject, all: readonly KubeObject[]): string[] {
  const sel = ((service.spec as Obj | undefined)?.selector as Record<string, string> | undefined) ?? {};
  return all
    .filter((o) => o.kind === 'Deployment')
    .filter((d) => {
      const labels = ((((d.spec as Obj).template as Obj).metadata as Obj | undefined)?.labels as Record<string, string> | undefined) ?? {};
      return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
    })
    .map((d) => d.metadata.name)
    .sort();
}

/** The compared fields of a Service: type, and each port by its number. */
function serviceFields(service: KubeObject, all: readonly KubeObject[], deploymentName: (name: string) => string): Fields {
  const out: Fields = new Map();
  const spec = (service.spec as Obj | undefined) ?? {};
  const pods = selected(service, all);
  const ports = new Map<string, number>();
  for (const d of all.filter((o) => o.kind === 'Deployment' && pods.includes(o.metadata.name))) {
    for (const [k, v] of namedPorts(((d.spec as Obj).template as Obj).spec as Obj)) ports.set(k, v);
  }
  out.set('type', spec.type ?? 'ClusterIP');
  out.set('selects', pods.map(deploymentName).sort());
  for (const [k, v] of Object.entries(service.metadata.annotations ?? {})) out.set(`annotation ${k}`, v);
  for (const p of (spec.ports as Obj[] | undefined) ?? []) {
    const prefix = `port ${p.port as number}`;
    const target = p.targetPort ?? p.port;
    out.set(`${prefix}: protocol`, p.protocol ?? 'TCP');
    out.set(`${prefix}: targetPort`, typeof target === 'string' ? ports.get(target) ?? target : target);
    if (p.name !== undefined) out.set(`${prefix}: name`, p.name);
    if (p.nodePort !== undefined) out.set(`${prefix}: nodePort`, p.nodePort);
  }
  for (const k of ['loadBalancerSourceRanges', 'externalTrafficPolicy']) if (spec[k] !== undefined) out.set(k, spec[k]);
  return out;
}

/** How an example's objects correspond to upstream's where names differ. */
export interface Correspondence {
  /** The output name of an upstream object, by `<Kind>/<name>` (default: the same name). */
  readonly names?: Readonly<Record<string, string>>;
  /** The output name of an upstream container, by `<deployment>/<container>` (default: the same name). */
  readonly containers?: Readonly<Record<string, string>>;
}

function fieldsOf(o: KubeObject, all: readonly KubeObject[], containerName: (name: string, index: number) => string, deploymentName: (name: string) => string, labelKeys?: ReadonlySet<string>): Fields {
  if (o.kind === 'Deployment') {
    const spec = o.spec as Obj;
    const out = podFields(spec.template as Obj, containerName, labelKeys);
    out.set('replicas', spec.replicas ?? 1);
    return out;
  }
  if (o.kind === 'Service') return serviceFields(o, all, deploymentName);
  return new Map([['object', 'present']]);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Every difference between the upstream objects and the output's, on the compared fields. An upstream object
 * without a counterpart is one difference (`object`); so is an output Deployment, Service or ServiceAccount that
 * upstream lacks. The output's other kinds (network policies, quota, limit range) are the library's additions and
 * are not compared here.
 * @param upstream the upstream objects
 * @param output the output's objects (of the one namespace the example writes)
 * @param correspondence names that differ on purpose
 */
export function compare(upstream: readonly KubeObject[], output: readonly KubeObject[], correspondence: Correspondence = {}): Difference[] {
  const names = correspondence.names ?? {};
  const outputKey = (u: KubeObject): string => `${u.kind}/${names[keyOf(u)] ?? u.metadata.name}`;
  const byKey = new Map(output.map((o) => [keyOf(o), o]));
  const upstreamOf = new Map(upstream.map((u) => [outputKey(u), u]));
  // Output Deployment names as upstream's, so that a Service's `selects` compares.
  const deploymentName = (name: string): string => upstreamOf.get(`Deployment/${name}`)?.metadata.name ?? name;
  const diffs: Difference[] = [];
  for (const u of upstream) {
    const o = byKey.get(outputKey(u));
    if (!o) {
      diffs.push({ object: keyOf(u), field: 'object', upstream: 'present', output: undefined });
      continue;
    }
    if (names[keyOf(u)] !== undefined) diffs.push({ object: keyOf(u), field: 'name', upstream: u.metadata.name, output: o.metadata.name });
    if (!COMPARED.has(u.kind)) continue;
    const upContainers = ((((u.spec as Obj | undefined)?.template as Obj | undefined)?.spec as Obj | undefined)?.containers as Obj[] | undefined) ?? [];
    const containers = correspondence.containers ?? {};
    // An output container is named as its upstream counterpart: by the correspondence, else by name.
    const toUpstream = new Map(upContainers.map((c) => [containers[`${u.metadata.name}/${c.name as string}`] ?? (c.name as string), c.name as string]));
    for (const [out, up] of toUpstream) if (out !== up) diffs.push({ object: keyOf(u), field: `container ${up}: name`, upstream: up, output: out });
    // The output's own pod labels are the library's; only upstream's label keys are compared.
    const upLabels = new Set(Object.keys(((((u.spec as Obj | undefined)?.template as Obj | undefined)?.metadata as Obj | undefined)?.labels as Obj | undefined) ?? {}));
    const a = fieldsOf(u, upstream, (n) => n, (n) => n);
    const b = fieldsOf(o, output, (n) => toUpstream.get(n) ?? n, deploymentName, upLabels);
    const fields = [...new Set([...a.keys(), ...b.keys()])];
    // A group (a probe, resources) that one side lacks is one difference, with the other side's fields as its value.
    const isGroup = (f: string): boolean => /(Probe|: resources)$/.test(f);
    const lacking = fields.filter((f) => isGroup(f) && a.get(f) !== b.get(f));
    const groupValue = (m: Fields, g: string): unknown => (m.get(g) === 'present' ? Object.fromEntries(fields.filter((f) => f.startsWith(`${g} `) && m.has(f)).map((f) => [f.slice(g.length + 1), m.get(f)])) : m.get(g));
    for (const field of fields) {
      if (lacking.some((g) => field.startsWith(`${g} `))) continue;
      if (lacking.includes(field)) diffs.push({ object: keyOf(u), field, upstream: groupValue(a, field), output: groupValue(b, field) });
      else if (!same(a.get(field), b.get(field))) diffs.push({ object: keyOf(u), field, upstream: a.get(field), output: b.get(field) });
    }
  }
  for (const o of output) {
    if (!['Deployment', 'Service', 'ServiceAccount'].includes(o.kind) || upstreamOf.has(keyOf(o))) continue;
    diffs.push({ object: keyOf(o), field: 'object', upstream: undefined, output: 'present' });
  }
  return diffs;
}

function matches(pattern: string | RegExp, value: string): boolean {
  return typeof pattern === 'string' ? pattern === value : pattern.test(value);
}

/** Whether an allowance explains a difference. */
export function allows(a: Allowance, d: Difference): boolean {
  if (!matches(a.object, d.object) || !matches(a.field, d.field)) return false;
  if (!('output' in a)) return true;
  return typeof a.output === 'function' ? (a.output as (v: unknown) => boolean)(d.output) : same(a.output, d.output);
}

/** A difference as one line, for failure messages. */
export function differenceLine(d: Difference): string {
  return `${d.object}: ${d.field}: upstream ${JSON.stringify(d.upstream)}, output ${JSON.stringify(d.output)}`;
}

/**
 * The differences no allowance explains, and the allowances that explain no difference (a pending field that
 * landed, a gap that closed: remove them), as lines.
 * @param diffs the differences
 * @param allowances every allowance of the test
 */
export function explain(diffs: readonly Difference[], allowances: readonly Allowance[]): { unexplained: string[]; unused: string[] } {
  return {
    unexplained: diffs.filter((d) => !allowances.some((a) => allows(a, d))).map(differenceLine),
    unused: allowances.filter((a) => !diffs.some((d) => allows(a, d))).map((a) => `${String(a.object)} ${String(a.field)}: ${a.reason}`),
  };
}

/**
 * The escape hatches a program's source uses: overrides and JSON patches on generated objects, user constructs
 * (`addManifests`, cdk8s `ApiObject`s, cdk8s-plus constructs, `Include`, `Helm`), platform-wide transforms. An
 * example that re-expresses a published application uses none: only the typed API.
 * @param source the program's text
 */
export function escapeHatchesIn(source: string): string[] {
  const uses = /\.(addOverride|addJsonPatch|addManifests|addTransform)\(|\bnew (ApiObject|Include|Helm)\(|\bJsonPatch\.|from 'cdk8s-plus-\d+'/g;
  return [...source.matchAll(uses)].map((m) => m[0]);
}
