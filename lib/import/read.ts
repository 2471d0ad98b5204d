/**
 * Reading an export for `platform-cdk import`: one folder per cluster holding what `kubectl get -o yaml` prints
 * (a `List` per file, or several documents), as docs/migration.md lays it out. Objects are cleaned the way
 * `diff --live` reads live objects: the server's fields and kubectl's annotations go, objects a controller
 * creates (ReplicaSets, Pods, `Endpoints`, a namespace's `default` ServiceAccount …) are left out, and so are
 * KubeSphere's own annotations (`kubesphere.io/creator` …).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ownedByController, withoutServerFields } from '../diff';
import type { KubeObject } from '../manifest';
import type { JsonObject } from '../yaml';

/** Annotations KubeSphere's controllers write (see lib/controller-fields.ts): never part of a program. */
export const KUBESPHERE_ANNOTATIONS: readonly string[] = ['kubesphere.io/creator', 'iam.kubesphere.io/aggregation-roles', 'kubesphere.io/creator-name'];

/** One object of an export, with where it was found. */
export interface ExportedObject {
  /** The cluster: the name of the export's folder that holds it. */
  readonly cluster: string;
  /** The file, relative to the export folder. */
  readonly file: string;
  /** The object, cleaned. */
  readonly object: KubeObject;
}

/** An object left out while reading, and why. */
export interface SkippedObject {
  /** The cluster. */
  readonly cluster: string;
  /** `<Kind> <namespace>/<name>`. */
  readonly object: string;
  /** Why it was left out. */
  readonly reason: string;
}

/** What an export folder holds. */
export interface ExportedEstate {
  /** The clusters (the folder's sub-folders), sorted. */
  readonly clusters: readonly string[];
  /** Every object kept, in cluster, file and document order. */
  readonly objects: readonly ExportedObject[];
  /** The objects left out while reading (controller-owned, Secrets). */
  readonly skipped: readonly SkippedObject[];
}

/** An export folder that cannot be read: the user's mistake, said in one line with a fix. */
export class ExportReadError extends Error {
  /**
   * @param message what is wrong
   * @param fix how to fix it
   */
  constructor(message: string, public readonly fix: string) {
    super(message);
    this.name = 'ExportReadError';
  }
}

/** `<Kind> <namespace>/<name>` (or `<Kind> <name>` when cluster-scoped). */
export function objectName(o: KubeObject): string {
  return o.metadata.namespace ? `${o.kind} ${o.metadata.namespace}/${o.metadata.name}` : `${o.kind} ${o.metadata.name}`;
}

function isObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An exported object without what the server, kubectl and KubeSphere's controllers add. */
export function cleanObject(o: JsonObject): KubeObject {
  const out = withoutServerFields(o);
  const metadata = out.metadata as JsonObject;
  if (isObject(metadata.annotations)) {
    const annotations: JsonObject = { ...metadata.annotations };
    for (const k of KUBESPHERE_ANNOTATIONS) delete annotations[k];
    if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
    else delete metadata.annotations;
  }
  delete metadata.finalizers;
  return out as unknown as KubeObject;
}

function yamlFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...yamlFiles(dir, r));
    else if (/\.(ya?ml|json)$/.test(e.name)) out.push(r);
  }
  return out;
}

/**
 * Parses the objects of one file's text (YAML documents or JSON; `List`s unwrapped).
 * @param text the file's text
 * @param where the file, for error messages
 */
export function parseObjects(text: string, where: string): JsonObject[] {
  const out: JsonObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new ExportReadError(`${where}: not valid YAML (${doc.errors[0].message.split('\n')[0]})`, 'export the objects again with `kubectl get … -o yaml`');
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value)) throw new ExportReadError(`${where}: a document is not a Kubernetes object`, 'keep only the output of `kubectl get … -o yaml` in the export folder');
    const items = typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) {
      if (!isObject(item) || typeof item.kind !== 'string' || typeof item.apiVersion !== 'string' || !isObject(item.metadata) || typeof item.metadata.name !== 'string') {
        throw new ExportReadError(`${where}: an object lacks apiVersion, kind or metadata.name`, 'keep only the output of `kubectl get … -o yaml` in the export folder');
      }
      out.push(item);
    }
  }
  return out;
}

/**
 * Reads an export folder: one sub-folder per cluster. A folder with YAML files and no sub-folders is read as the
 * export of one cluster named `cluster` (plain manifests of one application).
 * @param dir the export folder
 * @param cluster the cluster's name when the folder holds files directly
 */
export function readExport(dir: string, cluster = 'cluster'): ExportedEstate {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ExportReadError(`${dir} is not a folder`, 'pass the folder that holds one sub-folder per cluster (docs/migration.md)');
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  // A folder whose name starts with `_` is no cluster's (cluster names are DNS labels): platform-cdk's own output
  // keeps its installation plans and CI files there, so that its output folder can be imported as it is.
  const own = entries.filter((e) => e.isDirectory() && e.name.startsWith('_')).map((e) => e.name).sort();
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_')).map((e) => e.name).sort();
  const sources: [string, string, string][] = [];
  if (folders.length === 0) {
    for (const f of yamlFiles(dir)) sources.push([cluster, f, path.join(dir, f)]);
  } else {
    for (const c of folders) for (const f of yamlFiles(path.join(dir, c))) sources.push([c, `${c}/${f}`, path.join(dir, c, f)]);
  }
  if (sources.length === 0) throw new ExportReadError(`${dir} holds no YAML files`, 'export the clusters first (docs/migration.md, "Export what runs")');
  const objects: ExportedObject[] = [];
  const skipped: SkippedObject[] = own.map((f) => ({ cluster: f, object: `folder ${f}/`, reason: "not a cluster's folder (a name starting with _: platform-cdk's installation plans and CI files)" }));
  for (const [c, file, full] of sources) {
    for (const raw of parseObjects(fs.readFileSync(full, 'utf8'), file)) {
      const o = raw as unknown as KubeObject;
      if (ownedByController(raw)) skipped.push({ cluster: c, object: objectName(o), reason: 'created by a controller (an owner, Endpoints, a default ServiceAccount or CA ConfigMap): not declared' });
      else if (o.kind === 'Secret' && o.apiVersion === 'v1') skipped.push({ cluster: c, object: objectName(o), reason: 'a Secret holds values, which a program never does: the services that read it refer to it by name' });
      else objects.push({ cluster: c, file, object: cleanObject(raw) });
    }
  }
  return { clusters: [...new Set(sources.map((s) => s[0]))].sort(), objects, skipped };
}
