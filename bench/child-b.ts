/**
 * Variant b (hand-written cdk8s-plus-27), run as `node child-b.js <n> <outdir>`: builds the bench estate with
 * cdk8s and cdk8s-plus-27 as a user would without platform-cdk, and writes it with `app.synth()`. It never
 * loads the library.
 */
import * as fs from 'fs';
import { childArgs, report } from './child-protocol';
import { buildHandwrittenApp, countApiObjects } from './handwritten';

const { n, outdir } = childArgs();
const start = performance.now();
const app = buildHandwrittenApp(n, outdir);
app.synth();
const wallMs = performance.now() - start;
report({
  variant: 'b',
  n,
  objects: countApiObjects(app),
  files: fs.readdirSync(outdir).length,
  warnings: 0,
  wallMs,
  maxRssKiB: process.resourceUsage().maxRSS,
});
