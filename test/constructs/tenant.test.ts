import { ClusterRole, formatProblem, Tenant, validatePlatform } from 'platform-cdk';
import { addService, fixture, objectAt, synthObjects } from '../fixture';

describe('Tenant', () => {
  it('writes its WorkspaceTemplate on the host cluster only', () => {
    const f = fixture();
    addService(f, 'web');

    const objects = synthObjects(f.platform);
    const templates = [...objects.keys()].filter((k) => k.includes('/WorkspaceTemplate/'));
    expect(templates).toEqual(['host/WorkspaceTemplate/-/shop']);
    expect(objectAt(objects, 'host/WorkspaceTemplate/-/shop').metadata).toEqual({
      name: 'shop',
      labels: { 'app.kubernetes.io/managed-by': 'platform-cdk', 'platform-cdk.io/tenant': 'shop' },
    });
  });

  it('places its workspace on exactly the clusters where its projects land, sorted by name', () => {
    const f = fixture();
    const zeta = f.platform.addCluster('zeta', { role: ClusterRole.MEMBER });
    const alpha = f.platform.addCluster('alpha', { role: ClusterRole.MEMBER });
    f.platform.addCluster('unused', { role: ClusterRole.MEMBER });
    f.platform.addEnvironment('dev', { clusters: [zeta, alpha] });
    const billing = f.platform.addTenant('billing', { manager: 'bob' });
    billing.addProject('ledger', { environments: ['dev'] });

    expect(billing.clusters).toEqual([alpha, zeta]);
    expect(f.tenant.clusters).toEqual([f.host, f.member]);
    const objects = synthObjects(f.platform);
    expect((objectAt(objects, 'host/WorkspaceTemplate/-/billing') as any).spec.placement).toEqual({ clusters: [{ name: 'alpha' }, { name: 'zeta' }] });
    expect((objectAt(objects, 'host/WorkspaceTemplate/-/shop') as any).spec.placement).toEqual({ clusters: [{ name: 'host' }, { name: 'member-test' }] });
    expect([...objects.keys()].filter((k) => k.includes('/WorkspaceTemplate/'))).toEqual([
      'host/WorkspaceTemplate/-/billing',
      'host/WorkspaceTemplate/-/shop',
    ]);
  });

  it('lists a cluster once in its placement when several projects land there', () => {
    const f = fixture();
    f.tenant.addProject('orders', { environments: ['production'] });

    expect((objectAt(synthObjects(f.platform), 'host/WorkspaceTemplate/-/shop') as any).spec.placement.clusters).toEqual([
      { name: 'host' },
      { name: 'member-test' },
    ]);
  });

  it('is placed on no cluster, with a warning, when it has no projects, and the platform still synthesizes', () => {
    const f = fixture();
    const empty = f.platform.addTenant('empty', { manager: 'bob' });

    expect(empty.clusters).toEqual([]);
    expect(validatePlatform(f.platform).map(formatProblem)).toEqual([
      'warning: [acme/empty] projects: got []; the tenant has no project, so its workspace is placed on no cluster. Fix: add a project with tenant.addProject(), or remove the tenant.',
    ]);
    expect((objectAt(synthObjects(f.platform), 'host/WorkspaceTemplate/-/empty') as any).spec.placement).toEqual({ clusters: [] });
  });

  it('names its manager in template.spec.manager', () => {
    const f = fixture();

    const template = objectAt(synthObjects(f.platform), 'host/WorkspaceTemplate/-/shop') as any;
    expect(template.spec.template.spec).toEqual({ manager: 'alice' });
    expect(f.tenant.manager).toBe('alice');
  });

  it('writes displayName and description as kubesphere.io/alias-name and kubesphere.io/description annotations', () => {
    const f = fixture();
    const billing = f.platform.addTenant('billing', { manager: 'bob', displayName: 'Billing & invoices', description: 'Everything that costs money' });
    billing.addProject('ledger', { environments: ['test'] });

    const template = objectAt(synthObjects(f.platform), 'host/WorkspaceTemplate/-/billing') as any;
    const annotations = { 'kubesphere.io/alias-name': 'Billing & invoices', 'kubesphere.io/description': 'Everything that costs money' };
    expect(template.metadata.annotations).toEqual(annotations);
    expect(template.spec.template.metadata.annotations).toEqual(annotations);
    expect(template.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'platform-cdk', 'platform-cdk.io/tenant': 'billing' });
  });

  it('writes no annotations when it has no displayName or description', () => {
    const f = fixture();

    const template = objectAt(synthObjects(f.platform), 'host/WorkspaceTemplate/-/shop') as any;
    expect(template.metadata).not.toHaveProperty('annotations');
    expect(template.spec.template.metadata).not.toHaveProperty('annotations');
  });

  it('never produces a Workspace object, on any cluster', () => {
    const f = fixture();
    f.platform.addTenant('billing', { manager: 'bob' }).addProject('ledger', { environments: ['test', 'production'] });
    f.platform.addTenant('empty', { manager: 'carol' });
    addService(f, 'web').expose();

    const kinds = [...synthObjects(f.platform).values()].map((o) => o.kind);
    expect(kinds).toContain('WorkspaceTemplate');
    expect(kinds).not.toContain('Workspace');
  });

  it('is found by Tenant.of from its projects and services', () => {
    const f = fixture();
    const web = addService(f, 'web');

    expect(Tenant.of(web)).toBe(f.tenant);
    expect(Tenant.of(f.project)).toBe(f.tenant);
    expect(Tenant.of(f.tenant)).toBe(f.tenant);
    expect(() => Tenant.of(f.host)).toThrow('[acme/Clusters/host] is not inside a Tenant');
  });

  it('lists its projects in the order they were added', () => {
    const f = fixture();
    const orders = f.tenant.addProject('orders', { environments: ['test'] });

    expect(f.tenant.projects).toEqual([f.project, orders]);
  });
});

describe('the name of a tenant', () => {
  it('may not be a reserved workspace or namespace name', () => {
    const f = fixture();
    for (const name of ['system-workspace', 'kube-system', 'kubesphere-x']) f.platform.addTenant(name, { manager: 'zed' }).addProject(`p-${name}`, { environments: [f.test] });

    expect(validatePlatform(f.platform).filter((p) => p.severity === 'error').map(formatProblem)).toEqual([
      '[acme/kube-system] name: got "kube-system"; the name is reserved: the control plane and cluster add-ons, owned by Kubernetes; a tenant may not take it. Fix: name the tenant after its business domain, e.g. "payments" (the reserved names are listed in docs/tenancy.md).',
      '[acme/kubesphere-x] name: got "kubesphere-x"; the name is reserved (kubesphere-*): every namespace KubeSphere names kubesphere-…, owned by KubeSphere; a tenant may not take it. Fix: name the tenant after its business domain, e.g. "payments" (the reserved names are listed in docs/tenancy.md).',
      '[acme/system-workspace] name: got "system-workspace"; the name is reserved: the workspace of KubeSphere\'s and Kubernetes\' system namespaces, owned by KubeSphere; a tenant may not take it. Fix: name the tenant after its business domain, e.g. "payments" (the reserved names are listed in docs/tenancy.md).',
    ]);
  });
});
