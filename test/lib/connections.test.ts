/**
 * Declared dependencies (`service.connectsTo(target)`): the consumer's address variables, network policies that
 * open exactly the declared paths (in a namespace, across namespaces and, when the target allows it, across
 * tenants), creation order in the Pulumi output, and cycles refused with the cycle spelled out.
 */
import * as pulumi from '@pulumi/pulumi';
import { BackupTarget, Engine, ExistingSecret, StatefulMode, TenantNetwork, validatePlatform } from 'platform-cdk';
import type { KubeObject, Platform } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';
import type { Fixture } from '../fixture';
import { connectionCycles } from '../../lib/connections';
import { echoMocks, usePulumiMocks } from '../pulumi-mocks';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const envOf = (objects: Map<string, KubeObject>, key: string): any[] => at(objects, key).spec.template.spec.containers[0].env ?? [];
/** The names of the NetworkPolicies of a namespace on a cluster, sorted. */
const policiesIn = (objects: Map<string, KubeObject>, prefix: string): string[] => [...objects.keys()].filter((k) => k.startsWith(`${prefix}/`) && k.includes('/NetworkPolicy/')).map((k) => k.slice(k.lastIndexOf('/') + 1)).sort();
const BASELINE = ['allow-dns', 'allow-same-tenant', 'default-deny'];
const pods = (ns: string, name: string): unknown => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': name } } });

/** A second tenant `ads` with project `banners` in both environments and a service `banner`. */
function adsTenant(f: Fixture) {
  const ads = f.platform.addTenant('ads', { manager: 'bob' });
  const banners = ads.addProject('banners', { environments: [f.test, f.production] });
  const banner = banners.addService('banner', { image: f.registry.image('ads/banner', '2.0.0'), ports: [{ port: 80, containerPort: 8080 }] });
  return { ads, banners, banner };
}

describe('connections', () => {
  describe('address variables', () => {
    it('give the consumer <TARGET>_HOST and <TARGET>_PORT: the target Service\'s DNS name and port', () => {
      const f = fixture();
      const orders = addService(f, 'orders-api', { ports: [{ port: 80, containerPort: 8080 }] });
      addService(f, 'web').connectsTo(orders);

      const objects = synth(f.platform);
      expect(envOf(objects, 'host/Deployment/storefront/web')).toEqual([
        { name: 'ORDERS_API_HOST', value: 'orders-api.storefront.svc.cluster.local' },
        { name: 'ORDERS_API_PORT', value: '80' },
      ]);
      // The target gets nothing.
      expect(envOf(objects, 'host/Deployment/storefront/orders-api')).toEqual([]);
    });

    it('take a named port and another prefix, and come after the service\'s other variables', () => {
      const f = fixture();
      const orders = addService(f, 'orders', { ports: [{ port: 80 }, { port: 9000, name: 'grpc' }] });
      addService(f, 'web', { env: { MODE: 'web' } }).connectsTo(orders, { port: 'grpc', envPrefix: 'ORDERS_GRPC' });

      expect(envOf(synth(f.platform), 'host/Deployment/storefront/web')).toEqual([
        { name: 'MODE', value: 'web' },
        { name: 'ORDERS_GRPC_HOST', value: 'orders.storefront.svc.cluster.local' },
        { name: 'ORDERS_GRPC_PORT', value: '9000' },
      ]);
    });

    it('name the target\'s namespace in each environment, with the environment\'s suffix', () => {
      const f = fixture();
      const staging = f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging', domain: 'staging.example.com' });
      f.project.placeIn(staging);
      const checkout = f.tenant.addProject('checkout', { environments: [f.test, f.production, staging] });
      const orders = addService(f, 'orders');
      checkout.addService('pay', { image: f.registry.image('shop/pay', '1.0.0'), ports: [{ port: 8080 }] }).connectsTo(orders);

      const objects = synth(f.platform);
      expect(envOf(objects, 'host/Deployment/checkout/pay')[0]).toEqual({ name: 'ORDERS_HOST', value: 'orders.storefront.svc.cluster.local' });
      expect(envOf(objects, 'member-test/Deployment/checkout-staging/pay')[0]).toEqual({ name: 'ORDERS_HOST', value: 'orders.storefront-staging.svc.cluster.local' });
    });
  });

  describe('network policies', () => {
    it('open exactly the declared path in a namespace: egress from the callers, ingress to the target, on the target\'s container port', () => {
      const f = fixture();
      const orders = addService(f, 'orders', { ports: [{ port: 80, containerPort: 8080 }, { port: 9090, name: 'admin' }] });
      addService(f, 'web').connectsTo(orders);
      addService(f, 'worker').connectsTo(orders);
      addService(f, 'unrelated');

      const objects = synth(f.platform);
      expect(policiesIn(objects, 'host/NetworkPolicy/storefront')).toEqual([...BASELINE, 'egress-to-orders', 'ingress-to-orders'].sort());
      expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-orders').spec).toEqual({
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['web', 'worker'] }] },
        policyTypes: ['Egress'],
        egress: [{ to: [pods('storefront', 'orders')], ports: [{ protocol: 'TCP', port: 8080 }] }],
      });
      expect(at(objects, 'host/NetworkPolicy/storefront/ingress-to-orders').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [pods('storefront', 'web'), pods('storefront', 'worker')], ports: [{ protocol: 'TCP', port: 8080 }] }],
      });
    });

    it('open each port that some caller declared, and no other', () => {
      const f = fixture();
      const orders = addService(f, 'orders', { ports: [{ port: 80, containerPort: 8080 }, { port: 9000, name: 'grpc' }, { port: 9090, name: 'admin' }] });
      addService(f, 'web').connectsTo(orders);
      addService(f, 'worker').connectsTo(orders, { port: 'grpc' });

      const objects = synth(f.platform);
      // Ingress: one rule per port, each admitting only the callers of that port.
      const spec = at(objects, 'host/NetworkPolicy/storefront/ingress-to-orders').spec;
      expect(spec.ingress.map((r: any) => [r.ports, r.from.map((x: any) => x.podSelector.matchLabels['app.kubernetes.io/name'])])).toEqual([
        [[{ protocol: 'TCP', port: 8080 }], ['web']],
        [[{ protocol: 'TCP', port: 9000 }], ['worker']],
      ]);
      // Egress: one policy per port, each selecting only the callers of that port.
      expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-orders-http').spec).toMatchObject({ podSelector: { matchExpressions: [{ values: ['web'] }] }, egress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }] });
      expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-orders-grpc').spec).toMatchObject({ podSelector: { matchExpressions: [{ values: ['worker'] }] }, egress: [{ ports: [{ protocol: 'TCP', port: 9000 }] }] });
    });

    it('write no connection policies for a project without connections', () => {
      const f = fixture();
      addService(f, 'web');

      expect(policiesIn(synth(f.platform), 'host/NetworkPolicy/storefront')).toEqual(BASELINE);
    });

    it('open a path across namespaces of a tenant: egress named after the target\'s namespace, ingress there', () => {
      const f = fixture();
      const checkout = f.tenant.addProject('checkout', { environments: [f.test, f.production] });
      const orders = addService(f, 'orders');
      checkout.addService('pay', { image: f.registry.image('shop/pay', '1.0.0'), ports: [{ port: 8080 }] }).connectsTo(orders);

      const objects = synth(f.platform);
      expect(policiesIn(objects, 'host/NetworkPolicy/checkout')).toEqual([...BASELINE, 'egress-to-orders.storefront'].sort());
      expect(at(objects, 'host/NetworkPolicy/checkout/egress-to-orders.storefront').spec).toEqual({
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['pay'] }] },
        policyTypes: ['Egress'],
        egress: [{ to: [pods('storefront', 'orders')], ports: [{ protocol: 'TCP', port: 8080 }] }],
      });
      expect(policiesIn(objects, 'host/NetworkPolicy/storefront')).toEqual([...BASELINE, 'ingress-to-orders'].sort());
      expect(at(objects, 'host/NetworkPolicy/storefront/ingress-to-orders').spec.ingress).toEqual([{ from: [pods('checkout', 'pay')], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    });

    it('open a path across tenants once the target accepts the calling tenant', () => {
      const f = fixture();
      const { banner } = adsTenant(f);
      banner.acceptFrom(f.tenant);
      addService(f, 'web').connectsTo(banner);

      const objects = synth(f.platform);
      expect(envOf(objects, 'host/Deployment/storefront/web')).toEqual([{ name: 'BANNER_HOST', value: 'banner.banners.svc.cluster.local' }, { name: 'BANNER_PORT', value: '80' }]);
      expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-banner.banners').spec.egress).toEqual([{ to: [pods('banners', 'banner')], ports: [{ protocol: 'TCP', port: 8080 }] }]);
      expect(at(objects, 'host/NetworkPolicy/banners/ingress-to-banner').spec.ingress).toEqual([{ from: [pods('storefront', 'web')], ports: [{ protocol: 'TCP', port: 8080 }] }]);
      expect(at(objects, 'member-test/NetworkPolicy/banners/ingress-to-banner').spec.ingress[0].from).toEqual([pods('storefront', 'web')]);
    });

    it('open the path to a stateful service outside the cluster to its addresses, its networks, or any address on its port', () => {
      const f = fixture();
      const db = f.project.addStatefulService('orders-db', { engine: Engine.mysql(), external: { addresses: ['10.0.8.22', '10.0.8.21'], port: 13306 } });
      const cache = f.project.addStatefulService('cache', { engine: Engine.redis(), external: { host: 'redis.corp.example.com', cidrs: ['10.0.9.0/24'] } });
      const events = f.project.addStatefulService('events', { engine: Engine.clickhouse(), external: { host: 'ch.corp.example.com' } });
      const api = addService(f, 'api');
      api.connectsTo(db);
      api.connectsTo(cache);
      api.connectsTo(events, { port: 'native' });

      const objects = synth(f.platform);
      const egress = (name: string): unknown => at(objects, `host/NetworkPolicy/storefront/${name}`).spec.egress;
      expect(egress('egress-to-orders-db')).toEqual([{ to: [{ ipBlock: { cidr: '10.0.8.21/32' } }, { ipBlock: { cidr: '10.0.8.22/32' } }], ports: [{ protocol: 'TCP', port: 13306 }] }]);
      expect(egress('egress-to-cache')).toEqual([{ to: [{ ipBlock: { cidr: '10.0.9.0/24' } }], ports: [{ protocol: 'TCP', port: 6379 }] }]);
      expect(egress('egress-to-events')).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 9000 }] }]);
      // Nothing runs in the cluster to admit traffic to.
      expect(policiesIn(objects, 'host/NetworkPolicy/storefront').filter((n) => n.startsWith('ingress-to-'))).toEqual([]);
      const warning = validatePlatform(f.platform).find((p) => p.path === 'acme/shop/storefront/events');
      expect(warning).toMatchObject({ severity: 'warning', property: 'external (in production).cidrs', value: 'ch.corp.example.com' });
      // The consumer still reaches the Service's port, whatever the machines listen on.
      expect(envOf(objects, 'host/Deployment/storefront/api')).toContainEqual({ name: 'ORDERS_DB_PORT', value: '3306' });
    });

    it('open the path to an in-cluster stateful service to its pods, for its consumers and its backup job', () => {
      const f = fixture();
      const db = f.project.addStatefulService('orders-db', {
        engine: Engine.mysql(),
        inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '10Gi', credentials: ExistingSecret.named('mysql').key('root'), backup: { schedule: '0 3 * * *', target: BackupTarget.volume('backups') } },
      });
      addService(f, 'api').connectsTo(db);

      const objects = synth(f.platform);
      expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-orders-db').spec).toEqual({
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api', 'orders-db-backup'] }] },
        policyTypes: ['Egress'],
        egress: [{ to: [pods('storefront', 'orders-db')], ports: [{ protocol: 'TCP', port: 3306 }] }],
      });
      expect(at(objects, 'host/NetworkPolicy/storefront/ingress-to-orders-db').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders-db' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [pods('storefront', 'api'), pods('storefront', 'orders-db-backup')], ports: [{ protocol: 'TCP', port: 3306 }] }],
      });
    });
  });

  describe('bad connections', () => {
    it('refuse a target of another tenant that does not accept the caller\'s, naming what to call', () => {
      const f = fixture();
      const { banner, ads } = adsTenant(f);
      banner.acceptFrom(ads);
      addService(f, 'web').connectsTo(banner);

      const line = lineFor(validationErrors(f.platform), 'acme/shop/storefront/web', 'connectsTo[0]');
      expect(line).toContain('got "acme/ads/banners/banner";');
      expect(line).toContain('the target belongs to tenant ads and this service to tenant shop');
      expect(line).toContain('Fix: in the code of tenant ads, call banner.acceptFrom(<tenant shop>), or connect to a service of tenant shop.');
    });

    it('refuse a stateful target of another tenant unless it accepts the caller\'s', () => {
      const f = fixture();
      const { banners } = adsTenant(f);
      const db = banners.addStatefulService('ads-db', { engine: Engine.mysql(), external: { addresses: ['10.0.1.1'] } });
      addService(f, 'web').connectsTo(db);
      expect(lineFor(validationErrors(f.platform), 'acme/shop/storefront/web', 'connectsTo[0]')).toContain('got "acme/ads/banners/ads-db";');

      db.acceptFrom(f.tenant);
      expect(at(synth(f.platform), 'host/NetworkPolicy/storefront/egress-to-ads-db.banners').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.0.1.1/32' } }]);
    });

    it('report every bad connection at once: unknown port, bad prefix, itself, a target not placed where the caller runs, a clash of variables', () => {
      const f = fixture();
      const elsewhere = f.tenant.addProject('reports', { environments: [f.production] });
      const report = elsewhere.addService('report', { image: f.registry.image('shop/report', '1.0.0'), ports: [{ port: 8080 }] });
      const orders = addService(f, 'orders', { ports: [{ port: 80 }, { port: 9000, name: 'grpc' }] });
      const web = addService(f, 'web');
      web.connectsTo(orders, { port: 'admin' });
      web.connectsTo(orders, { port: 'grpc', envPrefix: 'orders-grpc' });
      web.connectsTo(web);
      web.connectsTo(report);
      web.connectsTo(orders, { port: 'grpc', envPrefix: 'REPORT' });

      const lines = validationErrors(f.platform);
      const WEB = 'acme/shop/storefront/web';
      expect(lineFor(lines, WEB, 'connectsTo[0].port')).toContain('got "admin"; acme/shop/storefront/orders has no port of this name or number (ports: http=80, grpc=9000)');
      expect(lineFor(lines, WEB, 'connectsTo[1].envPrefix')).toContain('got "orders-grpc";');
      expect(lineFor(lines, WEB, 'connectsTo[2]')).toContain('a service cannot connect to itself');
      const placed = lineFor(lines, WEB, 'connectsTo[3]');
      expect(placed).toContain('got "acme/shop/reports/report"; the target\'s project reports is not placed in environment test');
      expect(lineFor(lines, WEB, 'connectsTo[4]')).toContain('got "REPORT_HOST"; in environment');
      for (const l of lines.filter((x) => x.startsWith(`[${WEB}]`))) expect(l).toMatch(/\. Fix: .+\.$/);
    });
  });

  describe('cycles', () => {
    it('are refused with the cycle spelled out by construct path', () => {
      const f = fixture();
      const a = addService(f, 'a');
      const b = addService(f, 'b');
      a.connectsTo(b);
      b.connectsTo(a);

      const lines = validationErrors(f.platform).filter((l) => l.includes('in a cycle'));
      expect(lines).toEqual([
        '[acme/shop/storefront/a] connectsTo: got "acme/shop/storefront/a → acme/shop/storefront/b → acme/shop/storefront/a"; these services connect to each other in a cycle, so none of them can be created first. Fix: remove one of the connections of the cycle (a callback is often better as an event or a queue).',
      ]);
    });

    it('are found across projects and tenants, each reported once', () => {
      const f = fixture();
      const { banner } = adsTenant(f);
      banner.acceptFrom(f.tenant);
      const checkout = f.tenant.addProject('checkout', { environments: [f.test, f.production] });
      const pay = checkout.addService('pay', { image: f.registry.image('shop/pay', '1.0.0'), ports: [{ port: 8080 }] });
      const web = addService(f, 'web');
      const x = addService(f, 'x');
      const y = addService(f, 'y');
      web.connectsTo(pay);
      pay.connectsTo(banner);
      web.acceptFrom(banner.project.tenant);
      banner.connectsTo(web);
      x.connectsTo(y);
      y.connectsTo(x);

      const cycles = validationErrors(f.platform).filter((l) => l.includes('in a cycle')).map((l) => l.slice(0, l.indexOf(';')));
      expect(cycles.sort()).toEqual([
        '[acme/shop/storefront/web] connectsTo: got "acme/shop/storefront/web → acme/shop/checkout/pay → acme/ads/banners/banner → acme/shop/storefront/web"',
        '[acme/shop/storefront/x] connectsTo: got "acme/shop/storefront/x → acme/shop/storefront/y → acme/shop/storefront/x"',
      ].sort());
    });

    it('are not a diamond: two paths to one target are fine', () => {
      const f = fixture();
      const [web, a, b, db] = ['web', 'a', 'b', 'db'].map((n) => addService(f, n));
      web.connectsTo(a);
      web.connectsTo(b);
      a.connectsTo(db);
      b.connectsTo(db);

      expect(validatePlatform(f.platform).filter((p) => p.severity === 'error')).toEqual([]);
      expect(at(synth(f.platform), 'host/NetworkPolicy/storefront/ingress-to-db').spec.ingress[0].from).toEqual([pods('storefront', 'a'), pods('storefront', 'b')]);
    });
  });
});

describe('cycles of connections', () => {
  it('are found in a chain of 6,000 services without recursion, each once, from the service that closes it', () => {
    const f = fixture();
    const all = Array.from({ length: 6000 }, (_, i) => addService(f, `s${i}`));
    for (let i = 1; i < all.length; i++) all[i - 1].connectsTo(all[i]);
    all[5999].connectsTo(all[5997]);
    all[10].connectsTo(all[3]);

    const cycles = connectionCycles(f.platform).map((c) => c.map((s) => s.name));

    expect(cycles).toEqual([['s5997', 's5998', 's5999', 's5997'], ['s3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's3']]);
  });
});

describe('backup paths by port', () => {
  /** A ClickHouse in the cluster (outside in test) whose backup connects to `port`, and a consumer `api` on the HTTP port. */
  function clickhouse(f: Fixture, port?: string | number) {
    const events = f.project.addStatefulService('events', {
      engine: Engine.clickhouse(),
      mode: StatefulMode.IN_CLUSTER,
      external: { addresses: ['10.0.7.5'] },
      inCluster: { image: f.registry.image('clickhouse/clickhouse-server', '24.3'), storage: '100Gi', credentials: ExistingSecret.named('clickhouse').key('password'), backup: { schedule: '0 2 * * *', target: BackupTarget.volume('backups'), command: ['/backup.sh'], port } },
      perEnvironment: { test: { mode: StatefulMode.EXTERNAL } },
    });
    addService(f, 'api').connectsTo(events);
    return events;
  }

  it('open the job\'s path on the port its backup names, next to the consumers\' paths', () => {
    const f = fixture();
    clickhouse(f, 'native');

    // Each caller reaches exactly its own port: the consumer HTTP, the backup job the native port.
    const objects = synth(f.platform);
    expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-events-http').spec).toEqual({
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api'] }] },
      policyTypes: ['Egress'],
      egress: [{ to: [pods('storefront', 'events')], ports: [{ protocol: 'TCP', port: 8123 }] }],
    });
    expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-events-native').spec).toEqual({
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['events-backup'] }] },
      policyTypes: ['Egress'],
      egress: [{ to: [pods('storefront', 'events')], ports: [{ protocol: 'TCP', port: 9000 }] }],
    });
    expect(at(objects, 'host/NetworkPolicy/storefront/ingress-to-events').spec.ingress).toEqual([
      { from: [pods('storefront', 'api')], ports: [{ protocol: 'TCP', port: 8123 }] },
      { from: [pods('storefront', 'events-backup')], ports: [{ protocol: 'TCP', port: 9000 }] },
    ]);
  });

  it('open no second port when the job uses the consumers\' one, by default or by number', () => {
    for (const port of [undefined, 8123]) {
      const f = fixture();
      clickhouse(f, port);
      const objects = synth(f.platform);
      expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-events').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8123 }]);
      expect(at(objects, 'host/NetworkPolicy/storefront/ingress-to-events').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8123 }]);
    }
  });

  it('leave the job out where the database runs outside the cluster and has no backup', () => {
    const f = fixture();
    clickhouse(f, 'native');

    const objects = synth(f.platform);
    expect(objects.has('member-test/CronJob/storefront/events-backup')).toBe(false);
    expect(at(objects, 'member-test/NetworkPolicy/storefront/egress-to-events').spec).toEqual({
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api'] }] },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.7.5/32' } }], ports: [{ protocol: 'TCP', port: 8123 }] }],
    });
    expect(objects.has('member-test/NetworkPolicy/storefront/ingress-to-events')).toBe(false);
  });
});

describe('declared paths in a tenant that allows only those', () => {
  /** Tenant `ads` (declared paths only) with projects `banners` (service `banner`, a MySQL with a backup) and `sites` (service `site`). */
  function strictTenant(f: Fixture) {
    const ads = f.platform.addTenant('ads', { manager: 'bob', network: TenantNetwork.DECLARED_PATHS_ONLY });
    const banners = ads.addProject('banners', { environments: [f.test, f.production] });
    const sites = ads.addProject('sites', { environments: [f.test, f.production] });
    const banner = banners.addService('banner', { image: f.registry.image('ads/banner', '2.0.0'), ports: [{ port: 80, containerPort: 8080 }] });
    const db = banners.addStatefulService('ads-db', {
      engine: Engine.mysql(),
      inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '10Gi', credentials: ExistingSecret.named('mysql').key('root'), backup: { schedule: '0 3 * * *', target: BackupTarget.volume('backups') } },
    });
    const site = sites.addService('site', { image: f.registry.image('ads/site', '1.0.0'), ports: [{ port: 8080 }] });
    return { ads, banner, db, site };
  }

  it('write every declared path, within a namespace and across the tenant\'s namespaces, and the backup job\'s, without allow-same-tenant', () => {
    const f = fixture();
    const { banner, db, site } = strictTenant(f);
    site.connectsTo(banner);
    banner.connectsTo(db);

    const objects = synth(f.platform);
    const STRICT = ['allow-dns', 'default-deny'];
    for (const cluster of ['host', 'member-test']) {
      expect(policiesIn(objects, `${cluster}/NetworkPolicy/sites`)).toEqual([...STRICT, 'egress-to-banner.banners'].sort());
      expect(policiesIn(objects, `${cluster}/NetworkPolicy/banners`)).toEqual([...STRICT, 'egress-to-ads-db', 'ingress-to-ads-db', 'ingress-to-banner'].sort());
    }
    expect(at(objects, 'host/NetworkPolicy/sites/egress-to-banner.banners').spec.egress).toEqual([{ to: [pods('banners', 'banner')], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(at(objects, 'host/NetworkPolicy/banners/ingress-to-banner').spec.ingress).toEqual([{ from: [pods('sites', 'site')], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(at(objects, 'host/NetworkPolicy/banners/ingress-to-ads-db').spec.ingress).toEqual([{ from: [pods('banners', 'ads-db-backup'), pods('banners', 'banner')], ports: [{ protocol: 'TCP', port: 3306 }] }]);
    // The other tenant keeps the open default.
    expect(policiesIn(objects, 'host/NetworkPolicy/storefront')).toEqual(BASELINE);
  });

  it('write the same declared paths as an open tenant: only allow-same-tenant differs', () => {
    const build = (network: TenantNetwork): Map<string, KubeObject> => {
      const f = fixture();
      const ads = f.platform.addTenant('ads', { manager: 'bob', network });
      const banners = ads.addProject('banners', { environments: [f.test, f.production] });
      const banner = banners.addService('banner', { image: f.registry.image('ads/banner', '2.0.0'), ports: [{ port: 8080 }] });
      banners.addService('feed', { image: f.registry.image('ads/feed', '1.0.0'), ports: [{ port: 8080 }] }).connectsTo(banner);
      return synth(f.platform);
    };
    const open = build(TenantNetwork.OPEN_WITHIN_TENANT);
    const strict = build(TenantNetwork.DECLARED_PATHS_ONLY);
    expect([...open.keys()].filter((k) => !strict.has(k))).toEqual(['host/NetworkPolicy/banners/allow-same-tenant', 'member-test/NetworkPolicy/banners/allow-same-tenant']);
    expect([...strict.keys()].filter((k) => !open.has(k))).toEqual([]);
    for (const [k, o] of strict) expect(o).toEqual(open.get(k));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Creation order in the Pulumi output, under Pulumi's own mocks (as in test/stacks/pulumi-stack.test.ts).

const mocks = echoMocks;
const pulumiModule = usePulumiMocks(mocks);

/** Runs a PulumiStack as stack `stack` and lets every registration finish. */
async function deploy(platform: Platform, stack: string, clusters: string[]) {
  pulumi.runtime.setMocks(mocks, 'platform-cdk-test', stack, false);
  pulumi.runtime.setAllConfig(Object.fromEntries(clusters.map((c) => [`platform-cdk:context-${c}`, c])), []);
  const s = new (pulumiModule().PulumiStack)(platform);
  for (const o of s.objects.values()) await new Promise((resolve) => o.resource.urn.apply(resolve));
  return s;
}

describe('connections in the Pulumi output', () => {
  it('create the target\'s Service before the consumer\'s Deployment, in one namespace', async () => {
    const f = fixture();
    const orders = addService(f, 'orders');
    const db = f.project.addStatefulService('orders-db', { engine: Engine.mysql(), external: { addresses: ['10.0.8.21'] } });
    const web = addService(f, 'web');
    web.connectsTo(orders);
    web.connectsTo(db);

    const stack = await deploy(f.platform, 'production', ['host']);
    expect(stack.objects.get('host/apps/v1/Deployment/storefront/web')?.dependsOn).toEqual([
      'host/v1/Namespace/-/storefront',
      'host/v1/Service/storefront/orders',
      'host/v1/Service/storefront/orders-db',
    ]);
    // A service without connections waits only for its namespace.
    expect(stack.objects.get('host/apps/v1/Deployment/storefront/orders')?.dependsOn).toEqual(['host/v1/Namespace/-/storefront']);
  });

  it('create the target\'s Service first across namespaces and tenants, whichever namespace comes first', async () => {
    const f = fixture();
    const { banner } = adsTenant(f);
    banner.acceptFrom(f.tenant);
    // "checkout" sorts before "storefront", "banners" before both.
    const checkout = f.tenant.addProject('checkout', { environments: [f.test, f.production] });
    const orders = addService(f, 'orders');
    const pay = checkout.addService('pay', { image: f.registry.image('shop/pay', '1.0.0'), ports: [{ port: 8080 }] });
    pay.connectsTo(orders);
    orders.connectsTo(banner);

    for (const [stackName, cluster] of [['production', 'host'], ['test', 'member-test']]) {
      const stack = await deploy(f.platform, stackName, [cluster]);
      await pulumi.runtime.disconnect();
      expect(stack.objects.get(`${cluster}/apps/v1/Deployment/checkout/pay`)?.dependsOn).toEqual([`${cluster}/v1/Namespace/-/checkout`, `${cluster}/v1/Service/storefront/orders`]);
      expect(stack.objects.get(`${cluster}/apps/v1/Deployment/storefront/orders`)?.dependsOn).toEqual([`${cluster}/v1/Namespace/-/storefront`, `${cluster}/v1/Service/banners/banner`]);
    }
  });
});
