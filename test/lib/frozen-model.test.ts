/**
 * The model is frozen while it is validated and rendered (`lib/frozen-model.ts`): a service's settings are computed
 * once in that time, and never cached outside, so a model changed between two validations is seen as it is.
 */
import fc from 'fast-check';
import { ManifestStack, validatePlatform } from 'platform-cdk';
import { derivedOnce, modelFrozen, whileModelFrozen } from '../../lib/frozen-model';
import { estateNamespaces } from '../../lib/reserved';
import { addService, fixture } from '../fixture';

describe('the frozen model', () => {
  test('settings are computed once while the model is frozen, and afresh outside', () => {
    const f = fixture();
    const web = addService(f, 'web');
    expect(web.settingsFor(f.test)).not.toBe(web.settingsFor(f.test));
    whileModelFrozen(() => {
      const first = web.settingsFor(f.test);
      expect(web.settingsFor(f.test)).toBe(first);
      expect(web.settingsFor(f.production)).not.toBe(first);
      // Nested calls share the outer one's values.
      expect(whileModelFrozen(() => web.settingsFor(f.test))).toBe(first);
    });
    expect(modelFrozen()).toBe(false);
  });

  test('a change between two validations is seen: nothing is cached across them', () => {
    const f = fixture();
    const web = addService(f, 'web');
    expect(validatePlatform(f.platform).filter((p) => p.severity === 'error')).toEqual([]);
    expect(web.settingsFor(f.test).env).toEqual([]);
    web.addEnv('LOG_LEVEL', 'debug');
    web.inEnvironment('test', { replicas: 0 });
    expect(validatePlatform(f.platform).filter((p) => p.severity === 'error')).toEqual([]);
    expect(web.settingsFor(f.test).env).toEqual([['LOG_LEVEL', 'debug']]);
    expect(web.settingsFor(f.test).replicas).toBe(0);
    const files = new ManifestStack(f.platform, { checks: false }).files();
    const test = [...files.entries()].find(([file]) => file.startsWith('member-test/10-'))?.[1] ?? '';
    expect(test).toContain('LOG_LEVEL');
    expect(test).toMatch(/replicas: 0\n/);
  });

  test('a project\'s services and environments and a service\'s ports and environments are found once while frozen, as copies a caller may change', () => {
    const f = fixture();
    const web = addService(f, 'web');
    whileModelFrozen(() => {
      const services = f.project.services;
      expect(f.project.services).not.toBe(services);
      services.pop();
      f.project.environments.pop();
      web.ports.pop();
      web.environments.pop();
      expect(f.project.services).toEqual([web]);
      expect(f.project.environments).toEqual([f.test, f.production]);
      expect(f.project.isPlacedIn(f.production)).toBe(true);
      expect(web.ports.map((p) => p.port)).toEqual([8080]);
      expect(web.findPort(undefined)?.port).toBe(8080);
      expect(web.environments).toEqual([f.test, f.production]);
    });
  });

  test('services, ports and placements added between two syntheses are seen by the second', () => {
    const f = fixture();
    const web = addService(f, 'web');
    const first = new ManifestStack(f.platform, { checks: false }).files();
    expect([...first.values()].join('\n')).not.toContain('name: api\n');
    addService(f, 'api');
    web.addPort({ port: 9090 });
    const staging = f.platform.addEnvironment('staging', { clusters: [f.member], domain: 'staging.example.com', namespaceSuffix: '-staging' });
    f.project.placeIn(staging);
    expect(validatePlatform(f.platform).filter((p) => p.severity === 'error')).toEqual([]);
    expect(f.project.services.map((s) => s.name)).toEqual(['web', 'api']);
    const second = [...new ManifestStack(f.platform, { checks: false }).files().entries()];
    const text = second.map(([, t]) => t).join('\n');
    expect(text).toContain('name: api\n');
    expect(text).toContain('port: 9090');
    expect(second.some(([file]) => file.includes('staging'))).toBe(true);
  });

  test('the estate\'s reserved namespaces are found once while frozen, afresh outside (a tenant added later is seen)', () => {
    const f = fixture();
    expect(estateNamespaces(f.platform)).not.toBe(estateNamespaces(f.platform));
    whileModelFrozen(() => expect(estateNamespaces(f.platform)).toBe(estateNamespaces(f.platform)));
    expect(estateNamespaces(f.platform).has('billing-devops')).toBe(false);
    f.platform.addTenant('billing', { manager: 'bob' });
    expect(whileModelFrozen(() => estateNamespaces(f.platform).has('billing-devops'))).toBe(true);
  });

  test('the cache is dropped when the outermost call ends, also when it throws', () => {
    const owner = {};
    const key = {};
    expect(() =>
      whileModelFrozen(() => {
        derivedOnce(owner, key, () => 1);
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(modelFrozen()).toBe(false);
    expect(whileModelFrozen(() => derivedOnce(owner, key, () => 2))).toBe(2);
  });

  test('property: inside a frozen model each owner and key is computed once, outside every time', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), fc.nat(3), fc.boolean()), { maxLength: 40 }), (calls) => {
        const owners = [{}, {}, {}, {}];
        const keys = [{}, {}, {}, {}];
        let computed = 0;
        const expected = new Set<string>();
        let outside = 0;
        whileModelFrozen(() => {
          for (const [o, k, nested] of calls) {
            const value = nested ? whileModelFrozen(() => derivedOnce(owners[o], keys[k], () => ++computed)) : derivedOnce(owners[o], keys[k], () => ++computed);
            expect(value).toBeGreaterThan(0);
            expected.add(`${o}/${k}`);
          }
        });
        for (const [o, k] of calls) {
          derivedOnce(owners[o], keys[k], () => ++outside);
        }
        return computed === expected.size && outside === calls.length && !modelFrozen();
      }),
      { seed: 20261206, numRuns: 200 },
    );
  });
});
