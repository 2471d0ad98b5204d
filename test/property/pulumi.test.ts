/**
 * The YAML and Pulumi outputs of random valid estates hold the same objects: under Pulumi's own mocks, the stacks
 * of an estate register, together, exactly the objects of its YAML files (same keys, same bodies), each once, on
 * the provider of its own cluster. The quick tier deploys a few estates, the full tier (`npm run test:full`) more;
 * the cost is Pulumi's own (registering resources under the mocks), so each estate is synthesized once.
 */
import * as pulumi from '@pulumi/pulumi';
import * as fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { ManifestStack } from 'platform-cdk';
import type { KubeObject, Platform } from 'platform-cdk';
import { buildEstate, validEstate } from './estate';
import { keyOf, recordingMocks, registeredByAllStacks } from '../pulumi-mocks';
import type { Recorded } from '../pulumi-mocks';
import { tiered } from '../tier';

/** The seed of the CI runs. */
const SEED = 20261203;

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

/** Every object of the YAML output, by key. */
function yamlObjects(platform: Platform): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const [file, text] of new ManifestStack(platform).files()) {
    if (file.startsWith('_')) continue;
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as KubeObject;
      out.set(keyOf(file.split('/')[0], o), o);
    }
  }
  return out;
}

describe('random valid estates, YAML and Pulumi', () => {
  it('register, over all their Pulumi stacks, exactly the objects and bodies of their YAML output, each once and on its own cluster', async () => {
    await fc.assert(
      fc.asyncProperty(validEstate, async (spec) => {
        const { platform } = buildEstate(spec);
        const yaml = yamlObjects(platform);
        const { objects, duplicates } = await registeredByAllStacks(platform, mod, mocks, recorded, PROJECT);
        expect(duplicates).toEqual([]);
        expect([...objects.keys()].sort()).toEqual([...yaml.keys()].sort());
        for (const [key, o] of objects) expect(o).toEqual(yaml.get(key));
      }),
      { seed: SEED, numRuns: tiered(3, 12) },
    );
  }, tiered(120_000, 600_000));
});
