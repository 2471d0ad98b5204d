/**
 * The round trip of `platform-cdk import` on the quick start (the full tier: it synthesizes the example twice):
 * synthesize, make a realistic export, import, synthesize the program — no difference `diff --live` sees, and the
 * program no longer than 1.5 times the hand-written one.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Platform } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { ROOT, roundTrip } from './roundtrip';

function example(name: string): () => Platform {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(ROOT, 'examples', name, 'main.ts')) as { build: () => Platform }).build;
}

function lines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

describe('import round trip: the quick start', () => {
  const r = roundTrip(example('quickstart')(), 'quickstart');

  test('the program reproduces every object of the export', () => {
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.diff.identical).toBe(true);
  });

  test('the program is no longer than 1.5 times the hand-written example', () => {
    const handWritten = fs.readFileSync(path.join(ROOT, 'examples', 'quickstart', 'main.ts'), 'utf8');
    expect(lines(r.imported.program)).toBeLessThanOrEqual(1.5 * lines(handWritten));
  });

  test('every object is typed or written by default: nothing hatched, nothing left out', () => {
    expect(r.imported.summary).toEqual({ typed: 17, generated: 22, hatch: 0, 'left-out': 0 });
  });
});
