/**
 * Connections in the caller's format (`connectsTo(target, { env: { ORDERS_ADDR: '{host}:{port}' } })`): the variable
 * is filled per environment and preview for app services, stateful services and external endpoints, the network
 * policies stay those of the declared path, and bad templates are refused with the usual problems.
 */
import * as fc from 'fast-check';
import * as pulumi from '@pulumi/pulumi';
import { Engine, validatePlatform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';
import { fillConnectionTemplate, parseConnectionTemplate } from '../../constructs/connection';
import { echoMocks, usePulumiMocks } from '../pulumi-mocks';

const envOf = (objects: Map<string, KubeObject>, key: string): unknown[] => (objectAt(objects, key) as any).spec.template.spec.containers[0].env ?? [];
const policies = (objects: Map<string, KubeObject>): [string, KubeObject][] => [...objects].filter(([k]) => k.includes('/NetworkPolicy/'));

describe('connection templates', () => {
  it('give the caller one address variable in its own format instead of <PREFIX>_HOST and <PREFIX>_PORT', () => {
    const f = fixture();
    const orders = addService(f, 'orders', { ports: [{ port: 80, containerPort: 8080 }] });
    addService(f, 'web').connectsTo(orders, { env: { ORDERS_ADDR: '{host}:{port}', ORDERS_URL: 'http://{shortHost}/api/v1?ns={namespace}' } });

    const objects = synth(f.platform);
    expect(envOf(objects, 'host/Deployment/storefront/web')).toEqual([
      { name: 'ORDERS_ADDR', value: 'orders.storefront.svc.cluster.local:80' },
      { name: 'ORDERS_URL', value: 'http://orders/api/v1?ns=storefront' },
    ]);
  });

  it('keep the network policies of the declared path: the same objects as with <PREFIX>_HOST and <PREFIX>_PORT', () => {
    const build = (templated: boolean) => {
      const f = fixture();
      const orders = addService(f, 'orders', { ports: [{ port: 80, containerPort: 8080 }, { port: 9000, name: 'grpc' }] });
      addService(f, 'web').connectsTo(orders, templated ? { port: 'grpc', env: { ORDERS_ADDR: '{host}:{port}' } } : { port: 'grpc' });
      return policies(synth(f.platform));
    };
    const templated = build(true);
    expect(templated.map(([k]) => k)).toContain('host/NetworkPolicy/storefront/egress-to-orders');
    expect(templated).toEqual(build(false));
  });

  it('keep <PREFIX>_HOST and <PREFIX>_PORT beside the templates with hostAndPort: true', () => {
    const f = fixture();
    const orders = addService(f, 'orders');
    addService(f, 'web').connectsTo(orders, { env: { ORDERS_ADDR: '{{{host}}}' }, hostAndPort: true, envPrefix: 'ORD' });
    expect(envOf(synth(f.platform), 'host/Deployment/storefront/web')).toEqual([
      { name: 'ORD_HOST', value: 'orders.storefront.svc.cluster.local' },
      { name: 'ORD_PORT', value: '8080' },
      { name: 'ORDERS_ADDR', value: '{orders.storefront.svc.cluster.local}' },
    ]);
  });

  it('name the target\'s namespace in {shortHost} when it runs in another project, per environment', () => {
    const f = fixture();
    const catalogue = f.tenant.addProject('catalogue', { environments: [f.test, f.production] });
    const items = catalogue.addService('items', { image: f.registry.image('shop/items', '1.0.0'), ports: [{ port: 80 }] });
    addService(f, 'web').connectsTo(items, { env: { CATALOGUE_URL: 'http://{shortHost}' } });
    const objects = synth(f.platform);
    expect(envOf(objects, 'host/Deployment/storefront/web')).toEqual([{ name: 'CATALOGUE_URL', value: 'http://items.catalogue' }]);
    expect(envOf(objects, 'member-test/Deployment/storefront/web')).toEqual([{ name: 'CATALOGUE_URL', value: 'http://items.catalogue' }]);
  });

  it('work for stateful services in the cluster and external endpoints, on the engine\'s port', () => {
    const f = fixture();
    const db = f.project.addStatefulService('orders-db', { engine: Engine.mysql(), external: { addresses: ['10.0.8.21'] } });
    const cache = f.project.addStatefulService('cache', { engine: Engine.redis(), external: { host: 'redis.example.internal' } });
    const web = addService(f, 'web');
    web.connectsTo(db, { env: { DATABASE_URL: 'mysql://{host}:{port}/orders' } });
    web.connectsTo(cache, { env: { REDIS_ADDR: '{shortHost}:{port}' } });
    const objects = synth(f.platform);
    expect(envOf(objects, 'host/Deployment/storefront/web')).toEqual([
      { name: 'DATABASE_URL', value: 'mysql://orders-db.storefront.svc.cluster.local:3306/orders' },
      { name: 'REDIS_ADDR', value: 'cache:6379' },
    ]);
    // The external endpoint's egress policy is the declared path's, as without a template.
    expect(objectAt(objects, 'host/NetworkPolicy/storefront/egress-to-orders-db').spec).toMatchObject({ egress: [{ to: [{ ipBlock: { cidr: '10.0.8.21/32' } }], ports: [{ port: 3306, protocol: 'TCP' }] }] });
  });

  it('reach the baseline\'s instance from a preview, whose namespace differs: {shortHost} names it', () => {
    const f = fixture();
    const developers = f.tenant.addDepartment('developers', { members: ['bob'] });
    const orders = addService(f, 'orders');
    addService(f, 'web').connectsTo(orders, { env: { ORDERS_URL: 'http://{shortHost}:{port}' } });
    f.platform.addPreview('feature-x', { baseline: 'test', owner: developers, expires: '2026-12-15', services: { web: {} } });

    const objects = synth(f.platform);
    const key = [...objects.keys()].find((k) => k.startsWith('member-test/Deployment/') && k.endsWith('/web') && k !== 'member-test/Deployment/storefront/web');
    expect(key).toBeDefined();
    expect(envOf(objects, key as string)).toEqual([{ name: 'ORDERS_URL', value: 'http://orders.storefront:8080' }]);
    expect(envOf(objects, 'member-test/Deployment/storefront/web')).toEqual([{ name: 'ORDERS_URL', value: 'http://orders:8080' }]);
  });

  describe('are checked', () => {
    it('refuse unknown placeholders, lone braces and templates without a placeholder, naming the variable', () => {
      const f = fixture();
      const orders = addService(f, 'orders');
      addService(f, 'web').connectsTo(orders, { env: { A: '{hostname}:{port}', B: 'http://{host', C: 'x}', D: 'http://orders' } });
      const lines = validationErrors(f.platform);
      expect(lineFor(lines, 'acme/shop/storefront/web', 'connectsTo[0].env["A"]')).toContain('{hostname} is not a placeholder (placeholders: {host}, {shortHost}, {port}, {namespace})');
      expect(lineFor(lines, 'acme/shop/storefront/web', 'connectsTo[0].env["B"]')).toContain('is not closed');
      expect(lineFor(lines, 'acme/shop/storefront/web', 'connectsTo[0].env["C"]')).toContain('closes no placeholder');
      expect(lineFor(lines, 'acme/shop/storefront/web', 'connectsTo[0].env["D"]')).toContain('has no placeholder');
    });

    it('refuse a bad variable name, a line break, a template that is not a string and a credential in the address (withheld)', () => {
      const f = fixture();
      const orders = addService(f, 'orders');
      addService(f, 'web').connectsTo(orders, { env: { '1BAD': '{host}', NL: '{host}\nX-Evil: 1', NUM: 42 as unknown as string, DSN: 'mysql://app:hunter22@{host}:{port}/db' } });
      const lines = validationErrors(f.platform);
      expect(lineFor(lines, 'acme/shop/storefront/web', 'connectsTo[0].env["1BAD"]')).toContain('an environment variable name must be');
      expect(lineFor(lines, 'acme/shop/storefront/web', 'connectsTo[0].env["NL"]')).toContain('control characters');
      expect(lineFor(lines, 'acme/shop/storefront/web', 'connectsTo[0].env["NUM"]')).toContain('non-empty string');
      const dsn = lineFor(lines, 'acme/shop/storefront/web', 'connectsTo[0].env["DSN"]');
      expect(dsn).toContain('url-credentials');
      expect(dsn).not.toContain('hunter22');
    });

    it('refuse a template variable that another source sets, and a connection that sets nothing', () => {
      const f = fixture();
      const orders = addService(f, 'orders');
      const web = addService(f, 'web', { env: { ORDERS_ADDR: 'x' } });
      web.connectsTo(orders, { env: { ORDERS_ADDR: '{host}:{port}' } });
      web.connectsTo(orders, { env: {}, hostAndPort: false });
      const lines = validationErrors(f.platform);
      expect(lines.some((l) => l.includes('connectsTo[0]') && l.includes('set by env already'))).toBe(true);
      expect(lineFor(lines, 'acme/shop/storefront/web', 'connectsTo[1].env')).toContain('sets no variable');
    });

    it('accept every valid template without problems', () => {
      const f = fixture();
      addService(f, 'web').connectsTo(addService(f, 'orders'), { env: { GRPC_TARGET: 'dns:///{host}:{port}', URL: 'https://{shortHost}:{port}/a%20b#x' } });
      expect(validatePlatform(f.platform).filter((p) => p.severity === 'error')).toEqual([]);
    });
  });

  it('read and fill templates with escapes', () => {
    expect(parseConnectionTemplate('{{x}}{port}')).toEqual({ parts: ['{x}', { placeholder: 'port' }] });
    expect(fillConnectionTemplate('{{{host}}}', { host: 'h', shortHost: 's', port: '1', namespace: 'n' })).toBe('{h}');
    expect(() => fillConnectionTemplate('{nope}', { host: 'h', shortHost: 's', port: '1', namespace: 'n' })).toThrow('not a placeholder');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The Pulumi output: the same variable, and the target's Service created first, as with <PREFIX>_HOST/_PORT.

const mocks = echoMocks;
const pulumiModule = usePulumiMocks(mocks);

describe('connection templates in the Pulumi output', () => {
  it('give the Deployment the templated variable and create the target\'s Service first, for a service and an external database', async () => {
    const f = fixture();
    const orders = addService(f, 'orders');
    const db = f.project.addStatefulService('orders-db', { engine: Engine.mysql(), external: { addresses: ['10.0.8.21'] } });
    const web = addService(f, 'web');
    web.connectsTo(orders, { env: { ORDERS_ADDR: '{host}:{port}' } });
    web.connectsTo(db, { env: { DATABASE_URL: 'mysql://{shortHost}:{port}/orders' } });
    pulumi.runtime.setMocks(mocks, 'platform-cdk-test', 'production', false);
    pulumi.runtime.setAllConfig({ 'platform-cdk:context-host': 'host' }, []);
    const stack = new (pulumiModule().PulumiStack)(f.platform);
    for (const o of stack.objects.values()) await new Promise((resolve) => o.resource.urn.apply(resolve));
    const deployment = stack.objects.get('host/apps/v1/Deployment/storefront/web');
    expect(deployment?.dependsOn).toEqual(['host/v1/Namespace/-/storefront', 'host/v1/Service/storefront/orders', 'host/v1/Service/storefront/orders-db']);
    const env = await new Promise((resolve) => (deployment?.resource as unknown as { spec: pulumi.Output<any> }).spec.apply((s) => resolve(s.template.spec.containers[0].env)));
    expect(env).toEqual([
      { name: 'ORDERS_ADDR', value: 'orders.storefront.svc.cluster.local:8080' },
      { name: 'DATABASE_URL', value: 'mysql://orders-db:3306/orders' },
    ]);
  });
});

describe('connection templates as properties', () => {
  const piece = fc.oneof(
    fc.constantFrom('{host}', '{shortHost}', '{port}', '{namespace}', '{{', '}}', '{', '}', '{nope}', '\n', '\u0000', ':', '/', 'http://', '?token=s3cr3tvalue1', 'https://u:pw1@'),
    fc.stringMatching(/^[A-Za-z0-9._~-]{0,8}$/),
  );
  const template = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));

  it('a template is either refused at its variable, or filled to one line that follows the target', () => {
    fc.assert(
      fc.property(template, (t) => {
        const f = fixture();
        addService(f, 'web').connectsTo(addService(f, 'orders'), { env: { ORDERS_ADDR: t } });
        const refused = validatePlatform(f.platform).some((p) => p.severity === 'error' && p.property === 'connectsTo[0].env["ORDERS_ADDR"]');
        const parsed = parseConnectionTemplate(t);
        const fine = !('error' in parsed) && !/[\u0000-\u001f]/.test(t) && !/token=|https:\/\/u:pw1@/.test(t);
        expect(refused).toBe(!fine);
        if (fine) {
          const value = fillConnectionTemplate(t, { host: 'orders.storefront.svc.cluster.local', shortHost: 'orders', port: '8080', namespace: 'storefront' });
          expect(/[\u0000-\u001f]/.test(value)).toBe(false);
          expect(value.includes('orders') || value.includes('8080') || value.includes('storefront')).toBe(true);
        }
      }),
      { seed: 20261206, numRuns: 150 },
    );
  });
});
