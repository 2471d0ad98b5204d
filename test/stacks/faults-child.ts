/**
 * A child process for the fault tests: synthesizes an example into an output folder with `ManifestStack` (unchecked),
 * printing `writing` when the writer has taken the output folder's lock (only the write remains), then
 * `done <ms>` with the time since.
 *
 * node --require tsx/cjs test/stacks/faults-child.ts <example> <outdir>   (in the repository's root)
 */
import * as path from 'path';
import { ManifestStack, Platform } from 'platform-cdk';
import { nodeFileSystem } from '../../lib/write';

const [example, outdir] = process.argv.slice(2);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { build } = require(path.resolve('examples', example, 'main.ts')) as { build: () => Platform };
let started = 0;
const createExclusive = nodeFileSystem.createExclusive;
nodeFileSystem.createExclusive = (file, content) => {
  createExclusive(file, content);
  started = Date.now();
  process.stdout.write('writing\n');
};
// The faults are the writer's: the checks (which run before anything is written) are left out to keep each run short.
new ManifestStack(build(), { outdir, checks: false }).synth();
process.stdout.write(`done ${Date.now() - started}\n`);
