/**
 * Pulumi's own mocks for the tests (there is no Pulumi CLI or cluster in CI): every resource a program registers is
 * recorded with its type, name, inputs and provider.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { ManifestStack, stackNames, stackScope } from 'platform-cdk';
import type { KubeObject, Platform } from 'platform-cdk';

/** One registered resource. */
export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider: string;
}

/**
 * Turns off Pulumi's source positions for the rest of the test file: every resource Pulumi constructs captures the
 * whole call stack (`new Error().stack` with no depth limit, parsed frame by frame) to tell the engine where it was
 * declared, and under jest every stack is source-mapped frame by frame, which made registering a resource several
 * times slower than in plain node. Under the mocks there is no engine to tell.
 */
export function skipSourcePositions(): void {
  (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
}

/**
 * Mocks that record into `recorded`, and return each resource's inputs as its state. Source positions are
 * skipped (see `skipSourcePositions`).
 */
export function recordingMocks(recorded: Recorded[]): pulumi.runtime.Mocks {
  skipSourcePositions();
  return {
    newResource(args) {
      recorded.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, provider: args.provider ?? '' });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
      return args.inputs;
    },
  };
}

/** Mocks that return each resource's inputs as its state, and each call's inputs. */
export const echoMocks: pulumi.runtime.Mocks = {
  newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
  call: (args) => args.inputs,
};

/** The module `platform-cdk/pulumi`, loaded after the mocks are set. */
export type PulumiModule = typeof import('platform-cdk/pulumi');

/**
 * Sets Pulumi's mocks for this test file (before `platform-cdk/pulumi`, and with it `@pulumi/kubernetes`, is
 * loaded), loads that module before the file's tests and disconnects the runtime after each test.
 * @param mocks the mocks (default: `echoMocks`)
 * @returns the loaded module, for the tests
 */
export function usePulumiMocks(mocks: pulumi.runtime.Mocks = echoMocks): () => PulumiModule {
  pulumi.runtime.setMocks(mocks, 'platform-cdk-test', 'production', false);
  let mod: PulumiModule | undefined;
  beforeAll(async () => {
    mod = await import('platform-cdk/pulumi');
  });
  afterEach(async () => {
    await pulumi.runtime.disconnect();
  });
  return () => {
    if (!mod) throw new Error('platform-cdk/pulumi is loaded before the tests run');
    return mod;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// What the PulumiStack test files share (test/stacks/pulumi-stack*.test.ts): one mocks runtime per file, the YAML
// each estate writes (synthesized once), and how to read what a stack registered.
// ---------------------------------------------------------------------------------------------------------------

/** An object of the YAML output, with its cluster. */
export interface YamlObject {
  readonly cluster: string;
  readonly object: KubeObject;
}

/** The key of an object: `<cluster>/<apiVersion>/<kind>/<namespace or ->/<name>` (as `objectKey`). */
export const keyOf = (cluster: string, o: KubeObject): string => `${cluster}/${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`;

/** The configuration that connects each cluster through a context of its own name. */
export const contexts = (...clusters: string[]): Record<string, string> => Object.fromEntries(clusters.map((c) => [`platform-cdk:context-${c}`, c]));

/** The cluster a provider URN reference (`urn::id`) names: providers are named after their cluster. */
export function providerCluster(ref: string): string {
  const urn = ref.slice(0, ref.lastIndexOf('::'));
  return urn.slice(urn.lastIndexOf('::') + 2);
}

/** A registered Kubernetes object as it would be written (the field-manager annotation removed), with its cluster. */
export function registeredObject(r: Recorded): YamlObject | undefined {
  if (!r.type.startsWith('kubernetes:')) return undefined;
  const object = JSON.parse(JSON.stringify(r.inputs)) as KubeObject;
  const annotations = object.metadata.annotations ?? {};
  delete annotations['pulumi.com/patchFieldManager'];
  if (Object.keys(annotations).length === 0) delete object.metadata.annotations;
  return { cluster: providerCluster(r.provider), object };
}

/** The Kubernetes objects registered, as they would be written (the field-manager annotation removed), by key. */
export function registeredObjects(rec: readonly Recorded[]): Map<string, YamlObject> {
  const out = new Map<string, YamlObject>();
  for (const r of rec) {
    const y = registeredObject(r);
    if (y) out.set(keyOf(y.cluster, y.object), y);
  }
  return out;
}

/**
 * Deploys every stack of a platform under recording mocks, one after the other, and gathers what they registered,
 * by key, with every key registered more than once (and the stack that registered it again).
 * @param platform the platform
 * @param mod the loaded `platform-cdk/pulumi`
 * @param mocks the recording mocks
 * @param recorded what the mocks record into
 * @param project the Pulumi project's name
 */
export async function registeredByAllStacks(platform: Platform, mod: PulumiModule, mocks: pulumi.runtime.Mocks, recorded: Recorded[], project: string): Promise<{ objects: Map<string, KubeObject>; duplicates: string[] }> {
  const objects = new Map<string, KubeObject>();
  const duplicates: string[] = [];
  for (const stack of stackNames(platform)) {
    recorded.length = 0;
    pulumi.runtime.setMocks(mocks, project, stack, false);
    pulumi.runtime.setAllConfig(contexts(...(stackScope(platform, stack)?.clusters.map((c) => c.name) ?? [])), []);
    const s = new mod.PulumiStack(platform);
    for (const [, o] of s.objects) await new Promise((resolve) => o.resource.urn.apply(resolve));
    await pulumi.runtime.disconnect();
    for (const r of recorded) {
      const y = registeredObject(r);
      if (!y) continue;
      const key = keyOf(y.cluster, y.object);
      if (objects.has(key)) duplicates.push(`${key} (stack ${stack})`);
      objects.set(key, y.object);
    }
  }
  return { objects, duplicates };
}

/** The YAML objects of each platform synthesized so far (so that no estate is synthesized twice). */
const yamlOf = new WeakMap<Platform, YamlObject[]>();

/** Every object of a platform's YAML output (CI and installation files aside), synthesized once. */
export function yamlObjects(platform: Platform): YamlObject[] {
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

/** The `spec` of each object the YAML output writes on one cluster, by `<kind>/<name>`. */
export function specsOn(platform: Platform, cluster: string): Map<string, unknown> {
  return new Map(yamlObjects(platform).filter((y) => y.cluster === cluster).map((y) => [`${y.object.kind}/${y.object.metadata.name}`, (y.object as { spec?: unknown }).spec]));
}

/**
 * What the YAML output holds for a stack, worked out from the files alone: objects labelled with the stack's
 * environment on the environment's clusters, and unlabelled objects of clusters the stack owns (the first
 * environment that spans a cluster owns its cluster-wide objects; a cluster in no environment owns itself).
 */
export function yamlObjectsOf(platform: Platform, objects: readonly YamlObject[], stack: string): Map<string, KubeObject> {
  const env = platform.environments.find((e) => e.name === stack);
  const owner = (cluster: string): string => platform.environments.find((e) => e.clusters.some((c) => c.name === cluster))?.name ?? cluster;
  const clusters = env ? env.clusters.map((c) => c.name) : [stack];
  const out = new Map<string, KubeObject>();
  for (const { cluster, object: o } of objects) {
    if (!clusters.includes(cluster)) continue;
    // An object labelled with an environment that does not run on its cluster (e.g. KubeSphere 4.1's alert routing
    // on the host, labelled with the tenant's environment) goes with its cluster's stack.
    const label = o.metadata.labels?.['platform-cdk.io/environment'];
    const labelled = label !== undefined && platform.environments.some((e) => e.name === label && e.clusters.some((c) => c.name === cluster));
    if (labelled ? label === stack : owner(cluster) === stack) out.set(keyOf(cluster, o), o);
  }
  return out;
}

/** The stack of a platform with the fewest objects, among those whose objects pass `filter` (if any does). */
export function smallestStack(platform: Platform, objects: readonly YamlObject[], filter: (objects: KubeObject[]) => boolean = () => true): string {
  const sized = stackNames(platform).map((name) => ({ name, objects: [...yamlObjectsOf(platform, objects, name).values()] }));
  const kept = sized.filter((x) => filter(x.objects));
  return (kept.length > 0 ? kept : sized).sort((a, b) => a.objects.length - b.objects.length || (a.name < b.name ? -1 : 1))[0].name;
}

/** The repository's root. */
export const ROOT = path.resolve(__dirname, '..');

/** The examples with a `main.ts`, by folder name. */
export function exampleNames(): string[] {
  return fs.readdirSync(path.join(ROOT, 'examples')).filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'main.ts'))).sort();
}

/** The platform of each example, built once. */
const examplePlatforms = new Map<string, Platform>();

/** The platform an example's `build()` makes, built once per test file. */
export function examplePlatform(name: string): Platform {
  let p = examplePlatforms.get(name);
  if (!p) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    p = (require(path.join(ROOT, 'examples', name, 'main.ts')) as { build: () => Platform }).build();
    examplePlatforms.set(name, p);
  }
  return p;
}

/** The examples' Pulumi programs: each example with a `Pulumi.yaml`, and each of its `Pulumi.<stack>.yaml`. */
export function pulumiPrograms(): (readonly [string, string])[] {
  return fs
    .readdirSync(path.join(ROOT, 'examples'))
    .filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'Pulumi.yaml')))
    .flatMap((d) =>
      fs
        .readdirSync(path.join(ROOT, 'examples', d))
        .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
        .map((f) => [d, f.slice('Pulumi.'.length, -'.yaml'.length)] as const),
    );
}

/** What a deployment under the mocks gives: the stack, each object's URN, and every resource registered. */
export interface Deployed {
  readonly stack: import('../pulumi').PulumiStack;
  readonly urns: Map<string, string>;
  readonly recorded: Recorded[];
}

/**
 * One mocks runtime for a test file: `load()` (in `beforeAll`) loads `platform-cdk/pulumi` after the mocks are set,
 * as Pulumi requires; `deploy` runs a PulumiStack as a stack and returns what it registered.
 */
export class PulumiHarness {
  /** Every resource registered since the last `deploy` began. */
  public readonly recorded: Recorded[] = [];
  /** The mocks. */
  public readonly mocks: pulumi.runtime.Mocks;
  private loaded?: typeof import('../pulumi');

  /** @param project the Pulumi project's name */
  constructor(public readonly project: string) {
    this.mocks = recordingMocks(this.recorded);
    pulumi.runtime.setMocks(this.mocks, project, 'test', false);
  }

  /** Loads `platform-cdk/pulumi` (and `@pulumi/kubernetes`) once. */
  public async load(): Promise<typeof import('../pulumi')> {
    this.loaded ??= await import('platform-cdk/pulumi');
    return this.loaded;
  }

  /** The loaded module (after `load()`). */
  public get mod(): typeof import('../pulumi') {
    if (!this.loaded) throw new Error('PulumiHarness.load() first');
    return this.loaded;
  }

  /** Makes `stack` the current stack with the given configuration. */
  public select(stack: string, config: Record<string, string> = {}, secretKeys: string[] = []): void {
    this.recorded.length = 0;
    pulumi.runtime.setMocks(this.mocks, this.project, stack, false);
    pulumi.runtime.setAllConfig(config, secretKeys);
  }

  /** Runs a PulumiStack as stack `stack` with the given configuration and returns what was registered. */
  public async deploy(platform: Platform, stack: string, config: Record<string, string>, secretKeys: string[] = [], props: import('../pulumi').PulumiStackProps = {}): Promise<Deployed> {
    this.select(stack, config, secretKeys);
    // The documented path (`PulumiStack.create`, registering in its window); the constructor's is compared with it in
    // pulumi-window.test.ts.
    const s = await this.mod.PulumiStack.create(platform, props);
    const urns = new Map<string, string>();
    await Promise.all([...s.objects].map(([key, o]) => new Promise<void>((resolve) => o.resource.urn.apply((urn) => void resolve(void urns.set(key, urn))))));
    return { stack: s, urns: new Map([...s.objects.keys()].map((k) => [k, urns.get(k) as string])), recorded: [...this.recorded] };
  }
}

/**
 * Runs an example's Pulumi program as a stack, with the configuration of its `Pulumi.<stack>.yaml`, and returns what
 * it exports. The program runs anew (its module is evaluated again), on the modules the test file loaded already:
 * loading Pulumi and the library again for each program is most of what running it costs. cdk8s, constructs and
 * cdk8s-plus-27 too: a program's own constructs (connected-vehicle's CronJob) must resolve with the classes the
 * library resolves them with, as in one process outside jest.
 * @param harness the test file's mocks runtime
 * @param example the example's folder name
 * @param stackName the stack
 */
export async function runProgram(harness: PulumiHarness, example: string, stackName: string): Promise<{ clusters?: string[]; objectCount?: number }> {
  await harness.load();
  const dir = path.join(ROOT, 'examples', example);
  const project = parseYaml(fs.readFileSync(path.join(dir, 'Pulumi.yaml'), 'utf8')) as { main: string };
  const stackConfig = (parseYaml(fs.readFileSync(path.join(dir, `Pulumi.${stackName}.yaml`), 'utf8')) as { config: Record<string, string> }).config;
  harness.select(stackName, stackConfig, []);
  let exported: { clusters?: string[]; objectCount?: number } = {};
  for (const name of ['@pulumi/pulumi', '@pulumi/kubernetes', 'platform-cdk', 'platform-cdk/pulumi', 'cdk8s', 'constructs', 'cdk8s-plus-27']) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(name) as unknown;
    jest.doMock(name, () => loaded);
  }
  let program: unknown;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    program = require(path.join(dir, project.main)) as unknown;
  });
  // A program that exports a function is run as Pulumi runs it: called, and its result awaited as the outputs.
  exported = (typeof program === 'function' ? await (program as () => Promise<unknown>)() : program) as typeof exported;
  return exported;
}
