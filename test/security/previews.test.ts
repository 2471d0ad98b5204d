/**
 * Previews driven from CI cannot hurt one another or the estate (issue 18, defect 9): branches whose names give one
 * preview name (`feature/login`, `Feature_Login`) never overwrite or delete each other's preview, and `platform-cdk
 * preview create` refuses every value that would make a later synthesis of the estate fail, writing nothing.
 * Regression tests of the reported cases, then properties over random branch pairs and random values.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExitCode } from '../../cli/main';
import { previewSlug } from '../../constructs/preview-name';
import { loadApp } from '../../cli/app';
import { validatePlatform } from '../../lib/validate';
import { cli, Run } from '../cli/run';

const ROOT = path.resolve(__dirname, '..', '..');
const TODAY = '2026-11-22';
const SEED = 20261218;
const SAVED_NOW = process.env.PLATFORM_CDK_NOW;
let tmp: string;
let n = 0;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-previews-'));
});
beforeEach(() => {
  process.env.PLATFORM_CDK_NOW = TODAY;
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (SAVED_NOW === undefined) delete process.env.PLATFORM_CDK_NOW;
  else process.env.PLATFORM_CDK_NOW = SAVED_NOW;
});

/**
 * An estate program in a folder of its own, reading `previews/` beside it: host + member-test, environments test
 * and production, tenant shop (department developers) with services api and web in project storefront, and, when
 * asked, a preview of branch `feature/login` declared in code.
 */
function program(options: { codePreview?: boolean; previewsDir?: string } = {}): { app: string; dir: string } {
  const folder = path.join(tmp, `estate-${++n}`);
  fs.mkdirSync(folder);
  const app = path.join(folder, 'main.ts');
  fs.writeFileSync(
    app,
    `import * as path from 'path';
import { ClusterRole, Platform, Registry, User } from ${JSON.stringify(path.join(ROOT, 'index'))};

export function build(): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST, ingressClassName: 'nginx' });
  const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER, ingressClassName: 'nginx' });
  platform.addEnvironment('test', { clusters: [member], domain: 'test.example.com' });
  platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true });
  const shop = platform.addTenant('shop', { manager: 'alice' });
  shop.addDepartment('developers', { members: ['bob'] });
  const storefront = shop.addProject('storefront', { environments: ['test', 'production'] });
  const registry = Registry.at('harbor.example.com');
  for (const name of ['api', 'web']) storefront.addService(name, { image: registry.image('shop/' + name, '1.0.0'), ports: [{ port: 8080 }] });
  ${options.codePreview ? "platform.addPreview('feature/login', { baseline: 'test', owner: User.named('bob'), expires: '2026-12-15', services: { api: { tag: 'sha-1' } } });" : ''}
  platform.loadPreviews(path.join(__dirname, ${JSON.stringify(options.previewsDir ?? 'previews')}));
  return platform;
}
`,
  );
  return { app, dir: path.join(folder, 'previews') };
}

/** `preview create` of a branch with valid values, unless overridden. */
function create(app: string, dir: string, branch: string, over: Record<string, string> = {}): Run {
  const o = { images: 'api=sha-1', owner: 'user:bob', expires: '2026-12-31', baseline: 'test', ...over };
  return cli('preview', 'create', '--branch', branch, '--images', o.images, '--owner', o.owner, '--expires', o.expires, '--baseline', o.baseline, '--dir', dir, '--app', app);
}

/** Every file of the previews folder with its text. */
function files(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('branches whose previews have one name', () => {
  it('refuse a create over another branch\'s preview, naming both branches and the fix, and keep its file', () => {
    const { app, dir } = program();
    expect(create(app, dir, 'feature/login').code).toBe(ExitCode.OK);
    const before = files(dir);

    const r = create(app, dir, 'Feature_Login', { images: 'web=sha-2' });

    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--branch: got "Feature_Login"');
    expect(r.stderr).toContain('holds the preview of branch "feature/login"');
    expect(r.stderr).toContain('both branches name the preview pv-feature-login');
    expect(r.stderr).toContain('Fix: rename the branch');
    expect(files(dir)).toEqual(before);
  });

  it('refuse a delete of another branch\'s preview, naming both branches, and keep its file', () => {
    const { app, dir } = program();
    expect(create(app, dir, 'feature/login').code).toBe(ExitCode.OK);
    const before = files(dir);

    const r = cli('preview', 'delete', '--branch', 'FEATURE--login', '--dir', dir);

    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stderr).toContain('--branch: got "FEATURE--login"');
    expect(r.stderr).toContain('holds the preview of branch "feature/login"');
    expect(r.stderr).toContain('Fix: ');
    expect(files(dir)).toEqual(before);
  });

  it('still update and delete the preview of the same branch', () => {
    const { app, dir } = program();
    expect(create(app, dir, 'feature/login').code).toBe(ExitCode.OK);

    expect(create(app, dir, 'feature/login', { images: 'web=sha-9' }).code).toBe(ExitCode.OK);
    expect(JSON.parse(files(dir)['feature-login.json'])).toMatchObject({ branch: 'feature/login', services: { web: { tag: 'sha-9' } } });
    expect(cli('preview', 'delete', '--branch', 'feature/login', '--dir', dir).code).toBe(ExitCode.OK);
    expect(files(dir)).toEqual({});
  });

  it('record the original branch in the preview\'s file', () => {
    const { app, dir } = program();

    expect(create(app, dir, 'Feature/Pay_Now').code).toBe(ExitCode.OK);

    expect(JSON.parse(files(dir)['feature-pay-now.json']).branch).toBe('Feature/Pay_Now');
  });

  it('refuse a create whose name a file that names no branch holds, and a delete of it', () => {
    const { app, dir } = program();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'feature-login.json'), '{ "owner": "user:bob" }');

    const c = create(app, dir, 'feature/login');
    const d = cli('preview', 'delete', '--branch', 'feature/login', '--dir', dir);

    expect([c.code, d.code]).toEqual([ExitCode.FINDINGS, ExitCode.FINDINGS]);
    expect(c.stderr).toContain('it names no branch');
    expect(d.stderr).toContain('it names no branch');
    expect(files(dir)).toEqual({ 'feature-login.json': '{ "owner": "user:bob" }' });
  });

  it('refuse a file preview whose name a preview in code holds, naming both branches', () => {
    const { app, dir } = program({ codePreview: true });

    const r = create(app, dir, 'Feature_Login');

    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stderr).toContain('the branches "feature/login" and "Feature_Login" both name the preview pv-feature-login');
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('preview create validates every value as synthesis would', () => {
  it('refuses the tag $(id) and a bad owner before anything is built, and writes nothing', () => {
    const { app, dir } = program();

    const r = create(app, dir, 'feature/x', { images: 'api=$(id)', owner: 'user:bob smith' });

    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stderr).toContain('--images: got "api=$(id)"; not an image tag');
    expect(r.stderr).toContain('--owner: got "user:bob smith"');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses what only the estate knows: an unknown department, service or baseline, a production baseline', () => {
    const { app, dir } = program();
    const cases: [Record<string, string>, string][] = [
      [{ owner: 'ops' }, 'no department of tenant shop has this name'],
      [{ images: 'nope=sha-1' }, 'no service of the platform has this name'],
      [{ baseline: 'staging' }, 'no baseline environment of the platform has this name'],
      [{ baseline: 'production' }, 'a preview of a production environment'],
    ];
    for (const [over, message] of cases) {
      const r = create(app, dir, 'feature/x', over);
      expect({ over, code: r.code }).toEqual({ over, code: ExitCode.FINDINGS });
      expect(r.stderr).toContain('the estate would not synthesize with this preview: [acme/Environments/pv-feature-x]');
      expect(r.stderr).toContain(message);
    }
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses a branch name Git would refuse, and one too long for an annotation', () => {
    const { app, dir } = program();

    for (const branch of ['feature/a..b', 'feature/x\n', `feature/${'a'.repeat(300_000)}`, 'feature/x.lock']) {
      const r = create(app, dir, branch);
      expect(r.code).toBe(ExitCode.FINDINGS);
      expect(r.stderr).toContain('--branch: got ');
    }
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses when the estate program does not read the folder, since the preview would never be deployed', () => {
    const { app } = program({ previewsDir: 'elsewhere' });
    const dir = path.join(tmp, `previews-${++n}`);

    const r = create(app, dir, 'feature/x');

    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stderr).toContain('does not load previews from this folder');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('exits 2, writing nothing, when there is no estate program to build', () => {
    const { dir } = program();

    const r = create(path.join(tmp, 'missing.ts'), dir, 'feature/x');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('does not exist');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('leaves no temporary file behind', () => {
    const { app, dir } = program();

    expect(create(app, dir, 'feature/x').code).toBe(ExitCode.OK);

    expect(Object.keys(files(dir))).toEqual(['feature-x.json']);
  });
});

/** A branch name: parts of letters and digits joined by "/", "-" or "_". */
const branch = fc
  .array(fc.stringMatching(/^[a-zA-Z0-9]{1,6}$/), { minLength: 1, maxLength: 3 })
  .chain((parts) => fc.array(fc.constantFrom('/', '-', '_'), { minLength: parts.length - 1, maxLength: parts.length - 1 }).map((seps) => parts.map((p, i) => `${i > 0 ? seps[i - 1] : ''}${p}`).join('')));

/** Another spelling of a branch with the same preview name: other case, other separators. */
const respelled = (b: string): fc.Arbitrary<string> =>
  fc.tuple(fc.array(fc.boolean(), { minLength: b.length, maxLength: b.length }), fc.constantFrom('/', '-', '_', '--', '.')).map(([upper, sep]) =>
    b
      .split('')
      .map((c, i) => (/[/_-]/.test(c) ? sep : upper[i] ? c.toUpperCase() : c.toLowerCase()))
      .join(''),
  );

describe('random branch pairs with one preview name', () => {
  it('never overwrite or delete each other\'s preview', () => {
    const { app, dir } = program();
    fc.assert(
      fc.property(
        branch.chain((a) => fc.tuple(fc.constant(a), respelled(a))).filter(([a, b]) => a !== b && previewSlug(a) === previewSlug(b)),
        ([a, b]) => {
          fs.rmSync(dir, { recursive: true, force: true });
          expect(create(app, dir, a).code).toBe(ExitCode.OK);
          const before = files(dir);
          const c = create(app, dir, b, { images: 'web=sha-2' });
          const d = cli('preview', 'delete', '--branch', b, '--dir', dir);
          expect([c.code, d.code]).toEqual([ExitCode.FINDINGS, ExitCode.FINDINGS]);
          expect(c.stderr).toContain(JSON.stringify(a));
          expect(c.stderr).toContain(JSON.stringify(b));
          expect(files(dir)).toEqual(before);
        },
      ),
      { seed: SEED, numRuns: 12 },
    );
  });
});

/** Random text: control characters, "..", quotes, shell, unicode, long runs. */
const hostile = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('$(id)', '`id`', '../../etc/passwd', 'a\nb', 'user:', 'user:bob\u0000', 'user:Bob.Smith', 'dev ops', 'ünïcode', 'latest', 'sha-1', 'x'.repeat(300), 'feature/ok', 'developers', 'user:carol', '-rf', '.hidden', 'a..b'),
);

describe('random values given to preview create', () => {
  it('are refused with the option named and nothing written, or accepted and the estate builds without a model error', () => {
    const { app, dir } = program();
    fc.assert(
      fc.property(fc.constantFrom('branch', 'owner', 'images', 'expires', 'baseline'), hostile, (field, value) => {
        fs.rmSync(dir, { recursive: true, force: true });
        const over: Record<string, string> = field === 'images' ? { images: `api=${value}` } : field === 'branch' ? {} : { [field]: value };
        const r = create(app, dir, field === 'branch' ? value : 'feature/p', over);
        if (r.code !== ExitCode.OK) {
          expect(r.code).toBe(ExitCode.FINDINGS);
          expect(r.stderr).toMatch(new RegExp(`--${field === 'images' ? 'images' : field}: got |the estate would not synthesize with this preview: \\[acme/Environments/pv-`));
          expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
          return;
        }
        const errors = validatePlatform(loadApp(app).platform).filter((p) => p.severity === 'error');
        expect(errors).toEqual([]);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});
