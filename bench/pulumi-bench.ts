/**
 * The Pulumi path of `npm run bench`: one environment of N services registered with `PulumiStack.create` under
 * Pulumi's mocks (p, `child-p.ts`), against the SDK's floor on the same objects (`child-pf.ts`: bare
 * `pulumi.CustomResource`s with the same type tokens, names and inputs, the objects read before the timed window),
 * registered in p's window (pfw) and all at once, as a plain program does (pf). With `BENCH_PULUMI_SYNC=1`, also the
 * constructor `new PulumiStack(...)`, which starts every registration at once (ps).
 * Each run is a fresh `node` process on the compiled children; the variants alternate; medians of the runs.
 *
 *   BENCH_PULUMI_SIZES=100,1000,3000  the N to run (default 100,1000,3000)
 *   BENCH_RUNS=3                      runs per variant and N (default 3)
 *   BENCH_PULUMI_SYNC=1               also ps, the constructor (slow: about 20 s at N = 1,000, a minute at 3,000)
 *   BENCH_PF_SDK_TRACES=1             the floor with the SDK's own promise bookkeeping (default: the light one of p)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_REGISTRATION_WINDOW } from '../stacks/pulumi-window';

/** Where the compiled children are and how to start them. */
export interface PulumiBenchOptions {
  /** The folder the bench's TypeScript was compiled to (holding `bench/child-p.js` and `bench/child-pf.js`). */
  readonly build: string;
  /** A folder for the objects the floor reads. */
  readonly work: string;
  /** The working folder of the children (the repository). */
  readonly cwd: string;
  /** The environment of the children. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs per variant and N. */
  readonly runs: number;
  /**
   * The N to run.
   * @default - `BENCH_PULUMI_SIZES`, else 100, 1000 and 3000
   */
  readonly sizes?: readonly number[];
}

/** The medians of one variant at one N. */
export interface PulumiSummary {
  /** Kubernetes resources registered. */
  readonly objects: number;
  /** In-child wall time, in ms. */
  readonly wallMs: number;
  /** The whole child process, as the parent saw it, in ms. */
  readonly processMs: number;
  /** Peak resident set size, in MiB. */
  readonly rssMiB: number;
  /** CPU time (user and system) of the in-child window, in ms: steadier than the wall time on a loaded machine. */
  readonly cpuMs: number;
}

/** What the Pulumi bench measured at one N. */
export interface PulumiResult {
  /** The number of services. */
  readonly n: number;
  /** Through `PulumiStack.create`. */
  readonly p: PulumiSummary;
  /** The SDK's floor on the same objects, registered in p's window. */
  readonly pfw: PulumiSummary;
  /** The SDK's floor on the same objects, registered all at once. */
  readonly pf: PulumiSummary;
  /** Through the constructor `new PulumiStack(...)` (with `BENCH_PULUMI_SYNC=1`). */
  readonly ps?: PulumiSummary;
}

/** The targets at N = 1,000: in-child time and peak memory. */
export const PULUMI_TARGET = { n: 1000, wallMs: 8000, rssMiB: 600 } as const;

interface ChildLine {
  readonly objects: number;
  readonly wallMs: number;
  readonly maxRssKiB: number;
  readonly cpuMs: number;
}

function sizesFromEnv(): number[] {
  const text = process.env.BENCH_PULUMI_SIZES;
  if (text === undefined || text.trim() === '') return [100, 1000, 3000];
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isInteger(v) || v <= 0 || v % 10 !== 0)) throw new Error(`BENCH_PULUMI_SIZES must be positive multiples of 10 separated by commas; got ${JSON.stringify(text)}`);
  return values;
}

function run(options: PulumiBenchOptions, args: string[]): { line?: ChildLine; processMs: number } {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: options.cwd, encoding: 'utf8', env: options.env, maxBuffer: 64 * 1024 * 1024 });
  const processMs = performance.now() - start;
  if (r.status !== 0 || r.error) throw new Error(`bench: ${path.basename(args[0])} ${args.slice(1).join(' ')} failed (exit ${r.status})\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { line: last === '' ? undefined : (JSON.parse(last) as ChildLine), processMs };
}

const median = (values: number[]): number => {
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function summarize(runs: { line?: ChildLine; processMs: number }[]): PulumiSummary {
  const lines = runs.map((r) => r.line as ChildLine);
  return { objects: lines[0].objects, wallMs: median(lines.map((l) => l.wallMs)), processMs: median(runs.map((r) => r.processMs)), rssMiB: median(lines.map((l) => l.maxRssKiB)) / 1024, cpuMs: median(lines.map((l) => l.cpuMs)) };
}

/**
 * Runs p and pf at each N and returns the results.
 * @param options the compiled children, runs and sizes
 */
export function runPulumiBench(options: PulumiBenchOptions): PulumiResult[] {
  const p = path.join(options.build, 'bench', 'child-p.js');
  const pf = path.join(options.build, 'bench', 'child-pf.js');
  fs.mkdirSync(options.work, { recursive: true });
  const results: PulumiResult[] = [];
  const sync = process.env.BENCH_PULUMI_SYNC === '1';
  const window = String(DEFAULT_REGISTRATION_WINDOW);
  for (const n of options.sizes ?? sizesFromEnv()) {
    const objects = path.join(options.work, `pulumi-objects-${n}.json`);
    run(options, [pf, String(n), objects, 'dump']);
    const variants: Array<{ name: 'p' | 'pfw' | 'pf' | 'ps'; args: string[]; runs: { line?: ChildLine; processMs: number }[] }> = [
      { name: 'p', args: [p, String(n), '-'], runs: [] },
      { name: 'pfw', args: [pf, String(n), objects, window], runs: [] },
      { name: 'pf', args: [pf, String(n), objects], runs: [] },
      ...(sync ? [{ name: 'ps' as const, args: [p, String(n), '-', 'production', 'sync'], runs: [] }] : []),
    ];
    for (let r = 0; r < options.runs; r++) {
      // Each round in another order, so that no variant always runs after the same one.
      const order = r % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) v.runs.push(run(options, v.args));
    }
    fs.rmSync(objects, { force: true });
    const of = (name: string): PulumiSummary => summarize((variants.find((v) => v.name === name) as (typeof variants)[number]).runs);
    const result: PulumiResult = { n, p: of('p'), pfw: of('pfw'), pf: of('pf'), ...(sync ? { ps: of('ps') } : {}) };
    for (const other of [result.pfw, result.pf, result.ps]) if (other && other.objects !== result.p.objects) throw new Error(`bench: at N=${n} PulumiStack registered ${result.p.objects} objects and another variant ${other.objects}`);
    results.push(result);
  }
  return results;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The lines that report a Pulumi bench: the table, the time per object against the smallest N, and the targets.
 * @param results what `runPulumiBench` measured
 * @param runs runs per variant and N
 */
export function pulumiBenchReport(results: readonly PulumiResult[], runs: number): string[] {
  const perObject = (s: PulumiSummary): number => (s.wallMs * 1000) / s.objects;
  const base = results[0];
  const rows = results.map(({ n, p, pfw, pf, ps }) => [
    String(n),
    String(p.objects),
    (p.wallMs / 1000).toFixed(2),
    (p.cpuMs / 1000).toFixed(2),
    p.rssMiB.toFixed(0),
    perObject(p).toFixed(0),
    base ? `${(perObject(p) / perObject(base.p)).toFixed(2)}x` : '-',
    (pfw.wallMs / 1000).toFixed(2),
    pfw.rssMiB.toFixed(0),
    `${(p.wallMs / pfw.wallMs).toFixed(2)}x`,
    `${(p.cpuMs / pfw.cpuMs).toFixed(2)}x`,
    (pf.wallMs / 1000).toFixed(2),
    pf.rssMiB.toFixed(0),
    `${(p.wallMs / pf.wallMs).toFixed(2)}x`,
    ps ? `${(ps.wallMs / 1000).toFixed(2)} / ${ps.rssMiB.toFixed(0)}` : '-',
  ]);
  const lines = [
    `Pulumi path: one environment (production, on the host) registered under Pulumi's mocks, plain node (p: PulumiStack.create, window ${DEFAULT_REGISTRATION_WINDOW}, its checks included; pfw: the SDK's floor, bare CustomResources of the same objects in the same window; pf: the same, all at once; ps: the constructor, with BENCH_PULUMI_SYNC=1; ${runs} runs per N, medians; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}):`,
    table(['N', 'objects', 'p s', 'p CPU s', 'p RSS MB', 'p us/obj', `vs N=${base?.n ?? '-'}`, 'pfw s', 'pfw RSS MB', 'p/pfw', 'p/pfw CPU', 'pf s', 'pf RSS MB', 'p/pf', 'ps s / MB'], rows),
    '  (s: in-child wall time, p from before the model is built to every URN resolved, the floors from the first registration; CPU: user and system time of the same window; RSS: peak)',
  ];
  const t = results.find((r) => r.n === PULUMI_TARGET.n);
  if (t) {
    const met = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
    lines.push(
      `  target at N=${PULUMI_TARGET.n}: at most ${PULUMI_TARGET.wallMs / 1000} s: ${(t.p.wallMs / 1000).toFixed(2)} s  ${met(t.p.wallMs <= PULUMI_TARGET.wallMs)}; at most ${PULUMI_TARGET.rssMiB} MB: ${t.p.rssMiB.toFixed(0)} MB  ${met(t.p.rssMiB <= PULUMI_TARGET.rssMiB)} (the SDK's floor in the same window: ${(t.pfw.wallMs / 1000).toFixed(2)} s, ${t.pfw.rssMiB.toFixed(0)} MB; all at once: ${(t.pf.wallMs / 1000).toFixed(2)} s, ${t.pf.rssMiB.toFixed(0)} MB)`,
    );
  }
  return lines;
}

/**
 * Runs the Pulumi bench and returns the lines to print (what `npm run bench` calls).
 * @param options the compiled children, runs and sizes
 */
export function pulumiBench(options: PulumiBenchOptions): string[] {
  return pulumiBenchReport(runPulumiBench(options), options.runs);
}
