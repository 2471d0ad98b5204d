/**
 * Every example in examples/ is synthesized, validated against the schemas and snapshotted, so it can never
 * rot. An example is a folder with a `main.ts` that exports `build(): Platform`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack, Platform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { canValidate, HAS_KUBESPHERE_V4, KUBESPHERE_V4_SKIPPED, validator } from '../schemas';
import { readTree } from '../fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'main.ts'))).sort();

function load(example: string): () => Platform {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(ROOT, 'examples', example, 'main.ts')) as { build?: () => Platform };
  if (typeof mod.build !== 'function') throw new Error(`examples/${example}/main.ts must export build(): Platform`);
  return mod.build;
}

it('finds the examples', () => {
  expect(EXAMPLES).toContain('quickstart');
});

describe.each(EXAMPLES)('the example %s', (example) => {
  const build = load(example);
  const files = new ManifestStack(build()).files();

  it('synthesizes to the snapshot', () => {
    expect(Object.fromEntries(files)).toMatchSnapshot();
  });

  it('writes only objects that are valid against the Kubernetes 1.27 and KubeSphere 4.1 schemas, strictly', () => {
    const v = validator();
    const findings: string[] = [];
    let checked = 0;
    for (const [file, text] of files) {
      if (file.startsWith('_gitlab-ci/')) continue; // CI files for the modules' repositories, not Kubernetes objects
      for (const doc of parseAllDocuments(text)) {
        const o = doc.toJS() as KubeObject;
        if (!canValidate(o.apiVersion)) continue;
        checked++;
        for (const f of v.validate(o)) findings.push(`${file}: ${f.object} ${f.path}: ${f.message}`);
      }
    }
    if (!HAS_KUBESPHERE_V4) console.warn(KUBESPHERE_V4_SKIPPED);
    expect(findings).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it('gives byte-identical output when built and synthesized twice', () => {
    const dirs = [1, 2].map((i) => fs.mkdtempSync(path.join(os.tmpdir(), `pcdk-${example}-${i}-`)));
    for (const dir of dirs) new ManifestStack(build(), { outdir: dir }).synth();
    const [a, b] = dirs.map(readTree);
    expect(Object.keys(a).length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(a).toEqual(Object.fromEntries(files));
  });

  it('never writes a Workspace (KubeSphere creates those from WorkspaceTemplates)', () => {
    for (const text of files.values()) expect(text).not.toMatch(/^kind: Workspace$/m);
  });
});

describe('the default example, run the way a user runs it', () => {
  it('is synthesized by its main.ts into $CDK8S_OUTDIR, one folder per cluster', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-main-'));
    const stdout = execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['examples/quickstart/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDK8S_OUTDIR: out },
      encoding: 'utf8',
    });
    expect(stdout).toContain('objects for 2 clusters written to');
    expect(fs.readdirSync(out).sort()).toEqual(['host', 'member-test']);
    expect(readTree(out)).toEqual(Object.fromEntries(new ManifestStack(load('quickstart')()).files()));
  });

  it('is synthesized by `cdk8s synth` through cdk8s.yaml', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-cdk8s-'));
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '--output', out], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    expect(fs.readdirSync(out).sort()).toEqual(['host', 'member-test']);
    expect(fs.readdirSync(path.join(out, 'host'))).toEqual(['00-cluster.yaml', '10-storefront.yaml']);
  });
});
