/**
 * The Pulumi output, under Pulumi's own mocks (there is no Pulumi CLI or cluster in CI): what each stack
 * registers must be exactly what the YAML output holds for that stack's environment, every object bound to its
 * own cluster's provider, connections kept secret, and bad stacks or configuration reported clearly.
 *
 * The cost is Pulumi's own (registering a resource under the mocks, several times slower under jest than in plain
 * node), so the file registers each stack once: one mocks runtime, `@pulumi/kubernetes` loaded once, the
 * quick start's production stack deployed once for the tests that only read it, each estate's YAML synthesized
 * once. The quick tier checks one stack per example (the smallest with a Deployment) and runs the quick start's
 * Pulumi program as one stack; the full tier (`npm run test:full`) checks every stack and runs every program as
 * every stack.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { parse, parseAllDocuments } from 'yaml';
import { ManifestStack, Platform, stackNames, stackScope, ValidationError } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { build as buildQuickstart } from '../../examples/quickstart/main';
import { addService, fixture } from '../fixture';
import { recordingMocks } from '../pulumi-mocks';
import type { Recorded } from '../pulumi-mocks';
import { FULL } from '../tier';

const PROJECT = 'platform-cdk-test';
const recorded: Recorded[] = [];
const mocks = recordingMocks(recorded);
pulumi.runtime.setMocks(mocks, PROJECT, 'test', false);

// @pulumi/kubernetes must be loaded after setMocks.
type PulumiModule = typeof import('platform-cdk/pulumi');
let mod: PulumiModule;
beforeAll(async () => {
  mod = await import('platform-cdk/pulumi');
});
// Let every registration of a test finish before the next test replaces the mocks.
afterEach(async () => {
  await pulumi.runtime.disconnect();
});

const SECRET_SIG = '4dabf18193072939515e22adb298388d';

function resolved<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

/** Runs a PulumiStack as stack `stack` with the given configuration and returns what was registered. */
async function deploy(platform: Platform, stack: string, config: Record<string, string>, secretKeys: string[] = []) {
  recorded.length = 0;
  pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
  pulumi.runtime.setAllConfig(config, secretKeys);
  const s = new mod.PulumiStack(platform);
  const urns = new Map<string, string>();
  for (const [key, o] of s.objects) urns.set(key, await resolved(o.resource.urn));
  return { stack: s, urns, recorded: [...recorded] };
}

type Deployed = Awaited<ReturnType<typeof deploy>>;
let quickstart: Promise<Deployed & { platform: Platform; before: Map<string, string> }> | undefined;

/**
 * The quick start's production stack, deployed once for the tests that only read what it registered (with its
 * YAML files from before the deployment).
 */
function quickstartProduction(): Promise<Deployed & { platform: Platform; before: Map<string, string> }> {
  quickstart ??= (async () => {
    const platform = buildQuickstart();
    const before = new ManifestStack(platform).files();
    return { platform, before, ...(await deploy(platform, 'production', contexts('host'))) };
  })();
  return quickstart;
}

const contexts = (...clusters: string[]): Record<string, string> => Object.fromEntries(clusters.map((c) => [`platform-cdk:context-${c}`, c]));

/** The cluster a provider URN reference (`urn::id`) names: providers are named after their cluster. */
function providerCluster(ref: string): string {
  const urn = ref.slice(0, ref.lastIndexOf('::'));
  return urn.slice(urn.lastIndexOf('::') + 2);
}

/** The Kubernetes objects registered, as they would be written (the field-manager annotation removed), by key. */
function registeredObjects(rec: readonly Recorded[]): Map<string, { cluster: string; object: KubeObject }> {
  const out = new Map<string, { cluster: string; object: KubeObject }>();
  for (const r of rec) {
    if (!r.type.startsWith('kubernetes:')) continue;
    const object = JSON.parse(JSON.stringify(r.inputs)) as KubeObject;
    const annotations = object.metadata.annotations ?? {};
    delete annotations['pulumi.com/patchFieldManager'];
    if (Object.keys(annotations).length === 0) delete object.metadata.annotations;
    const cluster = providerCluster(r.provider);
    out.set(`${cluster}/${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? '-'}/${object.metadata.name}`, { cluster, object });
  }
  return out;
}

/**
 * What the YAML output holds for a stack, worked out from the files alone: objects labelled with the stack's
 * environment on the environment's clusters, and unlabelled objects of clusters the stack owns (the first
 * environment that spans a cluster owns its cluster-wide objects; a cluster in no environment owns itself).
 */
function yamlObjectsOf(platform: Platform, objects: readonly YamlObject[], stack: string): Map<string, KubeObject> {
  const env = platform.environments.find((e) => e.name === stack);
  const owner = (cluster: string): string => platform.environments.find((e) => e.clusters.some((c) => c.name === cluster))?.name ?? cluster;
  const clusters = env ? env.clusters.map((c) => c.name) : [stack];
  const out = new Map<string, KubeObject>();
  for (const { cluster, object: o } of objects) {
    if (!clusters.includes(cluster)) continue;
    const label = o.metadata.labels?.['platform-cdk.io/environment'];
    if (label === undefined ? owner(cluster) === stack : label === stack) {
      out.set(`${cluster}/${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`, o);
    }
  }
  return out;
}

/** An object of the YAML output, with its cluster. */
interface YamlObject {
  readonly cluster: string;
  readonly object: KubeObject;
}

/** The YAML objects of each platform synthesized so far (so that no estate is synthesized twice). */
const yamlOf = new WeakMap<Platform, YamlObject[]>();

/** Every object of a platform's YAML output (CI files aside), synthesized once. */
function yamlObjects(platform: Platform): YamlObject[] {
  const known = yamlOf.get(platform);
  if (known) return known;
  const out: YamlObject[] = [];
  yamlOf.set(platform, out);
  for (const [file, text] of new ManifestStack(platform).files()) {
    if (file.startsWith('_')) continue;
    for (const doc of parseAllDocuments(text)) out.push({ cluster: file.split('/')[0], object: doc.toJS() as KubeObject });
  }
  return out;
}

/**
 * The stacks a tier checks: every stack in the full tier; in the quick tier, every stack of a small estate and the
 * smallest stack with a Deployment of an example.
 */
function stacksToCheck(platform: Platform, objects: readonly YamlObject[], every: boolean): string[] {
  const names = stackNames(platform);
  if (FULL || every) return names;
  return [smallestStack(platform, objects, (o) => o.some((x) => x.kind === 'Deployment'))];
}

/** The stack of a platform with the fewest objects, among those whose objects pass `filter` (if any does). */
function smallestStack(platform: Platform, objects: readonly YamlObject[], filter: (objects: KubeObject[]) => boolean = () => true): string {
  const sized = stackNames(platform).map((name) => ({ name, objects: [...yamlObjectsOf(platform, objects, name).values()] }));
  const kept = sized.filter((x) => filter(x.objects));
  return (kept.length > 0 ? kept : sized).sort((a, b) => a.objects.length - b.objects.length || (a.name < b.name ? -1 : 1))[0].name;
}

/** The platform of each example, built once. */
const examplePlatforms = new Map<string, Platform>();
function examplePlatform(dir: string): Platform {
  let p = examplePlatforms.get(dir);
  if (!p) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    p = (require(path.join(dir, 'main.ts')) as { build: () => Platform }).build();
    examplePlatforms.set(dir, p);
  }
  return p;
}

describe('PulumiStack parity with the YAML output', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'main.ts'))).sort();
  const estates: [string, () => Platform, boolean][] = [
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ...examples.map((d): [string, () => Platform, boolean] => [`the example ${d}`, () => examplePlatform(path.join(ROOT, 'examples', d)), false]),
    [
      'an estate whose host cluster is in no environment',
      () => {
        const f = fixture();
        const p = f.platform;
        // Move production to a second member: the host then runs only the control plane.
        const prod2 = p.addCluster('member-prod', { role: f.member.role });
        const live = p.addEnvironment('live', { clusters: [prod2], domain: 'live.example.com' });
        f.tenant.addProject('checkout', { environments: [live, f.test] }).addService('api', { image: f.registry.image('shop/api', '1.0.0'), ports: [{ port: 80 }] }).expose();
        addService(f, 'web').expose();
        return p;
      },
      true,
    ],
  ];

  describe.each(estates)('%s', (_title, build, every) => {
    it(`registers, per stack, exactly the objects and bodies the YAML holds for it${FULL || every ? ', and all of them once over all stacks' : ' (one stack; every stack in the full tier)'}`, async () => {
      const platform = build();
      const objects = yamlObjects(platform);
      const names = stacksToCheck(platform, objects, every);
      const seen = new Map<string, string>();
      for (const name of names) {
        const clusters = stackScope(platform, name)?.clusters.map((c) => c.name) ?? [];
        const { recorded: rec } = await deploy(platform, name, contexts(...clusters));
        const registered = registeredObjects(rec);
        const expected = yamlObjectsOf(platform, objects, name);
        expect([...registered.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [key, { object }] of registered) expect(object).toEqual(expected.get(key));
        for (const key of registered.keys()) {
          expect(seen.get(key)).toBeUndefined();
          seen.set(key, name);
        }
      }
      if (names.length === stackNames(platform).length) expect(seen.size).toBe(objects.length);
      else expect(seen.size).toBeGreaterThan(0);
    });
  });

  it('binds every object to the provider of its own cluster', async () => {
    const { recorded: rec } = await quickstartProduction();
    const k8sResources = rec.filter((r) => r.type.startsWith('kubernetes:'));
    expect(k8sResources.length).toBeGreaterThan(0);
    for (const r of k8sResources) {
      expect(providerCluster(r.provider)).toBe('host');
      expect(r.name.startsWith('host/')).toBe(true);
    }
    expect(rec.filter((r) => r.type === 'pulumi:providers:kubernetes').map((r) => [r.name, r.inputs])).toEqual([
      ['host', { context: 'host', enableServerSideApply: 'true' }],
    ]);
  });
});

describe('PulumiStack', () => {
  it('registers built-in kinds as typed resources and CRDs as CustomResources', async () => {
    const { recorded: rec } = await quickstartProduction();
    const types = new Set(rec.map((r) => r.type));
    expect([...types].filter((t) => t.startsWith('kubernetes:')).sort()).toEqual([
      'kubernetes:apps/v1:Deployment',
      'kubernetes:cert-manager.io/v1:Certificate',
      'kubernetes:cluster.kubesphere.io/v1alpha1:Cluster',
      'kubernetes:core/v1:LimitRange',
      'kubernetes:core/v1:Namespace',
      'kubernetes:core/v1:ResourceQuota',
      'kubernetes:core/v1:Service',
      'kubernetes:core/v1:ServiceAccount',
      'kubernetes:networking.k8s.io/v1:Ingress',
      'kubernetes:networking.k8s.io/v1:NetworkPolicy',
      'kubernetes:policy/v1:PodDisruptionBudget',
      'kubernetes:tenant.kubesphere.io/v1beta1:WorkspaceTemplate',
    ]);
    expect(mod.isTypedKind('cert-manager.io/v1', 'Certificate')).toBe(false);
    expect(mod.isTypedKind('apps/v1', 'Deployment')).toBe(true);
    expect(mod.isTypedKind('tenant.kubesphere.io/v1beta1', 'WorkspaceTemplate')).toBe(false);
  });

  it('groups resources so that a preview reads platform → cluster → tenant → project → service', async () => {
    const { stack, urns } = await quickstartProduction();
    // Pulumi's mocks put only the parent's own type in a URN (the engine writes the whole chain), so walk up.
    const parentType = (urn: string | undefined): string => {
      const types = (urn ?? '').split('::')[2].split('$');
      return types.length > 1 ? types[types.length - 2] : '';
    };
    const urnOf = async (key: string): Promise<string> => resolved((stack.components.get(key) as pulumi.ComponentResource).urn);
    expect(parentType(urns.get('host/apps/v1/Deployment/storefront/web'))).toBe('platform-cdk:index:Service');
    expect(parentType(await urnOf('service/host/storefront/web'))).toBe('platform-cdk:index:Project');
    expect(parentType(urns.get('host/v1/Namespace/-/storefront'))).toBe('platform-cdk:index:Project');
    expect(parentType(await urnOf('project/host/storefront'))).toBe('platform-cdk:index:Tenant');
    expect(parentType(urns.get('host/tenant.kubesphere.io/v1beta1/WorkspaceTemplate/-/shop'))).toBe('platform-cdk:index:Tenant');
    expect(parentType(await urnOf('tenant/host/shop'))).toBe('platform-cdk:index:Cluster');
    expect(parentType(await urnOf('cluster/host'))).toBe('platform-cdk:index:Platform');
    expect(urns.get('host/apps/v1/Deployment/storefront/web')).toBe(
      `urn:pulumi:production::${PROJECT}::platform-cdk:index:Service$kubernetes:apps/v1:Deployment::host/storefront/web`,
    );
    // In the order of each service's first object: the ServiceAccounts come first, by name.
    expect([...stack.components.keys()]).toEqual(['cluster/host', 'tenant/host/shop', 'project/host/storefront', 'service/host/storefront/cart', 'service/host/storefront/mailer', 'service/host/storefront/web']);
  });

  it('orders the workspace before its namespaces, namespaces before their objects, and Services before Ingresses', async () => {
    const { stack } = await quickstartProduction();
    expect(stack.objects.get('host/v1/Namespace/-/storefront')?.dependsOn).toEqual(['host/tenant.kubesphere.io/v1beta1/WorkspaceTemplate/-/shop']);
    expect(stack.objects.get('host/apps/v1/Deployment/storefront/web')?.dependsOn).toEqual(['host/v1/Namespace/-/storefront']);
    expect(stack.objects.get('host/networking.k8s.io/v1/Ingress/storefront/web')?.dependsOn).toEqual(['host/v1/Namespace/-/storefront', 'host/v1/Service/storefront/web']);
  });

  it('applies server-side under one field manager and ignores the fields KubeSphere rewrites', async () => {
    const { stack, recorded: rec } = await deploy(buildQuickstart(), 'production', { ...contexts('host'), 'platform-cdk:fieldManager': 'platform-team' });
    for (const r of rec.filter((x) => x.type.startsWith('kubernetes:'))) {
      expect((r.inputs.metadata as KubeObject['metadata']).annotations?.['pulumi.com/patchFieldManager']).toBe('platform-team');
    }
    expect(stack.objects.get('host/tenant.kubesphere.io/v1beta1/WorkspaceTemplate/-/shop')?.ignoreChanges).toEqual([
      'metadata.annotations["kubesphere.io/creator"]',
      'metadata.annotations["iam.kubesphere.io/aggregation-roles"]',
    ]);
    expect(stack.objects.get('host/apps/v1/Deployment/storefront/web')?.ignoreChanges).toEqual([]);
  });

  it('does not change the objects the YAML output writes', async () => {
    const { platform, before } = await quickstartProduction();
    expect(new ManifestStack(platform).files()).toEqual(before);
  });

  it('keeps a kubeconfig from secret configuration secret', async () => {
    const kubeconfig = 'apiVersion: v1\nkind: Config\nusers: [{ name: admin, user: { token: s3cr3t } }]\n';
    const { recorded: rec } = await deploy(buildQuickstart(), 'test', { 'platform-cdk:kubeconfig-member-test': kubeconfig }, ['platform-cdk:kubeconfig-member-test']);
    const provider = rec.find((r) => r.type === 'pulumi:providers:kubernetes');
    expect(provider?.inputs.kubeconfig).toEqual({ [SECRET_SIG]: '1b47061264138c4ac30d75fd1eb44270', value: kubeconfig });
    const plain = JSON.stringify(rec.map((r) => (r === provider ? { ...r.inputs, kubeconfig: undefined } : r.inputs)));
    expect(plain).not.toContain('s3cr3t');
  });

  it('treats a kubeconfig as secret even when it was set without --secret', async () => {
    const { recorded: rec } = await deploy(buildQuickstart(), 'test', { 'platform-cdk:kubeconfig-member-test': 'kc' });
    expect(rec.find((r) => r.type === 'pulumi:providers:kubernetes')?.inputs.kubeconfig).toEqual({ [SECRET_SIG]: '1b47061264138c4ac30d75fd1eb44270', value: 'kc' });
  });

  it('refuses a stack name that is no environment, listing the environments', () => {
    pulumi.runtime.setMocks(mocks, PROJECT, 'qa', false);
    expect(() => new mod.PulumiStack(buildQuickstart())).toThrow(
      '[quickstart] stack: got "qa"; the Pulumi stack must be named after an environment of the platform (or a cluster in no environment): test, production. Fix: select one, e.g. `pulumi stack select test`, or create it with `pulumi stack init test`.',
    );
  });

  it('names every cluster without a connection, and both ways to give one', () => {
    pulumi.runtime.setMocks(mocks, PROJECT, 'production', false);
    let error: unknown;
    try {
      new mod.PulumiStack(buildQuickstart(), { configNamespace: 'unconfigured' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(
      '[quickstart/Clusters/host] config unconfigured:kubeconfig-host: got nothing; the stack production deploys to cluster host and has no connection for it. Fix: run `pulumi config set --secret unconfigured:kubeconfig-host "$(cat <kubeconfig file>)"` or `pulumi config set unconfigured:context-host <context>`.',
    );
  });

  it('refuses an invalid model with the same errors as the YAML output', () => {
    pulumi.runtime.setMocks(mocks, PROJECT, 'production', false);
    const f = fixture();
    addService(f, 'api', { ports: [{ port: 0 }] });
    expect(() => new mod.PulumiStack(f.platform)).toThrow('[acme/shop/storefront/api] ports[0].port: got 0');
  });

});

describe('the Pulumi programs of the examples', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const programs = fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'Pulumi.yaml')))
    .flatMap((d) =>
      fs
        .readdirSync(path.join(ROOT, 'examples', d))
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => [d, f.slice('Pulumi.'.length, -'.yaml'.length)] as const),
    );

  it('cover every environment of the quick start with a Pulumi.<env>.yaml', () => {
    expect(programs.filter(([d]) => d === 'quickstart').map(([, env]) => env).sort()).toEqual(['production', 'test']);
  });

  // Every program is the same three lines (`new PulumiStack(build())` and two exports) over its example, whose
  // registration the parity tests above check: the quick tier runs the quick start's program, as its stack with the
  // fewest objects; the full tier runs every program as every stack.
  const run = FULL
    ? programs
    : programs.filter(([d, stack]) => {
        const platform = examplePlatform(path.join(ROOT, 'examples', d));
        return d === 'quickstart' && stack === smallestStack(platform, yamlObjects(platform));
      });

  it.each(run)('%s runs as stack %s with the configuration of its Pulumi.<stack>.yaml', async (example, stackName) => {
    const dir = path.join(ROOT, 'examples', example);
    const project = parse(fs.readFileSync(path.join(dir, 'Pulumi.yaml'), 'utf8')) as { main: string };
    const stackConfig = (parse(fs.readFileSync(path.join(dir, `Pulumi.${stackName}.yaml`), 'utf8')) as { config: Record<string, string> }).config;
    recorded.length = 0;
    pulumi.runtime.setMocks(mocks, PROJECT, stackName, false);
    pulumi.runtime.setAllConfig(stackConfig, []);
    let exported: { clusters?: string[]; objectCount?: number } = {};
    // The program runs anew (its module is evaluated again), on the modules this file loaded already: loading
    // Pulumi and the library again for each program is most of what running it costs.
    // cdk8s, constructs and cdk8s-plus-27 too: a program's own constructs (connected-vehicle's CronJob) must resolve
    // with the classes the library resolves them with, as in one process outside jest.
    for (const name of ['@pulumi/pulumi', '@pulumi/kubernetes', 'platform-cdk', 'platform-cdk/pulumi', 'cdk8s', 'constructs', 'cdk8s-plus-27']) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(name) as unknown;
      jest.doMock(name, () => loaded);
    }
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(path.join(dir, project.main)) as typeof exported;
    });
    expect(exported.objectCount).toBeGreaterThan(0);
    expect(exported.clusters).toEqual(stackScope(examplePlatform(dir), stackName)?.clusters.map((c) => c.name));
  });
});

describe('an environment that spans the host and a member cluster', () => {
  it('makes the member cluster\'s namespaces wait for the tenant\'s workspace on the host', async () => {
    const f = fixture();
    // A member whose name sorts before "host", in the production environment with the host.
    const alpha = f.platform.addCluster('alpha', { role: f.member.role });
    f.production.addCluster(alpha);
    addService(f, 'web');
    const { stack } = await deploy(f.platform, 'production', contexts('host', 'alpha'));
    expect(stack.objects.get('alpha/v1/Namespace/-/storefront')?.dependsOn).toEqual(['host/tenant.kubesphere.io/v1beta1/WorkspaceTemplate/-/shop']);
    expect(stack.objects.get('alpha/apps/v1/Deployment/storefront/web')?.cluster).toBe('alpha');
    expect([...stack.providers.keys()]).toEqual(['host', 'alpha']);
  });
});

describe('the fields KubeSphere\'s controllers own', () => {
  it('include the rules of every role KubeSphere composes from templates, on 3.4 Kubernetes RBAC roles too', async () => {
    const { controllerManagedPaths } = await import('../../lib/controller-fields');
    const role = (apiVersion: string, kind: string, annotations?: Record<string, string>): KubeObject => ({ apiVersion, kind, metadata: { name: 'r', annotations } });
    expect(controllerManagedPaths(role('rbac.authorization.k8s.io/v1', 'Role', { 'iam.kubesphere.io/aggregation-roles': '["role-template-view-app-workloads"]' }))).toEqual(['rules']);
    expect(controllerManagedPaths(role('rbac.authorization.k8s.io/v1', 'Role'))).toEqual([]);
    expect(controllerManagedPaths(role('iam.kubesphere.io/v1beta1', 'WorkspaceRole'))).toEqual(['rules', 'metadata.annotations["kubesphere.io/creator"]', 'metadata.annotations["iam.kubesphere.io/aggregation-roles"]']);
    expect(controllerManagedPaths(role('apps/v1', 'Deployment'))).toEqual([]);
  });
});
