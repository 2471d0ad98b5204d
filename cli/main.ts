/**
 * The `platform-cdk` command line: `synth`, `validate`, `diff`, `report` and `release`. It loads the estate
 * program named in `cdk8s.yaml` (or `--app`), which exports `build(): Platform`.
 *
 * Exit codes: 0 done (warnings allowed), 1 findings (model errors, schema or policy errors, bad input; with
 * `diff --exit-code`, differences), 2 usage (unknown option, missing program).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, Option } from 'commander';
import { readReleasePins, releasePinsText } from '../constructs/delivery';
import type { Platform } from '../constructs/platform';
import type { CheckResult } from '../lib/check';
import { planPlatform } from '../lib/plan';
import { formatProblem, Problem, ValidationError } from '../lib/problems';
import { renderPlatform, RenderedPlatform } from '../lib/render';
import { validatePlatform } from '../lib/validate';
import { OutputWriteError, UnsafeOutputFolderError } from '../lib/write';
import { ChecksFailed, ManifestStack, SynthResult, synthSummary } from '../stacks/manifest-stack';
import { loadApp, UsageError } from './app';
import { Progress } from './progress';

// The engines of the estate commands load on first use, so that `release` (run in every deploy step) starts fast.
/* eslint-disable @typescript-eslint/no-require-imports */
const checks = (): typeof import('../lib/check') => require('../lib/check') as typeof import('../lib/check');
const diffs = (): typeof import('../lib/diff') => require('../lib/diff') as typeof import('../lib/diff');
const reports = (): typeof import('../lib/report') => require('../lib/report') as typeof import('../lib/report');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Exit codes: 0 done, 1 findings (the model or the input is wrong) or an output folder that could not be written, 2 usage. */
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
  if (!TAG.test(o.tag) || o.tag === 'latest') problems.push(`--tag: got ${JSON.stringify(o.tag)}; an image tag is 1-128 letters, digits, "_", "." and "-", not starting with "." or "-", and not "latest" (it moves). Fix: pass the commit's tag, e.g. "3f9c2a1b7d4e".`);
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
}

const STD_IO: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function json(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Builds the model and checks it; model errors end the command with exit code 1. */
function model(o: CommonOptions): { platform: Platform; problems: Problem[]; file: string } {
  const { platform, file } = loadApp(o.app);
  const problems = validatePlatform(platform);
  return { platform, problems, file };
}

function printProblems(o: CommonOptions, io: Io, problems: readonly Problem[]): void {
  if (o.format === 'text') for (const p of problems) io.err(`${formatProblem(p)}\n`);
}

function check(platform: Platform, rendered: RenderedPlatform, o: CommonOptions, progress: Progress): CheckResult {
  progress.step('schema and policy checks');
  return checks().checkRendered(platform, rendered, { crdDirs: o.crds });
}

function findingsJson(r: CheckResult): unknown {
  return { objects: r.objects, unvalidated: r.unvalidated, errors: r.findings.filter((f) => f.severity === 'error' && !f.waived).length, warnings: r.findings.filter((f) => f.severity === 'warning' && !f.waived).length, waived: r.findings.filter((f) => f.waived).length, findings: r.findings };
}

function printFindings(io: Io, r: CheckResult): void {
  for (const f of r.findings) io.err(`${checks().formatFinding(f)}\n`);
  const errors = r.findings.filter((f) => f.severity === 'error' && !f.waived).length;
  const warnings = r.findings.filter((f) => f.severity === 'warning' && !f.waived).length;
  const waived = r.findings.filter((f) => f.waived).length;
  io.err(`platform-cdk: ${r.objects} objects checked: ${errors} errors, ${warnings} warnings, ${waived} waived\n`);
}

/**
 * Runs the command line.
 * @param argv the process arguments (`process.argv`)
 * @param io where to write (tests capture it)
 * @returns the exit code
 */
export function main(argv: readonly string[], io: Io = STD_IO): number {
  const program = new Command('platform-cdk')
    .description('platform-cdk: synthesize, check, compare and report a platform estate; pin releases')
    .exitOverride()
    .configureOutput({ writeErr: (s) => io.err(s), writeOut: (s) => io.out(s) })
    .addHelpText('after', '\nExit codes: 0 done (warnings allowed), 1 findings, 2 usage.\nThe program is --app <file>, else the one cdk8s.yaml names; it exports build(): Platform.');
  let code: number = ExitCode.OK;
  const common = (c: Command): Command =>
    c
      .option('--app <file>', 'the estate program (default: the one cdk8s.yaml names)')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .option('-q, --quiet', 'no progress output (also when stderr is not a terminal)')
      .option('--crds <folder...>', 'more CRD folders to validate against (e.g. the KubeSphere 4.1 CRDs)')
      .option('--now <YYYY-MM-DD>', 'the date previews expire against (default: today), so that a run is reproducible')
      .hook('preAction', (cmd) => {
        const now = (cmd.opts() as { now?: string }).now;
        if (now === undefined) return;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { isCalendarDate } = require('../constructs/preview-name') as typeof import('../constructs/preview-name');
        if (!isCalendarDate(now)) cmd.error(`platform-cdk: --now: got ${JSON.stringify(now)}; a date is YYYY-MM-DD`, { exitCode: ExitCode.USAGE });
        process.env.PLATFORM_CDK_NOW = now;
      });
  // With --format json, model errors are a JSON document too (the shape of `validate` on model errors).
  const run = (fn: () => number, format: CommonOptions['format'] = 'text') => (): void => {
    try {
      code = fn();
    } catch (e) {
      if (e instanceof UsageError) {
        io.err(`platform-cdk: ${e.message}\n`);
        code = ExitCode.USAGE;
      } else if (e instanceof ValidationError) {
        if (format === 'json') json(io, { ok: false, problems: e.problems, findings: [] });
        else io.err(`${e.message}\n`);
        code = ExitCode.FINDINGS;
      } else if (e instanceof UnsafeOutputFolderError) {
        // An output folder that may hold anything but an earlier output (the project, a git work tree, a folder
        // platform-cdk did not write): refused before anything was touched.
        if (format === 'json') json(io, { ok: false, error: e.message, code: e.code, reason: e.reason });
        else io.err(`platform-cdk: error: ${e.message}\n`);
        code = ExitCode.USAGE;
      } else if (e instanceof ChecksFailed) {
        // A synthesis made for another command (diff) stopped by the checks: every finding, as validate lists them.
        if (format === 'json') json(io, { ok: false, problems: [], ...(findingsJson(e.result) as object) });
        else printFindings(io, e.result);
        code = ExitCode.FINDINGS;
      } else if (e instanceof OutputWriteError) {
        // The output folder could not be written (a full disk, no permission, another run holding it): the
        // previous output is intact, and the message says why and what to do.
        if (format === 'json') json(io, { ok: false, error: e.message, code: e.code });
        else io.err(`platform-cdk: ${e.message}\n`);
        code = ExitCode.FINDINGS;
      } else throw e;
    }
  };
  const exitCodes = (one: string): string => `\nExit codes: 0 done (warnings allowed), 1 ${one}, 2 usage (unknown option, no program).`;

  common(program.command('synth'))
    .description('synthesize the estate into one folder per cluster (atomically; a failed run leaves the previous output)')
    .option('--env <environment>', 'only this environment (its namespaces and the cluster-wide objects of the clusters it owns)')
    .option('--cluster <cluster>', 'only this cluster')
    .option('--out <folder>', 'the output folder: a new or empty folder, or one platform-cdk wrote (never the project itself)', 'dist')
    .option('--no-check', 'skip the schema, policy and isolation checks (the output is written unchecked, and a warning says so)')
    .addHelpText('after', exitCodes('findings (model, schema or policy errors; nothing is written)'))
    .action((o: CommonOptions & { env?: string; cluster?: string; out: string; check: boolean }) =>
      run(() => {
        const progress = new Progress(io, o.quiet === true || o.format === 'json');
        const { platform, file } = loadApp(o.app);
        // The stack's own checks (schema, policy, isolation), as every synthesis runs them: each cluster's objects
        // as soon as it is rendered, before its files are written; an error anywhere stops the synthesis once every
        // cluster is checked, and nothing is written. --no-check is the stack's `checks: false`.
        const stack = new ManifestStack(platform, { outdir: o.out, environment: o.env, cluster: o.cluster, onCluster: (c, i, n) => progress.cluster(c, i, n), checks: o.check, crdDirs: o.crds, program: file });
        progress.step('model checks');
        let result: SynthResult;
        try {
          result = stack.synth();
        } catch (e) {
          if (!(e instanceof ChecksFailed)) throw e;
          progress.done();
          if (o.format === 'json') json(io, { ok: false, problems: stack.check(), ...(findingsJson(e.result) as object) });
          else printFindings(io, e.result);
          return ExitCode.FINDINGS;
        }
        const checked = result.checks;
        progress.done();
        if (o.format === 'json') {
          json(io, { ok: true, outdir: result.outdir, objectCount: result.objectCount, clusters: result.clusters, warnings: result.warnings });
        } else {
          printProblems(o, io, result.warnings);
          const notes = checked ? checked.findings.filter((f) => f.severity === 'warning' || f.waived !== undefined).length : 0;
          if (notes > 0) io.err(`platform-cdk: the checks found ${notes} warnings or waived findings; \`platform-cdk validate\` lists them\n`);
          for (const line of synthSummary(result)) io.out(`${line}\n`);
        }
        return ExitCode.OK;
      }, o.format)(),
    );

  common(program.command('validate'))
    .description('check the model, then every synthesized object against its schema (strict) and the policy rules of its environment; writes nothing')
    .addHelpText('after', exitCodes('findings (model, schema or policy errors)'))
    .action((o: CommonOptions) =>
      run(() => {
        const progress = new Progress(io, o.quiet === true || o.format === 'json');
        progress.step('model checks');
        const { platform, problems } = model(o);
        const modelErrors = problems.filter((p) => p.severity === 'error');
        if (modelErrors.length > 0) {
          progress.done();
          if (o.format === 'json') json(io, { ok: false, problems, findings: [] });
          else io.err(`${new ValidationError(problems).message}\n`);
          return ExitCode.FINDINGS;
        }
        progress.step('schema and policy checks');
        const r = checks().checkPlatform(platform, { crdDirs: o.crds, onCluster: (c, i, n) => progress.cluster(c, i, n) });
        progress.done();
        const ok = !checks().hasErrors(r.findings);
        if (o.format === 'json') json(io, { ok, problems, ...(findingsJson(r) as object) });
        else {
          printProblems(o, io, problems);
          printFindings(io, r);
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
    .addHelpText('after', exitCodes('model errors or, with --exit-code, differences'))
    .action((o: CommonOptions & { against: string; env?: string; out: string; live?: boolean; exitCode?: boolean }) =>
      run(() => {
        const { platform } = loadApp(o.app);
        const problems = validatePlatform(platform);
        if (problems.some((p) => p.severity === 'error')) throw new ValidationError(problems);
        if (o.env !== undefined) {
          for (const e of [o.env, o.against]) if (!platform.findEnvironment(e)) throw new UsageError(`no environment ${JSON.stringify(e)} (environments: ${platform.environments.map((x) => x.name).join(', ')})`);
          const d = diffs().diffEnvironments(renderPlatform(platform), o.env, o.against);
          if (o.format === 'json') json(io, d);
          else io.out(diffs().formatEnvironmentDiff(d));
          return o.exitCode && d.services.length > 0 ? ExitCode.FINDINGS : ExitCode.OK;
        }
        const after = new ManifestStack(platform).files();
        const folder = fs.existsSync(o.against) && fs.statSync(o.against).isDirectory();
        if (o.live && !folder) throw new UsageError(`--live: --against ${JSON.stringify(o.against)} is not a folder; with --live it is the folder of the objects exported from the clusters, one folder per cluster`);
        const before = folder ? diffs().readOutputFolder(o.against) : diffs().readGitRevision(o.against, o.out);
        const d = diffs().diffOutputs(before, after, { live: o.live === true });
        if (o.format === 'json') json(io, d);
        else io.out(diffs().formatOutputDiff(d));
        return o.exitCode && !d.identical ? ExitCode.FINDINGS : ExitCode.OK;
      }, o.format)(),
    );

  common(program.command('report'))
    .description('write one self-contained HTML page of the estate: topology, tenants, services, pipelines and findings')
    .option('--out <file>', 'the HTML file', 'platform-report.html')
    .addHelpText('after', exitCodes('model errors (no report is written)'))
    .action((o: CommonOptions & { out: string }) =>
      run(() => {
        const progress = new Progress(io, o.quiet === true || o.format === 'json');
        progress.step('model checks');
        const { platform, problems, file } = model(o);
        if (problems.some((p) => p.severity === 'error')) throw new ValidationError(problems);
        const rendered = renderPlatform(platform, planPlatform(platform), { onCluster: (c, i, n) => progress.cluster(c, i, n) });
        const r = check(platform, rendered, o, progress);
        progress.step('writing the report');
        const html = reports().renderReport({ platform, rendered, findings: r.findings, generatedFrom: path.relative(process.cwd(), file) });
        const tmp = `${o.out}.${process.pid}.tmp`;
        fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
        fs.writeFileSync(tmp, html);
        fs.renameSync(tmp, o.out);
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
    .description('write a preview into the previews folder (previews/<slug>.json); commit it, and the next synth deploys it')
    .requiredOption('--branch <branch>', 'the branch, e.g. feature/login')
    .requiredOption('--images <service=tag,...>', 'the services it overrides and their image tags')
    .requiredOption('--owner <department|user:name>', 'who owns it')
    .requiredOption('--expires <YYYY-MM-DD>', 'its last day')
    .requiredOption('--baseline <environment>', 'the development environment it derives from')
    .addOption(new Option('--dependencies <mode>', 'where its services find what they call').choices(['baseline', 'clone']).default('baseline'))
    .option('--dir <folder>', 'the previews folder of the estate', 'previews')
    .addHelpText('after', exitCodes('bad input (nothing written)'))
    .action((o: { branch: string; images: string; owner: string; expires: string; baseline: string; dependencies: string; dir: string }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sources = require('../constructs/preview-sources') as typeof import('../constructs/preview-sources');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { isCalendarDate, previewSlug } = require('../constructs/preview-name') as typeof import('../constructs/preview-name');
      const parsed = sources.parseImages(o.images, '--images');
      const problems = parsed.problems.map((p) => `${p.property}: got ${JSON.stringify(p.value)}; ${p.message}. Fix: ${p.fix}.`);
      const today = process.env.PLATFORM_CDK_NOW ?? new Date().toISOString().slice(0, 10);
      if (!isCalendarDate(o.expires)) problems.push(`--expires: got ${JSON.stringify(o.expires)}; a date is YYYY-MM-DD. Fix: give the preview's last day.`);
      else if (o.expires < today) problems.push(`--expires: got ${JSON.stringify(o.expires)}; the expiry is before today (${today}), and the preview would be left out at once. Fix: give a later date.`);
      const slug = previewSlug(o.branch);
      if (!/[A-Za-z0-9]/.test(o.branch)) problems.push(`--branch: got ${JSON.stringify(o.branch)}; the branch has no letter or digit. Fix: name the branch like feature/login.`);
      if (problems.length > 0) {
        for (const p of problems) io.err(`platform-cdk preview create: ${p}\n`);
        code = ExitCode.FINDINGS;
        return;
      }
      const file = path.join(o.dir, `${slug}.json`);
      fs.mkdirSync(o.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, sources.previewFileText({ branch: o.branch, baseline: o.baseline, owner: o.owner, expires: o.expires, services: parsed.services, dependencies: o.dependencies }));
      fs.renameSync(tmp, file);
      io.out(`platform-cdk: preview pv-${slug} of branch ${o.branch} written to ${file}\n`);
    });
  preview
    .command('delete')
    .description('remove a preview from the previews folder; the next synth leaves it out and GitOps prunes it')
    .requiredOption('--branch <branch>', 'the branch')
    .option('--dir <folder>', 'the previews folder of the estate', 'previews')
    .action((o: { branch: string; dir: string }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { previewSlug } = require('../constructs/preview-name') as typeof import('../constructs/preview-name');
      const file = path.join(o.dir, `${previewSlug(o.branch)}.json`);
      if (!fs.existsSync(file)) {
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
    .addHelpText('after', '\nExit codes: 0 pinned, 1 bad input (nothing written), 2 usage.')
    .action((o: ReleaseOptions) => {
      const problems = release(o);
      if (problems.length > 0) {
        for (const p of problems) io.err(`platform-cdk release: ${p}\n`);
        code = ExitCode.FINDINGS;
        return;
      }
      io.out(`platform-cdk: ${o.service} ${o.tag} pinned for ${o.env} in ${path.join(o.dir, `${o.env}.json`)}\n`);
    });
  const now = process.env.PLATFORM_CDK_NOW;
  try {
    program.parse([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    throw e;
  } finally {
    // --now holds for this run only.
    if (now === undefined) delete process.env.PLATFORM_CDK_NOW;
    else process.env.PLATFORM_CDK_NOW = now;
  }
  return code;
}

// Run directly (`npx tsx cli/main.ts …`), the module is the command line itself.
if (require.main === module) process.exitCode = main(process.argv);
