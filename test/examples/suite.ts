/**
 * The checks every example in examples/ passes, so none can rot: it synthesizes to objects that are valid against
 * the schemas, byte-identical from run to run, named as recorded (test/examples/names/), counted per kind, cluster
 * and namespace in a short snapshot, with a few representative objects (or, for a small example, the whole output)
 * snapshotted for review; and it synthesizes the same files the two ways a user runs it — `cdk8s synth` and the
 * `platform-cdk synth` command line. Each example has a test file of its own (`test/examples/<example>.test.ts`)
 * that calls {@link describeExample}, so each keeps its own snapshot file.
 *
 * Each example is synthesized once per entry point (the API, the command line, `cdk8s synth`) and the results are
 * shared by the assertions; the output of the other entry points is compared by hash.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack, Platform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { parse } from 'yaml';
import { canValidate, HAS_KUBESPHERE_V4, KUBESPHERE_V4_SKIPPED, validator } from '../schemas';
import { readTree } from '../fixture';
import { cli } from '../cli/run';
import { FULL } from '../tier';
import { checkNames, namesOf } from './names-record';

/** The repository's root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** The examples: every folder of examples/ with a main.ts. */
export const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'main.ts'))).sort();

/** The build() an example's main.ts exports. */
export function load(example: string): () => Platform {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(ROOT, 'examples', example, 'main.ts')) as { build?: () => Platform };
  if (typeof mod.build !== 'function') throw new Error(`examples/${example}/main.ts must export build(): Platform`);
  return mod.build;
}

/** Files of an output folder that are not Kubernetes objects (CI files, installation files). */
function isObjectFile(file: string): boolean {
  return !file.startsWith('_');
}

/** One object of an output, with where it was written and its YAML text as written. */
export interface WrittenObject {
  /** Its cluster (the output's top folder). */
  readonly cluster: string;
  /** The file, relative to the output folder. */
  readonly file: string;
  /** The object. */
  readonly object: KubeObject;
  /** Its YAML document, as written. */
  readonly text: string;
}

/** An example synthesized once through the API: its platform, files, objects and the files' hash. */
export interface Synthesized {
  /** The platform its build() returned. */
  readonly platform: Platform;
  /** The files `ManifestStack.files()` gives, by path. */
  readonly files: ReadonlyMap<string, string>;
  /** Every Kubernetes object of the files, in file order. */
  readonly objects: readonly WrittenObject[];
  /** A hash of the files (see `hashOf`). */
  readonly hash: string;
}

/** A hash of a set of files: their paths and contents, in path order. */
export function hashOf(files: ReadonlyMap<string, string> | Record<string, string>): string {
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  const h = createHash('sha256');
  for (const [file, text] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${file}\0${text.length}\0${text}\0`);
  return h.digest('hex');
}

/**
 * Expects two sets of files to be the same, by hash; when they are not, names the files that differ (and the first
 * line that does), rather than printing whole estates.
 */
export function expectSameFiles(actual: Record<string, string>, expected: ReadonlyMap<string, string>, expectedHash = hashOf(expected)): void {
  expect(Object.keys(actual).length).toBeGreaterThan(0);
  if (hashOf(actual) === expectedHash) return;
  const differences: string[] = [];
  for (const file of new Set([...Object.keys(actual), ...expected.keys()])) {
    const a = actual[file];
    const e = expected.get(file);
    if (a === undefined) differences.push(`${file}: missing`);
    else if (e === undefined) differences.push(`${file}: not expected`);
    else if (a !== e) {
      const al = a.split('\n');
      const el = e.split('\n');
      const at = al.findIndex((l, i) => l !== el[i]);
      differences.push(`${file}:${at + 1}: got ${JSON.stringify(al[at])}, expected ${JSON.stringify(el[at])}`);
    }
  }
  expect(differences).toEqual([]);
}

/** The YAML documents of a file as written: split on the `---` lines. */
function documents(text: string): string[] {
  return text.split(/^---\n/m).filter((d) => d.trim() !== '');
}

const synthesized = new Map<string, Synthesized>();

/** An example built and synthesized through the API, once per test file. */
export function synthesize(example: string): Synthesized {
  let s = synthesized.get(example);
  if (!s) {
    const platform = load(example)();
    const files = new ManifestStack(platform).files();
    const objects: WrittenObject[] = [];
    for (const [file, text] of files) {
      if (!isObjectFile(file)) continue;
      for (const doc of documents(text)) objects.push({ cluster: file.split('/')[0], file, object: parse(doc) as KubeObject, text: doc });
    }
    s = { platform, files, objects, hash: hashOf(files) };
    synthesized.set(example, s);
  }
  return s;
}

function count<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** A kind as the summaries name it: `<Kind>` for core kinds, `<Kind>.<group>` else (as kubectl does). */
function kindName(o: KubeObject): string {
  return o.apiVersion.includes('/') ? `${o.kind}.${o.apiVersion.split('/')[0]}` : o.kind;
}

/** Sorted object of counts, one line each in a snapshot. */
function sortedCounts(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * What an example holds, in numbers: objects per cluster and kind, per namespace, and files per folder. A change of
 * the example's estate changes these lines, and the reviewer sees how many of what changed.
 */
export function summary(s: Synthesized): Record<string, unknown> {
  const byCluster = new Map<string, Map<string, number>>();
  const byNamespace = new Map<string, number>();
  const byFolder = new Map<string, number>();
  for (const o of s.objects) {
    const kinds = byCluster.get(o.cluster) ?? new Map<string, number>();
    byCluster.set(o.cluster, kinds);
    count(kinds, kindName(o.object));
    if (o.object.metadata.namespace !== undefined) count(byNamespace, `${o.cluster}/${o.object.metadata.namespace}`);
  }
  for (const file of s.files.keys()) count(byFolder, path.dirname(file));
  return {
    objects: s.objects.length,
    files: s.files.size,
    'files per folder': sortedCounts(byFolder),
    'objects per cluster and kind': Object.fromEntries([...byCluster].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, kinds]) => [c, sortedCounts(kinds)])),
    'namespaced objects per cluster/namespace': sortedCounts(byNamespace),
  };
}

/**
 * A few objects that stand for the rest, for review: one per kind (the first by cluster, namespace and name), and
 * one file of each other kind of file (CI files, installation files: the first of each folder's file type).
 */
export function representatives(s: Synthesized): Record<string, string> {
  const out = new Map<string, string>();
  const sorted = [...s.objects].sort((a, b) => {
    const ka = `${a.cluster} ${a.object.metadata.namespace ?? ''} ${a.object.metadata.name}`;
    const kb = `${b.cluster} ${b.object.metadata.namespace ?? ''} ${b.object.metadata.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  for (const o of sorted) {
    const title = `${kindName(o.object)} (e.g. ${o.cluster} ${o.object.metadata.namespace ? `${o.object.metadata.namespace}/` : ''}${o.object.metadata.name})`;
    if (![...out.keys()].some((k) => k.startsWith(`${kindName(o.object)} (`))) out.set(title, o.text);
  }
  const fileKinds = new Set<string>();
  for (const file of [...s.files.keys()].filter((f) => !isObjectFile(f)).sort()) {
    const kind = `${file.split('/')[0]} ${path.basename(file).replace(/^[^.]*/, '')}`;
    if (fileKinds.has(kind)) continue;
    fileKinds.add(kind);
    out.set(`file ${file}`, s.files.get(file) as string);
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** How an example is checked. */
export interface ExampleOptions {
  /**
   * `whole`: the whole output is snapshotted (a small example, whose snapshot a reviewer reads in full);
   * `representatives`: one object per kind and one file per kind of file.
   */
  readonly snapshot: 'whole' | 'representatives';
  /**
   * The entry points other than the API that run in the quick tier (`npm test`): the command line (`cli`) and
   * `cdk8s synth` (`cdk8s`); every entry point runs in the full tier (`npm run test:full`). A large example's output
   * through them is the same code as a small one's.
   * @default - both
   */
  readonly quickTier?: readonly ('cli' | 'cdk8s')[];
}

/** Declares the checks of one example. */
export function describeExample(example: string, options: ExampleOptions): void {
  describe(`the example ${example}`, () => {
    const s = (): Synthesized => synthesize(example);

    it('holds, per cluster and kind and per namespace, the objects of the snapshot', () => {
      expect(summary(s())).toMatchSnapshot();
    });

    if (options.snapshot === 'whole') {
      it('synthesizes to the snapshot', () => {
        expect(Object.fromEntries(s().files)).toMatchSnapshot();
      });
    } else {
      it('synthesizes objects like the snapshot\'s, one of each kind', () => {
        for (const [title, text] of Object.entries(representatives(s()))) expect(text).toMatchSnapshot(title);
      });
    }

    it('renames or drops no object without saying so (test/examples/names/)', () => {
      checkNames(example, namesOf(s().objects), ROOT);
    });

    it('writes only objects that are valid against the Kubernetes 1.27 and KubeSphere 4.1 schemas, strictly', () => {
      const v = validator();
      // The CRDs an example includes as vendor YAML (examples/<example>/vendor/), so that its instances are validated too.
      const vendor = path.join(ROOT, 'examples', example, 'vendor');
      if (fs.existsSync(vendor)) v.addCrdFolder(vendor);
      const findings: string[] = [];
      let checked = 0;
      for (const { file, object } of s().objects) {
        if (!canValidate(object.apiVersion)) continue;
        checked++;
        for (const f of v.validate(object)) findings.push(`${file}: ${f.object} ${f.path}: ${f.message}`);
      }
      if (!HAS_KUBESPHERE_V4) console.warn(KUBESPHERE_V4_SKIPPED);
      expect(findings).toEqual([]);
      expect(checked).toBeGreaterThan(0);
    });

    it('gives byte-identical output when built and synthesized again, and writes those bytes', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pcdk-${example}-`));
      try {
        new ManifestStack(load(example)(), { outdir: dir }).synth();
        expectSameFiles(readTree(dir), s().files, s().hash);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('never writes a Workspace (KubeSphere creates those from WorkspaceTemplates)', () => {
      for (const text of s().files.values()) expect(text).not.toMatch(/^kind: Workspace$/m);
    });

    const quick = options.quickTier ?? ['cli', 'cdk8s'];
    const inTier = (entry: 'cli' | 'cdk8s'): jest.It => (FULL || quick.includes(entry) ? it : it.skip);

    inTier('cli')('synthesizes with the command line, `platform-cdk synth --app examples/<example>/main.ts`, to the same files', () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `pcdk-cli-${example}-`));
      try {
        const r = cli('synth', '--app', path.join(ROOT, 'examples', example, 'main.ts'), '--out', out, '--quiet');
        expect(r.stderr).not.toMatch(/error/i);
        expect(r.code).toBe(0);
        expectSameFiles(readTree(out), s().files, s().hash);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });

    inTier('cdk8s')('synthesizes with `cdk8s synth`, through the validation plugin, to the same files', () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `pcdk-cdk8s-${example}-`));
      try {
        execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '--app', `${path.join(ROOT, 'node_modules', '.bin', 'tsx')} examples/${example}/main.ts`, '--output', out], {
          cwd: ROOT,
          encoding: 'utf8',
          stdio: 'pipe',
        });
        expectSameFiles(readTree(out), s().files, s().hash);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  });
}
