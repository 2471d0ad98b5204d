/**
 * Placement finer than a project's environments: services in some of the project's environments only, a project on
 * some of an environment's clusters, and a workspace quota per cluster.
 */
import { ClusterRole, Credential, Engine, Registry, StatefulMode, validatePlatform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, objectAt, synthValid as synth, validationErrors } from '../fixture';
import type { Fixture } from '../fixture';

const keys = (objects: Map<string, KubeObject>, kind: string): string[] => [...objects.keys()].filter((k) => k.split('/')[1] === kind).sort();

/** The fixture with production on two clusters, `host` and `member-prod-2`. */
function twoProductionClusters(): Fixture {
  const f = fixture();
  const second = f.platform.addCluster('member-prod-2', { role: ClusterRole.MEMBER });
  f.production.addCluster(second);
  return f;
}

describe('services in some environments of their project', () => {
  it('run only there: a load generator in test, a stateful service in production', () => {
    const f = fixture();
    addService(f, 'api');
    addService(f, 'loadgen', { environments: ['test'] });
    f.project.addStatefulService('db', { engine: Engine.mysql(), mode: StatefulMode.EXTERNAL, external: { addresses: ['10.0.0.5'] }, environments: [f.production] });
    const objects = synth(f.platform);
    expect(keys(objects, 'Deployment')).toEqual(['host/Deployment/storefront/api', 'member-test/Deployment/storefront/api', 'member-test/Deployment/storefront/loadgen']);
    expect(keys(objects, 'Service')).toEqual(['host/Service/storefront/api', 'host/Service/storefront/db', 'member-test/Service/storefront/api', 'member-test/Service/storefront/loadgen']);
  });

  it('refuse a connection from an environment where the target does not run, naming both', () => {
    const f = fixture();
    const db = f.project.addStatefulService('db', { engine: Engine.mysql(), mode: StatefulMode.EXTERNAL, external: { addresses: ['10.0.0.5'] }, environments: ['production'] });
    const api = addService(f, 'api');
    api.connectsTo(db);
    const stub = addService(f, 'stub', { environments: ['test'] });
    addService(f, 'web', { environments: ['test', 'production'] }).connectsTo(stub);
    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront/api] connectsTo[0]: got "acme/shop/storefront/db"; acme/shop/storefront/api runs in environment test and calls acme/shop/storefront/db, which does not run there (it runs in: production). Fix: add test to the environments of db, or list the environments of api without test.',
      '[acme/shop/storefront/web] connectsTo[0]: got "acme/shop/storefront/stub"; acme/shop/storefront/web runs in environment production and calls acme/shop/storefront/stub, which does not run there (it runs in: test). Fix: add production to the environments of stub, or list the environments of web without production.',
    ]);
  });

  it('accept a caller that runs only where its target runs', () => {
    const f = fixture();
    const stub = addService(f, 'payments-stub', { environments: ['test'] });
    addService(f, 'loadgen', { environments: ['test'] }).connectsTo(stub);
    synth(f.platform);
  });

  it('refuse environments that are not the project\'s, and an empty list', () => {
    const f = fixture();
    f.platform.addEnvironment('staging', { clusters: ['member-test'], namespaceSuffix: '-staging' });
    addService(f, 'a', { environments: ['staging', 'nowhere'] });
    addService(f, 'b', { environments: [] });
    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront/a] environments[0]: got "staging"; the project storefront is not placed in this environment (it is in: test, production). Fix: name an environment of the project, or place the project in it.',
      '[acme/shop/storefront/a] environments[1]: got "nowhere"; no environment of the platform has this name (environments: test, production, staging). Fix: name an environment of the project.',
      '[acme/shop/storefront/b] environments: got []; a service listed in no environment runs nowhere. Fix: list at least one environment of the project, or remove the service.',
    ]);
  });

  it('refuse a preview of a service that does not run in the preview\'s baseline', () => {
    const f = fixture();
    addService(f, 'live', { environments: ['production'] });
    const developers = f.tenant.addDepartment('developers', { members: ['bob'] });
    f.platform.addPreview('feature/x', { baseline: 'test', owner: developers, expires: '2999-01-01', services: { live: { tag: 'sha-1' } } });
    expect(validationErrors(f.platform)).toEqual([
      '[acme/Environments/pv-feature-x] services: got "acme/shop/storefront/live"; the preview runs acme/shop/storefront/live, which does not run in its baseline environment test (it runs in: production). Fix: preview services that run in test, or add test to the environments of live.',
    ]);
  });

  it('warn of overrides for an environment where the service does not run', () => {
    const f = fixture();
    addService(f, 'loadgen', { environments: ['test'], perEnvironment: { production: { replicas: 3 } } });
    expect(validatePlatform(f.platform).filter((p) => p.path === 'acme/shop/storefront/loadgen')).toEqual([
      { severity: 'warning', path: 'acme/shop/storefront/loadgen', property: 'perEnvironment["production"]', value: 'production', message: 'the service does not run in this environment (its `environments`), so the overrides are not used', fix: 'remove the overrides, or add the environment to the service\'s environments' },
    ]);
  });

  it('release a service only to the environments it runs in', () => {
    const f = fixture();
    f.platform.configureDelivery({ estate: { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate') } });
    const loadgen = addService(f, 'loadgen', { environments: ['test'] });
    const pipeline = loadgen.addPipeline({
      source: { repository: 'https://gitlab.example.com/shop/loadgen.git', credential: Credential.basicAuth('gitlab') },
      build: { image: Registry.at('harbor.example.com').image('ci/node', '20.11.1'), commands: ['npm ci'] },
      registryCredential: Credential.basicAuth('harbor'),
    });
    expect(pipeline.environments.map((e) => e.name)).toEqual(['test']);
  });
});

describe('a project on some of an environment\'s clusters', () => {
  it('gets namespaces on those clusters only, and the workspace is placed there', () => {
    const f = twoProductionClusters();
    const regional = f.tenant.addProject('regional', { environments: ['test', 'production'], clustersIn: { production: ['member-prod-2'] } });
    regional.addService('api', { image: f.registry.image('shop/api', '1.0.0'), ports: [{ port: 8080 }] });
    const objects = synth(f.platform);
    expect(keys(objects, 'Namespace').filter((k) => k.endsWith('/regional'))).toEqual(['member-prod-2/Namespace/-/regional', 'member-test/Namespace/-/regional']);
    expect(f.tenant.clusters.map((c) => c.name)).toEqual(['host', 'member-prod-2', 'member-test']);
    expect(regional.clustersIn(f.production).map((c) => c.name)).toEqual(['member-prod-2']);
  });

  it('refuses clusters outside the environment, environments outside the project, and an empty choice', () => {
    const f = twoProductionClusters();
    f.project.placeOnClusters('production', ['member-test']);
    f.project.placeOnClusters('test', []);
    f.project.placeOnClusters('staging', ['host']);
    expect(validationErrors(f.platform).sort()).toEqual([
      '[acme/shop/storefront] clustersIn["production"][0]: got "member-test"; environment production spans no cluster of this name (its clusters: host, member-prod-2). Fix: name clusters of production.',
      '[acme/shop/storefront] clustersIn["staging"]: got "staging"; the project is not placed in this environment (it is in: test, production). Fix: choose clusters only in environments of the project.',
      '[acme/shop/storefront] clustersIn["test"]: got []; the project would be placed on no cluster of the environment. Fix: list one or more of member-test, or leave the environment out of clustersIn.',
    ]);
  });

  it('refuses a connection from a cluster where the target\'s project is not placed, naming both', () => {
    const f = twoProductionClusters();
    const core = f.tenant.addProject('core', { environments: ['test', 'production'], clustersIn: { production: ['host'] } });
    const ledger = core.addService('ledger', { image: f.registry.image('shop/ledger', '1.0.0'), ports: [{ port: 8080 }] });
    addService(f, 'api').connectsTo(ledger);
    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront/api] connectsTo[0]: got "acme/shop/core/ledger"; in environment production acme/shop/storefront/api runs on cluster member-prod-2, where the project core of acme/shop/core/ledger is not placed (it is on host), and a Service name resolves on its own cluster only. Fix: place project core on member-prod-2 in production too, or project storefront on its clusters only.',
    ]);
  });
});

describe('workspace quota per cluster', () => {
  it('writes each cluster\'s quota over the tenant\'s', () => {
    const f = fixture();
    const tenant = f.platform.addTenant('media', {
      manager: 'dave',
      quota: { cpuRequestMillis: 8000, pods: 50 },
      clusterQuotas: { host: { pods: 200 } },
    });
    tenant.addProject('video', { environments: ['test', 'production'] });
    tenant.quotaOn('host', { cpuRequestMillis: 32000 });
    const objects = synth(f.platform);
    const hard = (cluster: string): unknown => (objectAt(objects, `${cluster}/ResourceQuota/-/media`) as any).spec.quota.hard;
    expect(hard('host')).toMatchObject({ 'requests.cpu': '32000m', pods: '200' });
    expect(hard('member-test')).toMatchObject({ 'requests.cpu': '8000m', pods: '50' });
  });

  it('writes a quota only on the clusters that have one when the tenant sets none', () => {
    const f = fixture();
    const tenant = f.platform.addTenant('media', { manager: 'dave', clusterQuotas: { host: { pods: 200 } } });
    tenant.addProject('video', { environments: ['test', 'production'] });
    const objects = synth(f.platform);
    expect(keys(objects, 'ResourceQuota').filter((k) => k.endsWith('/media'))).toEqual(['host/ResourceQuota/-/media']);
  });

  it('refuses unknown clusters and bad numbers, and warns of a cluster without the tenant\'s projects', () => {
    const f = fixture();
    const other = f.platform.addCluster('member-other', { role: ClusterRole.MEMBER });
    f.tenant.quotaOn('nowhere', { pods: 10 });
    f.tenant.quotaOn('host', { pods: -1 });
    f.tenant.quotaOn(other, { pods: 10 });
    const problems = validatePlatform(f.platform).filter((p) => p.path === 'acme/shop');
    expect(problems.map((p) => `${p.severity} ${p.property}: ${p.message}`)).toEqual([
      'error clusterQuotas["host"].pods: quotas must be positive whole numbers',
      'warning clusterQuotas["member-other"]: the tenant has no project on cluster member-other, so no workspace quota is written there (its projects are on: member-test, host)',
      'error clusterQuotas["nowhere"]: no cluster of the platform has this name (clusters: host, member-test, member-other)',
    ]);
  });
});
