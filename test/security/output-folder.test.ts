/**
 * An output folder that can never be a source (issue 18, defect 1): `synth --out .`, `--out ..`, `CDK8S_OUTDIR=.`
 * and `ManifestStack({ outdir })` once deleted the source tree, `.git` included. Every writer now refuses, before
 * anything is touched, a folder that may hold anything but an earlier output, with exit code 2 on the command line.
 * Each case runs in a throw-away project (package.json, cdk8s.yaml, .git, sources) and asserts that nothing in it
 * changed; a property test writes to generated paths around such a project.
 */
import { spawnSync } from 'child_process';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack, OUTPUT_MARKER, OUTPUT_MARKER_TEXT, synthesizeApp, UnsafeOutputFolderError, writeTreeAtomically } from 'platform-cdk';
import type { Platform, UnsafeOutputReason } from 'platform-cdk';
import { ExitCode } from '../../cli/main';
import { cli } from '../cli/run';
import { addService, fixture } from '../fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const SEED = 20261206;

/** Every entry under a folder (dot-files, links and folders too), with what it is and holds; links are not followed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const rel = path.relative(dir, p);
      const s = fs.lstatSync(p);
      if (s.isSymbolicLink()) out[rel] = `link -> ${fs.readlinkSync(p)}`;
      else if (s.isDirectory()) {
        out[rel] = 'folder';
        walk(p);
      } else out[rel] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** A small valid platform. */
function platform(): Platform {
  const f = fixture();
  addService(f, 'web');
  return f.platform;
}

let tmp: string;
/** The throw-away project: `<tmp>/project`, a git work tree with sources and a program. */
let project: string;
/** The program file of the project, `<tmp>/project/app/main.ts`, which exports the quick start's `build`. */
let program: string;
const cwd = process.cwd();

beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-out-')));
  project = path.join(tmp, 'project');
  for (const d of ['.git/refs', 'src', 'app', 'sub', 'notes']) fs.mkdirSync(path.join(project, d), { recursive: true });
  fs.writeFileSync(path.join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "estate" }\n');
  fs.writeFileSync(path.join(project, 'cdk8s.yaml'), 'app: npx tsx app/main.ts\n');
  fs.writeFileSync(path.join(project, 'src', 'estate.ts'), 'export const estate = 1;\n');
  fs.writeFileSync(path.join(project, 'notes', 'todo.txt'), 'keep me\n');
  program = path.join(project, 'app', 'main.ts');
  fs.writeFileSync(program, `export { build } from ${JSON.stringify(path.join(ROOT, 'examples', 'quickstart', 'main'))};\n`);
  fs.symlinkSync(project, path.join(tmp, 'link-to-project'));
  process.chdir(project);
});
afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The error a synthesis into `outdir` throws, with the whole temporary tree unchanged by it. */
function refusedBy(fn: () => unknown): UnsafeOutputFolderError {
  const before = snapshot(tmp);
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(snapshot(tmp)).toEqual(before);
  if (!(error instanceof UnsafeOutputFolderError)) throw new Error(`expected an UnsafeOutputFolderError, got ${String(error)}`);
  return error;
}

/** Each refused folder (relative to the project, the working directory): why, and the words the message holds. */
const REFUSED: readonly [string, () => string, UnsafeOutputReason, () => string][] = [
  ['. (the working directory)', () => '.', 'working-directory', () => 'it is the working directory'],
  ['.. (an ancestor of the working directory)', () => '..', 'working-directory', () => 'it holds the working directory'],
  ['/ (the root)', () => '/', 'root', () => 'it is the root of the file system'],
  ['a symbolic link to the working directory', () => path.join(tmp, 'link-to-project'), 'working-directory', () => 'it is the working directory'],
  ['the program\'s folder', () => path.join(project, 'app'), 'program', () => `it holds the program ${path.join(project, 'app', 'main.ts')}`],
  ['a non-empty folder platform-cdk did not write', () => 'notes', 'not-output', () => `it has no ${OUTPUT_MARKER} file, and it holds todo.txt, which platform-cdk does not write`],
];

describe('ManifestStack.synth() refuses, and changes nothing', () => {
  it.each(REFUSED)('%s', (_name, outdir, reason, words) => {
    const e = refusedBy(() => new ManifestStack(platform(), { outdir: outdir(), program }).synth());
    expect(e.reason).toBe(reason);
    expect(e.message).toContain(words());
    expect(e.message).toMatch(/^refusing to use \/.* as the output folder: .*Nothing was changed\. Fix: .+$/);
    expect(e.code).toBe('EUNSAFE');
  });

  it('the root of a git work tree, and a folder of sources, also when the working directory is elsewhere', () => {
    process.chdir(os.tmpdir());
    expect(refusedBy(() => new ManifestStack(platform(), { outdir: project }).synth()).reason).toBe('git');
    fs.rmSync(path.join(project, '.git'), { recursive: true });
    const e = refusedBy(() => new ManifestStack(platform(), { outdir: project }).synth());
    expect(e.reason).toBe('sources');
    expect(e.message).toContain('it holds sources (package.json, cdk8s.yaml)');
  });

  it('files it does not own beside the folder: a .dist.staging, .dist.previous or .dist.lock of the user\'s', () => {
    for (const [name, make] of [
      ['.dist.staging', (p: string) => (fs.mkdirSync(p), fs.writeFileSync(path.join(p, 'draft.md'), 'mine\n'))],
      ['.dist.previous', (p: string) => (fs.mkdirSync(p), fs.writeFileSync(path.join(p, 'draft.md'), 'mine\n'))],
      ['.dist.lock', (p: string) => fs.writeFileSync(p, 'my lock notes\n')],
    ] as const) {
      const beside = path.join(project, name);
      make(beside);
      const e = refusedBy(() => new ManifestStack(platform(), { outdir: 'dist' }).synth());
      expect(e.reason).toBe('beside');
      expect(e.message).toContain(`${beside} beside it was not left by platform-cdk`);
      fs.rmSync(beside, { recursive: true });
    }
  });

  it('writes a new folder with the marker, replaces a marked one, and takes over an earlier version\'s output (no marker)', () => {
    const result = new ManifestStack(platform(), { outdir: 'dist' }).synth();
    expect(fs.readFileSync(path.join(project, 'dist', OUTPUT_MARKER), 'utf8')).toBe(OUTPUT_MARKER_TEXT);
    expect(result.files).not.toContain(OUTPUT_MARKER);
    fs.writeFileSync(path.join(project, 'dist', 'host', 'stray.txt'), 'gone at the next synthesis\n');
    new ManifestStack(platform(), { outdir: 'dist' }).synth();
    expect(fs.existsSync(path.join(project, 'dist', 'host', 'stray.txt'))).toBe(false);
    // What earlier versions wrote: cluster folders of 00-cluster.yaml and 10-<namespace>.yaml, _gitlab-ci/, _install/.
    const earlier = path.join(project, 'old');
    for (const [f, text] of [['host/00-cluster.yaml', 'a'], ['host/10-shop.yaml', 'b'], ['_gitlab-ci/shop/web.gitlab-ci.yml', 'c'], ['_install/host/ks-core-values.yaml', 'd']]) {
      fs.mkdirSync(path.dirname(path.join(earlier, f)), { recursive: true });
      fs.writeFileSync(path.join(earlier, f), text);
    }
    fs.mkdirSync(path.join(earlier, 'member-test'));
    new ManifestStack(platform(), { outdir: 'old' }).synth();
    expect(fs.readdirSync(earlier).sort()).toEqual([OUTPUT_MARKER, 'host', 'member-test']);
    // One file more than those makes it a folder of the user's.
    fs.rmSync(path.join(earlier, OUTPUT_MARKER));
    fs.writeFileSync(path.join(earlier, 'host', 'notes.md'), 'mine\n');
    expect(refusedBy(() => new ManifestStack(platform(), { outdir: 'old' }).synth()).message).toContain('it holds host/notes.md');
  });
});

describe('synthesizeApp and CDK8S_OUTDIR', () => {
  let stderr: string;
  let stdout: string;
  beforeEach(() => {
    stderr = '';
    stdout = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    delete process.env.CDK8S_OUTDIR;
    process.exitCode = undefined;
  });

  it.each(REFUSED)('%s: synthesizeApp prints one error line, sets exit code 2 and does not throw', (_name, outdir, reason) => {
    const before = snapshot(tmp);
    expect(synthesizeApp(platform(), { outdir: outdir(), program })).toBeUndefined();
    expect(process.exitCode).toBe(2);
    expect(stderr).toMatch(/^platform-cdk: error: refusing to use \/.*\n$/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
    expect(snapshot(tmp)).toEqual(before);
    expect(reason).toBeDefined();
  });

  it('CDK8S_OUTDIR=. and CDK8S_OUTDIR=.. are refused like --out', () => {
    for (const outdir of ['.', '..']) {
      process.env.CDK8S_OUTDIR = outdir;
      process.exitCode = undefined;
      const before = snapshot(tmp);
      expect(synthesizeApp(platform())).toBeUndefined();
      expect(process.exitCode).toBe(2);
      expect(snapshot(tmp)).toEqual(before);
    }
    expect(stderr.split('\n').filter((l) => l !== '')).toHaveLength(2);
  });

  it('a program run as `npm run synth` does (tsx main.ts) with CDK8S_OUTDIR set to its own folder exits 2 and changes nothing', () => {
    const main = path.join(project, 'app', 'synth.ts');
    fs.writeFileSync(main, `import { synthesizeApp } from ${JSON.stringify(path.join(ROOT, 'index'))};\nimport { build } from './main';\nsynthesizeApp(build());\n`);
    const before = snapshot(tmp);
    // Run from the repository, whose tsconfig.json maps platform-cdk to its sources.
    const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), main], { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: path.join(project, 'app') }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^platform-cdk: error: refusing to use .*app as the output folder: it holds the program .*synth\.ts;/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(tmp)).toEqual(before);
  });
});

describe('platform-cdk synth --out', () => {
  it.each(REFUSED)('%s: exits 2 with one error line and no stack trace, and changes nothing', (_name, outdir, reason) => {
    const before = snapshot(tmp);
    const r = cli('synth', '--app', program, '--out', outdir(), '--quiet');
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/^platform-cdk: error: refusing to use \/.*\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(snapshot(tmp)).toEqual(before);
    const j = cli('synth', '--app', program, '--out', outdir(), '--format', 'json');
    expect(j.code).toBe(ExitCode.USAGE);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, code: 'EUNSAFE', reason });
    expect(snapshot(tmp)).toEqual(before);
  });

  it('the root of the git work tree, from elsewhere, with the program elsewhere; --no-check changes nothing to it', () => {
    process.chdir(tmp);
    const elsewhere = path.join(tmp, 'elsewhere', 'main.ts');
    fs.mkdirSync(path.dirname(elsewhere));
    fs.copyFileSync(program, elsewhere);
    const before = snapshot(tmp);
    for (const extra of [[], ['--no-check']]) {
      const r = cli('synth', '--app', elsewhere, '--out', project, '--quiet', ...extra);
      expect(r.code).toBe(ExitCode.USAGE);
      expect(r.stderr).toContain('it is the root of a git work tree (it holds .git)');
    }
    expect(snapshot(tmp)).toEqual(before);
  });

  it('writes a new folder inside the project, and again over its own output', () => {
    expect(cli('synth', '--app', program, '--out', 'dist', '--quiet').code).toBe(ExitCode.OK);
    expect(cli('synth', '--app', program, '--out', 'dist', '--quiet').code).toBe(ExitCode.OK);
    expect(fs.readdirSync(path.join(project, 'dist')).sort()).toEqual([OUTPUT_MARKER, 'host', 'member-test']);
  });
});

describe('writeTreeAtomically over generated paths around a project (property)', () => {
  /** Path parts a generated output folder is made of, from the project (the working directory). */
  const PART = fc.constantFrom('.', '..', 'src', 'app', 'sub', 'notes', 'dist', 'empty', 'new', '.git', 'self', 'link-to-project', 'link-to-dist', 'link-to-notes', 'project');
  const TREE = new Map([['host/00-cluster.yaml', 'kind: Namespace\n']]);

  /** A path with its symbolic links resolved, also when its last parts do not exist. */
  function realOf(p: string): string {
    try {
      return fs.realpathSync(p);
    } catch {
      const parent = path.dirname(p);
      return parent === p ? p : path.join(realOf(parent), path.basename(p));
    }
  }

  /** What a folder was before the write: may it be replaced? */
  function replaceable(dir: string): boolean {
    let s: fs.Stats;
    try {
      s = fs.statSync(dir);
    } catch {
      return true; // a new folder
    }
    if (!s.isDirectory()) return false;
    const names = fs.readdirSync(dir);
    return names.length === 0 || names.includes(OUTPUT_MARKER);
  }

  it('a refused folder is never changed, and an accepted one was new, empty or platform-cdk\'s; nothing else changes', () => {
    const seen = { refused: new Set<string>(), accepted: 0 };
    fc.assert(
      fc.property(fc.array(PART, { maxLength: 4 }), fc.boolean(), (parts, absolute) => {
        fs.rmSync(path.join(project, 'dist'), { recursive: true, force: true });
        fs.rmSync(path.join(project, 'empty'), { recursive: true, force: true });
        fs.rmSync(path.join(project, 'new'), { recursive: true, force: true });
        for (const l of ['link-to-dist', 'link-to-notes', 'self', 'link-to-project']) fs.rmSync(path.join(project, l), { recursive: true, force: true });
        writeTreeAtomically(path.join(project, 'dist'), TREE);
        fs.mkdirSync(path.join(project, 'empty'));
        fs.symlinkSync(path.join(project, 'dist'), path.join(project, 'link-to-dist'));
        fs.symlinkSync(path.join(project, 'notes'), path.join(project, 'link-to-notes'));
        fs.symlinkSync(project, path.join(project, 'self'));
        const rel = parts.length === 0 ? '.' : path.join(...parts);
        const outdir = absolute ? path.join(project, rel) : rel;
        const lexical = path.resolve(project, rel);
        // Only paths inside the temporary folder, or its ancestors (refused: they hold the working directory).
        fc.pre(lexical === tmp || lexical.startsWith(`${tmp}${path.sep}`) || tmp.startsWith(`${lexical === '/' ? '' : lexical}${path.sep}`));
        const real = realOf(lexical);
        const wasReplaceable = replaceable(real);
        const before = snapshot(tmp);
        let refused = false;
        let reasonOf = '';
        try {
          writeTreeAtomically(outdir, TREE, [], { program, cwd: project });
        } catch (e) {
          if (!(e instanceof UnsafeOutputFolderError) && !(e instanceof Error && /is not a folder|ENOTDIR/.test(e.message))) throw e;
          refused = true;
          reasonOf = e instanceof UnsafeOutputFolderError ? e.reason : 'not-a-folder';
        }
        const after = snapshot(tmp);
        if (refused) {
          expect(after).toEqual(before);
          seen.refused.add(reasonOf);
          return;
        }
        seen.accepted++;
        // Accepted: it was a new, empty or marked folder, never the project, and is now platform-cdk's.
        expect(wasReplaceable).toBe(true);
        expect(real === project || project.startsWith(`${real}${path.sep}`)).toBe(false);
        expect(fs.readFileSync(path.join(real, OUTPUT_MARKER), 'utf8')).toBe(OUTPUT_MARKER_TEXT);
        // Nothing outside it changed (but the new folders it is in).
        const inner = path.relative(tmp, real);
        const outside = (t: Record<string, string>): Record<string, string> =>
          Object.fromEntries(Object.entries(t).filter(([k, v]) => k !== inner && !k.startsWith(`${inner}${path.sep}`) && !(v === 'folder' && before[k] === undefined && inner.startsWith(`${k}${path.sep}`))));
        expect(outside(after)).toEqual(outside(before));
      }),
      { seed: SEED, numRuns: 150 },
    );
    // The generated paths meet every kind of folder.
    expect([...seen.refused]).toEqual(expect.arrayContaining(['git', 'not-output', 'program', 'working-directory']));
    expect(seen.accepted).toBeGreaterThan(10);
  });
});
