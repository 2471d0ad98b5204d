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

const stack = new PulumiStack(build());

/** The clusters this stack deploys to. */
export const clusters = stack.scope.clusters.map((c) => c.name);
/** How many Kubernetes objects it manages. */
export const objectCount = stack.objects.size;
