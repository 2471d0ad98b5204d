/**
 * `PulumiStack.create` registers the constructor's objects, in the constructor's order, with at most
 * `registrationWindow` of them being prepared by the program at once; a bad window is a clear error. (A failed
 * registration ends the program, as with the constructor: the SDK reports it and exits, so it is not tested here.)
 */
import * as pulumi from '@pulumi/pulumi';
import * as fc from 'fast-check';
import { ValidationError } from 'platform-cdk';
import { addService, fixture } from '../fixture';
import { contexts, PulumiHarness } from '../pulumi-mocks';

const harness = new PulumiHarness('platform-cdk-window');
let mod: typeof import('platform-cdk/pulumi');
beforeAll(async () => {
  mod = await harness.load();
});
afterEach(async () => {
  await pulumi.runtime.disconnect();
});

/** A small estate: three services, one exposed, one connected to another. */
function estate(): ReturnType<typeof fixture> {
  const f = fixture();
  const api = addService(f, 'api');
  const web = addService(f, 'web');
  web.connectsTo(api);
  web.expose();
  addService(f, 'worker');
  return f;
}

/** Whether a registered type is one of the stack's Kubernetes objects (not a provider or a component). */
const isObject = (type: string): boolean => type.startsWith('kubernetes:') && !type.startsWith('pulumi:');

describe('PulumiStack.create', () => {
  it('registers exactly what the constructor registers, with the same dependencies, in the same order', async () => {
    harness.select('production', contexts('host'));
    const sync = new mod.PulumiStack(estate().platform);
    await Promise.all([...sync.objects.values()].map((o) => new Promise((resolve) => o.resource.urn.apply(resolve))));
    // The order in which requests reach the engine is the SDK's (a resource with dependencies takes longer to prepare);
    // the order of registration is that of `objects`.
    const requests = (rec: typeof harness.recorded): unknown[] => rec.filter((r) => isObject(r.type)).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs })).sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
    const bySync = requests(harness.recorded);
    await pulumi.runtime.disconnect();

    const { stack, recorded } = await harness.deploy(estate().platform, 'production', contexts('host'), [], { registrationWindow: 2 });
    expect(requests(recorded)).toEqual(bySync);
    expect([...stack.objects.keys()]).toEqual([...sync.objects.keys()]);
    expect([...stack.objects.values()].map((o) => o.dependsOn)).toEqual([...sync.objects.values()].map((o) => o.dependsOn));
    expect([...stack.components.keys()]).toEqual([...sync.components.keys()]);
    expect(stack.objects.size).toBeGreaterThan(10);
  });

  it('has at most `registrationWindow` objects constructed and not yet handed to the engine, whatever the window', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), async (window) => {
        let constructed = 0;
        let sent = 0;
        let most = 0;
        const mocks: pulumi.runtime.Mocks = {
          newResource(args) {
            if (isObject(args.type)) {
              sent++;
              most = Math.max(most, constructed - sent + 1);
            }
            return { id: `${args.name}-id`, state: args.inputs };
          },
          call: (args) => args.inputs,
        };
        await pulumi.runtime.setMocks(mocks, 'platform-cdk-window', 'production', false);
        pulumi.runtime.setAllConfig(contexts('host'));
        // The root component's transformations run for every resource under it, as it is constructed.
        const count: pulumi.ResourceTransformation = (args) => {
          if (isObject(args.type)) constructed++;
          return undefined;
        };
        const stack = await mod.PulumiStack.create(estate().platform, { registrationWindow: window }, { transformations: [count] });
        await pulumi.runtime.disconnect();
        expect(sent).toBe(stack.objects.size);
        expect(most).toBeGreaterThan(0);
        expect(most).toBeLessThanOrEqual(window);
      }),
      { seed: 20261206, numRuns: 4 },
    );
    // Later tests get the harness's recording mocks back.
    harness.select('production', contexts('host'));
  });

  it('constructs its objects without source positions, and leaves the SDK as it found it', async () => {
    harness.select('production', contexts('host'));
    const resource = pulumi.Resource as unknown as { callsites: () => unknown[] };
    // The harness turns source positions off for the whole file; a stand-in that gives one tells whether create does.
    const harnessCallsites = resource.callsites;
    const before = (): unknown[] => [{ file: 'program.ts', line: 1, column: 1 }];
    resource.callsites = before;
    let during: unknown;
    const spy: pulumi.ResourceTransformation = (args) => {
      if (isObject(args.type)) during ??= resource.callsites();
      return undefined;
    };
    await mod.PulumiStack.create(estate().platform, {}, { transformations: [spy] });
    const after = resource.callsites;
    resource.callsites = harnessCallsites;
    expect(during).toEqual([]);
    expect(after).toBe(before);
  });

  it('refuses a window that is not a whole number from 1, naming the property, the value and the fix', async () => {
    harness.select('production', contexts('host'));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ max: 0 }), fc.double({ noInteger: true }), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY)), async (window) => {
        const rejected = await mod.PulumiStack.create(estate().platform, { registrationWindow: window }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(rejected).toBeInstanceOf(ValidationError);
        const [problem] = (rejected as ValidationError).problems;
        expect(problem).toMatchObject({ property: 'registrationWindow', value: window });
        expect(problem.fix).toContain('whole number');
        // The constructor, which does not use the window, refuses it too.
        expect(() => new mod.PulumiStack(estate().platform, { registrationWindow: window })).toThrow(ValidationError);
      }),
      { seed: 20261206, numRuns: 25 },
    );
    expect(harness.recorded).toEqual([]);
  });
});
