import { ClusterRole, Issuer, Platform, Registry, TenantNetwork, Tls } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, objectAt, synthObjects, synthValid as synth, validationErrors } from '../fixture';
import { renderClosedNamespaceBaseline } from '../../lib/project-baseline';

/** The names of the NetworkPolicies in one namespace of one cluster, sorted. */
const policiesIn = (objects: Map<string, KubeObject>, cluster: string, namespace: string): string[] =>
  [...objects.keys()].filter((k) => k.startsWith(`${cluster}/NetworkPolicy/${namespace}/`)).map((k) => k.slice(k.lastIndexOf('/') + 1)).sort();

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
    const tenant = { namespaceSelector: { matchLabels: { 'platform-cdk.io/tenant': 'shop' }, matchExpressions: [{ key: 'platform-cdk.io/preview', operator: 'DoesNotExist' }] } };
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

describe('the tenant\'s network mode', () => {
  it('opens the tenant\'s namespaces to each other by default (OPEN_WITHIN_TENANT)', () => {
    const f = fixture();
    const open = f.platform.addTenant('ads', { manager: 'bob', network: TenantNetwork.OPEN_WITHIN_TENANT });
    open.addProject('banners', { environments: [f.test, f.production] });

    const objects = synth(f.platform);
    expect(f.tenant.network).toBe(TenantNetwork.OPEN_WITHIN_TENANT);
    for (const ns of ['storefront', 'banners']) {
      for (const cluster of ['host', 'member-test']) expect(policiesIn(objects, cluster, ns)).toEqual(['allow-dns', 'allow-same-tenant', 'default-deny']);
    }
    expect((objectAt(objects, 'host/NetworkPolicy/banners/allow-same-tenant').spec as any).ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'platform-cdk.io/tenant': 'ads' }, matchExpressions: [{ key: 'platform-cdk.io/preview', operator: 'DoesNotExist' }] } }] }]);
  });

  it('writes no allow-same-tenant policy with DECLARED_PATHS_ONLY, in any namespace of the tenant, and keeps the rest of the baseline', () => {
    const f = fixture();
    const strict = f.platform.addTenant('ads', { manager: 'bob', network: TenantNetwork.DECLARED_PATHS_ONLY });
    const banners = strict.addProject('banners', { environments: [f.test, f.production] });
    strict.addProject('reports', { environments: [f.production] });
    banners.addService('banner', { image: Registry.at('harbor.example.com').image('ads/banner', '2.0.0'), ports: [{ port: 8080 }] }).expose({ subdomain: 'ads' });

    const objects = synth(f.platform);
    expect(policiesIn(objects, 'host', 'banners')).toEqual(['allow-acme-http01-solver', 'allow-dns', 'allow-ingress-controller', 'default-deny']);
    expect(policiesIn(objects, 'member-test', 'banners')).toEqual(['allow-dns', 'allow-ingress-controller', 'default-deny']);
    expect(policiesIn(objects, 'host', 'reports')).toEqual(['allow-dns', 'default-deny']);
    expect(objectAt(objects, 'host/NetworkPolicy/banners/default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    // The namespace still carries the tenant label, for the other tenants' policies and KubeSphere.
    expect(objectAt(objects, 'host/Namespace/-/banners').metadata.labels).toMatchObject({ 'platform-cdk.io/tenant': 'ads', 'kubesphere.io/workspace': 'ads' });
    // The fixture's tenant is left open.
    expect(policiesIn(objects, 'host', 'storefront')).toContain('allow-same-tenant');
  });
});

describe('the ACME HTTP-01 solver policy', () => {
  const SOLVER = 'allow-acme-http01-solver';
  /** A platform whose host cluster runs its ingress controller in `ingress-nginx`, production with cert-manager TLS and test without TLS. */
  function estate() {
    const platform = new Platform('acme');
    const host = platform.addCluster('host', { role: ClusterRole.HOST, ingressNamespace: 'ingress-nginx' });
    const member = platform.addCluster('member', { role: ClusterRole.MEMBER });
    const test = platform.addEnvironment('test', { clusters: [member], domain: 'test.example.com' });
    const production = platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true, tls: Tls.certManager(Issuer.cluster('letsencrypt')) });
    const tenant = platform.addTenant('shop', { manager: 'alice' });
    const registry = Registry.at('harbor.example.com');
    const project = (name: string) => tenant.addProject(name, { environments: [test, production] });
    const service = (p: ReturnType<typeof project>, name: string) => p.addService(name, { image: registry.image(`shop/${name}`, '1.0.0'), ports: [{ port: 8080 }], perEnvironment: { production: { replicas: 2 } } });
    return { platform, test, production, project, service };
  }

  it('lets the cluster\'s ingress controller reach cert-manager\'s solver pods on 8089, in the namespace of a service exposed with cert-manager TLS', () => {
    const e = estate();
    e.service(e.project('web'), 'site').expose();

    const objects = synth(e.platform);
    expect(objectAt(objects, `host/NetworkPolicy/web/${SOLVER}`).spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 8089 }] }],
    });
    expect(objectAt(objects, `host/NetworkPolicy/web/${SOLVER}`).metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'platform-cdk', 'platform-cdk.io/tenant': 'shop', 'platform-cdk.io/environment': 'production' });
    // Test has no TLS: no Certificate, so no solver to reach.
    expect(objects.has(`member/NetworkPolicy/web/${SOLVER}`)).toBe(false);
  });

  it('comes from the default ingress namespace of a KubeSphere cluster', () => {
    const f = fixture();
    addService(f, 'web').expose();
    const spec = objectAt(synth(f.platform), `host/NetworkPolicy/storefront/${SOLVER}`).spec as any;
    expect(spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kubesphere-controls-system' } } }]);
  });

  it('follows the TLS of each exposure in each environment: cert-manager yes, an existing Secret or no TLS no', () => {
    const e = estate();
    // cert-manager TLS given on the exposure, in test too.
    e.service(e.project('issued'), 'issued').expose({ tls: Tls.certManager(Issuer.namespaced('staging-ca')) });
    // An existing Secret over the environment's cert-manager TLS.
    e.service(e.project('wildcard'), 'wildcard').expose({ tls: Tls.existingSecret('wildcard-example-com') });
    // Exposed only in test, which has no TLS.
    e.service(e.project('plain'), 'plain').expose({ environments: [e.test] });
    // Not exposed.
    e.service(e.project('internal'), 'internal');
    // Exposed in test only with cert-manager: the production namespace gets none.
    e.service(e.project('preview'), 'preview').expose({ environments: [e.test], tls: Tls.certManager(Issuer.cluster('letsencrypt-staging')) });

    const objects = synth(e.platform);
    expect([...objects.keys()].filter((k) => k.split('/')[1] === 'NetworkPolicy' && k.endsWith(`/${SOLVER}`)).sort()).toEqual([
      `host/NetworkPolicy/issued/${SOLVER}`,
      `member/NetworkPolicy/issued/${SOLVER}`,
      `member/NetworkPolicy/preview/${SOLVER}`,
    ]);
  });

  it('exists exactly in the namespaces that have a Certificate, once however many services there use cert-manager', () => {
    const e = estate();
    const shop = e.project('shop');
    e.service(shop, 'site').expose();
    e.service(shop, 'api').expose({ path: '/api', subdomain: 'site' });
    e.service(shop, 'admin').expose({ tls: Tls.existingSecret('admin-tls') });
    e.service(e.project('docs'), 'docs').expose({ environments: [e.production], tls: Tls.existingSecret('docs-tls') });
    e.service(e.project('status'), 'status').expose({ tls: Tls.certManager(Issuer.cluster('letsencrypt')) });

    const objects = synth(e.platform);
    /** `<cluster>/<namespace>` of every object of a kind (and name), once each, sorted. */
    const namespaces = (kind: string, name?: string): string[] => {
      const out = new Set<string>();
      for (const key of objects.keys()) {
        const [cluster, k, namespace, n] = key.split('/');
        if (k === kind && (name === undefined || n === name)) out.add(`${cluster}/${namespace}`);
      }
      return [...out].sort();
    };
    expect(namespaces('NetworkPolicy', SOLVER)).toEqual(['host/shop', 'host/status', 'member/status']);
    expect(namespaces('NetworkPolicy', SOLVER)).toEqual(namespaces('Certificate'));
    expect([...objects.keys()].filter((k) => k === `host/NetworkPolicy/shop/${SOLVER}`)).toHaveLength(1);
  });
});

describe('the baseline of a namespace where nothing runs', () => {
  it('is a quota of no pods, a limit range and a default-deny policy, with the labels given', () => {
    const labels = { 'app.kubernetes.io/managed-by': 'platform-cdk' };
    expect(renderClosedNamespaceBaseline('platform-gitops', labels)).toEqual([
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'project-quota', namespace: 'platform-gitops', labels }, spec: { hard: { pods: '0' } } },
      {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'project-limits', namespace: 'platform-gitops', labels },
        spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '10m', memory: '16Mi' }, default: { cpu: '10m', memory: '16Mi' } }] },
      },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'platform-gitops', labels }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    ]);
  });
});
