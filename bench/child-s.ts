/**
 * Variant s (the strict floor), run as `node child-s.js <n> <outdir>`: builds the same objects as the floor (c) as
 * plain values *before* the timed window, then times only writing them: `JSON.stringify` and the files, in the same
 * layout. What no generator can go below, whatever its model: the objects exist already. It never loads the library.
 */
import { childArgs, cpuNow, report } from './child-protocol';
import { buildFloorFiles, writeFloorFiles } from './floor';

const { n, outdir } = childArgs();
const files = buildFloorFiles(n);
const cpuStart = cpuNow();
const start = performance.now();
const result = writeFloorFiles(files, outdir);
const wallMs = performance.now() - start;
const cpuMs = cpuNow() - cpuStart;
report({
  variant: 's',
  n,
  objects: result.objectCount,
  files: result.fileCount,
  warnings: 0,
  wallMs,
  cpuMs,
  maxRssKiB: process.resourceUsage().maxRSS,
});
