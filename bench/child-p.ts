/**
 * Pulumi registration, run as `node child-p.js <n> <unused> [environment] [sync]`: builds the bench estate's model and
 * registers ONE environment's stack (default `production`, the host cluster: its namespaces, services, the
 * tenants' workspaces and the Certificates) with `PulumiStack.create` (variant p; its default window, or
 * `BENCH_P_WINDOW`), or with `sync`, the constructor, which registers every object at once (variant ps), under
 * Pulumi's mocks (`pulumi.runtime.setMocks`),
 * as plain node (Pulumi under jest is several times slower). The time runs from before the model is built to
 * after every resource of the stack has its URN; the library's checks run as they do for a user.
 */
import * as pulumi from '@pulumi/pulumi';
import { childArgs } from './child-protocol';
import type { ChildReport } from './child-protocol';
import { buildBenchEstate } from './estate';

/** The environment a Pulumi child deploys unless told otherwise: production, on the host cluster. */
export const BENCH_PULUMI_ENVIRONMENT = 'production';

async function main(): Promise<void> {
  const { n } = childArgs();
  const environment = process.argv[4] ?? BENCH_PULUMI_ENVIRONMENT;
  const sync = process.argv[5] === 'sync';
  let registered = 0;
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      if (args.type.startsWith('kubernetes:') && args.type !== 'pulumi:providers:kubernetes') registered++;
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
      return args.inputs;
    },
  };
  // The Kubernetes SDK is loaded after the mocks are set, as Pulumi requires.
  pulumi.runtime.setMocks(mocks, 'bench', environment, false);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PulumiStack } = require('../pulumi') as typeof import('../pulumi');
  const start = performance.now();
  const cpu = process.cpuUsage();
  const platform = buildBenchEstate(n);
  pulumi.runtime.setAllConfig(Object.fromEntries(platform.clusters.map((c) => [`platform-cdk:context-${c.name}`, c.name])));
  const window = process.env.BENCH_P_WINDOW ? Number(process.env.BENCH_P_WINDOW) : undefined;
  const stack = sync ? new PulumiStack(platform) : await PulumiStack.create(platform, { registrationWindow: window });
  await Promise.all([...stack.objects.values()].map((o) => new Promise((resolve) => o.resource.urn.apply(resolve))));
  await pulumi.runtime.disconnect();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  // A ChildReport, with the CPU time of the window (user and system): on a loaded machine, the steadier figure.
  const line: Omit<ChildReport, 'variant'> & { variant: 'p' | 'ps'; cpuMs: number } = { variant: sync ? 'ps' : 'p', n, objects: registered, files: 0, warnings: 0, wallMs, maxRssKiB: process.resourceUsage().maxRSS, cpuMs: (used.user + used.system) / 1000 };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
