/**
 * The package the way users get it, installed the way docs/getting-started.md says: `npm pack` (which builds it),
 * then the tarball installed into two fresh projects outside the repository — a CommonJS one and an ES-module one
 * (`"type": "module"`) — each a copy of test/package/consumer (the guide's `tsconfig.json` and `cdk8s.yaml`, a small
 * estate) in the system's temporary folder, with the dev tools the guide installs (`typescript@~5.9`,
 * `@types/node`, `cdk8s-cli`). In each, the estate program type-checks against the shipped declarations with the
 * consumer's own tsconfig.json and synthesizes with `cdk8s synth` and with the `platform-cdk` command line.
 *
 * The tools' versions: the test reads the guide's `npm install --save-dev` line, checks that the version this
 * repository tests with satisfies each range the guide gives, and installs that version, so that the install
 * works from the npm cache alone. It installs with npm (`--prefer-offline`: from the npm cache when it holds the
 * packages, else from the registry). Set PLATFORM_CDK_SKIP_PACKAGE_TEST=1 to skip it on a machine without either.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const ROOT = path.resolve(__dirname, '..', '..');
const CONSUMER = path.join(__dirname, 'consumer');
const GUIDE = fs.readFileSync(path.join(ROOT, 'docs', 'getting-started.md'), 'utf8');
const skip = process.env.PLATFORM_CDK_SKIP_PACKAGE_TEST === '1';
if (skip) process.stderr.write('test/package: skipped (PLATFORM_CDK_SKIP_PACKAGE_TEST=1)\n');

/** The environment of the child commands, without the npm_* variables of a surrounding `npm test`. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

function run(cwd: string, command: string, ...args: string[]): string {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${x.message}\n${x.stdout ?? ''}\n${x.stderr ?? ''}`);
  }
}

async function runAsync(cwd: string, command: string, ...args: string[]): Promise<void> {
  try {
    await promisify(execFile)(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${x.message}\n${x.stdout ?? ''}\n${x.stderr ?? ''}`);
  }
}

/** Every file under a folder, relative, sorted, with its content. */
function readTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.set(r, fs.readFileSync(path.join(root, r), 'utf8'));
    }
  };
  walk('');
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The version of a package this repository has installed. */
function installed(name: string): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Whether a version satisfies a range of the forms the guide uses: `~1.2` (same minor), `1` (same major),
 * `1.2` (same minor), `1.2.3` (exactly).
 */
export function satisfies(version: string, range: string): boolean {
  const [major, minor, patch] = version.split('.');
  const m = /^(~)?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range);
  if (!m) return false;
  return m[2] === major && (m[3] === undefined || m[3] === minor) && (m[4] === undefined || m[4] === patch);
}

/** The packages and ranges of a `npm install --save-dev …` line of the guide that names `first`. */
function guideDevInstall(first: string): Map<string, string> {
  const line = GUIDE.split('\n').find((l) => l.startsWith('npm install --save-dev ') && l.includes(` ${first}@`));
  if (!line) throw new Error(`docs/getting-started.md has no "npm install --save-dev ${first}@…" line`);
  const specs = line.replace(/#.*$/, '').trim().split(/\s+/).slice(3);
  return new Map(specs.map((s) => {
    const at = s.lastIndexOf('@');
    return [s.slice(0, at), s.slice(at + 1)] as [string, string];
  }));
}

/** A fenced block of the guide, after the line that opens it. */
function guideBlock(opening: string): string {
  const start = GUIDE.indexOf(`${opening}\n`);
  if (start < 0) throw new Error(`docs/getting-started.md has no block ${opening}`);
  const body = GUIDE.indexOf('\n', start) + 1;
  return GUIDE.slice(body, GUIDE.indexOf('```\n', body));
}

const withoutComments = (yaml: string): string => yaml.split('\n').filter((l) => !l.startsWith('#')).join('\n');

describe('the guide\'s install', () => {
  it('pins the tools as the package test installs them: TypeScript below 7 (Pulumi\'s peer range), cdk8s-cli', () => {
    const tools = guideDevInstall('typescript');
    expect([...tools.keys()]).toEqual(['typescript', '@types/node', 'cdk8s-cli']);
    expect(tools.get('typescript')).toBe('~5.9');
    for (const [name, range] of tools) expect(`${name}@${installed(name)} satisfies ${range}: ${satisfies(installed(name), range)}`).toBe(`${name}@${installed(name)} satisfies ${range}: true`);
    const peer = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@pulumi', 'pulumi', 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies.typescript;
    const below = /<\s*(\d+)/.exec(peer);
    expect(below && Number(tools.get('typescript')?.replace(/^~/, '').split('.')[0]) < Number(below[1])).toBe(true);
    // The Pulumi line names the versions this repository's Pulumi tests run with.
    const pulumi = guideDevInstall('@pulumi/pulumi');
    expect([...pulumi.keys()]).toEqual(['@pulumi/pulumi', '@pulumi/kubernetes']);
    for (const [name, range] of pulumi) expect(`${name}@${range}: ${satisfies(installed(name), range)}`).toBe(`${name}@${range}: true`);
  });

  it('shows the consumer\'s tsconfig.json and cdk8s.yaml the package test uses (the test also checks the libraries\' declarations)', () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(CONSUMER, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(JSON.parse(guideBlock('```json'))).toEqual({ ...fixture, compilerOptions: { ...fixture.compilerOptions, skipLibCheck: true } });
    expect(withoutComments(guideBlock('```yaml\n# cdk8s.yaml'))).toBe(withoutComments(fs.readFileSync(path.join(CONSUMER, 'cdk8s.yaml'), 'utf8')));
    expect(GUIDE).toContain('npx cdk8s synth --no-check-upgrade');
  });
});

/** The two kinds of consumer project: `type` in their package.json. */
const KINDS = [
  { kind: 'CommonJS', type: 'commonjs' },
  { kind: 'ES-module', type: 'module' },
] as const;

(skip ? describe.skip : describe)('platform-cdk as an installed package', () => {
  let tmp: string;
  let packed: string[];
  const consumers = new Map<string, string>();

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-package-'));
    const result = JSON.parse(run(ROOT, 'npm', 'pack', '--json', '--pack-destination', tmp)) as { filename: string; files: { path: string }[] }[];
    const tarball = path.join(tmp, result[0].filename);
    packed = result[0].files.map((f) => f.path).sort();
    // The guide's tools, at the versions this repository tests with (each within the guide's range: see above).
    const devDependencies = Object.fromEntries([...guideDevInstall('typescript').keys()].map((name) => [name, installed(name)]));
    for (const { type } of KINDS) {
      const consumer = path.join(tmp, `consumer-${type}`);
      fs.cpSync(CONSUMER, consumer, { recursive: true });
      fs.writeFileSync(
        path.join(consumer, 'package.json'),
        `${JSON.stringify({ name: `platform-cdk-consumer-${type}`, version: '1.0.0', private: true, type, dependencies: { 'platform-cdk': `file:${tarball}` }, devDependencies }, null, 2)}\n`,
      );
      consumers.set(type, consumer);
    }
    // Both installs at once: most of their time is waiting on the cache and the disk.
    await Promise.all([...consumers.values()].map((c) => runAsync(c, 'npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error')));
  }, 600_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('ships compiled JavaScript, type declarations, the schemas and the docs, and no sources, tests or examples', () => {
    // The schemas (with their licence notices) are read at run time, from build/schemas.
    for (const f of packed) expect(f).toMatch(/^(build\/(?!schemas\/).+\.(js|d\.ts)|build\/schemas\/.+|bin\/platform-cdk\.js|cdk8s-validation\.js|docs\/[^/]+\.md|README\.md|package\.json)$/);
    expect(packed.filter((f) => /^build\/(test|examples|bench)\//.test(f))).toEqual([]);
    expect(packed).toEqual(expect.arrayContaining([
      'build/index.js', 'build/index.d.ts', 'build/pulumi.js', 'build/pulumi.d.ts', 'build/cli/main.js', 'bin/platform-cdk.js',
      'build/schemas/kubernetes/v1.27.0/_definitions.json', 'README.md', 'package.json',
    ]));
    const consumer = consumers.get('commonjs') as string;
    const manifest = JSON.parse(fs.readFileSync(path.join(consumer, 'node_modules', 'platform-cdk', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.types).toBe('build/index.d.ts');
    expect(Object.keys(manifest.exports as object)).toEqual(['.', './pulumi', './package.json']);
    // The guide's TypeScript is what was installed.
    const ts = (JSON.parse(fs.readFileSync(path.join(consumer, 'node_modules', 'typescript', 'package.json'), 'utf8')) as { version: string }).version;
    expect(satisfies(ts, guideDevInstall('typescript').get('typescript') as string)).toBe(true);
  });

  it('resolves its entry points through exports, and nothing else', () => {
    const consumer = consumers.get('commonjs') as string;
    const resolve = (id: string): string => run(consumer, process.execPath, '-e', `try { console.log(require.resolve(${JSON.stringify(id)})) } catch (e) { console.log(e.code) }`).trim();
    expect(resolve('platform-cdk')).toBe(fs.realpathSync(path.join(consumer, 'node_modules', 'platform-cdk', 'build', 'index.js')));
    expect(resolve('platform-cdk/pulumi')).toBe(fs.realpathSync(path.join(consumer, 'node_modules', 'platform-cdk', 'build', 'pulumi.js')));
    expect(resolve('platform-cdk/build/lib/write')).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  describe.each(KINDS)('in a $kind project', ({ type }) => {
    const consumer = (): string => consumers.get(type) as string;

    it('type-checks the consumer\'s program against the shipped declarations, with the consumer\'s tsconfig.json', () => {
      run(consumer(), path.join(consumer(), 'node_modules', '.bin', 'tsc'), '-p', '.');
    });

    it('synthesizes with cdk8s synth and with the platform-cdk command line, to the same files', () => {
      const synth = run(consumer(), path.join(consumer(), 'node_modules', '.bin', 'cdk8s'), 'synth', '--no-check-upgrade');
      expect(synth).toContain('dist/host/00-cluster.yaml');
      const dist = readTree(path.join(consumer(), 'dist'));
      expect([...dist.keys()].filter((f) => !f.startsWith('_') && !f.startsWith('.'))).toEqual(['host/00-cluster.yaml', 'host/10-app.yaml', 'member-1/00-cluster.yaml', 'member-1/10-app.yaml']);
      expect(dist.get('host/00-cluster.yaml')).toContain('kind: WorkspaceTemplate');
      expect(dist.get('member-1/10-app.yaml')).toContain('host: api.test.example.com');

      const cli = run(consumer(), path.join(consumer(), 'node_modules', '.bin', 'platform-cdk'), 'synth', '--out', 'out', '--quiet');
      expect(cli).toContain('platform-cdk: 23 objects for 2 clusters written to out/');
      expect(readTree(path.join(consumer(), 'out'))).toEqual(dist);
    });

    it('runs the program itself with tsx (synthesizeApp(build) knows it is the program run)', () => {
      fs.rmSync(path.join(consumer(), 'dist'), { recursive: true, force: true });
      const out = run(consumer(), path.join(consumer(), 'node_modules', '.bin', 'tsx'), 'main.ts');
      expect(out).toContain('platform-cdk: 23 objects for 2 clusters written to dist/');
      expect(fs.existsSync(path.join(consumer(), 'dist', 'host', '00-cluster.yaml'))).toBe(true);
    });

    it('checks the output against the shipped schemas with platform-cdk validate', () => {
      const r = JSON.parse(run(consumer(), path.join(consumer(), 'node_modules', '.bin', 'platform-cdk'), 'validate', '--format', 'json')) as { ok: boolean; objects: number; errors: number };
      expect(r).toMatchObject({ ok: true, objects: 23, errors: 0 });
    });
  });
});
