/**
 * Checks on every path (issue 18, defects 5 and 6): the default synthesis (`ManifestStack.synth()`, `files()`,
 * `synthesizeApp`, so `npm run synth`, `cdk8s synth` and the deploy step) once wrote output that `platform-cdk synth`
 * refuses, and nothing ran the isolation checks. Now one checker (schema, policy, isolation) runs on every path:
 * output with a cross-tenant binding, or a policy violation, is refused equally by each of them, nothing is written,
 * and the one opt-out (`checks: false`, `--no-check`) says so.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { ChecksFailed, ManifestStack, ProjectRole, synthesizeApp, User } from 'platform-cdk';
import type { Platform, RenderedObject } from 'platform-cdk';
import type { ValidationContext, ValidationViolation } from 'cdk8s-cli/lib/plugins';
import { ExitCode } from '../../cli/main';
import { checkedObjectsOf, checkPlatform, formatFinding, hasErrors, isolationRule, platformChecker } from '../../lib/check';
import { PlatformValidation } from '../../cli/cdk8s-plugin';
import { IsolationCheck } from '../../lib/isolation';
import { cli } from '../cli/run';
import { addService, fixture, readTree } from '../fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const TENANT_ACCESS = isolationRule(IsolationCheck.TENANT_ACCESS);
const ONE_OWNER = 'secrets-one-owner';

/**
 * The program of a valid model whose output the checks refuse: service `a` reads a secret store named `b-tls`, so its
 * ExternalSecret writes Secret `a-b-tls`, and service `a-b` is exposed over TLS, so its Certificate writes the same
 * Secret (rule `secrets-one-owner`). The model cannot see the clash; the output's checks do. It is written to a file,
 * for the command line and the cdk8s plugin, and loaded here.
 */
const PROGRAM = (index: string): string => `import { ClusterRole, Issuer, Platform, Registry, SecretStore, Tls } from ${JSON.stringify(index)};

export function build(): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER });
  platform.addEnvironment('test', { clusters: [member], domain: 'test.shop.example.com' });
  platform.addEnvironment('production', { clusters: [host], production: true, domain: 'shop.example.com' });
  const storefront = platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: ['test', 'production'] });
  const harbor = Registry.at('harbor.example.com');
  storefront.addService('a', { image: harbor.image('shop/a', '1.0.0'), ports: [{ port: 8080 }], secrets: { API_TOKEN: SecretStore.cluster('b-tls').key('shop/a') } });
  storefront.addService('a-b', { image: harbor.image('shop/ab', '1.0.0'), ports: [{ port: 8080 }] }).expose({ path: '/', tls: Tls.certManager(Issuer.cluster('letsencrypt')) });
  return platform;
}
`;

/** A program that grants another tenant's user in shop's project: refused by the model itself, on every path. */
const CROSS_TENANT = (index: string): string => `import { ClusterRole, Platform, ProjectRole, Registry, User } from ${JSON.stringify(index)};

export function build(): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER });
  const test = platform.addEnvironment('test', { clusters: [member] });
  platform.addEnvironment('production', { clusters: [host], production: true });
  const storefront = platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: ['test', 'production'] });
  storefront.addService('web', { image: Registry.at('harbor.example.com').image('shop/web', '1.0.0'), ports: [{ port: 8080 }] });
  platform.addTenant('billing', { manager: 'bob' }).addProject('ledger', { environments: [test] });
  storefront.grant(User.named('bob'), ProjectRole.VIEWER);
  return platform;
}
`;

let tmp: string;
let program: string;
let crossTenantProgram: string;
let collision: () => Platform;
let crossTenant: () => Platform;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-checks-'));
  program = path.join(tmp, 'collision.ts');
  fs.writeFileSync(program, PROGRAM(path.join(ROOT, 'index')));
  crossTenantProgram = path.join(tmp, 'cross-tenant.ts');
  fs.writeFileSync(crossTenantProgram, CROSS_TENANT(path.join(ROOT, 'index')));
  /* eslint-disable @typescript-eslint/no-require-imports */
  collision = (require(program) as { build: () => Platform }).build;
  crossTenant = (require(crossTenantProgram) as { build: () => Platform }).build;
  /* eslint-enable @typescript-eslint/no-require-imports */
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

/**
 * What `run` writes on stderr (stdout is swallowed); the process's exit code it set is checked inside `run` and
 * reset after it.
 */
function stderrOf(run: () => void): string {
  let stderr = '';
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    run();
  } finally {
    err.mockRestore();
    out.mockRestore();
    process.exitCode = undefined;
  }
  return stderr;
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

describe('a valid model whose output fails a check is refused', () => {
  it('by ManifestStack.synth(): every finding of every cluster at once, nothing written, the previous output kept', () => {
    const { outdir, before } = previousOutput();
    const e = refused(outdir, before, () => new ManifestStack(collision(), { outdir }).synth());
    expect(errorRules(e)).toEqual([ONE_OWNER]);
    expect(e.clusters).toEqual(['host', 'member-test']);
    expect(e.message.split('\n')).toEqual([
      'the checks of the output found 2 errors; nothing was written:',
      ...e.result.findings.filter((f) => f.severity === 'error').map((f) => `  - ${formatFinding(f)}`),
    ]);
    expect(e.message).toContain(`error [${ONE_OWNER}] host: cert-manager.io/v1 Certificate storefront/a-b-tls /spec/secretName: Secret a-b-tls is created by external-secrets.io/v1 ExternalSecret storefront/a-b-tls already`);
    expect(e.message).toContain('(from acme/shop/storefront/a-b)');
  });

  it('by files(), and by synth() of a render made before', () => {
    expect(() => new ManifestStack(collision()).files()).toThrow(ChecksFailed);
    const { outdir, before } = previousOutput();
    const stack = new ManifestStack(collision(), { outdir });
    expect(errorRules(refused(outdir, before, () => stack.synth(stack.render())))).toEqual([ONE_OWNER]);
  });

  it('by synthesizeApp: every finding printed, exit code 1, no stack trace, nothing written', () => {
    const { outdir, before } = previousOutput();
    const stderr = stderrOf(() => {
      expect(synthesizeApp(collision(), { outdir })).toBeUndefined();
      expect(process.exitCode).toBe(1);
    });
    expect(stderr).toMatch(/^platform-cdk: the checks of the output found 2 errors; nothing was written:\n {2}- error \[secrets-one-owner\] host: .*\n {2}- error \[secrets-one-owner\] member-test: .*\n$/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(readTree(outdir)).toEqual(before);
  });

  it('by the cdk8s validation plugin (what cdk8s synth runs after the program), on output written unchecked', async () => {
    const outdir = path.join(tmp, 'plugin');
    const result = new ManifestStack(collision(), { outdir, checks: false }).synth();
    const manifests = result.clusters.flatMap((c) => c.files.map((f) => path.join(outdir, f)));
    const violations: ValidationViolation[] = [];
    const submitted: string[] = [];
    const report = { addViolation: (v: ValidationViolation) => void violations.push(v), submit: (status: string) => void submitted.push(status) };
    const context = { manifests, pkg: 'platform-cdk', version: '0.1.0', metadata: {}, report, logger: { log: () => undefined } } as unknown as ValidationContext;
    await new PlatformValidation({ app: program }).validate(context);
    expect(submitted).toEqual(['failure']);
    expect(violations.filter((v) => v.ruleName === `error: ${ONE_OWNER}`).map((v) => v.violatingResources[0].resourceName)).toEqual([
      'cert-manager.io/v1 Certificate storefront/a-b-tls',
      'cert-manager.io/v1 Certificate storefront/a-b-tls',
    ]);
  });

  it('by platform-cdk synth (exit 1, the findings, nothing written) and platform-cdk validate, with the same findings', () => {
    const { outdir, before } = previousOutput();
    const r = cli('synth', '--app', program, '--out', outdir, '--quiet');
    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stderr).toContain(`error [${ONE_OWNER}] host: cert-manager.io/v1 Certificate storefront/a-b-tls`);
    expect(r.stderr).toMatch(/platform-cdk: \d+ objects checked: 2 errors/);
    expect(readTree(outdir)).toEqual(before);
    const synth = JSON.parse(cli('synth', '--app', program, '--out', outdir, '--format', 'json').stdout) as { ok: boolean; findings: unknown[] };
    const validate = cli('validate', '--app', program, '--format', 'json');
    expect(validate.code).toBe(ExitCode.FINDINGS);
    const checked = JSON.parse(validate.stdout) as { ok: boolean; findings: unknown[] };
    expect(synth.ok).toBe(false);
    expect(checked.ok).toBe(false);
    expect(checked.findings).toEqual(synth.findings);
    // One checker for every path: the library's check of the platform finds the same.
    expect(JSON.parse(JSON.stringify(checkPlatform(collision()).findings))).toEqual(checked.findings);
  });
});

describe('a model whose output would cross tenants is refused by the model itself, on every path', () => {
  it('by ManifestStack.synth(), files(), synthesizeApp and the command line, naming the grant; nothing written', () => {
    const { outdir, before } = previousOutput();
    expect(() => new ManifestStack(crossTenant(), { outdir }).synth()).toThrow(/grant\[0\]\.subject: got "bob"; user bob belongs to tenant billing/);
    expect(() => new ManifestStack(crossTenant()).files()).toThrow(/user bob belongs to tenant billing/);
    expect(readTree(outdir)).toEqual(before);
    const stderr = stderrOf(() => {
      expect(synthesizeApp(crossTenant(), { outdir })).toBeUndefined();
      expect(process.exitCode).toBe(1);
    });
    expect(stderr).toContain('user bob belongs to tenant billing');
    const r = cli('synth', '--app', crossTenantProgram, '--out', outdir, '--quiet');
    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(`${r.stdout}${r.stderr}`).toContain('user bob belongs to tenant billing');
    expect(readTree(outdir)).toEqual(before);
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
    const stack = new ManifestStack(collision(), { outdir, checks: false });
    const result = stack.synth();
    expect(result.checks).toBeUndefined();
    const skipped = expect.objectContaining({ severity: 'warning', property: 'checks', value: false, message: 'the schema, policy and isolation checks are skipped: the output is written unchecked' });
    expect(result.warnings).toContainEqual(skipped);
    expect(stack.check()).toContainEqual(skipped);
    expect(fs.readFileSync(path.join(outdir, 'host', '10-storefront.yaml'), 'utf8')).toContain('secretName: a-b-tls');
    const stderr = stderrOf(() => {
      expect(synthesizeApp(collision(), { outdir, checks: false })).toBeDefined();
    });
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

describe('any change an inspection makes to the output (property)', () => {
  type Json = Record<string, unknown>;
  /** Changes of the kinds a patch or an inspection may make, some harmless, some that a check refuses. */
  const CHANGES: Record<string, (o: Json) => void> = {
    'bind another tenant\'s user': (o) => {
      if (o.kind === 'RoleBinding') (o.subjects as Json[])[0].name = 'bob';
    },
    'bind a ServiceAccount of another tenant': (o) => {
      if (o.kind === 'RoleBinding') (o.subjects as Json[]).push({ kind: 'ServiceAccount', name: 'default', namespace: 'ledger' });
    },
    'admit every namespace': (o) => {
      if (o.kind === 'NetworkPolicy' && Array.isArray((o.spec as Json).ingress) && ((o.spec as Json).ingress as unknown[]).length > 0) (o.spec as Json).ingress = [{ from: [{ namespaceSelector: {} }] }];
    },
    'run privileged': (o) => {
      if (o.kind === 'Deployment') ((((o.spec as Json).template as Json).spec as Json).containers as Json[])[0].securityContext = { privileged: true };
    },
    'take a node port': (o) => {
      if (o.kind === 'Deployment') ((((o.spec as Json).template as Json).spec as Json).containers as Json[])[0].ports = [{ containerPort: 8080, hostPort: 8080 }];
    },
    'add a label': (o) => {
      (o.metadata as Json).labels = { ...((o.metadata as Json).labels as Json), team: 'web' };
    },
    'add an annotation': (o) => {
      (o.metadata as Json).annotations = { ...((o.metadata as Json).annotations as Json), note: 'reviewed' };
    },
    'waive a rule without a reason': (o) => {
      if (o.kind === 'Deployment') (o.metadata as Json).annotations = { 'waiver.platform-cdk.io/probes': '' };
    },
  };
  const change = fc.record({ name: fc.constantFrom(...Object.keys(CHANGES)), cluster: fc.constantFrom('host', 'member-test'), nth: fc.nat({ max: 20 }) });

  it('is refused by synth() exactly when the one check (validate\'s) of the changed objects finds an error; refused, nothing is written', () => {
    const { outdir, before } = previousOutput();
    const seen = { refused: 0, written: 0 };
    fc.assert(
      fc.property(fc.array(change, { maxLength: 3 }), (changes) => {
        /** Applies the drawn changes, each to the nth object of its cluster that it changes. */
        const inspect = (cluster: { name: string }, objects: readonly RenderedObject[]): boolean => {
          for (const c of changes) {
            if (c.cluster !== cluster.name) continue;
            const candidates = objects.filter((r) => {
              const copy = structuredClone(r.object) as unknown as Json;
              CHANGES[c.name](copy);
              return JSON.stringify(copy) !== JSON.stringify(r.object);
            });
            if (candidates.length > 0) CHANGES[c.name](candidates[c.nth % candidates.length].object as unknown as Json);
          }
          return true;
        };
        // What validate's checker says of the changed objects, written unchecked.
        const platform = twoTenants();
        const checker = platformChecker(platform);
        const unchecked = path.join(tmp, 'unchecked-property');
        const collect = (c: { name: string }, objects: readonly RenderedObject[]): boolean => {
          inspect(c, objects);
          checker.add(checkedObjectsOf(platform, c.name, objects));
          return true;
        };
        new ManifestStack(platform, { outdir: unchecked, checks: false, inspect: collect }).synth();
        const expected = hasErrors(checker.result().findings);
        // The default synthesis of the same changes.
        let error: unknown;
        try {
          new ManifestStack(twoTenants(), { outdir, inspect }).synth();
        } catch (e) {
          error = e;
        }
        seen[expected ? 'refused' : 'written']++;
        if (expected) {
          expect(error).toBeInstanceOf(ChecksFailed);
          expect(readTree(outdir)).toEqual(before);
        } else {
          expect(error).toBeUndefined();
          expect(readTree(outdir)).toEqual(readTree(unchecked));
          // Put the previous output back for the next case.
          const f = fixture();
          addService(f, 'web');
          new ManifestStack(f.platform, { outdir }).synth();
        }
      }),
      { seed: 20261206, numRuns: 25 },
    );
    expect(seen.refused).toBeGreaterThan(5);
    expect(seen.written).toBeGreaterThan(2);
  });
});
