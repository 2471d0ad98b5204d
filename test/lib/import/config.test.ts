/**
 * The import of a service's configuration (lib/import/config.ts): the ConfigMap the library writes from `config`,
 * its variables, files and hash, back to `config`, with the values every environment shares written once.
 */
import * as fc from 'fast-check';
import { ClusterRole, Platform, Registry } from 'platform-cdk';
import type { ConfigOptions, KubeObject } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { mergeConfig, readConfig } from '../../../lib/import/config';
import type { ImportedService } from '../../../lib/import/model';
import { roundTrip } from './roundtrip';

const SEED = 22;
const image = Registry.at('harbor.example.com').image('orders/api', '1.2.3');

/** An estate of one service in test and production, with the configuration given. */
function estate(config: ConfigOptions | undefined, test?: ConfigOptions, production?: ConfigOptions): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const testEnv = platform.addEnvironment('test', { clusters: [host], namespaceSuffix: '-test' });
  const prod = platform.addEnvironment('production', { clusters: [host], production: true });
  const project = platform.addTenant('orders', { manager: 'alice' }).addProject('orders', { environments: [testEnv, prod] });
  project.addService('api', { image, runAsUser: 1000, ports: [{ port: 8080 }], config, perEnvironment: { test: { config: test }, production: { config: production } } });
  return platform;
}

test('values and files round-trip; what every environment shares is written once, the differences as overrides', () => {
  const r = roundTrip(
    estate({ values: { TZ: 'Asia/Shanghai', MODE: 'x' }, files: { 'app.yaml': 'a: 1\nb: "two"\n' }, mountPath: '/etc/app' }, { values: { MODE: 'test' } }, { values: { EXTRA: 'only here' } }),
    'config-basic',
  );
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  const p = r.imported.program;
  expect(p).toContain("values: { MODE: 'test', TZ: 'Asia/Shanghai' }");
  expect(p).toContain("mountPath: '/etc/app'");
  expect(p).toMatch(/production: \{\s*config: \{ values: \{ EXTRA: 'only here', MODE: 'x' \} \}/);
  expect(p).not.toContain('configMapKeyRef');
  expect(p).not.toContain('config-hash');
  expect(r.imported.report.filter((e) => e.object.startsWith('ConfigMap')).map((e) => e.outcome)).toEqual(['typed', 'typed']);
  expect(r.imported.summary.hatch).toBe(0);
});

test('values that must be quoted in TypeScript come back as they were', () => {
  const evil = "x'); process.exit(7); ('\n*/ // ${process.exit(8)}` \u2028";
  const r = roundTrip(estate({ values: { EVIL: evil }, files: { 'we-ird.conf': evil } }), 'config-evil');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  expect(r.imported.summary.hatch).toBe(0);
});

test('a name the model refuses (a variable with a space) leaves the ConfigMap as it is, carried through a hatch', () => {
  const { cm, deployment } = handMade({ 'a b': '1' }, { 'a b': 'a b' });
  expect(readConfig(cm, deployment, 'api')).toBeUndefined();
});

/** A Deployment and its ConfigMap as the library writes them, by hand. */
function handMade(data: Record<string, string>, env: Record<string, string>): { cm: KubeObject; deployment: KubeObject } {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-config', namespace: 'orders' }, data } as unknown as KubeObject;
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'orders' },
    spec: { template: { metadata: {}, spec: { containers: [{ name: 'api', env: Object.entries(env).map(([name, key]) => ({ name, valueFrom: { configMapKeyRef: { name: 'api-config', key } } })) }] } } },
  } as unknown as KubeObject;
  return { cm, deployment };
}

test('a secret-looking value becomes a Secret reference, never a value', () => {
  const { cm, deployment } = handMade({ DB_PASSWORD: 'hunter2-correct-horse', TZ: 'UTC' }, { DB_PASSWORD: 'DB_PASSWORD', TZ: 'TZ' });
  const r = readConfig(cm, deployment, 'api');
  expect(r?.config).toEqual({ values: { TZ: 'UTC' } });
  expect(r?.secrets).toEqual({ DB_PASSWORD: 'db-password' });
  expect(JSON.stringify(r)).not.toContain('hunter2');
  expect(r?.hashMatches).toBe(false);
});

test('a ConfigMap the library would not write again stays unclaimed', () => {
  // A key no variable reads and no file mounts; a variable named unlike its key.
  expect(readConfig(handMade({ A: '1', B: '2' }, { A: 'A' }).cm, handMade({ A: '1', B: '2' }, { A: 'A' }).deployment, 'api')).toBeUndefined();
  expect(readConfig(handMade({ A: '1' }, { X: 'A' }).cm, handMade({ A: '1' }, { X: 'A' }).deployment, 'api')).toBeUndefined();
  const { cm, deployment } = handMade({ A: '1' }, { A: 'A' });
  expect(readConfig({ ...cm, metadata: { ...cm.metadata, name: 'other-config' } }, deployment, 'api')).toBeUndefined();
  expect(readConfig({ ...cm, binaryData: { b: 'AA==' } } as unknown as KubeObject, deployment, 'api')).toBeUndefined();
});

test('property: merging configurations keeps every environment\'s configuration as it was', () => {
  const envs = ['dev', 'test', 'production'];
  const values = fc.option(fc.dictionary(fc.constantFrom('A', 'B', 'C'), fc.constantFrom('1', '2')), { nil: undefined });
  fc.assert(
    fc.property(fc.tuple(values, values, values), (configs) => {
      // As mergeEnvironments leaves it: the first environment's in common when every environment has one.
      const all = configs.every((c) => c !== undefined);
      const s: ImportedService = { name: 'api', common: all ? { extra: { config: { values: configs[0] } } } : {}, perEnvironment: {}, hosts: {}, notes: [] };
      envs.forEach((e, i) => {
        if (configs[i] !== undefined && (!all || i > 0)) s.perEnvironment[e] = { extra: { config: { values: configs[i] } } };
      });
      mergeConfig(s, envs);
      envs.forEach((e, i) => {
        const common = (s.common.extra?.config as { values?: Record<string, string> } | undefined)?.values;
        const over = (s.perEnvironment[e]?.extra?.config as { values?: Record<string, string> } | undefined)?.values;
        const merged = common === undefined && over === undefined ? undefined : { ...common, ...over };
        expect(merged ?? {}).toEqual(configs[i] ?? {});
        // No empty override is written.
        if (s.perEnvironment[e]) expect(Object.keys(s.perEnvironment[e]).length).toBeGreaterThan(0);
      });
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('property: any configuration of two environments round-trips', () => {
  const key = fc.constantFrom('A', 'B_C', 'MODE', 'X1');
  const value = fc.string({ maxLength: 12 });
  const cfg = fc.record({ values: fc.dictionary(key, value, { minKeys: 1, maxKeys: 3 }) });
  let run = 0;
  fc.assert(
    fc.property(cfg, fc.option(cfg, { nil: undefined }), (base, prod) => {
      // A program's module is cached by its name: one name per run.
      const r = roundTrip(estate(base, undefined, prod), `config-prop-${run++}`);
      expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    }),
    { seed: SEED, numRuns: 4 },
  );
});
