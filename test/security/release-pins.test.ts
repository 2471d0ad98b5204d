/**
 * Release pins are read and written only inside the releases folder (issue 18, defect 10): an environment named
 * `../../../../etc/passwd` once made the reader open a file outside `releases/` and quote its first bytes in the
 * error. The reader, `release` and the model's checks now take an environment name only when it is a DNS-1123
 * label, resolve the file (links included) and refuse anything outside the folder, and never quote a file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { Credential, readReleasePins, releasePinsFile } from 'platform-cdk';
import { release } from '../../cli/main';
import { fixture, validationErrors } from '../fixture';

/** The seed of the CI runs; a failure prints the seed and path that replay it. */
const SEED = 20261206;
const SECRET = 'SECRET-BYTES-7f3a';

let sandbox: string;
let releases: string;
let cwd: string;
beforeEach(() => {
  cwd = process.cwd();
  sandbox = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-pins-')));
  // Files outside the releases folder that a traversal would reach: invalid JSON holding a secret, and a pins-shaped one.
  fs.writeFileSync(path.join(sandbox, 'secret.json'), `${SECRET} root:x:0:0:root:/root:/bin/bash\n`);
  fs.writeFileSync(path.join(sandbox, 'pins.json'), JSON.stringify({ 'shop/storefront/api': 'from-outside' }));
  fs.mkdirSync(path.join(sandbox, 'estate', 'releases'), { recursive: true });
  releases = path.join(sandbox, 'estate', 'releases');
  process.chdir(path.join(sandbox, 'estate'));
});
afterEach(() => {
  process.chdir(cwd);
  jest.restoreAllMocks();
  fs.rmSync(sandbox, { recursive: true, force: true });
});

/** Every file under the sandbox with its bytes, to compare before and after. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else out.set(path.relative(sandbox, f), e.isSymbolicLink() ? `-> ${fs.readlinkSync(f)}` : fs.readFileSync(f, 'utf8'));
    }
  };
  walk(sandbox);
  return out;
}

/** Node's own fs module (the import above is a namespace copy, which cannot be spied on). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs = require('fs') as typeof import('fs');

/** Records every path the code opens for reading while `fn` runs. */
function reads<T>(fn: () => T): { result: T; files: string[] } {
  const files: string[] = [];
  const readFileSync = nodeFs.readFileSync;
  jest.spyOn(nodeFs, 'readFileSync').mockImplementation(((f: fs.PathOrFileDescriptor, o?: unknown) => {
    files.push(String(f));
    return (readFileSync as (f: fs.PathOrFileDescriptor, o?: unknown) => string | Buffer)(f, o);
  }) as typeof fs.readFileSync);
  try {
    return { result: fn(), files };
  } finally {
    jest.restoreAllMocks();
  }
}

/** Whether a file is inside the releases folder (directly). */
function insideReleases(file: string): boolean {
  return path.dirname(path.resolve(file)) === releases;
}

describe('the release pins reader', () => {
  it.each([['../../../../etc/passwd'], ['../secret'], ['../../secret'], ['..'], ['/etc/passwd'], ['a/../../secret'], ['test\0'], ['../pins']])('opens nothing for the environment %j and quotes no bytes', (env) => {
    const { result, files } = reads(() => readReleasePins('releases', env));

    expect(files).toEqual([]);
    expect(result.pins).toBeUndefined();
    expect(result.error?.message).toMatch(/^no pins read for environment .*: an environment name is a DNS-1123 label/);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain('root:x');
    expect(releasePinsFile('releases', env)).toBeUndefined();
  });

  it('refuses a pins file that is a link out of the releases folder, without reading it', () => {
    fs.symlinkSync(path.join(sandbox, 'secret.json'), path.join(releases, 'production.json'));
    const { result, files } = reads(() => readReleasePins('releases', 'production'));

    expect(files).toEqual([]);
    expect(result.error).toBeDefined();
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('does not quote a malformed pins file inside the folder either', () => {
    fs.writeFileSync(path.join(releases, 'test.json'), `${SECRET}`);
    const r = readReleasePins('releases', 'test');

    expect(r.error?.message).toMatch(/^not JSON: /);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('reads a well-formed pins file of a valid environment', () => {
    fs.writeFileSync(path.join(releases, 'test.json'), JSON.stringify({ 'shop/storefront/api': '1.2.3' }));

    expect(readReleasePins('releases', 'test')).toEqual({ pins: { 'shop/storefront/api': '1.2.3' } });
  });
});

describe('a platform with an environment named like a path', () => {
  it('reads no file outside the releases folder and quotes none in its errors', () => {
    const f = fixture();
    f.platform.configureDelivery({ estate: { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') } });
    f.platform.addEnvironment('../../../../etc/passwd', { clusters: [f.member] });
    f.platform.addEnvironment('../secret', { clusters: [f.member] });
    const { result: errors, files } = reads(() => validationErrors(f.platform));

    expect(files.filter((x) => /\.json$/.test(x) && !insideReleases(x))).toEqual([]);
    expect(errors.join('\n')).not.toContain(SECRET);
    expect(errors.join('\n')).not.toContain('root:x');
    expect(f.platform.releasedTag('shop/storefront/api', '../pins')).toBeUndefined();
  });
});

describe('random environment names', () => {
  /** Strings made of what paths are made of, and any other text. */
  const hostile = fc.oneof(
    fc.array(fc.constantFrom('..', '.', '/', '\\', '\0', 'secret', 'pins', 'test', 'etc', 'passwd', '%2e%2e', '~', ' ', '\n', 'é', '\u202e', '𝔱'), { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );

  it('never make the reader open a file outside the releases folder, nor quote one', () => {
    fc.assert(
      fc.property(hostile, (env) => {
        const { result, files } = reads(() => readReleasePins('releases', env));
        expect(files.filter((x) => !insideReleases(x))).toEqual([]);
        expect(JSON.stringify(result)).not.toContain(SECRET);
        expect(result.pins?.['shop/storefront/api']).not.toBe('from-outside');
        const file = releasePinsFile('releases', env);
        if (file !== undefined) expect(insideReleases(file)).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('never make `release` read or write outside the releases folder', () => {
    const before = snapshot();
    fc.assert(
      fc.property(hostile, (env) => {
        const { result: problems, files } = reads(() => release({ dir: 'releases', env, service: 'shop/storefront/api', tag: '3f9c2a1b7d4e' }));
        expect(files.filter((x) => !insideReleases(x))).toEqual([]);
        expect(problems.join('\n')).not.toContain(SECRET);
        const after = snapshot();
        for (const [file, text] of after) if (!file.startsWith(path.join('estate', 'releases') + path.sep)) expect([file, text]).toEqual([file, before.get(file)]);
        for (const file of before.keys()) expect(after.has(file)).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
