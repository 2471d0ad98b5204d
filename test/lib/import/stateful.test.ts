/**
 * External stateful services in `platform-cdk import`: a Service without selector and its EndpointSlice, with the
 * engine's label, come back as `addStatefulService` with their addresses per environment; what is not in that shape
 * stays an escape hatch.
 */
import * as fc from 'fast-check';
import { ClusterRole, Engine, Platform, Protocol, Registry, StatefulMode } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { readExternal } from '../../../lib/import/stateful';
import type { ExportedObject } from '../../../lib/import/read';
import type { KubeObject } from '../../../lib/manifest';
import { tiered } from '../../tier';
import { roundTrip } from './roundtrip';

const SEED = 20261206;

function platformWith(build: (project: ReturnType<ReturnType<Platform['addTenant']>['addProject']>) => void): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const test = platform.addEnvironment('test', { clusters: [host], namespaceSuffix: '-test' });
  const production = platform.addEnvironment('production', { clusters: [host], production: true });
  build(platform.addTenant('orders', { manager: 'alice' }).addProject('data', { environments: [test, production] }));
  return platform;
}

test('databases on machines, the same or different per environment, of known and generic engines, round-trip', () => {
  const platform = platformWith((project) => {
    project.addStatefulService('mysql', { engine: Engine.mysql(), perEnvironment: { test: { external: { addresses: ['10.1.0.10'] } }, production: { external: { addresses: ['10.2.0.11', '10.2.0.10'], port: 13306 } } } });
    project.addStatefulService('clickhouse', { engine: Engine.clickhouse(), external: { addresses: ['10.3.0.1'] } });
    project.addStatefulService('pg', { engine: Engine.generic({ name: 'postgres', ports: [{ port: 5432, name: 'pg' }, { port: 9187, name: 'metrics' }], dataPath: '/var/lib/postgresql/data' }), mode: StatefulMode.EXTERNAL, external: { addresses: ['10.4.0.1'] } });
  });
  const r = roundTrip(platform, 'stateful');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  const p = r.imported.program;
  expect(p).toContain("addStatefulService('mysql', {");
  expect(p).toContain("production: { external: { addresses: ['10.2.0.10', '10.2.0.11'], port: 13306 } }");
  expect(p).toContain("addStatefulService('clickhouse', { engine: Engine.clickhouse(), external: { addresses: ['10.3.0.1'] } })");
  expect(p).toContain("Engine.generic({ name: 'postgres', ports: [{ port: 5432, name: 'pg' }, { port: 9187, name: 'metrics' }], dataPath: '/data' })");
  expect(r.imported.summary.hatch).toBe(0);
  expect(r.imported.report.filter((e) => e.object.startsWith('EndpointSlice')).every((e) => e.outcome === 'typed')).toBe(true);
});

test('a database given by its DNS name, and a service that connects to it, round-trip', () => {
  const platform = platformWith((project) => {
    const cache = project.addStatefulService('cache', { engine: Engine.redis(), perEnvironment: { test: { external: { host: 'redis.test.example.com' } }, production: { external: { addresses: ['10.2.0.7'] } } } });
    project.addService('api', { image: Registry.at('harbor.example.com').image('data/api', '1.0.0'), runAsUser: 1000 }).connectsTo(cache);
  });
  const r = roundTrip(platform, 'stateful-host');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  expect(r.imported.program).toContain("test: { external: { host: 'redis.test.example.com' } }");
  expect(r.imported.program).toContain('api.connectsTo(cache)');
  expect(r.imported.summary.hatch).toBe(0);
});

test('readExternal refuses what the library does not write for a stateful service', () => {
  const place = { cluster: 'c', namespace: 'data', environment: 'production', project: 'data', tenant: 't' };
  const labels = { 'platform-cdk.io/engine': 'mysql' };
  const svc = (spec: Record<string, unknown>, l: Record<string, string> = labels): ExportedObject => ({ cluster: 'c', file: 'f', object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data', labels: l }, spec } as KubeObject });
  const slice = (endpoints: unknown[], ports = [{ name: 'mysql', port: 3306, protocol: 'TCP' }]): ExportedObject => ({ cluster: 'c', file: 'f', object: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'db', namespace: 'data', labels: { 'kubernetes.io/service-name': 'db' } }, addressType: 'IPv4', endpoints, ports } as unknown as KubeObject });
  const ok = { ports: [{ name: 'mysql', port: 3306, targetPort: 3306, protocol: 'TCP' }], type: 'ClusterIP' };
  const ready = [{ addresses: ['10.0.0.1'], conditions: { ready: true } }];
  const read = (s: ExportedObject, e: ExportedObject): unknown => readExternal(place, s, [s, e]);
  expect(read(svc(ok), slice(ready))).toMatchObject({ name: 'db', engine: 'mysql', addresses: ['10.0.0.1'] });
  // No engine label: another Service without selector (an exposure's legacy route, a hand-made one).
  expect(read(svc(ok, {}), slice(ready))).toBeUndefined();
  // A selector, an address that is not IPv4, an endpoint not ready, a port the slice does not list.
  expect(read(svc({ ...ok, selector: { app: 'db' } }), slice(ready))).toBeUndefined();
  expect(read(svc(ok), slice([{ addresses: ['db.example.com'], conditions: { ready: true } }]))).toBeUndefined();
  expect(read(svc(ok), slice([{ addresses: ['10.0.0.1'], conditions: { ready: false } }]))).toBeUndefined();
  expect(read(svc(ok), slice(ready, [{ name: 'other', port: 3306, protocol: 'TCP' }]))).toBeUndefined();
  // A hostile label is not written into the program as an engine's name.
  expect(read(svc(ok, { 'platform-cdk.io/engine': "x'); process.exit(1); ('" }), slice(ready))).toBeUndefined();
});

test('property: external stateful services with any addresses and ports round-trip', () => {
  const octet = fc.integer({ min: 1, max: 254 });
  const address = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
  let run = 0;
  fc.assert(
    fc.property(
      fc.uniqueArray(address, { minLength: 1, maxLength: 3 }),
      fc.uniqueArray(address, { minLength: 1, maxLength: 3 }),
      fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
      fc.constantFrom('mysql', 'redis', 'generic'),
      (test, production, port, kind) => {
        run++;
        const platform = platformWith((project) => {
          const engine = kind === 'mysql' ? Engine.mysql() : kind === 'redis' ? Engine.redis() : Engine.generic({ name: 'kv', ports: [{ port: 7000, name: 'kv', protocol: Protocol.TCP }], dataPath: '/data' });
          project.addStatefulService('store', { engine, perEnvironment: { test: { external: { addresses: test, port } }, production: { external: { addresses: production } } } });
        });
        const r = roundTrip(platform, `stateful-property-${run}`);
        expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
      },
    ),
    { seed: SEED, numRuns: tiered(4, 25) },
  );
});
