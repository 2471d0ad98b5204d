/**
 * The programs `platform-cdk import` writes type-check (strict, with the project's options: noUnusedLocals …): the
 * console-style estate's, Sock Shop's and Bookinfo's, compiled beside the project's entry point with `tsc --noEmit`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importEstate } from '../../../lib/import';
import { ROOT } from './roundtrip';

function plain(file: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-tc-'));
  fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', file), path.join(dir, 'app.yaml'));
  return dir;
}

it('the imported programs type-check', () => {
  const dir = fs.mkdtempSync(path.join(ROOT, 'test', 'lib', 'import', '.typecheck-'));
  try {
    const programs: Record<string, string> = {
      console: importEstate(path.join(ROOT, 'test', 'fixtures', 'console-estate'), { platform: 'acme' }).program,
      sockshop: importEstate(plain('sock-shop/complete-demo.yaml'), { platform: 'sock-shop', cluster: 'demo' }).program,
      bookinfo: importEstate(plain('bookinfo/bookinfo.yaml'), { platform: 'bookinfo', cluster: 'demo' }).program,
    };
    for (const [name, text] of Object.entries(programs)) fs.writeFileSync(path.join(dir, `${name}.ts`), text);
    const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...base.compilerOptions, baseUrl: ROOT, rootDir: ROOT, noEmit: true }, files: [...Object.keys(programs).map((n) => `${n}.ts`)] }));
    const tsc = require.resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
