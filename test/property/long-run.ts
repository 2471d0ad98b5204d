/**
 * The long run of the property tests: many more cases than CI runs, with counts at the end.
 *
 *   npx tsx test/property/long-run.ts --runs 10000            # each property 10,000 cases, a random seed
 *   npx tsx test/property/long-run.ts --runs 500 --seed 42    # reproducible
 *   npx tsx test/property/long-run.ts --runs 200 --only invalid
 *
 * It runs every case, failing or not (it does not stop at the first failure), and prints per property the
 * cases run, the failures, and the first failure's description (the seed and path replay it), then exits with 1
 * when any case failed.
 */
import * as fc from 'fast-check';
import { ciCase, ciCaseOutcome } from '../security/ci-scripts';
import { invalidChange } from './changes';
import { validEstate } from './estate';
import { invalidChangeProblems, PreviousOutput, validEstateProblems } from './properties';

interface Options {
  readonly runs: number;
  readonly seed: number;
  readonly only?: 'valid' | 'invalid';
}

function parseArgs(argv: readonly string[]): Options {
  let runs = 10000;
  let seed = Date.now() % 2 ** 31;
  let only: Options['only'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--runs') runs = Number(next());
    else if (a === '--seed') seed = Number(next());
    else if (a === '--only') {
      const v = next();
      if (v !== 'valid' && v !== 'invalid') throw new Error('--only takes valid or invalid');
      only = v;
    } else throw new Error(`unknown option ${a}; options: --runs <n> --seed <n> --only valid|invalid`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number of at least 1');
  return { runs, seed, only };
}

interface Tally {
  readonly name: string;
  cases: number;
  failures: number;
  first?: string;
  readonly kinds: Map<string, number>;
}

function run(name: string, arb: fc.Arbitrary<unknown>, check: (value: unknown) => string[], options: Options): Tally {
  const tally: Tally = { name, cases: 0, failures: 0, kinds: new Map() };
  const started = Date.now();
  // fc.sample draws the cases of the seed without shrinking, so that every case runs and every failure is counted.
  const values = fc.sample(arb, { numRuns: options.runs, seed: options.seed });
  for (const value of values) {
    tally.cases++;
    let problems: string[];
    try {
      problems = check(value);
    } catch (e) {
      problems = [`the check threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}`];
    }
    if (problems.length > 0) {
      tally.failures++;
      const kind = problems[0].split(':')[0].slice(0, 80);
      tally.kinds.set(kind, (tally.kinds.get(kind) ?? 0) + 1);
      tally.first ??= `${fc.stringify(value)}\n    ${problems.slice(0, 5).join('\n    ')}`;
    }
    if (tally.cases % 100 === 0) process.stderr.write(`  ${name}: ${tally.cases}/${options.runs} cases, ${tally.failures} failures, ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  return tally;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  process.env.PLATFORM_CDK_NOW ??= '2026-11-22';
  process.stdout.write(`platform-cdk property long run: ${options.runs} cases per property, seed ${options.seed}\n`);
  const started = Date.now();
  const tallies: Tally[] = [];
  if (options.only !== 'invalid') {
    tallies.push(run('valid estates: synthesize, schema-valid, policy-clean, deterministic, isolated', validEstate, (v) => validEstateProblems(v as Parameters<typeof validEstateProblems>[0]), options));
  }
  if (options.only !== 'valid') {
    const previous = new PreviousOutput();
    try {
      const arb = fc.tuple(validEstate, invalidChange);
      tallies.push(
        run('invalid changes: a ValidationError naming the construct, nothing written', arb, (v) => {
          const [spec, change] = v as [Parameters<typeof validEstateProblems>[0], Parameters<typeof invalidChangeProblems>[1]];
          previous.write(spec);
          return invalidChangeProblems(spec, change, previous);
        }, options),
      );
    } finally {
      previous.remove();
    }
  }
  if (options.only === undefined) {
    tallies.push(run('hostile pipeline options: refused, or CI scripts that run without injection', ciCase, (v) => ciCaseOutcome(v as Parameters<typeof ciCaseOutcome>[0]).problems, options));
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  let failed = false;
  for (const t of tallies) {
    process.stdout.write(`\n${t.name}\n  cases: ${t.cases}\n  failures: ${t.failures}\n`);
    for (const [kind, n] of [...t.kinds].sort((a, b) => b[1] - a[1])) process.stdout.write(`    ${n} × ${kind}\n`);
    if (t.first) process.stdout.write(`  first failure:\n    ${t.first}\n`);
    if (t.failures > 0) failed = true;
  }
  const cases = tallies.reduce((n, t) => n + t.cases, 0);
  const failures = tallies.reduce((n, t) => n + t.failures, 0);
  process.stdout.write(`\ntotal: ${cases} cases, ${failures} failures, ${seconds} s (seed ${options.seed})\n`);
  process.exitCode = failed ? 1 : 0;
}

main();
