/**
 * The bench estate synthesized through the API, as a program (for `bench/cli-startup.ts`): builds
 * `buildBenchEstate(BENCH_APP_N)` and writes it with `new ManifestStack(platform, { outdir }).synth()`, the way a
 * program that calls the API does, to compare with `platform-cdk synth --app bench/app.ts` on the same estate.
 * Usage: `BENCH_APP_N=1000 npx tsx bench/api-synth.ts <outdir>`.
 */
import { ManifestStack } from '../index';
import { build } from './app';

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: tsx bench/api-synth.ts <outdir>');
new ManifestStack(build(), { outdir }).synth();
