/**
 * The validation plugin of `cdk8s synth`: unit-tested with a fake validation context, then run by the real
 * cdk8s CLI on a project in a temporary folder, whose program writes the quick start and, when asked, a bad
 * manifest beside it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack } from 'platform-cdk';
import type { Platform } from 'platform-cdk';
import type { ValidationContext, ValidationViolation } from 'cdk8s-cli/lib/plugins';
import type { ValidationReportStatus } from 'cdk8s-cli/lib/plugins/validation';
import { PlatformValidation, programOfCdk8sArgs } from '../../cli/cdk8s-plugin';
import { HAS_KUBESPHERE_V4, KUBESPHERE_V4_DIR, KUBESPHERE_V4_SKIPPED } from '../schemas';

const ROOT = path.resolve(__dirname, '..', '..');
const QUICKSTART = path.join(ROOT, 'examples', 'quickstart', 'main.ts');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** A Deployment no policy allows: privileged, nginx:latest from no registry, no resources, no probes. */
const BAD_MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad
  namespace: storefront
spec:
  selector:
    matchLabels:
      app: bad
  template:
    metadata:
      labels:
        app: bad
    spec:
      containers:
      - name: nginx
        image: nginx:latest
        securityContext:
          privileged: true
`;

/** The rule ids the bad manifest breaks, errors and warnings. */
const BAD_RULES = ['image-pinned', 'image-registry', 'pod-security-restricted', 'probes', 'read-only-root', 'resources'];

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-plugin-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fake validation context: the manifests, and a report that records what the plugin adds and submits. */
function context(manifests: readonly string[]): { context: ValidationContext; violations: ValidationViolation[]; submitted: { status: ValidationReportStatus; metadata?: Record<string, string> }[] } {
  const violations: ValidationViolation[] = [];
  const submitted: { status: ValidationReportStatus; metadata?: Record<string, string> }[] = [];
  const report = {
    addViolation: (v: ValidationViolation) => void violations.push(v),
    submit: (status: ValidationReportStatus, metadata?: Record<string, string>) => void submitted.push({ status, metadata }),
  };
  const fake = { manifests, pkg: 'platform-cdk', version: '0.1.0', metadata: {}, report, logger: { log: () => undefined } };
  return { context: fake as unknown as ValidationContext, violations, submitted };
}

/** Synthesizes the quick start into a new folder; returns the manifests written. */
function synthQuickstart(name: string): { outdir: string; manifests: string[] } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { build } = require(QUICKSTART) as { build: () => Platform };
  const outdir = path.join(tmp, name);
  const result = new ManifestStack(build(), { outdir }).synth();
  return { outdir, manifests: result.clusters.flatMap((c) => c.files.map((f) => path.join(outdir, f))) };
}

describe('PlatformValidation.validate', () => {
  it('submits success with the object count, reporting the warnings, when nothing is wrong', async () => {
    const { manifests } = synthQuickstart('clean');
    const fake = context(manifests);
    await new PlatformValidation({ app: QUICKSTART }).validate(fake.context);

    expect(fake.submitted).toEqual([{ status: 'success', metadata: { objects: '39' } }]);
    expect(fake.violations.map((v) => v.ruleName)).toEqual(['warning: schema-missing', 'warning: schema-missing', 'warning: probes', 'warning: probes', 'warning: exposure-tls']);
    expect(fake.violations[2]).toEqual({
      ruleName: 'warning: probes',
      recommendation: 'container mailer has no readinessProbe (from quickstart/shop/storefront/mailer)',
      fix: 'give the service readiness and liveness probes',
      violatingResources: [{ resourceName: 'apps/v1 Deployment storefront/mailer', locations: ['/spec/template/spec/containers/0'], manifestPath: path.join(tmp, 'clean', 'host') }],
    });
  });

  it('submits failure with a violation per finding of a manifest added to the output', async () => {
    const { outdir, manifests } = synthQuickstart('bad');
    const bad = path.join(outdir, 'host', '99-bad.yaml');
    fs.writeFileSync(bad, BAD_MANIFEST);
    const fake = context([...manifests, bad]);
    await new PlatformValidation({ app: QUICKSTART }).validate(fake.context);

    expect(fake.submitted).toEqual([{ status: 'failure', metadata: { objects: '40' } }]);
    const mine = fake.violations.filter((v) => v.violatingResources[0].resourceName === 'apps/v1 Deployment storefront/bad');
    expect([...new Set(mine.map((v) => v.ruleName.replace(/^\w+: /, '')))].sort()).toEqual(BAD_RULES);
    expect(mine).toContainEqual({
      ruleName: 'error: pod-security-restricted',
      recommendation: 'container nginx is privileged (from -)',
      fix: 'remove privileged: true',
      violatingResources: [{ resourceName: 'apps/v1 Deployment storefront/bad', locations: ['/spec/template/spec/containers/0/securityContext/privileged'], manifestPath: path.join(outdir, 'host') }],
    });
  });

  it('does not report waived findings, and takes more CRD folders from its properties', async () => {
    const program = path.join(tmp, 'waived.ts');
    fs.writeFileSync(
      program,
      `import { build as quickstart } from ${JSON.stringify(QUICKSTART.replace(/\.ts$/, ''))};
import type { AppService, Platform } from ${JSON.stringify(path.join(ROOT, 'index'))};

export function build(): Platform {
  const platform = quickstart();
  const storefront = platform.node.findChild('shop').node.findChild('storefront');
  (storefront.node.findChild('mailer') as AppService).inEnvironment('production', { replicas: 1, waivers: { replicas: 'sends each mail once' } });
  return platform;
}
`,
    );
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { build } = require(program) as { build: () => Platform };
    const outdir = path.join(tmp, 'waived');
    const manifests = new ManifestStack(build(), { outdir }).synth().clusters.flatMap((c) => c.files.map((f) => path.join(outdir, f)));
    expect(fs.readFileSync(path.join(outdir, 'host', '10-storefront.yaml'), 'utf8')).toContain('waiver.platform-cdk.io/production-replicas: "sends each mail once"');
    const fake = context(manifests);
    await new PlatformValidation({ app: program, crds: HAS_KUBESPHERE_V4 ? [KUBESPHERE_V4_DIR] : [] }).validate(fake.context);

    expect(fake.submitted[0].status).toBe('success');
    expect(fake.violations.map((v) => v.ruleName)).not.toContain('error: production-replicas');
    if (HAS_KUBESPHERE_V4) expect(fake.violations.map((v) => v.ruleName)).not.toContain('warning: schema-missing');
    // eslint-disable-next-line no-console
    else console.log(KUBESPHERE_V4_SKIPPED);
  });
});

describe('cdk8s synth with the plugin', () => {
  /** A cdk8s project whose program writes the quick start, and the bad manifest too when `bad`. */
  function project(name: string, bad: boolean): string {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'main.ts'),
      `import * as fs from 'fs';
import * as path from 'path';
import { synthesizeApp } from ${JSON.stringify(path.join(ROOT, 'index'))};
import { build } from ${JSON.stringify(QUICKSTART.replace(/\.ts$/, ''))};

export { build };

if (require.main === module) {
  synthesizeApp(build());
  ${bad ? `fs.writeFileSync(path.join(process.env.CDK8S_OUTDIR ?? 'dist', 'host', '99-bad.yaml'), ${JSON.stringify(BAD_MANIFEST)});` : ''}
}
`,
    );
    fs.writeFileSync(
      path.join(dir, 'cdk8s.yaml'),
      `language: typescript
app: ${TSX} main.ts
output: dist
validations:
  - package: ${path.join(ROOT, 'cdk8s-validation.js')}
    version: 0.1.0
    class: PlatformValidation
`,
    );
    // The quick start imports 'platform-cdk', which an installed project resolves from node_modules; here tsx maps it.
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { 'platform-cdk': [path.join(ROOT, 'index.ts')] } } }));
    return dir;
  }

  function synth(dir: string): { status: number | null; output: string } {
    const r = spawnSync(CDK8S, ['synth', '--no-check-upgrade'], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it('fails on a bad manifest in the output, naming the rules it breaks', () => {
    const r = synth(project('bad-project', true));
    expect(r.output).toContain('dist/host/99-bad.yaml');
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('Validation failed');
    for (const rule of ['pod-security-restricted', 'image-pinned', 'image-registry', 'resources']) expect(r.output).toContain(`error: ${rule}`);
    expect(r.output).toContain('Resource Name: apps/v1 Deployment storefront/bad');
  }, 120_000);

  it('passes on the quick start as written, with its warnings in the report', () => {
    const r = synth(project('clean-project', false));
    expect(r.output).not.toContain('Validation failed');
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/Status\s+│\s+success/);
    expect(r.output).toContain('warning: exposure-tls');
  }, 120_000);
});

describe('the program the plugin checks against', () => {
  it('is the one of `cdk8s synth --app <command>` when given, else the one cdk8s.yaml names', () => {
    const cli = ['node', '/p/node_modules/.bin/cdk8s', 'synth', '--no-check-upgrade'];
    expect(programOfCdk8sArgs([...cli, '--app', '/p/node_modules/.bin/tsx examples/ride-hailing/main.ts', '--output', 'out'])).toBe('examples/ride-hailing/main.ts');
    expect(programOfCdk8sArgs([...cli, '-a', 'node node_modules/tsx/dist/cli.mjs main.js'])).toBe('main.js');
    expect(programOfCdk8sArgs([...cli, '--app=npx tsx estate/main.ts'])).toBe('estate/main.ts');
    expect(programOfCdk8sArgs(cli)).toBeUndefined();
  });
});
