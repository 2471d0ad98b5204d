/**
 * `platform-cdk import <folder> --out <program.ts>`: turns an export of a running estate (one folder per cluster,
 * `kubectl get -o yaml`, docs/migration.md) into a typed program, and reports what became of every object: typed
 * model, written by the library by default, carried through an escape hatch, or left out (and why).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { errorLine } from './errors';

/** Where the command writes: stdout for results, stderr for messages. */
export interface ImportIo {
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes to stderr. */
  err(text: string): void;
}

/** Exit codes: 0 written, 2 usage or input (no such folder, a file that is not an export, a bad map, --out taken). */
const OK = 0;
const INPUT = 2;

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Options of the command, as commander gives them. */
interface ImportCommandOptions {
  readonly out: string;
  readonly environmentMap?: string[];
  readonly platform?: string;
  readonly cluster?: string;
  readonly defaultEnvironment?: string;
  readonly force?: boolean;
  readonly format: 'text' | 'json';
}

/** A mistake in the command line or its input: printed as one `error:` line, exit code 2. */
class ImportInputError extends Error {}

/**
 * Parses `--environment-map` entries: `<suffix>=<environment>` (`-qa=test`) or `<cluster>=<environment>`,
 * comma-separated or repeated.
 * @param entries the option's values
 */
export function parseEnvironmentMap(entries: readonly string[] = []): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries.flatMap((e) => e.split(',')).map((e) => e.trim()).filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    const from = entry.slice(0, eq);
    const env = entry.slice(eq + 1);
    if (eq <= 0 || !LABEL.test(env) || !/^-?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(from)) {
      throw new ImportInputError(`--environment-map: got ${JSON.stringify(entry)}; an entry is <namespace suffix>=<environment> or <cluster>=<environment>. Fix: e.g. --environment-map -qa=test,prod-cluster=production`);
    }
    map[from] = env;
  }
  return map;
}

/**
 * Adds `import` to the command line.
 * @param program the `platform-cdk` command
 * @param io where to write
 * @param setCode sets the exit code of the run
 */
export function registerImportCommand(program: Command, io: ImportIo, setCode: (code: number) => void): void {
  program
    .command('import')
    .description('turn an export of a running estate (one folder per cluster, kubectl get -o yaml) into a typed program, and report what became of every object')
    .argument('<folder>', 'the export: one sub-folder per cluster (or the YAML files of one cluster)')
    .requiredOption('--out <program.ts>', 'the program to write')
    .option('--environment-map <entries...>', 'how namespaces map to environments where no label says: <namespace suffix>=<environment> or <cluster>=<environment>, comma-separated')
    .option('--platform <name>', "the platform's name (default: the name its release pipelines were generated under, else the export folder's name)")
    .option('--cluster <name>', "the cluster's name when the folder holds one cluster's files directly (default: cluster)")
    .option('--default-environment <name>', 'the environment of namespaces nothing else places (default: production when other namespaces carry an environment suffix, else one named like their cluster)')
    .option('--force', 'overwrite --out if it exists')
    .option('--format <format>', 'the report as text or json', 'text')
    .addHelpText('after', '\nExamples:\n  $ platform-cdk import live --out estate/main.ts\n  $ platform-cdk import live --out main.ts --environment-map -qa=test,prod-cluster=production --format json\n\nExit codes: 0 written, 2 usage or input error (no such folder, not an export, a bad map, --out exists).')
    .action((folder: string, o: ImportCommandOptions) => {
      // The engine loads on first use, so that the other commands start fast.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const engine = require('../lib/import') as typeof import('../lib/import');
      try {
        if (o.format !== 'text' && o.format !== 'json') throw new ImportInputError(`--format: got ${JSON.stringify(o.format)}. Fix: pass text or json`);
        if (o.platform !== undefined && !LABEL.test(o.platform)) throw new ImportInputError(`--platform: got ${JSON.stringify(o.platform)}; a name is a DNS-1123 label. Fix: e.g. --platform acme`);
        if (o.defaultEnvironment !== undefined && !LABEL.test(o.defaultEnvironment)) throw new ImportInputError(`--default-environment: got ${JSON.stringify(o.defaultEnvironment)}; a name is a DNS-1123 label. Fix: e.g. --default-environment production`);
        if (fs.existsSync(o.out) && (fs.statSync(o.out).isDirectory() || !o.force)) {
          throw new ImportInputError(`--out: ${o.out} ${fs.statSync(o.out).isDirectory() ? 'is a folder' : 'exists'}. Fix: name a new .ts file${fs.statSync(o.out).isDirectory() ? '' : ', or pass --force to overwrite it'}`);
        }
        const result = engine.importEstate(folder, { environmentMap: parseEnvironmentMap(o.environmentMap), platform: o.platform, cluster: o.cluster, defaultEnvironment: o.defaultEnvironment });
        fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
        const tmp = `${o.out}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, result.program);
        fs.renameSync(tmp, o.out);
        if (o.format === 'json') io.out(`${JSON.stringify({ ok: true, program: o.out, summary: result.summary, objects: result.report }, null, 2)}\n`);
        else io.out(`${engine.formatImportReport(result)}platform-cdk: the program is written to ${o.out}; check it with \`platform-cdk validate --app ${o.out}\`\n`);
        setCode(OK);
      } catch (e) {
        const known = e instanceof ImportInputError || e instanceof engine.ExportReadError;
        if (!known) throw e;
        const message = e instanceof engine.ExportReadError ? `${e.message}. Fix: ${e.fix}` : e.message;
        if (o.format === 'json') io.out(`${JSON.stringify({ ok: false, error: message })}\n`);
        io.err(`platform-cdk import: ${errorLine(message)}\n`);
        setCode(INPUT);
      }
    });
}
