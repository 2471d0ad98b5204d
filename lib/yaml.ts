/**
 * A YAML writer specialised for Kubernetes manifests: JSON-like values (objects, arrays, strings,
 * numbers, booleans) written in block style with sorted keys.
 *
 * Why not a general YAML library: serializing is a large share of the cost of synthesis (on the 95,763 objects of
 * 3,000 bench services the `yaml` package took about 50 times as long as `JSON.stringify`, this writer about as long
 * as `JSON.stringify`; docs/performance.md). This writer does one thing: any string that is not plainly safe is
 * written as a JSON string, which is a valid YAML double-quoted scalar, so it never has to reason about YAML's quoting
 * rules beyond a short allow-list. Its output is checked against the `yaml` package's parser by a property-based
 * round-trip test, and against its earlier version byte for byte (test/lib/yaml-reference.test.ts).
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

/** Writes a string as a plain scalar when that is unambiguous, otherwise as a double-quoted scalar. */
export function yamlString(value: string): string {
  if (plainAtSight(value)) return value;
  let out = written.get(value);
  if (out !== undefined) return out;
  out = writeString(value);
  if (value.length <= 256) {
    if (written.size >= WRITTEN_MAX) written.clear();
    written.set(value, out);
  }
  return out;
}

/**
 * Whether a string is written as it is, told by one pass over its characters without a lookup: most names, labels and
 * images. Longer than 5 characters, not starting with `e` or `E` (so that no {@link RESERVED} word matches), a letter
 * or `/` first and then only characters of {@link PLAIN} without its `:`. `false` says nothing: the string is then
 * decided as any other.
 */
function plainAtSight(value: string): boolean {
  const n = value.length;
  if (n <= 5 || n > 256) return false;
  let c = value.charCodeAt(0);
  if (!((c >= 97 && c <= 122 && c !== 101) || (c >= 65 && c <= 90 && c !== 69) || c === 47)) return false;
  for (let i = 1; i < n; i++) {
    c = value.charCodeAt(i);
    // Letters, `-`, `.`, `/`, digits, `_`, `@`, `=`, `+`.
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 45 && c <= 57) || c === 95 || c === 64 || c === 61 || c === 43) continue;
    return false;
  }
  return true;
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

/** Small whole numbers as written after a key (`' 80'`), made when first written: ports, replicas, seconds. */
const SMALL_NUMBERS: (string | undefined)[] = [];
const SMALL_NUMBER_MAX = 65_536;

/** A number written after its key's `:`. */
function numberAfterKey(value: number): string {
  if (Number.isInteger(value) && value >= 0 && value < SMALL_NUMBER_MAX && !Object.is(value, -0)) {
    return (SMALL_NUMBERS[value] ??= flat(` ${scalar(value)}`));
  }
  return ` ${scalar(value)}`;
}

/** A string after its key's `:` (`' <value>'`), for an entry that is not one of a layout's lines. */
const afterKey = new Map<string, string>();

function stringAfterKey(value: string): string {
  let text = afterKey.get(value);
  if (text !== undefined) return text;
  text = flat(` ${yamlString(value)}`);
  if (value.length <= 256) {
    if (afterKey.size >= WRITTEN_MAX) afterKey.clear();
    afterKey.set(value, text);
  }
  return text;
}

/** `'\n'` and `n` spaces: what every line at indent `n` starts with. */
const LINE_INDENTS: string[] = [];

function lineIndent(n: number): string {
  while (LINE_INDENTS.length <= n) LINE_INDENTS.push(`\n${spaces(LINE_INDENTS.length)}`);
  return LINE_INDENTS[n];
}

/** `'\n'`, `n` spaces and `'- '`: what a sequence item at indent `n` starts with. */
const DASH_LINES: string[] = [];

function dashLine(n: number): string {
  while (DASH_LINES.length <= n) DASH_LINES.push(`\n${spaces(DASH_LINES.length)}- `);
  return DASH_LINES[n];
}

/** The same string, made flat (one piece) now, so that appending it later adds one piece, not a tree of them. */
function flat(s: string): string {
  if (s.length > 0) s.charCodeAt(0);
  return s;
}

/**
 * The document being written. Every piece is appended to this one string (which V8 keeps as a rope until it is
 * read), rather than each collection's text being built apart and then concatenated into its parent's: fewer
 * intermediate strings for the garbage collector. Each line's piece starts with its line break (`'\n'` and the
 * indent), so that a scalar entry is one piece when it is written as before (see {@link Layout.joined}), and a
 * document ends with the one `'\n'` its last line lacks. `toYamlDocument` is not reentrant, and need not be.
 */
let out = '';

/**
 * One shape of object: one sequence of own keys, in the order `for…in` gives them. Manifests are made of few shapes
 * (every Deployment's `metadata` has the same keys in the same order), so each shape is sorted once; a shape is
 * found by walking a tree of its keys (no array per object, no sort per object), or, mostly, by checking that an
 * object has the keys of the shape that was in the same place last time (see {@link Layout.child}).
 */
interface Shape {
  /** The shapes with one more key, by that key. */
  readonly next: Map<string, Shape>;
  /** The keys in `for…in` order; set the first time an object of this shape is written. */
  order?: string[];
  /** The keys, sorted. */
  keys?: string[];
  /** By indent: the shape's layout there, made when first used. */
  layouts?: (Layout | undefined)[];
  /** As a document's top level: `apiVersion`, `kind` and `metadata` first (those present), the other keys sorted. */
  doc?: Layout;
}

/**
 * A shape of mapping written at one indent: its keys in the order written, and the text that goes before each value,
 * made once. An object of the shape is written by walking these arrays: no key is written, quoted or indented again.
 */
interface Layout {
  /** The shape's keys for…in order, to check that an object has this shape (see {@link layoutOf}). */
  readonly order: readonly string[];
  /** The keys in the order written. */
  readonly keys: readonly string[];
  /** The indent of the keys. */
  readonly indent: number;
  /** Each key as written (`<key>:`, or `? <key>\n<indent>:` when too long for an implicit key), without the line break. */
  readonly heads: readonly string[];
  /**
   * What the first entry of a mapping at this indent usually follows: a sequence item's dash (`'\n'`, the indent
   * less 2, `'- '`), or nothing at a document's top level.
   */
  readonly first: string;
  /**
   * Each key's line (`'\n'`, the indent and the head), then each key after {@link first}: entry `i` is written as
   * `lines[i]` on a line of its own, as `lines[keys.length + i]` when it is the first after the dash.
   */
  readonly lines: readonly string[];
  /** Each of {@link lines} before a scalar: the line and `' '`. */
  readonly scalarLines: readonly string[];
  /**
   * For each of {@link lines}, the strings written as its value lately, with the whole line each makes (`'\n'`, indent, key, `': '`
   * and the value as written): a value seen before is then one lookup and one piece. `null` for a key whose values
   * rarely repeat (names), where looking up and keeping them costs more than it saves.
   */
  readonly joined: (Map<string, string> | null | undefined)[];
  /** For each of {@link lines}, how often its value was found in {@link joined}, and how often not. */
  readonly hits: number[];
  readonly misses: number[];
  /**
   * For each key, the layout of the mapping last written as its value, or of the last mapping item of the sequence
   * last written as its value: the likely layout of the next one (one `for…in`, no lookups, to check it).
   */
  readonly child: (Layout | undefined)[];
  /** The generation of the tree of shapes the layout belongs to: a layout of an older one is not reused. */
  readonly generation: number;
}

/** The tree of shapes seen. Bounded: dropped when it holds {@link SHAPES_MAX} shapes (hostile input has many). */
let shapes: Shape = { next: new Map() };
let shapeCount = 0;
let generation = 0;
const SHAPES_MAX = 20_000;

/** How many lines all layouts' {@link Layout.joined} hold, at most, before the tree of shapes is dropped. */
const JOINED_MAX = 100_000;
/** The longest value kept in a {@link Layout.joined}. */
const JOINED_VALUE_MAX = 128;
/** A key's {@link Layout.joined} is given up after this many misses, when it has found fewer values than it missed. */
const JOINED_TRIAL = 256;
let joinedCount = 0;

function resetShapes(): void {
  shapes = { next: new Map() };
  shapeCount = 0;
  joinedCount = 0;
  generation++;
}

/** A key as written before its value at an indent: `<key>:`, or an explicit key when it is too long for an implicit one. */
function keyHead(key: string, indent: number): string {
  const written = yamlString(key);
  return written.length > IMPLICIT_KEY_MAX ? `? ${written}\n${spaces(indent)}:` : `${written}:`;
}

/** The layout of `keys` (in the order written) at `indent`, for objects whose keys in `for…in` order are `order`. */
function makeLayout(order: readonly string[], keys: readonly string[], indent: number): Layout {
  const heads = keys.map((k) => flat(keyHead(k, indent)));
  const first = indent >= 2 ? dashLine(indent - 2) : '';
  // Entries 0…n-1 on their own lines; n…2n-1 the same keys as a sequence item's first entry, after its dash.
  const lines = [...heads.map((h) => flat(`${lineIndent(indent)}${h}`)), ...heads.map((h) => flat(`${first}${h}`))];
  return {
    order,
    keys,
    indent,
    heads,
    first,
    lines,
    scalarLines: lines.map((l) => flat(`${l} `)),
    joined: lines.map(() => undefined),
    hits: lines.map(() => 0),
    misses: lines.map(() => 0),
    child: keys.map(() => undefined),
    generation,
  };
}

/**
 * The shape of a plain object (its prototype `Object.prototype` or `null`, so that `for…in` sees exactly its own
 * keys, in `Object.keys` order), its keys sorted.
 */
function shapeOf(obj: JsonObject): Shape {
  let node = shapes;
  for (const key in obj) {
    let next = node.next.get(key);
    if (next === undefined) {
      if (shapeCount >= SHAPES_MAX) {
        resetShapes();
        return shapeOf(obj);
      }
      next = { next: new Map() };
      node.next.set(key, next);
      shapeCount++;
    }
    node = next;
  }
  if (node.keys === undefined) {
    node.order = Object.keys(obj);
    node.keys = [...node.order].sort();
  }
  return node;
}

/** Whether an object is plain: its prototype `Object.prototype` or `null`, so that `for…in` sees its own keys only. */
function isPlain(obj: JsonObject): boolean {
  const proto: unknown = Object.getPrototypeOf(obj);
  return proto === Object.prototype || proto === null;
}

/**
 * The layout of a mapping at `indent`: `predicted` when the object has its keys in the same order (the usual case:
 * the mapping in the same place of the previous object), else its shape's. Any other object than a plain one gets
 * a layout of its own, not kept.
 */
function layoutOf(obj: JsonObject, indent: number, predicted: Layout | undefined): Layout {
  if (!isPlain(obj)) {
    const keys = Object.keys(obj).sort();
    return makeLayout(keys, keys, indent);
  }
  if (predicted !== undefined && predicted.generation === generation) {
    const order = predicted.order;
    let j = 0;
    let same = true;
    for (const key in obj) {
      if (key !== order[j]) {
        same = false;
        break;
      }
      j++;
    }
    if (same && j === order.length) return predicted;
  }
  const shape = shapeOf(obj);
  const layouts = (shape.layouts ??= []);
  return (layouts[indent] ??= makeLayout(shape.order as string[], shape.keys as string[], indent));
}

/** The layout of a document's top level (see {@link Shape.doc}). */
function docLayoutOf(doc: JsonObject): Layout {
  if (!isPlain(doc)) {
    // Any other object: the first keys as they read (inherited or not), then its own keys.
    const keys = [...TOP_LEVEL_FIRST, ...Object.keys(doc).sort().filter((k) => !TOP_LEVEL_FIRST.includes(k))];
    return makeLayout(keys, keys, 0);
  }
  const shape = shapeOf(doc);
  if (shape.doc === undefined) {
    const sorted = shape.keys as string[];
    const keys = [...TOP_LEVEL_FIRST.filter((k) => sorted.includes(k)), ...sorted.filter((k) => !TOP_LEVEL_FIRST.includes(k))];
    shape.doc = makeLayout(shape.order as string[], keys, 0);
  }
  return shape.doc;
}

/**
 * Appends a string entry of a layout on its own line: from {@link Layout.joined} when the same value was written
 * there lately, else made (and kept, while the key's values repeat enough to be worth it).
 */
function writeStringLine(layout: Layout, i: number, value: string): void {
  let joined = layout.joined[i];
  if (joined !== null) {
    if (joined === undefined) joined = layout.joined[i] = new Map();
    const line = joined.get(value);
    if (line !== undefined) {
      layout.hits[i]++;
      out += line;
      return;
    }
    const misses = ++layout.misses[i];
    if (misses >= JOINED_TRIAL && misses > layout.hits[i]) {
      joinedCount -= joined.size;
      layout.joined[i] = null;
    } else if (value.length <= JOINED_VALUE_MAX) {
      const made = flat(`${layout.scalarLines[i]}${yamlString(value)}`);
      if (joinedCount >= JOINED_MAX) resetShapes();
      if (joined.size >= JOINED_TRIAL) {
        joinedCount -= joined.size;
        joined.clear();
      }
      joined.set(value, made);
      joinedCount++;
      out += made;
      return;
    }
  }
  out += layout.scalarLines[i];
  out += yamlString(value);
}

/**
 * Appends an object's entries in the layout's order, `undefined` and `null` members left out: the first after
 * `firstPrefix` (`undefined`: on its own line, like the others), the others on their own lines. Returns whether any
 * entry was written (an object without any is written by the caller as `{}`).
 */
function writeEntries(obj: JsonObject, layout: Layout, firstPrefix: string | undefined): boolean {
  const keys = layout.keys;
  const n = keys.length;
  let i = 0;
  if (firstPrefix !== undefined) {
    const usual = firstPrefix === layout.first;
    for (; i < n; i++) {
      const value = obj[keys[i]];
      if (value === undefined || value === null) continue;
      if (usual) {
        if (typeof value === 'string') writeStringLine(layout, n + i, value);
        else {
          out += layout.lines[n + i];
          writeValue(value, layout, i);
        }
      } else {
        out += firstPrefix;
        out += layout.heads[i];
        if (typeof value === 'string') out += stringAfterKey(value);
        else writeValue(value, layout, i);
      }
      break;
    }
    if (i === n) return false;
    i++;
  }
  const before = out.length;
  for (; i < n; i++) {
    const value = obj[keys[i]];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') writeStringLine(layout, i, value);
    else {
      out += layout.lines[i];
      writeValue(value, layout, i);
    }
  }
  return firstPrefix !== undefined || out.length !== before;
}

/** Appends the value of a layout's entry `i` after its key's `:` (a scalar on the same line, a collection below). */
function writeValue(value: Exclude<JsonValue, null | undefined>, layout: Layout, i: number): void {
  if (typeof value === 'number') out += numberAfterKey(value);
  else if (typeof value === 'boolean') out += value ? ' true' : ' false';
  else if (typeof value !== 'object') out += ` ${scalar(value)}`;
  else if (Array.isArray(value)) {
    if (value.length === 0) out += ' []';
    else writeSequence(value, layout.indent, dashLine(layout.indent), layout, i);
  } else {
    const child = layoutOf(value, layout.indent + 2, layout.child[i]);
    layout.child[i] = child;
    if (!writeEntries(value, child, undefined)) out += ' {}';
  }
}

/**
 * Appends a sequence's items at `indent`: the first after `firstDash` (a line's dash, or an outer item's), the others
 * each on its own line. `owner` and `slot`: the entry of a layout whose value the sequence is, which remembers the
 * layout of its mapping items.
 */
function writeSequence(items: JsonValue[], indent: number, firstDash: string, owner: Layout | undefined, slot: number): void {
  const dash = dashLine(indent);
  let prefix = firstDash;
  let predicted = owner === undefined ? undefined : owner.child[slot];
  for (let j = 0; j < items.length; j++) {
    const item = items[j];
    if (typeof item !== 'object' || item === null) {
      out += prefix;
      out += scalar(item);
    } else if (Array.isArray(item)) {
      if (item.length === 0) {
        out += prefix;
        out += '[]';
      } else writeSequence(item, indent + 2, `${prefix}- `, undefined, 0);
    } else {
      const layout = layoutOf(item, indent + 2, predicted);
      predicted = layout;
      if (!writeEntries(item, layout, prefix)) {
        out += prefix;
        out += '{}';
      }
    }
    prefix = dash;
  }
  if (owner !== undefined) owner.child[slot] = predicted;
}

/** Appends one document (see {@link toYamlDocument}), without its last line break; `{}` when it has no member. */
function writeDocument(doc: JsonObject): void {
  if (!writeEntries(doc, docLayoutOf(doc), '')) out += '{}';
}

/**
 * Writes one YAML document for a Kubernetes object: `apiVersion`, `kind` and `metadata` first, every other
 * key sorted, `undefined` and `null` members left out.
 */
export function toYamlDocument(doc: JsonObject): string {
  out = '';
  try {
    writeDocument(doc);
    out += '\n';
    // Built by concatenation, the text is a tree of its pieces until something reads its characters: read one
    // now, so that it is copied into one flat string and the pieces are freed young, not kept (and copied by the
    // garbage collector) for as long as the document is.
    return flat(out);
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
      writeDocument(docs[i]);
      out += i === docs.length - 1 ? '\n' : '\n---\n';
    }
    return flat(out);
  } finally {
    out = '';
  }
}
