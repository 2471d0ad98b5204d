/**
 * The light promise bookkeeping of `PulumiStack` (stacks/pulumi-bookkeeping.ts): the SDK's `debuggablePromise`
 * without its debugging traces keeps the SDK's leak detection (a promise is a leak candidate until it settles), its
 * values and its errors (the error names the promise, as the SDK's does); with `PULUMI_DEBUG_PROMISE_LEAKS` set it
 * is not installed. A property test settles random promises in a random order against a model of the SDK's.
 */
import * as fc from 'fast-check';
import { installLightPromises } from '../../stacks/pulumi-bookkeeping';

/** The seed of the CI runs. */
const SEED = 20261206;

/* eslint-disable @typescript-eslint/no-require-imports */
const debuggable = require('@pulumi/pulumi/runtime/debuggable') as { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };
const state = require('@pulumi/pulumi/runtime/state') as { getStore(): { leakCandidates: Set<Promise<unknown>> } };
/* eslint-enable @typescript-eslint/no-require-imports */

/** A promise and the functions that settle it. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('light promise bookkeeping', () => {
  const saved = process.env.PULUMI_DEBUG_PROMISE_LEAKS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    else process.env.PULUMI_DEBUG_PROMISE_LEAKS = saved;
  });

  test('is not installed with PULUMI_DEBUG_PROMISE_LEAKS set', () => {
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = '1';
    const before = debuggable.debuggablePromise;
    expect(installLightPromises()).toBe(false);
    expect(debuggable.debuggablePromise).toBe(before);
  });

  test('is installed once, and keeps a pending promise a leak candidate until it settles', async () => {
    delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    expect(installLightPromises()).toBe(true);
    const installed = debuggable.debuggablePromise;
    expect(installLightPromises()).toBe(true);
    expect(debuggable.debuggablePromise).toBe(installed);

    const d = deferred<string>();
    const wrapped = debuggable.debuggablePromise(d.promise, 'test');
    expect(state.getStore().leakCandidates.has(d.promise)).toBe(true);
    // No debugging trace is kept on the promise.
    expect(Object.getOwnPropertyNames(d.promise)).not.toContain('_debugStackTrace');
    d.resolve('done');
    await expect(wrapped).resolves.toBe('done');
    expect(state.getStore().leakCandidates.has(d.promise)).toBe(false);
  });

  test('a rejection is passed on, names its promise, and ends the candidacy', async () => {
    delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    installLightPromises();
    const d = deferred<string>();
    const wrapped = debuggable.debuggablePromise(d.promise, 'test');
    const err = new Error('boom');
    d.reject(err);
    await expect(wrapped).rejects.toBe(err);
    expect((err as Error & { promise?: unknown }).promise).toBe(d.promise);
    expect(state.getStore().leakCandidates.has(d.promise)).toBe(false);
    // A rejection that is not an object is passed on as it is.
    const s = deferred<string>();
    const wrappedString = debuggable.debuggablePromise(s.promise, 'test');
    s.reject('text');
    await expect(wrappedString).rejects.toBe('text');
  });

  test('property: random promises settled in a random order, as the SDK would', async () => {
    delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    installLightPromises();
    const outcome = fc.oneof(fc.record({ ok: fc.constant(true as const), value: fc.jsonValue() }), fc.record({ ok: fc.constant(false as const), message: fc.string() }));
    await fc.assert(
      fc.asyncProperty(fc.array(outcome, { minLength: 1, maxLength: 12 }).chain((outcomes) => fc.tuple(fc.constant(outcomes), fc.shuffledSubarray(outcomes.map((_, i) => i)))), async ([outcomes, settled]) => {
        const before = new Set(state.getStore().leakCandidates);
        const ds = outcomes.map(() => deferred<unknown>());
        const errors = outcomes.map((o) => (o.ok ? undefined : new Error(o.message)));
        const results = ds.map((d) => debuggable.debuggablePromise(d.promise, 'property').then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })));
        for (const i of settled) {
          const o = outcomes[i];
          if (o.ok) ds[i].resolve(o.value);
          else ds[i].reject(errors[i]);
        }
        await flush();
        // Exactly the unsettled promises are still leak candidates.
        const candidates = [...state.getStore().leakCandidates].filter((p) => !before.has(p));
        const pending = ds.filter((_, i) => !settled.includes(i)).map((d) => d.promise);
        expect(new Set(candidates)).toEqual(new Set(pending));
        // Each settled promise gave its value, or its own error naming it.
        for (const i of settled) {
          const r = await results[i];
          const o = outcomes[i];
          if (o.ok) expect(r).toEqual({ ok: true, value: o.value });
          else {
            expect(r).toEqual({ ok: false, error: errors[i] });
            expect((errors[i] as Error & { promise?: unknown }).promise).toBe(ds[i].promise);
          }
        }
        // Settle the rest, so that nothing stays a candidate.
        for (let i = 0; i < ds.length; i++) if (!settled.includes(i)) ds[i].resolve(undefined);
        await flush();
        expect([...state.getStore().leakCandidates].filter((p) => !before.has(p))).toEqual([]);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
