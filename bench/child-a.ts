/**
 * Variant a (platform-cdk), run as `node child-a.js <n> <outdir> [warm]`: builds the bench estate's model and
 * synthesizes it with `ManifestStack` (validate, render, write YAML atomically).
 *
 * With `warm`, the process then synthesizes the same estate a second time (a fresh model built again, validated,
 * rendered and written to `<outdir>-warm`) and reports that second synthesis's time as `warmWallMs`: the cost of
 * the same work once the code is compiled. Peak memory is taken before the second synthesis.
 */
import { ManifestStack } from '../index';
import { childArgs, report } from './child-protocol';
import { buildBenchEstate } from './estate';

/** One synthesis of the bench estate, timed from before the model is built to after the files are written. */
function synthesize(n: number, outdir: string): { wallMs: number; objects: number; files: number; warnings: number } {
  const start = performance.now();
  const platform = buildBenchEstate(n);
  const result = new ManifestStack(platform, { outdir }).synth();
  const wallMs = performance.now() - start;
  return { wallMs, objects: result.objectCount, files: result.clusters.reduce((sum, c) => sum + c.files.length, 0), warnings: result.warnings.length };
}

const { n, outdir } = childArgs();
const warm = process.argv[4] === 'warm';
const cold = synthesize(n, outdir);
const maxRssKiB = process.resourceUsage().maxRSS;
const again = warm ? synthesize(n, `${outdir}-warm`) : undefined;
if (again && again.objects !== cold.objects) throw new Error(`the second synthesis wrote ${again.objects} objects, the first ${cold.objects}`);
report({
  variant: 'a',
  n,
  objects: cold.objects,
  files: cold.files,
  warnings: cold.warnings,
  wallMs: cold.wallMs,
  maxRssKiB,
  ...(again ? { warmWallMs: again.wallMs } : {}),
});
