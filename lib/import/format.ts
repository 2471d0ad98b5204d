/**
 * How `platform-cdk import` writes values as TypeScript: string literals, comments, object and array literals laid out
 * on one line where they fit the program's width, `Code` with its references resolved, and readable unique names.
 */
import { Code, Ref } from './code';

/** The width of the program's lines: table rows and literals stay on one line up to it (the examples' table rows run to about 200). */
export const WIDTH = 200;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'let', 'static', 'yield', 'await', 'platform', 'build', 'objects', 'chart', 'undefined', 'name', 'props']);

/** A TypeScript string literal, single-quoted. */
export function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

/** Text made safe for a `//` comment: one line, no control characters. */
export function commentText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\*\//g, '* /');
}

/** A property key: bare when it is an identifier, else quoted (`__proto__` computed). */
export function key(k: string): string {
  // `__proto__: v` (quoted or not) would set the object's prototype: a computed key makes it a property.
  if (k === '__proto__') return `[${str(k)}]`;
  return IDENT.test(k) ? k : str(k);
}

/** A spread of a named constant inside an object literal (`...SPRING_BOOT`), written before the other entries. */
export class Spread {
  /** @param name the constant's name */
  constructor(public readonly name: string) {}
}

/** The key under which an object's {@link Spread}s are kept (a symbol: never a key of exported data). */
export const SPREADS = Symbol('spreads');

function entriesOf(v: object): string[] {
  const spreads = ((v as Record<symbol, unknown>)[SPREADS] as Spread[] | undefined) ?? [];
  return spreads.map((s) => `...${s.name}`);
}

/**
 * A value as a TypeScript literal: on one line when it fits `width`, else broken over lines, indented.
 * @param v the value
 * @param indent the indentation of the line it starts on (and of its closing bracket)
 * @param width the width of the program's lines
 * @param lead how many characters the line holds besides the indentation and the value (a key, a call, a comma)
 * @param dense whether an object broken over lines keeps as many of its entries on a line as fit (for long data:
 *   escape hatches, table rows), rather than one entry a line
 */
export function literal(v: unknown, indent = '', width = WIDTH, lead = 0, dense = false): string {
  // Code is written as it is, however long: it is not an object literal to break over lines.
  if (v instanceof Code) return codeText(v);
  const one = inline(v);
  if (indent.length + lead + one.length <= width) return one;
  const next = `${indent}  `;
  if (Array.isArray(v)) {
    // One object: its braces hug the brackets (`[{` … `}]`).
    if (v.length === 1 && isPlainObject(v[0])) return `[${literal(v[0], indent, width, lead + 2, dense)}]`;
    // Strings and numbers: as many on a line as fit.
    if (v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) return `[\n${fill(v.map((x) => `${inline(x)},`), next, width).join('\n')}\n${indent}]`;
    return `[\n${v.map((x) => `${next}${literal(x, next, width, 1, dense)},`).join('\n')}\n${indent}]`;
  }
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    const items = [...entriesOf(v).map((s) => `${s},`), ...entries.map(([k, x]) => `${key(k)}: ${literal(x, next, width, key(k).length + 3, dense)},`)];
    const lines = dense ? fill(items.filter((i) => !i.includes('\n')), next, width, items) : items.map((i) => `${next}${i}`);
    return `{\n${lines.join('\n')}\n${indent}}`;
  }
  return one;
}

function isPlainObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Code);
}

/**
 * Items on lines of at most `width` (each line indented), separated by spaces; an item of several lines stands on its
 * own lines, in its place.
 * @param fits the items that may share a line
 * @param indent the lines' indentation
 * @param width the width
 * @param all every item in order (default: `fits`)
 */
function fill(fits: readonly string[], indent: string, width: number, all: readonly string[] = fits): string[] {
  const lines: string[] = [];
  let line = '';
  const flush = (): void => {
    if (line !== '') lines.push(`${indent}${line}`);
    line = '';
  };
  for (const it of all) {
    if (!fits.includes(it)) {
      flush();
      lines.push(`${indent}${it}`);
      continue;
    }
    if (line !== '' && indent.length + line.length + 1 + it.length > width) flush();
    line = line === '' ? it : `${line} ${it}`;
  }
  flush();
  return lines;
}

/** A value as a TypeScript literal on one line. */
export function inline(v: unknown): string {
  if (v instanceof Code) return codeText(v);
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'undefined';
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  const entries = [...entriesOf(v), ...Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => `${key(k)}: ${inline(x)}`)];
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/** While a program is written: how references are resolved, and where the names code uses are collected. */
let writing: { resolve: (r: Ref) => string; names: Set<string> } | undefined;

/**
 * Runs `f` while a program is written: references in code are resolved by `resolve`, the platform-cdk names code uses
 * are added to `names`.
 */
export function whileWriting<T>(resolve: (r: Ref) => string, names: Set<string>, f: () => T): T {
  const before = writing;
  writing = { resolve, names };
  try {
    return f();
  } finally {
    writing = before;
  }
}

/** Code's text, its references resolved and its names imported (outside a program: references by their key). */
export function codeText(c: Code): string {
  if (!writing) return c.render((r) => r.key);
  for (const n of c.names) writing.names.add(n);
  return c.render(writing.resolve);
}

/** Every reference inside a value (code, arrays, objects). */
export function refsIn(v: unknown, into: Set<string>): Set<string> {
  if (v instanceof Code) for (const p of v.parts) if (p instanceof Ref) into.add(p.key);
  if (v instanceof Ref) into.add(v.key);
  if (Array.isArray(v)) for (const x of v) refsIn(x, into);
  else if (typeof v === 'object' && v !== null && !(v instanceof Code)) for (const x of Object.values(v)) refsIn(x, into);
  return into;
}

/** Names of variables and constants, unique in the program and readable. */
export class Names {
  private readonly used = new Set<string>();
  /** A fresh identifier for a name like `member-test` (→ `memberTest`); `constant` keeps `A_B` as it is. */
  public of(name: string, suffix = '', constant = false): string {
    let base = (constant ? name : name.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))) + suffix;
    if (!/^[A-Za-z_$]/.test(base)) base = `_${base}`;
    let id = base;
    for (let i = 2; this.used.has(id) || RESERVED.has(id); i++) id = `${base}${i}`;
    this.used.add(id);
    return id;
  }
  /** Whether a name was given already. */
  public has(name: string): boolean {
    return this.used.has(name);
  }
  /** A constant's name (`UPPER_CASE`) for a name like `cv-portal defaults`. */
  public constant(name: string): string {
    return this.of(name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase() || 'VALUE', '', true);
  }
}

/** The name of the constant the program declares for a registry host. */
export function registryConst(host: string): string {
  return host.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase().replace(/^([0-9])/, '_$1');
}
