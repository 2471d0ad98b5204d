/**
 * Connections in `platform-cdk import`: `connectsTo` inferred from a consumer's address variables and confirmed by
 * the network policies the library writes; small estates round-trip with no difference, and variables or policies out
 * of the library's shape stay as they were.
 */
import * as fc from 'fast-check';
import { ClusterRole, Engine, Platform, Registry, StatefulMode } from 'platform-cdk';
import type { AppService } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { inferConnections } from '../../../lib/import/connections';
import type { ConnectionTarget } from '../../../lib/import/connections';
import { tiered } from '../../tier';
import { roundTrip } from './roundtrip';

const SEED = 20261206;
const harbor = Registry.at('harbor.example.com');

function estate(): { platform: Platform; services: Map<string, AppService>; tenants: ReturnType<Platform['addTenant']>[] } {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const test = platform.addEnvironment('test', { clusters: [host], namespaceSuffix: '-test' });
  const production = platform.addEnvironment('production', { clusters: [host], production: true });
  const orders = platform.addTenant('orders', { manager: 'alice' });
  const billing = platform.addTenant('billing', { manager: 'bob' });
  const services = new Map<string, AppService>();
  const api = orders.addProject('shop', { environments: [test, production] });
  for (const name of ['web', 'api', 'cart']) services.set(name, api.addService(name, { image: harbor.image(`shop/${name}`, '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }, { port: 9090, name: 'grpc' }] }));
  const pay = billing.addProject('pay', { environments: [test, production] });
  services.set('ledger', pay.addService('ledger', { image: harbor.image('pay/ledger', '2.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] }));
  return { platform, services, tenants: [orders, billing] };
}

test('connections within a project, across projects and tenants, with ports, prefixes and templates round-trip', () => {
  const { platform, services, tenants } = estate();
  const [web, api, cart, ledger] = ['web', 'api', 'cart', 'ledger'].map((n) => services.get(n)!);
  const db = api.project.addStatefulService('orders-db', { engine: Engine.mysql(), perEnvironment: { test: { external: { addresses: ['10.1.0.5'] } }, production: { external: { addresses: ['10.2.0.5', '10.2.0.6'] } } } });
  web.connectsTo(api);
  web.connectsTo(cart, { port: 'grpc', envPrefix: 'BASKET' });
  api.connectsTo(db);
  api.connectsTo(cart, { env: { CART_URL: 'http://{shortHost}:{port}/v1?q={{x}}', CART_ADDR: '{host}:{port}' } });
  api.connectsTo(ledger, { env: { LEDGER_URL: 'https://{host}/api' }, hostAndPort: true });
  ledger.acceptFrom(tenants[0]);
  const r = roundTrip(platform, 'connections');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  const p = r.imported.program;
  expect(p).toContain('web.connectsTo(api)');
  expect(p).toContain("web.connectsTo(cart, { port: 'grpc', envPrefix: 'BASKET' })");
  expect(p).toContain("api.connectsTo(cart, { env: { CART_ADDR: '{host}:{port}', CART_URL: 'http://{shortHost}:{port}/v1?q={{x}}' } })");
  expect(p).toContain("api.connectsTo(ledger, { env: { LEDGER_URL: 'https://{host}/api' }, hostAndPort: true })");
  expect(p).toContain('ledger.acceptFrom(orders)');
  expect(p).toContain("addStatefulService('orders-db'");
  // No address is written as a plain variable, and every connection's policy comes back from the model.
  expect(p).not.toContain('svc.cluster.local');
  expect(r.imported.report.filter((e) => e.object.startsWith('NetworkPolicy') && e.outcome === 'hatch')).toEqual([]);
});

test('connections in an environment of two clusters round-trip', () => {
  const platform = new Platform('acme');
  const a = platform.addCluster('host', { role: ClusterRole.HOST });
  const b = platform.addCluster('member', { role: ClusterRole.MEMBER });
  const production = platform.addEnvironment('production', { clusters: [a, b], production: true });
  const tenant = platform.addTenant('orders', { manager: 'alice' });
  const front = tenant.addProject('front', { environments: [production] });
  const back = tenant.addProject('back', { environments: [production] });
  const api = back.addService('api', { image: harbor.image('back/api', '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] });
  front.addService('web', { image: harbor.image('front/web', '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] }).connectsTo(api);
  back.addService('worker', { image: harbor.image('back/worker', '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] }).connectsTo(api);
  const r = roundTrip(platform, 'connections-clusters');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  expect(r.imported.program).toContain('connectsTo(api)');
});

test('address variables without the policies of a connection stay plain variables', () => {
  const { platform, services } = estate();
  // What a console-built estate has: the address written by hand, no network policy of a connection.
  const web = services.get('web')!;
  web.project.addService('worker', { image: harbor.image('shop/worker', '1.0.0'), runAsUser: 1000, env: { API_HOST: 'api.shop-test.svc.cluster.local', API_PORT: '8080' } });
  const r = roundTrip(platform, 'connections-plain');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  expect(r.imported.program).toContain("API_HOST: 'api.shop-test.svc.cluster.local'");
  expect(r.imported.program).not.toContain('connectsTo');
});

test('inferConnections reads the library\'s variables and refuses what is out of its shape', () => {
  const target: ConnectionTarget = { place: { cluster: 'c', namespace: 'data', environment: 'e', project: 'data', tenant: 't' }, name: 'db', ports: [{ name: 'mysql', port: 3306, targetPort: 3306, protocol: 'TCP' }], peer: { kind: 'addresses', cidrs: ['10.0.0.1/32'] } };
  const lookup = (ns: string, name: string): ConnectionTarget | undefined => (ns === 'data' && name === 'db' ? target : undefined);
  const host = 'db.data.svc.cluster.local';
  const env = (...pairs: [string, string][]): Record<string, unknown>[] => pairs.map(([name, value]) => ({ name, value }));
  expect(inferConnections(env(['A', 'x'], ['DB_HOST', host], ['DB_PORT', '3306']), 'app', lookup)?.map((c) => c.options)).toEqual([{}]);
  // Not at the end of the list (a plain variable after it): the library never writes that.
  expect(inferConnections(env(['DB_HOST', host], ['DB_PORT', '3306'], ['A', 'x']), 'app', lookup)).toEqual([]);
  // A credential in an address is never a template (and never written into the program as one).
  expect(inferConnections(env(['DB_URL', `mysql://root:hunter2@${host}:3306/app`]), 'app', lookup)).toEqual([]);
  // Nor is a value that looks like a secret, whatever its form.
  expect(inferConnections(env(['DB_URL', `https://${host}/?key=AKIAIOSFODNN7EXAMPLE`]), 'app', lookup)).toEqual([]);
  expect(inferConnections(env(['DB_PASSWORD', host]), 'app', lookup)).toEqual([]);
  // A port that is not the target's.
  expect(inferConnections(env(['DB_HOST', host], ['DB_PORT', '3307']), 'app', lookup)).toBeUndefined();
  // Braces and quotes in a template are escaped, and the value comes back as it was.
  const odd = inferConnections(env(['DB_ADDR', `tcp(${host}:3306)/{app}?x='1'`]), 'app', lookup);
  expect(odd?.[0].options).toEqual({ env: { DB_ADDR: "tcp({host}:{port})/{{app}}?x='1'" } });
  // An unknown namespace or service is no target.
  expect(inferConnections(env(['X_HOST', 'db.other.svc.cluster.local'], ['X_PORT', '3306']), 'app', lookup)).toEqual([]);
});

test('property: whatever connections a small estate declares round-trip with no difference', () => {
  const names = ['web', 'api', 'cart', 'ledger'];
  const connection = fc.record({
    from: fc.constantFrom('web', 'api', 'cart'),
    to: fc.constantFrom(...names, 'db'),
    port: fc.constantFrom<'grpc' | undefined>(undefined, 'grpc'),
    prefix: fc.constantFrom<string | undefined>(undefined, 'UP_STREAM'),
    template: fc.constantFrom<string | undefined>(undefined, '{host}:{port}', 'http://{shortHost}/x?{{y}}', "it's {namespace}/{host}"),
  });
  let run = 0;
  fc.assert(
    fc.property(fc.array(connection, { maxLength: 5 }), (list) => {
      run++;
      const { platform, services, tenants } = estate();
      const data = services.get('api')!.project;
      const db = data.addStatefulService('db', { engine: Engine.redis(), mode: StatefulMode.EXTERNAL, external: { addresses: ['10.9.0.1'] } });
      const seen = new Set<string>();
      for (const c of list) {
        if (c.from === c.to || seen.has(`${c.from}/${c.to}`) || seen.has(`${c.to}/${c.from}`)) continue;
        seen.add(`${c.from}/${c.to}`);
        const target = c.to === 'db' ? db : services.get(c.to)!;
        const port = c.to === 'db' || c.to === 'ledger' ? undefined : c.port;
        services.get(c.from)!.connectsTo(target, { port, envPrefix: c.prefix && `${c.prefix}_${c.to.toUpperCase()}`, env: c.template ? { [`${c.to.toUpperCase()}_ADDR`]: c.template } : undefined });
      }
      services.get('ledger')!.acceptFrom(tenants[0]);
      const r = roundTrip(platform, `connections-property-${run}`);
      expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    }),
    { seed: SEED, numRuns: tiered(4, 30) },
  );
});
