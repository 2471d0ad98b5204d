/**
 * YAML = Pulumi with escape hatches: random valid estates with random user constructs, overrides, JSON patches and a
 * transform (test/property/hatches.ts) register, over all their Pulumi stacks under Pulumi's mocks, exactly the
 * objects and bodies of their YAML output, each once, on the provider of its own cluster. A few estates in the quick
 * tier, more in the full tier (where `Include` and `Helm` join the mix).
 */
import * as pulumi from '@pulumi/pulumi';
import * as fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { ManifestStack } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { validEstate } from './estate';
import { buildWithHatches, hatchSpec } from './hatches';
import { keyOf, recordingMocks, registeredByAllStacks } from '../pulumi-mocks';
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
        const { objects, duplicates } = await registeredByAllStacks(platform, mod, mocks, recorded, PROJECT);
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
