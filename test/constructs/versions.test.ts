/**
 * Versions of a service (constructs/versions.ts): one ServiceAccount and one Service over a Deployment per version,
 * whose pods carry the service's name label (so connections, metrics and ordering select them all) and their
 * version's label; what does not combine with versions is refused as problems.
 */
import * as fc from 'fast-check';
import * as pulumi from '@pulumi/pulumi';
import { Credential, Workload } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthObjects, synthValid, validationErrors } from '../fixture';
import { echoMocks, usePulumiMocks } from '../pulumi-mocks';

const pulumiModule = usePulumiMocks(echoMocks);

/** A service `reviews` in three versions, as Bookinfo runs it. */
function reviews(f: ReturnType<typeof fixture>, extra: Record<string, unknown> = {}) {
  return addService(f, 'reviews', {
    env: { LOG_DIR: '/tmp/logs' },
    versions: {
      v1: {},
      v2: { image: f.registry.image('shop/reviews', '2.0.0'), env: { STARS: 'black' } },
      v3: { image: f.registry.image('shop/reviews', '3.0.0'), env: { STARS: 'red' }, replicas: 3, resources: { memoryLimitMiB: 512 } },
    },
    ...extra,
  });
}

const kinds = (objects: Map<string, KubeObject>, cluster: string): string[] =>
  [...objects.keys()].filter((k) => k.startsWith(`${cluster}/`) && /\/(Deployment|Service|ServiceAccount)\//.test(k)).sort();

describe('AppService versions', () => {
  it('renders one ServiceAccount, one Service and a Deployment per version, schema-valid', () => {
    const f = fixture();
    reviews(f);
    const objects = synthValid(f.platform);
    expect(kinds(objects, 'member-test')).toEqual([
      'member-test/Deployment/storefront/reviews-v1',
      'member-test/Deployment/storefront/reviews-v2',
      'member-test/Deployment/storefront/reviews-v3',
      'member-test/Service/storefront/reviews',
      'member-test/ServiceAccount/storefront/reviews',
    ]);
    const service = objectAt(objects, 'member-test/Service/storefront/reviews') as any;
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'reviews' });
  });

  it('labels each version\'s pods with the service\'s name and the version, and selects on both', () => {
    const f = fixture();
    reviews(f);
    const objects = synthObjects(f.platform);
    for (const [v, tag] of [['v1', '1.0.0'], ['v2', '2.0.0'], ['v3', '3.0.0']]) {
      const d = objectAt(objects, `member-test/Deployment/storefront/reviews-${v}`) as any;
      expect(d.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'reviews', version: v } });
      expect(d.spec.template.metadata.labels).toEqual(expect.objectContaining({ 'app.kubernetes.io/name': 'reviews', version: v, 'app.kubernetes.io/version': tag }));
      expect(d.spec.template.spec.serviceAccountName).toBe('reviews');
      expect(d.spec.template.spec.containers[0].image).toBe(`harbor.example.com/shop/reviews:${tag}`);
    }
  });

  it('gives each version its variables, replicas and resources over the service\'s', () => {
    const f = fixture();
    reviews(f);
    const objects = synthObjects(f.platform);
    const container = (v: string): any => (objectAt(objects, `host/Deployment/storefront/reviews-${v}`) as any).spec.template.spec.containers[0];
    expect(container('v1').env).toEqual(expect.arrayContaining([{ name: 'LOG_DIR', value: '/tmp/logs' }]));
    expect(container('v1').env.find((e: { name: string }) => e.name === 'STARS')).toBeUndefined();
    expect(container('v2').env).toEqual(expect.arrayContaining([{ name: 'LOG_DIR', value: '/tmp/logs' }, { name: 'STARS', value: 'black' }]));
    expect(container('v3').resources.limits.memory).toBe('512Mi');
    expect((objectAt(objects, 'host/Deployment/storefront/reviews-v3') as any).spec.replicas).toBe(3);
  });

  it('keeps connections: the caller\'s egress and the service\'s ingress select the name label every version carries', () => {
    const f = fixture();
    const r = reviews(f);
    addService(f, 'productpage').connectsTo(r);
    const objects = synthObjects(f.platform);
    const ingress = objectAt(objects, 'member-test/NetworkPolicy/storefront/ingress-to-reviews') as any;
    expect(ingress.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'reviews' } });
    expect(objects.has('member-test/NetworkPolicy/storefront/egress-to-reviews')).toBe(true);
    const env = (objectAt(objects, 'member-test/Deployment/storefront/productpage') as any).spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([expect.objectContaining({ value: expect.stringContaining('reviews') })]));
  });

  it('scrapes every version with one ServiceMonitor that selects the service\'s name label', () => {
    const f = fixture();
    reviews(f, { ports: [{ port: 8080 }, { port: 9090, name: 'metrics' }], metrics: { port: 'metrics' } });
    const objects = synthObjects(f.platform);
    const monitor = [...objects.entries()].find(([k]) => k.startsWith('host/ServiceMonitor/'))?.[1] as any;
    expect(monitor.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'reviews' } });
  });

  it('alerts on unavailable replicas of every version\'s Deployment', () => {
    const f = fixture();
    reviews(f, { alerts: true });
    const rule = [...synthObjects(f.platform).entries()].find(([k]) => k.startsWith('host/PrometheusRule/'))?.[1] as any;
    const exprs = rule.spec.groups[0].rules.map((r: { expr: string }) => r.expr).join('\n');
    expect(exprs).toContain('deployment=~"reviews-(v1|v2|v3)"');
  });

  it('creates every version after the Services it connects to, in Pulumi', async () => {
    const f = fixture();
    const ratings = addService(f, 'ratings');
    reviews(f).connectsTo(ratings);
    pulumi.runtime.setMocks(echoMocks, 'platform-cdk-test', 'production', false);
    pulumi.runtime.setAllConfig({ 'platform-cdk:context-host': 'host' }, []);
    const stack = new (pulumiModule().PulumiStack)(f.platform);
    for (const o of stack.objects.values()) await new Promise((resolve) => o.resource.urn.apply(resolve));
    for (const v of ['v1', 'v2', 'v3']) {
      expect(stack.objects.get(`host/apps/v1/Deployment/storefront/reviews-${v}`)?.dependsOn).toEqual(['host/v1/Namespace/-/storefront', 'host/v1/Service/storefront/ratings']);
    }
  });

  it('leaves a service without versions as it was', () => {
    const a = fixture();
    addService(a, 'web');
    const b = fixture();
    addService(b, 'web', { versions: undefined });
    expect([...synthObjects(b.platform)]).toEqual([...synthObjects(a.platform)]);
  });

  describe('problems', () => {
    it('refuses bad version names, names over 63 characters and names of other workloads, all at once', () => {
      const f = fixture();
      addService(f, 'reviews-v2');
      addService(f, 'reviews', { versions: { V1: {}, v2: {}, ['x'.repeat(60)]: {} } });
      const lines = validationErrors(f.platform);
      expect(lineFor(lines, 'acme/shop/storefront/reviews', 'versions["V1"]')).toMatch(/DNS label/);
      expect(lineFor(lines, 'acme/shop/storefront/reviews', 'versions["v2"]')).toMatch(/another workload of the project/);
      expect(lineFor(lines, 'acme/shop/storefront/reviews', `versions["${'x'.repeat(60)}"]`)).toMatch(/above the limit of 63/);
    });

    it('refuses versions with autoscaling, another workload kind, an empty set and a version label of its own', () => {
      const f = fixture();
      addService(f, 'a', { versions: { v1: {} }, autoscaling: { minReplicas: 2, maxReplicas: 4 } });
      addService(f, 'b', { versions: { v1: {} }, workload: Workload.daemonSet() });
      addService(f, 'c', { versions: {} });
      addService(f, 'd', { versions: { v1: {} }, podLabels: { version: 'x' } });
      const lines = validationErrors(f.platform);
      expect(lineFor(lines, 'acme/shop/storefront/a', 'versions')).toMatch(/does not autoscale/);
      expect(lineFor(lines, 'acme/shop/storefront/b', 'versions')).toMatch(/DaemonSet/);
      expect(lineFor(lines, 'acme/shop/storefront/c', 'versions')).toMatch(/at least one/);
      expect(lineFor(lines, 'acme/shop/storefront/d', 'podLabels.version')).toMatch(/each version sets/);
    });

    it('refuses versions with a release pipeline or in a preview', () => {
      const f = fixture();
      f.platform.configureDelivery({ estate: { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate') } });
      addService(f, 'a', { versions: { v1: {}, v2: {} }, environments: ['test'] }).addPipeline({
        source: { repository: 'https://gitlab.example.com/shop/a.git', credential: Credential.basicAuth('gitlab') },
        build: { image: f.registry.image('ci/node', '20.11.1'), commands: ['npm ci'] },
        registryCredential: Credential.basicAuth('harbor'),
      });
      addService(f, 'api', { versions: { v1: {} } });
      f.platform.addPreview('feature/x', { baseline: 'test', owner: f.tenant.addDepartment('dev', { members: ['alice'] }), expires: '2999-01-01', services: { api: { tag: 'sha-1' } } });
      const lines = validationErrors(f.platform);
      expect(lines.filter((l) => l.startsWith('[acme/shop/storefront/a] versions: ')).join('\n')).toMatch(/release pipeline/);
      expect(lines.filter((l) => l.startsWith('[acme/shop/storefront/api] versions: ')).join('\n')).toMatch(/previews/);
    });

    it('refuses a version\'s bad variables and replicas, and one replica in production', () => {
      const f = fixture();
      addService(f, 'a', { versions: { v1: { env: { '1BAD': 'x', DB_PASSWORD: 'hunter2hunter2' } }, v2: { replicas: -1 }, v3: { replicas: 1 } } });
      const lines = validationErrors(f.platform);
      expect(lineFor(lines, 'acme/shop/storefront/a', 'versions["v1"].env')).toMatch(/1BAD/);
      expect(lineFor(lines, 'acme/shop/storefront/a', 'versions["v1"].env.DB_PASSWORD')).not.toMatch(/hunter2/);
      expect(lineFor(lines, 'acme/shop/storefront/a', 'versions["v2"].replicas')).toBeDefined();
      expect(lineFor(lines, 'acme/shop/storefront/a', 'versions["v3"].replicas (in production)')).toMatch(/production/);
    });

    it('refuses versions that are not an object', () => {
      const f = fixture();
      addService(f, 'a', { versions: ['v1'] as never });
      addService(f, 'b', { versions: { v1: 'latest' } as never });
      const lines = validationErrors(f.platform);
      expect(lineFor(lines, 'acme/shop/storefront/a', 'versions')).toMatch(/keyed by version name/);
      expect(lineFor(lines, 'acme/shop/storefront/b', 'versions["v1"]')).toMatch(/is an object/);
    });
  });

  it('property: any set of valid version names renders one Service and one Deployment per version, each selecting its own pods', () => {
    const versionName = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
    fc.assert(
      fc.property(fc.uniqueArray(versionName, { minLength: 1, maxLength: 4 }), (names) => {
        const f = fixture();
        addService(f, 'svc', { versions: Object.fromEntries(names.map((n) => [n, {}])) });
        const objects = synthObjects(f.platform);
        const deployments = [...objects.entries()].filter(([k]) => k.startsWith('host/Deployment/')).map(([, o]) => o as any);
        expect(deployments.map((d) => d.metadata.name).sort()).toEqual(names.map((n) => `svc-${n}`).sort());
        expect(objects.has('host/Service/storefront/svc')).toBe(true);
        for (const d of deployments) {
          const selector = d.spec.selector.matchLabels as Record<string, string>;
          const own = Object.entries(selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v);
          const others = deployments.filter((o) => o !== d).some((o) => Object.entries(selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v));
          expect([own, others]).toEqual([true, false]);
        }
      }),
      { seed: 20261206, numRuns: 15 },
    );
  });
});
