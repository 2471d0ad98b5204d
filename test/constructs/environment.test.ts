import { ClusterRole, Platform, Registry } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, objectAt, synthObjects } from '../fixture';

function containerOf(deployment: KubeObject): any {
  return (deployment as any).spec.template.spec.containers[0];
}

describe('Environment', () => {
  it('spans clusters given as objects and as names alike', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', { clusters: ['host', f.member], namespaceSuffix: '-staging' });

    expect(staging.clusters).toEqual([f.host, f.member]);
  });

  it('counts a cluster given twice (by object and by name) once', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', { clusters: [f.host, 'host'], namespaceSuffix: '-staging' });

    expect(staging.clusters).toEqual([f.host]);
  });

  it('leaves a cluster name that names no cluster out of its clusters', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', { clusters: ['nowhere', f.member] });

    expect(staging.clusters).toEqual([f.member]);
  });

  it('takes more clusters with addCluster, by object or name', () => {
    const f = fixture();
    f.test.addCluster('host');

    expect(f.test.clusters).toEqual([f.member, f.host]);
  });

  it('gives its projects a namespace on each of its clusters, whether named or given as objects', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', { clusters: ['host', f.member], namespaceSuffix: '-staging' });
    f.project.placeIn(staging);

    const objects = synthObjects(f.platform);
    expect(objects.has('host/Namespace/-/storefront-staging')).toBe(true);
    expect(objects.has('member-test/Namespace/-/storefront-staging')).toBe(true);
  });

  it('defaults services to 1 replica outside production and 2 in production', () => {
    const f = fixture();
    addService(f, 'web');

    expect(f.test.replicas).toBe(1);
    expect(f.production.replicas).toBe(2);
    const objects = synthObjects(f.platform);
    expect((objectAt(objects, 'member-test/Deployment/storefront/web') as any).spec.replicas).toBe(1);
    expect((objectAt(objects, 'host/Deployment/storefront/web') as any).spec.replicas).toBe(2);
  });

  it('sets the replicas of services that set none when it has replicas of its own', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', { clusters: [f.host], replicas: 3, namespaceSuffix: '-staging' });
    f.project.placeIn(staging);
    addService(f, 'web');

    expect((objectAt(synthObjects(f.platform), 'host/Deployment/storefront-staging/web') as any).spec.replicas).toBe(3);
  });

  it('layers resources field by field: platform, then environment, then service, then perEnvironment', () => {
    const platform = new Platform('acme', {
      defaultResources: { cpuRequestMillis: 50, cpuLimitMillis: 400, memoryRequestMiB: 64, memoryLimitMiB: 128 },
    });
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER });
    const test = platform.addEnvironment('test', { clusters: [member], resources: { memoryLimitMiB: 512 } });
    const production = platform.addEnvironment('production', { clusters: [host], production: true });
    const project = platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: [test, production] });
    project.addService('web', {
      image: Registry.at('harbor.example.com').image('shop/web', '1.0.0'),
      ports: [{ port: 8080 }],
      resources: { cpuLimitMillis: 800 },
      perEnvironment: { test: { resources: { memoryRequestMiB: 256 } } },
    });

    const objects = synthObjects(platform);
    // test: cpu request from the platform, memory limit from the environment, cpu limit from the service, memory request from perEnvironment
    expect(containerOf(objectAt(objects, 'member-test/Deployment/storefront/web')).resources).toEqual({
      requests: { cpu: '50m', memory: '256Mi' },
      limits: { cpu: '800m', memory: '512Mi' },
    });
    // production: the environment sets nothing and there is no override
    expect(containerOf(objectAt(objects, 'host/Deployment/storefront/web')).resources).toEqual({
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '800m', memory: '128Mi' },
    });
  });

  it('overrides the platform defaults with its own resources for services that set none', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', {
      clusters: [f.host],
      namespaceSuffix: '-staging',
      resources: { cpuRequestMillis: 250, memoryLimitMiB: 1024 },
    });
    f.project.placeIn(staging);
    addService(f, 'web');

    expect(containerOf(objectAt(synthObjects(f.platform), 'host/Deployment/storefront-staging/web')).resources).toEqual({
      requests: { cpu: '250m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '1024Mi' },
    });
  });

  it('gives an exposed service the host <service>.<domain>', () => {
    const f = fixture();
    addService(f, 'web').expose();

    const objects = synthObjects(f.platform);
    expect((objectAt(objects, 'member-test/Ingress/storefront/web') as any).spec.rules.map((r: any) => r.host)).toEqual(['web.test.example.com']);
    expect((objectAt(objects, 'host/Ingress/storefront/web') as any).spec.rules.map((r: any) => r.host)).toEqual(['web.example.com']);
  });

  it('appends its namespaceSuffix to the namespace of every project placed in it', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging' });
    f.project.placeIn(staging);
    addService(f, 'web');

    expect(staging.namespaceSuffix).toBe('-staging');
    expect(f.test.namespaceSuffix).toBe('');
    const objects = synthObjects(f.platform);
    expect(objects.has('member-test/Namespace/-/storefront')).toBe(true);
    expect(objects.has('member-test/Namespace/-/storefront-staging')).toBe(true);
    expect(objectAt(objects, 'member-test/Deployment/storefront-staging/web').metadata.namespace).toBe('storefront-staging');
    expect(objectAt(objects, 'member-test/Deployment/storefront-staging/web').metadata.labels?.['platform-cdk.io/environment']).toBe('staging');
  });

  it('keeps its name, production flag and domain', () => {
    const f = fixture();

    expect(f.production.name).toBe('production');
    expect(f.production.production).toBe(true);
    expect(f.production.domain).toBe('example.com');
    expect(f.test.production).toBe(false);
  });
});
