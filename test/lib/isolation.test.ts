/**
 * The isolation checks: zero findings on every example and on estates of every target, and hand-made objects
 * proving that each check fails when isolation is broken.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ManifestStack, Platform, PreviewDependencies, ProjectRole, Target, TenantNetwork, User, WorkspaceRole } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkIsolation, checkPlatformIsolation, declaredPaths, formatIsolationFinding, IsolationCheck, isIsolationObject, isolationObjectsOfFiles, isolationObjectsOfRender } from 'platform-cdk';
import type { IsolationObject } from 'platform-cdk';
import { selectorMatches as matches } from '../../lib/manifest';
import { addService, fixture, objectAt, synthObjects } from '../fixture';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLES = fs.readdirSync(path.join(ROOT, 'examples')).filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'main.ts'))).sort();

function buildExample(name: string): Platform {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(ROOT, 'examples', name, 'main.ts')) as { build: () => Platform }).build();
}

describe('isolation of the examples', () => {
  it.each(EXAMPLES)('%s: no finding', (name) => {
    expect(checkPlatformIsolation(buildExample(name)).map(formatIsolationFinding)).toEqual([]);
  });

  it('ride-hailing: a preview\'s allow-same-tenant admits its own namespaces only, a baseline\'s never a preview\'s', () => {
    const objects = synthObjects(buildExample('ride-hailing'));
    const selectors = (key: string): unknown[] => {
      const spec = objectAt(objects, key).spec as { ingress: { from: { namespaceSelector: unknown }[] }[]; egress: { to: { namespaceSelector: unknown }[] }[] };
      return [...spec.ingress.flatMap((r) => r.from), ...spec.egress.flatMap((r) => r.to)].map((x) => x.namespaceSelector);
    };
    for (const sel of selectors('dev-bj1/NetworkPolicy/order-pricing-pv-feature-surge-model/allow-same-tenant')) {
      expect(sel).toEqual({ matchLabels: { 'platform-cdk.io/tenant': 'order', 'platform-cdk.io/preview': 'feature-surge-model' } });
    }
    for (const sel of selectors('dev-bj1/NetworkPolicy/order-pricing/allow-same-tenant')) {
      expect(sel).toEqual({ matchLabels: { 'platform-cdk.io/tenant': 'order' }, matchExpressions: [{ key: 'platform-cdk.io/preview', operator: 'DoesNotExist' }] });
    }
  });

  it('the declared paths of ride-hailing hold its previews\' BASELINE dependencies', () => {
    const paths = declaredPaths(buildExample('ride-hailing'));
    expect(paths).toContainEqual({ from: 'passenger-app-pv-feature-rider-login', to: 'passenger-app', protocol: 'TCP', port: 9090 });
  });
});

describe('isolation of estates of each target', () => {
  /** Two tenants, a declared connection across them, grants, a preview with a BASELINE dependency. */
  function estate(target: Target): Platform {
    const f = fixture(target);
    const api = addService(f, 'api');
    addService(f, 'web').connectsTo(api);
    const other = f.platform.addTenant('billing', { manager: 'bob' });
    const ledger = other.addProject('ledger', { environments: [f.test, f.production] }).addService('ledger', { image: f.registry.image('billing/ledger', '1.0.0'), ports: [{ port: 9000 }] });
    ledger.acceptFrom(f.tenant);
    api.connectsTo(ledger);
    const devs = f.tenant.addDepartment('devs', { members: ['carol'] });
    f.project.grant(devs, ProjectRole.OPERATOR, { environments: [f.test] });
    if (target !== Target.KUBERNETES) f.tenant.grant(User.named('erin'), WorkspaceRole.VIEWER);
    f.platform.addPreview('feature/x', { baseline: f.test, owner: devs, expires: '2099-01-01', services: { web: { tag: '1.1.0' } }, dependencies: PreviewDependencies.BASELINE });
    return f.platform;
  }

  it.each([Target.KUBESPHERE_V4_1, Target.KUBESPHERE_V3_4, Target.KUBERNETES])('%s: no finding', (target) => {
    expect(checkPlatformIsolation(estate(target)).map(formatIsolationFinding)).toEqual([]);
  });

  it('a tenant with declared paths only has no finding at all, previews included', () => {
    const f = fixture();
    const api = addService(f, 'api');
    addService(f, 'web').connectsTo(api);
    const p = f.platform;
    const strict = p.addTenant('vault', { manager: 'vic', network: TenantNetwork.DECLARED_PATHS_ONLY });
    const app = strict.addProject('keys', { environments: [f.test] });
    const kms = app.addService('kms', { image: f.registry.image('vault/kms', '1.0.0'), ports: [{ port: 8200 }] });
    app.addService('front', { image: f.registry.image('vault/front', '1.0.0'), ports: [{ port: 8080 }] }).connectsTo(kms);
    p.addPreview('feature/y', { baseline: f.test, owner: User.named('vic'), expires: '2099-01-01', services: { front: { tag: '1.1.0' } } });
    expect(checkPlatformIsolation(p).map(formatIsolationFinding)).toEqual([]);
  });
});

// ----------------------------------------------------------------------------------------------------------
// Hand-made objects: each check fails when isolation is broken.
// ----------------------------------------------------------------------------------------------------------

const namespace = (name: string, tenant: string, preview?: { slug: string; owner: string }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name,
    labels: {
      'platform-cdk.io/tenant': tenant,
      'kubesphere.io/workspace': tenant,
      ...(preview ? { 'platform-cdk.io/preview': preview.slug, 'platform-cdk.io/preview-owner': preview.owner } : {}),
    },
  },
});

const binding = (kind: string, ns: string | undefined, name: string, subjects: KubeObject['subjects'], labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: kind === 'WorkspaceRoleBinding' ? 'iam.kubesphere.io/v1beta1' : 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name, ...(ns === undefined ? {} : { namespace: ns }), labels },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: kind === 'ClusterRoleBinding' ? 'ClusterRole' : 'Role', name: 'admin' },
  subjects,
});

const policy = (ns: string, name: string, spec: KubeObject['spec']): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });

const ingress = (ns: string, name: string, host: string): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: ns },
  spec: { rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] } }] },
});

/** Two tenants (shop: storefront; billing: ledger) on one cluster, their workspaces and one group each. */
function base(): KubeObject[] {
  return [
    namespace('storefront', 'shop'),
    namespace('ledger', 'billing'),
    { apiVersion: 'tenant.kubesphere.io/v1beta1', kind: 'WorkspaceTemplate', metadata: { name: 'shop' }, spec: { template: { spec: { manager: 'alice' } } } },
    { apiVersion: 'tenant.kubesphere.io/v1beta1', kind: 'WorkspaceTemplate', metadata: { name: 'billing' }, spec: { template: { spec: { manager: 'bob' } } } },
    { apiVersion: 'iam.kubesphere.io/v1beta1', kind: 'Group', metadata: { name: 'shop-devs', labels: { 'kubesphere.io/workspace': 'shop' } }, spec: {} },
    { apiVersion: 'iam.kubesphere.io/v1beta1', kind: 'GroupBinding', metadata: { name: 'shop-devs-carol', labels: { 'kubesphere.io/workspace': 'shop' } }, groupRef: { apiGroup: 'iam.kubesphere.io', kind: 'groups', name: 'shop-devs' }, users: ['carol'] },
  ];
}

const on = (objects: KubeObject[], cluster = 'c1'): IsolationObject[] => objects.map((object) => ({ cluster, object }));
const checksOf = (objects: KubeObject[], declared: Parameters<typeof checkIsolation>[1] = {}): string[] => checkIsolation(on(objects), declared).map((f) => `${f.check} ${f.object}`);

describe('the access check', () => {
  it('passes bindings of a tenant\'s own users, groups and service accounts in its own namespaces', () => {
    expect(checksOf([
      ...base(),
      binding('RoleBinding', 'storefront', 'a', [{ kind: 'User', name: 'alice' }, { kind: 'User', name: 'carol' }, { kind: 'Group', name: 'shop-devs' }, { kind: 'ServiceAccount', name: 'api', namespace: 'storefront' }]),
    ])).toEqual([]);
  });

  it('fails a RoleBinding that gives a user of another tenant rights in a namespace', () => {
    const findings = checkIsolation(on([...base(), binding('RoleBinding', 'ledger', 'carol-admin', [{ kind: 'User', name: 'carol' }])]));
    expect(findings).toEqual([{ check: IsolationCheck.TENANT_ACCESS, cluster: 'c1', object: 'RoleBinding ledger/carol-admin', reason: 'gives User carol of tenant shop rights in namespace ledger of tenant billing' }]);
  });

  it('fails a RoleBinding of another tenant\'s group, and of another tenant\'s ServiceAccount', () => {
    expect(checksOf([
      ...base(),
      binding('RoleBinding', 'ledger', 'g', [{ kind: 'Group', name: 'shop-devs' }]),
      binding('RoleBinding', 'ledger', 'sa', [{ kind: 'ServiceAccount', name: 'api', namespace: 'storefront' }]),
    ])).toEqual(['tenant-access RoleBinding ledger/g', 'tenant-access RoleBinding ledger/sa']);
  });

  it('fails a ClusterRoleBinding of a tenant\'s subject', () => {
    expect(checksOf([...base(), binding('ClusterRoleBinding', undefined, 'carol-everywhere', [{ kind: 'User', name: 'carol' }])])).toEqual(['tenant-access ClusterRoleBinding carol-everywhere']);
  });

  it('fails a WorkspaceRoleBinding of another tenant\'s group', () => {
    expect(checksOf([...base(), binding('WorkspaceRoleBinding', undefined, 'shop-devs-billing-admin', [{ kind: 'Group', name: 'shop-devs' }], { 'kubesphere.io/workspace': 'billing' })])).toEqual([
      'tenant-access WorkspaceRoleBinding shop-devs-billing-admin',
    ]);
  });

  it('on plain Kubernetes (no workspace objects), fails one user bound in two tenants\' namespaces, and groups by their tenant prefix', () => {
    const plain = [namespace('storefront', 'shop'), namespace('ledger', 'billing')];
    expect(checksOf([...plain, binding('RoleBinding', 'storefront', 'a', [{ kind: 'User', name: 'dan' }]), binding('RoleBinding', 'ledger', 'b', [{ kind: 'User', name: 'dan' }])])).toEqual([
      'tenant-access RoleBinding ledger/b',
      'tenant-access RoleBinding storefront/a',
    ]);
    expect(checksOf([...plain, binding('RoleBinding', 'ledger', 'g', [{ kind: 'Group', name: 'shop-devs' }])])).toEqual(['tenant-access RoleBinding ledger/g']);
  });
});

describe('the network check', () => {
  const admitShop = (ports?: { protocol: string; port: number }[]): KubeObject =>
    policy('ledger', 'ingress-to-ledger', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } } }], ...(ports ? { ports } : {}) }] });

  it('fails a policy admitting another tenant\'s namespace that no declared path covers', () => {
    const findings = checkIsolation(on([...base(), admitShop([{ protocol: 'TCP', port: 9000 }])]));
    expect(findings.map((f) => [f.check, f.object])).toEqual([[IsolationCheck.TENANT_NETWORK, 'NetworkPolicy ledger/ingress-to-ledger']]);
    expect(findings[0].reason).toContain('admits traffic from namespace storefront (tenant shop) on port TCP/9000, across tenants (shop → billing)');
  });

  it('passes it when a declared path covers the namespaces and port, and fails it for another port or every port', () => {
    const declaredPaths = [{ from: 'storefront', to: 'ledger', protocol: 'TCP', port: 9000 }];
    expect(checksOf([...base(), admitShop([{ protocol: 'TCP', port: 9000 }])], { declaredPaths })).toEqual([]);
    expect(checksOf([...base(), admitShop([{ protocol: 'TCP', port: 22 }])], { declaredPaths })).toEqual(['tenant-network NetworkPolicy ledger/ingress-to-ledger']);
    expect(checksOf([...base(), admitShop()], { declaredPaths })).toEqual(['tenant-network NetworkPolicy ledger/ingress-to-ledger']);
  });

  it('fails egress to another tenant, a selector of every namespace, and a rule without peers', () => {
    expect(checksOf([
      ...base(),
      policy('storefront', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'platform-cdk.io/tenant': 'billing' } } }] }] }),
      policy('ledger', 'all-namespaces', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] }),
      policy('ledger', 'anyone', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }),
    ])).toEqual(['tenant-network NetworkPolicy ledger/all-namespaces', 'tenant-network NetworkPolicy ledger/anyone', 'tenant-network NetworkPolicy storefront/out']);
  });

  it('passes DNS to anywhere, addresses outside the cluster, traffic inside the tenant and a selector that excludes other tenants', () => {
    expect(checksOf([
      ...base(),
      namespace('storefront-2', 'shop'),
      policy('storefront', 'allow-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] }),
      policy('storefront', 'vm', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.5/32' } }], ports: [{ protocol: 'TCP', port: 3306 }] }] }),
      policy('storefront', 'allow-same-tenant', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'platform-cdk.io/tenant': 'shop' } } }] }], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'platform-cdk.io/tenant': 'shop' } } }] }] }),
      policy('storefront', 'not-billing', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'platform-cdk.io/tenant', operator: 'NotIn', values: ['billing'] }] } }] }] }),
    ])).toEqual([]);
  });

  it('matches label selectors the way Kubernetes does', () => {
    const labels = { a: '1', b: '2' };
    expect(matches({}, labels)).toBe(true);
    expect(matches({ matchLabels: { a: '1' } }, labels)).toBe(true);
    expect(matches({ matchLabels: { a: '2' } }, labels)).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }] }, labels)).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'c', operator: 'In', values: ['1'] }] }, labels)).toBe(false);
    expect(matches({ matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['1'] }] }, labels)).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'b', operator: 'Exists' }] }, labels)).toBe(true);
    expect(matches({ matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }] }, labels)).toBe(false);
  });
});

describe('the Ingress host check', () => {
  it('fails one host claimed by two tenants, on one cluster or two, and passes one tenant\'s two Ingresses of a host', () => {
    const objects = [...on([...base(), ingress('storefront', 'web', 'pay.example.com'), ingress('storefront', 'web-2', 'pay.example.com')]), ...on([namespace('ledger', 'billing'), ingress('ledger', 'ledger', 'pay.example.com')], 'c2')];
    const findings = checkIsolation(objects);
    expect(findings.map((f) => `${f.check} ${f.cluster} ${f.object}`)).toEqual(['ingress-host c1 Ingress storefront/web', 'ingress-host c1 Ingress storefront/web-2', 'ingress-host c2 Ingress ledger/ledger']);
    expect(findings[2].reason).toBe('claims host pay.example.com for tenant billing, and c1: Ingress storefront/web (tenant shop), c1: Ingress storefront/web-2 (tenant shop) claims it too');
    expect(checksOf([...base(), ingress('storefront', 'web', 'pay.example.com'), ingress('storefront', 'web-2', 'pay.example.com')])).toEqual([]);
  });
});

describe('the preview checks', () => {
  const preview = (): KubeObject[] => [...base(), namespace('storefront-pv-x', 'shop', { slug: 'x', owner: 'shop-devs' })];
  const previewLabels = { 'platform-cdk.io/preview': 'x' };

  it('passes the owner\'s binding in the preview\'s namespace', () => {
    expect(checksOf([...preview(), binding('RoleBinding', 'storefront-pv-x', 'shop-devs-admin', [{ kind: 'Group', name: 'shop-devs' }], previewLabels)])).toEqual([]);
  });

  it('fails a preview\'s binding in a baseline namespace or in another preview\'s, and a binding labelled with a preview owner in a baseline namespace', () => {
    expect(checksOf([
      ...preview(),
      namespace('storefront-pv-y', 'shop', { slug: 'y', owner: 'alice' }),
      binding('RoleBinding', 'storefront', 'shop-devs-admin', [{ kind: 'Group', name: 'shop-devs' }], previewLabels),
      binding('RoleBinding', 'storefront-pv-y', 'shop-devs-admin', [{ kind: 'Group', name: 'shop-devs' }], previewLabels),
      binding('RoleBinding', 'storefront', 'owner-admin', [{ kind: 'Group', name: 'shop-devs' }], { 'platform-cdk.io/preview-owner': 'shop-devs' }),
    ])).toEqual(['preview-access RoleBinding storefront-pv-y/shop-devs-admin', 'preview-access RoleBinding storefront/owner-admin', 'preview-access RoleBinding storefront/shop-devs-admin']);
  });

  it('fails a path from a preview to its baseline beyond the declared dependencies, in either namespace\'s policy', () => {
    const declaredPaths = [{ from: 'storefront-pv-x', to: 'storefront', protocol: 'TCP', port: 8080 }];
    const objects = [
      ...preview(),
      policy('storefront', 'ingress-to-api', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront-pv-x' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }] }),
      policy('storefront', 'ingress-to-db', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront-pv-x' } } }], ports: [{ protocol: 'TCP', port: 3306 }] }] }),
      policy('storefront-pv-x', 'allow-same-tenant', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'platform-cdk.io/tenant': 'shop' } } }] }] }),
    ];
    expect(checksOf(objects, { declaredPaths })).toEqual(['preview-network NetworkPolicy storefront-pv-x/allow-same-tenant', 'preview-network NetworkPolicy storefront/ingress-to-db']);
  });
});

describe('broken real output', () => {
  it('a synthesized estate with one object added that breaks isolation fails the check', () => {
    const f = fixture();
    addService(f, 'api').expose({ subdomain: 'shop' });
    f.platform.addTenant('billing', { manager: 'bob' }).addProject('ledger', { environments: [f.production] });
    const objects = isolationObjectsOfFiles(new ManifestStack(f.platform).files());
    expect(checkIsolation(objects)).toEqual([]);
    const extra = on([ingress('ledger', 'steal', 'shop.example.com'), binding('RoleBinding', 'ledger', 'alice-admin', [{ kind: 'User', name: 'alice' }])], 'host');
    expect(checkIsolation([...objects, ...extra]).map((x) => `${x.check} ${x.object}`)).toEqual([
      'tenant-access RoleBinding ledger/alice-admin',
      'ingress-host Ingress ledger/steal',
      'ingress-host Ingress storefront/api',
    ]);
  });

  it('needs only the objects isIsolationObject keeps (what a synthesis holds of each cluster until the end), a small part of an estate', () => {
    const objects = isolationObjectsOfRender(new ManifestStack(buildExample('ride-hailing')).render());
    const kept = objects.filter((o) => isIsolationObject(o.object));
    expect([...new Set(kept.map((o) => o.object.kind))].sort()).toEqual(['Group', 'GroupBinding', 'Ingress', 'Namespace', 'NetworkPolicy', 'RoleBinding', 'WorkspaceRoleBinding', 'WorkspaceTemplate']);
    expect(kept.length / objects.length).toBeLessThan(0.5);
    // An object of every other kind is never read: breaking one changes no finding.
    const broken = objects.map((o) => (isIsolationObject(o.object) ? o : { ...o, object: { ...o.object, metadata: { ...o.object.metadata, labels: { 'platform-cdk.io/tenant': 'someone-else' } }, subjects: [{ kind: 'User', name: 'mallory' }] } }));
    const paths = { declaredPaths: declaredPaths(buildExample('ride-hailing')) };
    expect(checkIsolation(broken, paths)).toEqual(checkIsolation(kept, paths));
    expect(checkIsolation(kept, paths)).toEqual([]);
  });
});
