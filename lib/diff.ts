/**
 * The engine of `platform-cdk diff`: what a new synthesis changes against an earlier output (a folder, or the
 * output folder at a git revision) — per cluster, the objects added, removed (that a GitOps tool would prune)
 * and changed, with field-level changes — and what differs between two environments of one estate, per
 * service.
 *
 * Objects are compared as parsed JSON, so formatting, key order and which file an object is in do not count.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Platform } from '../constructs/platform';
import { instanceName, kindRank, LabelKeys } from './manifest';
import type { KubeObject } from './manifest';
import type { RenderedPlatform } from './render';
import type { JsonObject, JsonValue } from './yaml';

/** One field that differs between two versions of an object. */
export interface FieldChange {
  /** Where, as a JSON pointer into the object (RFC 6901; `""` is the whole object). */
  readonly path: string;
  /** The value before; absent when the field was added. */
  readonly before?: JsonValue;
  /** The value after; absent when the field was removed. */
  readonly after?: JsonValue;
}

/** An object that exists before and after, with what changed in it. */
export interface ObjectChange {
  /** The object, as `<apiVersion> <kind> <namespace>/<name>` (`<apiVersion> <kind> <name>` when cluster-scoped). */
  readonly object: string;
  /** The fields that changed, in document order. */
  readonly fields: readonly FieldChange[];
}

/** What differs on one cluster. */
export interface ClusterDiff {
  /** The cluster (its output folder's name). */
  readonly cluster: string;
  /** Objects only in the new output (to be created). */
  readonly added: readonly string[];
  /** Objects only in the earlier output (a GitOps tool with pruning deletes them). */
  readonly removed: readonly string[];
  /** Objects in both, with their field-level changes. */
  readonly changed: readonly ObjectChange[];
}

/** What differs between two outputs. */
export interface OutputDiff {
  /** Each cluster with differences, sorted by name. A cluster folder that was added or removed lists all its objects. */
  readonly clusters: readonly ClusterDiff[];
  /** Whether the two outputs hold the same objects. */
  readonly identical: boolean;
  /** Whether the earlier side was objects exported from the clusters (see {@link DiffOutputOptions.live}). */
  readonly live?: boolean;
}

/** Options of {@link diffOutputs}. */
export interface DiffOutputOptions {
  /**
   * The earlier side is what runs: objects exported from the clusters with `kubectl get … -o yaml`, in one folder per
   * cluster (a file may hold a `List`, as kubectl writes it). Then what the API server and the controllers add does
   * not count: `status`; `metadata.uid`, `resourceVersion`, `generation`, `creationTimestamp`, `managedFields`,
   * `selfLink`; kubectl's `last-applied-configuration` and Deployments' `revision` annotations; and every field
   * that only the live object has (the defaults the server fills in). Objects that a controller creates — those with
   * an owner (ReplicaSets, Pods, EndpointSlices of Services, Jobs of CronJobs), `Endpoints`, and each namespace's
   * `default` ServiceAccount and `kube-root-ca.crt` ConfigMap — are left out. Objects only in the clusters are
   * listed as `removed`: they are what the model does not (yet) declare.
   * @default false
   */
  readonly live?: boolean;
}

/** One object of a service that differs between two environments. */
export interface ServiceDifference {
  /** The service's construct path, e.g. `quickstart/shop/storefront/web`. */
  readonly service: string;
  /** The object's kind, e.g. `Deployment`. */
  readonly kind: string;
  /** The object's name. */
  readonly name: string;
  /**
   * The fields that differ: `before` is the value in the environment compared against, `after` the value in the
   * environment compared. An object that exists in only one of them has a single change at path `""` holding the
   * whole object, as rendered, on its side.
   */
  readonly fields: readonly FieldChange[];
}

/** What differs between the services of two environments. */
export interface EnvironmentDiff {
  /** The environment compared (the "after" side). */
  readonly environment: string;
  /** The environment compared against (the "before" side). */
  readonly against: string;
  /** Each object of a service that differs, sorted by service, then install order of kind, then name. */
  readonly services: readonly ServiceDifference[];
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing outputs

/**
 * Compares two outputs of `ManifestStack`, each given as files by path relative to the output folder
 * (`<cluster>/<file>.yaml`, as `ManifestStack.files()`, `readOutputFolder` and `readGitRevision` return them).
 * Files that are not `.yaml`, files outside a cluster folder, and folders whose name starts with `_` (the GitLab
 * CI files) are ignored. Objects are matched by cluster, apiVersion, kind, namespace and name, so an object that
 * moved to another file is not a change.
 * @param before the earlier output (or, with `live`, the objects exported from the clusters)
 * @param after the new output
 * @param options whether the earlier side is exported live objects
 * @throws Error when a file is not valid YAML, naming the file
 */
export function diffOutputs(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, options: DiffOutputOptions = {}): OutputDiff {
  const live = options.live === true;
  const was = indexOutput(before, live ? 'live' : 'before', live);
  const now = indexOutput(after, 'after');
  const clusters: ClusterDiff[] = [];
  for (const cluster of sortedUnion(was.keys(), now.keys())) {
    const a = was.get(cluster) ?? new Map<string, IndexedObject>();
    const b = now.get(cluster) ?? new Map<string, IndexedObject>();
    const added: IndexedObject[] = [];
    const removed: IndexedObject[] = [];
    const changed: { object: IndexedObject; fields: FieldChange[] }[] = [];
    for (const [key, o] of b) {
      const old = a.get(key);
      if (!old) {
        added.push(o);
        continue;
      }
      const fields = diffValues(old.value, o.value, live ? LIVE : EXACT);
      if (fields.length > 0) changed.push({ object: o, fields });
    }
    for (const [key, o] of a) if (!b.has(key)) removed.push(o);
    if (added.length + removed.length + changed.length === 0) continue;
    clusters.push({
      cluster,
      added: added.sort(compareIndexed).map((o) => o.label),
      removed: removed.sort(compareIndexed).map((o) => o.label),
      changed: changed.sort((x, y) => compareIndexed(x.object, y.object)).map((c) => ({ object: c.object.label, fields: c.fields })),
    });
  }
  return live ? { clusters, identical: clusters.length === 0, live } : { clusters, identical: clusters.length === 0 };
}

/** A parsed object of an output and how it is named. */
interface IndexedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** `<apiVersion> <kind> <ns>/<name>`. */
  readonly label: string;
  readonly value: JsonObject;
}

/** The objects of an output, per cluster, by identity. When an identity occurs twice, the later file wins (as it would on apply). */
function indexOutput(files: ReadonlyMap<string, string>, side: string, live = false): Map<string, Map<string, IndexedObject>> {
  const out = new Map<string, Map<string, IndexedObject>>();
  for (const file of [...files.keys()].sort(compareStrings)) {
    const parts = file.split('/');
    if (parts.length < 2 || !file.endsWith('.yaml') || parts.slice(0, -1).some((p) => p.startsWith('_') || p === '')) continue;
    const cluster = parts[0];
    let objects = out.get(cluster);
    if (!objects) out.set(cluster, (objects = new Map()));
    for (const doc of parseAllDocuments(files.get(file) as string)) {
      if (doc.errors.length > 0) {
        throw new Error(`${side} output, ${file}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}. Fix: repair the file or synthesize it again.`);
      }
      const value = doc.toJS() as unknown;
      if (!isObject(value)) continue;
      const items = live && Array.isArray(value.items) && asString(value.kind).endsWith('List') ? value.items : [value];
      for (const item of items) {
        if (!isObject(item) || (live && ownedByController(item))) continue;
        const o = indexed(live ? withoutServerFields(item) : item);
        objects.set(`${o.apiVersion}\0${o.kind}\0${o.namespace}\0${o.name}`, o);
      }
    }
  }
  return out;
}

function indexed(value: JsonObject): IndexedObject {
  const metadata = isObject(value.metadata) ? value.metadata : {};
  const apiVersion = asString(value.apiVersion);
  const kind = asString(value.kind);
  const namespace = asString(metadata.namespace);
  const name = asString(metadata.name);
  return { apiVersion, kind, namespace, name, label: `${apiVersion} ${kind} ${namespace === '' ? '' : `${namespace}/`}${name}`, value };
}

/** Orders objects as the output is laid out: cluster-scoped first, then by namespace; in each, by install order. */
function compareIndexed(a: IndexedObject, b: IndexedObject): number {
  return (
    compareStrings(a.namespace, b.namespace) ||
    kindRank(a.kind) - kindRank(b.kind) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.apiVersion, b.apiVersion) ||
    compareStrings(a.name, b.name)
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Live objects

/** Metadata fields the API server sets. */
const SERVER_METADATA: readonly string[] = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink'];
/** Annotations kubectl and the controllers add. */
const SERVER_ANNOTATIONS: readonly string[] = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

/** Whether a live object is one a controller creates and owns, rather than one a user declares. */
export function ownedByController(o: JsonObject): boolean {
  const metadata = isObject(o.metadata) ? o.metadata : {};
  const kind = asString(o.kind);
  const name = asString(metadata.name);
  return (
    (Array.isArray(metadata.ownerReferences) && metadata.ownerReferences.length > 0) ||
    (kind === 'Endpoints' && asString(o.apiVersion) === 'v1') ||
    (kind === 'ServiceAccount' && name === 'default') ||
    (kind === 'ConfigMap' && name === 'kube-root-ca.crt')
  );
}

/** A live object without its status and the metadata the API server and kubectl set. */
export function withoutServerFields(o: JsonObject): JsonObject {
  const out: JsonObject = { ...o };
  delete out.status;
  if (isObject(o.metadata)) {
    const metadata: JsonObject = { ...o.metadata };
    for (const k of SERVER_METADATA) delete metadata[k];
    if (isObject(metadata.annotations)) {
      const annotations: JsonObject = { ...metadata.annotations };
      for (const k of SERVER_ANNOTATIONS) delete annotations[k];
      if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
      else delete metadata.annotations;
    }
    out.metadata = metadata;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading earlier outputs

/**
 * Reads an output folder written earlier: every `*.yaml` file under it, by path relative to it with `/` as the
 * separator, in sorted order.
 * @param dir the folder, e.g. `dist`
 * @throws Error when the folder does not exist or is not a folder
 */
export function readOutputFolder(dir: string): Map<string, string> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new Error(`output folder ${JSON.stringify(dir)} does not exist (resolved to ${path.resolve(dir)}). Fix: pass the folder an earlier synthesis wrote (e.g. dist), or synthesize into it first.`);
  }
  if (!stat.isDirectory()) {
    throw new Error(`output folder ${JSON.stringify(dir)} is a file, not a folder. Fix: pass the folder an earlier synthesis wrote (e.g. dist), which holds one folder per cluster.`);
  }
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => compareStrings(a.name, b.name));
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile() && e.name.endsWith('.yaml')) out.set(child, fs.readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  walk('');
  return out;
}

/**
 * Reads an output folder as it was committed at a git revision: every `*.yaml` file under `folder`, by path
 * relative to `folder` with `/` as the separator. Runs `git ls-tree -r --name-only` and `git show <rev>:<path>`
 * (without a shell).
 * @param revision a commit, branch, tag or expression such as `HEAD~1`
 * @param folder the output folder's path relative to the repository root, e.g. `dist` (`""` or `.` for the root)
 * @param cwd a folder inside the repository (default: the process's working folder)
 * @throws Error when git is not installed, `cwd` is not in a git repository, the revision is unknown, or the folder
 *   holds no file at that revision
 */
export function readGitRevision(revision: string, folder: string, cwd: string = process.cwd()): Map<string, string> {
  if (revision === '' || revision.startsWith('-')) {
    throw new Error(`git revision: got ${JSON.stringify(revision)}; a revision names a commit and does not start with "-". Fix: pass a commit, branch or tag, e.g. HEAD~1 or main.`);
  }
  const dir = folder.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (dir.startsWith('/') || dir.split('/').includes('..')) {
    throw new Error(`output folder: got ${JSON.stringify(folder)}; at a git revision the folder is a path relative to the repository root. Fix: pass e.g. dist.`);
  }
  const root = dir === '' || dir === '.' ? '' : dir;
  if (!fs.existsSync(cwd)) {
    throw new Error(`folder ${JSON.stringify(cwd)} does not exist, so revision ${revision} cannot be read there. Fix: run the diff inside the repository that holds the output folder.`);
  }
  const git = (args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 * 1024 });
  try {
    git(['rev-parse', '--git-dir']);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') {
      throw new Error(`git is not installed (or not on PATH), so revision ${revision} cannot be read. Fix: install git, or compare against an output folder instead.`);
    }
    throw new Error(`${path.resolve(cwd)} is not inside a git repository, so revision ${revision} cannot be read (${gitMessage(e)}). Fix: run the diff inside the repository that holds the output folder, or compare against an output folder instead.`);
  }
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]).trim();
  } catch {
    throw new Error(`unknown git revision ${JSON.stringify(revision)} in ${path.resolve(cwd)}. Fix: pass a commit, branch or tag that exists there, e.g. HEAD~1 or main (git log --oneline lists the commits).`);
  }
  const listed = git(['--literal-pathspecs', 'ls-tree', '-r', '--name-only', '--full-tree', '-z', commit, ...(root === '' ? [] : ['--', root])]);
  const prefix = root === '' ? '' : `${root}/`;
  const files = listed.split('\0').filter((f) => f.startsWith(prefix) && f.endsWith('.yaml')).sort(compareStrings);
  if (files.length === 0) {
    throw new Error(`folder ${JSON.stringify(root || '.')} holds no .yaml file at revision ${revision} (${commit.slice(0, 12)}). Fix: pass the output folder's path relative to the repository root (e.g. dist), and a revision at which it was committed.`);
  }
  const out = new Map<string, string>();
  for (const f of files) out.set(f.slice(prefix.length), git(['show', `${commit}:${f}`]));
  return out;
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** The first line git wrote to stderr, or the error's message. */
function gitMessage(e: unknown): string {
  const stderr = typeof e === 'object' && e !== null && 'stderr' in e ? String(e.stderr) : '';
  const line = stderr.split('\n').find((l) => l.trim() !== '');
  return (line ?? (e instanceof Error ? e.message : String(e))).trim();
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing environments

/**
 * Compares the services of two environments of one estate: for each service, its objects in `environment` against
 * its objects in `against`. What always differs between environments does not count: the namespace (a string that
 * differs only by one environment's namespace in place of the other's), the environment's name under the
 * `platform-cdk.io/environment` label (and the `environment` label of alerts, and the name as a word in their
 * `summary` and `description`), and `app.kubernetes.io/instance` (`<service>-<environment>`). Hosts are compared
 * as they are: a host under each environment's domain is a real difference. When an environment spans several
 * clusters, each object is taken from the first of them by name, so it is compared once. Values in the result are
 * as rendered (without empty members), not normalized.
 * @param rendered the rendered platform
 * @param environment the environment compared (the "after" side), e.g. `staging`
 * @param against the environment compared against (the "before" side), e.g. `production`
 * @throws Error when either environment is not in the platform
 */
export function diffEnvironments(rendered: RenderedPlatform, environment: string, against: string): EnvironmentDiff {
  if (rendered.clusters.length > 0) {
    const names = Platform.of(rendered.clusters[0].cluster).environments.map((e) => e.name);
    for (const [option, env] of [['environment', environment], ['against', against]] as const) {
      if (!names.includes(env)) {
        throw new Error(`${option}: got ${JSON.stringify(env)}; the platform has no such environment. Fix: use one of ${names.map((n) => JSON.stringify(n)).join(', ')}.`);
      }
    }
  }
  const after = serviceObjects(rendered, environment);
  const before = serviceObjects(rendered, against);
  const services: (ServiceDifference & { readonly rank: number })[] = [];
  for (const key of sortedUnion(before.keys(), after.keys())) {
    const a = before.get(key);
    const b = after.get(key);
    let fields: FieldChange[];
    if (!a) fields = [{ path: '', after: b?.value }];
    else if (!b) fields = [{ path: '', before: a.value }];
    else fields = diffValues(a.value, b.value, environmentComparison(a, b));
    const some = (b ?? a) as ServiceObject;
    if (fields.length > 0) services.push({ service: some.service, kind: some.kind, name: some.name, fields, rank: kindRank(some.kind) });
  }
  services.sort((x, y) => compareStrings(x.service, y.service) || x.rank - y.rank || compareStrings(x.kind, y.kind) || compareStrings(x.name, y.name));
  return { environment, against, services: services.map(({ service, kind, name, fields }) => ({ service, kind, name, fields })) };
}

/** An object of a service in one environment. */
interface ServiceObject {
  /** The service's construct path. */
  readonly service: string;
  /** The service's name. */
  readonly serviceName: string;
  readonly kind: string;
  readonly name: string;
  readonly environment: string;
  readonly namespace: string;
  readonly value: JsonObject;
}

/** Each service object of an environment, by service path, kind and name; from the first cluster (by name) that has it. */
function serviceObjects(rendered: RenderedPlatform, environment: string): Map<string, ServiceObject> {
  const out = new Map<string, ServiceObject>();
  const clusters = [...rendered.clusters].sort((a, b) => compareStrings(a.cluster.name, b.cluster.name));
  for (const rc of clusters) {
    for (const o of rc.objects) {
      const { service, placement } = o.origin;
      if (!service || !placement || placement.environment.name !== environment) continue;
      const value = clean(o.toJson()) as KubeObject;
      const key = `${service.node.path}\0${value.kind}\0${value.metadata.name}`;
      if (out.has(key)) continue;
      out.set(key, { service: service.node.path, serviceName: service.name, kind: value.kind, name: value.metadata.name, environment, namespace: placement.namespace, value });
    }
  }
  return out;
}

const NAMESPACE_PLACEHOLDER = '\0namespace\0';
const ENVIRONMENT_PLACEHOLDER = '\0environment\0';
/** Keys whose value is the environment's name. */
const ENVIRONMENT_KEYS: ReadonlySet<string> = new Set([LabelKeys.ENVIRONMENT, 'environment']);
/** Keys of generated text that names the environment (alert summaries and descriptions). */
const TEXT_KEYS: ReadonlySet<string> = new Set(['summary', 'description']);

/** A text with an environment's name, where it stands as a word (not inside a host name), replaced by a placeholder. */
function withoutEnvironment(text: string, environment: string): string {
  const escaped = environment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![A-Za-z0-9.-])${escaped}(?![A-Za-z0-9.-])`, 'g'), ENVIRONMENT_PLACEHOLDER);
}

/** How one object compares across two environments: what always differs between them counts as equal. */
function environmentComparison(a: ServiceObject, b: ServiceObject): Comparison {
  const namespaces = a.namespace !== b.namespace;
  const inA = (s: string): string => (namespaces ? s.split(a.namespace).join(NAMESPACE_PLACEHOLDER) : s);
  const inB = (s: string): string => (namespaces ? s.split(b.namespace).join(NAMESPACE_PLACEHOLDER) : s);
  return {
    same: (x, y, key) =>
      (key !== undefined && ENVIRONMENT_KEYS.has(key) && x === a.environment && y === b.environment) ||
      (key === LabelKeys.INSTANCE && x === instanceName(a.serviceName, a.environment) && y === instanceName(b.serviceName, b.environment)) ||
      (key !== undefined && TEXT_KEYS.has(key) && withoutEnvironment(inA(x), a.environment) === withoutEnvironment(inB(y), b.environment)) ||
      (namespaces && inA(x) === inB(y)),
    nameBefore: inA,
    nameAfter: inB,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Field-level comparison

/** What counts as equal in a comparison besides equal values. */
interface Comparison {
  /** Whether two different strings, found under an object key (the nearest one), count as equal. */
  readonly same: (before: string, after: string, key: string | undefined) => boolean;
  /** The identity of a named array item's `name` in the "before" value. */
  readonly nameBefore: (name: string) => string;
  /** The identity of a named array item's `name` in the "after" value. */
  readonly nameAfter: (name: string) => string;
  /** Whether a field (or named array item) that only the "before" value has counts as no change. */
  readonly ignoreRemoved?: boolean;
}

/** Only equal values are equal. */
const EXACT: Comparison = { same: () => false, nameBefore: (n) => n, nameAfter: (n) => n };
/** Against a live object: what only the live object has (defaults, controllers' fields) is no change. */
const LIVE: Comparison = { ...EXACT, ignoreRemoved: true };

/**
 * The field-level changes from one value to another, in document order. Objects are compared key by key (sorted);
 * arrays by index, except arrays whose items are all objects with distinct string `name`s (containers, env, ports,
 * volumes), whose items are matched by name: the pointer of a matched or added item uses its index in `after`, of
 * a removed item its index in `before`. When such an array's common items changed order, that is one change at the
 * array's pointer whose values are the lists of names before and after.
 */
function diffValues(before: JsonValue, after: JsonValue, c: Comparison = EXACT, pointer = '', key?: string, out: FieldChange[] = []): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    for (const k of sortedUnion(Object.keys(before), Object.keys(after))) {
      const p = `${pointer}/${escapePointer(k)}`;
      if (!(k in after)) {
        if (!c.ignoreRemoved) out.push({ path: p, before: before[k] });
      }
      else if (!(k in before)) out.push({ path: p, after: after[k] });
      else diffValues(before[k], after[k], c, p, k, out);
    }
  } else if (Array.isArray(before) && Array.isArray(after)) {
    const a = namesOf(before)?.map(c.nameBefore);
    const b = namesOf(after)?.map(c.nameAfter);
    if (a && b && new Set(a).size === a.length && new Set(b).size === b.length && (a.length > 0 || b.length > 0)) {
      diffNamedArrays(before, a, after, b, c, pointer, key, out);
    } else {
      for (let i = 0; i < Math.max(before.length, after.length); i++) {
        const p = `${pointer}/${i}`;
        if (i >= after.length) {
          if (!c.ignoreRemoved) out.push({ path: p, before: before[i] });
        }
        else if (i >= before.length) out.push({ path: p, after: after[i] });
        else diffValues(before[i], after[i], c, p, key, out);
      }
    }
  } else if (before !== after && !(typeof before === 'string' && typeof after === 'string' && c.same(before, after, key))) {
    out.push({ path: pointer, before, after });
  }
  return out;
}

function diffNamedArrays(before: JsonValue[], a: string[], after: JsonValue[], b: string[], c: Comparison, pointer: string, key: string | undefined, out: FieldChange[]): void {
  const common = b.filter((n) => a.includes(n));
  const commonBefore = a.filter((n) => b.includes(n));
  if (common.some((n, i) => commonBefore[i] !== n)) {
    const names = (items: JsonValue[], ids: string[], wanted: string[]): JsonValue[] => wanted.map((n) => (items[ids.indexOf(n)] as JsonObject).name);
    out.push({ path: pointer, before: names(before, a, commonBefore), after: names(after, b, common) });
  }
  b.forEach((n, i) => {
    const j = a.indexOf(n);
    if (j < 0) out.push({ path: `${pointer}/${i}`, after: after[i] });
    else diffValues(before[j], after[i], c, `${pointer}/${i}`, key, out);
  });
  a.forEach((n, j) => {
    if (!b.includes(n) && !c.ignoreRemoved) out.push({ path: `${pointer}/${j}`, before: before[j] });
  });
}

/** The `name`s of an array's items when every item is an object with a distinct string `name`, else `undefined`. */
function namesOf(items: JsonValue[]): string[] | undefined {
  const names: string[] = [];
  for (const item of items) {
    if (!isObject(item) || typeof item.name !== 'string' || names.includes(item.name)) return undefined;
    names.push(item.name);
  }
  return names;
}

/** Escapes a key for a JSON pointer (RFC 6901): `~` as `~0`, `/` as `~1`. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

// ---------------------------------------------------------------------------------------------------------------
// Text

/** Values longer than this are shortened in the text. */
const MAX_VALUE_CHARS = 80;

/**
 * The human text of an output diff: per cluster, `+` added, `-` removed (pruned) and `~` changed objects, each
 * changed object followed by its changed fields as `path: before → after` (JSON values; long ones shortened,
 * `(absent)` for a missing one). `no differences` when the outputs are identical. Against live objects, `-` objects
 * are marked `(only in the cluster)`.
 * @param d the diff
 */
export function formatOutputDiff(d: OutputDiff): string {
  if (d.identical) return 'no differences\n';
  const lines: string[] = [];
  for (const c of d.clusters) {
    lines.push(`${c.cluster}: ${c.added.length} added, ${c.removed.length} ${d.live ? 'only in the cluster' : 'removed'}, ${c.changed.length} changed`);
    for (const o of c.added) lines.push(`  + ${o}`);
    for (const o of c.removed) lines.push(`  - ${o} ${d.live ? '(only in the cluster)' : '(pruned)'}`);
    for (const o of c.changed) {
      lines.push(`  ~ ${o.object}`);
      for (const f of o.fields) lines.push(`      ${fieldLine(f)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The human text of an environment diff: per service, each object that differs, `~` with its fields as
 * `path: <against> → <environment>`, or `+`/`-` when it exists only in the environment compared / compared against.
 * Says so when nothing differs.
 * @param d the diff
 */
export function formatEnvironmentDiff(d: EnvironmentDiff): string {
  if (d.services.length === 0) return `${d.environment} against ${d.against}: no differences\n`;
  const lines = [`${d.environment} against ${d.against} (values: ${d.against} → ${d.environment})`];
  let service: string | undefined;
  for (const s of d.services) {
    if (s.service !== service) lines.push((service = s.service));
    const whole = s.fields.length === 1 && s.fields[0].path === '' ? s.fields[0] : undefined;
    if (whole && whole.before === undefined) lines.push(`  + ${s.kind} ${s.name} (only in ${d.environment})`);
    else if (whole && whole.after === undefined) lines.push(`  - ${s.kind} ${s.name} (only in ${d.against})`);
    else {
      lines.push(`  ~ ${s.kind} ${s.name}`);
      for (const f of s.fields) lines.push(`      ${fieldLine(f)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function fieldLine(f: FieldChange): string {
  return `${f.path === '' ? '(object)' : f.path}: ${shortJson(f.before)} → ${shortJson(f.after)}`;
}

function shortJson(v: JsonValue): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(v);
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS - 1)}…`;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** A copy of a rendered value as it is written: without `undefined` and `null` members. */
function clean(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(clean);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (v !== undefined && v !== null) out[k] = clean(v);
  }
  return out;
}

function isObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function asString(x: JsonValue): string {
  return typeof x === 'string' ? x : x === undefined || x === null ? '' : String(x);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The union of some keys, sorted. */
function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort(compareStrings);
}
