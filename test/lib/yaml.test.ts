import fc from 'fast-check';
import { parse, parseAllDocuments } from 'yaml';
import { toYamlDocument, toYamlStream, yamlString } from '../../lib/yaml';
import type { JsonObject, JsonValue } from '../../lib/yaml';

// Strings that mean something else to a YAML parser when written plain (YAML 1.1 and 1.2).
const TRICKY = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'true', 'False', 'NULL', 'null', '~', '', ' ', ' lead', 'trail ',
  '0x1F', '0o17', '0b101', '1e3', '1E', '1e', '1.5', '-1', '+1', '.5', '.inf', '-.inf', '.nan', '010', '1_000', '1:20', '2001-12-14',
  '500m', '12Mi', '1.5Gi', '0m', '=', '<<', '- a', 'a: b', 'a:', ':a', '#c', 'a #b', '@x', '`x', '!tag', '&a', '*a', '%x', '|', '>',
  '"', "'", '?', '? a', '{}', '[]', ',', 'a,b', 'line\nbreak', 'tab\there', '\u2028', '\u0085', '\u007f', '\ufeff', 'ä€😀', '\\',
  'harbor.example.com:5000/shop/web:1.4.2', 'app.kubernetes.io/name', '/healthz', 'http://x', '---', '...',
];

const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ unit: 'binary' }),
  fc.stringMatching(/^[a-z0-9][a-z0-9.\/:-]{0,20}$/),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
  fc.boolean(),
);
const key = fc.oneof(fc.constantFrom('name', 'apiVersion', 'kind', 'metadata', 'spec', 'app.kubernetes.io/name', ...TRICKY), fc.string({ unit: 'binary' }));

const { value } = fc.letrec<{ value: JsonValue; object: JsonObject; array: JsonValue[] }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('object'), tie('array')),
  object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  array: fc.array(tie('value'), { maxLength: 5 }),
}));
const kubeObject = fc.record({ apiVersion: fc.constantFrom('v1', 'apps/v1'), kind: fc.constantFrom('ConfigMap', 'Deployment'), metadata: fc.record({ name: fc.string() }) }).chain((head) =>
  fc.dictionary(key, value, { maxKeys: 6 }).map((rest) => ({ ...rest, ...head }) as JsonObject),
);

describe('the YAML writer', () => {
  it('round-trips random Kubernetes-shaped values through the yaml parser, in YAML 1.2 and 1.1', () => {
    fc.assert(
      fc.property(kubeObject, (doc) => {
        const text = toYamlDocument(doc);
        expect(parse(text, { version: '1.2', uniqueKeys: true })).toEqual(doc);
        expect(parse(text, { version: '1.1', uniqueKeys: true })).toEqual(doc);
      }),
      { seed: 20261122, numRuns: 500 },
    );
  });

  it('round-trips every tricky string as a value and as a key', () => {
    for (const s of TRICKY) {
      const doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { [s]: s, list: [s] } };
      expect(parse(toYamlDocument(doc), { version: '1.1' })).toEqual(doc);
      expect(parse(toYamlDocument(doc))).toEqual(doc);
    }
  });

  it('writes apiVersion, kind and metadata first and every other key sorted', () => {
    const text = toYamlDocument({ spec: { b: 1, a: 2 }, metadata: { name: 'x1' }, kind: 'K', apiVersion: 'v1', data: {} });
    expect(text).toBe('apiVersion: v1\nkind: K\nmetadata:\n  name: x1\ndata: {}\nspec:\n  a: 2\n  b: 1\n');
  });

  it('leaves out undefined and null members and keeps empty maps and lists', () => {
    const text = toYamlDocument({ apiVersion: 'v1', kind: 'K', metadata: { name: 'x1', namespace: undefined }, spec: { gone: null, emptyDir: {}, list: [] } });
    expect(text).toBe('apiVersion: v1\nkind: K\nmetadata:\n  name: x1\nspec:\n  emptyDir: {}\n  list: []\n');
  });

  it('writes plain scalars where they are unambiguous and quotes the rest', () => {
    expect(yamlString('nginx')).toBe('nginx');
    expect(yamlString('harbor.example.com/shop/web:1.4.2')).toBe('harbor.example.com/shop/web:1.4.2');
    expect(yamlString('500m')).toBe('500m');
    expect(yamlString('8080')).toBe('"8080"');
    expect(yamlString('true')).toBe('"true"');
    expect(yamlString('on')).toBe('"on"');
    expect(yamlString('e0')).toBe('"e0"');
    expect(yamlString('E+5')).toBe('"E+5"');
    expect(yamlString('a: b')).toBe('"a: b"');
    expect(yamlString('\u2028')).toBe('"\\u2028"');
  });

  it('writes sequences of maps and nested sequences in block style', () => {
    const text = toYamlDocument({ apiVersion: 'v1', kind: 'K', metadata: { name: 'x1' }, items: [{ b: 1, a: [1, [2, 3]] }, [], {}] });
    expect(text).toBe('apiVersion: v1\nkind: K\nmetadata:\n  name: x1\nitems:\n- a:\n  - 1\n  - - 2\n    - 3\n  b: 1\n- []\n- {}\n');
  });

  it('refuses numbers YAML cannot hold', () => {
    expect(() => toYamlDocument({ apiVersion: 'v1', kind: 'K', metadata: { name: 'x1' }, x: Number.NaN })).toThrow('cannot write the number NaN to YAML');
  });

  it('separates documents of a stream with ---', () => {
    const docs = [{ apiVersion: 'v1', kind: 'A', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'B', metadata: { name: 'b' } }];
    expect(parseAllDocuments(toYamlStream(docs)).map((d) => d.toJS())).toEqual(docs);
  });
});
