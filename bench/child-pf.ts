/**
 * The Pulumi SDK's floor, on the objects variant p registers. Two modes:
 *
 * - `node child-pf.js <n> <file> dump [environment]`: registers the environment's stack with `PulumiStack` under
 *   Pulumi's mocks (as variant p does) and writes to `<file>` what reached the mocks for every Kubernetes resource:
 *   its type token, name, inputs and cluster (the provider's name). Prints nothing to time.
 * - `node child-pf.js <n> <file> [window]`: reads and parses `<file>` before the timed window, then registers every object
 *   as a bare `pulumi.CustomResource` with the same type token, name and inputs, bound to a bare
 *   `pulumi.ProviderResource` of its cluster: no library code, no component resources, no `dependsOn`, no
 *   `ignoreChanges`, none of `@pulumi/kubernetes`'s typed classes (their aliases and default options). The time runs
 *   from before the first registration to after every resource has its URN. Prints one `ChildReport` line
 *   (variant `pf`), with the CPU time of the window (`cpuMs`). The SDK's promise bookkeeping runs without its
 *   debugging traces, as under `PulumiStack` (stacks/pulumi-bookkeeping.ts); `BENCH_PF_SDK_TRACES=1` runs the SDK's
 *   own, the floor as shipped. With `window` (variant pfw), the same resources are registered through
 *   `registerInWindow` (stacks/pulumi-window.ts), the pacing of `PulumiStack.create`, `window` at a time: the floor of
 *   p's own way of registering.
 */
import * as fs from 'fs';
import * as pulumi from '@pulumi/pulumi';
import { installLightPromises } from '../stacks/pulumi-bookkeeping';
import { registerInWindow } from '../stacks/pulumi-window';
import { childArgs } from './child-protocol';
import type { ChildReport } from './child-protocol';

/** One Kubernetes resource as it reached Pulumi's mocks. */
interface DumpedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly cluster: string;
}

/** `pulumi.CustomResource` itself (the class is abstract in its typings only). */
class BareResource extends pulumi.CustomResource {}
/** `pulumi.ProviderResource` itself. */
class BareProvider extends pulumi.ProviderResource {}

const idle: pulumi.runtime.Mocks = {
  newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
  call: (args) => args.inputs,
};

async function dump(n: number, file: string, environment: string): Promise<void> {
  const dumped: DumpedResource[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      if (args.type.startsWith('kubernetes:')) {
        const urn = (args.provider ?? '').slice(0, (args.provider ?? '').lastIndexOf('::'));
        dumped.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, cluster: urn.slice(urn.lastIndexOf('::') + 2) });
      }
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  };
  pulumi.runtime.setMocks(mocks, 'bench', environment, false);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { PulumiStack } = require('../pulumi') as typeof import('../pulumi');
  const { buildBenchEstate } = require('./estate') as typeof import('./estate');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const platform = buildBenchEstate(n);
  pulumi.runtime.setAllConfig(Object.fromEntries(platform.clusters.map((c) => [`platform-cdk:context-${c.name}`, c.name])));
  const stack = new PulumiStack(platform);
  await Promise.all([...stack.objects.values()].map((o) => new Promise((resolve) => o.resource.urn.apply(resolve))));
  await pulumi.runtime.disconnect();
  fs.writeFileSync(file, JSON.stringify(dumped));
}

async function floor(n: number, file: string, window?: number): Promise<void> {
  const objects = JSON.parse(fs.readFileSync(file, 'utf8')) as DumpedResource[];
  pulumi.runtime.setMocks(idle, 'bench', 'floor', false);
  // The SDK's promise bookkeeping without its debugging traces, as PulumiStack registers (unless BENCH_PF_SDK_TRACES=1).
  if (process.env.BENCH_PF_SDK_TRACES !== '1') installLightPromises();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const providers = new Map<string, pulumi.ProviderResource>();
  const resources: pulumi.CustomResource[] = [];
  const register = (o: DumpedResource): pulumi.CustomResource => {
    let provider = providers.get(o.cluster);
    if (!provider) providers.set(o.cluster, (provider = new BareProvider('kubernetes', o.cluster, { context: o.cluster, enableServerSideApply: true })));
    const resource = new BareResource(o.type, o.name, o.inputs, { provider });
    resources.push(resource);
    return resource;
  };
  if (window === undefined) for (const o of objects) register(o);
  else await registerInWindow(objects.map((o) => () => register(o)), window);
  await Promise.all(resources.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
  await pulumi.runtime.disconnect();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const line: Omit<ChildReport, 'variant'> & { variant: 'pf' | 'pfw'; cpuMs: number } = { variant: window === undefined ? 'pf' : 'pfw', n, objects: resources.length, files: 0, warnings: 0, wallMs, maxRssKiB: process.resourceUsage().maxRSS, cpuMs: (used.user + used.system) / 1000 };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const { n, outdir: file } = childArgs();
const run = process.argv[4] === 'dump' ? dump(n, file, process.argv[5] ?? 'production') : floor(n, file, process.argv[4] === undefined ? undefined : Number(process.argv[4]));
run.catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
