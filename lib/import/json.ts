/**
 * Reading the exported objects' JSON without trusting its shape: a field that should be an object or a list of
 * objects and is not reads as empty, so that a recogniser's checks decide, never a `TypeError`.
 */

/** An object of an export, or a part of one. */
export type Obj = Record<string, unknown>;

/** `x` as an object; `{}` when it is not one (a list, a scalar, null, undefined). */
export function obj(x: unknown): Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Obj) : {};
}

/** `x` as a list of objects (an entry that is not one reads as `{}`); `[]` when it is not a list. */
export function list(x: unknown): Obj[] {
  return Array.isArray(x) ? x.map(obj) : [];
}
