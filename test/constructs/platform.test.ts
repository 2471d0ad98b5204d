import { Construct } from 'constructs';
import { ClusterRole, DEFAULT_RESOURCES, Feature, Platform, Target } from 'platform-cdk';
import type { FeatureSwitches } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthObjects, validationErrors } from '../fixture';

describe('Platform', () => {
  it('lists its clusters, environments and tenants in the order they were added', () => {
    const f = fixture();
    const billing = f.platform.addTenant('billing', { manager: 'bob' });

    expect(f.platform.clusters).toEqual([f.host, f.member]);
    expect(f.platform.environments).toEqual([f.test, f.production]);
    expect(f.platform.tenants).toEqual([f.tenant, billing]);
  });

  it('finds clusters and environments by name, and returns undefined for unknown names', () => {
    const f = fixture();

    expect(f.platform.findCluster('member-test')).toBe(f.member);
    expect(f.platform.findCluster('host')).toBe(f.host);
    expect(f.platform.findCluster('nowhere')).toBeUndefined();
    expect(f.platform.findEnvironment('production')).toBe(f.production);
    expect(f.platform.findEnvironment('staging')).toBeUndefined();
  });

  it('names the one host cluster as its hostCluster', () => {
    const f = fixture();

    expect(f.platform.hostCluster).toBe(f.host);
  });

  it('has no hostCluster when there are two hosts', () => {
    const f = fixture();
    f.platform.addCluster('host-2', { role: ClusterRole.HOST });

    expect(f.platform.hostCluster).toBeUndefined();
  });

  it('is found by Platform.of from any construct of its model', () => {
    const f = fixture();
    const web = addService(f, 'web');

    expect(Platform.of(web)).toBe(f.platform);
    expect(Platform.of(f.project)).toBe(f.platform);
    expect(Platform.of(f.tenant)).toBe(f.platform);
    expect(Platform.of(f.host)).toBe(f.platform);
    expect(Platform.of(f.test)).toBe(f.platform);
    expect(Platform.of(f.platform)).toBe(f.platform);
  });

  it('makes Platform.of throw with the construct path for a construct outside any platform', () => {
    const root = new Construct(undefined as unknown as Construct, 'loose');
    const child = new Construct(root, 'child');

    expect(() => Platform.of(child)).toThrow(
      '[loose/child] is not inside a Platform; create it with platform.addTenant(), tenant.addProject() and so on',
    );
  });

  it('recognises platforms with isPlatform and nothing else', () => {
    const f = fixture();

    expect(Platform.isPlatform(f.platform)).toBe(true);
    expect(Platform.isPlatform(f.tenant)).toBe(false);
    expect(Platform.isPlatform({})).toBe(false);
    expect(Platform.isPlatform(null)).toBe(false);
  });

  it('targets KubeSphere 4.1 by default and writes tenants as tenant.kubesphere.io/v1beta1 WorkspaceTemplates', () => {
    const f = fixture();

    expect(f.platform.target).toBe(Target.KUBESPHERE_V4_1);
    expect(f.platform.target).toBe('kubesphere-v4.1');
    const template = objectAt(synthObjects(f.platform), 'host/WorkspaceTemplate/-/shop');
    expect(template.apiVersion).toBe('tenant.kubesphere.io/v1beta1');
  });

  it('starts every construct path with its id', () => {
    const f = fixture();
    const web = addService(f, 'web');

    expect(f.platform.node.path).toBe('acme');
    expect(f.host.node.path).toBe('acme/Clusters/host');
    expect(f.test.node.path).toBe('acme/Environments/test');
    expect(web.node.path).toBe('acme/shop/storefront/web');
  });

  it('gives containers DEFAULT_RESOURCES when no level sets any', () => {
    const f = fixture();
    addService(f, 'web');

    const deployment = objectAt(synthObjects(f.platform), 'host/Deployment/storefront/web') as any;
    expect(deployment.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: `${DEFAULT_RESOURCES.cpuRequestMillis}m`, memory: `${DEFAULT_RESOURCES.memoryRequestMiB}Mi` },
      limits: { cpu: `${DEFAULT_RESOURCES.cpuLimitMillis}m`, memory: `${DEFAULT_RESOURCES.memoryLimitMiB}Mi` },
    });
    expect(DEFAULT_RESOURCES).toEqual({ cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 });
  });

  it('keeps the defaultResources it is given', () => {
    const platform = new Platform('acme', { defaultResources: { cpuRequestMillis: 50 } });

    expect(platform.defaultResources).toEqual({ cpuRequestMillis: 50 });
    expect(platform.target).toBe(Target.KUBESPHERE_V4_1);
  });
});

describe('Platform features and install options', () => {
  it('keeps copies of its feature switches and install options, and has none by default', () => {
    const features = { [Feature.EVENTS]: true };
    const platform = new Platform('acme', { features, install: { kubesphereVersion: 'v4.1.2' } });
    features[Feature.EVENTS] = false;

    expect(platform.features).toEqual({ [Feature.EVENTS]: true });
    expect(platform.install).toEqual({ kubesphereVersion: 'v4.1.2' });
    expect(new Platform('plain').features).toEqual({});
    expect(new Platform('plain').install).toBeUndefined();
  });

  it('refuses unknown features, non-boolean switches, and malformed versions, all at once', () => {
    const platform = new Platform('acme', {
      features: { telepathy: true, [Feature.EVENTS]: 'yes' } as unknown as FeatureSwitches,
      install: { kubesphereVersion: '4.1', extensionVersions: { devops: 'v1.1.1' } },
    });
    platform.addCluster('host', { role: ClusterRole.HOST });
    const lines = validationErrors(platform);

    expect(lineFor(lines, 'acme', 'features["telepathy"]')).toContain('not a KubeSphere feature');
    expect(lineFor(lines, 'acme', 'features["events"]')).toContain('a feature is switched on with true or off with false');
    expect(lineFor(lines, 'acme', 'install.kubesphereVersion')).toContain('a KubeSphere release is written like "v4.1.3"');
    expect(lineFor(lines, 'acme', 'install.extensionVersions["devops"]')).toContain('without "v"');
  });
});
