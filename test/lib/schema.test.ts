import { SchemaValidator } from '../../lib/schema';
import type { KubeObject } from '../../lib/manifest';
import { HAS_KUBESPHERE_V4, KUBESPHERE_V4_DIR, KUBESPHERE_V4_SKIPPED } from '../schemas';

const deployment = (spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec }) as KubeObject;

describe('the schema validator', () => {
  const v = SchemaValidator.create();

  it('accepts a valid Kubernetes object', () => {
    const ok = deployment({ selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'web', image: 'x/y:1' }] } } });
    expect(v.validate(ok)).toEqual([]);
  });

  it('reports unknown fields, as kubeconform does in strict mode', () => {
    const bad = deployment({ selector: {}, replicaz: 2, template: { spec: { containers: [{ name: 'web', imagee: 'x' }] } } });
    expect(v.validate(bad)).toEqual([
      { object: 'apps/v1 Deployment shop/web', path: '/spec', message: 'unknown field "replicaz"' },
      { object: 'apps/v1 Deployment shop/web', path: '/spec/template/spec/containers/0', message: 'unknown field "imagee"' },
    ]);
  });

  it('reports wrong types and missing required fields', () => {
    const findings = v.validate(deployment({ replicas: 'two', template: {} }));
    expect(findings.map((f) => `${f.path} ${f.message}`)).toEqual(["/spec must have required property 'selector'", '/spec/replicas must be integer']);
  });

  it('reports an object whose kind it has no schema for', () => {
    expect(v.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      { object: 'example.com/v1 Widget w', path: '', message: 'no schema for example.com/v1 Widget' },
    ]);
  });

  (HAS_KUBESPHERE_V4 ? describe : describe.skip)('with the KubeSphere 4.1 CRDs', () => {
    const ks = SchemaValidator.create();
    if (HAS_KUBESPHERE_V4) ks.addCrdFolder(KUBESPHERE_V4_DIR);

    it('validates a WorkspaceTemplate strictly, metadata included', () => {
      const wt = { apiVersion: 'tenant.kubesphere.io/v1beta1', kind: 'WorkspaceTemplate', metadata: { name: 'shop', labelz: {} }, spec: { placement: { clusters: [{ name: 'host', weight: 1 }] }, template: { spec: { manager: 'alice' } } } };
      expect(ks.validate(wt as unknown as KubeObject).map((f) => `${f.path} ${f.message}`)).toEqual(['/metadata unknown field "labelz"', '/spec/placement/clusters/0 unknown field "weight"']);
    });

    it('knows that a Workspace is not a WorkspaceTemplate', () => {
      expect(ks.hasSchema('tenant.kubesphere.io/v1beta1', 'WorkspaceTemplate')).toBe(true);
      expect(ks.hasSchema('tenant.kubesphere.io/v1beta1', 'Namespace')).toBe(false);
    });
  });

  if (!HAS_KUBESPHERE_V4) it.skip(KUBESPHERE_V4_SKIPPED, () => undefined);
});
