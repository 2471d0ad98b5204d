/**
 * The `platform-cdk` command line. `release` pins a module's image tag for an environment in the estate's
 * release pins (what a pipeline's deploy step runs before synthesizing).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError } from 'commander';
import { readReleasePins, releasePinsText } from '../constructs/delivery';

/** Exit codes: 0 done, 1 findings (the model or the input is wrong), 2 usage. */
export const ExitCode = { OK: 0, FINDINGS: 1, USAGE: 2 } as const;

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Options of `platform-cdk release`. */
export interface ReleaseOptions {
  /** The releases folder. */
  readonly dir: string;
  /** The environment. */
  readonly env: string;
  /** The module's key, `<tenant>/<project>/<module>`. */
  readonly service: string;
  /** The image tag. */
  readonly tag: string;
}

/**
 * Pins a tag in `<dir>/<env>.json`, atomically; returns the problems with the input (nothing written then).
 * @param o the options
 */
export function release(o: ReleaseOptions): string[] {
  const problems: string[] = [];
  if (!LABEL.test(o.env)) problems.push(`--env: got ${JSON.stringify(o.env)}; an environment name is a DNS-1123 label. Fix: name an environment of the platform, e.g. "test".`);
  const parts = o.service.split('/');
  if (parts.length !== 3 || !parts.every((p) => LABEL.test(p))) problems.push(`--service: got ${JSON.stringify(o.service)}; a module is named <tenant>/<project>/<module>. Fix: use e.g. "shop/storefront/web".`);
  if (!TAG.test(o.tag)) problems.push(`--tag: got ${JSON.stringify(o.tag)}; an image tag is 1-128 letters, digits, "_", "." and "-", not starting with "." or "-". Fix: pass the commit's tag, e.g. "3f9c2a1b7d4e".`);
  const current = readReleasePins(o.dir, o.env);
  if (current.error) problems.push(`${current.error.file}: ${current.error.message}. Fix: repair or remove the file.`);
  if (problems.length > 0) return problems;
  const file = path.join(o.dir, `${o.env}.json`);
  fs.mkdirSync(o.dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, releasePinsText(current.pins ?? {}, o.service, o.tag));
  fs.renameSync(tmp, file);
  return [];
}

/**
 * Runs the command line.
 * @param argv the process arguments (`process.argv`)
 * @returns the exit code
 */
export function main(argv: readonly string[]): number {
  const program = new Command('platform-cdk')
    .description('platform-cdk: check, synthesize and release a platform estate')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  let code: number = ExitCode.OK;
  program
    .command('release')
    .description('pin the image tag of a module in an environment (releases/<env>.json); the next synth deploys it')
    .requiredOption('--env <environment>', 'the environment, e.g. test')
    .requiredOption('--service <tenant/project/module>', 'the module released')
    .requiredOption('--tag <tag>', 'the image tag built by this run')
    .option('--dir <folder>', 'the release pins folder of the estate', 'releases')
    .addHelpText('after', '\nExit codes: 0 pinned, 1 bad input (nothing written), 2 usage.')
    .action((o: ReleaseOptions) => {
      const problems = release(o);
      if (problems.length > 0) {
        for (const p of problems) process.stderr.write(`platform-cdk release: ${p}\n`);
        code = ExitCode.FINDINGS;
        return;
      }
      process.stdout.write(`platform-cdk: ${o.service} ${o.tag} pinned for ${o.env} in ${path.join(o.dir, `${o.env}.json`)}\n`);
    });
  try {
    program.parse([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    throw e;
  }
  return code;
}
