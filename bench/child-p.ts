/**
 * Pulumi registration, run as `node child-p.js <n> <unused>`: builds the bench estate's model and registers
 * every environment's stack with `PulumiStack` under Pulumi's mocks (`pulumi.runtime.setMocks`), one stack
 * after the other, as plain node (Pulumi under jest is several times slower). The time runs from before the
 * model is built to after every resource of every stack has its URN.
 */
import * as pulumi from '@pulumi/pulumi';
import { childArgs, report } from './child-protocol';
import { buildBenchEstate } from './estate';

async function main(): Promise<void> {
  const { n } = childArgs();
  let registered = 0;
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      if (args.type.startsWith('kubernetes:')) registered++;
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
      return args.inputs;
    },
  };
  const start = performance.now();
  const platform = buildBenchEstate(n);
  // The Kubernetes SDK is loaded after the mocks are set, as Pulumi requires.
  pulumi.runtime.setMocks(mocks, 'bench', 'bench', false);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PulumiStack } = require('../pulumi') as typeof import('../pulumi');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stackNames } = require('../index') as typeof import('../index');
  pulumi.runtime.setAllConfig(Object.fromEntries(platform.clusters.map((c) => [`platform-cdk:context-${c.name}`, c.name])));
  for (const name of stackNames(platform)) {
    pulumi.runtime.setMocks(mocks, 'bench', name, false);
    const stack = new PulumiStack(platform);
    for (const o of stack.objects.values()) await new Promise((resolve) => o.resource.urn.apply(resolve));
    await pulumi.runtime.disconnect();
  }
  const wallMs = performance.now() - start;
  report({ variant: 'p', n, objects: registered, files: 0, warnings: 0, wallMs, maxRssKiB: process.resourceUsage().maxRSS });
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
