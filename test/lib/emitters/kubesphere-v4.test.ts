import { ClusterRole, Platform, ProjectRole, Target, User, WorkspaceRole } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, objectAt, synthObjects, validationErrors } from '../../fixture';
import { canValidate, HAS_KUBESPHERE_V4, KUBESPHERE_V4_SKIPPED, validator, validatorV3 } from '../../schemas';

const MANAGED = { 'app.kubernetes.io/managed-by': 'platform-cdk' };

function keysOfKind(objects: Map<string, KubeObject>, kind: string): string[] {
  return [...objects.keys()].filter((k) => k.split('/')[1] === kind).sort();
}

describe('the workspace quota on KubeSphere 4.1', () => {
  it('is a quota.kubesphere.io ResourceQuota named after the tenant, selecting its workspace, on the cluster where its projects land', () => {
    const f = fixture();
    const billing = f.platform.addTenant('billing', {
      manager: 'bob',
      quota: { cpuRequestMillis: 16000, cpuLimitMillis: 32000, memoryRequestMiB: 32768, memoryLimitMiB: 65536, pods: 200 },
    });
    billing.addProject('ledger', { environments: [f.test] });
    billing.addProject('invoices', { environments: ['test'] });

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'ResourceQuota').filter((k) => k.includes('/-/'))).toEqual(['member-test/ResourceQuota/-/billing']);
    expect(objectAt(objects, 'member-test/ResourceQuota/-/billing')).toEqual({
      apiVersion: 'quota.kubesphere.io/v1alpha2',
      kind: 'ResourceQuota',
      metadata: { name: 'billing', labels: { ...MANAGED, 'platform-cdk.io/tenant': 'billing', 'kubesphere.io/workspace': 'billing' } },
      spec: {
        selector: { 'kubesphere.io/workspace': 'billing' },
        quota: { hard: { 'requests.cpu': '16000m', 'limits.cpu': '32000m', 'requests.memory': '32768Mi', 'limits.memory': '65536Mi', pods: '200' } },
      },
    });
  });

  it('is written on every cluster where the tenant has projects, the host included', () => {
    const f = fixture();
    const quota = { cpuRequestMillis: 8000, cpuLimitMillis: 16000, memoryRequestMiB: 16384, memoryLimitMiB: 32768, pods: 100 };
    const shop = f.platform.addTenant('books', { manager: 'bob', quota });
    shop.addProject('catalog', { environments: [f.test, f.production] });

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'ResourceQuota').filter((k) => k.includes('/-/'))).toEqual(['host/ResourceQuota/-/books', 'member-test/ResourceQuota/-/books']);
    expect(objectAt(objects, 'host/ResourceQuota/-/books')).toEqual(objectAt(objects, 'member-test/ResourceQuota/-/books'));
  });

  it('is not written for a tenant without one, nor anywhere for a tenant without projects', () => {
    const f = fixture();
    f.platform.addTenant('empty', { manager: 'bob', quota: { pods: 10 } });

    const quotas = [...synthObjects(f.platform).values()].filter((o) => o.apiVersion.startsWith('quota.kubesphere.io/'));
    expect(quotas).toEqual([]);
  });

  it('is reported when a field is not a positive whole number', () => {
    const f = fixture();
    f.platform.addTenant('billing', { manager: 'bob', quota: { pods: 0, cpuLimitMillis: -1000, memoryRequestMiB: 1.5 } }).addProject('ledger', { environments: [f.test] });

    expect(validationErrors(f.platform)).toEqual([
      '[acme/billing] quota.cpuLimitMillis: got -1000; quotas must be positive whole numbers. Fix: set cpuLimitMillis to a whole number above 0.',
      '[acme/billing] quota.memoryRequestMiB: got 1.5; quotas must be positive whole numbers. Fix: set memoryRequestMiB to a whole number above 0.',
      '[acme/billing] quota.pods: got 0; quotas must be positive whole numbers. Fix: set pods to a whole number above 0.',
    ]);
  });

  it('caps only what a partial workspace quota sets', () => {
    const f = fixture();
    const billing = f.platform.addTenant('billing', { manager: 'bob', quota: { pods: 200 } });
    billing.addProject('ledger', { environments: [f.test] });
    billing.addProject('invoices', { environments: [f.test] });

    expect((objectAt(synthObjects(f.platform), 'member-test/ResourceQuota/-/billing').spec as { quota: unknown }).quota).toEqual({ hard: { pods: '200' } });
  });
});

describe('member clusters on KubeSphere 4.1', () => {
  it('each get a cluster.kubesphere.io Cluster on the host, with their labels and description, connected by proxy', () => {
    const f = fixture();
    f.platform.addCluster('member-eu', { role: ClusterRole.MEMBER, labels: { region: 'eu-1', 'cluster.kubesphere.io/group': 'production' }, description: 'Frankfurt' });

    const objects = synthObjects(f.platform);
    expect(objectAt(objects, 'host/Cluster/-/member-eu')).toEqual({
      apiVersion: 'cluster.kubesphere.io/v1alpha1',
      kind: 'Cluster',
      metadata: {
        name: 'member-eu',
        labels: { ...MANAGED, region: 'eu-1', 'cluster.kubesphere.io/group': 'production' },
        annotations: { 'kubesphere.io/description': 'Frankfurt' },
      },
      spec: { connection: { type: 'proxy' } },
    });
    expect(objectAt(objects, 'host/Cluster/-/member-test')).toEqual({
      apiVersion: 'cluster.kubesphere.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'member-test', labels: { ...MANAGED, 'cluster.platform-cdk.io/environment': 'test' } },
      spec: { connection: { type: 'proxy' } },
    });
  });

  it('label a member with its group, its partner and the one environment it serves', () => {
    const f = fixture();
    const partner = f.platform.addCluster('partner-1', { role: ClusterRole.MEMBER, group: 'production', partner: 'acme-travel' });
    f.production.addCluster(partner);
    f.platform.addCluster('shared', { role: ClusterRole.MEMBER });
    f.test.addCluster('shared');
    f.platform.addEnvironment('staging', { clusters: ['shared'], namespaceSuffix: '-staging' });
    const objects = synthObjects(f.platform);
    expect(objectAt(objects, 'host/Cluster/-/partner-1').metadata.labels).toEqual({
      ...MANAGED,
      'cluster.kubesphere.io/group': 'production',
      'platform-cdk.io/partner': 'acme-travel',
      'cluster.platform-cdk.io/environment': 'production',
    });
    // A cluster that serves two environments gets no environment label.
    expect(objectAt(objects, 'host/Cluster/-/shared').metadata.labels).toEqual(MANAGED);
  });

  it('report a group or partner that is not a label value', () => {
    const f = fixture();
    f.platform.addCluster('partner-1', { role: ClusterRole.MEMBER, group: 'Production Zone', partner: '-acme' });
    expect(validationErrors(f.platform)).toEqual([
      '[acme/Clusters/partner-1] group: got "Production Zone"; a label value must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit. Fix: use a group like "production" or "acme-travel".',
      '[acme/Clusters/partner-1] partner: got "-acme"; a label value must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit. Fix: use a partner like "production" or "acme-travel".',
    ]);
  });

  it('are all registered, those in no environment too, and the host gets no Cluster for itself', () => {
    const f = fixture();
    f.platform.addCluster('spare', { role: ClusterRole.MEMBER });
    f.platform.addCluster('alpha', { role: ClusterRole.MEMBER });

    expect(keysOfKind(synthObjects(f.platform), 'Cluster')).toEqual(['host/Cluster/-/alpha', 'host/Cluster/-/member-test', 'host/Cluster/-/spare']);
  });

  it('never carry a kubeconfig or any other credential', () => {
    const f = fixture();
    f.platform.addCluster('member-eu', { role: ClusterRole.MEMBER, labels: { region: 'eu-1' } });

    const clusters = [...synthObjects(f.platform).values()].filter((o) => o.kind === 'Cluster');
    expect(clusters).toHaveLength(2);
    for (const c of clusters) {
      expect(c.spec).toEqual({ connection: { type: 'proxy' } });
      expect(JSON.stringify(c)).not.toMatch(/kubeconfig|token|password|secret|certificate/i);
    }
  });

  it('are none on a platform with a host cluster alone', () => {
    const platform = new Platform('acme');
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    platform.addEnvironment('production', { clusters: [host] });
    platform.addTenant('shop', { manager: 'alice' }).addProject('web', { environments: ['production'] });

    expect(keysOfKind(synthObjects(platform), 'Cluster')).toEqual([]);
  });
});

/**
 * A multi-tenant estate: two clusters, three tenants with nested departments, workspace and project grants,
 * custom roles, workspace quotas and exposed services.
 */
function estate(target: Target = Target.KUBESPHERE_V4_1): Platform {
  const f = fixture(target);
  const kubesphere = target !== Target.KUBERNETES;
  // KubeSphere 3.4 names its role templates role-template-…; plain Kubernetes has no role templates at all.
  const template = (name: string): string => (target === Target.KUBESPHERE_V3_4 ? name.replace(/^(workspace|namespace)-/, 'role-template-') : name);
  const custom = <R>(make: () => R, fallback: R): R => (kubesphere ? make() : fallback);
  f.platform.addCluster('member-eu', { role: ClusterRole.MEMBER, labels: { region: 'eu-1' }, description: 'Frankfurt' });
  const staging = f.platform.addEnvironment('staging', { clusters: ['member-eu'], namespaceSuffix: '-staging', domain: 'staging.example.com' });

  addService(f, 'web').expose();
  addService(f, 'api');
  f.project.placeIn(staging);
  const backend = f.tenant.addDepartment('backend', { members: ['bob', 'carol'], displayName: 'Backend' });
  const api = backend.addDepartment('api', { members: ['dave'] });
  f.tenant.addDepartment('frontend', { members: ['erin'] });
  f.tenant.grant(backend, WorkspaceRole.REGULAR);
  f.tenant.grant(User.named('frank'), custom(() => WorkspaceRole.custom('auditor', { templates: [template('workspace-view-projects'), template('workspace-view-members')] }), WorkspaceRole.VIEWER));
  f.tenant.grant(User.named('gina'), custom(() => WorkspaceRole.custom('auditor', { templates: [template('workspace-view-projects'), template('workspace-view-members')] }), WorkspaceRole.VIEWER));
  f.project.grant(backend, ProjectRole.OPERATOR, { environments: [f.test, staging] });
  f.project.grant(backend, ProjectRole.VIEWER, { environments: [f.production] });
  f.tenant.grantInProjects(api, custom(() => ProjectRole.custom('deployer', { templates: [template('namespace-view-app-workloads'), template('namespace-manage-app-workloads')] }), ProjectRole.OPERATOR));
  f.tenant.addProject('orders', { environments: [f.production, staging] });

  const billing = f.platform.addTenant('billing', { manager: 'harry', quota: kubesphere ? { cpuRequestMillis: 16000, cpuLimitMillis: 32000, memoryRequestMiB: 32768, memoryLimitMiB: 65536, pods: 300 } : undefined });
  const ledger = billing.addProject('ledger', { environments: [f.test, f.production] });
  ledger.addService('books', { image: f.registry.image('billing/books', '2.1.0'), ports: [{ port: 8080 }] }).expose({ environments: [f.production] });
  const finance = billing.addDepartment('finance', { members: ['ivy', 'bob'] });
  finance.addDepartment('payroll', { members: ['jack'] });
  billing.grant(finance, WorkspaceRole.VIEWER);
  billing.grant(User.named('ivy'), WorkspaceRole.ADMIN);
  ledger.grant(finance, ProjectRole.ADMIN, { environments: ['test'] });
  ledger.grant(User.named('kim'), custom(() => ProjectRole.custom('reader', { templates: [template('namespace-view-app-workloads')] }), ProjectRole.VIEWER));

  const risk = f.platform.addTenant('risk', { manager: 'lena', displayName: 'Risk', quota: kubesphere ? { pods: 40, cpuRequestMillis: 2000, cpuLimitMillis: 4000, memoryRequestMiB: 4096, memoryLimitMiB: 8192 } : undefined });
  risk.addProject('scoring', { environments: [staging] });
  const quants = risk.addDepartment('quants', { members: ['mia'] });
  risk.grantInProjects(quants, ProjectRole.OPERATOR);
  return f.platform;
}

/** The tenant each namespace belongs to, keyed `<cluster>/<namespace>`. */
function namespaceTenants(objects: Map<string, KubeObject>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, o] of objects) {
    if (o.kind === 'Namespace') out.set(`${key.split('/')[0]}/${o.metadata.name}`, o.metadata.labels?.['platform-cdk.io/tenant'] as string);
  }
  return out;
}

/** Every string under a `rules` field of an object, with its path. */
function ruleStrings(value: unknown, path: string, inRules: boolean, out: string[]): string[] {
  if (typeof value === 'string') {
    if (inRules) out.push(`${path}=${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => ruleStrings(v, `${path}/${i}`, inRules, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) ruleStrings(v, `${path}/${k}`, inRules || k === 'rules', out);
  }
  return out;
}

describe.each([Target.KUBESPHERE_V4_1, Target.KUBESPHERE_V3_4, Target.KUBERNETES])('tenancy invariants of a multi-tenant estate on target %s', (target) => {
  const platform = estate(target);
  const objects = synthObjects(platform);
  // The kinds and quotas of the estate are KubeSphere 4.1's; the invariants below hold on every target.
  const onV4 = (name: string, fn: () => void): void => {
    if (target === Target.KUBESPHERE_V4_1) it(name, fn);
  };
  const groupsOf = new Map(platform.tenants.map((t) => [t.name, new Set(t.departments.map((d) => d.subjectName))]));

  onV4('synthesizes the estate with bindings, roles and quotas of every tenant', () => {
    const kinds = new Set([...objects.values()].map((o) => o.kind));
    for (const k of ['Cluster', 'WorkspaceTemplate', 'WorkspaceRole', 'Group', 'GroupBinding', 'WorkspaceRoleBinding', 'Namespace', 'Role', 'RoleBinding', 'ResourceQuota']) {
      expect(kinds).toContain(k);
    }
    expect(keysOfKind(objects, 'ResourceQuota').filter((k) => k.includes('/-/'))).toEqual([
      'host/ResourceQuota/-/billing',
      'member-eu/ResourceQuota/-/risk',
      'member-test/ResourceQuota/-/billing',
    ]);
  });

  it('has no ClusterRoleBinding, ClusterRole or GlobalRoleBinding anywhere', () => {
    const wide = [...objects.entries()].filter(([, o]) => ['ClusterRoleBinding', 'ClusterRole', 'GlobalRoleBinding', 'GlobalRole'].includes(o.kind)).map(([k]) => k);
    expect(wide).toEqual([]);
  });

  it('has no wildcard in any rules', () => {
    expect(ruleStrings({ kind: 'Role', rules: [{ apiGroups: [''], verbs: ['*'] }] }, 'probe', false, [])).toEqual(['probe/rules/0/apiGroups/0=', 'probe/rules/0/verbs/0=*']);
    const wildcards = [...objects.entries()].flatMap(([k, o]) => ruleStrings(o, k, false, [])).filter((s) => s.includes('*'));
    expect(wildcards).toEqual([]);
  });

  it('binds, in each tenant\'s namespaces, only users and the tenant\'s own groups', () => {
    const tenants = namespaceTenants(objects);
    const foreign: string[] = [];
    let checked = 0;
    for (const [key, o] of objects) {
      if (!o.kind.endsWith('RoleBinding') || !o.metadata.namespace) continue;
      const tenant = tenants.get(`${key.split('/')[0]}/${o.metadata.namespace}`);
      expect(tenant).toBeDefined();
      for (const s of o.subjects as { kind: string; name: string }[]) {
        checked++;
        const ok = s.kind === 'User' || (s.kind === 'Group' && s.name.startsWith(`${tenant}-`) && groupsOf.get(tenant as string)?.has(s.name) === true);
        if (!ok) foreign.push(`${key}: ${s.kind} ${s.name}`);
      }
    }
    expect(foreign).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it('binds, in each workspace, only users and the tenant\'s own groups, and puts users only in the tenant\'s groups', () => {
    const foreign: string[] = [];
    for (const [key, o] of objects) {
      const tenant = o.metadata.labels?.['kubesphere.io/workspace'];
      if (o.kind === 'WorkspaceRoleBinding') {
        expect((o.roleRef as { name: string }).name.startsWith(`${tenant}-`)).toBe(true);
        for (const s of o.subjects as { kind: string; name: string }[]) {
          if (s.kind !== 'User' && !(s.kind === 'Group' && groupsOf.get(tenant as string)?.has(s.name))) foreign.push(`${key}: ${s.kind} ${s.name}`);
        }
      }
      if (o.kind === 'GroupBinding' && !groupsOf.get(tenant as string)?.has((o.groupRef as { name: string }).name)) foreign.push(`${key}: group ${(o.groupRef as { name: string }).name}`);
    }
    expect(foreign).toEqual([]);
  });

  it('labels every object in a tenant\'s namespace with that tenant', () => {
    const tenants = namespaceTenants(objects);
    const mislabelled = [...objects.entries()]
      .filter(([k, o]) => o.metadata.namespace && o.metadata.labels?.['platform-cdk.io/tenant'] !== tenants.get(`${k.split('/')[0]}/${o.metadata.namespace}`))
      .map(([k]) => k);
    expect(mislabelled).toEqual([]);
  });

  it('gives each project namespace a ResourceQuota, a LimitRange and a default-deny NetworkPolicy', () => {
    const namespaces = [...namespaceTenants(objects).keys()];
    expect(namespaces.sort()).toEqual([
      'host/ledger',
      'host/orders',
      'host/storefront',
      'member-eu/orders-staging',
      'member-eu/scoring-staging',
      'member-eu/storefront-staging',
      'member-test/ledger',
      'member-test/storefront',
    ]);
    for (const key of namespaces) {
      const [cluster, ns] = key.split('/');
      expect(objectAt(objects, `${cluster}/ResourceQuota/${ns}/project-quota`).apiVersion).toBe('v1');
      expect(objectAt(objects, `${cluster}/LimitRange/${ns}/project-limits`).apiVersion).toBe('v1');
      expect(objectAt(objects, `${cluster}/NetworkPolicy/${ns}/default-deny`).spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    }
  });

  it('writes only objects valid against the Kubernetes 1.27 definitions and the target\'s KubeSphere CRDs, strictly', () => {
    const v = target === Target.KUBESPHERE_V3_4 ? validatorV3() : validator();
    const findings: string[] = [];
    let checked = 0;
    for (const [key, o] of objects) {
      if (target === Target.KUBESPHERE_V4_1 && !canValidate(o.apiVersion)) continue;
      checked++;
      for (const finding of v.validate(o)) findings.push(`${key}: ${finding.path}: ${finding.message}`);
    }
    if (!HAS_KUBESPHERE_V4) console.warn(KUBESPHERE_V4_SKIPPED);
    expect(findings).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });
});
