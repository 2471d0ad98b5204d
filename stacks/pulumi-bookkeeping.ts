/**
 * The least bookkeeping the Pulumi SDK allows a program, without changing what it tells the engine.
 *
 * The SDK wraps every promise of a registration (four per input property, four for the URN and the ID) with the
 * stack trace of where it was made, formatted to a string at once and kept on the promise, for one purpose: the
 * report of promises still pending at exit when `PULUMI_DEBUG_PROMISE_LEAKS` is set. Formatting those traces (under
 * `pulumi up`, source-mapped frame by frame) and keeping the strings was a large share of registering an object.
 */
import * as pulumi from '@pulumi/pulumi';

/** What a stack trace is formatted as while registering: nothing. */
const NO_TRACE = (): string => '';

type Callsites = () => unknown[];

/**
 * Runs `register` (which registers resources, synchronously) with stack traces that are read at once formatted as
 * empty strings: the debugging traces of the SDK's promises (see above), which are only ever printed with
 * `PULUMI_DEBUG_PROMISE_LEAKS`; with that variable set, `register` runs as is. What the engine is told is unchanged:
 * the SDK's own capture of each resource's source position and stack trace (`Resource.callsites`) runs with the
 * program's stack-trace formatting, and an error made while registering keeps its stack (V8 formats it when it is
 * first read, after `register` returns, with the program's formatting).
 * @param register what registers the resources
 */
export function withLightBookkeeping<T>(register: () => T): T {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return register();
  const resource = pulumi.Resource as unknown as { callsites: Callsites };
  const callsites = resource.callsites;
  const prepare = Error.prepareStackTrace;
  resource.callsites = function (this: unknown): unknown[] {
    Error.prepareStackTrace = prepare;
    try {
      // Without this function's own frame, so that the SDK's count of frames to skip holds.
      const frames = callsites.call(this);
      frames.splice(1, 1);
      return frames;
    } finally {
      Error.prepareStackTrace = NO_TRACE;
    }
  };
  Error.prepareStackTrace = NO_TRACE;
  try {
    return register();
  } finally {
    Error.prepareStackTrace = prepare;
    resource.callsites = callsites;
  }
}
