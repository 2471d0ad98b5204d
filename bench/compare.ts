/**
 * The proof that the floor writes the same objects as platform-cdk: both output folders are read back (the
 * library's YAML with the `yaml` package, the floor's JSON lines with `JSON.parse`) and compared as sets of
 * objects keyed by cluster, kind, namespace and name. For the hand-written cdk8s-plus-27 variant only which objects
 * it writes is checked (`compareIdentities`), not their contents.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { OUTPUT_MARKER } from '../lib/write';

/** An object read back from an output folder. */
interface ReadObject {
  /** The file it was read from, relative to the output folder. */
  readonly file: string;
  /** The object. */
  readonly value: unknown;
}

/** The outcome of a comparison. */
export interface Comparison {
  /** The number of objects compared (in each folder). */
  readonly objects: number;
  /** The number of files compared (in each folder). */
  readonly files: number;
  /** The first difference found, or `undefined` when the folders hold the same objects. */
  readonly difference?: string;
}

/** The files of an output folder, relative to it; the marker platform-cdk writes into its output is no object. */
function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (rel === '' && entry.name === OUTPUT_MARKER) continue;
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, child));
    else out.push(child);
  }
  return out.sort();
}

function keyOf(file: string, value: unknown): string {
  const o = (value ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const cluster = file.split('/')[0];
  return `${cluster}/${String(o.kind)}/${String(o.metadata?.namespace ?? '')}/${String(o.metadata?.name)}`;
}

function index(dir: string, files: string[], parse: (text: string, file: string) => unknown[]): Map<string, ReadObject> {
  const out = new Map<string, ReadObject>();
  for (const file of files) {
    for (const value of parse(fs.readFileSync(path.join(dir, file), 'utf8'), file)) {
      const key = keyOf(file, value);
      if (out.has(key)) throw new Error(`${dir}: the object ${key} is written twice`);
      out.set(key, { file, value });
    }
  }
  return out;
}

function parseYamlStream(text: string, file: string): unknown[] {
  const parsed = parseAllDocuments(text);
  const docs = Array.isArray(parsed) ? parsed : [];
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    return doc.toJS() as unknown;
  });
}

function parseJsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as unknown);
}

/** The first place where two JSON-like values differ, as `path: a vs b`, or `undefined` when they are equal. */
export function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${at || '.'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
    if (a.length !== b.length) return `${at}.length: ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
    for (const k of keys) {
      if (!(k in ao)) return `${at}.${k}: missing vs ${JSON.stringify(bo[k])}`;
      if (!(k in bo)) return `${at}.${k}: ${JSON.stringify(ao[k])} vs missing`;
      const d = firstDifference(ao[k], bo[k], `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${at || '.'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/**
 * Compares the library's YAML output folder with the floor's JSON output folder.
 * @param libraryDir the folder `ManifestStack.synth()` wrote
 * @param floorDir the folder the floor wrote
 */
export function compareOutputs(libraryDir: string, floorDir: string): Comparison {
  const libraryFiles = listFiles(libraryDir);
  const floorFiles = listFiles(floorDir);
  const fileDiff = firstDifference(libraryFiles, floorFiles, 'files');
  if (fileDiff) return { objects: 0, files: libraryFiles.length, difference: `the folders hold different files: ${fileDiff}` };
  const lib = index(libraryDir, libraryFiles, parseYamlStream);
  const floor = index(floorDir, floorFiles, parseJsonLines);
  for (const [key, o] of lib) {
    const f = floor.get(key);
    if (!f) return { objects: lib.size, files: libraryFiles.length, difference: `${key}: written by platform-cdk (in ${o.file}), not by the floor` };
    if (f.file !== o.file) return { objects: lib.size, files: libraryFiles.length, difference: `${key}: platform-cdk writes it to ${o.file}, the floor to ${f.file}` };
    const d = firstDifference(o.value, f.value);
    if (d) return { objects: lib.size, files: libraryFiles.length, difference: `${key} (platform-cdk vs floor) ${d}` };
  }
  for (const [key, f] of floor) {
    if (!lib.has(key)) return { objects: lib.size, files: libraryFiles.length, difference: `${key}: written by the floor (in ${f.file}), not by platform-cdk` };
  }
  return { objects: lib.size, files: libraryFiles.length };
}

/** The outcome of comparing which objects two output folders hold, not what they hold. */
export interface IdentityComparison {
  /** The number of objects in the library's folder. */
  readonly objects: number;
  /** The number of files in the other folder. */
  readonly files: number;
  /** The first object one folder holds and the other does not, or `undefined` when they hold the same ones. */
  readonly difference?: string;
}

/**
 * Compares which objects the library's YAML output folder (`<cluster>/<file>.yaml`) and a cdk8s app's output
 * folder (`<cluster>.k8s.yaml`, one file per chart named after its cluster) hold, keyed by cluster, kind,
 * namespace and name. Their contents are not compared: the hand-written variant writes cdk8s-plus-27's
 * defaults, which platform-cdk does not.
 * @param libraryDir the folder `ManifestStack.synth()` wrote
 * @param cdk8sDir the folder `App.synth()` wrote
 */
export function compareIdentities(libraryDir: string, cdk8sDir: string): IdentityComparison {
  const lib = index(libraryDir, listFiles(libraryDir), parseYamlStream);
  const cdk8sFiles = listFiles(cdk8sDir);
  const other = new Map<string, string>();
  for (const file of cdk8sFiles) {
    // `<cluster>/<chart>.k8s.yaml` (an app per cluster), or `<cluster>.k8s.yaml` (a chart per cluster).
    const cluster = file.includes('/') ? file.split('/')[0] : file.replace(/\.k8s\.yaml$/, '');
    for (const value of parseYamlStream(fs.readFileSync(path.join(cdk8sDir, file), 'utf8'), file)) {
      const key = keyOf(`${cluster}/`, value);
      if (other.has(key)) return { objects: lib.size, files: cdk8sFiles.length, difference: `${key}: written twice by cdk8s` };
      other.set(key, file);
    }
  }
  for (const [key, o] of lib) {
    if (!other.has(key)) return { objects: lib.size, files: cdk8sFiles.length, difference: `${key}: written by platform-cdk (in ${o.file}), not by cdk8s` };
  }
  for (const [key, file] of other) {
    if (!lib.has(key)) return { objects: lib.size, files: cdk8sFiles.length, difference: `${key}: written by cdk8s (in ${file}), not by platform-cdk` };
  }
  return { objects: lib.size, files: cdk8sFiles.length };
}
