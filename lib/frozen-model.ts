/**
 * The model is frozen while it is validated and rendered: what the model derives (a service's settings in an
 * environment, with every default applied) is computed once in that time rather than by every check and by the
 * render. Outside, nothing is cached, so a model changed between two validations is always seen as it is.
 *
 * Validation (`validatePlatform`), the render (`renderGroups`) and a whole synthesis (`ManifestStack.synth()`,
 * `files()`) each run inside {@link whileModelFrozen}; nested calls share the outer one's cache, which is dropped
 * when the outermost ends. Nothing that runs inside may change the model (the render and the checks do not; a
 * user's callback that does is out of contract).
 */

/** How many calls of {@link whileModelFrozen} are running (nested). */
let depth = 0;

/**
 * Where an owner keeps its derived values while the model is frozen: a field of its own (found without a lookup, as
 * this runs about a hundred times per service), reset on every owner touched when the outermost call ends.
 */
const SLOT = Symbol('platform-cdk.derived');

/** An owner with the slot of derived values. */
interface SlotOwner {
  [SLOT]?: Map<object, unknown>;
}

/** The owners given a slot in this freeze, to reset when it ends. */
let touched: SlotOwner[] = [];

/** Derived values of owners that cannot take a field (frozen or sealed objects), while the model is frozen. */
let cache = new WeakMap<object, Map<object, unknown>>();

/**
 * Runs `fn` with the model frozen: values derived with {@link derivedOnce} are computed once until the outermost
 * call ends.
 * @param fn what to run
 */
export function whileModelFrozen<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
    if (depth === 0) {
      for (const owner of touched) owner[SLOT] = undefined;
      touched = [];
      cache = new WeakMap();
    }
  }
}

/** Whether the model is frozen (a validation, render or synthesis is running). */
export function modelFrozen(): boolean {
  return depth > 0;
}

/**
 * A value derived from the model: computed once per owner and key while the model is frozen, else every time.
 * `compute` is given the owner and the key, so that a caller on a hot path can pass a function made once rather than
 * a new closure per call.
 * @param owner the construct the value belongs to
 * @param key what it is derived for (e.g. an environment)
 * @param compute how to compute it
 */
export function derivedOnce<O extends object, K extends object, T>(owner: O, key: K, compute: (owner: O, key: K) => T): T {
  if (depth === 0) return compute(owner, key);
  const values = valuesOf(owner);
  const known = values.get(key);
  if (known !== undefined || values.has(key)) return known as T;
  const value = compute(owner, key);
  values.set(key, value);
  return value;
}

function valuesOf(owner: object): Map<object, unknown> {
  const o = owner as SlotOwner;
  let values = o[SLOT];
  if (values !== undefined) return values;
  if (Object.isExtensible(owner)) {
    values = new Map();
    Object.defineProperty(owner, SLOT, { value: values, writable: true, configurable: true, enumerable: false });
    touched.push(o);
    return values;
  }
  values = cache.get(owner);
  if (!values) cache.set(owner, (values = new Map()));
  return values;
}
