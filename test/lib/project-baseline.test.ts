import { ClusterRole, Platform, Registry } from 'platform-cdk';
import { addService, fixture, objectAt, synthObjects, validationErrors } from '../fixture';

describe('the baseline of every project namespace', () => {
  it('is a quota, a limit range and network policies in every namespace of the project', () => {
    const f = fixture();
    const kinds = [...synthObjects(f.platform).keys()].filter((k) => k.startsWith('member-test/') && k.includes('/storefront/')).sort();
    expect(kinds).toEqual([
      'member-test/LimitRange/storefront/project-limits',
      'member-test/NetworkPolicy/storefront/allow-dns',
      'member-test/NetworkPolicy/storefront/allow-same-tenant',
      'member-test/NetworkPolicy/storefront/default-deny',
      'member-test/ResourceQuota/storefront/project-quota',
    ]);
  });

  it('takes the quota from the project in one environment, then the project, then the environment, then the platform', () => {
    const platform = new Platform('acme', { defaultProjectQuota: { pods: 20, memoryLimitMiB: 4096 } });
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    const test = platform.addEnvironment('test', { clusters: [host], namespaceSuffix: '-test', projectQuota: { pods: 10, cpuLimitMillis: 3000 } });
    const production = platform.addEnvironment('production', { clusters: [host] });
    const project = platform.addTenant('shop', { manager: 'alice' }).addProject('web', { environments: [test, production], quota: { cpuRequestMillis: 1500 } });
    project.quotaIn(production, { pods: 40 });
    const objects = synthObjects(platform);
    expect(objectAt(objects, 'host/ResourceQuota/web-test/project-quota').spec).toEqual({
      hard: { 'requests.cpu': '1500m', 'limits.cpu': '3000m', 'requests.memory': '8192Mi', 'limits.memory': '4096Mi', pods: '10' },
    });
    expect(objectAt(objects, 'host/ResourceQuota/web/project-quota').spec).toEqual({
      hard: { 'requests.cpu': '1500m', 'limits.cpu': '8000m', 'requests.memory': '8192Mi', 'limits.memory': '4096Mi', pods: '40' },
    });
  });

  it('gives containers without resources the environment\'s default requests and limits', () => {
    const f = fixture();
    f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging', resources: { cpuLimitMillis: 750, memoryRequestMiB: 64 } });
    f.project.placeIn('staging');
    expect(objectAt(synthObjects(f.platform), 'member-test/LimitRange/storefront-staging/project-limits').spec).toEqual({
      limits: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '64Mi' }, default: { cpu: '750m', memory: '256Mi' } }],
    });
  });

  it('denies all traffic by default and allows DNS and the tenant\'s own namespaces', () => {
    const objects = synthObjects(fixture().platform);
    expect(objectAt(objects, 'host/NetworkPolicy/storefront/default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(objectAt(objects, 'host/NetworkPolicy/storefront/allow-dns').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    const tenant = { namespaceSelector: { matchLabels: { 'platform-cdk.io/tenant': 'shop' } } };
    expect(objectAt(objects, 'host/NetworkPolicy/storefront/allow-same-tenant').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [tenant] }],
      egress: [{ to: [tenant] }],
    });
  });

  it('lets only the cluster\'s ingress controller reach exposed services, on their exposed ports, where they are exposed', () => {
    const platform = new Platform('acme');
    const host = platform.addCluster('host', { role: ClusterRole.HOST, ingressNamespace: 'ingress-nginx' });
    const member = platform.addCluster('member', { role: ClusterRole.MEMBER });
    const test = platform.addEnvironment('test', { clusters: [member] });
    const production = platform.addEnvironment('production', { clusters: [host], domain: 'example.com' });
    const project = platform.addTenant('shop', { manager: 'alice' }).addProject('web', { environments: [test, production] });
    const registry = Registry.at('harbor.example.com');
    project.addService('site', { image: registry.image('shop/site', '1.0.0'), ports: [{ port: 80, containerPort: 8080 }, { port: 9090, name: 'metrics' }] }).expose({ environments: [production] });
    project.addService('api', { image: registry.image('shop/api', '1.0.0'), ports: [{ port: 8081 }] }).expose({ environments: [production], path: '/api', subdomain: 'site' });
    project.addService('worker', { image: registry.image('shop/worker', '1.0.0'), ports: [{ port: 8082 }] });
    const objects = synthObjects(platform);
    expect(objectAt(objects, 'host/NetworkPolicy/web/allow-ingress-controller').spec).toEqual({
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api', 'site'] }] },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 8081 }] }],
    });
    expect(objects.has('member/NetworkPolicy/web/allow-ingress-controller')).toBe(false);
  });

  it('defaults the ingress controller to KubeSphere\'s gateway namespace', () => {
    const f = fixture();
    addService(f, 'web').expose();
    const spec = objectAt(synthObjects(f.platform), 'host/NetworkPolicy/storefront/allow-ingress-controller').spec as { ingress: { from: unknown[] }[] };
    expect(spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kubesphere-controls-system' } } }]);
  });
});

describe('quota validation', () => {
  it('reports a project whose services at their maximum scale, rolling-update surge included, exceed its quota', () => {
    const f = fixture();
    f.project.quotaIn('production', { pods: 6 });
    addService(f, 'web', { perEnvironment: { production: { replicas: 5 } } });
    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] quota.pods (in production): got 6; the services of project storefront need 7 in environment production at their maximum scale (7 pods, counting one rolling-update surge pod per 4 replicas), above the quota of 6. Fix: raise pods to at least 7 (project quota, quotaIn("production") or the environment\'s projectQuota), or lower the services\' replicas or resources.',
    ]);
  });

  it('reports every resource the services exceed, in each environment', () => {
    const f = fixture();
    f.project.quotaIn('test', { cpuRequestMillis: 100, memoryRequestMiB: 100 });
    addService(f, 'web', { perEnvironment: { test: { replicas: 1 } } });
    expect(validationErrors(f.platform).map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      '[acme/shop/storefront] quota.cpuRequestMillis (in test)',
      '[acme/shop/storefront] quota.memoryRequestMiB (in test)',
    ]);
  });

  it('accepts services that fit exactly', () => {
    const f = fixture();
    // 1 replica + 1 surge pod × 100m/500m/128Mi/256Mi.
    f.project.quotaIn('test', { cpuRequestMillis: 200, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512, pods: 2 });
    addService(f, 'web', { perEnvironment: { test: { replicas: 1 } } });
    expect(() => synthObjects(f.platform)).not.toThrow();
  });

  it('reports quotas that are not positive whole numbers, and quotas for environments the project is not in', () => {
    const platform = new Platform('acme', { defaultProjectQuota: { pods: 0 } });
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    const production = platform.addEnvironment('production', { clusters: [host], projectQuota: { cpuLimitMillis: 1.5 } });
    platform.addEnvironment('staging', { clusters: [host], namespaceSuffix: '-staging' });
    const project = platform.addTenant('shop', { manager: 'alice' }).addProject('web', { environments: [production] });
    project.quotaIn('staging', { pods: 5 });
    expect(validationErrors(platform)).toEqual([
      '[acme] defaultProjectQuota.pods: got 0; quotas must be positive whole numbers. Fix: set pods to a whole number above 0.',
      '[acme/Environments/production] projectQuota.cpuLimitMillis: got 1.5; quotas must be positive whole numbers. Fix: set cpuLimitMillis to a whole number above 0.',
      '[acme/shop/web] quotaIn("staging"): got "staging"; the project is not placed in this environment (it is in: production). Fix: set quotas only for environments of the project.',
    ]);
  });
});
