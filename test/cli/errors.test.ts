/**
 * The command line as users expect it: every user error is one `error: <cause>. Fix: <fix>` line with exit code 2
 * and no stack trace; an internal fault is exit code 3 with the stack only under --debug; `--version`; results on
 * stdout and diagnostics on stderr; colour only when asked for or on a terminal; a closed stdout pipe is not a
 * crash; each command's help lists only its options, with an example.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { colorSeverity, useColor } from '../../cli/color';
import { ExitCode } from '../../cli/main';
import { cli, writeInvalidProgram } from './run';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'platform-cdk.js');
const QUICKSTART = path.join(ROOT, 'examples', 'quickstart', 'main.ts');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** A user error: one line, the cause and the fix, no stack. */
const ONE_ERROR_LINE = /^error: [^\n]+\. Fix: [^\n]+\n$/;
const STACK = /\n\s+at .+:\d+:\d+/;

let tmp: string;
let cwd: string;
let THROWS: string;
let SYNTAX: string;
let IMPORTS_MISSING: string;
let INVALID: string;
const env = { ...process.env };

beforeAll(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-errors-')));
  const index = JSON.stringify(path.join(ROOT, 'index'));
  THROWS = path.join(tmp, 'throws.ts');
  fs.writeFileSync(THROWS, `import { Platform } from ${index};\n\nexport function build(): Platform {\n  const platform = new Platform('broken');\n  if (platform) throw new Error('the estate is not ready');\n  return platform;\n}\n`);
  SYNTAX = path.join(tmp, 'syntax.ts');
  fs.writeFileSync(SYNTAX, 'export function build( {\n  return 1;\n}\n');
  IMPORTS_MISSING = path.join(tmp, 'imports-missing.ts');
  fs.writeFileSync(IMPORTS_MISSING, "import { estate } from './no-such-module';\n\nexport const build = estate;\n");
  INVALID = writeInvalidProgram(tmp);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  cwd = process.cwd();
});
afterEach(() => {
  process.chdir(cwd);
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'PLATFORM_CDK_DEBUG']) {
    if (env[k] === undefined) delete process.env[k];
    else process.env[k] = env[k];
  }
  jest.restoreAllMocks();
});

/** A new empty folder under the test's temporary folder. */
let n = 0;
function folder(name: string): string {
  const d = path.join(tmp, `${name}-${++n}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

describe('user errors: one line with the cause and the fix, exit code 2, no stack trace', () => {
  it('a program that throws names the exception, where in the program, and the fix', () => {
    const r = cli('synth', '--app', THROWS, '--out', path.join(tmp, 'never'));

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toBe(`error: the program ${THROWS} threw Error while building the estate at ${THROWS}:5:23: the estate is not ready. Fix: correct the program there (run with --debug for the stack)\n`);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('a program that throws, with --debug, adds the program\'s stack', () => {
    const r = cli('validate', '--app', THROWS, '--debug');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr.split('\n')[0]).toMatch(/^error: the program .*throws\.ts threw Error/);
    expect(r.stderr).toMatch(STACK);
  });

  it('a program with a syntax error names the line and column', () => {
    const r = cli('validate', '--app', SYNTAX);

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toMatch(/^error: the program .*syntax\.ts does not compile: .*syntax\.ts:\d+:\d+: .+\. Fix: correct the syntax error at that line/);
  });

  it('a program with a syntax error, run by the platform-cdk command (tsx), names the line and column', () => {
    const r = spawnSync(process.execPath, [BIN, 'validate', '--app', SYNTAX], { encoding: 'utf8', cwd: tmp, env: { ...process.env } });

    expect(r.status).toBe(ExitCode.USAGE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: the program syntax.ts does not compile: syntax.ts:2:9: Expected "}" but found "1". Fix: correct the syntax error at that line (npx tsc --noEmit lists every type error too)\n');
  });

  it('a program that imports a module that does not exist', () => {
    const r = cli('validate', '--app', IMPORTS_MISSING);

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toMatch(/imports a module that cannot be found: Cannot find module '\.\/no-such-module'.*\. Fix: install the package \(npm install\) or correct the import path\n$/);
  });

  it('a malformed cdk8s.yaml names the line', () => {
    process.chdir(folder('bad-yaml'));
    fs.writeFileSync('cdk8s.yaml', 'language: typescript\napp: [npx tsx main.ts\n');
    const r = cli('synth');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toMatch(/^error: cdk8s\.yaml is not valid YAML: .*line \d+, column \d+\. Fix: correct cdk8s\.yaml/);
  });

  it('a cdk8s.yaml whose app names no program', () => {
    process.chdir(folder('no-program'));
    fs.writeFileSync('cdk8s.yaml', 'language: typescript\napp: 42\n');
    const r = cli('validate');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toBe('error: cdk8s.yaml\'s app command "" names no .ts or .js program. Fix: set `app: npx tsx <program.ts>` in cdk8s.yaml, or pass --app <program.ts>\n');
  });

  it.each([['synth'], ['validate'], ['report']])('%s with --crds pointing at nothing', (command) => {
    const missing = path.join(tmp, 'no-crds');
    const r = cli(command, '--app', QUICKSTART, '--crds', missing);

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toBe(`error: --crds: the CRD folder ${missing} does not exist. Fix: pass a folder of CustomResourceDefinition YAML files (e.g. the KubeSphere 4.1 CRDs), or leave --crds out\n`);
  });

  it('--crds pointing at a file', () => {
    const r = cli('validate', '--app', QUICKSTART, '--crds', QUICKSTART);

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain(`error: --crds: the CRD folder ${QUICKSTART} is not a folder. Fix: `);
  });

  it('report --out pointing at a folder, writing nothing', () => {
    const out = folder('report-folder');
    const r = cli('report', '--app', QUICKSTART, '--out', out);

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toBe(`error: --out: ${out} is a folder; the report is one HTML file. Fix: name a file, e.g. --out ${path.join(out, 'platform-report.html')}\n`);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('a diff against a git revision outside a git repository', () => {
    process.chdir(folder('no-git'));
    const r = cli('diff', '--app', QUICKSTART, '--against', 'HEAD~1');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toMatch(/^error: .* is not inside a git repository, so revision HEAD~1 cannot be read .*\. Fix: run the diff inside the repository that holds the output folder, or compare against an output folder instead\n$/);
  });

  it('a diff against a revision a repository without history does not have', () => {
    const repo = folder('empty-repo');
    expect(spawnSync('git', ['init', '-q', repo]).status).toBe(0);
    process.chdir(repo);
    const r = cli('diff', '--app', QUICKSTART, '--against', 'HEAD~1');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
    expect(r.stderr).toContain('error: unknown git revision "HEAD~1"');
  });

  it('a program that does not exist, also as JSON on stdout', () => {
    const missing = path.join(tmp, 'missing.ts');
    const r = cli('validate', '--app', missing, '--format', 'json');

    expect(r.code).toBe(ExitCode.USAGE);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: `the program ${missing} does not exist. Fix: pass --app <program.ts> with the path of the estate program` });
    expect(r.stderr).toMatch(ONE_ERROR_LINE);
  });

  it.each([
    ['an unknown option', ['synth', '--bogus'], "error: unknown option '--bogus'. Fix: see `platform-cdk synth --help`\n"],
    ['an option of another command', ['diff', '--against', 'dist', '--quiet'], "error: unknown option '--quiet'. Fix: see `platform-cdk diff --help`\n"],
    ['an unknown command', ['deploy'], "error: unknown command 'deploy'. Fix: see `platform-cdk --help`\n"],
    ['a --now that is not a date', ['preview', 'list', '--app', QUICKSTART, '--now', 'tomorrow'], 'error: --now: got "tomorrow"; a date is YYYY-MM-DD. Fix: pass a calendar date such as 2026-01-31, or leave --now out\n'],
  ])('%s', (_what, args, stderr) => {
    expect(cli(...args)).toEqual({ code: ExitCode.USAGE, stdout: '', stderr });
  });
});

describe('internal faults', () => {
  /** Makes the renderer fail as a bug in platform-cdk would. */
  function breakRenderer(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const render = require('../../lib/render') as typeof import('../../lib/render');
    jest.spyOn(render, 'renderPlatform').mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'spec')");
    });
  }

  it('exit 3 with one line asking for a report, and no stack', () => {
    breakRenderer();
    const r = cli('diff', '--app', QUICKSTART, '--env', 'production', '--against', 'test');

    expect(r.code).toBe(ExitCode.INTERNAL);
    expect(r.stderr).toBe(
      "error: internal fault in platform-cdk (TypeError: Cannot read properties of undefined (reading 'spec')). Fix: this is a bug in platform-cdk, not in your estate: please report it with the command you ran and its output with --debug (or PLATFORM_CDK_DEBUG=1), which adds the stack\n",
    );
  });

  it('print the stack with --debug or PLATFORM_CDK_DEBUG=1', () => {
    breakRenderer();
    const debug = cli('diff', '--app', QUICKSTART, '--env', 'production', '--against', 'test', '--debug');
    expect(debug.code).toBe(ExitCode.INTERNAL);
    expect(debug.stderr).toMatch(/^error: internal fault in platform-cdk .*\nTypeError: Cannot read properties of undefined \(reading 'spec'\)\n\s+at /);

    process.env.PLATFORM_CDK_DEBUG = '1';
    expect(cli('diff', '--app', QUICKSTART, '--env', 'production', '--against', 'test').stderr).toMatch(STACK);
  });
});

describe('--version', () => {
  it('prints the version of package.json on stdout and exits 0', () => {
    expect(cli('--version')).toEqual({ code: ExitCode.OK, stdout: `${VERSION}\n`, stderr: '' });
    expect(cli('-V').stdout).toBe(`${VERSION}\n`);
  });

  it('works from bin/platform-cdk.js', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8', env: { ...process.env } });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe('stdout and stderr', () => {
  it('validate prints model findings on stdout, so that `> file` captures them', () => {
    const r = cli('validate', '--app', INVALID);

    expect(r.code).toBe(ExitCode.FINDINGS);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^The platform model has 1 error; nothing was written\.\n {2}- \[broken\/shop\/storefront\/api\] replicas/);
  });

  it('synth prints its summary on stdout and its warnings on stderr', () => {
    const out = path.join(folder('synth'), 'dist');
    const r = cli('synth', '--app', QUICKSTART, '--out', out);

    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toMatch(/^platform-cdk: \d+ objects for 2 clusters written to /);
    expect(r.stderr).toMatch(/^platform-cdk: the checks found \d+ warnings or waived findings; `platform-cdk validate` lists them\n$/);
  });
});

describe('colour', () => {
  const RED = '\u001b[31m';

  it('colours the severities when FORCE_COLOR is set, and never with --no-color or NO_COLOR', () => {
    process.env.FORCE_COLOR = '1';
    expect(cli('validate', '--app', INVALID).stdout).toContain(`${RED}[broken/shop/storefront/api]\u001b[39m replicas`);
    expect(cli('validate', '--app', INVALID, '--no-color').stdout).not.toContain('\u001b[');
    delete process.env.FORCE_COLOR;
    process.env.NO_COLOR = '1';
    expect(cli('validate', '--app', INVALID).stdout).not.toContain('\u001b[');
  });

  it('is off when stdout is not a terminal', () => {
    delete process.env.FORCE_COLOR;
    delete process.env.NO_COLOR;
    expect(cli('validate', '--app', INVALID).stdout).not.toContain('\u001b[');
  });

  it.each([
    [{ isTTY: true, env: {} }, true],
    [{ isTTY: false, env: {} }, false],
    [{ isTTY: true, env: { NO_COLOR: '1' } }, false],
    [{ isTTY: true, env: { NO_COLOR: '' } }, true],
    [{ isTTY: true, env: { TERM: 'dumb' } }, false],
    [{ isTTY: false, env: { FORCE_COLOR: '1' } }, true],
    [{ isTTY: true, env: { FORCE_COLOR: '0' } }, false],
    [{ isTTY: true, env: { FORCE_COLOR: '1' }, noColorOption: true }, false],
  ])('useColor(%j) is %s', (settings, expected) => {
    expect(useColor(settings)).toBe(expected);
  });

  it('colours the severity word of findings and model warnings only', () => {
    expect(colorSeverity(true, 'error [schema] host: x')).toBe('\u001b[31merror\u001b[39m [schema] host: x');
    expect(colorSeverity(true, 'warning [probes] host: x')).toBe('\u001b[33mwarning\u001b[39m [probes] host: x');
    expect(colorSeverity(true, 'warning: [acme] x')).toBe('\u001b[33mwarning:\u001b[39m [acme] x');
    expect(colorSeverity(true, 'waived (ticket 12) [probes] host: x')).toBe('\u001b[2mwaived (ticket 12)\u001b[22m [probes] host: x');
    expect(colorSeverity(true, 'platform-cdk: 3 objects checked')).toBe('platform-cdk: 3 objects checked');
    expect(colorSeverity(false, 'error [schema] host: x')).toBe('error [schema] host: x');
  });
});

describe('a closed stdout pipe', () => {
  /** Runs the command with stdout closed by the reader at once; resolves with the exit code and stderr. */
  function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT, env: { ...process.env } });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  it('ends --help quietly with exit code 0 (`platform-cdk --help | head -1`)', async () => {
    const r = await withClosedStdout(['--help']);
    expect(r).toEqual({ code: 0, stderr: '' });
  }, 60_000);

  it('keeps the exit code of the command (`platform-cdk validate | head`)', async () => {
    const r = await withClosedStdout(['validate', '--app', INVALID]);
    expect(r).toEqual({ code: ExitCode.FINDINGS, stderr: '' });
  }, 60_000);
});

describe('help', () => {
  /** The options a command's help lists under "Options:" (not the global ones). */
  function options(...command: string[]): string[] {
    const help = cli(...command, '--help').stdout;
    const own = help.slice(help.indexOf('Options:'), help.indexOf('Global Options:') === -1 ? undefined : help.indexOf('Global Options:'));
    return [...own.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]);
  }

  it.each([
    [['synth'], ['--app', '--format', '--now', '--quiet', '--crds', '--env', '--cluster', '--out', '--no-check', '--help']],
    [['validate'], ['--app', '--format', '--now', '--quiet', '--crds', '--help']],
    [['report'], ['--app', '--format', '--now', '--quiet', '--crds', '--out', '--help']],
    [['diff'], ['--app', '--format', '--now', '--against', '--env', '--out', '--live', '--exit-code', '--help']],
    [['preview', 'list'], ['--app', '--format', '--now', '--help']],
    [['release'], ['--env', '--service', '--tag', '--dir', '--app', '--no-check', '--help']],
  ])('of %j lists only the options the command uses, the global ones apart, and an example', (command, expected) => {
    expect(options(...command)).toEqual(expected);
    const help = cli(...command, '--help').stdout;
    expect(help).toContain('Global Options:\n  -V, --version');
    expect(help).toContain('--debug');
    expect(help).toContain('--no-color');
    expect(help).toMatch(new RegExp(`Example:\\n {2}\\$ platform-cdk ${command.join(' ')} `));
  });

  it('of platform-cdk names the exit codes, the streams and an example', () => {
    const r = cli('--help');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toContain('Exit codes: 0 done (warnings allowed), 1 findings (model, schema or policy errors; diff --exit-code: differences), 2 usage or input error, 3 internal fault (please report it).');
    expect(r.stdout).toContain('Results go to stdout; progress and diagnostics to stderr.');
    expect(r.stdout).toContain('Example:\n  $ platform-cdk validate && platform-cdk synth --out dist');
  });

  it.each([['create'], ['delete']])('of preview %s has an example', (command) => {
    expect(cli('preview', command, '--help').stdout).toMatch(new RegExp(`Example:\\n {2}\\$ platform-cdk preview ${command} --branch feature/login`));
  });
});

describe('errors of the library that word a cause and a fix', () => {
  it('are input errors: one line, exit code 2', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const render = require('../../lib/render') as typeof import('../../lib/render');
    jest.spyOn(render, 'renderPlatform').mockImplementation(() => {
      throw new Error('the folder dist holds files platform-cdk did not write. Fix: pass an empty folder with --out');
    });
    const r = cli('diff', '--app', QUICKSTART, '--env', 'production', '--against', 'test');

    expect(r).toEqual({ code: ExitCode.USAGE, stdout: '', stderr: 'error: the folder dist holds files platform-cdk did not write. Fix: pass an empty folder with --out\n' });
  });
});

describe('colour on stderr', () => {
  it('colours the error line when FORCE_COLOR is set, and not with --no-color', () => {
    process.env.FORCE_COLOR = '1';
    expect(cli('synth', '--bogus').stderr).toBe("\u001b[31merror:\u001b[39m unknown option '--bogus'. Fix: see `platform-cdk synth --help`\n");
    expect(cli('validate', '--app', path.join(tmp, 'missing.ts'), '--no-color').stderr).toMatch(/^error: /);
  });
});
