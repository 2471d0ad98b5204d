/**
 * Checks on every path (issue 18, defects 5 and 6): the default synthesis (`ManifestStack.synth()`, `files()`,
 * `synthesizeApp`, so `npm run synth`, `cdk8s synth` and the deploy step) once wrote output that `platform-cdk synth`
 * refuses, and nothing ran the isolation checks. Now one checker (schema, policy, isolation) runs on every path:
 * output with a cross-tenant binding, or a policy violation, is refused equally by each of them, nothing is written,
 * and the one opt-out (`checks: false`, `--no-check`) says so.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { ChecksFailed, ManifestStack, ProjectRole, synthesizeApp, User } from 'platform-cdk';
import type { Platform, RenderedObject } from 'platform-cdk';
import type { ValidationContext, ValidationViolation } from 'cdk8s-cli/lib/plugins';
import { ExitCode } from '../../cli/main';
import { checkPlatform, formatFinding, isolationRule } from '../../lib/check';
import { PlatformValidation } from '../../lib/cdk8s-plugin';
import { IsolationCheck } from '../../lib/isolation';
import { cli } from '../cli/run';
import { addService, fixture, readTree } from '../fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const TENANT_ACCESS = isolationRule(IsolationCheck.TENANT_ACCESS);

/**
 * The program of a valid model whose output breaks isolation: project storefront of tenant shop grants a user of
 * tenant billing (defect 6). It is written to a file, for the command line and the cdk8s plugin, and loaded here.
 */
const PROGRAM = (index: string): string => `import { ClusterRole, Platform, ProjectRole, Registry, User } from ${JSON.stringify(index)};

export function build(): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER });
  const test = platform.addEnvironment('test', { clusters: [member] });
  platform.addEnvironment('production', { clusters: [host], production: true });
  const shop = platform.addTenant('shop', { manager: 'alice' });
  const storefront = shop.addProject('storefront', { environments: ['test', 'production'] });
  storefront.addService('web', { image: Registry.at('harbor.example.com').image('shop/web', '1.0.0'), ports: [{ port: 8080 }] });
  platform.addTenant('billing', { manager: 'bob' }).addProject('ledger', { environments: [test] });
  storefront.grant(User.named('bob'), ProjectRole.VIEWER);
  return platform;
}
`;

let tmp: string;
let program: string;
let crossTenant: () => Platform;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-checks-'));
  program = path.join(tmp, 'cross-tenant.ts');
  fs.writeFileSync(program, PROGRAM(path.join(ROOT, 'index')));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  crossTenant = (require(program) as { build: () => Platform }).build;
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A new output folder holding an earlier, clean output (which a refused synthesis must leave as it was). */
function previousOutput(): { outdir: string; before: Record<string, string> } {
  const outdir = path.join(tmp, `dist-${++n}`);
  const f = fixture();
  addService(f, 'web');
  new ManifestStack(f.platform, { outdir }).synth();
  return { outdir, before: readTree(outdir) };
}

/** The error a call throws (a ChecksFailed), with the previous output in `outdir` unchanged and nothing left beside it. */
function refused(outdir: string, before: Record<string, string>, fn: () => unknown): ChecksFailed {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof ChecksFailed)) throw new Error(`expected ChecksFailed, got ${String(error)}`);
  expect(readTree(outdir)).toEqual(before);
  expect(fs.readdirSync(path.dirname(outdir)).filter((f) => f.startsWith(`.${path.basename(outdir)}.`))).toEqual([]);
  return error;
}

/** The rule ids of a failure's error findings. */
function errorRules(e: ChecksFailed): string[] {
  return [...new Set(e.result.findings.filter((f) => f.severity === 'error' && !f.waived).map((f) => f.rule))].sort();
}

/** A RoleBinding of a clean render's storefront namespace, given to another tenant's user by `change`. */
function crossBinding(o: { kind: string; metadata: { namespace?: string } }): boolean {
  return o.kind === 'RoleBinding' && o.metadata.namespace === 'storefront';
}

/** A clean platform with a second tenant, whose manager `bob` a render or an inspection then binds in shop's namespace. */
function twoTenants(): Platform {
  const f = fixture();
  addService(f, 'web');
  f.project.grant(User.named('alice'), ProjectRole.VIEWER);
  f.platform.addTenant('billing', { manager: 'bob' }).addProject('ledger', { environments: [f.test] });
  return f.platform;
}

describe('a model whose output crosses tenants is refused', () => {
  it('by ManifestStack.synth(): every finding of every cluster at once, nothing written, the previous output kept', () => {
    const { outdir, before } = previousOutput();
    const e = refused(outdir, before, () => new ManifestStack(crossTenant(), { outdir }).synth());
    expect(errorRules(e)).toEqual([TENANT_ACCESS]);
    expect(e.clusters).toEqual(['host', 'member-test']);
    expect(e.message.split('\n')).toEqual([
      'the checks of the output found 2 errors; nothing was written:',
      ...e.result.findings.filter((f) => f.severity === 'error').map((f) => `  - ${formatFinding(f)}`),
    ]);
    expect(e.message).toContain(`error [${TENANT_ACCESS}] host: iam.kubesphere.io/v1beta1 RoleBinding storefront/bob-viewer: gives User bob of tenant billing rights in namespace storefront of tenant shop. Fix: `);
    expect(e.message).toContain('(from acme/shop/storefront)');
  });

  it('by files(), and by synth() of a render made before', () => {
    expect(() => new ManifestStack(crossTenant()).files()).toThrow(ChecksFailed);
    const { outdir, before } = previousOutput();
    const stack = new ManifestStack(crossTenant(), { outdir });
    expect(errorRules(refused(outdir, before, () => stack.synth(stack.render())))).toEqual([TENANT_ACCESS]);
  });

  it('by synthesizeApp: every finding printed, exit code 1, no stack trace, nothing written', () => {
    const { outdir, before } = previousOutput();
    let stderr = '';
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(synthesizeApp(crossTenant(), { outdir })).toBeUndefined();
      expect(process.exitCode).toBe(1);
    } finally {
      err.mockRestore();
      out.mockRestore();
      process.exitCode = undefined;
    }
    expect(stderr).toMatch(/^platform-cdk: the checks of the output found 2 errors; nothing was written:\n {2}- error \[isolation-tenant-access\] host: .*\n {2}- error \[isolation-tenant-access\] member-test: .*\n$/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(readTree(outdir)).toEqual(before);
  });

  it('by the cdk8s validation plugin (what cdk8s synth runs after the program), on output written unchecked', async () => {
    const outdir = path.join(tmp, 'plugin');
    const result = new ManifestStack(crossTenant(), { outdir, checks: false }).synth();
    const manifests = result.clusters.flatMap((c) => c.files.map((f) => path.join(outdir, f)));
    const violations: ValidationViolation[] = [];
    const submitted: string[] = [];
    const report = { addViolation: (v: ValidationViolation) => void violations.push(v), submit: (status: string) => void submitted.push(status) };
    const context = { manifests, pkg: 'platform-cdk', version: '0.1.0', metadata: {}, report, logger: { log: () => undefined } } as unknown as ValidationContext;
    await new PlatformValidation({ app: program }).validate(context);
    expect(submitted).toEqual(['failure']);
    expect(violations.filter((v) => v.ruleName === `error: ${TENANT_ACCESS}`).map((v) => v.violatingResources[0].resourceName)).toEqual([
      'iam.kubesphere.io/v1beta1 RoleBinding storefront/bob-viewer',
      'iam.kubesphere.io/v1beta1 RoleBinding storefront/bob-viewer',
    ]);
  });

  it('by platform-cdk synth (exit 1, the findings, nothing written) and platform-cdk validate, with the same findings', () => {
    const { outdir, before } = previousOutput();
    const r = cli('synth', '--app', program, '--out', outdir, '--quiet');
    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stderr).toContain(`error [${TENANT_ACCESS}] host: iam.kubesphere.io/v1beta1 RoleBinding storefront/bob-viewer`);
    expect(r.stderr).toContain('platform-cdk: 30 objects checked: 2 errors');
    expect(readTree(outdir)).toEqual(before);
    const synth = JSON.parse(cli('synth', '--app', program, '--out', outdir, '--format', 'json').stdout) as { ok: boolean; findings: unknown[] };
    const validate = cli('validate', '--app', program, '--format', 'json');
    expect(validate.code).toBe(ExitCode.FINDINGS);
    const checked = JSON.parse(validate.stdout) as { ok: boolean; findings: unknown[] };
    expect(synth.ok).toBe(false);
    expect(checked.ok).toBe(false);
    expect(checked.findings).toEqual(synth.findings);
    // One checker for every path: the library's check of the platform finds the same.
    expect(JSON.parse(JSON.stringify(checkPlatform(crossTenant()).findings))).toEqual(checked.findings);
  });
});

describe('output changed after the render is checked as written', () => {
  it('a JSON patch on a render that binds another tenant\'s user, and one that makes a container privileged', () => {
    for (const [patch, rule] of [
      [(o: RenderedObject['object'], r: { addJsonPatch(p: JsonPatch): void }) => crossBinding(o) && r.addJsonPatch(JsonPatch.replace('/subjects/0/name', 'bob')), TENANT_ACCESS],
      [(o: RenderedObject['object'], r: { addJsonPatch(p: JsonPatch): void }) => o.kind === 'Deployment' && r.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', true)), 'pod-security-restricted'],
    ] as const) {
      const { outdir, before } = previousOutput();
      const stack = new ManifestStack(twoTenants(), { outdir });
      const rendered = stack.render();
      for (const rc of rendered.clusters) for (const o of rc.objects) patch(o.toJson(), o);
      expect(errorRules(refused(outdir, before, () => stack.synth(rendered)))).toEqual([rule]);
    }
  });

  it('an inspection that rewrites a binding: the checks see the objects the inspection leaves', () => {
    const { outdir, before } = previousOutput();
    const inspect = (_cluster: unknown, objects: readonly RenderedObject[]): boolean => {
      for (const { object } of objects) if (crossBinding(object)) (object.subjects as { name: string }[])[0].name = 'bob';
      return true;
    };
    expect(errorRules(refused(outdir, before, () => new ManifestStack(twoTenants(), { outdir, inspect }).synth()))).toEqual([TENANT_ACCESS]);
    expect(() => new ManifestStack(twoTenants(), { inspect }).files()).toThrow(ChecksFailed);
  });
});

describe('the one opt-out', () => {
  it('checks: false writes unchecked output, and the result, check() and synthesizeApp say the checks were skipped', () => {
    const outdir = path.join(tmp, 'unchecked');
    const stack = new ManifestStack(crossTenant(), { outdir, checks: false });
    const result = stack.synth();
    expect(result.checks).toBeUndefined();
    const skipped = expect.objectContaining({ severity: 'warning', property: 'checks', value: false, message: 'the schema, policy and isolation checks are skipped: the output is written unchecked' });
    expect(result.warnings).toContainEqual(skipped);
    expect(stack.check()).toContainEqual(skipped);
    expect(fs.readFileSync(path.join(outdir, 'host', '10-storefront.yaml'), 'utf8')).toContain('name: bob-viewer');
    let stderr = '';
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(synthesizeApp(crossTenant(), { outdir, checks: false })).toBeDefined();
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
    expect(stderr).toContain('checks: got false; the schema, policy and isolation checks are skipped');
  });

  it('--no-check writes, and says so', () => {
    const outdir = path.join(tmp, 'no-check');
    const r = cli('synth', '--app', program, '--out', outdir, '--quiet', '--no-check');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stderr).toContain('checks: got false; the schema, policy and isolation checks are skipped');
  });

  it('checked by default, a clean model gives its warnings and waived findings in the result, and no error', () => {
    const f = fixture();
    addService(f, 'web').inEnvironment('production', { replicas: 1, waivers: { replicas: 'one writer at a time' } });
    const result = new ManifestStack(f.platform, { outdir: path.join(tmp, 'waived') }).synth();
    const findings = result.checks?.findings ?? [];
    expect(findings.filter((x) => x.severity === 'error' && !x.waived)).toEqual([]);
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'production-replicas', waived: 'one writer at a time' }));
  });
});
