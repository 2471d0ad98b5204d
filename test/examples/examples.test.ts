/**
 * The examples as a whole: every folder of examples/ with a main.ts has its own test file, and the default example
 * runs the way the README says. The checks each example passes are in ./suite.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack, OUTPUT_MARKER } from 'platform-cdk';
import { readTree } from '../fixture';
import { EXAMPLES, load, ROOT } from './suite';

it('finds the examples, and each has its test file', () => {
  expect(EXAMPLES).toContain('quickstart');
  for (const e of EXAMPLES) expect(fs.existsSync(path.join(__dirname, `${e}.test.ts`))).toBe(true);
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
    expect(fs.readdirSync(out).sort()).toEqual([OUTPUT_MARKER, 'host', 'member-test']);
    expect(readTree(out)).toEqual(Object.fromEntries(new ManifestStack(load('quickstart')()).files()));
  });

  it('is synthesized by `cdk8s synth` through cdk8s.yaml', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-cdk8s-'));
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '--output', out], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    expect(fs.readdirSync(out).sort()).toEqual([OUTPUT_MARKER, 'host', 'member-test']);
    expect(fs.readdirSync(path.join(out, 'host'))).toEqual(['00-cluster.yaml', '10-storefront.yaml']);
  });
});
