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

/** Mocks that record into `recorded`, and return each resource's inputs as its state. */
export function recordingMocks(recorded: Recorded[]): pulumi.runtime.Mocks {
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
