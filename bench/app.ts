/**
 * The bench estate as a program for the command line, to time `platform-cdk synth` and `platform-cdk validate` on
 * it: `BENCH_APP_N=3000 npx platform-cdk synth --app bench/app.ts --out .bench/cli-out`. `BENCH_APP_N` is the
 * number of services, a positive multiple of 10 (default 3000).
 */
import type { Platform } from '../index';
import { buildBenchEstate } from './estate';

/** Builds the bench estate of `BENCH_APP_N` services. */
export function build(): Platform {
  const text = process.env.BENCH_APP_N ?? '3000';
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0 || n % 10 !== 0) throw new Error(`BENCH_APP_N must be a positive multiple of 10; got ${JSON.stringify(text)}`);
  return buildBenchEstate(n);
}
