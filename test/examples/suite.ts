/**
 * The checks every example in examples/ passes, so none can rot: it is synthesized and snapshotted, its objects
 * are valid against the schemas, its output is byte-identical from run to run, and it synthesizes the two ways a
 * user runs it — `cdk8s synth` and the `platform-cdk synth` command line. Each example has a test file of its own
 * (`test/examples/<example>.test.ts`) that calls {@link describeExample}, so each keeps its own snapshot file.
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
import { cli } from '../cli/run';

/** The repository's root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** The examples: every folder of examples/ with a main.ts. */
export const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'main.ts'))).sort();

/** The build() an example's main.ts exports. */
export function load(example: string): () => Platform {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(ROOT, 'examples', example, 'main.ts')) as { build?: () => Platform };
  if (typeof mod.build !== 'function') throw new Error(`examples/${example}/main.ts must export build(): Platform`);
  return mod.build;
}

/** Files of an output folder that are not Kubernetes objects (CI files, installation files). */
function isObjectFile(file: string): boolean {
  return !file.startsWith('_');
}

/** Declares the checks of one example. */
export function describeExample(example: string): void {
  describe(`the example ${example}`, () => {
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
        if (!isObjectFile(file)) continue;
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

    it('synthesizes with the command line, `platform-cdk synth --app examples/<example>/main.ts`, to the same files', () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `pcdk-cli-${example}-`));
      const r = cli('synth', '--app', path.join(ROOT, 'examples', example, 'main.ts'), '--out', out, '--quiet');
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      expect(readTree(out)).toEqual(Object.fromEntries(files));
    });

    it('synthesizes with `cdk8s synth`, through the validation plugin, to the same files', () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `pcdk-cdk8s-${example}-`));
      execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', '--app', `npx tsx examples/${example}/main.ts`, '--output', out], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
      });
      expect(readTree(out)).toEqual(Object.fromEntries(files));
    });
  });
}
