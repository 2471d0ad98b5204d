import { Project } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthObjects, validationErrors } from '../fixture';

const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

describe('Project', () => {
  it('gets a Namespace on every cluster of each of its environments, and nowhere else', () => {
    const f = fixture();
    f.tenant.addProject('orders', { environments: ['production'] });

    const namespaces = [...synthObjects(f.platform).keys()].filter((k) => k.includes('/Namespace/')).sort();
    expect(namespaces).toEqual([
      'host/Namespace/-/orders',
      'host/Namespace/-/storefront',
      'member-test/Namespace/-/storefront',
    ]);
  });

  it('labels its Namespace with its workspace, as a managed KubeSphere project, and with the restricted pod security level', () => {
    const f = fixture();

    const ns = objectAt(synthObjects(f.platform), 'member-test/Namespace/-/storefront');
    expect(ns.apiVersion).toBe('v1');
    expect(ns.metadata.labels).toEqual({
      'kubesphere.io/workspace': 'shop',
      'kubesphere.io/managed': 'true',
      ...RESTRICTED,
      'app.kubernetes.io/managed-by': 'platform-cdk',
      'app.kubernetes.io/part-of': 'storefront',
      'platform-cdk.io/tenant': 'shop',
      'platform-cdk.io/environment': 'test',
    });
  });

  it('writes kubesphere.io/managed as the string "true", not a boolean', () => {
    const f = fixture();

    const labels = objectAt(synthObjects(f.platform), 'host/Namespace/-/storefront').metadata.labels ?? {};
    expect(labels['kubesphere.io/managed']).toBe('true');
    expect(typeof labels['kubesphere.io/managed']).toBe('string');
  });

  it('uses its namespace prop as the Namespace name instead of its id', () => {
    const f = fixture();
    const orders = f.tenant.addProject('orders', { environments: ['test'], namespace: 'shop-orders' });
    orders.addService('api', { image: f.registry.image('shop/api', '1.0.0'), ports: [{ port: 8080 }] });

    expect(orders.namespace).toBe('shop-orders');
    expect(orders.name).toBe('orders');
    const objects = synthObjects(f.platform);
    expect(objects.has('member-test/Namespace/-/shop-orders')).toBe(true);
    expect(objects.has('member-test/Namespace/-/orders')).toBe(false);
    expect(objectAt(objects, 'member-test/Deployment/shop-orders/api').metadata.labels?.['app.kubernetes.io/part-of']).toBe('orders');
  });

  it('writes displayName and description as console annotations on its Namespaces', () => {
    const f = fixture();
    f.tenant.addProject('orders', { environments: ['test'], displayName: 'Orders', description: 'Takes the orders' });

    expect(objectAt(synthObjects(f.platform), 'member-test/Namespace/-/orders').metadata.annotations).toEqual({
      'kubesphere.io/alias-name': 'Orders',
      'kubesphere.io/description': 'Takes the orders',
    });
  });

  it('writes no annotations on its Namespaces when it has no console texts', () => {
    const f = fixture();

    expect(objectAt(synthObjects(f.platform), 'host/Namespace/-/storefront').metadata).not.toHaveProperty('annotations');
  });

  it('takes its environments by object or by name, and one more with placeIn', () => {
    const f = fixture();
    const orders = f.tenant.addProject('orders', { environments: ['test'] });
    orders.placeIn(f.production);

    expect(orders.environments).toEqual([f.test, f.production]);
    expect(orders.isPlacedIn(f.production)).toBe(true);
    expect(orders.placements.map((p) => `${p.environment.name}@${p.cluster.name}:${p.namespace}`)).toEqual([
      'test@member-test:orders',
      'production@host:orders',
    ]);
  });

  it('puts its services in its namespace on each cluster', () => {
    const f = fixture();
    const web = addService(f, 'web');

    expect(f.project.services).toEqual([web]);
    const objects = synthObjects(f.platform);
    expect(objectAt(objects, 'host/Deployment/storefront/web').metadata.namespace).toBe('storefront');
    expect(objectAt(objects, 'member-test/Service/storefront/web').metadata.namespace).toBe('storefront');
  });

  it('belongs to its tenant and is recognised by isProject', () => {
    const f = fixture();

    expect(f.project.tenant).toBe(f.tenant);
    expect(Project.isProject(f.project)).toBe(true);
    expect(Project.isProject(f.tenant)).toBe(false);
  });
});

describe('the namespace of a project', () => {
  it('may not be a reserved one, and each is reported with whose it is', () => {
    const f = fixture();
    f.tenant.addProject('a', { environments: [f.test], namespace: 'kube-system' });
    f.tenant.addProject('b', { environments: [f.test], namespace: 'kubesphere-anything' });
    f.tenant.addProject('c', { environments: [f.test], namespace: 'shop-devops' });
    const lines = validationErrors(f.platform);

    expect(lines).toHaveLength(3);
    expect(lineFor(lines, 'acme/shop/a', 'namespace')).toContain('namespace kube-system is reserved: the control plane and cluster add-ons, owned by Kubernetes');
    expect(lineFor(lines, 'acme/shop/b', 'namespace')).toContain('namespace kubesphere-anything is reserved (kubesphere-*): every namespace KubeSphere names kubesphere-…, owned by KubeSphere');
    expect(lineFor(lines, 'acme/shop/c', 'namespace')).toContain('namespace shop-devops is reserved: the KubeSphere DevOps project of tenant shop');
  });
});
