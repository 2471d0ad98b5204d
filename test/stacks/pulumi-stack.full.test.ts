/**
 * The exhaustive part of the Pulumi output's tests (the full tier, `npm run test:full`): every stack of every
 * example registers exactly the objects and bodies the YAML output holds for it, and every object once over all
 * stacks; every example's Pulumi program runs as every stack with the configuration of its `Pulumi.<stack>.yaml`.
 * pulumi-stack.test.ts (the quick tier) checks the same on the quick start, the readme example and a small estate.
 */
import * as pulumi from '@pulumi/pulumi';
import { stackNames, stackScope } from 'platform-cdk';
import { contexts, exampleNames, examplePlatform, PulumiHarness, pulumiPrograms, registeredObjects, runProgram, yamlObjects, yamlObjectsOf } from '../pulumi-mocks';

const harness = new PulumiHarness('platform-cdk-test');
beforeAll(async () => {
  await harness.load();
});
afterEach(async () => {
  await pulumi.runtime.disconnect();
});

describe.each(exampleNames())('the example %s', (example) => {
  it('registers, per stack, exactly the objects and bodies the YAML holds for it, and all of them once over all stacks', async () => {
    const platform = examplePlatform(example);
    const objects = yamlObjects(platform);
    const seen = new Map<string, string>();
    // Once per name: an environment named after its own cluster gives that name twice (the environment, and the
    // cluster as the owner of its cluster-wide objects).
    for (const name of new Set(stackNames(platform))) {
      const { recorded } = await harness.deploy(platform, name, contexts(...(stackScope(platform, name)?.clusters.map((c) => c.name) ?? [])));
      await pulumi.runtime.disconnect();
      const registered = registeredObjects(recorded);
      const expected = yamlObjectsOf(platform, objects, name);
      expect([...registered.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, { object }] of registered) expect(object).toEqual(expected.get(key));
      for (const key of registered.keys()) {
        expect(seen.get(key)).toBeUndefined();
        seen.set(key, name);
      }
    }
    expect(seen.size).toBe(objects.length);
  });
});

describe('the Pulumi programs of the examples', () => {
  it.each(pulumiPrograms())('%s runs as stack %s with the configuration of its Pulumi.<stack>.yaml', async (example, stackName) => {
    const exported = await runProgram(harness, example, stackName);
    expect(exported.objectCount).toBeGreaterThan(0);
    expect(exported.clusters).toEqual(stackScope(examplePlatform(example), stackName)?.clusters.map((c) => c.name));
  });
});
