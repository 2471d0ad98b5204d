/**
 * Pulumi's own mocks for the tests (there is no Pulumi CLI or cluster in CI): every resource a program registers is
 * recorded with its type, name, inputs and provider.
 */
import * as pulumi from '@pulumi/pulumi';

/** One registered resource. */
export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider: string;
}

/**
 * Turns off Pulumi's source positions for the rest of the test file: every resource Pulumi constructs captures the
 * whole call stack (`new Error().stack` with no depth limit, parsed frame by frame) to tell the engine where it was
 * declared, and under jest every stack is source-mapped frame by frame, which made registering a resource several
 * times slower than in plain node. Under the mocks there is no engine to tell.
 */
export function skipSourcePositions(): void {
  (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
}

/**
 * Mocks that record into `recorded`, and return each resource's inputs as its state. Source positions are
 * skipped (see `skipSourcePositions`).
 */
export function recordingMocks(recorded: Recorded[]): pulumi.runtime.Mocks {
  skipSourcePositions();
  return {
    newResource(args) {
      recorded.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, provider: args.provider ?? '' });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
      return args.inputs;
    },
  };
}
