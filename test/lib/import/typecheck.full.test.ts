/**
 * The programs `platform-cdk import` writes type-check (strict, with the project's options: noUnusedLocals …): the
 * console-style estate's, Sock Shop's and Bookinfo's, compiled beside the project's entry point with `tsc --noEmit`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importEstate } from '../../../lib/import';
import { ROOT, typeCheckPrograms } from './roundtrip';

function plain(file: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-tc-'));
  fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', file), path.join(dir, 'app.yaml'));
  return dir;
}

it('the imported programs type-check', () => {
  const programs: Record<string, string> = {
    console: importEstate(path.join(ROOT, 'test', 'fixtures', 'console-estate'), { platform: 'acme' }).program,
    sockshop: importEstate(plain('sock-shop/complete-demo.yaml'), { platform: 'sock-shop', cluster: 'demo' }).program,
    bookinfo: importEstate(plain('bookinfo/bookinfo.yaml'), { platform: 'bookinfo', cluster: 'demo' }).program,
  };
  const r = typeCheckPrograms(programs);
  expect(r.output).toBe('');
  expect(r.status).toBe(0);
}, 300_000);
