/**
 * A YAML writer specialised for Kubernetes manifests: JSON-like values (objects, arrays, strings,
 * numbers, booleans) written in block style with sorted keys.
 *
 * Why not a general YAML library: serializing is most of the cost of synthesis (for the largest bench estate the
 * `yaml` package takes about 50 times as long as `JSON.stringify`, this writer about 4 times; `npm run bench`). This writer does one thing: any string
 * that is not plainly safe is written as a JSON string, which is a valid YAML double-quoted scalar, so it
 * never has to reason about YAML's quoting rules beyond a short allow-list. Its output is checked against
 * the `yaml` package's parser by a property-based round-trip test.
 */

/** A JSON value as written to a manifest. `undefined` members are left out; `null` members too. */
export type JsonValue = string | number | boolean | null | undefined | JsonValue[] | JsonObject;

/** A JSON object as written to a manifest. */
export interface JsonObject {
  /** Each member; `undefined` and `null` members are left out. */
  [key: string]: JsonValue;
}

const TOP_LEVEL_FIRST = ['apiVersion', 'kind', 'metadata'];
const PLAIN = /^[A-Za-z/][A-Za-z0-9_./@=+-]*(:[A-Za-z0-9_./@=+-]+)*$/;
const PLAIN_QUANTITY = /^[1-9][0-9]*(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P)$/;
const RESERVED = /^(y|n|yes|no|on|off|true|false|null)$/i;
// Characters YAML does not allow unescaped, or treats as line breaks in YAML 1.1, that JSON.stringify keeps.
const UNSAFE_IN_QUOTES = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;
const INDENTS: string[] = [''];

function spaces(n: number): string {
  while (INDENTS.length <= n) INDENTS.push(' '.repeat(INDENTS.length));
  return INDENTS[n];
}

/** Writes a string as a plain scalar when that is unambiguous, otherwise as a double-quoted scalar. */
export function yamlString(value: string): string {
  if ((PLAIN.test(value) && !RESERVED.test(value)) || PLAIN_QUANTITY.test(value)) return value;
  const quoted = JSON.stringify(value);
  return UNSAFE_IN_QUOTES.test(quoted)
    ? quoted.replace(UNSAFE_IN_QUOTES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : quoted;
}

function scalar(value: string | number | boolean | null | undefined): string {
  switch (typeof value) {
    case 'string':
      return yamlString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot write the number ${value} to YAML`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return 'null';
  }
}

function presentKeys(obj: JsonObject, topLevel: boolean): string[] {
  const keys: string[] = [];
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v !== undefined && v !== null) keys.push(key);
  }
  keys.sort();
  if (topLevel) {
    const first = TOP_LEVEL_FIRST.filter((k) => keys.includes(k));
    return [...first, ...keys.filter((k) => !TOP_LEVEL_FIRST.includes(k))];
  }
  return keys;
}

function writeValueAfterKey(value: JsonValue, indent: number, out: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(' []\n');
    else {
      out.push('\n');
      writeSequence(value, indent, spaces(indent), out);
    }
  } else if (value !== null && typeof value === 'object') {
    const keys = presentKeys(value, false);
    if (keys.length === 0) out.push(' {}\n');
    else {
      out.push('\n');
      writeMapping(value, keys, indent + 2, spaces(indent + 2), out);
    }
  } else {
    out.push(' ', scalar(value), '\n');
  }
}

function writeMapping(obj: JsonObject, keys: string[], indent: number, firstPrefix: string, out: string[]): void {
  let prefix = firstPrefix;
  const pad = spaces(indent);
  for (const key of keys) {
    out.push(prefix, yamlString(key), ':');
    writeValueAfterKey(obj[key], indent, out);
    prefix = pad;
  }
}

function writeSequence(items: JsonValue[], indent: number, firstPrefix: string, out: string[]): void {
  let prefix = firstPrefix;
  const pad = spaces(indent);
  for (const item of items) {
    const dash = `${prefix}- `;
    if (Array.isArray(item)) {
      if (item.length === 0) out.push(dash, '[]\n');
      else writeSequence(item, indent + 2, dash, out);
    } else if (item !== null && typeof item === 'object') {
      const keys = presentKeys(item, false);
      if (keys.length === 0) out.push(dash, '{}\n');
      else writeMapping(item, keys, indent + 2, dash, out);
    } else {
      out.push(dash, scalar(item), '\n');
    }
    prefix = pad;
  }
}

/**
 * Writes one YAML document for a Kubernetes object: `apiVersion`, `kind` and `metadata` first, every other
 * key sorted, `undefined` and `null` members left out.
 */
export function toYamlDocument(doc: JsonObject): string {
  const out: string[] = [];
  const keys = presentKeys(doc, true);
  if (keys.length === 0) return '{}\n';
  writeMapping(doc, keys, 0, '', out);
  return out.join('');
}

/** Writes several documents as one YAML stream, separated by `---`. */
export function toYamlStream(docs: readonly JsonObject[]): string {
  return docs.map(toYamlDocument).join('---\n');
}
