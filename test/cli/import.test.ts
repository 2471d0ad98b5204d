/**
 * `platform-cdk import`: writes the program and prints the report (text or JSON); a user's mistake is one `error:`
 * line and exit code 2, with no stack trace.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseEnvironmentMap } from '../../cli/import';
import { cli } from './run';

const CONSOLE = path.resolve(__dirname, '..', 'fixtures', 'console-estate');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-import-cli-'));
}

describe('platform-cdk import', () => {
  test('writes the program and reports what became of every object', () => {
    const out = path.join(tmp(), 'estate', 'main.ts');
    const r = cli('import', CONSOLE, '--out', out, '--platform', 'acme');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain("new Platform('acme')");
    expect(r.stdout).toContain('escape hatches (3):');
    expect(r.stdout).toContain('host: Secret orders/order-db');
    expect(r.stdout).toContain('9 typed, 0 written by default, 3 through escape hatches, 5 left out');
  });

  test('--format json gives the report as data', () => {
    const out = path.join(tmp(), 'main.ts');
    const r = cli('import', CONSOLE, '--out', out, '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { ok: boolean; summary: Record<string, number>; objects: { object: string; outcome: string }[] };
    expect(j.ok).toBe(true);
    expect(j.summary.hatch).toBe(3);
    expect(j.objects.find((o) => o.object === 'StorageClass fast-ssd')?.outcome).toBe('hatch');
  });

  test('a missing folder is exit code 2 with one error line and no stack', () => {
    const r = cli('import', path.join(tmp(), 'nope'), '--out', path.join(tmp(), 'main.ts'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^platform-cdk import: error: .*is not a folder\. Fix: /);
    expect(r.stderr).not.toMatch(/\bat /);
  });

  test('an existing --out is refused unless --force', () => {
    const out = path.join(tmp(), 'main.ts');
    fs.writeFileSync(out, '// mine\n');
    const r = cli('import', CONSOLE, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exists\. Fix: .*--force/);
    expect(fs.readFileSync(out, 'utf8')).toBe('// mine\n');
    expect(cli('import', CONSOLE, '--out', out, '--force').code).toBe(0);
  });

  test('a bad --environment-map entry is exit code 2 naming the entry', () => {
    const r = cli('import', CONSOLE, '--out', path.join(tmp(), 'main.ts'), '--environment-map', 'qa');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--environment-map: got "qa"');
  });

  test('--environment-map maps suffixes and clusters to environments', () => {
    expect(parseEnvironmentMap(['-qa=test,prod-cluster=production', '-uat=staging'])).toEqual({ '-qa': 'test', 'prod-cluster': 'production', '-uat': 'staging' });
    const out = path.join(tmp(), 'main.ts');
    const r = cli('import', CONSOLE, '--out', out, '--environment-map', 'member-test=qa,-test=qa');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain("platform.addEnvironment('qa'");
  });
});
