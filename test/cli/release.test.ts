import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Credential, readReleasePins, releasePinsText } from 'platform-cdk';
import type { DeliveryOptions, KubeObject } from 'platform-cdk';
import { ExitCode, main, release } from '../../cli/main';
import { formatProblem } from '../../lib/problems';
import { validatePlatform } from '../../lib/validate';
import { addService, fixture, objectAt, synthObjects, validationErrors } from '../fixture';

const ROOT = path.resolve(__dirname, '..', '..');
// The messages are asserted as plain text, whatever colour the test runner asks its workers for.
delete process.env.FORCE_COLOR;
delete process.env.NO_COLOR;
const ESTATE = { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') };

// Release pins are read relative to the working directory: every test runs in a temporary one.
let dir: string;
let cwd: string;
beforeEach(() => {
  cwd = process.cwd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-release-'));
  process.chdir(dir);
});
afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
  jest.restoreAllMocks();
});

/** Writes a file under the working directory. */
function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Every file under the working directory, sorted. */
function files(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk(path.join(d, e.name)) : out.push(path.relative(dir, path.join(d, e.name))));
  };
  walk(dir);
  return out.sort();
}

/** Runs `main` with the arguments after the command name; returns the exit code and what it wrote. */
function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    return { code: main(['node', 'platform-cdk', ...args]), stdout, stderr };
  } finally {
    jest.restoreAllMocks();
  }
}

describe('release()', () => {
  it('writes <dir>/<env>.json with the pin, creating the folder', () => {
    expect(release({ dir: 'releases', env: 'test', service: 'shop/storefront/api', tag: '3f9c2a1b7d4e' })).toEqual([]);

    expect(files()).toEqual(['releases/test.json']);
    expect(fs.readFileSync('releases/test.json', 'utf8')).toBe('{\n  "shop/storefront/api": "3f9c2a1b7d4e"\n}\n');
  });

  it('keeps the other pins, replaces the module\'s, and sorts the keys', () => {
    write('releases/test.json', '{"shop/storefront/web": "1.2.0", "billing/ledger/api": "0.9.1", "shop/storefront/api": "old"}');

    expect(release({ dir: 'releases', env: 'test', service: 'shop/storefront/api', tag: '3f9c2a1b7d4e' })).toEqual([]);
    expect(fs.readFileSync('releases/test.json', 'utf8')).toBe(
      '{\n  "billing/ledger/api": "0.9.1",\n  "shop/storefront/api": "3f9c2a1b7d4e",\n  "shop/storefront/web": "1.2.0"\n}\n',
    );
    expect(Object.keys(JSON.parse(fs.readFileSync('releases/test.json', 'utf8')) as object)).toEqual(['billing/ledger/api', 'shop/storefront/api', 'shop/storefront/web']);
    // Written through a temporary file: none is left behind.
    expect(files()).toEqual(['releases/test.json']);
  });

  it('touches only the environment\'s file', () => {
    write('releases/production.json', '{"shop/storefront/api": "1.0.0"}\n');
    release({ dir: 'releases', env: 'test', service: 'shop/storefront/api', tag: 'abc' });

    expect(fs.readFileSync('releases/production.json', 'utf8')).toBe('{"shop/storefront/api": "1.0.0"}\n');
    expect(files()).toEqual(['releases/production.json', 'releases/test.json']);
  });

  it('refuses bad input with every problem at once, writing nothing', () => {
    expect(release({ dir: 'releases', env: 'Test', service: 'shop/api', tag: '-rc1' })).toEqual([
      '--env: got "Test"; an environment name is a DNS-1123 label. Fix: name an environment of the platform, e.g. "test".',
      '--service: got "shop/api"; a module is named <tenant>/<project>/<module>. Fix: use e.g. "shop/storefront/web".',
      '--tag: got "-rc1"; an image tag is 1-128 letters, digits, "_", "." and "-", not starting with "." or "-", and not "latest" (it moves). Fix: pass the commit\'s tag, e.g. "3f9c2a1b7d4e".',
    ]);
    expect(files()).toEqual([]);
  });

  it('refuses the tag "latest", which moves', () => {
    expect(release({ dir: 'releases', env: 'test', service: 'shop/storefront/api', tag: 'latest' })).toHaveLength(1);
    expect(files()).toEqual([]);
  });

  it.each([
    ['not JSON', '{"shop/storefront/api": '],
    ['an array', '["3f9c2a1b7d4e"]'],
    ['a tag that is not a string', '{"shop/storefront/api": 3}'],
  ])('refuses to change a pins file that is %s, leaving it as it is', (_what, text) => {
    write('releases/test.json', text);
    const problems = release({ dir: 'releases', env: 'test', service: 'shop/storefront/api', tag: '3f9c2a1b7d4e' });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^releases\/test\.json: .+\. Fix: repair or remove the file\.$/);
    expect(fs.readFileSync('releases/test.json', 'utf8')).toBe(text);
    expect(files()).toEqual(['releases/test.json']);
  });
});

describe('the release pins', () => {
  it('are read as a JSON object of tags, and written with sorted keys', () => {
    write('pins/test.json', '{"b/c/d": "2", "a/b/c": "1"}');

    expect(readReleasePins('pins', 'test')).toEqual({ pins: { 'b/c/d': '2', 'a/b/c': '1' } });
    expect(readReleasePins('pins', 'production')).toEqual({});
    expect(releasePinsText({ 'b/c/d': '2' }, 'a/b/c', '1')).toBe('{\n  "a/b/c": "1",\n  "b/c/d": "2"\n}\n');
  });

  it('pin a service\'s image tag in that environment only', () => {
    write('releases/test.json', JSON.stringify({ 'shop/storefront/api': '3f9c2a1b7d4e', 'shop/storefront/gone': '1.0.1' }));
    const f = fixture();
    f.platform.configureDelivery({ estate: ESTATE });
    addService(f, 'api');
    addService(f, 'web');
    const objects = synthObjects(f.platform);
    const image = (key: string): string | undefined => (objectAt(objects, key).spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image;

    expect(image('member-test/Deployment/storefront/api')).toBe('harbor.example.com/shop/api:3f9c2a1b7d4e');
    expect(image('host/Deployment/storefront/api')).toBe('harbor.example.com/shop/api:1.0.0');
    expect(image('member-test/Deployment/storefront/web')).toBe('harbor.example.com/shop/web:1.0.0');
    expect(f.platform.releasedTag('shop/storefront/api', 'test')).toBe('3f9c2a1b7d4e');
    expect(f.platform.releasedTag('shop/storefront/api', 'production')).toBeUndefined();
  });

  it('are read from the releases folder the delivery names', () => {
    write('estate/pins/production.json', JSON.stringify({ 'shop/storefront/api': '2.0.0-rc.1' }));
    write('releases/production.json', JSON.stringify({ 'shop/storefront/api': 'ignored' }));
    const f = fixture();
    f.platform.configureDelivery({ estate: ESTATE, releasesDir: 'estate/pins' });
    addService(f, 'api');
    const deployment = objectAt(synthObjects(f.platform), 'host/Deployment/storefront/api') as KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } };

    expect(deployment.spec.template.spec.containers[0].image).toBe('harbor.example.com/shop/api:2.0.0-rc.1');
  });

  it('are not read when the platform does not say how it delivers', () => {
    write('releases/test.json', JSON.stringify({ 'shop/storefront/api': '3f9c2a1b7d4e' }));
    const f = fixture();
    addService(f, 'api');

    expect(f.platform.releasedTag('shop/storefront/api', 'test')).toBeUndefined();
    expect(JSON.stringify(objectAt(synthObjects(f.platform), 'member-test/Deployment/storefront/api'))).toContain('harbor.example.com/shop/api:1.0.0');
  });

  it('take what `platform-cdk release` wrote on the next synthesis', () => {
    expect(release({ dir: 'releases', env: 'production', service: 'shop/storefront/api', tag: '77aa00bb11cc' })).toEqual([]);
    const f = fixture();
    f.platform.configureDelivery({ estate: ESTATE });
    addService(f, 'api');

    expect(JSON.stringify(objectAt(synthObjects(f.platform), 'host/Deployment/storefront/api'))).toContain('harbor.example.com/shop/api:77aa00bb11cc');
  });

  it('report malformed files of every environment at once, with the file, the problem and the fix', () => {
    write('releases/test.json', '{"shop/storefront/api": ');
    write('releases/production.json', '{"shop/storefront/api": "not a tag"}');
    const f = fixture();
    f.platform.configureDelivery({ estate: ESTATE } as DeliveryOptions);
    addService(f, 'api');
    const errors = validationErrors(f.platform);

    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe(
      '[acme] release pins of production: got "releases/production.json"; "shop/storefront/api" is pinned to "not a tag", which is not an image tag (1-128 letters, digits, "_", "." or "-", not starting with "." or "-", not "latest"). Fix: fix or remove the file; `platform-cdk release` writes it.',
    );
    expect(errors[1]).toMatch(/^\[acme\] release pins of test: got "releases\/test\.json"; not JSON: .+\. Fix: fix or remove the file; `platform-cdk release` writes it\.$/);
  });

  it.each([
    ['an array', '[]', 'release pins are a JSON object of "<tenant>/<project>/<service>": "<image tag>"'],
    ['a number for a tag', '{"shop/storefront/api": 3}', 'release pins are a JSON object of "<tenant>/<project>/<service>": "<image tag>"'],
    ['the tag "latest"', '{"shop/storefront/api": "latest"}', '"shop/storefront/api" is pinned to "latest", which is not an image tag (1-128 letters, digits, "_", "." or "-", not starting with "." or "-", not "latest")'],
  ])('report a pins file holding %s', (_what, text, message) => {
    write('releases/test.json', text);
    const f = fixture();
    f.platform.configureDelivery({ estate: ESTATE });
    addService(f, 'api');

    expect(validationErrors(f.platform)).toEqual([`[acme] release pins of test: got "releases/test.json"; ${message}. Fix: fix or remove the file; \`platform-cdk release\` writes it.`]);
  });
});

describe('main()', () => {
  it('pins the tag and says so, exiting 0', () => {
    const r = run('release', '--no-check', '--env', 'test', '--service', 'shop/storefront/api', '--tag', '3f9c2a1b7d4e');

    expect(r).toEqual({ code: ExitCode.OK, stdout: 'platform-cdk: shop/storefront/api 3f9c2a1b7d4e pinned for test in releases/test.json\n', stderr: '' });
    expect(JSON.parse(fs.readFileSync('releases/test.json', 'utf8'))).toEqual({ 'shop/storefront/api': '3f9c2a1b7d4e' });
  });

  it('takes the releases folder from --dir', () => {
    expect(run('release', '--no-check', '--dir', 'estate/pins', '--env', 'production', '--service', 'shop/storefront/api', '--tag', 'v2').code).toBe(ExitCode.OK);
    expect(files()).toEqual(['estate/pins/production.json']);
  });

  it('refuses bad input with exit code 2, every problem on stderr and nothing written', () => {
    const r = run('release', '--env', 'Prod', '--service', 'api', '--tag', 'a b');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'error: release: --env: got "Prod"; an environment name is a DNS-1123 label. Fix: name an environment of the platform, e.g. "test"',
      'error: release: --service: got "api"; a module is named <tenant>/<project>/<module>. Fix: use e.g. "shop/storefront/web"',
      'error: release: --tag: got "a b"; an image tag is 1-128 letters, digits, "_", "." and "-", not starting with "." or "-", and not "latest" (it moves). Fix: pass the commit\'s tag, e.g. "3f9c2a1b7d4e"',
    ]);
    expect(files()).toEqual([]);
  });

  it('refuses to change a malformed pins file with exit code 2, without quoting it', () => {
    write('releases/test.json', 'not json');
    const r = run('release', '--no-check', '--env', 'test', '--service', 'shop/storefront/api', '--tag', 'abc');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toBe('error: release: releases/test.json: not JSON: a syntax error. Fix: repair or remove the file\n');
    expect(fs.readFileSync('releases/test.json', 'utf8')).toBe('not json');
  });

  it.each([
    ['a required option is missing', ['release', '--env', 'test', '--service', 'shop/storefront/api'], /^error: required option '--tag <tag>' not specified\. Fix: see `platform-cdk release --help`\n$/],
    ['an option is unknown', ['release', '--env', 'test', '--service', 'shop/storefront/api', '--tag', 'abc', '--force'], /^error: unknown option '--force'\. Fix: see `platform-cdk release --help`\n$/],
    ['the command is unknown', ['deploy'], /unknown command 'deploy'/],
    ['no command is given', [], /Usage: platform-cdk/],
  ])('exits 2 when %s, writing nothing', (_what, args, message) => {
    const r = run(...args);

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(message);
    expect(files()).toEqual([]);
  });

  it('prints help with exit code 0, naming the exit codes', () => {
    const r = run('release', '--help');

    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toContain('Usage: platform-cdk release [options]');
    expect(r.stdout).toContain('Exit codes: 0 pinned, 2 usage or input error (a value, an unknown environment or module, a malformed pins file, a program that cannot be loaded; nothing written), 3 internal fault.');
    expect(r.stdout).toContain('--no-check');
    expect(r.stdout).toContain('Example:\n  $ platform-cdk release --env test --service shop/storefront/web --tag 3f9c2a1b7d4e');
  });
});

describe('the platform-cdk command', () => {
  it('runs `release` from bin/platform-cdk.js in the working directory, with the exit code of main()', () => {
    const ok = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'platform-cdk.js'), 'release', '--no-check', '--env', 'test', '--service', 'shop/storefront/api', '--tag', '3f9c2a1b7d4e'], { cwd: dir, encoding: 'utf8', env: { ...process.env } });

    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    expect(ok.stdout).toBe('platform-cdk: shop/storefront/api 3f9c2a1b7d4e pinned for test in releases/test.json\n');
    expect(fs.readFileSync(path.join(dir, 'releases', 'test.json'), 'utf8')).toBe('{\n  "shop/storefront/api": "3f9c2a1b7d4e"\n}\n');
  });
});

describe('release, checked against the estate program', () => {
  /** Writes an estate program into the working directory: test and production, one module in production only. */
  function program(body = ''): string {
    const index = JSON.stringify(path.join(ROOT, 'index'));
    write(
      'estate.ts',
      `import { ClusterRole, Credential, Platform, Registry } from ${index};

export function build(): Platform {
  ${body}
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER });
  const test = platform.addEnvironment('test', { clusters: [member] });
  const production = platform.addEnvironment('production', { clusters: [host], production: true });
  platform.configureDelivery({ estate: { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') } });
  const shop = platform.addTenant('shop', { manager: 'alice' });
  const registry = Registry.at('harbor.example.com');
  shop.addProject('storefront', { environments: [test, production] }).addService('api', { image: registry.image('shop/api', '1.0.0'), ports: [{ port: 8080 }], replicas: 2 });
  shop.addProject('backoffice', { environments: [production] }).addService('admin', { image: registry.image('shop/admin', '1.0.0'), ports: [{ port: 8080 }], replicas: 2 });
  return platform;
}
`,
    );
    return 'estate.ts';
  }

  it('pins a module of the estate in an environment it runs in', () => {
    const app = program();
    const r = run('release', '--app', app, '--env', 'test', '--service', 'shop/storefront/api', '--tag', '3f9c2a1b7d4e');

    expect(r).toEqual({ code: ExitCode.OK, stdout: 'platform-cdk: shop/storefront/api 3f9c2a1b7d4e pinned for test in releases/test.json\n', stderr: '' });
  });

  it('refuses an environment the estate does not have, writing nothing', () => {
    const app = program();
    const r = run('release', '--app', app, '--env', 'nosuchenv', '--service', 'nope/nope/nope', '--tag', '3f9c2a1b7d4e');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toBe('error: release: --env: got "nosuchenv"; the platform has no environment of this name (environments: test, production). Fix: name an environment of the platform (a preview takes its tags from `platform-cdk preview create --images`)\n');
    expect(files()).toEqual(['estate.ts']);
  });

  it('refuses a module the estate does not have, listing the modules', () => {
    const app = program();
    const r = run('release', '--app', app, '--env', 'production', '--service', 'nope/nope/nope', '--tag', '3f9c2a1b7d4e');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toBe('error: release: --service: got "nope/nope/nope"; no service or release pipeline of the platform has this key (modules: shop/backoffice/admin, shop/storefront/api). Fix: name a module as <tenant>/<project>/<module>, as its pipeline does\n');
    expect(files()).toEqual(['estate.ts']);
  });

  it('refuses a module in an environment it does not run in', () => {
    const app = program();
    const r = run('release', '--app', app, '--env', 'test', '--service', 'shop/backoffice/admin', '--tag', '3f9c2a1b7d4e');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toBe('error: release: --service: got "shop/backoffice/admin"; the module does not run in test (it runs in: production). Fix: release it to an environment it runs in, or place its project in test\n');
  });

  it('refuses when the estate program cannot be loaded, unless --no-check is given', () => {
    const r = run('release', '--env', 'test', '--service', 'shop/storefront/api', '--tag', '3f9c2a1b7d4e');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/^error: release: the estate program could not be loaded to check --env and --service \(no --app was given and there is no cdk8s\.yaml in .+\)\. Fix: run in the estate repository \(where cdk8s\.yaml is\), pass --app <program\.ts>, or pass --no-check to pin without the check\n$/);
    expect(files()).toEqual([]);
    expect(run('release', '--no-check', '--env', 'test', '--service', 'shop/storefront/api', '--tag', '3f9c2a1b7d4e').code).toBe(ExitCode.OK);
  });

  it('refuses when the estate program throws, naming the exception', () => {
    const app = program("if (Date.now() > 0) throw new Error('not today');");
    const r = run('release', '--app', app, '--env', 'test', '--service', 'shop/storefront/api', '--tag', '3f9c2a1b7d4e');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(/^error: release: the estate program could not be loaded to check --env and --service \(the program estate\.ts threw Error while building the estate at estate\.ts:\d+:\d+: not today\)\. Fix: /);
    expect(files()).toEqual(['estate.ts']);
  });

  it('takes the estate program from cdk8s.yaml', () => {
    program();
    write('cdk8s.yaml', 'app: npx tsx estate.ts\n');

    expect(run('release', '--env', 'production', '--service', 'shop/backoffice/admin', '--tag', 'v2').code).toBe(ExitCode.OK);
    expect(run('release', '--env', 'test', '--service', 'shop/backoffice/admin', '--tag', 'v2').code).toBe(ExitCode.USAGE);
  });
});

describe('release pins that do nothing are warnings at synth', () => {
  /** The model warnings of a platform, formatted. */
  function warnings(platform: Parameters<typeof validatePlatform>[0]): string[] {
    return validatePlatform(platform)
      .filter((p) => p.severity === 'warning' && p.property.startsWith('release pins'))
      .map(formatProblem);
  }

  it('a pin that matches no service of its environment', () => {
    write('releases/test.json', JSON.stringify({ 'shop/storefront/api': '3f9c2a1b7d4e', 'nope/nope/nope': '1.0.0' }));
    const f = fixture();
    f.platform.configureDelivery({ estate: ESTATE });
    addService(f, 'api');

    expect(warnings(f.platform)).toEqual([
      'warning: [acme] release pins of test: got "nope/nope/nope"; the pin in releases/test.json matches no service or release pipeline running in test, and does nothing. Fix: remove the pin, or correct its <tenant>/<project>/<module> key.',
    ]);
  });

  it('a pins file of an environment the platform does not have', () => {
    write('releases/nosuchenv.json', JSON.stringify({ 'nope/nope/nope': '1.0.0' }));
    const f = fixture();
    f.platform.configureDelivery({ estate: ESTATE });
    addService(f, 'api');

    expect(warnings(f.platform)).toEqual([
      'warning: [acme] release pins: got "releases/nosuchenv.json"; the platform has no environment nosuchenv, so these pins do nothing (environments: test, production). Fix: remove the file, or rename it after an environment.',
    ]);
  });

  it('pins that are ignored because the platform does not configure delivery', () => {
    write('releases/test.json', JSON.stringify({ 'shop/storefront/api': '3f9c2a1b7d4e' }));
    const f = fixture();
    addService(f, 'api');

    expect(warnings(f.platform)).toEqual([
      'warning: [acme] release pins: got "releases/"; 1 release pins file is ignored, because the platform does not configure delivery (pins are read only then). Fix: call platform.configureDelivery({ estate: ... }), or remove the releases folder.',
    ]);
    // Still a warning, not an error: the synthesis goes on.
    expect(synthObjects(f.platform).size).toBeGreaterThan(0);
  });

  it('none when every pin matches', () => {
    write('releases/test.json', JSON.stringify({ 'shop/storefront/api': '3f9c2a1b7d4e' }));
    const f = fixture();
    f.platform.configureDelivery({ estate: ESTATE });
    addService(f, 'api');

    expect(warnings(f.platform)).toEqual([]);
  });
});
