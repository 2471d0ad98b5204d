/**
 * The whole project type-checks (`tsc --noEmit`, strict): the library, the examples, the benchmark and the tests.
 * ts-jest only transpiles each file (isolatedModules), so this test is what catches a type error; it runs beside the
 * other test files instead of before them, so that `npm test` keeps both cores busy.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

it('type-checks the whole project with tsc --noEmit', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', ROOT], { cwd: ROOT, encoding: 'utf8' });
  expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
  expect(r.status).toBe(0);
}, 300_000);
