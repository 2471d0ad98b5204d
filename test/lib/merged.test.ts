/**
 * `merged` replaces `{ ...a, ...b }` in the render (for speed): for any maps, hostile keys included (`__proto__`,
 * number-like keys, `constructor`), it must give the same own fields, in the same order, with the same values and the
 * same prototype as the spreads did. Seeded and bounded.
 */
import fc from 'fast-check';
import { merged } from '../../lib/merged';

/** What the render wrote before: the maps spread into one literal. */
function spread(maps: ReadonlyArray<Record<string, string> | undefined>): Record<string, string> {
  return maps.reduce<Record<string, string>>((out, m) => ({ ...out, ...m }), {});
}

/** Own fields in order, with their values and whether they are plain data. */
function shape(o: object): unknown {
  return {
    proto: Object.getPrototypeOf(o) === Object.prototype,
    fields: Reflect.ownKeys(o).map((k) => [k, (Object.getOwnPropertyDescriptor(o, k) as PropertyDescriptor).value]),
  };
}

const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', '0', '10', '2', 'app.kubernetes.io/name', 'hasOwnProperty'),
);
/** A map as a user's input may hold it: made by JSON.parse, so that a `__proto__` key is an own field. */
const map = fc
  .array(fc.tuple(key, fc.string({ maxLength: 4 })), { maxLength: 5 })
  .map((entries) => JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as Record<string, string>);
const maps = fc.array(fc.option(map, { nil: undefined }), { maxLength: 4 });

describe('merged', () => {
  test('the later map wins, undefined maps are skipped, the inputs are left as they were', () => {
    const a = { x: '1', y: '2' };
    const b = { y: '3', z: '4' };
    const out = merged(a, undefined, b);
    expect(Object.entries(out)).toEqual([['x', '1'], ['y', '3'], ['z', '4']]);
    expect(out).not.toBe(a);
    expect(a).toEqual({ x: '1', y: '2' });
    expect(merged()).toEqual({});
  });

  test('a "__proto__" key of user input is kept as a field and never becomes the prototype', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": "yes"}, "a": "1"}') as Record<string, string>;
    const out = merged({ b: '2' }, hostile);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['b', '__proto__', 'a']);
    expect(shape(out)).toEqual(shape(spread([{ b: '2' }, hostile])));
  });

  test('property: the same fields, order, values and prototype as spreading the maps', () => {
    fc.assert(
      fc.property(maps, (ms) => {
        expect(shape(merged(...ms))).toEqual(shape(spread(ms)));
      }),
      { seed: 20261206, numRuns: 500 },
    );
  });
});
