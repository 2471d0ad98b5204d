/**
 * The ride-hailing estate deployed with Pulumi: one stack per environment (development, test, staging,
 * production, partner-aggregator, partner-corporate), plus `host` for the host cluster, which is in no
 * environment, and one per preview (`pv-<slug>`, on dev-bj1). The `host` stack owns the workspaces,
 * departments, grants and member-cluster registrations, so deploy it first.
 *
 *   cd examples/ride-hailing && pulumi up --stack host && pulumi up --stack development
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
