/**
 * `npm run bench`: how synthesis scales with the size of the estate, against a floor.
 *
 * For each N (services, each configured, exposed, autoscaled and with a disruption budget; 4 environments on 4
 * clusters, so about 32 objects per service):
 *   a  platform-cdk: build the model and `new ManifestStack(platform, { outdir }).synth()`
 *   b  hand-written: the same estate written by hand with cdk8s and cdk8s-plus-27 (one chart per cluster),
 *                    `app.synth()` writing cdk8s's own YAML (`handwritten.ts`)
 *   c  the floor:    the same objects as plain values, written with `JSON.stringify` in the same layout
 *   v  validation:   build the model and render it, build the schema validator of its target (`validatorFor`),
 *                    then check the whole output, schemas and policy rules (`checkRendered`); v's time is the
 *                    check's own, reported beside a's as v / a (the issue's target: at most 1 at N = 3000), with
 *                    the validator's build (once per process) reported apart (`child-v.ts`)
 *   w  warmed:       as a, but the process first synthesizes a warm-up estate of 600 services (untimed for the
 *                    figure), so that V8 has compiled and optimized the code, then times N's estate
 *                    (`child-a.ts warm`): the steady-state cost per object, which tells how synthesis scales
 *                    apart from the warm-up that a's first synthesis of a fresh process pays
 * Each run is a fresh `node` process on JavaScript compiled once at start (no tsx in the children). The
 * child measures its wall time from before the model is built to after the output is written, and its peak
 * RSS; the parent measures the child's whole process. Medians over the runs are reported.
 *
 * The variants run in rotating order (a b c v w, b c v w a, c v w a b, ...). Before timing, the outputs of a and c at N = 60
 * are read back and compared object by object, and b's output is checked to hold the same objects (by cluster,
 * kind, namespace and name; not their contents, since cdk8s-plus-27 adds its own defaults); the bench stops with
 * exit code 1 if they differ. Every run of v must find no error (waived findings and warnings are allowed: the
 * estate serves its non-production hosts over plain HTTP, an `exposure-tls` warning each); the bench stops with
 * exit code 1 otherwise.
 *
 *   BENCH_SIZES=60,600,3000  the N to run (default 60,600,3000)
 *   BENCH_RUNS=3             runs per variant and N (default 3)
 *   BENCH_B_MAX=3000         the largest N variant b runs at; above it b is "skipped" (default 3000)
 *   BENCH_CRDS=dir,dir       more CRD folders v validates against (default the KubeSphere 4.1 CRDs in
 *                            ../shared/schemas/kubesphere/v4 when that folder exists, as the tests; without them
 *                            the KubeSphere kinds are not validated and v says so)
 *
 * Then, for the sizes in BENCH_PULUMI_SIZES (default 60,600):
 *   p  Pulumi:       build the model and register every environment's stack with `PulumiStack` under Pulumi's
 *                    mocks, as plain node (`child-p.ts`)
 * and, at the largest N, the YAML writer against the `yaml` package and JSON.stringify on the same objects
 * (`child-y.ts`).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { CheckReport, ChildReport } from './child-protocol';
import { compareIdentities, compareOutputs } from './compare';
import { pulumiBench } from './pulumi-bench';

/** A variant of the bench. */
type Variant = 'a' | 'b' | 'c' | 'p' | 'v' | 'w';

/** One child run: its own report and its whole-process time as the parent saw it. */
interface Run {
  readonly report: ChildReport;
  readonly processMs: number;
}

/** The medians of every variant at one N; `b` is missing where it was skipped (N above `BENCH_B_MAX`). */
interface Results {
  readonly a: Summary;
  readonly b?: Summary;
  readonly c: Summary;
  readonly v: CheckSummary;
  readonly w: WarmSummary;
}

/** The medians of variant w at one N: the synthesis of N's estate after a warm-up synthesis in the same process. */
interface WarmSummary {
  readonly objects: number;
  /** The timed synthesis, after the warm-up. */
  readonly warmMs: number;
  /** The warm-up synthesis (the 600-service estate, cold). */
  readonly warmupMs: number;
}

/** The medians of one variant at one N. */
interface Summary {
  readonly objects: number;
  readonly wallMs: number;
  readonly processMs: number;
  readonly rssMiB: number;
}

/** The medians of variant v at one N: `wallMs` is the check's own time. */
interface CheckSummary extends Summary {
  readonly validatorMs: number;
  readonly againMs: number;
  readonly modelAndRenderMs: number;
  /** The most errors of a run (0: the bench stops on any). */
  readonly errors: number;
  /** Of the last run (the same in every run). */
  readonly warnings: number;
  readonly byRule: Readonly<Record<string, number>>;
  readonly unvalidated: readonly string[];
}

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.bench');
const BUILD = path.join(WORK, 'build');
const CHILD: Record<Variant, string> = {
  a: path.join(BUILD, 'bench', 'child-a.js'),
  b: path.join(BUILD, 'bench', 'child-b.js'),
  c: path.join(BUILD, 'bench', 'child-c.js'),
  p: path.join(BUILD, 'bench', 'child-p.js'),
  v: path.join(BUILD, 'bench', 'child-v.js'),
  w: path.join(BUILD, 'bench', 'child-a.js'),
};
const CHECK_N = 60;
const TARGET_N = 3000;
/** a / b at most: five times faster than hand-written cdk8s-plus-27. */
const TARGET_AB = 0.2;
/** a / c at most: within four times the JSON.stringify floor. */
const TARGET_AC = 4;
/** a's peak memory at most this share of b's. */
const TARGET_RSS_SHARE = 0.5;
/** Time per object at the smallest N within this share of its value at N = TARGET_N. */
const TARGET_PER_OBJECT = 0.25;
/** Validation in no more time than synthesis. */
const TARGET_CHECK_RATIO = 1;
/** Where the tests look for the KubeSphere 4.1 CRDs (not shipped), v's default extra CRD folder. */
const KUBESPHERE_V4_DIR = path.resolve(ROOT, '..', 'shared', 'schemas', 'kubesphere', 'v4');

/** The CRD folders v validates against besides the shipped ones: `BENCH_CRDS`, else the KubeSphere 4.1 CRDs if there. */
function crdDirs(): string[] {
  const text = process.env.BENCH_CRDS;
  if (text !== undefined && text.trim() !== '') return text.split(',').map((d) => path.resolve(d.trim()));
  return fs.existsSync(KUBESPHERE_V4_DIR) ? [KUBESPHERE_V4_DIR] : [];
}
const CRD_DIRS = crdDirs();

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
  // tsc writes the JavaScript even when it reports type errors: the bench runs it if every child was written.
  const missing = Object.values(CHILD).filter((f) => !fs.existsSync(f));
  if (r.status !== 0 && missing.length > 0) {
    process.stderr.write(`bench: compiling with tsc failed\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  if (r.status !== 0) {
    const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => / error TS\d+:/.test(l));
    process.stderr.write(`bench: tsc reported ${errors.length} type errors (the JavaScript was written and is run):\n${errors.slice(0, 5).map((l) => `  ${l}`).join('\n')}\n`);
  }
  // The compiled library finds its schemas beside it (`lib/check.ts`, `lib/schema.ts`: `<lib>/../schemas`).
  fs.symlinkSync(path.join(ROOT, 'schemas'), path.join(BUILD, 'schemas'), 'dir');
  return performance.now() - start;
}

function runChild(variant: Variant, n: number, outdir: string): Run {
  fs.rmSync(outdir, { recursive: true, force: true });
  if (variant === 'w') fs.rmSync(`${outdir}-warmup`, { recursive: true, force: true });
  const start = performance.now();
  const args = [CHILD[variant], String(n), outdir, ...(variant === 'v' ? CRD_DIRS : []), ...(variant === 'w' ? ['warm'] : [])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: childEnv() });
  const processMs = performance.now() - start;
  if (r.status !== 0 || r.error) {
    process.stderr.write(`bench: variant ${variant} at N=${n} failed (exit ${r.status})\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}\n`);
    process.exit(1);
  }
  const report = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as ChildReport;
  if (variant === 'w' && report.warmupMs === undefined) {
    process.stderr.write(`bench: variant w at N=${n} reported no warm-up synthesis\n`);
    process.exit(1);
  }
  if (variant === 'v' && (report.check === undefined || report.check.errors > 0)) {
    const errors = report.check?.firstErrors.map((e) => `  ${e}`).join('\n') ?? '  (no check report)';
    process.stderr.write(`bench: the check of the bench estate at N=${n} found ${report.check?.errors ?? '?'} errors; it should find none:\n${errors}\n`);
    process.exit(1);
  }
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

function summarizeCheck(runs: Run[]): CheckSummary {
  const checks = runs.map((r) => r.report.check as CheckReport);
  const last = runs[runs.length - 1].report;
  return {
    ...summarize(runs),
    validatorMs: median(checks.map((c) => c.validatorMs)),
    againMs: median(checks.map((c) => c.againMs)),
    modelAndRenderMs: median(checks.map((c) => c.modelAndRenderMs)),
    errors: Math.max(...checks.map((c) => c.errors)),
    warnings: last.warnings,
    byRule: (last.check as CheckReport).byRule,
    unvalidated: (last.check as CheckReport).unvalidated,
  };
}

function summarizeWarm(runs: Run[]): WarmSummary {
  return {
    objects: runs[0].report.objects,
    warmMs: median(runs.map((r) => r.report.wallMs)),
    warmupMs: median(runs.map((r) => r.report.warmupMs as number)),
  };
}

const describeFindings = (byRule: Readonly<Record<string, number>>): string =>
  Object.keys(byRule).length === 0 ? 'no findings' : Object.entries(byRule).map(([k, count]) => `${count} ${k}`).join(', ');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number; got ${JSON.stringify(text)}`);
  return value;
}

const ms = (x: number): string => x.toFixed(1);
const ratio = (x: number): string => `${x.toFixed(2)}x`;

function main(): void {
  const sizes = envList('BENCH_SIZES', [60, 600, 3000]);
  const [runs] = envList('BENCH_RUNS', [3]);
  const bMax = envNumber('BENCH_B_MAX', 3000);
  const runsB = (n: number): boolean => n <= bMax;
  fs.mkdirSync(WORK, { recursive: true });
  const out = (variant: Variant, n: number): string => path.join(WORK, `out-${variant}-${n}`);

  const compileMs = compile();
  process.stdout.write(`bench: compiled with tsc to ${path.relative(ROOT, BUILD)}/ in ${ms(compileMs)} ms; node ${process.version}; ${runs} runs per variant and N; sizes ${sizes.join(', ')}; b up to N=${bMax}\n`);
  process.stdout.write(
    `bench: v validates against the shipped schemas${CRD_DIRS.length > 0 ? ` and ${CRD_DIRS.map((d) => path.relative(ROOT, d)).join(', ')}` : ' only (no KubeSphere 4.1 CRDs found: set BENCH_CRDS)'}\n`,
  );

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
  process.stdout.write(`bench: at N=${CHECK_N} the floor and platform-cdk write the same ${cmp.objects} objects in the same ${cmp.files} files\n`);
  if (runsB(CHECK_N)) {
    const checkB = runChild('b', CHECK_N, path.join(WORK, 'out-check-b'));
    const ids = compareIdentities(path.join(WORK, 'out-check-a'), path.join(WORK, 'out-check-b'));
    if (ids.difference === undefined && checkB.report.objects !== ids.objects) {
      process.stderr.write(`bench: at N=${CHECK_N} hand-written cdk8s-plus-27 reports ${checkB.report.objects} objects and platform-cdk ${ids.objects}\n`);
      process.exit(1);
    }
    if (ids.difference !== undefined) {
      process.stderr.write(`bench: at N=${CHECK_N} hand-written cdk8s-plus-27 does not write the same objects as platform-cdk:\n  ${ids.difference}\n`);
      process.exit(1);
    }
    process.stdout.write(
      `bench: at N=${CHECK_N} hand-written cdk8s-plus-27 writes the same ${ids.objects} objects (cluster, kind, namespace, name) in ${ids.files} files; contents not compared (cdk8s-plus defaults)\n`,
    );
  }
  // The check of the estate: no error (runChild stops the bench otherwise), every object of a's output checked.
  const checkV = runChild('v', CHECK_N, path.join(WORK, 'out-check-v'));
  const vc = checkV.report.check as CheckReport;
  if (checkV.report.objects !== checkA.report.objects) {
    process.stderr.write(`bench: at N=${CHECK_N} the check saw ${checkV.report.objects} objects and platform-cdk wrote ${checkA.report.objects}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `bench: at N=${CHECK_N} the schema and policy check of the ${checkV.report.objects} objects finds no error (${describeFindings(vc.byRule)}${vc.waived > 0 ? `; ${vc.waived} waived` : ''}); kinds without a schema: ${vc.unvalidated.length === 0 ? 'none' : vc.unvalidated.join(', ')}\n`,
  );
  process.stdout.write('\n');

  const results = new Map<number, Results>();
  for (const n of sizes) {
    const variants: Variant[] = runsB(n) ? ['a', 'b', 'c', 'v', 'w'] : ['a', 'c', 'v', 'w'];
    const byVariant: Record<Variant, Run[]> = { a: [], b: [], c: [], p: [], v: [], w: [] };
    for (let r = 0; r < runs; r++) {
      const order = variants.map((_, i) => variants[(i + r) % variants.length]);
      for (const v of order) byVariant[v].push(runChild(v, n, out(v, n)));
    }
    const a = summarize(byVariant.a);
    const b = runsB(n) ? summarize(byVariant.b) : undefined;
    const c = summarize(byVariant.c);
    const v = summarizeCheck(byVariant.v);
    const w = summarizeWarm(byVariant.w);
    if (a.objects !== w.objects) process.stderr.write(`bench: at N=${n} platform-cdk wrote ${a.objects} objects and its warmed run ${w.objects}\n`);
    if (a.objects !== v.objects) process.stderr.write(`bench: at N=${n} platform-cdk wrote ${a.objects} objects and the check saw ${v.objects}\n`);
    if (a.objects !== c.objects) process.stderr.write(`bench: at N=${n} platform-cdk wrote ${a.objects} objects and the floor ${c.objects}\n`);
    if (b && a.objects !== b.objects) process.stderr.write(`bench: at N=${n} platform-cdk wrote ${a.objects} objects and hand-written cdk8s-plus-27 ${b.objects}\n`);
    results.set(n, { a, b, c, v, w });
    const bText = b ? `b ${ms(b.wallMs)} ms` : 'b skipped';
    process.stdout.write(`bench: N=${n} done (a ${ms(a.wallMs)} ms, ${bText}, c ${ms(c.wallMs)} ms, v ${ms(v.wallMs)} ms in-child, medians)\n`);
  }
  const resultsAt = (n: number): Results => results.get(n) as Results;

  const rows = sizes.map((n) => {
    const { a, c, v } = resultsAt(n);
    return [
      String(n),
      String(a.objects),
      ms(a.wallMs),
      ms(a.processMs),
      ms(v.wallMs),
      ratio(v.wallMs / a.wallMs),
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
    `\n${table(['N', 'objects', 'a ms', 'a proc ms', 'v ms', 'v/a', 'c ms', 'c proc ms', 'a/c', 'a/c proc', 'a RSS MB', 'c RSS MB', 'a us/obj'], rows)}\n`,
  );
  process.stdout.write('  (ms: median in-child wall time, model build to files written; v ms: the schema and policy check of the whole output alone; proc ms: whole child process as seen by the parent; RSS: peak)\n');

  const vRows = sizes.map((n) => {
    const { a, v } = resultsAt(n);
    return [
      String(n),
      String(v.objects),
      ms(a.wallMs),
      ms(v.wallMs),
      ratio(v.wallMs / a.wallMs),
      ms(v.validatorMs),
      ratio((v.validatorMs + v.wallMs) / a.wallMs),
      ms(v.againMs),
      ms(v.modelAndRenderMs),
      ms(v.processMs),
      v.rssMiB.toFixed(1),
      ((v.wallMs * 1000) / v.objects).toFixed(1),
      String(v.errors),
      String(v.warnings),
    ];
  });
  process.stdout.write(`\nSchema and policy check of the whole output (v; ${runs} runs per N, medians):\n`);
  process.stdout.write(
    `${table(['N', 'objects', 'a ms', 'v check ms', 'v/a', 'validator ms', '(validator+v)/a', 'v again ms', 'model+render ms', 'v proc ms', 'v RSS MB', 'v us/obj', 'errors', 'warnings'], vRows)}\n`,
  );
  process.stdout.write(
    '  (v check ms: `checkRendered` over every object, compiling each kind\'s schema on its first object; validator ms: building the validator before it, once per process; v again ms: a second check in the same process, schemas compiled; v RSS: peak up to the end of the first check)\n',
  );
  const vLast = resultsAt(sizes[sizes.length - 1]).v;
  process.stdout.write(`  findings at N=${sizes[sizes.length - 1]}: ${describeFindings(vLast.byRule)}; kinds without a schema: ${vLast.unvalidated.length === 0 ? 'none' : vLast.unvalidated.join(', ')}\n`);

  const SKIPPED = 'skipped';
  const bRows = sizes.map((n) => {
    const { a, b } = resultsAt(n);
    if (!b) return [String(n), SKIPPED, ms(a.wallMs), SKIPPED, SKIPPED, ms(a.processMs), SKIPPED, SKIPPED, a.rssMiB.toFixed(1), SKIPPED, SKIPPED];
    return [
      String(n),
      String(b.objects),
      ms(a.wallMs),
      ms(b.wallMs),
      ratio(a.wallMs / b.wallMs),
      ms(a.processMs),
      ms(b.processMs),
      ratio(a.processMs / b.processMs),
      a.rssMiB.toFixed(1),
      b.rssMiB.toFixed(1),
      ratio(a.rssMiB / b.rssMiB),
    ];
  });
  process.stdout.write(`\nAgainst hand-written cdk8s-plus-27 (b; ${runs} runs per N, medians; b's objects are the same ones but not the same contents):\n`);
  process.stdout.write(
    `${table(['N', 'b objects', 'a ms', 'b ms', 'a/b', 'a proc ms', 'b proc ms', 'a/b proc', 'a RSS MB', 'b RSS MB', 'a/b RSS'], bRows)}\n`,
  );
  process.stdout.write('  (a/b below 1.00x: platform-cdk takes less time or memory than hand-written cdk8s-plus-27)\n');

  // Time per object: a's in-child wall time (model built, validated, rendered and written; no process start or
  // module loading) divided by the objects written, at each N and against N=TARGET_N; and the marginal cost of
  // an object between one N and the next (the growth of the time over the growth of the objects).
  const largest = results.has(TARGET_N) ? TARGET_N : sizes[sizes.length - 1];
  const at = resultsAt(largest);
  const perObject = (s: { readonly objects: number }, t: number): number => (t * 1000) / s.objects;
  const relRows = sizes.map((n, i) => {
    const { a, b, c } = resultsAt(n);
    const bBase = at.b;
    const prev = i > 0 ? resultsAt(sizes[i - 1]) : undefined;
    return [
      String(n),
      perObject(a, a.wallMs).toFixed(1),
      ratio(perObject(a, a.wallMs) / perObject(at.a, at.a.wallMs)),
      prev ? (((a.wallMs - prev.a.wallMs) * 1000) / (a.objects - prev.a.objects)).toFixed(1) : '-',
      perObject(a, a.processMs).toFixed(1),
      ratio(perObject(a, a.processMs) / perObject(at.a, at.a.processMs)),
      b ? perObject(b, b.wallMs).toFixed(1) : SKIPPED,
      b && bBase ? ratio(perObject(b, b.wallMs) / perObject(bBase, bBase.wallMs)) : b ? '-' : SKIPPED,
      perObject(c, c.wallMs).toFixed(1),
      ratio(perObject(c, c.wallMs) / perObject(at.c, at.c.wallMs)),
    ];
  });
  process.stdout.write(`\nTime per object (in-child and whole process), relative to N=${largest}:\n`);
  process.stdout.write(
    `${table(['N', 'a us/obj', `vs N=${largest}`, 'a marginal us/obj', 'a proc us/obj', `vs N=${largest}`, 'b us/obj', `vs N=${largest}`, 'c us/obj', `vs N=${largest}`], relRows)}\n`,
  );
  process.stdout.write(`  (us/obj: median in-child wall time over objects written; marginal: the time added per object added since the previous N; proc: whole process, start and module loading included)\n`);

  // Steady state: N's estate synthesized after a warm-up synthesis in the same process (w), against the cold
  // figure above (a, the first synthesis of a fresh process).
  const warmRows = sizes.map((n) => {
    const { a, c, w } = resultsAt(n);
    return [
      String(n),
      perObject(a, a.wallMs).toFixed(1),
      ratio(perObject(a, a.wallMs) / perObject(at.a, at.a.wallMs)),
      ms(w.warmMs),
      perObject(w, w.warmMs).toFixed(1),
      ratio(perObject(w, w.warmMs) / perObject(at.w, at.w.warmMs)),
      ratio(w.warmMs / a.wallMs),
      ms(w.warmupMs),
      ratio(perObject(c, c.wallMs) / perObject(at.c, at.c.wallMs)),
    ];
  });
  process.stdout.write(`\nCold and steady-state time per object (w: N's estate after a warm-up synthesis of 600 services in the same process; ${runs} runs per N, medians), relative to N=${largest}:\n`);
  process.stdout.write(
    `${table(['N', 'a cold us/obj', `vs N=${largest}`, 'w ms', 'w us/obj', `vs N=${largest}`, 'w/a', 'warm-up ms', `c (floor) cold vs N=${largest}`], warmRows)}\n`,
  );
  process.stdout.write(
    "  (cold: the first synthesis of a fresh process; w: a fresh model built, validated, rendered and written after the warm-up has compiled the code; the floor's column repeats c's cold per-object figure against N=" +
      `${largest})\n`,
  );

  process.stdout.write(`\n${pulumiBench({ build: BUILD, work: WORK, cwd: ROOT, env: childEnv(), runs }).join('\n')}\n`);

  const yN = Math.max(...sizes);
  const y = spawnSync(process.execPath, [path.join(BUILD, 'bench', 'child-y.js'), String(yN), '-'], { cwd: ROOT, encoding: 'utf8', env: childEnv() });
  if (y.status !== 0) {
    process.stderr.write(`bench: the serializer comparison failed\n${y.stdout}${y.stderr}`);
    process.exit(1);
  }
  const ser = JSON.parse(y.stdout.trim()) as { objects: number; ourMs: number; yamlPackageMs: number; jsonMs: number };
  process.stdout.write(`\nSerializing the ${ser.objects} objects of N=${yN} (median of 3 passes, in one process):\n`);
  process.stdout.write(
    `${table(['writer', 'ms', 'vs JSON.stringify'], [
      ['lib/yaml.ts', ms(ser.ourMs), ratio(ser.ourMs / ser.jsonMs)],
      ['yaml package (sorted keys)', ms(ser.yamlPackageMs), ratio(ser.yamlPackageMs / ser.jsonMs)],
      ['JSON.stringify', ms(ser.jsonMs), ratio(1)],
    ])}\n`,
  );

  process.stdout.write(`\nTargets (from the issue), at N=${TARGET_N}:\n`);
  const t = results.get(TARGET_N);
  if (!t) {
    process.stdout.write(`  not measured: N=${TARGET_N} is not in BENCH_SIZES\n`);
    return;
  }
  const met = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
  if (t.b) {
    const ab = t.a.wallMs / t.b.wallMs;
    process.stdout.write(`  a / b (against hand-written cdk8s-plus-27, in-child) at most ${TARGET_AB}: ${ab.toFixed(3)}  ${met(ab <= TARGET_AB)} (whole process ${(t.a.processMs / t.b.processMs).toFixed(3)})\n`);
    const rss = t.a.rssMiB / t.b.rssMiB;
    process.stdout.write(`  a's peak memory at most half of b's: ${t.a.rssMiB.toFixed(1)} MB against ${t.b.rssMiB.toFixed(1)} MB, ${ratio(rss)}  ${met(rss <= TARGET_RSS_SHARE)}\n`);
  } else {
    process.stdout.write(`  a / b and peak memory against b: not measured (b skipped at N=${TARGET_N}: BENCH_B_MAX)\n`);
  }
  const ac = t.a.wallMs / t.c.wallMs;
  const acProc = t.a.processMs / t.c.processMs;
  process.stdout.write(`  a / c (against the JSON.stringify floor) at most ${TARGET_AC}: ${ratio(ac)} in-child  ${met(ac <= TARGET_AC)}, ${ratio(acProc)} whole process  ${met(acProc <= TARGET_AC)}\n`);
  const small = results.has(CHECK_N) ? CHECK_N : sizes[0];
  if (small !== TARGET_N) {
    const s = resultsAt(small);
    const per = (r: Results): number => r.a.wallMs / r.a.objects;
    const rel = per(s) / per(t);
    process.stdout.write(
      `  time per object within ±${TARGET_PER_OBJECT * 100}% from N=${small} to N=${TARGET_N} (in-child): ${((per(s) * 1000)).toFixed(1)} us against ${(per(t) * 1000).toFixed(1)} us, ${ratio(rel)}  ${met(Math.abs(rel - 1) <= TARGET_PER_OBJECT)}\n`,
    );
    const warmPer = (r: Results): number => r.w.warmMs / r.w.objects;
    const warmRel = warmPer(s) / warmPer(t);
    process.stdout.write(
      `    steady state (w, after a warm-up synthesis in the same process): ${(warmPer(s) * 1000).toFixed(1)} us against ${(warmPer(t) * 1000).toFixed(1)} us, ${ratio(warmRel)}  ${met(Math.abs(warmRel - 1) <= TARGET_PER_OBJECT)}\n`,
    );
    const floorPer = (r: Results): number => r.c.wallMs / r.c.objects;
    process.stdout.write(`    (the floor, cold: ${(floorPer(s) * 1000).toFixed(1)} us against ${(floorPer(t) * 1000).toFixed(1)} us, ${ratio(floorPer(s) / floorPer(t))})\n`);
  }
  const checkRatio = t.v.wallMs / t.a.wallMs;
  const withValidator = (t.v.validatorMs + t.v.wallMs) / t.a.wallMs;
  process.stdout.write(
    `  validation (schema and policy check of the whole output) no slower than synthesis (in-child): ${ratio(checkRatio)}  ${met(checkRatio <= TARGET_CHECK_RATIO)}` +
      ` (with building the validator: ${ratio(withValidator)}  ${met(withValidator <= TARGET_CHECK_RATIO)}; 0 errors in ${t.v.objects} objects)\n`,
  );
}

main();
