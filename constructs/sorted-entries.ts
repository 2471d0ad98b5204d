/**
 * The sorted name–value lists of a service's settings (variables, configuration values and files, secrets, waivers),
 * built per service and environment: with as little garbage as the runtime allows, since an estate of 10,000 services
 * builds hundreds of thousands of them.
 */

/**
 * Entries as a new list sorted by name (names are unique, as in a map).
 * @param entries name–value pairs
 * @internal
 */
export function byName<T>(entries: Iterable<readonly [string, T]>): [string, T][] {
  const out: [string, T][] = [];
  for (const [k, v] of entries) out.push([k, v]);
  return sortByName(out);
}

/**
 * Sorts entries by name, in place (names are unique): a short list, the usual case, by insertion, which unlike the
 * built-in sort allocates nothing.
 * @param out the entries
 * @internal
 */
export function sortByName<T>(out: [string, T][]): [string, T][] {
  if (out.length > 16) return out.sort(compareFirst);
  for (let i = 1; i < out.length; i++) {
    const e = out[i];
    let j = i - 1;
    while (j >= 0 && out[j][0] > e[0]) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = e;
  }
  return out;
}

/**
 * A layer of values over another, as text sorted by name (the configuration's values and files): the upper layer's
 * value wins; without an upper layer, no merge.
 * @param lower the service's values
 * @param upper an environment's values, if any
 * @param text how a value is written
 * @internal
 */
export function layeredByName<T>(lower: Readonly<Record<string, T>> | undefined, upper: Readonly<Record<string, T>> | undefined, text: (v: T) => string): [string, string][] {
  if (upper === undefined || upper === null) {
    const out = Object.entries(lower ?? {}) as unknown as [string, string][];
    for (const e of out) e[1] = text(e[1] as unknown as T);
    return sortByName(out);
  }
  const values = new Map<string, string>();
  for (const layer of [lower, upper]) if (layer) for (const [k, v] of Object.entries(layer)) values.set(k, text(v));
  return byName(values);
}

/**
 * A file's text as given (a file that is not text is reported by the checks, and written as it is).
 * @param v the file's text
 * @internal
 */
export function asGiven(v: string): string {
  return v;
}

function compareFirst([a]: readonly [string, unknown], [b]: readonly [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
