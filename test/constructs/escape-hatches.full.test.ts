/**
 * Escape hatches through every entry point (the full tier; docs/escape-hatches.md): the fixture estate uses every
 * mechanism — cdk8s `ApiObject`, cdk8s-plus-27 Deployment, Service, CronJob, Job, DaemonSet, ConfigMap and
 * NetworkPolicy, a `cdk8s import`ed CRD class, `Include` of vendor YAML, `Helm` (a stand-in `helm` on PATH),
 * `addOverride`, `addJsonPatch`, `addTransform` — and each entry point (the API, `synthesizeApp`, `platform-cdk
 * synth/validate/diff/report`, `cdk8s synth` with the project's cdk8s.yaml and validation plugin, the program run as
 * cdk8s runs it, a cdk8s App) writes the same bytes (the App: the same objects in the same order) and checks the user
 * objects: a privileged pod in a restricted namespace and a RoleBinding to another tenant's user are refused
 * everywhere, naming their construct path, and a waiver lets the pod through everywhere. PulumiStack under mocks:
 * test/stacks/pulumi-escape-hatches.test.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ValidationContext } from 'cdk8s-cli/lib/plugins';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ChecksFailed, ManifestStack, PlatformCharts, synthesizeApp } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkPlatform, objectsOfFiles } from '../../lib/check';
import { PlatformValidation } from '../../cli/cdk8s-plugin';
import { cli } from '../cli/run';
import { readTree } from '../fixture';
import { missingMechanisms } from '../fixtures/escape-hatches/mechanisms';
import { build, Variant, WAIVER } from '../fixtures/escape-hatches/program';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'escape-hatches');
const PROGRAM = path.join(FIXTURES, 'program.ts');
const PATH = process.env.PATH;
const HELM_PATH = `${path.join(FIXTURES, 'bin')}${path.delimiter}${PATH}`;
let tmp: string;
let expected: Record<string, string>;
beforeAll(() => {
  // A stand-in `helm` that prints a fixed manifest.
  process.env.PATH = HELM_PATH;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-hatches-full-'));
  expected = Object.fromEntries([...new ManifestStack(build()).files()]);
});
afterAll(() => {
  process.env.PATH = PATH;
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Objects of a file tree by `<cluster>/<Kind>/<namespace>/<name>`. */
function objectsOf(files: Record<string, string>): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const [file, text] of Object.entries(files)) {
    if (file.startsWith('_')) continue;
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as KubeObject;
      out.set(`${file.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`, o);
    }
  }
  return out;
}

/** What `run` prints on stdout and stderr, and the exit code it sets (reset after). */
function printed(run: () => void): { stdout: string; stderr: string; exitCode: number } {
  let stdout = '';
  let stderr = '';
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  try {
    run();
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    err.mockRestore();
    out.mockRestore();
    process.exitCode = undefined;
  }
}

/** Runs `fn` with the fixture's variant set for the programs the command line loads. */
function withVariant<T>(variant: Variant | undefined, fn: () => T): T {
  const before = process.env.ESCAPE_HATCHES_VARIANT;
  if (variant === undefined) delete process.env.ESCAPE_HATCHES_VARIANT;
  else process.env.ESCAPE_HATCHES_VARIANT = variant;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.ESCAPE_HATCHES_VARIANT;
    else process.env.ESCAPE_HATCHES_VARIANT = before;
  }
}

/** `cdk8s synth` of the fixture program, with the project's cdk8s.yaml (its validation plugin), into `out`. */
function cdk8sSynth(out: string, variant?: Variant): { code: number; output: string } {
  try {
    const output = execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '--app', `${path.join(ROOT, 'node_modules', '.bin', 'tsx')} ${PROGRAM}`, '--output', out], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
      env: { ...process.env, PATH: HELM_PATH, ...(variant ? { ESCAPE_HATCHES_VARIANT: variant } : {}) },
    });
    return { code: 0, output };
  } catch (e) {
    const x = e as { status?: number; stdout?: string; stderr?: string };
    return { code: x.status ?? 1, output: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

describe('every mechanism through every entry point', () => {
  it('the API writes the object of every mechanism, the same bytes streaming, from files() and through synthesizeApp', () => {
    expect(missingMechanisms(objectsOf(expected))).toEqual([]);
    const a = path.join(tmp, 'streaming');
    new ManifestStack(build(), { outdir: a }).synth();
    expect(readTree(a)).toEqual(expected);
    const b = path.join(tmp, 'synthesize-app');
    const run = printed(() => void synthesizeApp(build(), { outdir: b }));
    expect(run.exitCode).toBe(0);
    expect(readTree(b)).toEqual(expected);
  });

  it('platform-cdk synth, validate, diff and report see the same objects as the program', () => {
    const out = path.join(tmp, 'cli');
    const r = cli('synth', '--app', PROGRAM, '--out', out, '--quiet');
    expect(r.code).toBe(0);
    expect(readTree(out)).toEqual(expected);
    const v = cli('validate', '--app', PROGRAM, '--format', 'json');
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).ok).toBe(true);
    expect(cli('diff', '--app', PROGRAM, '--against', out, '--exit-code').code).toBe(0);
    // An output without the user objects differs by exactly them.
    const before = path.join(tmp, 'before');
    fs.cpSync(out, before, { recursive: true });
    fs.writeFileSync(path.join(before, 'host', '10-vendor-system.yaml'), '');
    const changed = cli('diff', '--app', PROGRAM, '--against', before);
    expect(changed.stdout).toContain('vendor-config');
    const html = path.join(tmp, 'report.html');
    expect(cli('report', '--app', PROGRAM, '--out', html, '--quiet').code).toBe(0);
    // The report counts the user objects among each cluster's objects, by kind.
    const page = fs.readFileSync(html, 'utf8');
    for (const kind of ['ReportSchedule', 'CronJob', 'DaemonSet', 'Job', 'ServiceAccount']) expect(page).toContain(kind);
  });

  it('cdk8s synth, with the project\'s cdk8s.yaml and validation plugin and a stand-in helm on PATH, writes the same bytes', () => {
    const out = path.join(tmp, 'cdk8s');
    const r = cdk8sSynth(out);
    expect(r.code).toBe(0);
    expect(readTree(out)).toEqual(expected);
  });

  it('the program run as cdk8s runs it (CDK8S_OUTDIR), with a stand-in helm found on PATH by cdk8s itself, writes the same bytes', () => {
    const out = path.join(tmp, 'program');
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [PROGRAM], { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: out, PATH: HELM_PATH }, stdio: 'pipe' });
    expect(readTree(out)).toEqual(expected);
  });

  it('a platform in a cdk8s App: app.synth() writes the same objects, in the same order, per cluster', () => {
    const outdir = path.join(tmp, 'app');
    const app = new App({ outdir });
    build(app);
    app.synth();
    const byCluster = new Map<string, KubeObject[]>();
    for (const [file, text] of Object.entries(expected).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (file.startsWith('_')) continue;
      const cluster = file.split('/')[0];
      byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), ...parseAllDocuments(text).map((d) => d.toJS() as KubeObject)]);
    }
    for (const [cluster, objects] of byCluster) expect(parseAllDocuments(fs.readFileSync(path.join(outdir, `acme-${cluster}.k8s.yaml`), 'utf8')).map((d) => d.toJS())).toEqual(objects);
  });

  it('an environment\'s output and the inspection hook hold its user objects, with their origins', () => {
    const files = new ManifestStack(build(), { environment: 'test' }).files();
    const clusters = new Set([...files.keys()].filter((k) => !k.startsWith('_')).map((k) => k.split('/')[0]));
    expect([...clusters]).toEqual(['member-test']);
    expect(files.get('member-test/10-storefront.yaml')).toContain('name: workloads-node-agent');
    expect(files.get('member-test/10-monitoring.yaml')).toContain('name: exporter-settings');
    const seen: string[] = [];
    new ManifestStack(build(), {
      inspect: (cluster, objects) => {
        for (const r of objects) if (r.origin.construct) seen.push(`${cluster.name} ${r.object.kind} ${r.origin.construct}`);
        return true;
      },
    }).files();
    expect(seen).toContain('host ClusterRole acme/Clusters/host/vendor/agent/vendor-reader-clusterrole');
    expect(seen).toContain('member-test ReportSchedule acme/shop/storefront/report/schedule');
    expect(seen).toContain('member-test DaemonSet acme/shop/storefront/workloads/node-agent/Resource');
  });

  it('the cdk8s validation plugin checks the written user objects under their construct paths', async () => {
    const out = path.join(tmp, 'plugin');
    const result = new ManifestStack(build(), { outdir: out }).synth();
    const manifests = result.clusters.flatMap((c) => c.files.map((x) => path.join(out, x)));
    const submitted: string[] = [];
    const report = { addViolation: () => undefined, submit: (status: string) => void submitted.push(status) };
    const context = { manifests, pkg: 'platform-cdk', version: '0.1.0', metadata: {}, report, logger: { log: () => undefined } } as unknown as ValidationContext;
    await new PlatformValidation({ app: PROGRAM }).validate(context);
    expect(submitted).toEqual(['success']);
    const objects = objectsOfFiles(new Map(Object.entries(readTree(out))), build(), new ManifestStack(build()).render());
    expect(objects.find((o) => o.object.metadata.name === 'report-nightly')?.source).toBe('acme/shop/storefront/report/nightly/Resource');
  });
});

describe('the checks see user objects on every entry point', () => {
  const REFUSED: readonly { variant: Variant; rule: string; object: string; source: string }[] = [
    { variant: 'privileged-pod', rule: 'pod-security-restricted', object: 'v1 Pod storefront/debug', source: 'acme/shop/storefront/debug/pod' },
    { variant: 'cross-tenant-binding', rule: 'isolation-tenant-access', object: 'RoleBinding storefront/bob-edit', source: 'acme/shop/storefront/access/bob' },
  ];

  for (const { variant, rule, object, source } of REFUSED) {
    it(`${variant}: refused by ManifestStack, synthesizeApp, platform-cdk synth and validate, cdk8s synth and app.synth(), naming ${source}; nothing written`, () => {
      const names = (text: string): void => {
        expect(text).toContain(rule);
        expect(text).toContain(object);
        expect(text).toContain(`(from ${source})`);
      };
      let e: unknown;
      try {
        new ManifestStack(build(undefined, variant)).files();
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(ChecksFailed);
      names((e as Error).message);
      const api = path.join(tmp, `${variant}-api`);
      const run = printed(() => void synthesizeApp(build(undefined, variant), { outdir: api }));
      expect(run.exitCode).toBe(1);
      names(run.stderr);
      expect(fs.existsSync(api)).toBe(false);
      withVariant(variant, () => {
        const out = path.join(tmp, `${variant}-cli`);
        const s = cli('synth', '--app', PROGRAM, '--out', out, '--quiet');
        expect(s.code).toBe(1);
        names(s.stderr);
        expect(fs.existsSync(out)).toBe(false);
        const v = cli('validate', '--app', PROGRAM);
        expect(v.code).toBe(1);
        names(v.stdout + v.stderr);
      });
      const k = path.join(tmp, `${variant}-cdk8s`);
      const c = cdk8sSynth(k, variant);
      expect(c.code).not.toBe(0);
      names(c.output);
      expect(fs.existsSync(k)).toBe(false);
      const appOut = path.join(tmp, `${variant}-app`);
      const app = new App({ outdir: appOut });
      build(app, variant);
      let appError: unknown;
      try {
        app.synth();
      } catch (x) {
        appError = x;
      }
      names(String(appError));
      expect(fs.readdirSync(appOut)).toEqual([]);
    });
  }

  it('waived-pod: a waiver on a user object lets it through on every entry point, the finding shown as waived', () => {
    const result = checkPlatform(build(undefined, 'waived-pod'));
    const findings = result.findings.filter((f) => f.source === 'acme/shop/storefront/debug/pod' && f.rule === 'pod-security-restricted');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.waived === WAIVER)).toBe(true);
    const files = Object.fromEntries([...new ManifestStack(build(undefined, 'waived-pod')).files()]);
    expect(objectsOf(files).has('member-test/Pod/storefront/debug')).toBe(true);
    withVariant('waived-pod', () => {
      const out = path.join(tmp, 'waived-cli');
      expect(cli('synth', '--app', PROGRAM, '--out', out, '--quiet').code).toBe(0);
      expect(readTree(out)).toEqual(files);
      const v = cli('validate', '--app', PROGRAM, '--format', 'json');
      expect(v.code).toBe(0);
      expect(v.stdout).toContain(WAIVER);
    });
    const k = path.join(tmp, 'waived-cdk8s');
    expect(cdk8sSynth(k, 'waived-pod').code).toBe(0);
    expect(readTree(k)).toEqual(files);
    const app = new App({ outdir: path.join(tmp, 'waived-app') });
    const platform = build(app, 'waived-pod');
    app.synth();
    expect(PlatformCharts.of(platform)?.charts.map((c) => c.node.id)).toEqual(['acme-host', 'acme-member-test']);
  });
});
