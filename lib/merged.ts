/**
 * Merging maps of labels, annotations and the like into a new object, as the render does for every object it
 * writes. On this runtime an object made by a spread (`{ ...a, ...b }`, `{ ...a, key: value }`) gets a hidden class of
 * its own for every field added after the spread, which is slow and makes garbage when it is done hundreds of
 * thousands of times; `Object.assign` onto a new object does the same merge on the fast path.
 */

/**
 * The fields of `maps` merged into a new object, a later map's value winning: the same fields, in the same order, as
 * `{ ...maps[0], ...maps[1], … }`; `undefined` maps are skipped.
 *
 * A map with an own `__proto__` field (hostile input: `JSON.parse('{"__proto__": …}')`) is merged with spreads, which
 * define that field as data, rather than with `Object.assign`, which would set the new object's prototype.
 * @param maps the maps, in order
 */
export function merged<T>(...maps: ReadonlyArray<Readonly<Record<string, T>> | undefined>): Record<string, T> {
  for (const m of maps) {
    if (m !== undefined && Object.prototype.hasOwnProperty.call(m, '__proto__')) {
      return maps.reduce<Record<string, T>>((out, next) => ({ ...out, ...next }), {});
    }
  }
  return Object.assign({}, ...maps) as Record<string, T>;
}
