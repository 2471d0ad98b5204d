/**
 * The connected-vehicle estate deployed with Pulumi: one stack per environment. `production` runs on the host
 * cluster and owns the tenant's workspace, so deploy it before `test`.
 *
 *   cd examples/connected-vehicle && pulumi up --stack production && pulumi up --stack test
 */
import { PulumiStack } from 'platform-cdk/pulumi';
import { build } from './main';

/**
 * The program: registers the stack's objects (a window of them at a time, see `PulumiStack.create`) and returns the
 * stack's outputs: the clusters it deploys to and how many Kubernetes objects it manages.
 */
export = async (): Promise<{ clusters: string[]; objectCount: number }> => {
  const stack = await PulumiStack.create(build());
  return { clusters: stack.scope.clusters.map((c) => c.name), objectCount: stack.objects.size };
};
