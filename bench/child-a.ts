/**
 * Variant a (platform-cdk), run as `node child-a.js <n> <outdir> [warm|user]`: builds the bench estate's model and
 * synthesizes it with `ManifestStack` (validate, render, write YAML atomically). The output checks, which a synthesis
 * runs by default, are left out (`checks: false`): variant v times them, so that a stays comparable with earlier runs
 * and with the floor, and a synthesis by default costs about a + v.
 *
 * With `user` (variant u), the estate also declares {@link USER_OBJECTS} user objects (cdk8s-plus-27 ConfigMaps and
 * Deployments added with `project.addManifests`), to measure what the escape hatches cost.
 *
 * With `warm` (variant w), the process first synthesizes a warm-up estate of {@link WARMUP_N} services to
 * `<outdir>-warmup`, untimed as far as the figure goes, so that V8 has compiled and optimized the code, and then
 * times the synthesis of the `n`-service estate as a does: the steady-state cost of a synthesis, without the
 * warm-up that a's first synthesis of a fresh process pays. The warm-up's own time is reported as `warmupMs`.
 */
import { ManifestStack } from '../index';
import { childArgs, cpuNow, report } from './child-protocol';
import { buildBenchEstate } from './estate';

/** The user objects of variant u (`buildBenchEstate`): 1,000, from 125 `addManifests` callbacks. */
export const USER_OBJECTS = 1000;

/** The services of w's warm-up estate (19,155 objects): enough for V8 to optimize the code that synthesis runs. */
export const WARMUP_N = 600;

/** One synthesis of the bench estate, timed from before the model is built to after the files are written. */
function synthesize(n: number, outdir: string, userObjects = 0): { wallMs: number; cpuMs: number; objects: number; files: number; warnings: number } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const extend = userObjects > 0 ? (require('./user-objects') as typeof import('./user-objects')).addUserObjects : undefined;
  const cpuStart = cpuNow();
  const start = performance.now();
  const platform = buildBenchEstate(n, extend && ((projects) => extend(projects, userObjects, 'harbor.example.com/tools/worker:1.0.0')));
  const result = new ManifestStack(platform, { outdir, checks: false }).synth();
  const wallMs = performance.now() - start;
  return { wallMs, cpuMs: cpuNow() - cpuStart, objects: result.objectCount, files: result.clusters.reduce((sum, c) => sum + c.files.length, 0), warnings: result.warnings.filter((w) => w.property !== 'checks').length };
}

const { n, outdir } = childArgs();
const warm = process.argv[4] === 'warm';
const user = process.argv[4] === 'user';
const warmup = warm ? synthesize(WARMUP_N, `${outdir}-warmup`) : undefined;
const timed = synthesize(n, outdir, user ? USER_OBJECTS : 0);
report({
  variant: warm ? 'w' : user ? 'u' : 'a',
  n,
  objects: timed.objects,
  files: timed.files,
  warnings: timed.warnings,
  wallMs: timed.wallMs,
  cpuMs: timed.cpuMs,
  maxRssKiB: process.resourceUsage().maxRSS,
  ...(warmup ? { warmupMs: warmup.wallMs } : {}),
});
