/**
 * The package the way users get it: `npm pack` (which builds it), the tarball installed into a fresh project
 * outside the repository (test/package/consumer, copied to the system's temporary folder), where the estate
 * program type-checks against the shipped declarations with the consumer's own tsconfig.json and synthesizes
 * with `cdk8s synth` and with the `platform-cdk` command line.
 *
 * It installs the consumer's dependencies with npm (`--prefer-offline`: from the npm cache when it holds
 * them, else from the registry). Set PLATFORM_CDK_SKIP_PACKAGE_TEST=1 to skip it on a machine without either.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const CONSUMER = path.join(__dirname, 'consumer');
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

(skip ? describe.skip : describe)('platform-cdk as an installed package', () => {
  let tmp: string;
  let tarball: string;
  let packed: string[];
  let consumer: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-package-'));
    const result = JSON.parse(run(ROOT, 'npm', 'pack', '--json', '--pack-destination', tmp)) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(tmp, result[0].filename);
    packed = result[0].files.map((f) => f.path).sort();
    consumer = path.join(tmp, 'consumer');
    fs.cpSync(CONSUMER, consumer, { recursive: true });
    const version = (name: string): string => (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    fs.writeFileSync(
      path.join(consumer, 'package.json'),
      `${JSON.stringify({
        name: 'platform-cdk-consumer',
        version: '1.0.0',
        private: true,
        dependencies: { 'platform-cdk': `file:${tarball}` },
        devDependencies: { typescript: version('typescript'), '@types/node': version('@types/node'), 'cdk8s-cli': version('cdk8s-cli') },
      }, null, 2)}\n`,
    );
    run(consumer, 'npm', 'install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error');
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
    const manifest = JSON.parse(fs.readFileSync(path.join(consumer, 'node_modules', 'platform-cdk', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.types).toBe('build/index.d.ts');
    expect(Object.keys(manifest.exports as object)).toEqual(['.', './pulumi', './package.json']);
  });

  it('resolves its entry points through exports, and nothing else', () => {
    const resolve = (id: string): string => run(consumer, process.execPath, '-e', `try { console.log(require.resolve(${JSON.stringify(id)})) } catch (e) { console.log(e.code) }`).trim();
    expect(resolve('platform-cdk')).toBe(fs.realpathSync(path.join(consumer, 'node_modules', 'platform-cdk', 'build', 'index.js')));
    expect(resolve('platform-cdk/pulumi')).toBe(fs.realpathSync(path.join(consumer, 'node_modules', 'platform-cdk', 'build', 'pulumi.js')));
    expect(resolve('platform-cdk/build/lib/write')).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('type-checks the consumer\'s program against the shipped declarations, with the consumer\'s tsconfig.json', () => {
    run(consumer, path.join(consumer, 'node_modules', '.bin', 'tsc'), '-p', '.');
  });

  it('synthesizes with cdk8s synth and with the platform-cdk command line, to the same files', () => {
    const synth = run(consumer, path.join(consumer, 'node_modules', '.bin', 'cdk8s'), 'synth', '--no-check-upgrade');
    expect(synth).toContain('dist/host/00-cluster.yaml');
    const dist = readTree(path.join(consumer, 'dist'));
    expect([...dist.keys()].filter((f) => !f.startsWith('_'))).toEqual(['host/00-cluster.yaml', 'host/10-app.yaml', 'member-1/00-cluster.yaml', 'member-1/10-app.yaml']);
    expect(dist.get('host/00-cluster.yaml')).toContain('kind: WorkspaceTemplate');
    expect(dist.get('member-1/10-app.yaml')).toContain('host: api.test.example.com');

    const cli = run(consumer, path.join(consumer, 'node_modules', '.bin', 'platform-cdk'), 'synth', '--out', 'out', '--quiet');
    expect(cli).toContain('platform-cdk: 23 objects for 2 clusters written to out/');
    expect(readTree(path.join(consumer, 'out'))).toEqual(dist);
  });

  it('checks the output against the shipped schemas with platform-cdk validate', () => {
    const r = JSON.parse(run(consumer, path.join(consumer, 'node_modules', '.bin', 'platform-cdk'), 'validate', '--format', 'json')) as { ok: boolean; objects: number; errors: number };
    expect(r).toMatchObject({ ok: true, objects: 23, errors: 0 });
  });
});
