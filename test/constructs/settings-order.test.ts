/**
 * A service's settings list its variables, configuration values and files sorted by name, an environment's values
 * over the service's (the settings sort short lists by insertion and skip the merge when nothing is overridden, for
 * speed): for random names (number-like, prefixes of each other, more than the short-list bound) they must be what a
 * plain merge and sort gives, frozen or not. Seeded and bounded.
 */
import fc from 'fast-check';
import { whileModelFrozen } from '../../lib/frozen-model';
import { addService, fixture } from '../fixture';

/** The reference: the layers merged (later wins), then sorted by name with the built-in sort. */
function reference(...layers: (Record<string, string> | undefined)[]): [string, string][] {
  const merged = new Map<string, string>();
  for (const layer of layers) for (const [k, v] of Object.entries(layer ?? {})) merged.set(k, v);
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const name = fc.oneof(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/), fc.constantFrom('A', 'AB', 'A_B', 'B', 'Z9', 'LOG_LEVEL'));
const layer = fc.dictionary(name, fc.string({ maxLength: 5 }), { maxKeys: 24 });

describe('the order of a service\'s settings', () => {
  test('values, files and variables are sorted by name; an environment\'s override wins', () => {
    const f = fixture();
    const web = addService(f, 'web', {
      env: { ZED: '1', ALPHA: '2' },
      config: { values: { POOL_SIZE: 16, LOG_LEVEL: 'info', FEATURE_FLAGS: 'a,b' }, files: { 'z.yaml': 'z: 1\n', 'a.yaml': 'a: 1\n' } },
      perEnvironment: { production: { config: { values: { LOG_LEVEL: 'warn', B: 'x' } }, env: { MID: '3' } } },
    });
    const test = web.settingsFor(f.test);
    expect(test.configValues).toEqual([['FEATURE_FLAGS', 'a,b'], ['LOG_LEVEL', 'info'], ['POOL_SIZE', '16']]);
    expect(test.configFiles).toEqual([['a.yaml', 'a: 1\n'], ['z.yaml', 'z: 1\n']]);
    expect(test.env).toEqual([['ALPHA', '2'], ['ZED', '1']]);
    const production = web.settingsFor(f.production);
    expect(production.configValues).toEqual([['B', 'x'], ['FEATURE_FLAGS', 'a,b'], ['LOG_LEVEL', 'warn'], ['POOL_SIZE', '16']]);
    expect(production.env).toEqual([['ALPHA', '2'], ['MID', '3'], ['ZED', '1']]);
  });

  test('property: the same lists as a plain merge and sort, with and without overrides, frozen or not', () => {
    fc.assert(
      fc.property(layer, fc.option(layer, { nil: undefined }), layer, fc.option(layer, { nil: undefined }), fc.boolean(), (values, overValues, env, overEnv, frozen) => {
        const f = fixture();
        const web = addService(f, 'web', { env, config: { values, files: values }, perEnvironment: { production: { env: overEnv, config: overValues && { values: overValues } } } });
        const read = (): void => {
          for (const e of [f.test, f.production]) {
            const s = web.settingsFor(e);
            const over = e === f.production;
            expect(s.configValues).toEqual(reference(values, over ? overValues : undefined));
            expect(s.configFiles).toEqual(reference(values));
            expect(s.env).toEqual(reference(env, over ? overEnv : undefined));
          }
        };
        if (frozen) whileModelFrozen(read);
        else read();
      }),
      { seed: 20261206, numRuns: 150 },
    );
  });
});
