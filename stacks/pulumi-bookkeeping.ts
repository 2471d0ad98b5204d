/**
 * The least bookkeeping the Pulumi SDK allows a program, without changing what it tells the engine.
 *
 * The SDK passes every promise of a registration (four per output property of a resource, four for its URN and ID,
 * one per await of the registration itself) through `debuggablePromise`, which:
 *
 * 1. captures the stack trace of where the promise was made (`new Error().stack`, formatted at once, under
 *    `pulumi up` source-mapped frame by frame) and keeps it on the promise with a description of it;
 * 2. adds the promise to the program's set of leak candidates, removes it when it settles, and, at exit, fails the
 *    program if some are still pending ("The Pulumi runtime detected that N promises were still active").
 *
 * The traces and descriptions of (1) are read only to print the leaked promises when `PULUMI_DEBUG_PROMISE_LEAKS`
 * is set; capturing and formatting them was the largest share of the SDK's bookkeeping per object, and keeping
 * them a share of its memory. Installed, the lighter `debuggablePromise` here does (2) exactly as the SDK does and
 * skips (1). With `PULUMI_DEBUG_PROMISE_LEAKS` set, nothing is installed and the SDK's own runs.
 *
 * What the engine is told is unchanged: each resource's source position and stack trace (`Resource.callsites`) are
 * captured by the SDK as before, and the errors the SDK prepares for a failed registration keep their stacks
 * (`Error.stackTraceLimit` and `Error.prepareStackTrace` are left alone).
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/** The SDK's `runtime/debuggable` module (internal: not in its typings). */
interface DebuggableModule {
  debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
  /** Set once the light version is installed on this module instance. */
  [LIGHT]?: boolean;
}

/** The SDK's `runtime/state` module (internal: not in its typings). */
interface StateModule {
  getStore(): { leakCandidates?: unknown };
}

const LIGHT = Symbol.for('platform-cdk.lightDebuggablePromise');

/** Loads an internal module of the SDK, or `undefined` when this SDK version has no such module. */
function sdkModule<T>(name: string): T | undefined {
  try {
    return require(`@pulumi/pulumi/runtime/${name}`) as T;
  } catch {
    return undefined;
  }
}

/**
 * Replaces the SDK's `debuggablePromise` with one that keeps the leak detection and skips the debugging traces (see
 * above), once per loaded SDK, for the rest of the program: the registrations a program starts complete after the
 * code that started them returns. Does nothing when `PULUMI_DEBUG_PROMISE_LEAKS` is set, or when the SDK's
 * internals are not what this version expects (the SDK's own then runs).
 * @returns whether the light version is in place
 */
export function installLightPromises(): boolean {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return false;
  const debuggable = sdkModule<DebuggableModule>('debuggable');
  const state = sdkModule<StateModule>('state');
  if (!debuggable || !state || typeof debuggable.debuggablePromise !== 'function' || typeof state.getStore !== 'function') return false;
  if (debuggable[LIGHT]) return true;
  if (!(state.getStore().leakCandidates instanceof Set)) return false;
  const original = debuggable.debuggablePromise;
  let detectorScheduled = false;
  debuggable.debuggablePromise = function light<T>(p: Promise<T>, ctx: unknown): Promise<T> {
    // The SDK schedules its leak report at exit on its first call: let it, with a promise that settles at once.
    if (!detectorScheduled) {
      detectorScheduled = true;
      void original(Promise.resolve(), ctx);
    }
    // The store of the running program (several with the Automation API), read at each call as the SDK does.
    const leakCandidates = state.getStore().leakCandidates as Set<Promise<unknown>>;
    leakCandidates.add(p);
    return p.then(
      (value) => {
        leakCandidates.delete(p);
        return value;
      },
      (err: unknown) => {
        leakCandidates.delete(p);
        if (err !== null && typeof err === 'object') (err as { promise?: unknown }).promise = p;
        throw err;
      },
    );
  };
  debuggable[LIGHT] = true;
  return true;
}

/** `pulumi.Resource` as far as its source positions go (`callsites` is static and public in the SDK's code). */
interface ResourceClassWithCallsites {
  callsites?: () => unknown[];
}

/**
 * Runs `construct` (which constructs resources) with the SDK's source positions off: the SDK captures the whole call
 * stack of every resource it constructs (`new Error().stack` without a depth limit, parsed frame by frame, and
 * source-mapped under `pulumi up`) to tell the engine the line that declared it. For the objects `PulumiStack.create`
 * constructs from its registration window, that stack holds only platform-cdk's own frames and the event loop's,
 * never a line of the program, so the engine is told nothing instead (no source position, an empty stack trace).
 * Restored as soon as `construct` returns; does nothing on an SDK without `Resource.callsites`.
 * @param construct what constructs the resources
 * @param resourceClass the SDK's `pulumi.Resource`
 */
export function withoutSourcePositions<T>(construct: () => T, resourceClass: unknown): T {
  const cls = resourceClass as ResourceClassWithCallsites;
  const own = Object.prototype.hasOwnProperty.call(cls, 'callsites');
  const original = cls.callsites;
  if (typeof original !== 'function') return construct();
  cls.callsites = noCallsites;
  try {
    return construct();
  } finally {
    if (own) cls.callsites = original;
    else delete cls.callsites;
  }
}

const noCallsites = (): unknown[] => [];
