/**
 * The YAML writer appends every piece of a document to one string (for speed); its output must stay byte for byte
 * what the earlier writer wrote, which built each collection's text apart and concatenated it into its parent's. The
 * earlier writer is kept here as the reference, and random JSON-like objects (nulls and `undefined` members,
 * unsorted and number-like keys, empty and nested collections, keys too long for an implicit key) must be written
 * alike. Seeded and bounded.
 */
import fc from 'fast-check';
import { toYamlDocument, toYamlStream, yamlString } from '../../lib/yaml';
import type { JsonObject, JsonValue } from '../../lib/yaml';

/** The earlier writer, as it was (its scalars are the writer's own `yamlString`). */
function reference(doc: JsonObject): string {
  const pad = (n: number): string => ' '.repeat(n);
  const scalar = (value: string | number | boolean | null | undefined): string => {
    if (typeof value === 'string') return yamlString(value);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`cannot write the number ${value} to YAML`);
      return String(value);
    }
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    return 'null';
  };
  const presentKeys = (obj: JsonObject): string[] => Object.keys(obj).filter((k) => obj[k] !== undefined && obj[k] !== null).sort();
  const valueAfterKey = (value: JsonValue, indent: number): string => {
    if (typeof value !== 'object' || value === null) return ` ${scalar(value)}\n`;
    if (Array.isArray(value)) return value.length === 0 ? ' []\n' : `\n${sequence(value, indent, pad(indent))}`;
    const keys = presentKeys(value);
    return keys.length === 0 ? ' {}\n' : `\n${mapping(value, keys, indent + 2, pad(indent + 2))}`;
  };
  const mapping = (obj: JsonObject, keys: string[], indent: number, firstPrefix: string): string => {
    let out = '';
    let prefix = firstPrefix;
    for (const key of keys) {
      const k = yamlString(key);
      out += k.length <= 1024 ? `${prefix}${k}:${valueAfterKey(obj[key], indent)}` : `${prefix}? ${k}\n${pad(indent)}:${valueAfterKey(obj[key], indent)}`;
      prefix = pad(indent);
    }
    return out;
  };
  const sequence = (items: JsonValue[], indent: number, firstPrefix: string): string => {
    let out = '';
    let prefix = firstPrefix;
    for (const item of items) {
      const dash = `${prefix}- `;
      if (typeof item !== 'object' || item === null) out += `${dash}${scalar(item)}\n`;
      else if (Array.isArray(item)) out += item.length === 0 ? `${dash}[]\n` : sequence(item, indent + 2, dash);
      else {
        const keys = presentKeys(item);
        out += keys.length === 0 ? `${dash}{}\n` : mapping(item, keys, indent + 2, dash);
      }
      prefix = pad(indent);
    }
    return out;
  };
  const present = presentKeys(doc);
  const first = ['apiVersion', 'kind', 'metadata'].filter((k) => present.includes(k));
  const keys = [...first, ...present.filter((k) => !first.includes(k))];
  return keys.length === 0 ? '{}\n' : mapping(doc, keys, 0, '');
}

const KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'name', 'labels', 'a', 'B', 'z', '10', '2', '', 'x y', 'yes', 'k:v', 'ä', 'k'.repeat(1100)];
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 }));
const scalarValue = fc.oneof(
  fc.constantFrom('yes', 'off', '0644', '1:30', '~', '', ' x', 'a: b', 'line\nbreak', 'plain', 'harbor.example.com/a:1.0', '500m'),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const { value } = fc.letrec<{ value: JsonValue; object: JsonObject }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarValue, fc.array(tie('value'), { maxLength: 4 }), tie('object')),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }) as fc.Arbitrary<JsonObject>,
}));
const document = fc.dictionary(key, value, { maxKeys: 8 }) as fc.Arbitrary<JsonObject>;

const variant = fc.constantFrom('plain', 'reversed', 'null-prototype', 'inherited');

/** The same value with every object rebuilt: its keys reversed, without a prototype, or inheriting a key. */
function rebuild(v: JsonValue, how: string): JsonValue {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => rebuild(x, how));
  const keys = Object.keys(v);
  if (how === 'reversed') keys.reverse();
  const out: JsonObject = how === 'null-prototype' ? (Object.create(null) as JsonObject) : how === 'inherited' ? (Object.create({ inheritedKey: 'never written' }) as JsonObject) : {};
  for (const k of keys) Object.defineProperty(out, k, { value: rebuild(v[k], how), enumerable: true, writable: true, configurable: true });
  return out;
}

describe('the YAML writer against its earlier version', () => {
  test('property: every document is written byte for byte as before', () => {
    fc.assert(
      fc.property(document, (doc) => toYamlDocument(doc) === reference(doc)),
      { seed: 20261206, numRuns: 500 },
    );
  });

  test('Kubernetes-shaped documents, empty ones and ones with only null members', () => {
    const docs: JsonObject[] = [
      {},
      { a: null, b: undefined },
      { spec: { z: 1, a: [[], [1, [2, {}]], { b: null }], m: {} }, kind: 'ConfigMap', metadata: { name: 'x', labels: { b: '1', a: '2' } }, apiVersion: 'v1' },
      { ['k'.repeat(1100)]: { ['j'.repeat(1030)]: ['x'] } },
      { items: [{ a: 1, b: [{ c: null, d: 'yes' }] }, [['deep']]] },
      { n: { a: -0, b: 65535, c: 65536, d: 1.5, e: true, f: false, g: 0, h: -1, i: 1e21 }, m: [{ x: 1, ['k'.repeat(1100)]: 2, y: 3 }] },
    ];
    for (const doc of docs) expect(toYamlDocument(doc)).toBe(reference(doc));
  });

  test('a number that YAML cannot hold is refused, and the next document is written whole', () => {
    expect(() => toYamlDocument({ a: 'x', b: Infinity })).toThrow('cannot write the number Infinity');
    expect(toYamlDocument({ kind: 'K' })).toBe('kind: K\n');
  });

  // The writer sorts each shape of object (its keys in their own order) once and finds an object's shape in a tree of
  // the shapes seen: objects of one key set in another order, of a prototype other than Object's, with no prototype,
  // or so many shapes that the tree is dropped, must all be written as before.
  test('property: the same objects in any key order, prototype or none, are written as before', () => {
    fc.assert(
      fc.property(document, variant, (doc, how) => {
        const rebuilt = rebuild(doc, how) as JsonObject;
        return toYamlDocument(rebuilt) === reference(doc) && toYamlDocument(doc) === reference(doc);
      }),
      { seed: 20261206, numRuns: 400 },
    );
  });

  test('more shapes than the writer keeps (hostile key sets) are written as before, before and after it drops them', () => {
    const docs: JsonObject[] = [];
    for (let i = 0; i < 21_000; i++) docs.push({ kind: 'K', metadata: { name: `n${i}`, [`k${i}`]: i, a: 'x' }, [`spec${i % 7}`]: { z: i, y: null } });
    const differ = [...docs, ...docs.slice(0, 50)].filter((doc) => toYamlDocument(doc) !== reference(doc));
    expect(differ).toEqual([]);
  });

  test('property: a stream of documents is their documents joined by `---`, as before', () => {
    fc.assert(
      fc.property(fc.array(document, { maxLength: 5 }), (docs) => toYamlStream(docs) === docs.map(reference).join('---\n')),
      { seed: 20261206, numRuns: 200 },
    );
  });

  // The writer remembers, in each place of a layout, the shape of the mapping written there last and the lines of the
  // string values written there lately: a stream that comes back to the same few shapes and values in any key order,
  // prototype or none, must be written as before, whichever of them the writer reuses.
  test('property: streams that repeat a few shapes and values, in any key order and prototype, are written as before', () => {
    const pick = fc.tuple(fc.nat(), variant);
    fc.assert(
      fc.property(fc.array(document, { minLength: 1, maxLength: 4 }), fc.array(pick, { minLength: 1, maxLength: 30 }), (templates, picks) => {
        const docs = picks.map(([i, how]) => rebuild(templates[i % templates.length], how) as JsonObject);
        return toYamlStream(docs) === docs.map(reference).join('---\n') && docs.every((d) => toYamlDocument(d) === reference(d));
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });

  test('string values that repeat often, seldom or never, long, quoted and under long keys, are written as before', () => {
    const long = 'k'.repeat(1100);
    for (const distinct of [1, 3, 255, 300, 5000]) {
      const docs: JsonObject[] = [];
      for (let i = 0; i < 1200; i++) {
        const v = `v${(i * 7) % distinct}`;
        docs.push({
          kind: 'K',
          metadata: { name: `n${i}`, labels: { app: v, quoted: `yes${i % 2 === 0 ? '' : ': x'}`, long: v.repeat(40) } },
          spec: { [long]: v, items: [{ name: v, value: i % 3 === 0 ? 'on' : v }, { name: `${v}-b` }] },
        });
      }
      expect(toYamlStream(docs)).toBe(docs.map(reference).join('---\n'));
    }
  });

  test('when the lines kept exceed their bound, everything is dropped and written as before', () => {
    // 500 shapes, each with 256 values written three times: more lines than the writer keeps.
    let differ = 0;
    for (let s = 0; s < 500; s++) {
      for (let v = 0; v < 256; v++) {
        for (let r = 0; r < 3; r++) if (toYamlDocument({ [`key${s}`]: `value${v}` }) !== `key${s}: value${v}\n`) differ++;
      }
    }
    expect(differ).toBe(0);
  });

  test('values that are not JSON (a function, a bigint, a symbol) are written as null, as before', () => {
    const doc = { a: (() => 1) as unknown as JsonValue, b: BigInt(1) as unknown as JsonValue, c: [Symbol('s') as unknown as JsonValue], d: 'x' };
    expect(toYamlDocument(doc)).toBe(reference(doc));
    expect(toYamlDocument(doc)).toBe('a: null\nb: null\nc:\n- null\nd: x\n');
  });

  // Most strings are told plain by one pass over their characters, without the regular expressions: that pass must
  // agree with them on every string, also near its edges (5 and 6 characters, a leading `e`, a `:`, characters just
  // outside the allowed ranges).
  test('property: a string is written plain or quoted exactly as the regular expressions of the earlier writer decide', () => {
    const PLAIN = /^[A-Za-z/][A-Za-z0-9_./@=+-]*(:[A-Za-z0-9_./@=+-]+)*$/;
    const PLAIN_QUANTITY = /^[1-9][0-9]*(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P)$/;
    const RESERVED = /^(y|n|yes|no|on|off|true|false|null|e[-+]?[0-9]+)$/i;
    const plain = (v: string): boolean => (PLAIN.test(v) && !RESERVED.test(v)) || PLAIN_QUANTITY.test(v);
    const chars = fc.constantFrom(...'aezAEZ09/-._@=+:,*?&!#~[]{}` \u00e4\u007f'.split(''), ',', '`', '^', '\\', '\'', '"', '\n');
    const word = fc.oneof(
      fc.array(chars, { maxLength: 12 }).map((cs) => cs.join('')),
      fc.tuple(fc.constantFrom('e', 'E', 'yes', 'False', 'null', 'off', 'a', '/', '1'), fc.array(chars, { maxLength: 8 })).map(([h, cs]) => `${h}${cs.join('')}`),
      fc.constantFrom('e12345', 'E+12345', 'e-1234567', 'eeeeee', 'abcdef', 'abcde', 'a'.repeat(256), 'a'.repeat(257), `/${'b'.repeat(300)}`),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(word, (v) => (yamlString(v) === v) === plain(v)),
      { seed: 20261206, numRuns: 3000 },
    );
  });
});
