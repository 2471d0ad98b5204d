/**
 * The command line, run in-process through `main(argv, io)`: each command's exit codes (0 done, 1 findings,
 * 2 usage) and the `--format json` shapes of docs/checks.md. Each run builds and checks a whole estate, so the
 * runs are few and use the quick start or small programs written to a temporary folder.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OUTPUT_MARKER } from 'platform-cdk';
import { ExitCode } from '../../cli/main';
import { cli, writeInvalidProgram } from './run';
import { readTree as tree } from '../fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const QUICKSTART = path.join(ROOT, 'examples', 'quickstart', 'main.ts');
const QUICKSTART_CLUSTERS = ['host', 'member-test'];


/** Runs with `--format json` and parses stdout, which must be one JSON document. */
function cliJson(...args: string[]): { code: number; json: Record<string, unknown>; stderr: string } {
  const r = cli(...args, '--format', 'json');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}

let tmp: string;
let n = 0;
/** A new folder under the test's temporary folder. */
function folder(name: string): string {
  return path.join(tmp, `${name}-${++n}`);
}

// Programs and CRDs the tests run against.
let INVALID: string;
let NO_BUILD: string;
let STRICT_CRDS: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-cli-'));
  INVALID = writeInvalidProgram(tmp);
  NO_BUILD = path.join(tmp, 'no-build.ts');
  fs.writeFileSync(NO_BUILD, 'export const platform = 42;\n');
  // An older Cluster CRD that does not know spec.connection: the quick start's Cluster object fails it.
  STRICT_CRDS = path.join(tmp, 'crds');
  fs.mkdirSync(STRICT_CRDS);
  fs.writeFileSync(
    path.join(STRICT_CRDS, 'cluster.kubesphere.io_clusters.yaml'),
    `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: clusters.cluster.kubesphere.io
spec:
  group: cluster.kubesphere.io
  names: { kind: Cluster, listKind: ClusterList, plural: clusters, singular: cluster }
  scope: Cluster
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion: { type: string }
          kind: { type: string }
          metadata: { type: object }
          spec:
            type: object
            properties:
              provider: { type: string }
`,
  );
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const FINDING_KEYS = ['at', 'cluster', 'fix', 'message', 'object', 'rule', 'severity', 'source'];
const VALIDATE_KEYS = ['errors', 'findings', 'objects', 'ok', 'problems', 'unvalidated', 'waived', 'warnings'];

/** The keys of a finding of the JSON output (`waived` only when waived). */
function findingKeys(f: unknown): string[] {
  return Object.keys(f as object).filter((k) => k !== 'waived').sort();
}

describe('validate', () => {
  it('checks the quick start and exits 0, with the findings and a summary on stdout and nothing on stderr', () => {
    const r = cli('validate', '--app', QUICKSTART);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toBe('platform-cdk: 39 objects checked: 0 errors, 5 warnings, 0 waived');
    expect(lines.slice(0, -1).map((l) => l.slice(0, l.indexOf(']') + 1))).toEqual([
      'warning [schema-missing]',
      'warning [schema-missing]',
      'warning [probes]',
      'warning [probes]',
      'warning [exposure-tls]',
    ]);
    expect(lines).toContain(
      'warning [probes] host: apps/v1 Deployment storefront/mailer /spec/template/spec/containers/0: container mailer has no readinessProbe. Fix: give the service readiness and liveness probes. (from quickstart/shop/storefront/mailer)',
    );
  });

  it('prints { ok, problems, objects, unvalidated, errors, warnings, waived, findings } with --format json', () => {
    const { code, json, stderr } = cliJson('validate', '--app', QUICKSTART);
    expect(code).toBe(ExitCode.OK);
    expect(stderr).toBe('');
    expect(Object.keys(json).sort()).toEqual(VALIDATE_KEYS);
    expect(json).toMatchObject({ ok: true, problems: [], objects: 39, unvalidated: ['cluster.kubesphere.io/v1alpha1 Cluster', 'tenant.kubesphere.io/v1beta1 WorkspaceTemplate'], errors: 0, warnings: 5, waived: 0 });
    const findings = json.findings as Record<string, unknown>[];
    expect(findings).toHaveLength(5);
    for (const f of findings) expect(findingKeys(f)).toEqual(FINDING_KEYS);
    expect(findings).toContainEqual({
      rule: 'exposure-tls',
      severity: 'warning',
      cluster: 'member-test',
      object: 'networking.k8s.io/v1 Ingress storefront/web',
      source: 'quickstart/shop/storefront/web',
      at: '/spec/rules/0/host',
      message: 'host web.test.shop.example.com is served over plain HTTP',
      fix: 'give the exposure or the environment tls',
    });
  });

  it('exits 1 on schema errors against the CRDs of --crds, listing them', () => {
    const { code, json } = cliJson('validate', '--app', QUICKSTART, '--crds', STRICT_CRDS);
    expect(code).toBe(ExitCode.FINDINGS);
    expect(json).toMatchObject({ ok: false, errors: 1, unvalidated: ['tenant.kubesphere.io/v1beta1 WorkspaceTemplate'] });
    expect((json.findings as unknown[])[0]).toEqual({
      rule: 'schema',
      severity: 'error',
      cluster: 'host',
      object: 'cluster.kubesphere.io/v1alpha1 Cluster member-test',
      source: '-',
      at: '/spec',
      message: 'unknown field "connection"',
      fix: 'correct the field (see the schema of the kind); if it comes from a JSON patch, fix the patch',
    });

    const text = cli('validate', '--app', QUICKSTART, '--crds', STRICT_CRDS, '--quiet');
    expect(text.code).toBe(ExitCode.FINDINGS);
    expect(text.stdout).toContain('error [schema] host: cluster.kubesphere.io/v1alpha1 Cluster member-test /spec: unknown field "connection".');
    expect(text.stdout).toContain('platform-cdk: 39 objects checked: 1 errors, 4 warnings, 0 waived');
  });

  it('exits 1 on model errors, naming each with its construct path', () => {
    const text = cli('validate', '--app', INVALID);
    expect(text.code).toBe(ExitCode.FINDINGS);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^The platform model has 1 error; nothing was written\.\n {2}- \[broken\/shop\/storefront\/api\] replicas \(in production\): got 1; /);

    const { code, json } = cliJson('validate', '--app', INVALID);
    expect(code).toBe(ExitCode.FINDINGS);
    expect(json).toMatchObject({ ok: false, findings: [] });
    expect(json.problems).toEqual([expect.objectContaining({ severity: 'error', path: 'broken/shop/storefront/api', property: 'replicas (in production)', value: 1 })]);
  });
});

describe('synth', () => {
  it('writes one folder per cluster into --out and prints { ok, outdir, objectCount, clusters, warnings }', () => {
    const out = folder('dist');
    const { code, json } = cliJson('synth', '--app', QUICKSTART, '--out', out);
    expect(code).toBe(ExitCode.OK);
    expect(Object.keys(json).sort()).toEqual(['clusters', 'objectCount', 'ok', 'outdir', 'warnings']);
    expect(json).toMatchObject({ ok: true, outdir: out, objectCount: 39, warnings: [] });
    const clusters = json.clusters as { cluster: string; files: string[]; objectCount: number }[];
    expect(clusters.map((c) => c.cluster)).toEqual(QUICKSTART_CLUSTERS);
    expect(clusters.reduce((s, c) => s + c.objectCount, 0)).toBe(39);
    expect(Object.keys(tree(out)).sort()).toEqual(clusters.flatMap((c) => c.files).sort());
    expect(clusters[0]).toEqual({ cluster: 'host', files: ['host/00-cluster.yaml', 'host/10-storefront.yaml'], objectCount: expect.any(Number) });
  });

  it('limits the output to an environment with --env, or to a cluster with --cluster, and says what it wrote', () => {
    const production = folder('production');
    const r = cli('synth', '--app', QUICKSTART, '--out', production, '--env', 'production');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/^platform-cdk: \d+ objects for 1 clusters written to .+\/\n {2}host\/ {2}\d+ objects in 2 files\n$/);
    expect(fs.readdirSync(production)).toEqual([OUTPUT_MARKER, 'host']);
    expect(fs.readFileSync(path.join(production, 'host', '10-storefront.yaml'), 'utf8')).not.toContain('platform-cdk.io/environment: test');

    const member = folder('member');
    expect(cli('synth', '--app', QUICKSTART, '--out', member, '--cluster', 'member-test').code).toBe(ExitCode.OK);
    expect(fs.readdirSync(member)).toEqual([OUTPUT_MARKER, 'member-test']);
  });

  it('exits 1 on an unknown environment, naming the environments, and writes nothing', () => {
    const out = folder('unknown-env');
    const r = cli('synth', '--app', QUICKSTART, '--out', out, '--env', 'staging');
    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stderr).toContain('environment: got "staging"; no environment of the platform has this name (environments: test, production)');
    expect(fs.existsSync(out)).toBe(false);

    const { code, json } = cliJson('synth', '--app', QUICKSTART, '--out', out, '--env', 'staging');
    expect(code).toBe(ExitCode.FINDINGS);
    expect(json).toMatchObject({ ok: false, findings: [], problems: [expect.objectContaining({ property: 'environment', value: 'staging' })] });
  });

  it('on an error finding exits 1 with the validate shape and leaves the previous output as it was; --no-check skips the checks', () => {
    const out = folder('kept');
    expect(cli('synth', '--app', QUICKSTART, '--out', out).code).toBe(ExitCode.OK);
    fs.writeFileSync(path.join(out, 'host', '10-storefront.yaml'), '# the previous output\n');
    const before = tree(out);

    const { code, json } = cliJson('synth', '--app', QUICKSTART, '--out', out, '--crds', STRICT_CRDS);
    expect(code).toBe(ExitCode.FINDINGS);
    expect(Object.keys(json).sort()).toEqual(VALIDATE_KEYS);
    expect(json).toMatchObject({ ok: false, problems: [], objects: 39, errors: 1 });
    expect(tree(out)).toEqual(before);

    const unchecked = cli('synth', '--app', QUICKSTART, '--out', out, '--crds', STRICT_CRDS, '--no-check');
    expect(unchecked.code).toBe(ExitCode.OK);
    expect(tree(out)['host/10-storefront.yaml']).toContain('kind: Deployment');
  });
});

describe('synth into a folder that cannot be written', () => {
  it('says which folder and why, exits 2 and prints no stack trace, also as JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-cli-unwritable-'));
    fs.writeFileSync(path.join(dir, 'file'), 'not a folder');
    const out = path.join(dir, 'file', 'dist');
    const r = cli('synth', '--app', QUICKSTART, '--out', out, '--quiet');
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/^error: .*file.*\. Fix: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = cli('synth', '--app', QUICKSTART, '--out', out, '--format', 'json');
    expect(j.code).toBe(ExitCode.USAGE);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false });
  });
});

describe('diff', () => {
  let before: string;
  beforeAll(() => {
    before = folder('before');
    expect(cli('synth', '--app', QUICKSTART, '--out', before, '--no-check').code).toBe(ExitCode.OK);
  });

  it('finds no difference with the output of the same program, also with --exit-code', () => {
    const { code, json } = cliJson('diff', '--app', QUICKSTART, '--against', before, '--exit-code');
    expect(code).toBe(ExitCode.OK);
    expect(json.identical).toBe(true);
  });

  it('lists a changed field per cluster as { identical, clusters: [{ cluster, added, removed, changed }] }, exiting 1 with --exit-code', () => {
    const edited = folder('edited');
    fs.cpSync(before, edited, { recursive: true });
    const file = path.join(edited, 'host', '10-storefront.yaml');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('  replicas: 3\n');
    const docs = text.split('---\n');
    const service = docs.findIndex((d) => d.startsWith('apiVersion: v1\nkind: Service\n') && d.includes('  name: cart\n'));
    docs.splice(service, 1);
    fs.writeFileSync(file, docs.join('---\n').replace('  replicas: 3\n', '  replicas: 5\n'));

    const { code, json } = cliJson('diff', '--app', QUICKSTART, '--against', edited);
    expect(code).toBe(ExitCode.OK);
    expect(json).toEqual({
      identical: false,
      clusters: [
        {
          cluster: 'host',
          added: ['v1 Service storefront/cart'],
          removed: [],
          changed: [{ object: 'apps/v1 Deployment storefront/web', fields: [{ path: '/spec/replicas', before: 5, after: 3 }] }],
        },
      ],
    });

    const r = cli('diff', '--app', QUICKSTART, '--against', edited, '--exit-code');
    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stdout).toContain('host');
    expect(r.stdout).toContain('v1 Service storefront/cart');
    expect(r.stdout).toContain('/spec/replicas: 5 → 3');
  });

  it('compares two environments service by service with --env and --against', () => {
    const { code, json } = cliJson('diff', '--app', QUICKSTART, '--env', 'production', '--against', 'test');
    expect(code).toBe(ExitCode.OK);
    expect(Object.keys(json).sort()).toEqual(['against', 'environment', 'services']);
    expect(json).toMatchObject({ environment: 'production', against: 'test' });
    const services = json.services as { service: string; kind: string; name: string; fields: { path: string; before?: unknown; after?: unknown }[] }[];
    for (const s of services) expect(Object.keys(s).sort()).toEqual(['fields', 'kind', 'name', 'service']);
    expect(services).toContainEqual(expect.objectContaining({ service: 'quickstart/shop/storefront/web', kind: 'Deployment', name: 'web', fields: expect.arrayContaining([{ path: '/spec/replicas', before: 1, after: 3 }]) }));

    const r = cli('diff', '--app', QUICKSTART, '--env', 'production', '--against', 'test', '--exit-code');
    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stdout.split('\n')[0]).toBe('production against test (values: test → production)');
  });

  it('exits 2 on an environment the platform does not have', () => {
    const r = cli('diff', '--app', QUICKSTART, '--env', 'staging', '--against', 'test');
    expect(r).toEqual({ code: ExitCode.USAGE, stdout: '', stderr: 'error: no environment "staging" (environments: test, production). Fix: name two environments of the platform with --env and --against\n' });
  });
});

describe('report', () => {
  it('writes the HTML file and prints { ok, file, bytes, findings }', () => {
    const file = path.join(folder('report'), 'estate.html');
    const { code, json } = cliJson('report', '--app', QUICKSTART, '--out', file);
    expect(code).toBe(ExitCode.OK);
    expect(json).toEqual({ ok: true, file, bytes: fs.statSync(file).size, findings: 5 });
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['estate.html']);

    const r = cli('report', '--app', QUICKSTART, '--out', file);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toBe(`platform-cdk: report of quickstart written to ${file} (${json.bytes} bytes, 5 findings)\n`);
  });

  it('exits 1 on model errors and writes no report', () => {
    const file = path.join(folder('report'), 'estate.html');
    expect(cli('report', '--app', INVALID, '--out', file).code).toBe(ExitCode.FINDINGS);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('release', () => {
  it('exits 0 when it pins, 2 on bad input and on a missing option', () => {
    const dir = folder('releases');
    expect(cli('release', '--app', QUICKSTART, '--dir', dir, '--env', 'test', '--service', 'shop/storefront/web', '--tag', '3f9c2a1b7d4e')).toEqual({
      code: ExitCode.OK,
      stdout: `platform-cdk: shop/storefront/web 3f9c2a1b7d4e pinned for test in ${path.join(dir, 'test.json')}\n`,
      stderr: '',
    });
    const bad = cli('release', '--app', QUICKSTART, '--dir', dir, '--env', 'test', '--service', 'shop/storefront/web', '--tag', 'latest');
    expect(bad.code).toBe(ExitCode.USAGE);
    expect(bad.stderr).toContain('error: release: --tag: got "latest"');
    const missing = cli('release', '--dir', dir, '--env', 'test', '--service', 'shop/storefront/web');
    expect(missing.code).toBe(ExitCode.USAGE);
    expect(missing.stderr).toBe("error: required option '--tag <tag>' not specified. Fix: see `platform-cdk release --help`\n");
  });
});

describe('usage errors exit 2 with a message', () => {
  it.each([
    ['an unknown option', ['validate', '--app', QUICKSTART, '--bogus'], "error: unknown option '--bogus'. Fix: see `platform-cdk validate --help`\n"],
    ['an unknown command', ['deploy'], "error: unknown command 'deploy'. Fix: see `platform-cdk --help`\n"],
    ['diff without --against', ['diff', '--app', QUICKSTART], "error: required option '--against <folder|revision|environment>' not specified. Fix: see `platform-cdk diff --help`\n"],
    ['an unknown format', ['validate', '--app', QUICKSTART, '--format', 'yaml'], "error: option '--format <format>' argument 'yaml' is invalid. Allowed choices are text, json. Fix: see `platform-cdk validate --help`\n"],
  ])('%s', (_what, args, message) => {
    expect(cli(...args)).toEqual({ code: ExitCode.USAGE, stdout: '', stderr: message });
  });

  it('a program that exports no build()', () => {
    const r = cli('validate', '--app', NO_BUILD);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/^error: .*no-build\.ts exports no build\(\): Platform\. Fix: export function build\(\): Platform \{ \.\.\. \} and synthesize only under `if \(require\.main === module\)`\n$/);
  });

  it('a program that does not exist', () => {
    const r = cli('synth', '--app', path.join(tmp, 'missing.ts'));
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toBe(`error: the program ${path.join(tmp, 'missing.ts')} does not exist. Fix: pass --app <program.ts> with the path of the estate program\n`);
  });

  describe('in a folder', () => {
    let cwd: string;
    beforeEach(() => {
      cwd = process.cwd();
    });
    afterEach(() => {
      process.chdir(cwd);
    });

    it('without cdk8s.yaml and without --app', () => {
      const empty = folder('empty');
      fs.mkdirSync(empty);
      process.chdir(empty);
      const r = cli('validate');
      expect(r.code).toBe(ExitCode.USAGE);
      expect(r.stderr).toBe(`error: no --app was given and there is no cdk8s.yaml in ${process.cwd()}. Fix: pass --app <program.ts>, or run in the estate's folder\n`);
    });

    it('but not with the program cdk8s.yaml names', () => {
      const estate = folder('estate');
      fs.mkdirSync(estate);
      fs.writeFileSync(path.join(estate, 'cdk8s.yaml'), `language: typescript\napp: npx tsx ${QUICKSTART}\noutput: dist\n`);
      process.chdir(estate);
      const { code, json } = cliJson('validate');
      expect(code).toBe(ExitCode.OK);
      expect(json.objects).toBe(39);
    });
  });
});

describe('--help', () => {
  it.each([['platform-cdk', []], ['synth', ['synth']], ['validate', ['validate']], ['diff', ['diff']], ['report', ['report']], ['release', ['release']]])('of %s exits 0 and names the exit codes', (_name, command: string[]) => {
    const r = cli(...command, '--help');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toContain(`Usage: platform-cdk ${command.length > 0 ? `${command[0]} ` : ''}[options]`);
    expect(r.stdout).toMatch(/Exit codes: 0 \w+.*, (1 .*, )?2 usage or input error.*, 3 internal fault/);
    expect(r.stdout).toMatch(/Example:\n {2}\$ platform-cdk /);
  });

  it('lists the options of docs/checks.md', () => {
    expect(cli('synth', '--help').stdout).toEqual(expect.stringContaining('--no-check'));
    for (const option of ['--app <file>', '--format <format>', '--quiet', '--crds <folder...>', '--env <environment>', '--cluster <cluster>', '--out <folder>']) expect(cli('synth', '--help').stdout).toContain(option);
    for (const option of ['--against <folder|revision|environment>', '--exit-code']) expect(cli('diff', '--help').stdout).toContain(option);
    expect(cli('diff', '--help').stdout).toContain('with --exit-code, differences');
  });
});

describe('bin/platform-cdk.js', () => {
  it('runs validate on the quick start and prints its JSON', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'platform-cdk.js'), 'validate', '--app', 'examples/quickstart/main.ts', '--format', 'json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(ExitCode.OK);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(VALIDATE_KEYS);
    expect(json).toMatchObject({ ok: true, objects: 39, errors: 0 });
  });
});
