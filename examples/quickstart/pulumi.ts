/**
 * The quick start deployed with Pulumi: one stack per environment.
 *
 *   cd examples/quickstart && pulumi up --stack test
 */
import { PulumiStack } from 'platform-cdk/pulumi';
import { build } from './main';

const stack = new PulumiStack(build());

/** The clusters this stack deploys to. */
export const clusters = stack.scope.clusters.map((c) => c.name);
/** How many Kubernetes objects it manages. */
export const objectCount = stack.objects.size;
