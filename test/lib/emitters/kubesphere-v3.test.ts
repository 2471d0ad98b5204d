import { ClusterRole, Issuer, ManifestStack, Platform, ProjectRole, Registry, Target, Tls, User, WorkspaceRole } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { checkRendered } from '../../../lib/check';
import { renderPlatform } from 'platform-cdk';
import { objectAt, synthObjects, validationErrors } from '../../fixture';
import { validatorV3 } from '../../schemas';

/** A small multi-cluster estate on KubeSphere 3.4 with a department, grants, a custom role and quotas. */
function v3Estate(target: Target = Target.KUBESPHERE_V3_4): Platform {
  const t = (v3: string, v4: string): string => (target === Target.KUBESPHERE_V3_4 ? v3 : v4);
  const platform = new Platform('legacy', { target });
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member', { role: ClusterRole.MEMBER, labels: { 'cluster.kubesphere.io/group': 'testing' } });
  const test = platform.addEnvironment('test', { clusters: [member], domain: 'test.example.com' });
  const production = platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true, tls: Tls.certManager(Issuer.cluster('letsencrypt')) });
  const shop = platform.addTenant('shop', { manager: 'alice', quota: { pods: 200 } });
  const backend = shop.addDepartment('backend', { members: ['bob'] });
  shop.grant(backend, WorkspaceRole.REGULAR);
  shop.grant(User.named('carol'), WorkspaceRole.custom('auditor', { templates: [t('role-template-view-projects', 'workspace-view-projects'), t('role-template-view-members', 'workspace-view-members')] }));
  const web = shop.addProject('web', { environments: [test, production] });
  web.grant(backend, ProjectRole.OPERATOR, { environments: [test] });
  web.grant(backend, ProjectRole.custom('reader', { templates: [t('role-template-view-app-workloads', 'namespace-view-app-workloads')] }), { environments: [production] });
  web.addService('site', { image: Registry.at('harbor.example.com', { user: 1000 }).image('shop/site', '1.0.0'), ports: [{ port: 8080 }] }).expose();
  return platform;
}

describe('the KubeSphere 3.4 target', () => {
  it('writes only objects valid against the Kubernetes 1.27 definitions and the KubeSphere 3.4 CRDs, strictly', () => {
    const v = validatorV3();
    const findings: string[] = [];
    let checked = 0;
    for (const text of new ManifestStack(v3Estate()).files().values()) {
      for (const doc of parseAllDocuments(text)) {
        checked++;
        findings.push(...v.validate(doc.toJS() as KubeObject).map((f) => `${f.object} ${f.path} ${f.message}`));
      }
    }
    expect(findings).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('writes a v1alpha2 WorkspaceTemplate with KubeSphere\'s network isolation switch on', () => {
    const wt = objectAt(synthObjects(v3Estate()), 'host/WorkspaceTemplate/-/shop');
    expect(wt.apiVersion).toBe('tenant.kubesphere.io/v1alpha2');
    expect((wt.spec as { template: { spec: unknown } }).template.spec).toEqual({ manager: 'alice', networkIsolation: true });
  });

  it('binds project roles with Kubernetes RBAC and composes custom roles from role templates named in the aggregation annotation', () => {
    const objects = synthObjects(v3Estate());
    expect(objectAt(objects, 'member/RoleBinding/web/shop-backend-operator')).toMatchObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { labels: { 'iam.kubesphere.io/group-ref': 'shop-backend', 'iam.kubesphere.io/role-ref': 'operator' } },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'shop-backend' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'operator' },
    });
    expect(objectAt(objects, 'host/Role/web/reader')).toMatchObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { annotations: { 'iam.kubesphere.io/aggregation-roles': '["role-template-view-app-workloads"]' } },
      rules: [],
    });
    expect(objectAt(objects, 'host/WorkspaceRole/-/shop-auditor')).toMatchObject({
      apiVersion: 'iam.kubesphere.io/v1alpha2',
      metadata: { annotations: { 'iam.kubesphere.io/aggregation-roles': '["role-template-view-projects","role-template-view-members"]' } },
      rules: [],
    });
    expect(objectAt(objects, 'host/WorkspaceRoleBinding/-/carol-shop-auditor')).toMatchObject({
      apiVersion: 'iam.kubesphere.io/v1alpha2',
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'carol' }],
      roleRef: { apiGroup: 'iam.kubesphere.io', kind: 'WorkspaceRole', name: 'shop-auditor' },
    });
    expect(objectAt(objects, 'host/Group/-/shop-backend').apiVersion).toBe('iam.kubesphere.io/v1alpha2');
  });

  it('federates a project namespace that exists on several clusters, as the console\'s multi-cluster projects, with each cluster\'s labels as overrides', () => {
    const objects = synthObjects(v3Estate());
    const fed = objectAt(objects, 'host/FederatedNamespace/web/web');
    expect(fed.apiVersion).toBe('types.kubefed.io/v1beta1');
    const spec = fed.spec as { placement: unknown; overrides: { clusterName: string; clusterOverrides: { path: string; value: Record<string, string> }[] }[]; template: { metadata: { labels: Record<string, string> } } };
    expect(spec.placement).toEqual({ clusters: [{ name: 'host' }, { name: 'member' }] });
    expect(spec.template.metadata.labels['kubesphere.io/workspace']).toBe('shop');
    expect(spec.template.metadata.labels['platform-cdk.io/environment']).toBeUndefined();
    expect(spec.overrides.map((o) => [o.clusterName, o.clusterOverrides[0].path, o.clusterOverrides[0].value['platform-cdk.io/environment']])).toEqual([
      ['host', '/metadata/labels', 'production'],
      ['member', '/metadata/labels', 'test'],
    ]);
  });

  it('gives the host the namespace a FederatedNamespace lives in when the project does not run there', () => {
    const platform = v3Estate();
    const second = platform.addCluster('member-2', { role: ClusterRole.MEMBER });
    platform.addEnvironment('staging', { clusters: [second] });
    platform.tenants[0].addProject('batch', { environments: ['test', 'staging'] });
    const objects = synthObjects(platform);
    expect(objectAt(objects, 'host/Namespace/-/batch').metadata.labels).toMatchObject({ 'kubesphere.io/workspace': 'shop', 'platform-cdk.io/tenant': 'shop' });
    expect((objectAt(objects, 'host/FederatedNamespace/batch/batch').spec as { placement: unknown }).placement).toEqual({ clusters: [{ name: 'member' }, { name: 'member-2' }] });
    // Nothing runs in the host's copy: KubeSphere's label for it, a quota of no pods, a limit range, no traffic.
    expect(objectAt(objects, 'host/Namespace/-/batch').metadata.labels).toMatchObject({ 'kubesphere.io/kubefed-host-namespace': 'true' });
    expect(objectAt(objects, 'host/ResourceQuota/batch/project-quota').spec).toEqual({ hard: { pods: '0' } });
    expect(objects.has('host/LimitRange/batch/project-limits')).toBe(true);
    expect(objectAt(objects, 'host/NetworkPolicy/batch/default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(objects.has('host/Deployment/batch/batch')).toBe(false);
  });

  it('passes the tenancy rules with a project on two members: the host\'s copy of its namespace is closed', () => {
    const platform = v3Estate();
    const second = platform.addCluster('member-2', { role: ClusterRole.MEMBER });
    platform.addEnvironment('staging', { clusters: [second] });
    platform.tenants[0].addProject('batch', { environments: ['test', 'staging'] });
    const result = checkRendered(platform, renderPlatform(platform));
    expect(result.findings.filter((f) => f.severity === 'error' && f.waived === undefined).map((f) => `${f.rule} ${f.object}: ${f.message}`)).toEqual([]);
  });

  it('refuses KubeSphere 4.x role template names', () => {
    const platform = v3Estate();
    platform.tenants[0].grant(User.named('dave'), WorkspaceRole.custom('lookers', { templates: ['workspace-view-projects'] }));
    expect(validationErrors(platform)).toEqual([
      '[legacy/shop] grant[2].role: got "lookers"; the role template "workspace-view-projects" is not a workspace role template of this KubeSphere release (they are named role-template-…, e.g. role-template-view-projects). Fix: compose the role from workspace role templates.',
    ]);
  });

  it('is the same model as KubeSphere 4.1: only the emitter changes, object for object', () => {
    const ids = (p: Platform): string[] => [...synthObjects(p).keys()].sort();
    // The same objects, but for KubeSphere 3.4's multi-cluster project (a kubefed FederatedNamespace on the host).
    expect(ids(v3Estate(Target.KUBESPHERE_V3_4)).filter((k) => !k.includes('/FederatedNamespace/'))).toEqual(ids(v3Estate(Target.KUBESPHERE_V4_1)));
    const versions = (p: Platform): string[] => [...new Set([...synthObjects(p).values()].map((o) => `${o.apiVersion} ${o.kind}`))].sort();
    expect(versions(v3Estate(Target.KUBESPHERE_V3_4)).filter((v) => v.includes('kubesphere.io'))).toEqual([
      'cluster.kubesphere.io/v1alpha1 Cluster',
      'iam.kubesphere.io/v1alpha2 Group',
      'iam.kubesphere.io/v1alpha2 GroupBinding',
      'iam.kubesphere.io/v1alpha2 WorkspaceRole',
      'iam.kubesphere.io/v1alpha2 WorkspaceRoleBinding',
      'quota.kubesphere.io/v1alpha2 ResourceQuota',
      'tenant.kubesphere.io/v1alpha2 WorkspaceTemplate',
    ]);
    expect(versions(v3Estate(Target.KUBESPHERE_V3_4))).toContain('types.kubefed.io/v1beta1 FederatedNamespace');
  });
});
