/**
 * User constructs, overrides and transforms in the Pulumi output (docs/escape-hatches.md), under Pulumi's mocks: each
 * stack registers exactly what the YAML output holds for its environment, user objects included, each with its own
 * cluster's provider.
 */
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';
import { ManifestStack, stackNames, stackScope } from 'platform-cdk';
import type { KubeObject, Platform } from 'platform-cdk';
import { MECHANISMS, missingMechanisms } from '../fixtures/escape-hatches/mechanisms';
import { build } from '../fixtures/escape-hatches/program';
import { recordingMocks } from '../pulumi-mocks';
import type { Recorded } from '../pulumi-mocks';

const PROJECT = 'platform-cdk-test';
const recorded: Recorded[] = [];
const mocks = recordingMocks(recorded);
pulumi.runtime.setMocks(mocks, PROJECT, 'test', false);

type PulumiModule = typeof import('platform-cdk/pulumi');
let mod: PulumiModule;
const PATH = process.env.PATH;
beforeAll(async () => {
  mod = await import('platform-cdk/pulumi');
  process.env.PATH = `${path.resolve(__dirname, '..', 'fixtures', 'escape-hatches', 'bin')}${path.delimiter}${PATH}`;
});
afterAll(() => {
  process.env.PATH = PATH;
});
afterEach(async () => {
  await pulumi.runtime.disconnect();
});

async function deploy(platform: Platform, stack: string): Promise<Recorded[]> {
  recorded.length = 0;
  pulumi.runtime.setMocks(mocks, PROJECT, stack, false);
  const clusters = stackScope(platform, stack)?.clusters.map((c) => c.name) ?? [];
  pulumi.runtime.setAllConfig(Object.fromEntries(clusters.map((c) => [`platform-cdk:context-${c}`, c])), []);
  const s = new mod.PulumiStack(platform);
  for (const o of s.objects.values()) await new Promise((resolve) => o.resource.urn.apply(resolve));
  return [...recorded];
}

/** The objects registered, as written (the field-manager annotation removed), by `<cluster>/<apiVersion>/<kind>/<namespace>/<name>`. */
function registered(rec: readonly Recorded[]): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const r of rec) {
    if (!r.type.startsWith('kubernetes:')) continue;
    const object = JSON.parse(JSON.stringify(r.inputs)) as KubeObject;
    const annotations = object.metadata.annotations ?? {};
    delete annotations['pulumi.com/patchFieldManager'];
    if (Object.keys(annotations).length === 0) delete object.metadata.annotations;
    const urn = r.provider.slice(0, r.provider.lastIndexOf('::'));
    const cluster = urn.slice(urn.lastIndexOf('::') + 2);
    out.set(`${cluster}/${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? '-'}/${object.metadata.name}`, object);
  }
  return out;
}

/** What the YAML output holds for a stack: its environment's objects on its clusters, and the cluster-wide objects of the clusters it owns. */
function yamlObjectsOf(platform: Platform, stack: string): Map<string, KubeObject> {
  const env = platform.environments.find((e) => e.name === stack);
  const owner = (cluster: string): string => platform.environments.find((e) => e.clusters.some((c) => c.name === cluster))?.name ?? cluster;
  const clusters = env ? env.clusters.map((c) => c.name) : [stack];
  const out = new Map<string, KubeObject>();
  for (const [file, text] of new ManifestStack(platform).files()) {
    const cluster = file.split('/')[0];
    if (!clusters.includes(cluster)) continue;
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as KubeObject;
      const label = o.metadata.labels?.['platform-cdk.io/environment'];
      if (label === undefined ? owner(cluster) === stack : label === stack) out.set(`${cluster}/${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`, o);
    }
  }
  return out;
}

describe('PulumiStack with escape hatches', () => {
  // The fixture estate, deployed once per stack for the file.
  let platform: Platform;
  const deployed = new Map<string, Recorded[]>();
  beforeAll(async () => {
    platform = build();
    for (const name of stackNames(platform)) deployed.set(name, await deploy(platform, name));
  });

  it('registers, per stack, exactly the objects the YAML holds for it, user objects, overrides and transforms included', () => {
    const all = new Set<string>();
    for (const [name, rec] of deployed) {
      const got = registered(rec);
      const expected = yamlObjectsOf(platform, name);
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, object] of got) expect(object).toEqual(expected.get(key));
      for (const key of got.keys()) all.add(key);
    }
    for (const key of [
      'host/v1/ConfigMap/storefront/report-settings',
      'host/batch/v1/CronJob/storefront/report-nightly',
      'member-test/reports.example.com/v1/ReportSchedule/storefront/nightly',
      'member-test/v1/ConfigMap/storefront/shop-contacts',
      'host/rbac.authorization.k8s.io/v1/ClusterRole/-/vendor-reader',
      'host/v1/ConfigMap/vendor-system/vendor-config',
      'member-test/v1/ServiceAccount/monitoring/exporter',
    ]) {
      expect(all.has(key)).toBe(true);
    }
  });

  it('registers the object of every mechanism once, in the stack of its environment, with its cluster\'s provider, as declared', () => {
    // `<cluster>/<Kind>/<namespace>/<name>` → the stacks that register it, and the object registered.
    const stacks = new Map<string, string[]>();
    const objects = new Map<string, KubeObject>();
    for (const [name, rec] of deployed) {
      for (const [key, object] of registered(rec)) {
        const [cluster, ...rest] = key.split('/');
        const short = `${cluster}/${rest[rest.length - 3]}/${rest[rest.length - 2]}/${rest[rest.length - 1]}`;
        stacks.set(short, [...(stacks.get(short) ?? []), name]);
        objects.set(short, object);
      }
    }
    expect(missingMechanisms(objects)).toEqual([]);
    const owner = (cluster: string): string => platform.environments.find((e) => e.clusters.some((c) => c.name === cluster))?.name ?? cluster;
    for (const m of MECHANISMS) {
      const environment = objects.get(m.key)?.metadata.labels?.['platform-cdk.io/environment'] ?? owner(m.key.split('/')[0]);
      expect([m.mechanism, stacks.get(m.key)]).toEqual([m.mechanism, [environment]]);
    }
  });

  // PulumiStack runs the output checks before it registers anything: a user object they refuse is never registered.
  it('refuses a user object the checks refuse (a privileged pod in a restricted namespace), naming its construct path', async () => {
    const platform = build(undefined, 'privileged-pod');
    let error: unknown;
    try {
      await deploy(platform, 'test');
    } catch (e) {
      error = e;
    }
    expect(String(error)).toContain('(from acme/shop/storefront/debug/pod)');
  });

  it('registers a project\'s user objects in its environment\'s stack, with that cluster\'s provider, under the project', () => {
    const rec = deployed.get('test') ?? [];
    const cm = rec.find((r) => r.type === 'kubernetes:core/v1:ConfigMap' && (r.inputs.metadata as { name: string }).name === 'report-settings');
    expect(cm?.provider).toContain('::member-test::');
    expect(rec.some((r) => (r.inputs.metadata as { name?: string } | undefined)?.name === 'vendor-reader')).toBe(false);
    const d = rec.find((r) => r.type === 'kubernetes:apps/v1:Deployment' && (r.inputs.metadata as { name: string }).name === 'web');
    expect(JSON.stringify(d?.inputs)).toContain('"terminationGracePeriodSeconds":45');
    expect(JSON.stringify(d?.inputs)).toContain('"example.com/cost-centre":"retail"');
  });
});
