/**
 * YAML = Pulumi with escape hatches: random valid estates with random user constructs, overrides, JSON patches and a
 * transform (test/property/hatches.ts) register, over all their Pulumi stacks under Pulumi's mocks, exactly the
 * objects and bodies of their YAML output, each once, on the provider of its own cluster. A few estates in the quick
 * tier, more in the full tier (where `Include` and `Helm` join the mix).
 */
import * as pulumi from '@pulumi/pulumi';
import * as fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { ManifestStack, stackNames, stackScope } from 'platform-cdk';
import type { KubeObject, Platform } from 'platform-cdk';
import { validEstate } from './estate';
import { buildWithHatches, hatchSpec } from './hatches';
import { recordingMocks } from '../pulumi-mocks';
import type { Recorded } from '../pulumi-mocks';
import { tiered } from '../tier';

const SEED = 20261206;
const PROJECT = 'platform-cdk-property';
const recorded: Recorded[] = [];
const mocks = recordingMocks(recorded);
pulumi.runtime.setMocks(mocks, PROJECT, 'test', false);

// @pulumi/kubernetes must be loaded after setMocks.
type PulumiModule = typeof import('platform-cdk/pulumi');
let mod: PulumiModule;
beforeAll(async () => {
  mod = await import('platform-cdk/pulumi');
});

const keyOf = (cluster: string, o: KubeObject): string => `${cluster}/${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`;

/** Every stack of the platform deployed under the mocks: what each registered, by key (the provider's cluster), and the duplicates. */
async function registeredByAllStacks(platform: Platform): Promise<{ objects: Map<string, KubeObject>; duplicates: string[] }> {
  const objects = new Map<string, KubeObject>();
  const duplicates: string[] = [];
  for (const stack of stackNames(platform)) {
    recorded.length = 0;
    pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
    const clusters = stackScope(platform, stack)?.clusters.map((c) => c.name) ?? [];
    pulumi.runtime.setAllConfig(Object.fromEntries(clusters.map((c) => [`platform-cdk:context-${c}`, c])), []);
    const s = new mod.PulumiStack(platform);
    for (const [, o] of s.objects) await new Promise((resolve) => o.resource.urn.apply(resolve));
    await pulumi.runtime.disconnect();
    for (const r of recorded) {
      if (!r.type.startsWith('kubernetes:')) continue;
      const object = JSON.parse(JSON.stringify(r.inputs)) as KubeObject;
      const annotations = object.metadata.annotations ?? {};
      delete annotations['pulumi.com/patchFieldManager'];
      if (Object.keys(annotations).length === 0) delete object.metadata.annotations;
      const urn = r.provider.slice(0, r.provider.lastIndexOf('::'));
      const key = keyOf(urn.slice(urn.lastIndexOf('::') + 2), object);
      if (objects.has(key)) duplicates.push(`${key} (stack ${stack})`);
      objects.set(key, object);
    }
  }
  return { objects, duplicates };
}

describe('random valid estates with random escape hatches, YAML and Pulumi', () => {
  it('register, over all their Pulumi stacks, exactly the objects and bodies of their YAML output, user objects included, each once and on its own cluster', async () => {
    await fc.assert(
      fc.asyncProperty(validEstate, hatchSpec, async (spec, hatches) => {
        const { platform, expected } = buildWithHatches(spec, hatches);
        const yaml = new Map<string, KubeObject>();
        for (const [file, text] of new ManifestStack(platform).files()) {
          if (file.startsWith('_')) continue;
          for (const doc of parseAllDocuments(text)) {
            const o = doc.toJS() as KubeObject;
            yaml.set(keyOf(file.split('/')[0], o), o);
          }
        }
        const { objects, duplicates } = await registeredByAllStacks(platform);
        expect(duplicates).toEqual([]);
        expect([...objects.keys()].sort()).toEqual([...yaml.keys()].sort());
        for (const [key, o] of objects) expect(o).toEqual(yaml.get(key));
        // Every declared user object is among them, on its cluster.
        const registered = new Set([...objects.keys()].map((k) => {
          const parts = k.split('/');
          return `${parts[0]}/${parts[parts.length - 3]}/${parts[parts.length - 2]}/${parts[parts.length - 1]}`;
        }));
        expect([...expected.keys()].filter((k) => !registered.has(k))).toEqual([]);
      }),
      { seed: SEED, numRuns: tiered(2, 12) },
    );
  }, tiered(120_000, 600_000));
});
