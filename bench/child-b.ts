/**
 * Variant b (hand-written cdk8s-plus-27), run as `node child-b.js <n> <outdir>`: builds the bench estate with
 * cdk8s and cdk8s-plus-27 as a user would without platform-cdk, one app per cluster, and writes each with
 * `app.synth()` (`handwritten.ts`). It never
 * loads the library.
 */
import * as fs from 'fs';
import { childArgs, cpuNow, report } from './child-protocol';
import { synthHandwritten } from './handwritten';

const { n, outdir } = childArgs();
const cpuStart = cpuNow();
const start = performance.now();
const objects = synthHandwritten(n, outdir);
const wallMs = performance.now() - start;
const cpuMs = cpuNow() - cpuStart;
report({
  variant: 'b',
  n,
  objects,
  files: fs.readdirSync(outdir).reduce((sum, cluster) => sum + fs.readdirSync(`${outdir}/${cluster}`).length, 0),
  warnings: 0,
  wallMs,
  cpuMs,
  maxRssKiB: process.resourceUsage().maxRSS,
});
