/**
 * `platform-cdk import` on the two seed estates (the full tier), the acceptance: each example is synthesized,
 * made a realistic export (uid, resourceVersion, managedFields, status, KubeSphere's creator annotations), imported,
 * and the program synthesized again (with the checks): `diff --live` against the export finds no difference, the
 * program is no longer than 1.5 times the hand-written example, it type-checks with the project's strict options, and
 * every object of the export is typed, written by default, or carried through an escape hatch with its reason.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Platform } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { ROOT, roundTrip, typeCheckPrograms } from './roundtrip';
import type { RoundTrip } from './roundtrip';

/** The lines of the hand-written program: the example's files that build its estate. */
function handWritten(name: string, files: readonly string[]): number {
  return files.reduce((n, f) => n + fs.readFileSync(path.join(ROOT, 'examples', name, f), 'utf8').split('\n').length, 0);
}

const ESTATES: { name: string; files: string[]; userObjects: RegExp }[] = [
  // Its one user object: the fleet report, a cdk8s-plus-27 CronJob added with addManifests.
  { name: 'connected-vehicle', files: ['main.ts'], userObjects: /^CronJob / },
  // Its user objects: the VerticalPodAutoscaler CRD (Include) and the VPA instances (an imported class), hatches.ts.
  { name: 'ride-hailing', files: ['main.ts', 'hatches.ts'], userObjects: /^(CustomResourceDefinition|VerticalPodAutoscaler) / },
];

const trips = new Map<string, RoundTrip>();

describe.each(ESTATES)('import: the $name estate', ({ name, files, userObjects }) => {
  const trip = (): RoundTrip => {
    if (!trips.has(name)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { build } = require(path.join(ROOT, 'examples', name, 'main.ts')) as { build: () => Platform };
      trips.set(name, roundTrip(build(), name));
    }
    return trips.get(name)!;
  };

  test('the program synthesizes with the checks, and diff --live finds no difference from the export', () => {
    expect(formatOutputDiff(trip().diff).trim()).toBe('no differences');
  });

  test('the program is no longer than 1.5 times the hand-written one', () => {
    const lines = trip().imported.program.split('\n').length;
    expect(lines).toBeLessThanOrEqual(1.5 * handWritten(name, files));
  });

  test('only the user\'s own objects come back through escape hatches; nothing is left out', () => {
    const r = trip().imported.report;
    expect(r.filter((e) => e.outcome === 'hatch' && !userObjects.test(e.object))).toEqual([]);
    expect(r.filter((e) => e.outcome === 'left-out').filter((e) => !/controller|KubeSphere derives|Kubernetes or KubeSphere|a Secret holds values/.test(e.detail))).toEqual([]);
  });

  test('the program type-checks with the project\'s strict options', () => {
    const r = typeCheckPrograms({ [name]: trip().imported.program });
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);
});
