/**
 * The Pulumi output, under Pulumi's own mocks (there is no Pulumi CLI or cluster in CI): what each stack
 * registers must be exactly what the YAML output holds for that stack's environment, every object bound to its
 * own cluster's provider, connections kept secret, the output checked before anything is registered, and bad
 * stacks or configuration reported clearly.
 *
 * The cost is Pulumi's own (registering a resource under the mocks, several times slower under jest than in plain
 * node), so the file registers each stack once: one mocks runtime, `@pulumi/kubernetes` loaded once, the quick
 * start's production stack deployed once for every test that only reads it (its parity with the YAML included),
 * each estate's YAML synthesized once. The examples' larger estates, every stack of every example and every
 * Pulumi program as every stack are in pulumi-stack.full.test.ts (the full tier, `npm run test:full`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as fc from 'fast-check';
import { ChecksFailed, ManifestStack, Platform, renderPlatform, stackNames, stackScope, ValidationError } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { build as buildQuickstart } from '../../examples/quickstart/main';
import { addService, fixture } from '../fixture';
import { tiered } from '../tier';
import { buildEstate, validEstate } from '../property/estate';
import { contexts, examplePlatform, keyOf, providerCluster, PulumiHarness, pulumiPrograms, registeredObjects, runProgram, smallestStack, yamlObjects, yamlObjectsOf } from '../pulumi-mocks';
import type { Deployed } from '../pulumi-mocks';


const PROJECT = 'platform-cdk-test';
const harness = new PulumiHarness(PROJECT);
const { mocks } = harness;
/** The seed of the CI runs. */
const SEED = 20261206;
const deploy = harness.deploy.bind(harness);
let mod: typeof import('platform-cdk/pulumi');
beforeAll(async () => {
  mod = await harness.load();
});
// Let every registration of a test finish before the next test replaces the mocks.
afterEach(async () => {
  await pulumi.runtime.disconnect();
});

const SECRET_SIG = '4dabf18193072939515e22adb298388d';

function resolved<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

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

/** Checks that a deployment registered exactly the objects and bodies the YAML output holds for its stack. */
function expectParity(platform: Platform, stack: string, rec: readonly { type: string; inputs: Record<string, unknown>; provider: string }[]): Map<string, unknown> {
  const registered = registeredObjects(rec as Parameters<typeof registeredObjects>[0]);
  const expected = yamlObjectsOf(platform, yamlObjects(platform), stack);
  expect([...registered.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, { object }] of registered) expect(object).toEqual(expected.get(key));
  return registered;
}

describe('PulumiStack parity with the YAML output', () => {
  it('registers for the quick start\'s production stack exactly the objects and bodies the YAML holds for it', async () => {
    const { platform, recorded: rec } = await quickstartProduction();
    expect(expectParity(platform, 'production', rec).size).toBeGreaterThan(0);
  });

  it('registers for the readme example\'s smallest stack with a Deployment exactly what the YAML holds for it', async () => {
    const platform = examplePlatform('readme');
    const name = smallestStack(platform, yamlObjects(platform), (o) => o.some((x) => x.kind === 'Deployment'));
    const { recorded: rec } = await deploy(platform, name, contexts(...(stackScope(platform, name)?.clusters.map((c) => c.name) ?? [])));
    expect(expectParity(platform, name, rec).size).toBeGreaterThan(0);
  });

  it('registers, per stack, exactly what the YAML holds for it, and every object once over all stacks, for an estate whose host cluster is in no environment', async () => {
    const f = fixture();
    const p = f.platform;
    // Move production to a second member: the host then runs only the control plane.
    const prod2 = p.addCluster('member-prod', { role: f.member.role });
    const live = p.addEnvironment('live', { clusters: [prod2], domain: 'live.example.com' });
    f.tenant.addProject('checkout', { environments: [live, f.test] }).addService('api', { image: f.registry.image('shop/api', '1.0.0'), ports: [{ port: 80 }] }).expose();
    addService(f, 'web').expose();
    const seen = new Map<string, string>();
    for (const name of stackNames(p)) {
      const { recorded: rec } = await deploy(p, name, contexts(...(stackScope(p, name)?.clusters.map((c) => c.name) ?? [])));
      for (const key of expectParity(p, name, rec).keys()) {
        expect(seen.get(key)).toBeUndefined();
        seen.set(key, name);
      }
    }
    expect(seen.size).toBe(yamlObjects(p).length);
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
  it('registers every kind with the type token of its kind (core kinds through typed classes, others as CustomResources)', async () => {
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
    expect(mod.isTypedKind('apps/v1', 'Deployment')).toBe(false);
    expect(mod.isTypedKind('v1', 'Secret')).toBe(true);
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
  const programs = pulumiPrograms();

  it('cover every environment of the quick start with a Pulumi.<env>.yaml', () => {
    expect(programs.filter(([d]) => d === 'quickstart').map(([, env]) => env).sort()).toEqual(['production', 'test']);
  });

  // Every program is the same few lines (`await PulumiStack.create(build())` and its outputs) over its example, whose
  // registration the parity tests check: the quick tier runs the quick start's program as its stack with the fewest
  // objects; the full tier runs every program as every stack.
  const platform = examplePlatform('quickstart');
  const stackName = smallestStack(platform, yamlObjects(platform));

  it(`quickstart runs as stack ${stackName} with the configuration of its Pulumi.${stackName}.yaml`, async () => {
    const exported = await runProgram(harness, 'quickstart', stackName);
    expect(exported.objectCount).toBeGreaterThan(0);
    expect(exported.clusters).toEqual(stackScope(platform, stackName)?.clusters.map((c) => c.name));
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

describe('PulumiStack checks the objects before it registers them', () => {
  /** A CRD folder whose KubeSphere Cluster schema requires a `status` the output does not have: a schema error on the host. */
  function strictClusterCrds(): string {
    const crds = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-crds-'));
    fs.writeFileSync(
      path.join(crds, 'clusters.yaml'),
      ['apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: { name: clusters.cluster.kubesphere.io }', 'spec:', '  group: cluster.kubesphere.io', '  names: { kind: Cluster, plural: clusters }', '  scope: Cluster', '  versions:', '  - name: v1alpha1', '    served: true', '    storage: true', '    schema:', '      openAPIV3Schema: { type: object, required: [status], properties: { apiVersion: { type: string }, kind: { type: string }, metadata: { type: object }, spec: { type: object, x-kubernetes-preserve-unknown-fields: true }, status: { type: object } } }', ''].join('\n'),
    );
    return crds;
  }

  it('throws a ChecksFailed listing every error finding, as ManifestStack does, and registers nothing', async () => {
    const f = fixture();
    addService(f, 'web').expose();
    harness.select('production', contexts('host'));
    let error: unknown;
    try {
      new mod.PulumiStack(f.platform, { crdDirs: [strictClusterCrds()] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChecksFailed);
    expect((error as ChecksFailed).result.findings.filter((x) => x.severity === 'error').map((x) => `${x.rule} ${x.cluster} ${x.object}`)).toEqual(['schema host cluster.kubesphere.io/v1alpha1 Cluster member-test']);
    expect((error as Error).message).toContain('the checks of the output found 1 error; nothing was registered:\n  - error [schema] host: cluster.kubesphere.io/v1alpha1 Cluster member-test');
    await pulumi.runtime.disconnect();
    expect(harness.recorded).toEqual([]);
  });

  it('checks by default and keeps what the checks found; with checks: false registers unchecked and warns', async () => {
    const f = fixture();
    addService(f, 'web').expose();
    const checked = await deploy(f.platform, 'production', contexts('host'));
    expect(checked.stack.checks?.objects).toBeGreaterThanOrEqual(checked.stack.objects.size);
    expect(checked.stack.checks?.findings.filter((x) => x.severity === 'error' && x.waived === undefined)).toEqual([]);
    const warn = jest.spyOn(pulumi.log, 'warn');
    try {
      const unchecked = await deploy(f.platform, 'production', contexts('host'), [], { crdDirs: [strictClusterCrds()], checks: false });
      expect(unchecked.stack.checks).toBeUndefined();
      expect([...unchecked.stack.objects.keys()]).toEqual([...checked.stack.objects.keys()]);
      expect(warn.mock.calls.map((c) => c[0])).toContain(
        '[acme] checks: the schema, policy and isolation checks are skipped: the objects are registered unchecked. Fix: remove `checks: false` so that every object is checked before it is registered.',
      );
    } finally {
      warn.mockRestore();
    }
  });
});

describe('random valid estates', () => {
  it('make each Namespace depend on exactly the WorkspaceTemplates of its tenant registered before it (the index agrees with a scan of every object)', async () => {
    await fc.assert(
      fc.asyncProperty(validEstate, async (spec) => {
        const { platform } = buildEstate(spec);
        // The tenant of every Namespace that belongs to one (a project's, a DevOps project's), from a render of its own.
        const tenantOf = new Map<string, string>();
        for (const rc of renderPlatform(platform).clusters) {
          for (const o of rc.objects) if (o.kind === 'Namespace' && o.origin.tenant) tenantOf.set(keyOf(rc.cluster.name, o.toJson()), o.origin.tenant.name);
        }
        for (const name of stackNames(platform)) {
          const { stack } = await deploy(platform, name, contexts(...(stackScope(platform, name)?.clusters.map((c) => c.name) ?? [])));
          await pulumi.runtime.disconnect();
          const before: string[] = [];
          for (const [key, o] of stack.objects) {
            if (key.includes('/v1/Namespace/-/')) {
              const tenantName = tenantOf.get(key);
              const expected = tenantName === undefined ? [] : before.filter((k) => k.endsWith(`/WorkspaceTemplate/-/${tenantName}`));
              expect(o.dependsOn.filter((k) => k.includes('/WorkspaceTemplate/'))).toEqual(expected);
            }
            before.push(key);
          }
        }
      }),
      { seed: SEED, numRuns: tiered(2, 15) },
    );
  });
});
