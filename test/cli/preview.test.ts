/**
 * Previews driven from outside the code: `platform-cdk preview list|create|delete` (run in-process through
 * `main(argv, io)` against a program in a temporary folder), `--now` pinning the date, the previews folder that
 * `create` writes and the program's `loadPreviews` reads, and a CI job's `PREVIEW_*` variables read by
 * `addPreviewFromEnvironment`, whose bad input is reported naming the variables.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExitCode } from '../../cli/main';
import { cli } from './run';
import { User } from 'platform-cdk';
import { addService, fixture, Fixture, lineFor, synthValid, validationErrors } from '../fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const TODAY = '2026-11-22';
const SAVED_NOW = process.env.PLATFORM_CDK_NOW;
beforeEach(() => {
  process.env.PLATFORM_CDK_NOW = TODAY;
});
afterAll(() => {
  if (SAVED_NOW === undefined) delete process.env.PLATFORM_CDK_NOW;
  else process.env.PLATFORM_CDK_NOW = SAVED_NOW;
});


/** `preview list --format json` of a program, parsed. */
function list(app: string, ...args: string[]): { today: string; previews: Record<string, unknown>[] } {
  const r = cli('preview', 'list', '--app', app, '--format', 'json', ...args);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: ExitCode.OK, stderr: '' });
  return JSON.parse(r.stdout) as { today: string; previews: Record<string, unknown>[] };
}

let tmp: string;
let n = 0;

/**
 * Writes an estate program into a folder of its own: the fixture's shape (host + member-test, test and production,
 * tenant shop with department developers, project storefront with api and web), a preview of api owned by bob until
 * 2026-12-15 and an expired one of web; then the previews of its `previews/` folder and of the process's `PREVIEW_*`
 * variables. Returns the program and its previews folder.
 */
function program(): { app: string; dir: string } {
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
  const developers = shop.addDepartment('developers', { members: ['bob'] });
  const storefront = shop.addProject('storefront', { environments: ['test', 'production'] });
  const registry = Registry.at('harbor.example.com');
  for (const name of ['api', 'web']) storefront.addService(name, { image: registry.image('shop/' + name, '1.0.0'), ports: [{ port: 8080 }] });
  platform.addPreview('feature/login', { baseline: 'test', owner: User.named('bob'), expires: '2026-12-15', services: { api: { tag: 'sha-1' } } });
  platform.addPreview('feature/old', { baseline: 'test', owner: developers, expires: '2026-11-01', services: { web: {} } });
  platform.loadPreviews(path.join(__dirname, 'previews'));
  platform.addPreviewFromEnvironment({ baseline: 'test' });
  return platform;
}
`,
  );
  return { app, dir: path.join(folder, 'previews') };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-preview-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('platform-cdk preview list', () => {
  it('lists every preview with its owner, expiry and state against --now, as JSON', () => {
    const { app } = program();

    const json = list(app, '--now', TODAY);

    expect(json).toEqual({
      today: TODAY,
      previews: [
        { name: 'pv-feature-login', branch: 'feature/login', owner: 'bob', expires: '2026-12-15', state: 'active', baseline: 'test', cluster: 'member-test', namespaces: ['storefront-pv-feature-login'], services: ['shop/storefront/api'], source: 'code' },
        { name: 'pv-feature-old', branch: 'feature/old', owner: 'shop-developers', expires: '2026-11-01', state: 'expired', baseline: 'test', cluster: 'member-test', namespaces: ['storefront-pv-feature-old'], services: ['shop/storefront/web'], source: 'code' },
      ],
    });
  });

  it('pins the date with --now for that run only: earlier both are active, later both have expired', () => {
    const { app } = program();

    expect(list(app, '--now', '2026-10-01').previews.map((p) => p.state)).toEqual(['active', 'active']);
    expect(list(app, '--now', '2026-12-16').previews.map((p) => p.state)).toEqual(['expired', 'expired']);
    expect(list(app, '--now', '2026-12-15').previews.map((p) => p.state)).toEqual(['active', 'expired']);
    expect(process.env.PLATFORM_CDK_NOW).toBe(TODAY);
  });

  it('takes the date from PLATFORM_CDK_NOW without --now', () => {
    const { app } = program();
    process.env.PLATFORM_CDK_NOW = '2026-10-01';

    expect(list(app)).toMatchObject({ today: '2026-10-01', previews: [{ state: 'active' }, { state: 'active' }] });
  });

  it('says each preview\'s owner, expiry and state in text', () => {
    const { app } = program();

    const r = cli('preview', 'list', '--app', app, '--now', TODAY);

    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toBe(
      `previews of acme on ${TODAY}:\n` +
        '  pv-feature-login  branch feature/login  owner bob  expires 2026-12-15 (active)  on member-test: storefront-pv-feature-login  services shop/storefront/api\n' +
        '  pv-feature-old  branch feature/old  owner shop-developers  expires 2026-11-01 (expired)  on member-test: storefront-pv-feature-old  services shop/storefront/web\n',
    );
  });

  it('exits 2 on a --now that is not a day of the calendar', () => {
    const { app } = program();

    for (const now of ['2026-02-30', 'tomorrow', '2026-1-5']) {
      const r = cli('preview', 'list', '--app', app, '--now', now);
      expect(r.code).toBe(ExitCode.USAGE);
      expect(r.stderr).toContain(`error: --now: got ${JSON.stringify(now)}; a date is YYYY-MM-DD. Fix: `);
    }
    expect(process.env.PLATFORM_CDK_NOW).toBe(TODAY);
  });
});

describe('platform-cdk preview create and delete', () => {
  it('writes previews/<slug>.json, which the program\'s loadPreviews picks up, and delete removes it', () => {
    const { app, dir } = program();

    const created = cli('preview', 'create', '--branch', 'feature/Pay-Now', '--images', 'web=sha-77,api=sha-78', '--owner', 'user:carol', '--expires', '2026-12-31', '--baseline', 'test', '--dir', dir, '--app', app);

    expect(created).toEqual({ code: ExitCode.OK, stdout: `platform-cdk: preview pv-feature-pay-now of branch feature/Pay-Now written to ${path.join(dir, 'feature-pay-now.json')}\n`, stderr: '' });
    expect(fs.readdirSync(dir)).toEqual(['feature-pay-now.json']);
    expect(fs.readFileSync(path.join(dir, 'feature-pay-now.json'), 'utf8')).toBe(
      `${JSON.stringify({ branch: 'feature/Pay-Now', baseline: 'test', owner: 'user:carol', expires: '2026-12-31', dependencies: 'baseline', services: { api: { tag: 'sha-78' }, web: { tag: 'sha-77' } } }, null, 2)}\n`,
    );
    expect(list(app, '--now', TODAY).previews[2]).toEqual({
      name: 'pv-feature-pay-now',
      branch: 'feature/Pay-Now',
      owner: 'carol',
      expires: '2026-12-31',
      state: 'active',
      baseline: 'test',
      cluster: 'member-test',
      namespaces: ['storefront-pv-feature-pay-now'],
      services: ['shop/storefront/api', 'shop/storefront/web'],
      source: 'file',
    });

    const deleted = cli('preview', 'delete', '--branch', 'feature/Pay-Now', '--dir', dir);

    expect(deleted).toEqual({ code: ExitCode.OK, stdout: `platform-cdk: preview of branch feature/Pay-Now removed (${path.join(dir, 'feature-pay-now.json')})\n`, stderr: '' });
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(list(app, '--now', TODAY).previews.map((p) => p.name)).toEqual(['pv-feature-login', 'pv-feature-old']);
  });

  it('says so when there is no preview of the branch to delete, and exits 0', () => {
    const { dir } = program();

    const r = cli('preview', 'delete', '--branch', 'feature/gone', '--dir', dir);

    expect(r).toEqual({ code: ExitCode.OK, stdout: `platform-cdk: no preview of branch feature/gone to remove (${path.join(dir, 'feature-gone.json')} does not exist)\n`, stderr: '' });
  });

  it('writes a clone preview, replacing an earlier file of the branch', () => {
    const { app, dir } = program();
    const args = ['--branch', 'feature/pay', '--owner', 'developers', '--expires', '2026-12-31', '--baseline', 'test', '--dir', dir, '--app', app];
    expect(cli('preview', 'create', '--images', 'web=sha-1', ...args).code).toBe(ExitCode.OK);

    expect(cli('preview', 'create', '--images', 'api=sha-2', '--dependencies', 'clone', ...args).code).toBe(ExitCode.OK);

    expect(JSON.parse(fs.readFileSync(path.join(dir, 'feature-pay.json'), 'utf8'))).toMatchObject({ owner: 'developers', dependencies: 'clone', services: { api: { tag: 'sha-2' } } });
    expect(list(app, '--now', TODAY).previews[2]).toMatchObject({ name: 'pv-feature-pay', owner: 'shop-developers', services: ['shop/storefront/api'], source: 'file' });
  });

  it('refuses bad input, each problem with the option, and writes nothing', () => {
    const { dir } = program();

    const r = cli('preview', 'create', '--branch', '///', '--images', 'api,=x', '--owner', 'bob', '--expires', '2026-02-30', '--baseline', 'test', '--dir', dir);

    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'platform-cdk preview create: --images: got "api"; each entry is <service>=<image tag>. Fix: write e.g. PREVIEW_IMAGES=rider-bff=sha-4f2a91c,pricing=sha-91be02d.',
      'platform-cdk preview create: --images: got "=x"; each entry is <service>=<image tag>. Fix: write e.g. PREVIEW_IMAGES=rider-bff=sha-4f2a91c,pricing=sha-91be02d.',
      'platform-cdk preview create: --expires: got "2026-02-30"; a date is YYYY-MM-DD. Fix: give the preview\'s last day.',
      'platform-cdk preview create: --branch: got "///"; the branch has no letter or digit. Fix: name the branch like feature/login.',
    ]);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses an expiry in the past, which would be left out at once', () => {
    const { dir } = program();

    const r = cli('preview', 'create', '--branch', 'feature/late', '--images', 'api=sha-1', '--owner', 'user:bob', '--expires', '2026-11-21', '--baseline', 'test', '--dir', dir);

    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stderr).toBe(`platform-cdk preview create: --expires: got "2026-11-21"; the expiry is before today (${TODAY}), and the preview would be left out at once. Fix: give a later date.\n`);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('exits 2 when a required option is missing or a choice is not one', () => {
    const { dir } = program();

    expect(cli('preview', 'create', '--branch', 'feature/x', '--dir', dir).code).toBe(ExitCode.USAGE);
    expect(cli('preview', 'create', '--branch', 'feature/x', '--images', 'api=sha-1', '--owner', 'user:bob', '--expires', '2026-12-31', '--baseline', 'test', '--dependencies', 'copy', '--dir', dir).code).toBe(ExitCode.USAGE);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('synthesizes a created preview with synth --env pv-<slug>: only its namespace on the baseline\'s cluster', () => {
    const { app, dir } = program();
    expect(cli('preview', 'create', '--branch', 'feature/pay', '--images', 'web=sha-7', '--owner', 'user:carol', '--expires', '2026-12-31', '--baseline', 'test', '--dir', dir, '--app', app).code).toBe(ExitCode.OK);
    const out = path.join(tmp, `dist-${++n}`);

    const r = cli('synth', '--app', app, '--now', TODAY, '--env', 'pv-feature-pay', '--out', out, '--format', 'json');

    expect(r.code).toBe(ExitCode.OK);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, clusters: [{ cluster: 'member-test', files: ['member-test/00-cluster.yaml', 'member-test/10-storefront-pv-feature-pay.yaml'] }] });
    const yaml = fs.readFileSync(path.join(out, 'member-test', '10-storefront-pv-feature-pay.yaml'), 'utf8');
    expect(yaml).toContain('image: harbor.example.com/shop/web:sha-7');
    expect(yaml).toContain('platform-cdk.io/preview-owner: carol');
    expect(fs.readFileSync(path.join(out, 'member-test', '00-cluster.yaml'), 'utf8')).toContain('name: storefront-pv-feature-pay\n');
  });
});

describe('the previews folder', () => {
  it('reports a broken file naming the file and its field, once each', () => {
    const f = fixture();
    addService(f, 'api');
    const dir = path.join(tmp, `previews-${++n}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.json'), '{ "branch": "feature/a", "baseline": "test", "owner": "user:bob", "services": { "nope": { "tag": "sha-1" } } }');
    fs.writeFileSync(path.join(dir, 'b.json'), '{ not json');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a preview');

    const loaded = f.platform.loadPreviews(dir);

    expect(loaded.map((p) => [p.name, p.source.kind])).toEqual([['pv-feature-a', 'file'], ['pv-b', 'file']]);
    const lines = validationErrors(f.platform);
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    expect(lineFor(lines, 'acme/Environments/pv-feature-a', `${a}: expires`)).toContain('got nothing; the file gives no expires');
    expect(lineFor(lines, 'acme/Environments/pv-feature-a', `${a}: services["nope"]`)).toContain('got "nope"; no service of the platform has this name');
    expect(lineFor(lines, 'acme/Environments/pv-b', b)).toContain('not JSON');
    expect(lines.filter((l) => l.startsWith('[acme/Environments/pv-feature-a]'))).toHaveLength(2);
  });

  it('adds nothing when the folder does not exist', () => {
    const f = fixture();

    expect(f.platform.loadPreviews(path.join(tmp, 'no-such-folder'))).toEqual([]);
    expect(f.platform.previews).toEqual([]);
  });
});

describe('a CI job\'s PREVIEW_* variables', () => {
  /** The fixture with services api and web and a department developers. */
  function estate(): Fixture {
    const f = fixture();
    f.tenant.addDepartment('developers', { members: ['bob'] });
    addService(f, 'api');
    addService(f, 'web');
    return f;
  }

  it('add the preview they describe, synthesized on the baseline\'s cluster', () => {
    const f = estate();

    const p = f.platform.addPreviewFromEnvironment({ baseline: 'test', env: { PREVIEW_BRANCH: 'feature/login', PREVIEW_IMAGES: 'api=sha-123', PREVIEW_OWNER: 'user:alice', PREVIEW_EXPIRES: '2026-12-20' } });

    expect(p).toBeDefined();
    expect(p!.source).toEqual({ kind: 'environment', problems: [] });
    expect([p!.name, p!.branch, p!.ownerName, p!.expires, p!.baseline?.name]).toEqual(['pv-feature-login', 'feature/login', 'alice', '2026-12-20', 'test']);
    const objects = synthValid(f.platform);
    expect((objects.get('member-test/Deployment/storefront-pv-feature-login/api') as any).spec.template.spec.containers[0].image).toBe('harbor.example.com/shop/api:sha-123');
    expect([...objects.keys()].filter((k) => k.includes('-pv-')).every((k) => k.startsWith('member-test/'))).toBe(true);
  });

  it('take the owner as a department, the baseline and the dependencies from the variables over the program\'s defaults', () => {
    const f = estate();

    const p = f.platform.addPreviewFromEnvironment({
      baseline: 'production',
      owner: User.named('nobody'),
      env: { PREVIEW_BRANCH: 'feature/x', PREVIEW_IMAGES: 'api=sha-1, web=sha-2', PREVIEW_OWNER: 'developers', PREVIEW_EXPIRES: '2026-12-20', PREVIEW_BASELINE: 'test', PREVIEW_DEPENDENCIES: 'clone' },
    })!;

    expect([p.baseline?.name, p.ownerName, p.dependencies]).toEqual(['test', 'shop-developers', 'clone']);
    expect(p.services.map((s) => s.name)).toEqual(['api', 'web']);
    synthValid(f.platform);
  });

  it('add nothing without PREVIEW_BRANCH', () => {
    const f = estate();

    expect(f.platform.addPreviewFromEnvironment({ baseline: 'test', env: { PREVIEW_IMAGES: 'api=sha-1' } })).toBeUndefined();
    expect(f.platform.addPreviewFromEnvironment({ baseline: 'test', env: { PREVIEW_BRANCH: '  ' } })).toBeUndefined();
    expect(f.platform.previews).toEqual([]);
  });

  it('report what is missing or malformed naming the variables, once each', () => {
    const f = estate();
    f.platform.addPreviewFromEnvironment({ env: { PREVIEW_BRANCH: 'feature/x', PREVIEW_IMAGES: 'api,=sha-1' } });

    const lines = validationErrors(f.platform).filter((l) => l.startsWith('[acme/Environments/pv-feature-x]'));

    expect(lines.sort()).toEqual(
      [
        '[acme/Environments/pv-feature-x] PREVIEW_IMAGES: got "api"; each entry is <service>=<image tag>. Fix: write e.g. PREVIEW_IMAGES=rider-bff=sha-4f2a91c,pricing=sha-91be02d.',
        '[acme/Environments/pv-feature-x] PREVIEW_IMAGES: got "=sha-1"; each entry is <service>=<image tag>. Fix: write e.g. PREVIEW_IMAGES=rider-bff=sha-4f2a91c,pricing=sha-91be02d.',
        '[acme/Environments/pv-feature-x] PREVIEW_EXPIRES: got nothing; a preview needs its expiry, given explicitly. Fix: set PREVIEW_EXPIRES=YYYY-MM-DD, e.g. two weeks ahead.',
        '[acme/Environments/pv-feature-x] PREVIEW_BASELINE: got nothing; the preview needs its baseline environment. Fix: set PREVIEW_BASELINE=development, or give the baseline in the program.',
        "[acme/Environments/pv-feature-x] PREVIEW_OWNER: got nothing; the preview needs an owner. Fix: set PREVIEW_OWNER=<department> or PREVIEW_OWNER=user:<name> (e.g. the merge request's author).",
      ].sort(),
    );
  });

  it('report bad values naming the variables: unknown service, bad tag, past expiry, production baseline, unknown department, unknown mode', () => {
    const f = estate();
    f.platform.addPreviewFromEnvironment({
      env: { PREVIEW_BRANCH: 'Feature/Y', PREVIEW_IMAGES: 'nope=sha-1,api=latest', PREVIEW_OWNER: 'ghosts', PREVIEW_EXPIRES: '2026-11-21', PREVIEW_BASELINE: 'production', PREVIEW_DEPENDENCIES: 'copy' },
    });

    const lines = validationErrors(f.platform);
    const path_ = 'acme/Environments/pv-feature-y';

    expect(lineFor(lines, path_, 'PREVIEW_IMAGES["nope"]')).toContain('got "nope"; no service of the platform has this name');
    expect(lineFor(lines, path_, 'PREVIEW_IMAGES["api"].tag')).toContain('got "latest"; not an image tag');
    expect(lineFor(lines, path_, 'PREVIEW_EXPIRES')).toBe(`[${path_}] PREVIEW_EXPIRES: got "2026-11-21"; the expiry is before today (${TODAY}). Fix: give a later date.`);
    expect(lineFor(lines, path_, 'PREVIEW_BASELINE')).toContain('got "production"; a preview of a production environment would run unreleased code beside production');
    expect(lineFor(lines, path_, 'PREVIEW_OWNER')).toContain('got "ghosts"; no department of tenant shop has this name');
    expect(lineFor(lines, path_, 'PREVIEW_DEPENDENCIES')).toContain('got "copy"; the dependencies are baseline or clone');
  });

  it('reach the program through its build(): preview list shows the CI job\'s preview', () => {
    const { app } = program();
    const saved = { ...process.env };
    Object.assign(process.env, { PREVIEW_BRANCH: 'feature/ci', PREVIEW_IMAGES: 'web=sha-42', PREVIEW_OWNER: 'user:dora', PREVIEW_EXPIRES: '2026-12-01' });
    try {
      expect(list(app, '--now', TODAY).previews[2]).toMatchObject({ name: 'pv-feature-ci', owner: 'dora', expires: '2026-12-01', state: 'active', namespaces: ['storefront-pv-feature-ci'], source: 'environment' });
    } finally {
      for (const k of ['PREVIEW_BRANCH', 'PREVIEW_IMAGES', 'PREVIEW_OWNER', 'PREVIEW_EXPIRES']) if (saved[k] === undefined) delete process.env[k];
    }
  });
});
