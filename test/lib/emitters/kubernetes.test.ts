import { ClusterRole, Issuer, ManifestStack, Platform, ProjectRole, Registry, Target, Tls, User, WorkspaceRole } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { objectAt, synthObjects, validationErrors } from '../../fixture';
import { validator } from '../../schemas';

/** A small estate on plain Kubernetes: a host and a member, a tenant with a department and grants. */
function plainEstate(): Platform {
  const platform = new Platform('plain', { target: Target.KUBERNETES });
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member', { role: ClusterRole.MEMBER });
  const test = platform.addEnvironment('test', { clusters: [member], domain: 'test.example.com' });
  const production = platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true, tls: Tls.certManager(Issuer.cluster('letsencrypt')) });
  const shop = platform.addTenant('shop', { manager: 'alice', displayName: 'Shop' });
  const backend = shop.addDepartment('backend', { members: ['bob'] });
  shop.grant(User.named('carol'), WorkspaceRole.VIEWER);
  shop.grant(User.named('dave'), WorkspaceRole.REGULAR);
  const web = shop.addProject('web', { environments: [test, production] });
  web.grant(backend, ProjectRole.OPERATOR, { environments: [test] });
  web.grant(backend, ProjectRole.VIEWER, { environments: [production] });
  web.addService('site', { image: Registry.at('harbor.example.com', { user: 1000 }).image('shop/site', '1.0.0'), ports: [{ port: 8080 }] }).expose();
  return platform;
}

describe('the plain Kubernetes target', () => {
  it('writes no KubeSphere object and no KubeSphere label', () => {
    for (const [key, o] of synthObjects(plainEstate())) {
      expect([key, o.apiVersion.includes('kubesphere.io')]).toEqual([key, false]);
      expect(Object.keys(o.metadata.labels ?? {}).filter((l) => l.includes('kubesphere.io'))).toEqual([]);
    }
  });

  it('binds project roles to the built-in cluster roles admin, edit and view, with the department as an identity-provider group', () => {
    const objects = synthObjects(plainEstate());
    expect(objectAt(objects, 'member/RoleBinding/web/shop-backend-operator')).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'shop-backend-operator',
        namespace: 'web',
        labels: { 'app.kubernetes.io/managed-by': 'platform-cdk', 'platform-cdk.io/tenant': 'shop', 'platform-cdk.io/environment': 'test' },
      },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'shop-backend' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    });
    expect((objectAt(objects, 'host/RoleBinding/web/shop-backend-viewer').roleRef as { name: string }).name).toBe('view');
  });

  it('gives a workspace viewer view in every namespace of the tenant, and a regular member nothing', () => {
    const keys = [...synthObjects(plainEstate()).keys()].filter((k) => k.includes('/RoleBinding/')).sort();
    expect(keys).toEqual([
      'host/RoleBinding/web/carol-workspace-viewer',
      'host/RoleBinding/web/shop-backend-viewer',
      'member/RoleBinding/web/carol-workspace-viewer',
      'member/RoleBinding/web/shop-backend-operator',
    ]);
  });

  it('keeps quotas, limit ranges and network policies, and lets ingress-nginx reach exposed services by default', () => {
    const objects = synthObjects(plainEstate());
    for (const cluster of ['host', 'member']) {
      for (const name of ['ResourceQuota/web/project-quota', 'LimitRange/web/project-limits', 'NetworkPolicy/web/default-deny']) objectAt(objects, `${cluster}/${name}`);
    }
    const spec = objectAt(objects, 'host/NetworkPolicy/web/allow-ingress-controller').spec as { ingress: { from: unknown[] }[] };
    expect(spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }]);
  });

  it('writes only objects valid against the Kubernetes 1.27 schemas', () => {
    const v = validator();
    const findings: string[] = [];
    for (const text of new ManifestStack(plainEstate()).files().values()) {
      for (const doc of parseAllDocuments(text)) findings.push(...v.validate(doc.toJS() as KubeObject).map((f) => `${f.object} ${f.path} ${f.message}`));
    }
    expect(findings).toEqual([]);
  });

  it('refuses what only KubeSphere can express: custom roles, self-provisioners and workspace quotas', () => {
    const platform = plainEstate();
    const shop = platform.tenants[0];
    const ops = platform.addTenant('ops', { manager: 'erin', quota: { pods: 100 } });
    ops.addProject('tools', { environments: ['production'] });
    shop.grant(User.named('frank'), WorkspaceRole.SELF_PROVISIONER);
    shop.projects[0].grant(User.named('gina'), ProjectRole.custom('auditor', { templates: ['namespace-view-app-workloads'] }));
    expect(validationErrors(platform)).toEqual([
      '[plain/ops] quota: got {"pods":100}; a workspace quota needs KubeSphere; plain Kubernetes has quotas per namespace only. Fix: set project quotas instead (project quota or the environment\'s projectQuota), or use a KubeSphere target.',
      '[plain/shop] grant[2].role: got "self-provisioner"; plain Kubernetes has no workspace in which to create projects. Fix: grant project roles, or use a KubeSphere target.',
      '[plain/shop/web] grant[2].role: got "auditor"; custom roles are composed from KubeSphere role templates, which plain Kubernetes does not have. Fix: use built-in roles, or a KubeSphere target (Target.KUBESPHERE_V4_1).',
    ]);
  });
});
