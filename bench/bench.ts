/**
 * `npm run bench`: how synthesis scales with the size of the estate, against a floor.
 *
 * For each N (services; 4 environments on 4 clusters, so about 12.4 objects per service):
 *   a  platform-cdk: build the model and `new ManifestStack(platform, { outdir }).synth()`
 *   c  the floor:    the same objects as plain values, written with `JSON.stringify` in the same layout
 * Each run is a fresh `node` process on JavaScript compiled once at start (no tsx in the children). The
 * child measures its wall time from before the model is built to after the output is written, and its peak
 * RSS; the parent measures the child's whole process. Medians over the runs are reported.
 *
 * Before timing, the outputs of both at N = 60 are read back and compared object by object; the bench stops
 * with exit code 1 if they differ.
 *
 *   BENCH_SIZES=60,600,3000  the N to run (default 60,600,3000)
 *   BENCH_RUNS=3             runs per variant and N (default 3)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ChildReport } from './child-protocol';
import { compareOutputs } from './compare';

/** A variant of the bench. */
type Variant = 'a' | 'c';

/** One child run: its own report and its whole-process time as the parent saw it. */
interface Run {
  readonly report: ChildReport;
  readonly processMs: number;
}

/** The medians of one variant at one N. */
interface Summary {
  readonly objects: number;
  readonly wallMs: number;
  readonly processMs: number;
  readonly rssMiB: number;
}

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.bench');
const BUILD = path.join(WORK, 'build');
const CHILD: Record<Variant, string> = {
  a: path.join(BUILD, 'bench', 'child-a.js'),
  c: path.join(BUILD, 'bench', 'child-c.js'),
};
const CHECK_N = 60;
const TARGET_N = 3000;
const TARGET_RATIO = 5;
const TARGET_RSS_MIB = 1024;

function envList(name: string, fallback: number[]): number[] {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`${name} must be positive whole numbers separated by commas; got ${JSON.stringify(text)}`);
  return values;
}

/** The environment of a child: the parent's, without what tsx or a debugger might inject. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k.startsWith('TSX') || k.startsWith('ESBK')) continue;
    env[k] = v;
  }
  return env;
}

function compile(): number {
  const start = performance.now();
  fs.rmSync(BUILD, { recursive: true, force: true });
  const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc');
  const r = spawnSync(tsc, ['-p', path.join(ROOT, 'bench', 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`bench: compiling with tsc failed\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  return performance.now() - start;
}

function runChild(variant: Variant, n: number, outdir: string): Run {
  fs.rmSync(outdir, { recursive: true, force: true });
  const start = performance.now();
  const r = spawnSync(process.execPath, [CHILD[variant], String(n), outdir], { cwd: ROOT, encoding: 'utf8', env: childEnv() });
  const processMs = performance.now() - start;
  if (r.status !== 0 || r.error) {
    process.stderr.write(`bench: variant ${variant} at N=${n} failed (exit ${r.status})\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}\n`);
    process.exit(1);
  }
  const report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as ChildReport;
  return { report, processMs };
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function summarize(runs: Run[]): Summary {
  return {
    objects: runs[0].report.objects,
    wallMs: median(runs.map((r) => r.report.wallMs)),
    processMs: median(runs.map((r) => r.processMs)),
    rssMiB: median(runs.map((r) => r.report.maxRssKiB)) / 1024,
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (x: number): string => x.toFixed(1);
const ratio = (x: number): string => `${x.toFixed(2)}x`;

function main(): void {
  const sizes = envList('BENCH_SIZES', [60, 600, 3000]);
  const [runs] = envList('BENCH_RUNS', [3]);
  fs.mkdirSync(WORK, { recursive: true });
  const out = (variant: Variant, n: number): string => path.join(WORK, `out-${variant}-${n}`);

  const compileMs = compile();
  process.stdout.write(`bench: compiled with tsc to ${path.relative(ROOT, BUILD)}/ in ${ms(compileMs)} ms; node ${process.version}; ${runs} runs per variant and N; sizes ${sizes.join(', ')}\n`);

  // The proof that both variants write the same objects (also a warm-up of the file cache).
  const checkA = runChild('a', CHECK_N, path.join(WORK, 'out-check-a'));
  const checkC = runChild('c', CHECK_N, path.join(WORK, 'out-check-c'));
  if (checkA.report.warnings > 0) {
    process.stderr.write(`bench: the bench estate has ${checkA.report.warnings} warnings; it should have none\n`);
    process.exit(1);
  }
  const cmp = compareOutputs(path.join(WORK, 'out-check-a'), path.join(WORK, 'out-check-c'));
  if (cmp.difference === undefined && checkA.report.objects !== checkC.report.objects) {
    process.stderr.write(`bench: at N=${CHECK_N} platform-cdk reports ${checkA.report.objects} objects and the floor ${checkC.report.objects}\n`);
    process.exit(1);
  }
  if (cmp.difference !== undefined) {
    process.stderr.write(`bench: at N=${CHECK_N} the floor does not write the same objects as platform-cdk:\n  ${cmp.difference}\n`);
    process.exit(1);
  }
  process.stdout.write(`bench: at N=${CHECK_N} the floor and platform-cdk write the same ${cmp.objects} objects in the same ${cmp.files} files\n\n`);

  const results = new Map<number, Record<Variant, Summary>>();
  for (const n of sizes) {
    const byVariant: Record<Variant, Run[]> = { a: [], c: [] };
    for (let r = 0; r < runs; r++) {
      const order: Variant[] = r % 2 === 0 ? ['a', 'c'] : ['c', 'a'];
      for (const v of order) byVariant[v].push(runChild(v, n, out(v, n)));
    }
    const a = summarize(byVariant.a);
    const c = summarize(byVariant.c);
    if (a.objects !== c.objects) process.stderr.write(`bench: at N=${n} platform-cdk wrote ${a.objects} objects and the floor ${c.objects}\n`);
    results.set(n, { a, c });
    process.stdout.write(`bench: N=${n} done (a ${ms(a.wallMs)} ms, c ${ms(c.wallMs)} ms in-child, medians)\n`);
  }

  const rows = sizes.map((n) => {
    const { a, c } = results.get(n) as Record<Variant, Summary>;
    return [
      String(n),
      String(a.objects),
      ms(a.wallMs),
      ms(a.processMs),
      ms(c.wallMs),
      ms(c.processMs),
      ratio(a.wallMs / c.wallMs),
      ratio(a.processMs / c.processMs),
      a.rssMiB.toFixed(1),
      c.rssMiB.toFixed(1),
      ((a.wallMs * 1000) / a.objects).toFixed(1),
    ];
  });
  process.stdout.write(
    `\n${table(['N', 'objects', 'a ms', 'a proc ms', 'c ms', 'c proc ms', 'a/c', 'a/c proc', 'a RSS MB', 'c RSS MB', 'a us/obj'], rows)}\n`,
  );
  process.stdout.write('  (ms: median in-child wall time, model build to files written; proc ms: whole child process as seen by the parent; RSS: peak)\n');

  const base = results.has(CHECK_N) ? CHECK_N : sizes[0];
  const b = results.get(base) as Record<Variant, Summary>;
  const perObject = (s: Summary, t: number): number => (t * 1000) / s.objects;
  const relRows = sizes.map((n) => {
    const { a, c } = results.get(n) as Record<Variant, Summary>;
    return [
      String(n),
      perObject(a, a.wallMs).toFixed(1),
      ratio(perObject(a, a.wallMs) / perObject(b.a, b.a.wallMs)),
      perObject(a, a.processMs).toFixed(1),
      ratio(perObject(a, a.processMs) / perObject(b.a, b.a.processMs)),
      perObject(c, c.wallMs).toFixed(1),
      ratio(perObject(c, c.wallMs) / perObject(b.c, b.c.wallMs)),
    ];
  });
  process.stdout.write(`\nTime per object relative to N=${base}:\n`);
  process.stdout.write(`${table(['N', 'a us/obj', 'vs base', 'a proc us/obj', 'vs base', 'c us/obj', 'vs base'], relRows)}\n`);

  process.stdout.write(`\nTargets (from the issue), at N=${TARGET_N}:\n`);
  const t = results.get(TARGET_N);
  if (!t) {
    process.stdout.write(`  not measured: N=${TARGET_N} is not in BENCH_SIZES\n`);
    return;
  }
  const procRatio = t.a.processMs / t.c.processMs;
  const met = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
  process.stdout.write(`  a within ${TARGET_RATIO}x the floor (whole-process ratio): ${ratio(procRatio)}  ${met(procRatio <= TARGET_RATIO)}\n`);
  process.stdout.write(`  a peak memory under 1 GiB: ${t.a.rssMiB.toFixed(1)} MB  ${met(t.a.rssMiB < TARGET_RSS_MIB)}\n`);
}

main();
