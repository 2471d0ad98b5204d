/**
 * `npm run bench:cli`: how quickly the command line answers, in fresh processes, as a user runs it.
 *
 *   quickstart   `platform-cdk synth --app examples/quickstart/main.ts` (43 objects, 2 clusters), three ways:
 *                  no cache     the compiled-validator cache off (`PLATFORM_CDK_CACHE=off`): every kind's schema
 *                               compiled by ajv in the run, as before the cache
 *                  cold cache   an empty cache folder: compiled, then written to the cache
 *                  warm cache   the same folder again: every validator loaded from the cache
 *                target: warm cache at most 1.5 s
 *   1000         the bench estate of 1,000 services (`bench/app.ts`, BENCH_APP_N=1000), warm cache:
 *                  API          `tsx bench/api-synth.ts`: build and `ManifestStack.synth()` (which checks by default)
 *                  CLI          `platform-cdk synth --app bench/app.ts`: build, synth, and the schema and policy
 *                               checks of every cluster
 *                target: CLI at most 1.5 × API
 *
 * Each figure is the median of BENCH_CLI_RUNS runs (default 3) of a whole process: wall time, and CPU time (user +
 * sys, from GNU time when /usr/bin/time is there), which does not rise when other work shares the cores. Run it on a
 * quiet machine (`uptime`). BENCH_CLI_N=1000 sets the large estate's services (a multiple of 10).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? '3');
const N = Number(process.env.BENCH_CLI_N ?? '1000');
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const CLI = path.join(ROOT, 'bin', 'platform-cdk.js');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** One run of a whole process: wall and CPU seconds. */
interface Timing {
  readonly wall: number;
  readonly cpu?: number;
}

/** Runs a node program once and times it. */
function run(args: readonly string[], env: Record<string, string>): Timing {
  const marker = path.join(os.tmpdir(), `pcdk-bench-cli-${process.pid}.time`);
  const cmd = TIME ? [TIME, '-o', marker, '-f', '%U %S', process.execPath, ...args] : [process.execPath, ...args];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  let cpu: number | undefined;
  if (TIME) {
    const [user, sys] = fs.readFileSync(marker, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    cpu = user + sys;
    fs.rmSync(marker, { force: true });
  }
  return { wall, cpu };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs a variant RUNS times (after `before`, each time) and returns the medians. */
function measure(label: string, args: readonly string[], env: Record<string, string>, before?: () => void): Timing {
  const runs: Timing[] = [];
  for (let i = 0; i < RUNS; i++) {
    before?.();
    runs.push(run(args, env));
  }
  const t: Timing = { wall: median(runs.map((r) => r.wall)), cpu: TIME ? median(runs.map((r) => r.cpu ?? 0)) : undefined };
  console.log(`${label.padEnd(34)} ${t.wall.toFixed(2).padStart(6)} s wall${t.cpu === undefined ? '' : `  ${t.cpu.toFixed(2).padStart(6)} s CPU`}`);
  return t;
}

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-bench-cli-'));
  const cache = path.join(work, 'cache');
  const out = path.join(work, 'out');
  const quickstart = [CLI, 'synth', '--app', 'examples/quickstart/main.ts', '--out', out, '--quiet'];
  console.log(`bench:cli, ${RUNS} runs each, medians (load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores)`);
  // The first run of a source file through tsx compiles it into tsx's own cache: warm that up, untimed.
  run(quickstart, { PLATFORM_CDK_CACHE: 'off' });
  const off = measure('quickstart synth, no cache', quickstart, { PLATFORM_CDK_CACHE: 'off' });
  measure('quickstart synth, cold cache', quickstart, { PLATFORM_CDK_CACHE: cache }, () => fs.rmSync(cache, { recursive: true, force: true }));
  const warm = measure('quickstart synth, warm cache', quickstart, { PLATFORM_CDK_CACHE: cache });
  const benchEnv = { PLATFORM_CDK_CACHE: cache, BENCH_APP_N: String(N) };
  run([TSX, 'bench/api-synth.ts', out], benchEnv);
  run([CLI, 'synth', '--app', 'bench/app.ts', '--out', out, '--quiet'], benchEnv);
  const api = measure(`${N} services, API (tsx bench/api-synth.ts)`, [TSX, 'bench/api-synth.ts', out], benchEnv);
  const cli = measure(`${N} services, CLI synth, warm cache`, [CLI, 'synth', '--app', 'bench/app.ts', '--out', out, '--quiet'], benchEnv);
  const ratio = (a: Timing, b: Timing, k: keyof Timing): string => (a[k] !== undefined && b[k] !== undefined ? ((a[k] as number) / (b[k] as number)).toFixed(2) : '-');
  console.log('');
  console.log(`quickstart, warm cache: ${warm.wall.toFixed(2)} s wall (target ≤ 1.5 s: ${warm.wall <= 1.5 ? 'met' : 'not met'}); ${warm.cpu?.toFixed(2) ?? '-'} s CPU; no cache ${off.wall.toFixed(2)} s wall, ${off.cpu?.toFixed(2) ?? '-'} s CPU`);
  console.log(`${N} services, CLI / API: ${ratio(cli, api, 'wall')} wall, ${ratio(cli, api, 'cpu')} CPU (target ≤ 1.5)`);
  fs.rmSync(work, { recursive: true, force: true });
}

main();
