/**
 * What previews synthesize to: their namespaces `<project>-pv-<slug>` on the baseline's cluster and nowhere else,
 * labelled with slug, owner and expiry; the owner's RoleBinding and no other grant there; the addresses and network
 * paths of BASELINE and CLONE dependencies (the baseline's ingress admitting the preview's callers); expired previews
 * left out; self-provisioning bound on the development member cluster only; a Pulumi stack `pv-<slug>` deploying
 * the preview's objects and nothing else. Every output is checked against the schemas.
 */
import * as pulumi from '@pulumi/pulumi';
import { ClusterRole, Engine, ExistingSecret, formatProblem, ManifestStack, Platform, PreviewDependencies, ProjectRole, Registry, Target, User, validatePlatform, WorkspaceRole } from 'platform-cdk';
import type { KubeObject, PreviewEnvironment, Problem } from 'platform-cdk';
import { addService, fixture, Fixture, lineFor, objectAt, synthValid, validationErrors } from '../fixture';

const TODAY = '2026-11-22';
const SAVED_NOW = process.env.PLATFORM_CDK_NOW;
beforeEach(() => {
  process.env.PLATFORM_CDK_NOW = TODAY;
});
afterAll(() => {
  if (SAVED_NOW === undefined) delete process.env.PLATFORM_CDK_NOW;
  else process.env.PLATFORM_CDK_NOW = SAVED_NOW;
});

const PREVIEW = 'platform-cdk.io/preview';
const OWNER = 'platform-cdk.io/preview-owner';
const EXPIRES = 'platform-cdk.io/preview-expires';
const BRANCH = 'platform-cdk.io/preview-branch';
const ENVIRONMENT = 'platform-cdk.io/environment';

interface Estate extends Fixture {
  readonly login: PreviewEnvironment;
  readonly clone: PreviewEnvironment;
}

/**
 * The fixture with a department `developers` (self-provisioners in test), project grants, a project `orders`
 * (orders-api → in-cluster redis `cache`), storefront's api → orders-api (exposed, autoscaled in test, with a
 * disruption budget) and web; a BASELINE preview of api owned by bob and a CLONE preview owned by developers.
 */
function estate(target?: Target, options: { expired?: boolean } = {}): Estate {
  const f = fixture(target);
  const developers = f.tenant.addDepartment('developers', { members: ['bob'] });
  const orders = f.tenant.addProject('orders', { environments: [f.test, f.production] });
  const cache = orders.addStatefulService('cache', {
    engine: Engine.redis(),
    inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi', storageClassName: 'ssd', credentials: ExistingSecret.named('redis').key('password') },
  });
  const ordersApi = orders.addService('orders-api', { image: f.registry.image('shop/orders-api', '1.0.0'), ports: [{ port: 8080 }] });
  ordersApi.connectsTo(cache);
  const api = addService(f, 'api', { config: { values: { FEATURE: 'off' } }, disruptionBudget: { minAvailable: 1 }, perEnvironment: { test: { autoscaling: { minReplicas: 2, maxReplicas: 4 } } } });
  api.connectsTo(ordersApi);
  api.expose({ subdomain: 'api' });
  addService(f, 'web').expose();
  if (target !== Target.KUBERNETES) {
    f.tenant.grant(developers, WorkspaceRole.REGULAR);
    f.tenant.allowSelfProvisioning(developers, ['test']);
  } else f.tenant.grant(developers, WorkspaceRole.VIEWER);
  f.tenant.grantInProjects(developers, ProjectRole.OPERATOR, { environments: ['test'] });
  f.project.grant(User.named('carol'), ProjectRole.VIEWER);
  const login = f.platform.addPreview('feature/Login', { baseline: 'test', owner: User.named('bob'), expires: '2026-12-15', services: { api: { tag: 'sha-1', config: { values: { FEATURE: 'on' } } } } });
  const clone = f.platform.addPreview('feature/clone', { baseline: f.test, owner: developers, expires: '2026-12-20', services: { api: { tag: 'sha-2' } }, dependencies: PreviewDependencies.CLONE });
  if (options.expired) f.platform.addPreview('feature/old', { baseline: 'test', owner: developers, expires: '2026-11-21', services: { web: { tag: 'sha-0' } } });
  return { ...f, login, clone };
}

/** The problems reported about previews. */
function previewProblems(platform: Platform): Problem[] {
  return validatePlatform(platform).filter((p) => p.path.startsWith(`${platform.node.id}/Environments/`));
}

/** The keys of the objects labelled as belonging to a preview (by its slug). */
function previewKeys(objects: Map<string, KubeObject>, slug: string): string[] {
  return [...objects].filter(([, o]) => o.metadata.labels?.[PREVIEW] === slug).map(([k]) => k).sort();
}

/** The objects of one namespace of a cluster, keyed `<Kind>/<name>`. */
function inNamespace(objects: Map<string, KubeObject>, cluster: string, ns: string): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const [k, o] of objects) if (k.startsWith(`${cluster}/`) && o.metadata.namespace === ns) out.set(`${o.kind}/${o.metadata.name}`, o);
  return out;
}

/** The container environment of a Deployment as a record. */
function envOf(deployment: KubeObject): Record<string, string> {
  const container = (deployment as any).spec.template.spec.containers[0];
  return Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
}

/** The peers of an ingress policy's rules as `<namespace>/<pod name>`. */
function ingressPeers(policy: KubeObject): string[] {
  return (policy as any).spec.ingress.flatMap((r: any) => r.from.map((p: any) => `${p.namespaceSelector.matchLabels['kubernetes.io/metadata.name']}/${p.podSelector.matchLabels['app.kubernetes.io/name']}`)).sort();
}

/** The peers of an egress policy as `<namespace>/<pod name>`. */
function egressPeers(policy: KubeObject): string[] {
  return (policy as any).spec.egress.flatMap((r: any) => r.to.map((p: any) => `${p.namespaceSelector.matchLabels['kubernetes.io/metadata.name']}/${p.podSelector.matchLabels['app.kubernetes.io/name']}`)).sort();
}

describe('where a preview lands', () => {
  it('puts every object of a preview on the baseline\'s development cluster and nothing on the host', () => {
    const e = estate();
    const objects = synthValid(e.platform);

    for (const slug of ['feature-login', 'feature-clone']) {
      const keys = previewKeys(objects, slug);
      expect(keys.length).toBeGreaterThan(10);
      for (const k of keys) expect(k.startsWith('member-test/')).toBe(true);
    }
    expect([...objects.keys()].filter((k) => k.startsWith('host/') && k.includes('-pv-'))).toEqual([]);
  });

  it('gives each project that runs one of its services a namespace <project>-pv-<slug>, and the others none', () => {
    const e = estate();
    const objects = synthValid(e.platform);
    const namespaces = [...objects.keys()].filter((k) => k.startsWith('member-test/Namespace/') && k.includes('-pv-')).sort();

    expect(namespaces).toEqual(['member-test/Namespace/-/orders-pv-feature-clone', 'member-test/Namespace/-/storefront-pv-feature-clone', 'member-test/Namespace/-/storefront-pv-feature-login']);
  });

  it('labels every object of a preview with its slug, owner, expiry and environment, and its namespaces with the branch', () => {
    const e = estate();
    const objects = synthValid(e.platform);

    for (const [ns, slug, owner, expires, branch] of [
      ['storefront-pv-feature-login', 'feature-login', 'bob', '2026-12-15', 'feature/Login'],
      ['orders-pv-feature-clone', 'feature-clone', 'shop-developers', '2026-12-20', 'feature/clone'],
    ]) {
      const all = [...inNamespace(objects, 'member-test', ns).values(), objectAt(objects, `member-test/Namespace/-/${ns}`)];
      expect(all.length).toBeGreaterThan(8);
      for (const o of all) {
        expect({ kind: o.kind, name: o.metadata.name, labels: o.metadata.labels }).toMatchObject({ labels: { [PREVIEW]: slug, [OWNER]: owner, [EXPIRES]: expires, [ENVIRONMENT]: `pv-${slug}` } });
      }
      expect(objectAt(objects, `member-test/Namespace/-/${ns}`).metadata.annotations).toEqual({ [BRANCH]: branch });
    }
    // The baseline's objects carry none of them.
    for (const o of inNamespace(objects, 'member-test', 'storefront').values()) expect(o.metadata.labels?.[PREVIEW]).toBeUndefined();
    expect(objectAt(objects, 'member-test/Namespace/-/storefront').metadata.annotations).toBeUndefined();
  });

  it('runs only the preview\'s services there: one replica of the branch\'s image and configuration, no autoscaler or disruption budget', () => {
    const e = estate();
    const objects = synthValid(e.platform);
    const ns = inNamespace(objects, 'member-test', 'storefront-pv-feature-login');
    const deployment = objectAt(objects, 'member-test/Deployment/storefront-pv-feature-login/api') as any;

    expect([...ns.keys()].filter((k) => k.startsWith('Deployment/'))).toEqual(['Deployment/api']);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.spec.containers[0].image).toBe('harbor.example.com/shop/api:sha-1');
    expect((objectAt(objects, 'member-test/ConfigMap/storefront-pv-feature-login/api-config') as any).data).toEqual({ FEATURE: 'on' });
    expect((objectAt(objects, 'member-test/ConfigMap/storefront/api-config') as any).data).toEqual({ FEATURE: 'off' });
    expect(objects.has('member-test/HorizontalPodAutoscaler/storefront/api')).toBe(true);
    expect(objects.has('member-test/PodDisruptionBudget/storefront/api')).toBe(true);
    expect([...ns.keys()].filter((k) => /^(HorizontalPodAutoscaler|PodDisruptionBudget|StatefulSet)\//.test(k))).toEqual([]);
  });

  it('gives its namespaces half the baseline\'s quota', () => {
    const e = estate();
    const objects = synthValid(e.platform);

    expect((objectAt(objects, 'member-test/ResourceQuota/storefront/project-quota') as any).spec.hard).toEqual({ 'limits.cpu': '8000m', 'limits.memory': '16384Mi', pods: '50', 'requests.cpu': '4000m', 'requests.memory': '8192Mi' });
    expect((objectAt(objects, 'member-test/ResourceQuota/storefront-pv-feature-login/project-quota') as any).spec.hard).toEqual({ 'limits.cpu': '4000m', 'limits.memory': '8192Mi', pods: '25', 'requests.cpu': '2000m', 'requests.memory': '4096Mi' });
  });

  it('exposes what the baseline exposes, for the services it runs, under <service>.<slug>.<baseline domain>', () => {
    const e = estate();
    const objects = synthValid(e.platform);
    const ingress = objectAt(objects, 'member-test/Ingress/storefront-pv-feature-login/api') as any;

    expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(['api.feature-login.test.example.com']);
    expect(objects.has('member-test/Ingress/storefront-pv-feature-login/web')).toBe(false);
  });

  it('exposes a preview of a baseline without a domain under <slug>.<the baseline\'s host>', () => {
    const platform = new Platform('acme');
    platform.addCluster('host', { role: ClusterRole.HOST, ingressClassName: 'nginx' });
    const dev = platform.addCluster('dev', { role: ClusterRole.MEMBER, ingressClassName: 'nginx' });
    platform.addEnvironment('development', { clusters: [dev] });
    const project = platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: ['development'] });
    project.addService('web', { image: Registry.at('harbor.example.com').image('shop/web', '1.0.0'), ports: [{ port: 8080 }] }).expose({ hosts: { development: 'web.dev.example.com' } });
    platform.addPreview('feature/x', { baseline: 'development', owner: User.named('bob'), expires: '2026-12-15', services: { web: { tag: 'sha-1' } } });

    const objects = synthValid(platform);

    expect((objectAt(objects, 'dev/Ingress/storefront/web') as any).spec.rules[0].host).toBe('web.dev.example.com');
    expect((objectAt(objects, 'dev/Ingress/storefront-pv-feature-x/web') as any).spec.rules[0].host).toBe('feature-x.web.dev.example.com');
  });
});

describe('rights in a preview', () => {
  it('binds its owner to admin in each of its namespaces and grants nobody else anything there (KubeSphere 4.1)', () => {
    const e = estate();
    const objects = synthValid(e.platform);

    for (const [ns, binding, subject] of [
      ['storefront-pv-feature-login', 'bob-admin', { kind: 'User', name: 'bob' }],
      ['storefront-pv-feature-clone', 'shop-developers-admin', { kind: 'Group', name: 'shop-developers' }],
      ['orders-pv-feature-clone', 'shop-developers-admin', { kind: 'Group', name: 'shop-developers' }],
    ] as const) {
      const rbac = [...inNamespace(objects, 'member-test', ns).entries()].filter(([k]) => /^(Role|RoleBinding|ClusterRoleBinding)\//.test(k));
      expect(rbac.map(([k]) => k)).toEqual([`RoleBinding/${binding}`]);
      const b = rbac[0][1] as any;
      expect(b.apiVersion).toBe('iam.kubesphere.io/v1beta1');
      expect(b.roleRef).toEqual({ apiGroup: 'iam.kubesphere.io', kind: 'Role', name: 'admin' });
      expect(b.subjects).toEqual([{ apiGroup: 'iam.kubesphere.io', ...subject }]);
    }
    // The baseline keeps its grants; the owner gets nothing beyond the preview's namespaces.
    expect([...inNamespace(objects, 'member-test', 'storefront').keys()].filter((k) => k.startsWith('RoleBinding/')).sort()).toEqual(['RoleBinding/carol-viewer', 'RoleBinding/shop-developers-operator']);
    const bindsBob = [...objects].filter(([, o]) => /RoleBinding$/.test(o.kind) && ((o as any).subjects ?? []).some((x: any) => x.name === 'bob'));
    expect(bindsBob.map(([k]) => k)).toEqual(['member-test/RoleBinding/storefront-pv-feature-login/bob-admin']);
  });

  it('binds its owner to the built-in admin ClusterRole on plain Kubernetes, with the preview\'s labels', () => {
    const e = estate(Target.KUBERNETES);
    const objects = synthValid(e.platform);
    const b = objectAt(objects, 'member-test/RoleBinding/storefront-pv-feature-login/bob-admin') as any;

    expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' });
    expect(b.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }]);
    expect(b.metadata.labels).toMatchObject({ [PREVIEW]: 'feature-login', [OWNER]: 'bob', [EXPIRES]: '2026-12-15' });
    // Project grants stay out; a workspace-wide role reaches every namespace of the tenant, as in KubeSphere.
    expect([...inNamespace(objects, 'member-test', 'storefront-pv-feature-login').keys()].filter((k) => k.startsWith('RoleBinding/')).sort()).toEqual(['RoleBinding/bob-admin', 'RoleBinding/shop-developers-workspace-viewer']);
  });

  it('writes the self-provisioner binding of developers to the development member cluster only', () => {
    const e = estate();
    const objects = synthValid(e.platform);
    const bindings = [...objects.keys()].filter((k) => k.includes('WorkspaceRoleBinding/'));

    expect(bindings.sort()).toEqual(['host/WorkspaceRoleBinding/-/shop-developers-shop-regular', 'member-test/WorkspaceRoleBinding/-/shop-developers-shop-self-provisioner']);
    const b = objectAt(objects, 'member-test/WorkspaceRoleBinding/-/shop-developers-shop-self-provisioner') as any;
    expect(b.roleRef).toEqual({ apiGroup: 'iam.kubesphere.io', kind: 'WorkspaceRole', name: 'shop-self-provisioner' });
    expect(b.subjects).toEqual([{ apiGroup: 'iam.kubesphere.io', kind: 'Group', name: 'shop-developers' }]);
    const files = new ManifestStack(e.platform).files();
    expect(files.get('member-test/00-cluster.yaml')).toContain('shop-self-provisioner');
    expect(files.get('host/00-cluster.yaml')).not.toContain('self-provisioner');
  });

  it('refuses self-provisioning in production, on the host, on a cluster shared with other environments and on plain Kubernetes', () => {
    const f = fixture();
    const developers = f.tenant.addDepartment('developers', { members: ['bob'] });
    const shared = f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging' });
    f.tenant.allowSelfProvisioning(developers, ['production']);
    f.tenant.allowSelfProvisioning(developers, [shared]);
    f.tenant.allowSelfProvisioning(developers, ['nowhere']);
    f.tenant.allowSelfProvisioning(developers, []);

    const lines = validationErrors(f.platform);
    const production = lines.filter((l) => l.startsWith('[acme/shop] allowSelfProvisioning[0].environments: got "production"'));

    expect(production).toHaveLength(2);
    expect(production.join('\n')).toContain('developers may not create projects in a production environment');
    expect(production.join('\n')).toContain('cluster host is the host, where a workspace role reaches every cluster');
    expect(lineFor(lines, 'acme/shop', 'allowSelfProvisioning[1].environments')).toContain('got "staging"; cluster member-test also serves test, where the role would apply too');
    expect(lineFor(lines, 'acme/shop', 'allowSelfProvisioning[2].environments')).toContain('got "nowhere"; no environment of the platform has this name');
    expect(lineFor(lines, 'acme/shop', 'allowSelfProvisioning[3].environments')).toContain('got []; self-provisioning needs the environments it applies in');

    const k = fixture(Target.KUBERNETES);
    k.tenant.allowSelfProvisioning(k.tenant.addDepartment('developers', { members: ['bob'] }), ['test']);
    expect(lineFor(validationErrors(k.platform), 'acme/shop', 'allowSelfProvisioning[0]')).toContain('got "kubernetes"; self-provisioning is a KubeSphere workspace role');
  });

  it('does not count a preview as another environment sharing the development cluster', () => {
    const e = estate();

    expect(validatePlatform(e.platform).filter((p) => p.path === 'acme/shop')).toEqual([]);
  });
});

describe('connections of a preview', () => {
  it('with BASELINE dependencies, sends its services to the baseline\'s instances, opens the paths there and has the baseline admit them', () => {
    const e = estate();
    const objects = synthValid(e.platform);

    expect(envOf(objectAt(objects, 'member-test/Deployment/storefront-pv-feature-login/api'))).toMatchObject({ ORDERS_API_HOST: 'orders-api.orders.svc.cluster.local', ORDERS_API_PORT: '8080' });
    expect(egressPeers(objectAt(objects, 'member-test/NetworkPolicy/storefront-pv-feature-login/egress-to-orders-api.orders'))).toEqual(['orders/orders-api']);
    expect(ingressPeers(objectAt(objects, 'member-test/NetworkPolicy/orders/ingress-to-orders-api'))).toEqual(['storefront-pv-feature-login/api', 'storefront/api']);
    expect(objects.has('member-test/Namespace/-/orders-pv-feature-login')).toBe(false);
    // Production is not touched by a development preview.
    expect(ingressPeers(objectAt(objects, 'host/NetworkPolicy/orders/ingress-to-orders-api'))).toEqual(['storefront/api']);
  });

  it('with CLONE dependencies, runs the app services called in its own namespaces, wires them to each other and reaches the baseline\'s stateful services', () => {
    const e = estate();
    const objects = synthValid(e.platform);
    const ns = inNamespace(objects, 'member-test', 'orders-pv-feature-clone');

    expect(envOf(objectAt(objects, 'member-test/Deployment/storefront-pv-feature-clone/api'))).toMatchObject({ ORDERS_API_HOST: 'orders-api.orders-pv-feature-clone.svc.cluster.local' });
    expect(egressPeers(objectAt(objects, 'member-test/NetworkPolicy/storefront-pv-feature-clone/egress-to-orders-api.orders-pv-feature-clone'))).toEqual(['orders-pv-feature-clone/orders-api']);
    expect(ingressPeers(objectAt(objects, 'member-test/NetworkPolicy/orders-pv-feature-clone/ingress-to-orders-api'))).toEqual(['storefront-pv-feature-clone/api']);
    // The clone runs the baseline's image of what it does not override.
    expect((ns.get('Deployment/orders-api') as any).spec.template.spec.containers[0].image).toBe('harbor.example.com/shop/orders-api:1.0.0');
    // The cache is the baseline's: no StatefulSet, no ingress policy for it in the preview; the baseline's admits the clone.
    expect(envOf(ns.get('Deployment/orders-api') as KubeObject)).toMatchObject({ CACHE_HOST: 'cache.orders.svc.cluster.local' });
    expect(egressPeers(ns.get('NetworkPolicy/egress-to-cache.orders') as KubeObject)).toEqual(['orders/cache']);
    expect([...ns.keys()].filter((k) => k.includes('cache')).sort()).toEqual(['NetworkPolicy/egress-to-cache.orders']);
    expect(ingressPeers(objectAt(objects, 'member-test/NetworkPolicy/orders/ingress-to-cache'))).toEqual(['orders-pv-feature-clone/orders-api', 'orders/orders-api']);
    // The baseline's orders-api does not admit the clone's api, which calls its own orders-api.
    expect(ingressPeers(objectAt(objects, 'member-test/NetworkPolicy/orders/ingress-to-orders-api'))).not.toContain('storefront-pv-feature-clone/api');
  });
});

describe('an expired preview', () => {
  it('is left out of the output, with a warning naming its branch', () => {
    const e = estate(undefined, { expired: true });
    const objects = synthValid(e.platform);

    expect(previewKeys(objects, 'feature-old')).toEqual([]);
    expect([...objects.keys()].filter((k) => k.includes('feature-old'))).toEqual([]);
    expect(previewProblems(e.platform).map(formatProblem)).toEqual([
      `warning: [acme/Environments/pv-feature-old] expires: got "2026-11-21"; the preview of branch feature/old expired before ${TODAY} and is left out of the output (GitOps prunes it). Fix: remove the preview, or give it a later expiry.`,
    ]);
  });

  it('comes back when the date is pinned before its expiry', () => {
    process.env.PLATFORM_CDK_NOW = '2026-11-21';
    const e = estate(undefined, { expired: true });
    const objects = synthValid(e.platform);

    expect(objects.has('member-test/Deployment/storefront-pv-feature-old/web')).toBe(true);
    expect(previewProblems(e.platform)).toEqual([]);
  });
});

describe('determinism', () => {
  it('writes the same bytes for the same estate, whatever order the previews were added in', () => {
    const a = new ManifestStack(estate(undefined, { expired: true }).platform).files();
    const b = new ManifestStack(estate(undefined, { expired: true }).platform).files();
    const f = fixture();
    const developers = f.tenant.addDepartment('developers', { members: ['bob'] });
    const orders = f.tenant.addProject('orders', { environments: [f.test, f.production] });
    const cache = orders.addStatefulService('cache', {
      engine: Engine.redis(),
      inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi', storageClassName: 'ssd', credentials: ExistingSecret.named('redis').key('password') },
    });
    const ordersApi = orders.addService('orders-api', { image: f.registry.image('shop/orders-api', '1.0.0'), ports: [{ port: 8080 }] });
    ordersApi.connectsTo(cache);
    f.platform.addPreview('feature/old', { baseline: 'test', owner: developers, expires: '2026-11-21', services: { web: { tag: 'sha-0' } } });
    f.platform.addPreview('feature/clone', { baseline: f.test, owner: developers, expires: '2026-12-20', services: { api: { tag: 'sha-2' } }, dependencies: PreviewDependencies.CLONE });
    f.platform.addPreview('feature/Login', { baseline: 'test', owner: User.named('bob'), expires: '2026-12-15', services: { api: { tag: 'sha-1', config: { values: { FEATURE: 'on' } } } } });
    const api = addService(f, 'api', { config: { values: { FEATURE: 'off' } }, disruptionBudget: { minAvailable: 1 }, perEnvironment: { test: { autoscaling: { minReplicas: 2, maxReplicas: 4 } } } });
    api.connectsTo(ordersApi);
    api.expose({ subdomain: 'api' });
    addService(f, 'web').expose();
    f.tenant.grant(developers, WorkspaceRole.REGULAR);
    f.tenant.allowSelfProvisioning(developers, ['test']);
    f.tenant.grantInProjects(developers, ProjectRole.OPERATOR, { environments: ['test'] });
    f.project.grant(User.named('carol'), ProjectRole.VIEWER);
    const c = new ManifestStack(f.platform).files();

    expect([...a.keys()]).toEqual([...b.keys()]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });
});

// Pulumi, under Pulumi's own mocks (see test/stacks/pulumi-stack.test.ts).
interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider: string;
}
const recorded: Recorded[] = [];
const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    recorded.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, provider: args.provider ?? '' });
    return { id: `${args.name}-id`, state: args.inputs };
  },
  call(args) {
    return args.inputs;
  },
};
pulumi.runtime.setMocks(mocks, 'platform-cdk-test', 'test', false);

describe('a Pulumi stack of a preview', () => {
  // @pulumi/kubernetes must be loaded after setMocks.
  let mod: typeof import('platform-cdk/pulumi');
  beforeAll(async () => {
    mod = await import('platform-cdk/pulumi');
  });
  // The stacks log the model's warnings (the expired preview's) through Pulumi, which prints them: quiet here.
  beforeEach(() => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await pulumi.runtime.disconnect();
  });

  /** Runs a PulumiStack as stack `stack`; returns the keys `<cluster>/<Kind>/<namespace>/<name>` registered, and the providers' clusters. */
  async function deploy(platform: Platform, stack: string): Promise<{ keys: string[]; providers: string[] }> {
    recorded.length = 0;
    pulumi.runtime.setMocks(mocks, 'platform-cdk-test', stack, false);
    pulumi.runtime.setAllConfig({ 'platform-cdk:context-member-test': 'member-test', 'platform-cdk:context-host': 'host' }, []);
    const s = new mod.PulumiStack(platform);
    const keys = [...s.objects.entries()].map(([key, o]) => {
      const [cluster, ...rest] = key.split('/');
      const name = rest.pop() as string;
      const ns = rest.pop() as string;
      const kind = rest.pop() as string;
      expect(o.cluster).toBe(cluster);
      return `${cluster}/${kind}/${ns}/${name}`;
    });
    await Promise.all([...s.objects.values()].map((o) => new Promise((resolve) => o.resource.urn.apply(resolve))));
    return { keys: keys.sort(), providers: [...s.providers.keys()].sort() };
  }

  it('named pv-<slug> deploys exactly the preview\'s objects, to the baseline\'s cluster', async () => {
    const e = estate(undefined, { expired: true });
    const objects = synthValid(e.platform);

    const login = await deploy(e.platform, 'pv-feature-login');

    expect(login.providers).toEqual(['member-test']);
    expect(login.keys).toEqual(previewKeys(objects, 'feature-login'));
    expect(login.keys).toContain('member-test/RoleBinding/storefront-pv-feature-login/bob-admin');
    expect(login.keys).toContain('member-test/Namespace/-/storefront-pv-feature-login');
    // The baseline's ingress that admits the preview belongs to the baseline's stack.
    expect(login.keys.filter((k) => !k.includes('-pv-'))).toEqual([]);
  });

  it('leaves the preview out of the baseline\'s stack, which keeps its own objects and the cluster\'s', async () => {
    const e = estate();

    const test = await deploy(e.platform, 'test');

    expect(test.keys.filter((k) => k.includes('-pv-'))).toEqual([]);
    expect(test.keys).toContain('member-test/NetworkPolicy/orders/ingress-to-orders-api');
    expect(test.keys).toContain('member-test/WorkspaceRoleBinding/-/shop-developers-shop-self-provisioner');
  });

  it('named after an expired preview deploys nothing, so that Pulumi deletes what it deployed', async () => {
    const e = estate(undefined, { expired: true });

    const old = await deploy(e.platform, 'pv-feature-old');

    expect(old.keys).toEqual([]);
  });
});
