/**
 * The `platform-cdk` command line: `synth`, `validate`, `diff`, `report`, `preview`, `release` and `import`. It loads the
 * estate program named in `cdk8s.yaml` (or `--app`), which exports `build(): Platform`.
 *
 * Exit codes (cli/errors.ts, docs/cli.md): 0 done (warnings allowed), 1 findings (model, schema or policy
 * errors; with `diff --exit-code`, differences), 2 usage or input errors (one `error: <cause>. Fix: <fix>` line),
 * 3 internal faults (one line asking for a report; the stack with `--debug`). Results go to stdout, progress and
 * diagnostics to stderr.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, Option } from 'commander';
import { readReleasePins, ReleasePins, releasePinsText, unknownRelease } from '../constructs/delivery';
import type { Platform } from '../constructs/platform';
import type { CheckResult } from '../lib/check';
import { planPlatform } from '../lib/plan';
import { describeValue, formatProblem, Problem, ValidationError } from '../lib/problems';
import { renderPlatform, RenderedPlatform } from '../lib/render';
import { validatePlatform } from '../lib/validate';
import { OutputWriteError, UnsafeOutputFolderError } from '../lib/write';
import { ChecksFailed, ManifestStack, SynthResult, synthSummary } from '../stacks/manifest-stack';
import { loadApp } from './app';
import { colorSeverity, useColor } from './color';
import { debugEnabled, errorLine, EXIT_CODES_HELP, ExitCode, exitQuietlyOnClosedPipe, internalFaultLines, oneLine, UsageError } from './errors';
import { followOutputFolder } from './outdir';
import { Progress } from './progress';
import { registerImportCommand } from './import';
import { registerSchemasCommand } from './schemas';
import { packageVersion } from './version';

// The engines of the estate commands load on first use, so that `release` (run in every deploy step) starts fast.
/* eslint-disable @typescript-eslint/no-require-imports */
const checks = (): typeof import('../lib/check') => require('../lib/check') as typeof import('../lib/check');
const diffs = (): typeof import('../lib/diff') => require('../lib/diff') as typeof import('../lib/diff');
const reports = (): typeof import('../lib/report') => require('../lib/report') as typeof import('../lib/report');
/* eslint-enable @typescript-eslint/no-require-imports */

export { ExitCode } from './errors';

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

/** Options of the `release` command: {@link ReleaseOptions}, and how the estate is checked. */
interface ReleaseCommandOptions extends ReleaseOptions {
  /** The estate program (default: the one cdk8s.yaml names). */
  readonly app?: string;
  /** `--no-check`: pin without loading the estate (commander's `check: false`). */
  readonly check: boolean;
}

/**
 * Pins a tag in `<dir>/<env>.json`, atomically; returns the problems with the input (nothing written then).
 * @param o the options
 */
export function release(o: ReleaseOptions): string[] {
  const { problems, current } = releaseProblems(o);
  if (problems.length > 0) return problems;
  const file = path.join(o.dir, `${o.env}.json`);
  fs.mkdirSync(o.dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, releasePinsText(current.pins ?? {}, o.service, o.tag));
  fs.renameSync(tmp, file);
  return [];
}

/**
 * The problems with a release's values and its pins file, and the file's current pins; reads nothing unless the
 * environment's name is a DNS-1123 label.
 * @param o the options
 */
export function releaseProblems(o: ReleaseOptions): { problems: string[]; current: ReleasePins } {
  const problems: string[] = [];
  if (!LABEL.test(o.env)) problems.push(`--env: got ${JSON.stringify(o.env)}; an environment name is a DNS-1123 label. Fix: name an environment of the platform, e.g. "test".`);
  const parts = o.service.split('/');
  if (parts.length !== 3 || !parts.every((p) => LABEL.test(p))) problems.push(`--service: got ${JSON.stringify(o.service)}; a module is named <tenant>/<project>/<module>. Fix: use e.g. "shop/storefront/web".`);
  if (!TAG.test(o.tag) || o.tag === 'latest') problems.push(`--tag: got ${JSON.stringify(o.tag)}; an image tag is 1-128 letters, digits, "_", "." and "-", not starting with "." or "-", and not "latest" (it moves). Fix: pass the commit's tag, e.g. "3f9c2a1b7d4e".`);
  // The environment's name becomes a file name: nothing is read or written unless it is a label.
  const current = LABEL.test(o.env) ? readReleasePins(o.dir, o.env) : {};
  if (current.error) problems.push(`${current.error.file}: ${current.error.message}. Fix: repair or remove the file.`);
  return { problems, current };
}

/** Options every estate command takes. */
interface CommonOptions {
  readonly app?: string;
  readonly format: 'text' | 'json';
  readonly quiet?: boolean;
  readonly crds?: string[];
}

/** Where a command writes: stdout for results, stderr for messages and progress. */
interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (colour); default: no. */
  readonly outIsTTY?: boolean;
  /** Whether stderr is a terminal (colour); default: no. */
  readonly errIsTTY?: boolean;
}

const STD_IO: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), outIsTTY: process.stdout.isTTY === true, errIsTTY: process.stderr.isTTY === true };

/** Whether the severities of this run are coloured on stdout and on stderr (set by `main`). */
let colored = false;
let coloredErr = false;

function json(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Builds the model and checks it; model errors end the command with exit code 1. */
function model(o: CommonOptions): { platform: Platform; problems: Problem[]; file: string } {
  const { platform, file } = loadApp(o.app);
  const problems = validatePlatform(platform);
  return { platform, problems, file };
}

function printProblems(o: CommonOptions, write: (text: string) => void, problems: readonly Problem[], color: boolean): void {
  if (o.format === 'text') for (const p of problems) write(`${colorSeverity(color, formatProblem(p))}\n`);
}

/** A model's errors, as `ValidationError` words them, with the severities coloured. */
function modelErrorsText(problems: readonly Problem[], color: boolean): string {
  return `${new ValidationError(problems).message
    .split('\n')
    .map((l) => (l.startsWith('  - ') ? `  - ${colorSeverity(color, l.slice(4))}` : l))
    .join('\n')}\n`;
}

function check(platform: Platform, rendered: RenderedPlatform, o: CommonOptions, progress: Progress): CheckResult {
  progress.step('schema and policy checks');
  return checks().checkRendered(platform, rendered, { crdDirs: o.crds });
}

function findingsJson(r: CheckResult): unknown {
  return { objects: r.objects, unvalidated: r.unvalidated, errors: r.findings.filter((f) => f.severity === 'error' && !f.waived).length, warnings: r.findings.filter((f) => f.severity === 'warning' && !f.waived).length, waived: r.findings.filter((f) => f.waived).length, findings: r.findings };
}

function printFindings(write: (text: string) => void, r: CheckResult, color: boolean): void {
  for (const f of r.findings) write(`${colorSeverity(color, checks().formatFinding(f))}\n`);
  const errors = r.findings.filter((f) => f.severity === 'error' && !f.waived).length;
  const warnings = r.findings.filter((f) => f.severity === 'warning' && !f.waived).length;
  const waived = r.findings.filter((f) => f.waived).length;
  write(`platform-cdk: ${r.objects} objects checked: ${errors} errors, ${warnings} warnings, ${waived} waived\n`);
}

/**
 * The model errors a new preview would cause: the estate program is built twice, as it is and with the preview's
 * file seen in the previews folder (nothing is written), and the errors of the second build that the first does
 * not have are returned, each formatted. A program that does not load the folder is an error too: the preview
 * would never be deployed. Throws `UsageError` when there is no program.
 * @param app the `--app` option
 * @param dir the previews folder
 * @param name the preview file's name
 * @param text the preview file's text
 */
function previewEstateProblems(app: string | undefined, dir: string, name: string, text: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { _stagePreview } = require('../constructs/preview-sources') as typeof import('../constructs/preview-sources');
  const build = (stage: boolean): { errors: string[]; seen: boolean; file?: string } => {
    _stagePreview(stage ? { dir, name, text } : undefined);
    try {
      const loaded = loadApp(app);
      const seen = _stagePreview(undefined);
      return { errors: validatePlatform(loaded.platform).filter((p) => p.severity === 'error').map(formatProblem), seen, file: loaded.file };
    } catch (e) {
      _stagePreview(undefined);
      if (e instanceof ValidationError) return { errors: e.problems.filter((p) => p.severity === 'error').map(formatProblem), seen: true };
      throw e;
    }
  };
  const before = new Set(build(false).errors);
  const after = build(true);
  if (!after.seen) {
    return [`--dir: got ${JSON.stringify(dir)}; the estate program ${after.file ?? ''} does not load previews from this folder, so the preview would never be deployed. Fix: pass --dir the folder the program's platform.loadPreviews() reads (or --app the estate's program).`];
  }
  return after.errors.filter((e) => !before.has(e)).map((e) => `the estate would not synthesize with this preview: ${e}`);
}

/**
 * Runs the command line.
 * @param argv the process arguments (`process.argv`)
 * @param io where to write (tests capture it)
 * @returns the exit code
 */
export function main(argv: readonly string[], io: Io = STD_IO): number {
  const args = [...argv];
  const beforeDashes = args.slice(0, args.includes('--') ? args.indexOf('--') : args.length);
  const debug = debugEnabled(args);
  colored = useColor({ noColorOption: beforeDashes.includes('--no-color'), isTTY: io.outIsTTY === true });
  coloredErr = useColor({ noColorOption: beforeDashes.includes('--no-color'), isTTY: io.errIsTTY === true });
  const program = new Command('platform-cdk')
    .description('platform-cdk: synthesize, check, compare and report a platform estate; manage previews; pin releases')
    .exitOverride()
    .version(packageVersion(), '-V, --version', 'print the version of platform-cdk')
    .option('--debug', 'print the stack of an internal fault or of an exception in the program (also PLATFORM_CDK_DEBUG=1)')
    .option('--no-color', 'no colour (also NO_COLOR=1; FORCE_COLOR=1 forces it; by default only on a terminal)')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeErr: (t) => io.err(t),
      writeOut: (t) => io.out(t),
      // Commander's own errors (unknown option, missing argument) on one line, with the fix.
      outputError: (t, write) => write(`${colorSeverity(coloredErr, `${oneLine(t)}. Fix: see \`platform-cdk ${commandPath(program, args)}--help\``)}\n`),
    })
    .addHelpText('after', `\n${EXIT_CODES_HELP}\nThe program is --app <file>, else the one cdk8s.yaml names; it exports build(): Platform.\nResults go to stdout; progress and diagnostics to stderr. docs/cli.md has the details.\n\nExample:\n  $ platform-cdk validate && platform-cdk synth --out dist`);
  let code: number = ExitCode.OK;
  /** Options of every command that loads the estate program. */
  const common = (c: Command): Command =>
    c
      .option('--app <file>', 'the estate program (default: the one cdk8s.yaml names)')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('--now <YYYY-MM-DD>', 'the date previews expire against (default: today), so that a run is reproducible')
      .hook('preAction', (cmd) => {
        const { now, crds } = cmd.opts() as { now?: string; crds?: string[] };
        for (const d of crds ?? []) {
          if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new UsageError(`--crds: the CRD folder ${d} ${fs.existsSync(d) ? 'is not a folder' : 'does not exist'}`, 'pass a folder of CustomResourceDefinition YAML files (e.g. the KubeSphere 4.1 CRDs), or leave --crds out');
        }
        if (now === undefined) return;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { isCalendarDate } = require('../constructs/preview-name') as typeof import('../constructs/preview-name');
        if (!isCalendarDate(now)) throw new UsageError(`--now: got ${JSON.stringify(now)}; a date is YYYY-MM-DD`, 'pass a calendar date such as 2026-01-31, or leave --now out');
        process.env.PLATFORM_CDK_NOW = now;
      });
  /** The options of the commands that render and check the whole estate (synth, validate, report). */
  const checked = (c: Command): Command =>
    common(c)
      .option('-q, --quiet', 'no progress output (also when stderr is not a terminal)')
      .option('--crds <folder...>', 'more CRD folders to validate against (e.g. the KubeSphere 4.1 CRDs)');
  /** How an error ends a command: its exit code, and what is printed. */
  const fail = (e: unknown, format: CommonOptions['format'] = 'text'): number => {
    if (e instanceof UsageError) {
      if (format === 'json') json(io, { ok: false, error: oneLine(e.message) });
      io.err(`${colorSeverity(coloredErr, errorLine(e.message))}\n`);
      const stack = (e.cause as { stack?: unknown } | undefined)?.stack;
      if (debug && typeof stack === 'string') io.err(`${stack}\n`);
      return ExitCode.USAGE;
    }
    if (e instanceof ValidationError) {
      if (format === 'json') json(io, { ok: false, problems: e.problems, findings: [] });
      else io.err(modelErrorsText(e.problems, coloredErr));
      return ExitCode.FINDINGS;
    }
    if (e instanceof ChecksFailed) {
      // A synthesis made for another command (diff) stopped by the checks: every finding, as validate lists them.
      if (format === 'json') json(io, { ok: false, problems: [], ...(findingsJson(e.result) as object) });
      else printFindings((t) => io.err(t), e.result, coloredErr);
      return ExitCode.FINDINGS;
    }
    if (e instanceof OutputWriteError) {
      // The output folder could not be written (a full disk, no permission, another run holding it, a folder that
      // must not be replaced): the previous output is intact, and the message says why and what to do.
      if (format === 'json') json(io, { ok: false, error: e.message, code: e.code, ...(e instanceof UnsafeOutputFolderError ? { reason: e.reason } : {}) });
      io.err(`${colorSeverity(coloredErr, errorLine(e.message))}\n`);
      return ExitCode.USAGE;
    }
    if (e instanceof Error && /\. Fix: \S/.test(e.message)) {
      // An error of the library that words its cause and its fix (the house style for the user's mistakes, e.g. an
      // output folder that must not be replaced): an input error, not a fault.
      if (format === 'json') json(io, { ok: false, error: oneLine(e.message) });
      io.err(`${colorSeverity(coloredErr, errorLine(e.message))}\n`);
      if (debug && e.stack) io.err(`${e.stack}\n`);
      return ExitCode.USAGE;
    }
    for (const line of internalFaultLines(e, debug)) io.err(`${colorSeverity(coloredErr, line)}\n`);
    return ExitCode.INTERNAL;
  };
  // With --format json, model errors are a JSON document too (the shape of `validate` on model errors).
  const run = (fn: () => number, format: CommonOptions['format'] = 'text') => (): void => {
    try {
      code = fn();
    } catch (e) {
      code = fail(e, format);
    }
  };
  const exitCodes = (one: string, example?: string): string => `\nExit codes: 0 done (warnings allowed), 1 ${one}, 2 usage or input error, 3 internal fault.${example ? `\n\nExample:\n  $ ${example}` : ''}`;

  checked(program.command('synth'))
    .description('synthesize the estate into one folder per cluster (atomically; a failed run leaves the previous output)')
    .option('--env <environment>', 'only this environment (its namespaces and the cluster-wide objects of the clusters it owns)')
    .option('--cluster <cluster>', 'only this cluster')
    .option('--out <folder>', 'the output folder: a new or empty folder, or one platform-cdk wrote (never the project itself)', 'dist')
    .option('--no-check', 'skip the schema, policy and isolation checks (the output is written unchecked, and a warning says so)')
    .addHelpText('after', exitCodes('findings (model, schema or policy errors; nothing is written)', 'platform-cdk synth --out dist --env production'))
    .action((o: CommonOptions & { env?: string; cluster?: string; out: string; check: boolean }) =>
      run(() => {
        const progress = new Progress(io, o.quiet === true || o.format === 'json');
        progress.step(`loading ${o.app ?? 'the program of cdk8s.yaml'}`);
        const { platform, file } = loadApp(o.app);
        // The GitOps objects and the pipelines name the output folder: they follow --out (docs/cli.md).
        const note = followOutputFolder(platform, o.out);
        if (note && o.format === 'text') progress.print(`${colorSeverity(coloredErr, `warning: ${note}`)}\n`);
        // The stack's own checks (schema, policy, isolation), as every synthesis runs them: each cluster's objects
        // as soon as it is rendered, before its files are written; an error anywhere stops the synthesis once every
        // cluster is checked, and nothing is written. --no-check is the stack's `checks: false`.
        const stack = new ManifestStack(platform, { outdir: o.out, environment: o.env, cluster: o.cluster, onCluster: (c, i, n) => progress.cluster(c, i, n), checks: o.check, crdDirs: o.crds, program: file });
        if (o.check) {
          // The validator the stack's checks use (one per process), made now so that its start-up is a step of its own.
          progress.step('preparing the schema checks');
          checks().validatorFor(platform.target, o.crds);
        }
        progress.step('model checks and planning');
        let result: SynthResult;
        try {
          result = stack.synth();
        } catch (e) {
          if (!(e instanceof ChecksFailed)) throw e;
          progress.done();
          if (o.format === 'json') json(io, { ok: false, problems: stack.check(), ...(findingsJson(e.result) as object) });
          else printFindings((t) => io.err(t), e.result, coloredErr);
          return ExitCode.FINDINGS;
        }
        const checked = result.checks;
        progress.done();
        if (o.format === 'json') {
          json(io, { ok: true, outdir: result.outdir, objectCount: result.objectCount, clusters: result.clusters, warnings: result.warnings });
        } else {
          printProblems(o, (t) => io.err(t), result.warnings, coloredErr);
          const notes = checked ? checked.findings.filter((f) => f.severity === 'warning' || f.waived !== undefined).length : 0;
          if (notes > 0) io.err(`platform-cdk: the checks found ${notes} warnings or waived findings; \`platform-cdk validate\` lists them\n`);
          for (const line of synthSummary(result)) io.out(`${line}\n`);
        }
        return ExitCode.OK;
      }, o.format)(),
    );

  checked(program.command('validate'))
    .description('check the model, then every synthesized object against its schema (strict) and the policy rules of its environment; writes nothing')
    .addHelpText('after', exitCodes('findings (model, schema or policy errors)', 'platform-cdk validate > findings.txt'))
    .action((o: CommonOptions) =>
      run(() => {
        const progress = new Progress(io, o.quiet === true || o.format === 'json');
        progress.step(`loading ${o.app ?? 'the program of cdk8s.yaml'}`);
        const loaded = loadApp(o.app);
        progress.step('model checks and planning');
        const { platform } = loaded;
        const problems = validatePlatform(platform);
        const modelErrors = problems.filter((p) => p.severity === 'error');
        // The findings are validate's result: they go to stdout (`> file` captures them).
        if (modelErrors.length > 0) {
          progress.done();
          if (o.format === 'json') json(io, { ok: false, problems, findings: [] });
          else io.out(modelErrorsText(problems, colored));
          return ExitCode.FINDINGS;
        }
        progress.step('preparing the schema checks');
        checks().validatorFor(platform.target, o.crds);
        const r = checks().checkPlatform(platform, { crdDirs: o.crds, onCluster: (c, i, n) => progress.cluster(c, i, n) });
        progress.done();
        const ok = !checks().hasErrors(r.findings);
        if (o.format === 'json') json(io, { ok, problems, ...(findingsJson(r) as object) });
        else {
          printProblems(o, (t) => io.out(t), problems, colored);
          printFindings((t) => io.out(t), r, colored);
        }
        return ok ? ExitCode.OK : ExitCode.FINDINGS;
      }, o.format)(),
    );

  common(program.command('diff'))
    .description('compare the synthesis with an earlier output folder or git revision, or two environments')
    .requiredOption('--against <folder|revision|environment>', 'an output folder, a git revision (its --out folder), or with --env another environment')
    .option('--env <environment>', 'compare this environment with the --against environment, service by service')
    .option('--out <folder>', 'the output folder inside the repository, for a git revision', 'dist')
    .option('--live', 'the --against folder holds objects exported from the clusters (kubectl get -o yaml, one folder per cluster): ignore what the server fills in')
    .option('--exit-code', 'exit with 1 when there are differences')
    .addHelpText('after', exitCodes('model errors or, with --exit-code, differences', 'platform-cdk diff --against HEAD~1 --exit-code'))
    .action((o: CommonOptions & { against: string; env?: string; out: string; live?: boolean; exitCode?: boolean }) =>
      run(() => {
        const { platform } = loadApp(o.app);
        const problems = validatePlatform(platform);
        if (problems.some((p) => p.severity === 'error')) throw new ValidationError(problems);
        if (o.env !== undefined) {
          for (const e of [o.env, o.against]) if (!platform.findEnvironment(e)) throw new UsageError(`no environment ${JSON.stringify(e)} (environments: ${platform.environments.map((x) => x.name).join(', ')})`, 'name two environments of the platform with --env and --against');
          const d = diffs().diffEnvironments(renderPlatform(platform), o.env, o.against);
          if (o.format === 'json') json(io, d);
          else io.out(diffs().formatEnvironmentDiff(d));
          return o.exitCode && d.services.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
        }
        const folder = fs.existsSync(o.against) && fs.statSync(o.against).isDirectory();
        if (o.live && !folder) throw new UsageError(`--live: --against ${JSON.stringify(o.against)} is not a folder; with --live it is the folder of the objects exported from the clusters, one folder per cluster`, 'pass the folder of the exported objects');
        // A git revision's output folder is the folder the GitOps objects name: the synthesis follows it as synth does.
        if (!folder) followOutputFolder(platform, o.out);
        const after = new ManifestStack(platform).files();
        let before: Map<string, string>;
        try {
          before = folder ? diffs().readOutputFolder(o.against) : diffs().readGitRevision(o.against, o.out);
        } catch (e) {
          // No git, no repository, no such revision, no output folder at it: the messages say what and how to fix it.
          if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError)) throw new UsageError(e.message);
          throw e;
        }
        const d = diffs().diffOutputs(before, after, { live: o.live === true });
        if (o.format === 'json') json(io, d);
        else io.out(diffs().formatOutputDiff(d));
        return o.exitCode && !d.identical ? ExitCode.FINDINGS : ExitCode.OK;
      }, o.format)(),
    );

  checked(program.command('report'))
    .description('write one self-contained HTML page of the estate: topology, tenants, services, pipelines and findings')
    .option('--out <file>', 'the HTML file', 'platform-report.html')
    .addHelpText('after', exitCodes('model errors (no report is written)', 'platform-cdk report --out estate.html'))
    .action((o: CommonOptions & { out: string }) =>
      run(() => {
        if (fs.existsSync(o.out) && fs.statSync(o.out).isDirectory()) throw new UsageError(`--out: ${o.out} is a folder; the report is one HTML file`, `name a file, e.g. --out ${path.join(o.out, 'platform-report.html')}`);
        const progress = new Progress(io, o.quiet === true || o.format === 'json');
        progress.step(`loading ${o.app ?? 'the program of cdk8s.yaml'}`);
        const { platform, problems, file } = model(o);
        progress.step('model checks and planning');
        if (problems.some((p) => p.severity === 'error')) throw new ValidationError(problems);
        const rendered = renderPlatform(platform, planPlatform(platform), { onCluster: (c, i, n) => progress.cluster(c, i, n) });
        const r = check(platform, rendered, o, progress);
        progress.step('writing the report');
        const html = reports().renderReport({ platform, rendered, findings: r.findings, generatedFrom: path.relative(process.cwd(), file) });
        const tmp = `${o.out}.${process.pid}.tmp`;
        try {
          fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
          fs.writeFileSync(tmp, html);
          fs.renameSync(tmp, o.out);
        } catch (e) {
          fs.rmSync(tmp, { force: true });
          const err = e as NodeJS.ErrnoException;
          throw new UsageError(`--out: the report cannot be written to ${o.out} (${err.code ?? err.message})`, 'name a file in a folder you can write to');
        }
        progress.done();
        if (o.format === 'json') json(io, { ok: true, file: path.resolve(o.out), bytes: Buffer.byteLength(html), findings: r.findings.length });
        else io.out(`platform-cdk: report of ${platform.node.id} written to ${o.out} (${Buffer.byteLength(html)} bytes, ${r.findings.length} findings)\n`);
        return ExitCode.OK;
      }, o.format)(),
    );

  const preview = program.command('preview').description('preview environments: list them, or create and delete them in the estate\'s previews folder');
  common(preview.command('list'))
    .description('list every preview with its owner, expiry and state (active or expired, against --now or today)')
    .action((o: CommonOptions) =>
      run(() => {
        const { platform } = loadApp(o.app);
        const rows = platform.previews.map((p) => ({
          name: p.name,
          branch: p.branch,
          owner: p.ownerName ?? null,
          expires: p.expires,
          state: p.expiredOn(platform.today) ? 'expired' : 'active',
          baseline: p.baseline?.name ?? null,
          cluster: p.clusters[0]?.name ?? null,
          namespaces: p.projects.map((x) => `${x.namespace}${p.namespaceSuffix}`).sort(),
          services: p.services.map((x) => x.releaseKey).sort(),
          source: p.source.kind,
        }));
        if (o.format === 'json') json(io, { today: platform.today, previews: rows });
        else if (rows.length === 0) io.out(`platform-cdk: no previews (${platform.today})\n`);
        else {
          io.out(`previews of ${platform.node.id} on ${platform.today}:\n`);
          for (const r of rows) io.out(`  ${r.name}  branch ${r.branch}  owner ${r.owner}  expires ${r.expires} (${r.state})  on ${r.cluster}: ${r.namespaces.join(', ')}  services ${r.services.join(', ')}\n`);
        }
        return ExitCode.OK;
      }, o.format)(),
    );
  preview
    .command('create')
    .description('write a preview into the previews folder (previews/<slug>.json) once the estate builds with it; commit it, and the next synth deploys it')
    .requiredOption('--branch <branch>', 'the branch, e.g. feature/login')
    .requiredOption('--images <service=tag,...>', 'the services it overrides and their image tags')
    .requiredOption('--owner <department|user:name>', 'who owns it')
    .requiredOption('--expires <YYYY-MM-DD>', 'its last day')
    .requiredOption('--baseline <environment>', 'the development environment it derives from')
    .addOption(new Option('--dependencies <mode>', 'where its services find what they call').choices(['baseline', 'clone']).default('baseline'))
    .option('--dir <folder>', 'the previews folder of the estate', 'previews')
    .option('--app <file>', 'the estate program, built with the new preview before it is written (default: the one cdk8s.yaml names)')
    .addHelpText('after', exitCodes('bad input, a branch whose preview name another branch holds, or model errors the preview would cause (nothing written)'))
    .action((o: { branch: string; images: string; owner: string; expires: string; baseline: string; dependencies: string; dir: string; app?: string }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sources = require('../constructs/preview-sources') as typeof import('../constructs/preview-sources');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { previewSlug } = require('../constructs/preview-name') as typeof import('../constructs/preview-name');
      const refuse = (lines: readonly string[], exit: number = ExitCode.FINDINGS): void => {
        for (const p of lines) io.err(`platform-cdk preview create: ${p}\n`);
        code = exit;
      };
      // 1. The values, with the rules the model applies at synthesis.
      const parsed = sources.parseImages(o.images, '--images');
      const today = process.env.PLATFORM_CDK_NOW ?? new Date().toISOString().slice(0, 10);
      const spec = { branch: o.branch, baseline: o.baseline, owner: o.owner, expires: o.expires, services: parsed.services, dependencies: o.dependencies };
      const problems = [
        ...parsed.problems.map((p) => `${p.property}: got ${describeValue(p.value)}; ${p.message}. Fix: ${p.fix}.`),
        ...sources.checkPreviewSpec(spec, today).map((p) => `--${p.field}: got ${describeValue(p.value)}; ${p.message}. Fix: ${p.fix}.`),
      ];
      if (problems.length > 0) return refuse(problems);
      // 2. The preview's name belongs to this branch, or to nobody.
      const slug = previewSlug(o.branch);
      const file = path.join(o.dir, `${slug}.json`);
      const clash = (): string | undefined => {
        const other = sources.previewFileOwners(o.dir, slug, o.branch).find((x) => x.kind !== 'branch' || x.branch !== o.branch);
        if (!other) return undefined;
        return other.kind === 'branch'
          ? `--branch: got ${JSON.stringify(o.branch)}; ${other.file} holds the preview of branch ${JSON.stringify(other.branch)}, and both branches name the preview pv-${slug} (lowercase letters, digits and "-"), so writing it would replace that branch's preview. Fix: rename the branch so that it differs from ${JSON.stringify(other.branch)} in more than case and punctuation, or remove the other preview first (platform-cdk preview delete --branch ${JSON.stringify(other.branch)}).`
          : `--branch: got ${JSON.stringify(o.branch)}; ${other.file} holds the name of the preview pv-${slug}, but ${other.reason}, so it is not known whose it is. Fix: check the file and remove it by hand, then run the command again.`;
      };
      const taken = clash();
      if (taken) return refuse([taken]);
      // 3. The estate builds with the preview and has no model error it did not have before.
      const text = sources.previewFileText(spec);
      let estate: string[];
      try {
        estate = previewEstateProblems(o.app, o.dir, `${slug}.json`, text);
      } catch (e) {
        if (e instanceof UsageError) return refuse([`${e.message} (the estate is built with the preview before it is written)`], ExitCode.USAGE);
        throw e;
      }
      if (estate.length > 0) return refuse(estate);
      // 4. Written atomically: a new file is linked into place only if no other run wrote that name meanwhile.
      fs.mkdirSync(o.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, text);
        if (fs.existsSync(file)) fs.renameSync(tmp, file);
        else {
          try {
            fs.linkSync(tmp, file);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
            const now = clash();
            if (now) return refuse([now]);
            fs.renameSync(tmp, file);
          }
        }
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      io.out(`platform-cdk: preview pv-${slug} of branch ${o.branch} written to ${file}\n`);
    });
  preview
    .command('delete')
    .description('remove a preview from the previews folder; the next synth leaves it out and GitOps prunes it')
    .requiredOption('--branch <branch>', 'the branch')
    .option('--dir <folder>', 'the previews folder of the estate', 'previews')
    .addHelpText('after', exitCodes('the preview\'s file belongs to another branch or names none (nothing removed)'))
    .action((o: { branch: string; dir: string }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sources = require('../constructs/preview-sources') as typeof import('../constructs/preview-sources');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { previewSlug } = require('../constructs/preview-name') as typeof import('../constructs/preview-name');
      const slug = previewSlug(o.branch);
      const file = path.join(o.dir, `${slug}.json`);
      const holder = sources.previewFileOwners(o.dir, slug, o.branch).find((x) => x.file === file);
      if (holder && (holder.kind !== 'branch' || holder.branch !== o.branch)) {
        io.err(
          holder.kind === 'branch'
            ? `platform-cdk preview delete: --branch: got ${JSON.stringify(o.branch)}; ${file} holds the preview of branch ${JSON.stringify(holder.branch)} (both branches name the preview pv-${slug}), not of this branch, so it is left alone. Fix: nothing to remove for this branch; to remove the other preview, run platform-cdk preview delete --branch ${JSON.stringify(holder.branch)}.\n`
            : `platform-cdk preview delete: --branch: got ${JSON.stringify(o.branch)}; ${file} holds the name of the preview pv-${slug}, but ${holder.reason}, so it is not known whose it is and it is left alone. Fix: check the file and remove it by hand.\n`,
        );
        code = ExitCode.FINDINGS;
        return;
      }
      if (!holder) {
        // Nothing to do (a second run after the merge is fine), and said so.
        io.out(`platform-cdk: no preview of branch ${o.branch} to remove (${file} does not exist)\n`);
        return;
      }
      fs.rmSync(file);
      io.out(`platform-cdk: preview of branch ${o.branch} removed (${file})\n`);
    });

  program
    .command('release')
    .description('pin the image tag of a module in an environment (releases/<env>.json); the next synth deploys it')
    .requiredOption('--env <environment>', 'the environment, e.g. test')
    .requiredOption('--service <tenant/project/module>', 'the module released')
    .requiredOption('--tag <tag>', 'the image tag built by this run')
    .option('--dir <folder>', 'the release pins folder of the estate', 'releases')
    .option('--app <file>', 'the estate program the environment and the module are checked against (default: the one cdk8s.yaml names)')
    .option('--no-check', 'pin without loading the estate program (the environment and the module are then not checked)')
    .addHelpText('after', '\nThe environment and the module must be known to the estate program (loaded like the other commands), unless --no-check is given.\n\nExit codes: 0 pinned, 2 usage or input error (a value, an unknown environment or module, a malformed pins file, a program that cannot be loaded; nothing written), 3 internal fault.\n\nExample:\n  $ platform-cdk release --env test --service shop/storefront/web --tag 3f9c2a1b7d4e')
    .action((o: ReleaseCommandOptions) =>
      run(() => {
        const problems = releaseProblems(o).problems;
        if (problems.length === 0 && o.check) {
          let platform: Platform;
          try {
            platform = loadApp(o.app).platform;
          } catch (e) {
            const why = e instanceof Error ? oneLine(e.message.replace(/\. Fix: .*$/s, '')) : String(e);
            throw new UsageError(`release: the estate program could not be loaded to check --env and --service (${why})`, 'run in the estate repository (where cdk8s.yaml is), pass --app <program.ts>, or pass --no-check to pin without the check');
          }
          const unknown = unknownRelease(platform, o.env, o.service);
          if (unknown) problems.push(`--${unknown.property}: got ${JSON.stringify(unknown.property === 'env' ? o.env : o.service)}; ${unknown.message}. Fix: ${unknown.fix}.`);
        }
        if (problems.length === 0) problems.push(...release(o));
        if (problems.length > 0) {
          for (const p of problems) io.err(`${colorSeverity(coloredErr, errorLine(`release: ${p}`))}\n`);
          return ExitCode.USAGE;
        }
        io.out(`platform-cdk: ${o.service} ${o.tag} pinned for ${o.env} in ${path.join(o.dir, `${o.env}.json`)}\n`);
        return ExitCode.OK;
      })(),
    );
  registerSchemasCommand(program, io, (c) => (code = c));
  registerImportCommand(program, io, (c) => (code = c));
  // The preview subcommands' examples, added here so that their definitions stay as they are.
  const examples: Record<string, string> = {
    list: 'platform-cdk preview list --format json',
    create: 'platform-cdk preview create --branch feature/login --images web=3f9c2a1b7d4e --owner shop-developers --expires 2026-02-01 --baseline development',
    delete: 'platform-cdk preview delete --branch feature/login',
  };
  for (const c of preview.commands) if (examples[c.name()]) c.addHelpText('after', `\nExample:\n  $ ${examples[c.name()]}`);
  const now = process.env.PLATFORM_CDK_NOW;
  try {
    program.parse(args);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    return fail(e);
  } finally {
    // --now holds for this run only.
    if (now === undefined) delete process.env.PLATFORM_CDK_NOW;
    else process.env.PLATFORM_CDK_NOW = now;
  }
  return code;
}

/** The known commands the arguments name (e.g. `preview create `), for the hint of a usage error. */
function commandPath(program: Command, argv: readonly string[]): string {
  const words: string[] = [];
  let command = program;
  for (const a of argv.slice(2)) {
    const sub = command.commands.find((c) => c.name() === a);
    if (!sub) break;
    words.push(a);
    command = sub;
  }
  return words.map((w) => `${w} `).join('');
}

// Run directly (`npx tsx cli/main.ts …`), the module is the command line itself.
if (require.main === module) {
  exitQuietlyOnClosedPipe();
  process.exitCode = main(process.argv);
}
