/**
 * Variant c (the floor), run as `node child-c.js <n> <outdir>`: builds the same objects as plain values and
 * writes them with `JSON.stringify`. It never loads the library.
 */
import { childArgs, cpuNow, report } from './child-protocol';
import { writeFloor } from './floor';

const { n, outdir } = childArgs();
const cpuStart = cpuNow();
const start = performance.now();
const result = writeFloor(n, outdir);
const wallMs = performance.now() - start;
const cpuMs = cpuNow() - cpuStart;
report({
  variant: 'c',
  n,
  objects: result.objectCount,
  files: result.fileCount,
  warnings: 0,
  wallMs,
  cpuMs,
  maxRssKiB: process.resourceUsage().maxRSS,
});
