/**
 * The render refuses two objects of one kind and name in one namespace of a cluster (`checkUnique`). It looks up
 * earlier groups only in a namespace written to before and finds a group's own collisions as neighbours (the group is
 * sorted), for speed: for random sorted groups (kinds, apiVersions, namespaces and names from small sets, so that they
 * meet, within a group and across groups) it must report exactly what a plain lookup of every object reports, in the
 * same order, naming the same first writer. The groups are sorted by kind first, then within each kind, which must give
 * the order of one stable sort by `compareObjects`. Seeded and bounded.
 */
import fc from 'fast-check';
import { compareObjects } from '../../lib/manifest';
import type { KubeObject, ManifestOrigin } from '../../lib/manifest';
import type { Problem } from '../../lib/problems';
import { checkUnique, sortRendered } from '../../lib/render';
import type { RenderedObject, SeenObjects } from '../../lib/render';

/** The check as it was: every object looked up by namespace and name in everything seen so far. */
function reference(groups: RenderedObject[][]): { problems: string[]; results: boolean[] } {
  const seen = new Map<string, { kind: string; apiVersion: string; origin: ManifestOrigin }[]>();
  const problems: string[] = [];
  const results: boolean[] = [];
  for (const group of groups) {
    const before = problems.length;
    for (const r of group) {
      const o = r.object;
      const key = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      const named = seen.get(key) ?? [];
      const first = named.find((e) => e.kind === o.kind && e.apiVersion === o.apiVersion)?.origin;
      if (!first) {
        named.push({ kind: o.kind, apiVersion: o.apiVersion, origin: r.origin });
        seen.set(key, named);
        continue;
      }
      problems.push(`${label(r.origin)} ${o.kind} ${o.metadata.name} first ${label(first)}`);
    }
    results.push(problems.length === before);
  }
  return { problems, results };
}

function label(origin: ManifestOrigin): string {
  return origin.construct ?? '?';
}

const object = fc.record({
  kind: fc.constantFrom('ConfigMap', 'Service', 'RoleBinding'),
  apiVersion: fc.constantFrom('v1', 'v2'),
  namespace: fc.constantFrom(undefined, 'a', 'b'),
  name: fc.constantFrom('x', 'y', 'z'),
});
const groups = fc.array(fc.array(object, { maxLength: 8 }), { maxLength: 6 });

describe('the uniqueness check of a cluster\'s objects', () => {
  test('property: the same problems, in the same order, naming the same first writer, as a plain lookup', () => {
    fc.assert(
      fc.property(groups, (specs) => {
        let n = 0;
        const rendered: RenderedObject[][] = specs.map((g) =>
          g
            .map((s): RenderedObject => ({
              object: { apiVersion: s.apiVersion, kind: s.kind, metadata: { name: s.name, namespace: s.namespace } } as KubeObject,
              origin: { construct: `o${n++}` },
            }))
            .sort((p, q) => compareObjects(p.object, q.object)),
        );
        const expected = reference(rendered);
        const seen: SeenObjects = new Map();
        const problems: Problem[] = [];
        const results = rendered.map((g) => checkUnique('c', g, seen, problems));
        expect(results).toEqual(expected.results);
        expect(problems.map((p) => `${p.path} ${p.property} ${p.value}`)).toEqual(expected.problems.map((t) => t.replace(/ first .*/, '')));
        expect(problems.map((p) => /on cluster c, (\S+) writes/.exec(p.message)?.[1])).toEqual(expected.problems.map((t) => t.replace(/.* first /, '')));
      }),
      { seed: 20261206, numRuns: 500 },
    );
  });
});

describe('the order of a group\'s objects', () => {
  test('property: sortRendered gives the order of a stable sort by compareObjects, ties kept as given', () => {
    const kinds = fc.constantFrom('ConfigMap', 'Service', 'Deployment', 'Namespace', 'NetworkPolicy', 'Zeta', 'Alpha', 'RoleBinding');
    const spec = fc.record({ kind: kinds, apiVersion: fc.constantFrom('v1', 'apps/v1', 'x/v2'), namespace: fc.constantFrom(undefined, 'a', 'b'), name: fc.constantFrom('x', 'y', 'z', 'x-1') });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 40 }), (specs) => {
        const objects: RenderedObject[] = specs.map((s, i) => ({
          object: { apiVersion: s.apiVersion, kind: s.kind, metadata: { name: s.name, namespace: s.namespace } } as KubeObject,
          origin: { construct: `o${i}` },
        }));
        const expected = [...objects].sort((p, q) => compareObjects(p.object, q.object));
        const sorted = sortRendered([...objects]);
        expect(sorted.map((r) => r.origin.construct)).toEqual(expected.map((r) => r.origin.construct));
      }),
      { seed: 20261206, numRuns: 500 },
    );
  });
});
