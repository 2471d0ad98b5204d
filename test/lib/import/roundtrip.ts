/**
 * The round trip of `platform-cdk import`: an estate's output made into a realistic export (the fields a server
 * adds, KubeSphere's creator annotations, a controller's ReplicaSet), imported, and the program synthesized again.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack, Platform } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { diffOutputs } from '../../../lib/diff';
import type { OutputDiff } from '../../../lib/diff';
import { importEstate } from '../../../lib/import';
import type { ImportOptions, ImportResult } from '../../../lib/import';

/** The repository's root. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

type Obj = Record<string, unknown>;

/** An object as the API server gives it back: uid, resourceVersion, managedFields, status, creator annotations. */
export function asLive(o: Obj, i: number): Obj {
  const metadata = { ...(o.metadata as Obj) };
  metadata.uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  metadata.resourceVersion = String(1000 + i);
  metadata.creationTimestamp = '2026-01-01T00:00:00Z';
  metadata.generation = 1;
  metadata.managedFields = [{ manager: 'kubectl', operation: 'Apply', apiVersion: String(o.apiVersion) }];
  metadata.annotations = { ...(metadata.annotations as Obj | undefined), 'kubesphere.io/creator': 'admin' };
  const live: Obj = { ...o, metadata, status: {} };
  if (o.kind === 'Deployment') live.status = { replicas: 1, readyReplicas: 1 };
  return live;
}

/** Writes an output (files by path) as an export folder of `kubectl get -o yaml` Lists; returns the folder. */
export function writeExport(files: ReadonlyMap<string, string>, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-export-'))): string {
  let i = 0;
  for (const [file, text] of files) {
    if (!file.endsWith('.yaml') || file.split('/').some((p) => p.startsWith('_'))) continue;
    const items = parseAllDocuments(text).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null).map((o) => asLive(o, i++));
    const out = path.join(dir, file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1));
  }
  return dir;
}

/** Loads a generated program (written beside the tests so that `platform-cdk` resolves) and returns its platform. */
export function loadProgram(program: string, name: string): Platform {
  const file = path.join(__dirname, `.generated-${name}-${process.pid}.ts`);
  fs.writeFileSync(file, program);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { build: () => Platform };
    return mod.build();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** The result of a round trip. */
export interface RoundTrip {
  /** The import's result. */
  readonly imported: ImportResult;
  /** The program's output against the export (`diff --live`). */
  readonly diff: OutputDiff;
  /** The program's output files. */
  readonly files: ReadonlyMap<string, string>;
}

/** Synthesizes a platform, exports it, imports it and synthesizes the program; diffs the two. */
export function roundTrip(platform: Platform, name: string, options: ImportOptions = {}): RoundTrip {
  const files = new ManifestStack(platform).files();
  const dir = writeExport(files);
  try {
    const imported = importEstate(dir, { platform: platform.node.id, ...options });
    const again = new ManifestStack(loadProgram(imported.program, name)).files();
    const live = new Map([...fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })].filter((f) => f.endsWith('.yaml')).map((f) => [f.split(path.sep).join('/'), fs.readFileSync(path.join(dir, f), 'utf8')]));
    return { imported, diff: diffOutputs(live, again, { live: true }), files: again };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Imports a platform's output after `change` edited each exported object (as a console or a person would). */
export function importChanged(platform: Platform, change: (o: Obj) => void, options: ImportOptions = {}): ImportResult {
  const dir = writeExport(new ManifestStack(platform).files());
  try {
    for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((x) => x.endsWith('.yaml'))) {
      const file = path.join(dir, f);
      const list = JSON.parse(fs.readFileSync(file, 'utf8')) as { items: Obj[] };
      list.items.forEach(change);
      fs.writeFileSync(file, JSON.stringify(list));
    }
    return importEstate(dir, { platform: platform.node.id, ...options });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Type-checks generated programs beside the project's entry point, with the project's strict options
 * (`noUnusedLocals` …); returns what `tsc --noEmit` printed and its exit status.
 * @param programs the programs' texts, by file name (without `.ts`)
 */
export function typeCheckPrograms(programs: Record<string, string>): { output: string; status: number | null } {
  const dir = fs.mkdtempSync(path.join(__dirname, '.typecheck-'));
  try {
    for (const [name, text] of Object.entries(programs)) fs.writeFileSync(path.join(dir, `${name}.ts`), text);
    const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    const config = { compilerOptions: { ...base.compilerOptions, baseUrl: ROOT, rootDir: ROOT, noEmit: true }, files: Object.keys(programs).map((n) => `${n}.ts`) };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { cwd: ROOT, encoding: 'utf8' });
    return { output: `${r.stdout}${r.stderr}`.trim(), status: r.status };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
