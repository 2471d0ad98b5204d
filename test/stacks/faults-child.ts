/**
 * A child process for the fault tests: synthesizes an example into an output folder with `ManifestStack`,
 * printing `rendered` once only the checks and the write remain, then `done <ms>` with the time they took.
 *
 * node --require tsx/cjs test/stacks/faults-child.ts <example> <outdir>   (in the repository's root)
 */
import * as path from 'path';
import { ManifestStack, Platform } from 'platform-cdk';

const [example, outdir] = process.argv.slice(2);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { build } = require(path.resolve('examples', example, 'main.ts')) as { build: () => Platform };
const stack = new ManifestStack(build(), { outdir });
const rendered = stack.render();
process.stdout.write('rendered\n');
const started = Date.now();
stack.synth(rendered);
process.stdout.write(`done ${Date.now() - started}\n`);
