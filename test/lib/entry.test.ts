/**
 * Whether a module is the program being run (lib/entry.ts), which `synthesizeApp(build)` asks so that `main.ts`
 * synthesizes when run and not when imported, in CommonJS and ES-module projects alike. The installed package in a
 * real ES-module project is tested by test/package/package.test.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import fc from 'fast-check';
import { ClusterRole, OUTPUT_MARKER, Platform, synthesizeApp } from 'platform-cdk';
import { callerFileOf, isEntryFile } from '../../lib/entry';

const ROOT = path.resolve(__dirname, '..', '..');
let tmp: string;
const argv1 = process.argv[1];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-entry-'));
});
afterEach(() => {
  process.argv[1] = argv1;
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function whoCalls(): string | undefined {
  return callerFileOf(whoCalls);
}

it('finds the file of the calling function, even with stack traces turned off', () => {
  expect(whoCalls()).toBe(__filename);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    expect(whoCalls()).toBe(__filename);
    expect(Error.stackTraceLimit).toBe(0);
  } finally {
    Error.stackTraceLimit = limit;
  }
});

it('compares the script the process was started with, as a path or a file: URL, with or without its extension', () => {
  const main = path.join(tmp, 'main.ts');
  fs.writeFileSync(main, '');
  process.argv[1] = main;
  expect(isEntryFile(main)).toBe(true);
  expect(isEntryFile(pathToFileURL(main).href)).toBe(true);
  process.argv[1] = path.join(tmp, 'main');
  expect(isEntryFile(main)).toBe(true);
  expect(isEntryFile(path.join(tmp, 'other.ts'))).toBe(false);
  fs.symlinkSync(main, path.join(tmp, 'link.ts'));
  process.argv[1] = path.join(tmp, 'link.ts');
  expect(isEntryFile(main)).toBe(true);
  process.argv[1] = '';
  expect(isEntryFile(main)).toBe(false);
});

it('property: a file is the entry exactly when its path without the extension is the script\'s', () => {
  const stem = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
  const ext = fc.constantFrom('', '.ts', '.js', '.mts', '.cjs', '.tsx');
  fc.assert(
    fc.property(fc.array(stem, { minLength: 1, maxLength: 3 }), ext, fc.array(stem, { minLength: 1, maxLength: 3 }), ext, (a, ea, b, eb) => {
      process.argv[1] = path.join(tmp, 'nowhere', ...a) + ea;
      expect(isEntryFile(path.join(tmp, 'nowhere', ...b) + eb)).toBe(a.join('/') === b.join('/'));
    }),
    { seed: 20261206, numRuns: 200 },
  );
});

it('synthesizeApp(build) does nothing when its file is imported (here, by the test runner)', () => {
  let built = 0;
  const build = (): Platform => {
    built++;
    const platform = new Platform('acme');
    platform.addCluster('host', { role: ClusterRole.HOST });
    return platform;
  };
  expect(synthesizeApp(build, { outdir: path.join(tmp, 'dist') })).toBeUndefined();
  expect(built).toBe(0);
  expect(fs.existsSync(path.join(tmp, 'dist'))).toBe(false);
});

it('synthesizeApp(build) synthesizes when its file is the program run with tsx, and not when that program is imported', () => {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const run = spawnSync(tsx, [path.join(ROOT, 'examples', 'readme', 'main.ts')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: path.join(tmp, 'run') } });
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/^platform-cdk: 25 objects for 2 clusters written to .*run\/$/m);
  expect(fs.readdirSync(path.join(tmp, 'run'))).toEqual([OUTPUT_MARKER, 'host', 'member-1']);
  const imported = spawnSync(tsx, ['-e', `require(${JSON.stringify(path.join(ROOT, 'examples', 'readme', 'main.ts'))})`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: path.join(tmp, 'imported') } });
  expect(imported.status).toBe(0);
  expect(fs.existsSync(path.join(tmp, 'imported'))).toBe(false);
}, 120_000);
