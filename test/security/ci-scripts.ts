/**
 * The CI injection property, as plain functions (so that the jest test and the long run check the same thing):
 * hostile strings go into the options of a release pipeline; either the model refuses them with a
 * ValidationError, or the Jenkinsfile and the `.gitlab-ci.yml` are generated, their shell scripts extracted (the
 * GitLab jobs' `script` lines from the YAML, the Jenkins `sh` steps decoded from their Groovy literals) and run
 * under `sh` in a temporary folder with every tool they call stubbed. No marker file may appear, the stubs must
 * receive each value intact as one argument, and the user's own commands must stay whole within their step.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { CiSystem, ClusterRole, Credential, DeployMethod, Issuer, Platform, Registry, StageAnchor, Tls, ValidationError } from 'platform-cdk';
import type { DeliveryOptions, PipelineProps } from 'platform-cdk';
import { parse } from 'yaml';
import { renderGitlabCi } from '../../lib/pipelines/gitlab-ci';
import { renderJenkinsfile } from '../../lib/pipelines/jenkinsfile';
import { validatePlatform } from '../../lib/validate';

// --- Hostile strings ------------------------------------------------------------------------------------------

/** The name of the file an injected command creates. */
export const MARKER = 'pwned';

/** The payloads of the review that found the defect. */
export const REPORTED = {
  severity: 'CRITICAL;touch pwned;echo',
  context: '$(touch${IFS}pwned)',
  dockerfile: 'Dockerfile";touch${IFS}pwned;"',
} as const;

/** Pieces of hostile strings: every kind of quote, substitution, operator, line break, Groovy delimiter, escape. */
const FRAGMENTS = [
  "'", '"', '`', '$(', ')', '(', '$(touch pwned)', '`touch pwned`', ';', ';touch pwned;', '&&', '&& touch pwned', '||', '|', '| touch pwned',
  '\n', '\ntouch pwned\n', '\r', '\t', ' ', '${', '}', '{', '${IFS}', 'touch${IFS}pwned', '$IFS', '$', '"""', "'''", '\\', '\\u0027', '\\n', '\\\'',
  '#', '&', '>pwned', '<', '*', '?', '~', '!', '..', '/', '-', '--', '=', ',', ':', '@', 'é', '€', '😀', '\u2028', '\u0085',
  "';touch pwned;'", '";touch${IFS}pwned;"', "'\"$(touch pwned)\"'", '\'\'\'\ntouch pwned\n\'\'\'', '"""\n${"touch pwned".execute()}\n"""', '${new File("pwned").createNewFile()}',
  'CRITICAL', 'HIGH', 'main', 'release', 'Dockerfile', 'services', '.', 'a', 'x1', 'dist', 'https://gitlab.example.com/x/',
];

/** A value no argv and no stub log can hold (NUL; the log's separators). */
const UNREPRESENTABLE = /[\u0000\u001d\u001e\u001f]/;

/** Random hostile strings: pieces joined, random unicode, and the reported payloads. */
export const hostile: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 6 }).map((a) => a.join('')), weight: 6 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((s) => !UNREPRESENTABLE.test(s)), weight: 2 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...'\'"`$(){};|&\\\n '.split(''), 'a', 'touch pwned'), minLength: 1, maxLength: 12 }), weight: 2 },
  { arbitrary: fc.constantFrom(...Object.values(REPORTED)), weight: 1 },
);

// --- The options ------------------------------------------------------------------------------------------------

/** The pipeline and delivery options the property puts hostile strings into. */
export const OPTIONS = [
  'scan.severities',
  'dockerfile',
  'context',
  'source.branch',
  'source.repository',
  'image.repository',
  'image.registry',
  'registryCredential',
  'unitTests.report',
  'extraStages.name',
  'notify.email',
  'approvers.member',
  'delivery.estate.repository',
  'delivery.estate.branch',
  'delivery.outdir',
  'delivery.releasesDir',
  'build.commands',
  'unitTests.commands',
  'extraStages.commands',
  'testsAfter.commands',
  'delivery.synthCommand',
] as const;

/** One of the options. */
export type OptionName = (typeof OPTIONS)[number];

/** The options that are the user's own shell code: written as given, each within its own step. */
const COMMANDS: readonly OptionName[] = ['build.commands', 'unitTests.commands', 'extraStages.commands', 'testsAfter.commands', 'delivery.synthCommand'];

/** How the deploy step reaches the clusters. */
export type Method = 'gitops' | 'gitops-wait' | 'kubectl' | 'pulumi';

/** A generated case: hostile values for some options, and the deploy method. */
export interface CiCase {
  /** The hostile value of each option it sets. */
  readonly values: Partial<Record<OptionName, string>>;
  /** The deploy method. */
  readonly method: Method;
}

const optionValues = (names: fc.Arbitrary<OptionName[]>): fc.Arbitrary<Partial<Record<OptionName, string>>> =>
  names.chain((ns) => fc.tuple(...ns.map((n) => hostile.map((v) => [n, v] as const))).map((pairs) => Object.fromEntries(pairs) as Partial<Record<OptionName, string>>));

/** A case: one option at a time (mostly), or several at once. */
export const ciCase: fc.Arbitrary<CiCase> = fc.record({
  values: fc.oneof(
    { arbitrary: optionValues(fc.constantFrom(...OPTIONS).map((n) => [n])), weight: 3 },
    { arbitrary: optionValues(fc.uniqueArray(fc.constantFrom(...OPTIONS), { minLength: 2, maxLength: 5 })), weight: 1 },
  ),
  method: fc.constantFrom<Method>('gitops', 'gitops-wait', 'kubectl', 'pulumi'),
});

// --- The estate -------------------------------------------------------------------------------------------------

const HOST = 'harbor.example.com';
const REPO_PREFIX = 'https://gitlab.example.com/shop/';
const ESTATE_PREFIX = 'https://gitlab.example.com/platform/';

/** The estate of a case: a small platform delivering through both CI systems, one service with a full pipeline. */
function build(c: CiCase): { platform: Platform; render: () => { jenkinsfile: string; gitlab: string } } {
  const v = c.values;
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST, ingressClassName: 'nginx' });
  const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER });
  const test = platform.addEnvironment('test', { clusters: [member], domain: 'test.example.com' });
  platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true, tls: Tls.certManager(Issuer.cluster('letsencrypt')) });
  const tenant = platform.addTenant('shop', { manager: 'alice' });
  const project = tenant.addProject('storefront', { environments: [test, platform.findEnvironment('production') ?? test] });
  const registry = Registry.at(HOST);
  const api = project.addService('api', { image: registry.image('shop/api', '1.0.0'), ports: [{ port: 8080 }] });
  const method = { gitops: DeployMethod.GITOPS, 'gitops-wait': DeployMethod.GITOPS, kubectl: DeployMethod.KUBECTL, pulumi: DeployMethod.PULUMI }[c.method];
  const delivery: DeliveryOptions = {
    estate: {
      repository: v['delivery.estate.repository'] !== undefined ? ESTATE_PREFIX + v['delivery.estate.repository'] : `${ESTATE_PREFIX}estate.git`,
      branch: v['delivery.estate.branch'],
      credential: Credential.basicAuth('estate-repo'),
    },
    ci: [CiSystem.KUBESPHERE_DEVOPS, CiSystem.GITLAB_CI],
    deployMethod: method,
    kubeconfigs: c.method === 'gitops' || c.method === 'pulumi' ? undefined : { host: Credential.kubeconfig('host-kubeconfig'), 'member-test': Credential.kubeconfig('test-kubeconfig') },
    outdir: v['delivery.outdir'],
    releasesDir: v['delivery.releasesDir'],
    synthCommand: v['delivery.synthCommand'],
  };
  platform.configureDelivery(delivery);
  const approvers = tenant.addDepartment('release-managers', { members: ['bob', ...(v['approvers.member'] !== undefined ? [v['approvers.member']] : [])] });
  const image =
    v['image.registry'] !== undefined ? Registry.at(v['image.registry']).image('shop/api', '1.0.0') : v['image.repository'] !== undefined ? registry.image(v['image.repository'], '1.0.0') : undefined;
  const props: PipelineProps = {
    source: { repository: v['source.repository'] !== undefined ? REPO_PREFIX + v['source.repository'] : `${REPO_PREFIX}api.git`, branch: v['source.branch'], credential: Credential.basicAuth('gitlab') },
    build: { image: registry.image('ci/maven', '3.9.9'), commands: ['mvn -B package', ...(v['build.commands'] !== undefined ? [v['build.commands']] : [])] },
    unitTests: { commands: [v['unitTests.commands'] ?? 'mvn -B test'], report: v['unitTests.report'] ?? 'target/surefire-reports/*.xml' },
    registryCredential: Credential.basicAuth(v.registryCredential ?? 'harbor-robot'),
    scan: v['scan.severities'] !== undefined ? { severities: ['HIGH', ...v['scan.severities'].split(',')] } : true,
    dockerfile: v.dockerfile,
    context: v.context,
    approval: { approvers },
    testsAfter: { test: { image: registry.image('ci/newman', '6.1.3'), commands: [v['testsAfter.commands'] ?? 'newman run tests.json'], report: 'newman/*.xml' } },
    notify: { email: [v['notify.email'] ?? 'shop-dev@example.com'], webhook: Credential.secretText('shop-chat') },
    extraStages: [{ name: v['extraStages.name'] ?? 'static analysis', after: StageAnchor.BUILD, commands: [v['extraStages.commands'] ?? 'mvn -B spotbugs:check'] }],
    ...(image ? { image } : {}),
  };
  const pipeline = api.addPipeline(props);
  return { platform, render: () => ({ jenkinsfile: renderJenkinsfile(pipeline), gitlab: renderGitlabCi(pipeline) }) };
}

/**
 * The scripts of a case's CI files, rendered without the model's checks (the quoting alone must hold): the
 * GitLab jobs' lines joined, then the Jenkins `sh` steps.
 * @param c the case
 */
export function uncheckedScripts(c: CiCase): string[] {
  const { jenkinsfile, gitlab } = build(c).render();
  return [...[...gitlabScripts(gitlab).values()].map((lines) => lines.join('\n')), ...jenkinsScripts(jenkinsfile)];
}

/** The problems properties an option may be refused under. */
function refusedUnder(name: OptionName): RegExp {
  switch (name) {
    case 'scan.severities':
      return /^scan\.severities/;
    case 'image.repository':
    case 'image.registry':
      return /^image/;
    case 'approvers.member':
      return /^(members|approval|.*member)/;
    case 'extraStages.name':
      return /^extraStages/;
    case 'extraStages.commands':
      return /^extraStages\[\d+\]\.commands/;
    case 'delivery.estate.repository':
    case 'delivery.estate.branch':
      return /^delivery\.estate/;
    case 'notify.email':
      return /^notify\.email/;
    case 'testsAfter.commands':
      return /^testsAfter/;
    default:
      return new RegExp(`^${name.replace(/\./g, '\\.')}`);
  }
}

// --- Reading the generated files ---------------------------------------------------------------------------------

/** A string literal of a Jenkinsfile, decoded, and the Groovy code just before it. */
export interface GroovyLiteral {
  /** The decoded value. */
  readonly value: string;
  /** The code before it on its line (outside literals). */
  readonly before: string;
}

/** The escapes the library writes in Groovy literals, and nothing else. */
const GROOVY_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", n: '\n', r: '\r' };

/**
 * Reads a Jenkinsfile as the library writes it: `//` comments, single- and triple-single-quoted literals decoded
 * (`\\`, `\'`, `\n`, `\r` only) and the code between them. Throws on anything else: a double-quoted literal (a
 * GString), a `$` in code, an unknown escape, an unterminated literal, or a unicode escape Groovy would translate
 * before reading the source.
 * @param src the Jenkinsfile
 */
export function readGroovy(src: string): { literals: GroovyLiteral[]; code: string } {
  for (const m of src.matchAll(/\\+u/g)) if ((m[0].length - 1) % 2 === 1) throw new Error(`a unicode escape Groovy translates at ${m.index}`);
  const literals: GroovyLiteral[] = [];
  let code = '';
  let line = '';
  let i = 0;
  while (i < src.length) {
    if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      i = end < 0 ? src.length : end;
      continue;
    }
    const c = src[i];
    if (c === '"') throw new Error(`a double-quoted (interpolating) Groovy string at ${i}`);
    if (c === '$') throw new Error(`a "$" in Groovy code at ${i}`);
    if (c !== "'") {
      code += c;
      line = c === '\n' ? '' : line + c;
      i++;
      continue;
    }
    const quote = src.startsWith("'''", i) ? "'''" : "'";
    let j = i + quote.length;
    let value = '';
    for (;;) {
      if (j >= src.length) throw new Error(`an unterminated ${quote} literal at ${i}`);
      if (src.startsWith(quote, j)) break;
      const ch = src[j];
      if (ch === '\\') {
        const e = GROOVY_ESCAPES[src[j + 1]];
        if (e === undefined) throw new Error(`an unknown escape \\${src[j + 1]} at ${j}`);
        value += e;
        j += 2;
        continue;
      }
      if (quote === "'" && (ch === '\n' || ch === '\r')) throw new Error(`a line break in a single-quoted literal at ${j}`);
      value += ch;
      j++;
    }
    literals.push({ value, before: line });
    code += '_';
    line += '_';
    i = j + quote.length;
  }
  return { literals, code };
}

/** The shell scripts of a Jenkinsfile: every `sh '''…'''` step and `sh(script: '…')`, decoded, without the leading `set -eu`. */
export function jenkinsScripts(jenkinsfile: string): string[] {
  return readGroovy(jenkinsfile)
    .literals.filter((l) => /(^|\W)sh $/.test(l.before) || /(^|\W)sh\(script: $/.test(l.before))
    .map((l) => l.value.replace(/^\nset -eu\n/, '\n'));
}

/** The top-level keys of a GitLab CI file that are not jobs. */
const GITLAB_KEYWORDS = new Set(['stages', 'workflow', 'variables', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script']);

/** The jobs of a `.gitlab-ci.yml` and their `before_script` + `script` lines, read with the `yaml` package. */
export function gitlabScripts(text: string): Map<string, string[]> {
  const doc = parse(text) as Record<string, unknown>;
  const out = new Map<string, string[]>();
  for (const [name, job] of Object.entries(doc)) {
    if (GITLAB_KEYWORDS.has(name)) continue;
    const j = job as { script?: unknown; before_script?: unknown };
    const lines = [...((j.before_script as unknown[] | undefined) ?? []), ...((j.script as unknown[] | undefined) ?? [])];
    if (lines.some((l) => typeof l !== 'string')) throw new Error(`job ${name}: a script line that is not a string`);
    out.set(name, lines as string[]);
  }
  return out;
}

// --- Running the scripts ------------------------------------------------------------------------------------------

/** The tools the scripts call, each stubbed by a script that logs its arguments and exits 0. */
const TOOLS = ['docker', 'trivy', 'kubectl', 'git', 'platform-cdk', 'npx', 'npm', 'node', 'curl', 'helm', 'pulumi', 'kaniko_executor', 'mvn', 'newman', 'sh', 'sleep', 'grep', 'mkdir', 'rm', 'tsx'];

let stubDir: string | undefined;

/** The folder of the stubs (made once per process). */
function stubs(): string {
  if (stubDir) return stubDir;
  stubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-stubs-'));
  const body = '#!/bin/sh\n{ printf \'%s\' "${0##*/}"; for stub_a in "$@"; do printf \'\\037%s\' "$stub_a"; done; printf \'\\036\'; } >> "$STUB_LOG"\nexit 0\n';
  for (const t of TOOLS) fs.writeFileSync(path.join(stubDir, t), body, { mode: 0o755 });
  process.on('exit', () => fs.rmSync(stubDir as string, { recursive: true, force: true }));
  return stubDir;
}

/** One call of a stubbed tool: its name and arguments. */
export interface StubCall {
  /** The tool. */
  readonly tool: string;
  /** Its arguments. */
  readonly args: readonly string[];
}

/** The result of running scripts. */
export interface RunResult {
  /** The paths (relative to the run's folder) of marker files the scripts made. */
  readonly markers: string[];
  /** The calls of the stubs, by script. */
  readonly calls: StubCall[][];
}

/** The environment of a run: the CI variables the scripts read. */
const RUN_ENV = {
  IMAGE_TAG: '0123456789ab',
  CI_COMMIT_SHA: '0123456789abcdef0123',
  CI_PROJECT_DIR: '/builds/shop/api',
  CI_PIPELINE_URL: 'https://gitlab.example.com/shop/api/-/pipelines/1',
  BUILD_URL: 'https://jenkins.example.com/job/1/',
};

/**
 * Runs each script in its own subshell of one `/bin/sh` (no `set` options: a failing command does not stop it),
 * in a new temporary folder. Every tool is stubbed twice: by a shell function that logs its arguments (no
 * process per call, so that thousands of cases run in minutes) and by a no-op script first on PATH; the absolute
 * `/kaniko/…` paths of GitLab's image job point at the stubs. Returns the marker files found and the stubs' calls.
 * @param scripts the scripts
 */
export function runScripts(scripts: readonly string[]): RunResult {
  const bin = stubs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-ci-run-'));
  try {
    const work = path.join(dir, 'work');
    fs.mkdirSync(work);
    scripts.forEach((s, i) => fs.writeFileSync(path.join(dir, `script-${i}.sh`), s.replace(/\/kaniko\/executor/g, 'kaniko_executor').replace(/\/kaniko\/\.docker/g, 'kaniko-docker')));
    const log = path.join(dir, 'stubs.log');
    fs.writeFileSync(log, '');
    const driver = [
      'stub_call() { printf \'%s\' "$1" >> "$STUB_LOG"; shift; for stub_a in "$@"; do printf \'\\037%s\' "$stub_a" >> "$STUB_LOG"; done; printf \'\\036\' >> "$STUB_LOG"; return 0; }',
      ...TOOLS.map((t) => `${t.replace(/-/g, '_')}() { stub_call ${t} "$@"; }`),
      // `git diff --cached --quiet` says there are changes, so that the deploy step commits and pushes.
      'git() { stub_call git "$@"; [ "$1" != diff ]; }',
      ...scripts.map((_, i) => `( cd "$WORK" && . ../script-${i}.sh ) </dev/null >/dev/null 2>&1; printf '\\035' >> "$STUB_LOG"`),
      'exit 0',
    ].join('\n');
    const r = spawnSync('/bin/sh', ['-c', driver], { cwd: work, env: { ...RUN_ENV, PATH: `${bin}:/usr/bin:/bin`, STUB_LOG: log, WORK: work, HOME: work }, timeout: 60_000 });
    if (r.error) throw r.error;
    const markers: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.name.includes(MARKER)) markers.push(path.relative(dir, p));
        if (e.isDirectory()) walk(p);
      }
    };
    walk(dir);
    const calls = fs
      .readFileSync(log, 'utf8')
      .split('\u001d')
      .slice(0, scripts.length)
      .map((one) =>
        one
          .split('\u001e')
          .filter((x) => x !== '')
          .map((x) => {
            const [tool, ...args] = x.split('\u001f');
            return { tool: tool.replace(/_/g, '-'), args };
          }),
      );
    return { markers, calls };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// --- The property -----------------------------------------------------------------------------------------------

/** What a case came to: refused by the model, or generated and checked. */
export interface CaseOutcome {
  /** `refused` (a ValidationError) or `generated`. */
  readonly outcome: 'refused' | 'generated';
  /** What went wrong (empty when the property holds). */
  readonly problems: string[];
}

/**
 * Checks one case: a ValidationError naming only the hostile options, or CI files whose scripts run without
 * making a marker, with each value intact as one argument and each user command whole within its step.
 * @param c the case
 */
export function ciCaseOutcome(c: CiCase): CaseOutcome {
  const problems: string[] = [];
  let estate: ReturnType<typeof build>;
  try {
    estate = build(c);
  } catch (e) {
    if (e instanceof ValidationError) return { outcome: 'refused', problems: checkRefusal(c, e, problems) };
    return { outcome: 'refused', problems: [`building the estate threw ${e instanceof Error ? e.stack ?? e.message : String(e)}`] };
  }
  const errors = validatePlatform(estate.platform).filter((p) => p.severity === 'error');
  if (errors.length > 0) return { outcome: 'refused', problems: checkRefusal(c, new ValidationError(errors), problems) };
  let files: { jenkinsfile: string; gitlab: string };
  try {
    files = estate.render();
  } catch (e) {
    return { outcome: 'generated', problems: [`rendering threw ${e instanceof Error ? e.stack ?? e.message : String(e)}`] };
  }
  let jenkins: string[];
  let gitlab: Map<string, string[]>;
  try {
    jenkins = jenkinsScripts(files.jenkinsfile);
    gitlab = gitlabScripts(files.gitlab);
  } catch (e) {
    return { outcome: 'generated', problems: [`reading the CI files failed: ${(e as Error).message}`] };
  }
  // The user's commands: whole within their step; then replaced by `:` so that what is run is only what the
  // library wrote around them.
  const commands = userCommands(c);
  let gitlabRun = [...gitlab.values()].map((lines) => [...lines]);
  let jenkinsRun = [...jenkins];
  for (const cmd of commands) {
    if (cmd.inLoop) continue;
    if (!gitlabRun.some((lines) => lines.includes(cmd.text))) problems.push(`GitLab: no job has the command ${JSON.stringify(cmd.text)} as a script line of its own`);
    if (!jenkinsRun.some((s) => s.includes(`\n${cmd.text}\n`))) problems.push(`Jenkins: no sh step has the command ${JSON.stringify(cmd.text)} on lines of its own`);
    gitlabRun = gitlabRun.map((lines) => lines.map((l) => (l === cmd.text ? ':' : l)));
    jenkinsRun = jenkinsRun.map((s) => s.split(`\n${cmd.text}\n`).join('\n:\n'));
  }
  const run = runCached([...gitlabRun.map((lines) => lines.join('\n')), ...jenkinsRun]);
  for (const m of run.markers) problems.push(`a script made the marker file ${m}`);
  for (const [tool, arg] of expectedArguments(c)) {
    if (!run.calls.some((call) => call.tool === tool && call.args.includes(arg))) problems.push(`${tool} never received ${JSON.stringify(arg)} as one argument`);
  }
  return { outcome: 'generated', problems };
}

/**
 * The stubs' calls of scripts that ran without making a marker, by the script's text: most scripts of a case are
 * those of every case (the hostile value is elsewhere), and running a script again gives the same result.
 */
const clean = new Map<string, StubCall[]>();

/** Runs the scripts not run cleanly before; the marker files found and every script's calls. */
function runCached(scripts: readonly string[]): { markers: string[]; calls: StubCall[] } {
  const fresh = [...new Set(scripts.filter((s) => !clean.has(s)))];
  const run = fresh.length > 0 ? runScripts(fresh) : { markers: [], calls: [] };
  if (run.markers.length === 0) {
    if (clean.size > 5000) clean.clear();
    fresh.forEach((s, i) => clean.set(s, run.calls[i] ?? []));
  }
  const byScript = new Map(fresh.map((s, i) => [s, run.calls[i] ?? []]));
  return { markers: run.markers, calls: scripts.flatMap((s) => byScript.get(s) ?? clean.get(s) ?? []) };
}

function checkRefusal(c: CiCase, e: ValidationError, problems: string[]): string[] {
  const set = Object.keys(c.values) as OptionName[];
  for (const p of e.problems.filter((x) => x.severity === 'error')) {
    if (!set.some((n) => refusedUnder(n).test(p.property))) problems.push(`refused for another reason: [${p.path}] ${p.property}: ${p.message}`);
  }
  return problems;
}

/** The user's commands of a case: the text, and whether it runs inside the deploy loop (`sh -c`). */
function userCommands(c: CiCase): { text: string; inLoop: boolean }[] {
  return COMMANDS.filter((n) => c.values[n] !== undefined).map((n) => ({ text: c.values[n] as string, inLoop: n === 'delivery.synthCommand' && (c.method === 'gitops' || c.method === 'gitops-wait') }));
}

/** The arguments the stubs must receive intact: [tool, argument]. */
function expectedArguments(c: CiCase): [string, string][] {
  const v = c.values;
  const gitops = c.method === 'gitops' || c.method === 'gitops-wait';
  const out: [string, string][] = [];
  const tag = RUN_ENV.IMAGE_TAG;
  if (v['scan.severities'] !== undefined) out.push(['trivy', `HIGH,${v['scan.severities']}`]);
  if (v.dockerfile !== undefined) out.push(['docker', v.dockerfile], ['kaniko-executor', `${RUN_ENV.CI_PROJECT_DIR}/${v.dockerfile}`]);
  if (v.context !== undefined) out.push(['docker', v.context], ['kaniko-executor', `${RUN_ENV.CI_PROJECT_DIR}/${v.context}`]);
  if (v['image.repository'] !== undefined && v['image.registry'] === undefined) out.push(['docker', `${HOST}/${v['image.repository']}:${tag}`], ['kaniko-executor', `${HOST}/${v['image.repository']}:${tag}`]);
  if (v['image.registry'] !== undefined) out.push(['docker', `${v['image.registry']}/shop/api:${tag}`], ['docker', v['image.registry']]);
  if (v['delivery.estate.repository'] !== undefined) out.push(['git', ESTATE_PREFIX + v['delivery.estate.repository']]);
  if (v['delivery.estate.branch'] !== undefined) out.push(['git', v['delivery.estate.branch']], ...(gitops ? [['git', `HEAD:${v['delivery.estate.branch']}`] as [string, string]] : []));
  if (v['delivery.releasesDir'] !== undefined) out.push(['npx', v['delivery.releasesDir']]);
  if (v['delivery.outdir'] !== undefined) {
    if (gitops) out.push(['git', v['delivery.outdir']]);
    if (c.method === 'kubectl') out.push(['kubectl', `${v['delivery.outdir']}/member-test/`]);
  }
  if (v['delivery.synthCommand'] !== undefined && gitops) out.push(['sh', v['delivery.synthCommand']]);
  if (gitops) out.push(['git', `release shop/storefront/api ${tag} to test`]);
  return out;
}
