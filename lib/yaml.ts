/**
 * A YAML writer specialised for Kubernetes manifests: JSON-like values (objects, arrays, strings,
 * numbers, booleans) written in block style with sorted keys.
 *
 * Why not a general YAML library: serializing is a large share of the cost of synthesis (on the 95,763 objects of
 * the largest bench estate the `yaml` package took about 50 times as long as `JSON.stringify`, this writer about
 * 2.5 times; `npm run bench`). This writer does one thing: any string that is not plainly safe is written as a JSON string, which is a valid YAML double-quoted scalar, so it
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
// Plain words a reader takes for something else: YAML 1.1 and 1.2 booleans and null, and exponents without a
// mantissa (`e3`, `E+5`), which the \`yaml\` package's YAML 1.1 rules read as (not-a-)numbers.
const RESERVED = /^(y|n|yes|no|on|off|true|false|null|e[-+]?[0-9]+)$/i;
// Characters YAML does not allow unescaped, or treats as line breaks in YAML 1.1, that JSON.stringify keeps.
const UNSAFE_IN_QUOTES = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;
/**
 * A YAML reader takes at most 1024 characters as an implicit key (`key: value`); a longer key is written as an
 * explicit one (`? key` and `: value` on the next line). Counted in UTF-16 units, which are never fewer than
 * the characters a reader counts.
 */
const IMPLICIT_KEY_MAX = 1024;
const INDENTS: string[] = [''];

function spaces(n: number): string {
  while (INDENTS.length <= n) INDENTS.push(' '.repeat(INDENTS.length));
  return INDENTS[n];
}

/**
 * Strings already written, with how they were written: manifests repeat their keys and many of their values
 * (names, labels, kinds) in every object. Bounded: cleared when full, so memory does not grow with the output.
 */
const written = new Map<string, string>();
const WRITTEN_MAX = 20_000;

/**
 * The same, as written after a key (`' <value>\n'`) and as a key (`'<key>:'`, an implicit key): a document's
 * entries are mostly repeated keys and values, so each entry is then one lookup and one append.
 */
const afterKey = new Map<string, string>();
const asKey = new Map<string, string>();

/** A string written after its key's `:`: `' <value>\n'`. */
function stringAfterKey(value: string): string {
  let out = afterKey.get(value);
  if (out !== undefined) return out;
  out = ` ${yamlString(value)}\n`;
  if (value.length <= 256) {
    if (afterKey.size >= WRITTEN_MAX) afterKey.clear();
    afterKey.set(value, out);
  }
  return out;
}

/** Writes a string as a plain scalar when that is unambiguous, otherwise as a double-quoted scalar. */
export function yamlString(value: string): string {
  let out = written.get(value);
  if (out !== undefined) return out;
  out = writeString(value);
  if (value.length <= 256) {
    if (written.size >= WRITTEN_MAX) written.clear();
    written.set(value, out);
  }
  return out;
}

function writeString(value: string): string {
  if ((PLAIN.test(value) && !RESERVED.test(value)) || PLAIN_QUANTITY.test(value)) return value;
  const quoted = JSON.stringify(value);
  UNSAFE_IN_QUOTES.lastIndex = 0;
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

/** Small whole numbers as written after a key (`' 80\n'`), made when first written: ports, replicas, seconds. */
const SMALL_NUMBERS: (string | undefined)[] = [];
const SMALL_NUMBER_MAX = 65_536;

/** A number written after its key's `:`. */
function numberAfterKey(value: number): string {
  if (Number.isInteger(value) && value >= 0 && value < SMALL_NUMBER_MAX && !Object.is(value, -0)) {
    return (SMALL_NUMBERS[value] ??= ` ${scalar(value)}\n`);
  }
  return ` ${scalar(value)}\n`;
}

/** `'\n'` and `n` spaces: the prefix of a collection's first entry, on the line below its key. */
const LINE_INDENTS: string[] = ['\n'];

function lineIndent(n: number): string {
  while (LINE_INDENTS.length <= n) LINE_INDENTS.push(`\n${spaces(LINE_INDENTS.length)}`);
  return LINE_INDENTS[n];
}

/**
 * The document being written. Every piece is appended to this one string (which V8 keeps as a rope until it is
 * read), rather than each collection's text being built apart and then concatenated into its parent's: fewer
 * intermediate strings for the garbage collector. `toYamlDocument` is not reentrant, and need not be.
 */
let out = '';

/**
 * The keys of one shape of object (one sequence of own keys, in the order `for…in` gives them), sorted, with each
 * key as written before its value (`'<key>:'`; `undefined` for a key too long for an implicit key). Manifests are
 * made of few shapes (every Deployment's `metadata` has the same keys in the same order), so each shape is sorted
 * once, and an object's shape is found by walking a tree of its keys: no array per object, no sort per object.
 */
interface Shape {
  /** The shapes with one more key, by that key. */
  readonly next: Map<string, Shape>;
  /** The keys, sorted; set the first time an object of this shape is written. */
  keys?: string[];
  /** Each of `keys` as written before its value, or `undefined` when it is written as an explicit key. */
  heads?: (string | undefined)[];
  /** By indent: each of `heads` after that indent's spaces (an entry after a mapping's first), made when first used. */
  padded?: (string | undefined)[][];
  /** As a document's top level: `apiVersion`, `kind` and `metadata` first (those present), the other keys sorted. */
  docKeys?: string[];
  /** Each of `docKeys` as written before its value. */
  docHeads?: (string | undefined)[];
}

/** The tree of shapes seen. Bounded: dropped when it holds {@link SHAPES_MAX} shapes (hostile input has many). */
let shapes: Shape = { next: new Map() };
let shapeCount = 0;
const SHAPES_MAX = 20_000;

/** A key as written before its value, or `undefined` when it is too long for an implicit key. */
function keyHead(key: string): string | undefined {
  const written = yamlString(key);
  return written.length > IMPLICIT_KEY_MAX ? undefined : `${written}:`;
}

/**
 * The shape of a plain object (its prototype `Object.prototype` or `null`, so that `for…in` sees exactly its own
 * keys, in `Object.keys` order), with its sorted keys; `undefined` for any other object.
 */
function shapeOf(obj: JsonObject): Shape | undefined {
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) return undefined;
  let node = shapes;
  for (const key in obj) {
    let next = node.next.get(key);
    if (next === undefined) {
      if (shapeCount >= SHAPES_MAX) {
        shapes = { next: new Map() };
        shapeCount = 0;
        return shapeOf(obj);
      }
      next = { next: new Map() };
      node.next.set(key, next);
      shapeCount++;
    }
    node = next;
  }
  if (node.keys === undefined) {
    const keys = Object.keys(obj).sort();
    node.heads = keys.map(keyHead);
    node.keys = keys;
  }
  return node;
}

/** The keys of a document's shape in document order, and their heads (see {@link Shape.docKeys}). */
function docKeysOf(shape: Shape): string[] {
  if (shape.docKeys === undefined) {
    const sorted = shape.keys as string[];
    const keys = [...TOP_LEVEL_FIRST.filter((k) => sorted.includes(k)), ...sorted.filter((k) => !TOP_LEVEL_FIRST.includes(k))];
    shape.docHeads = keys.map(keyHead);
    shape.docKeys = keys;
  }
  return shape.docKeys;
}

/** Appends a value after its key's `:` (a scalar on the same line, a collection on the lines below). */
function writeValueAfterKey(value: JsonValue, indent: number): void {
  if (typeof value === 'string') out += stringAfterKey(value);
  else if (typeof value === 'number') out += numberAfterKey(value);
  else if (typeof value === 'boolean') out += value ? ' true\n' : ' false\n';
  else if (typeof value !== 'object' || value === null) out += ` ${scalar(value)}\n`;
  else if (Array.isArray(value)) {
    if (value.length === 0) out += ' []\n';
    else writeSequence(value, indent, lineIndent(indent));
  } else if (!writeMapping(value, indent + 2, lineIndent(indent + 2))) out += ' {}\n';
}

/**
 * Appends one `key: value` entry whose key is written as `head` (see {@link Shape.heads}); `prefix` goes before the
 * key (a line's indent, or a sequence item's dash).
 */
function writeHeadEntry(key: string, head: string | undefined, value: JsonValue, indent: number, prefix: string): void {
  if (head === undefined) {
    out += `${prefix}? ${yamlString(key)}\n${spaces(indent)}:`;
  } else {
    out += prefix;
    out += head;
  }
  writeValueAfterKey(value, indent);
}

/** Appends one `key: value` entry; `prefix` goes before the key (a line's indent, or a sequence item's dash). */
function writeEntry(key: string, value: JsonValue, indent: number, prefix: string): void {
  let k = asKey.get(key);
  if (k === undefined) {
    const written = yamlString(key);
    if (written.length > IMPLICIT_KEY_MAX) {
      out += `${prefix}? ${written}\n${spaces(indent)}:`;
      writeValueAfterKey(value, indent);
      return;
    }
    k = `${written}:`;
    if (key.length <= 256) {
      if (asKey.size >= WRITTEN_MAX) asKey.clear();
      asKey.set(key, k);
    }
  }
  out += prefix;
  out += k;
  writeValueAfterKey(value, indent);
}

/**
 * Appends an object's entries with sorted keys, `undefined` and `null` members left out; the first entry after
 * `firstPrefix`, the others on lines indented by `indent`. Returns whether any entry was written (an object
 * without any is written by the caller as `{}`).
 */
function writeMapping(obj: JsonObject, indent: number, firstPrefix: string): boolean {
  let prefix = firstPrefix;
  const pad = spaces(indent);
  let wrote = false;
  const shape = shapeOf(obj);
  if (shape === undefined) {
    for (const key of Object.keys(obj).sort()) {
      const value = obj[key];
      if (value === undefined || value === null) continue;
      writeEntry(key, value, indent, prefix);
      prefix = pad;
      wrote = true;
    }
    return wrote;
  }
  const keys = shape.keys as string[];
  const heads = shape.heads as (string | undefined)[];
  let i = 0;
  // The first entry after `firstPrefix`; the others each as one piece, their indent and key made once per shape.
  for (; i < keys.length; i++) {
    const value = obj[keys[i]];
    if (value === undefined || value === null) continue;
    writeHeadEntry(keys[i], heads[i], value, indent, firstPrefix);
    wrote = true;
    i++;
    break;
  }
  if (i >= keys.length) return wrote;
  const padded = paddedHeads(shape, indent, pad);
  for (; i < keys.length; i++) {
    const value = obj[keys[i]];
    if (value === undefined || value === null) continue;
    const head = padded[i];
    if (head === undefined) writeHeadEntry(keys[i], undefined, value, indent, pad);
    else {
      out += head;
      writeValueAfterKey(value, indent);
    }
  }
  return wrote;
}

/** A shape's heads after `indent` spaces (`pad`): see {@link Shape.padded}. */
function paddedHeads(shape: Shape, indent: number, pad: string): (string | undefined)[] {
  const byIndent = (shape.padded ??= []);
  let padded = byIndent[indent];
  if (padded === undefined) {
    padded = (shape.heads as (string | undefined)[]).map((h) => (h === undefined ? undefined : `${pad}${h}`));
    byIndent[indent] = padded;
  }
  return padded;
}

function writeSequence(items: JsonValue[], indent: number, firstPrefix: string): void {
  let prefix = firstPrefix;
  const pad = spaces(indent);
  for (const item of items) {
    const dash = `${prefix}- `;
    if (typeof item !== 'object' || item === null) out += `${dash}${scalar(item)}\n`;
    else if (Array.isArray(item)) {
      if (item.length === 0) out += `${dash}[]\n`;
      else writeSequence(item, indent + 2, dash);
    } else if (!writeMapping(item, indent + 2, dash)) out += `${dash}{}\n`;
    prefix = pad;
  }
}

/** Appends one document (see {@link toYamlDocument}) to the text being written; `{}` when it has no member. */
function writeDocument(doc: JsonObject): void {
  const before = out.length;
  const shape = shapeOf(doc);
  if (shape === undefined) {
    for (const key of TOP_LEVEL_FIRST) {
      const value = doc[key];
      if (value !== undefined && value !== null) writeEntry(key, value, 0, '');
    }
    for (const key of Object.keys(doc).sort()) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
      const value = doc[key];
      if (value !== undefined && value !== null) writeEntry(key, value, 0, '');
    }
  } else {
    const keys = docKeysOf(shape);
    const heads = shape.docHeads as (string | undefined)[];
    for (let i = 0; i < keys.length; i++) {
      const value = doc[keys[i]];
      if (value !== undefined && value !== null) writeHeadEntry(keys[i], heads[i], value, 0, '');
    }
  }
  if (out.length === before) out += '{}\n';
}

/**
 * Writes one YAML document for a Kubernetes object: `apiVersion`, `kind` and `metadata` first, every other
 * key sorted, `undefined` and `null` members left out.
 */
export function toYamlDocument(doc: JsonObject): string {
  out = '';
  try {
    writeDocument(doc);
    const text = out;
    // Built by concatenation, the text is a tree of its pieces until something reads its characters: read one
    // now, so that it is copied into one flat string and the pieces are freed young, not kept (and copied by the
    // garbage collector) for as long as the document is.
    text.charCodeAt(0);
    return text;
  } finally {
    out = '';
  }
}

/**
 * Writes several documents as one YAML stream, separated by `---`: the same text as joining their
 * {@link toYamlDocument}s, made as one string (flattened once, not once per document and again when joined).
 */
export function toYamlStream(docs: readonly JsonObject[]): string {
  out = '';
  try {
    for (let i = 0; i < docs.length; i++) {
      if (i > 0) out += '---\n';
      writeDocument(docs[i]);
    }
    const text = out;
    if (text.length > 0) text.charCodeAt(0);
    return text;
  } finally {
    out = '';
  }
}
