/**
 * The connected-vehicle estate deployed with Pulumi: one stack per environment. `production` runs on the host
 * cluster and owns the tenant's workspace, so deploy it before `test`.
 *
 *   cd examples/connected-vehicle && pulumi up --stack production && pulumi up --stack test
 */
import { PulumiStack } from 'platform-cdk/pulumi';
import { build } from './main';

const stack = new PulumiStack(build());

/** The clusters this stack deploys to. */
export const clusters = stack.scope.clusters.map((c) => c.name);
/** How many Kubernetes objects it manages. */
export const objectCount = stack.objects.size;
