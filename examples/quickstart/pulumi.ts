/**
 * The quick start deployed with Pulumi: one stack per environment.
 *
 *   cd examples/quickstart && pulumi up --stack test
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
