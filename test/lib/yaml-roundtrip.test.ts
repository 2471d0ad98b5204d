/**
 * The proof that the specialized YAML writer (`lib/yaml.ts`) is correct: random Kubernetes-shaped objects, full
 * of strings that YAML 1.1 or 1.2 would read as something else when written plain, are written and parsed back
 * with the `yaml` package under both YAML 1.2 (core schema) and YAML 1.1 rules (`yes`/`no`/`on`/`off` booleans,
 * sexagesimal numbers, `0644` octal, timestamps: what Kubernetes tools read), and must come back as the same value.
 *
 * The runs are seeded and bounded so that the test is fast and repeatable. To search longer, run for example
 *   YAML_ROUNDTRIP_RUNS=20000 YAML_ROUNDTRIP_SEED=$RANDOM npx jest test/lib/yaml-roundtrip.test.ts
 * (a failure prints the seed and the shrunk counterexample to replay).
 */
import fc from 'fast-check';
import { parse, parseAllDocuments } from 'yaml';
import { toYamlDocument, toYamlStream } from '../../lib/yaml';
import type { JsonObject, JsonValue } from '../../lib/yaml';

const RUNS = Number(process.env.YAML_ROUNDTRIP_RUNS ?? 300);
const SEED = Number(process.env.YAML_ROUNDTRIP_SEED ?? 20261203);

/** Strings a YAML 1.1 or 1.2 reader takes for something else (or stumbles on) when they are written plain. */
const TRICKY = [
  // booleans and nulls, YAML 1.1 and 1.2
  'yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'Yes', 'NO', 'On', 'OFF', 'true', 'false', 'True', 'FALSE', '~', 'null', 'Null', 'NULL', '',
  // numbers: octal, hex, binary, exponents, infinities, sexagesimal, underscores
  '0644', '0755', '0o17', '0x1F', '0b101', '1e3', '1E3', '1e-3', 'e0', 'E5', 'e+5', 'e-12', '.5', '5.', '+1', '-1', '1_000', '.inf', '-.inf', '+.inf', '.Inf', '.nan', '.NaN',
  '1:30', '190:20:30', '-1:30', '12:00', '1.5', '0', '00', '-0',
  // timestamps
  '2026-12-03', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2026-12-03T10:00:00Z',
  // indicators and structure
  '#', '# comment', 'a #b', 'a#b', ': ', 'a: b', 'a:', ':a', '- ', '- a', '-', '--', '---', '...', '?', '? a', '|', '>', '|-', '>+', '!', '!!str',
  '!tag x', '&anchor', '*alias', '%YAML 1.2', '@x', '`x', '{}', '[]', '{a: 1}', '[a, b]', ',', 'a,b', '<<', '=', '"', "'", "it's", '"quoted"',
  // white space, escapes, line breaks
  ' ', '  ', ' lead', 'trail ', ' both ', '\t', 'tab\there', '\ttab', 'line\nbreak', 'ends\n', '\n', '\r\n', 'cr\rhere', '\\', 'back\\slash',
  'a\\nb', '\u0000', '\u0007', '\u001b[0m', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\ufeff', '\ufffe',
  // non-ASCII
  'ä', 'Grüße', '日本語', 'ñandú', 'emoji 😀', '😀', 'Ω≈ç√', 'עברית', 'e\u0301',
  // Kubernetes values
  'harbor.example.com:5000/shop/web:1.4.2', 'app.kubernetes.io/name', '/healthz', 'http://x.example.com/a?b=c#d', '500m', '12Mi', '1.5Gi', '100',
  '8080', 'TCP', 'IfNotPresent', '*.example.com', 'key=value', 'a=b:NoSchedule', '${VAR}', '{{ .Values.x }}', 'sha256:0123abcd',
];

/** Pieces that random strings are made of: each is harmless alone or meaningful next to another. */
const PIECES = [
  'a', 'b', 'Z', 'x-y', '.', '/', '_', '0', '1', '9', '-', '+', ':', ': ', ' :', '#', ' #', '- ', ' ', '\t', '\n', '"', "'", '\\', '~', '?', '!',
  '&', '*', '%', '@', '`', '|', '>', '{', '}', '[', ']', ',', '=', '<<', 'yes', 'no', 'on', 'null', 'true', '0644', '1:30', '1e3', '.inf',
  'ä', '€', '😀', '日', '\u2028', '\u0085', '\ufeff',
];

const dateString = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().slice(0, 10), d.toISOString().replace('T', ' ').replace('Z', ' +2'), d.toUTCString()));

/** Any string a manifest may hold. */
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((p) => p.join('')) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9]([a-z0-9.\/:-]{0,30}[a-z0-9])?$/) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: dateString },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(' ', '  ', '\t', '\n'), fc.constantFrom(...TRICKY)).map(([w, s]) => `${w}${s}${w}`) },
  // very long strings, on one line and on many (a ConfigMap's file)
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1000, maxLength: 3000 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...TRICKY), { minLength: 50, maxLength: 300 }).map((l) => l.join('\n')) },
);

/** Keys: Kubernetes field names, label and annotation keys, ConfigMap keys, and keys that need quotes. */
const key: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom('name', 'value', 'image', 'args', 'env', 'data', 'spec', 'status', 'app.kubernetes.io/name', 'kubesphere.io/alias-name', 'config.yaml', '.env') },
    { weight: 3, arbitrary: text },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 200, maxLength: 1200 }) },
  )
  .filter((k) => k !== '__proto__');

const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 2, arbitrary: fc.integer({ min: -70000, max: 70000 }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)) },
  { weight: 1, arbitrary: fc.boolean() },
);

const { value } = fc.letrec<{ value: JsonValue; object: JsonObject; array: JsonValue[] }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('object'), tie('array')),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  array: fc.array(tie('value'), { maxLength: 4 }),
}));

const stringMap = fc.dictionary(key, text, { maxKeys: 6 });

const container = fc.record({
  name: text,
  image: text,
  args: fc.array(text, { maxLength: 4 }),
  env: fc.array(fc.record({ name: text, value: text }), { maxLength: 4 }),
  ports: fc.array(fc.record({ name: text, containerPort: fc.integer({ min: 1, max: 65535 }), protocol: fc.constantFrom('TCP', 'UDP') }), { maxLength: 3 }),
  resources: fc.record({ limits: fc.record({ cpu: text, memory: text }) }),
});

/** A Kubernetes-shaped object: metadata with labels and annotations, ConfigMap-like data, a pod template, and more. */
const kubeObject: fc.Arbitrary<JsonObject> = fc
  .record({
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'cert-manager.io/v1'),
    kind: fc.constantFrom('ConfigMap', 'Deployment', 'Certificate'),
    metadata: fc.record({ name: text, namespace: text, labels: stringMap, annotations: stringMap }, { requiredKeys: ['name'] }),
    data: stringMap,
    spec: fc.record(
      {
        replicas: fc.integer({ min: 0, max: 100 }),
        template: fc.record({ spec: fc.record({ containers: fc.array(container, { maxLength: 2 }) }) }),
        extra: value,
      },
      { requiredKeys: [] },
    ),
  })
  .chain((head) => fc.dictionary(key, value, { maxKeys: 3 }).map((rest) => ({ ...rest, ...head }) as JsonObject));

describe('the YAML writer, round-tripped through the yaml package', () => {
  it('reads back random Kubernetes-shaped objects as written, under YAML 1.2 and YAML 1.1 rules', () => {
    fc.assert(
      fc.property(kubeObject, (doc) => {
        const written = toYamlDocument(doc);
        expect(parse(written, { version: '1.2', uniqueKeys: true })).toEqual(doc);
        expect(parse(written, { version: '1.1', uniqueKeys: true })).toEqual(doc);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('reads back streams of several objects, under YAML 1.2 and YAML 1.1 rules', () => {
    fc.assert(
      fc.property(fc.array(kubeObject, { minLength: 1, maxLength: 3 }), (docs) => {
        const written = toYamlStream(docs);
        for (const version of ['1.2', '1.1'] as const) {
          const read = parseAllDocuments(written, { version, uniqueKeys: true });
          const list = Array.isArray(read) ? read : [];
          for (const d of list) expect(d.errors).toEqual([]);
          expect(list.map((d) => d.toJS())).toEqual(docs);
        }
      }),
      { seed: SEED + 1, numRuns: Math.max(1, Math.floor(RUNS / 5)) },
    );
  });

  it('reads back every tricky string as a key, a value and an item, under YAML 1.2 and YAML 1.1 rules', () => {
    for (const s of [...TRICKY, 'k'.repeat(1100), `${'é'.repeat(1100)} x`]) {
      const doc: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: s }, data: { [s]: s, nested: { [s]: [s, { [s]: s }] } }, list: [s, [s], { [s]: s }] };
      const written = toYamlDocument(doc);
      expect(parse(written, { version: '1.2', uniqueKeys: true })).toEqual(doc);
      expect(parse(written, { version: '1.1', uniqueKeys: true })).toEqual(doc);
    }
  });
});
