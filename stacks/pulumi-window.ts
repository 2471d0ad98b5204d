/**
 * The pacing of `PulumiStack.create`: registrations run in order with a bounded number being prepared by the program
 * at once, so that a large stack's memory stays bounded and the SDK's work is not all in flight together.
 */
import * as pulumi from '@pulumi/pulumi';

/** The default of `PulumiStackProps.registrationWindow`: under the mocks as fast as 4, leaner than 16 (docs/performance.md). */
export const DEFAULT_REGISTRATION_WINDOW = 8;

/**
 * Runs `work` (each call registers one resource and returns it) in order, with at most `window` resources that the
 * program is still preparing: a resource leaves the window when its registration request is handed to the engine
 * (what Pulumi's engine then does with it, and how many requests it works on at once, is the engine's), or, where
 * the SDK's monitor cannot be observed, when the resource has its URN. Resolves when every resource has its URN or
 * has failed (the SDK reports a failed registration itself). Holds the runtime open meanwhile, so that Pulumi does
 * not end the program between two registrations.
 *
 * `PulumiStack.create` registers its objects through it; a program can pace its own resources the same way.
 * @example
 * await registerInWindow(names.map((name) => () => new k8s.core.v1.ConfigMap(name, { data: { name } })), 8);
 * @param work the registrations, in the order they must start (what a resource depends on first)
 * @param window how many resources may be in preparation at once (at least 1)
 */
export async function registerInWindow(work: ReadonlyArray<() => pulumi.CustomResource>, window: number): Promise<void> {
  if (work.length === 0) return;
  const done = pulumi.runtime.rpcKeepAlive();
  const preparing = new Map<string, () => void>();
  const unobserve = observeRequests((key) => preparing.get(key)?.());
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let inWindow = 0;
      let unsettled = work.length;
      const pump = (): void => {
        try {
          while (inWindow < window && next < work.length) {
            inWindow++;
            let left = false;
            const leave = (): void => {
              if (left) return;
              left = true;
              inWindow--;
              // Later, not within the SDK's call: the next registration starts from a fresh task.
              void Promise.resolve().then(pump);
            };
            const resource = work[next++]();
            const key = requestKey(resource);
            if (key !== undefined && unobserve) preparing.set(key, leave);
            void settled(resource.urn).then(() => {
              if (key !== undefined) preparing.delete(key);
              leave();
              if (--unsettled === 0) resolve();
            });
          }
        } catch (e) {
          reject(e);
        }
      };
      pump();
    });
  } finally {
    unobserve?.();
    done();
  }
}

/** The key of a resource's registration request: its type token and name (unique in a stack). */
function requestKey(resource: pulumi.CustomResource): string | undefined {
  const name = (resource as unknown as { __name?: unknown }).__name;
  const type = pulumi.CustomResource.isInstance(resource) ? (resource as unknown as { __pulumiType?: unknown }).__pulumiType : undefined;
  return typeof name === 'string' && typeof type === 'string' ? `${type}\u0000${name}` : undefined;
}

/** The SDK's resource monitor, as far as it is used here (internal shape: not in the SDK's typings). */
interface Monitor {
  registerResource(req: { getType(): string; getName(): string }, callback: unknown): unknown;
}

/**
 * Calls `sent` with the key of each registration request the program hands to the engine (or to the mocks), until
 * the returned function is called. `undefined` when the SDK's monitor is not there to observe (then the window
 * falls back to URNs).
 */
function observeRequests(sent: (key: string) => void): (() => void) | undefined {
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor | undefined;
  if (!monitor || typeof monitor.registerResource !== 'function') return undefined;
  const own = Object.prototype.hasOwnProperty.call(monitor, 'registerResource');
  const original = monitor.registerResource;
  monitor.registerResource = function (this: Monitor, req, callback) {
    try {
      sent(`${req.getType()}\u0000${req.getName()}`);
    } catch {
      // Observing never stands in the way of a registration.
    }
    return original.call(this, req, callback);
  };
  return () => {
    if (own) monitor.registerResource = original;
    else delete (monitor as Partial<Monitor>).registerResource;
  };
}

/** A promise that settles (never rejects) when `output` resolves or fails. */
function settled(output: pulumi.Output<unknown>): Promise<void> {
  // Outputs carry their promise (not in the SDK's typings); `apply` alone would never call back on a failure.
  const promise = (output as unknown as { promise?: () => Promise<unknown> }).promise;
  if (typeof promise === 'function') return promise.call(output).then(() => undefined, () => undefined);
  return new Promise<void>((resolve) => void output.apply(() => resolve()));
}
