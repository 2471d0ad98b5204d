/**
 * Variant a (platform-cdk), run as `node child-a.js <n> <outdir>`: builds the bench estate's model and
 * synthesizes it with `ManifestStack` (validate, render, write YAML atomically).
 */
import { ManifestStack } from '../index';
import { childArgs, report } from './child-protocol';
import { buildBenchEstate } from './estate';

const { n, outdir } = childArgs();
const start = performance.now();
const platform = buildBenchEstate(n);
const result = new ManifestStack(platform, { outdir }).synth();
const wallMs = performance.now() - start;
report({
  variant: 'a',
  n,
  objects: result.objectCount,
  files: result.clusters.reduce((sum, c) => sum + c.files.length, 0),
  warnings: result.warnings.length,
  wallMs,
  maxRssKiB: process.resourceUsage().maxRSS,
});
