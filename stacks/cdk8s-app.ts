/**
 * A platform in an existing cdk8s `App`: one chart per cluster, holding exactly the objects `ManifestStack` writes
 * (user constructs, overrides and transforms included, checked), in the order it writes them, so that the App's
 * `synth()` writes them beside the App's own charts and cdk8s `Testing.synth(chart)` shows what is written.
 *
 * Two forms: `new Platform(app, 'estate', props)` (the charts are made when the App is synthesized, from the model as
 * it is then), and `addPlatformCharts(app, platform)` for a platform built on its own (the charts are made at once).
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { Platform } from '../constructs/platform';
import { formatFinding } from '../lib/check';
import { ManifestObject } from '../lib/manifest';
import { formatProblem, ValidationError } from '../lib/problems';
import { ChecksFailed, CLUSTER_SCOPED_FILE, ManifestStack, ManifestStackProps } from './manifest-stack';

/** Options of {@link addPlatformCharts}. */
export interface PlatformChartsOptions extends Pick<ManifestStackProps, 'checks' | 'crdDirs'> {
  /**
   * The prefix of the charts' ids (a chart per cluster: `<prefix>-<cluster>`).
   * @default - the platform's id
   */
  readonly prefix?: string;
}

/**
 * Adds a platform's output to an existing cdk8s App: one chart per cluster (`<platform>-<cluster>`), its objects in
 * the order `ManifestStack` writes them (the cluster-scoped objects, then each namespace's, by the name of its file),
 * each namespace's under a construct named after it. The model is validated and the objects checked first, as
 * `ManifestStack.synth()` does: a `ValidationError` or a `ChecksFailed` is thrown and nothing is added. An object added
 * to these charts afterwards is refused when the App is synthesized (no other output would have it).
 *
 * For a platform created in the App (`new Platform(app, id, props)`), use {@link PlatformCharts.of} instead: its charts
 * are added when the App is synthesized.
 * @param app the cdk8s App (or any construct a chart may live in)
 * @param platform the estate
 * @param options the checks, more CRD folders, the charts' prefix
 * @returns the charts, sorted by cluster name
 * @example
 * const app = new App();
 * new MyChart(app, 'mine');
 * addPlatformCharts(app, build());
 * app.synth();
 */
export function addPlatformCharts(app: Construct, platform: Platform, options: PlatformChartsOptions = {}): Chart[] {
  if (PlatformCharts.of(platform)) {
    throw new ValidationError([{ severity: 'error', path: platform.node.path, property: 'app', value: undefined, message: 'the platform was created in a cdk8s App already, which adds its charts when it is synthesized', fix: 'use PlatformCharts.of(platform).charts to reach them, or create the platform with new Platform(id, props)' }]);
  }
  return makeCharts(app, platform, options.prefix ?? platform.node.id, options);
}

/**
 * What a platform created in a cdk8s App (`new Platform(app, 'estate', props)`) is in that App: a construct of the
 * platform's id that adds one chart per cluster (`<platform>-<cluster>`) beside itself when the App is synthesized
 * (`app.synth()`, `app.synthYaml()`, `Testing.synth(chart)` of any chart of the App), from the model as it is then.
 * The model is validated, rendered and checked by the pipeline of `ManifestStack` (user constructs, overrides,
 * transforms, then the schema, policy and isolation checks); a problem or error finding fails the App's synthesis
 * with cdk8s's validation error listing each, and nothing is written. The Platform stays the root of its own
 * construct tree: its construct paths (`estate/shop/storefront`) are the same in an App as outside one.
 */
export class PlatformCharts extends Construct {
  /**
   * The construct a platform created in a cdk8s App has there, or `undefined` for a platform created on its own.
   * @param platform the platform
   */
  public static of(platform: Platform): PlatformCharts | undefined {
    return ATTACHED.get(platform);
  }

  private made?: Chart[];

  /**
   * Called by `new Platform(app, id, props)`.
   * @param scope the App (or a construct in it) the charts are added to
   * @param platform the platform, whose id this construct takes
   * @internal
   */
  constructor(
    scope: Construct,
    /** The platform whose charts these are. */
    public readonly platform: Platform,
  ) {
    super(scope, platform.node.id);
    ATTACHED.set(platform, this);
    this.node.addValidation({
      validate: () => {
        // Charts made here are fresh; charts made before (through `charts`) check themselves for strays.
        try {
          void this.charts;
          return [];
        } catch (e) {
          if (e instanceof ValidationError) return e.problems.filter((p) => p.severity === 'error').map(formatProblem);
          if (e instanceof ChecksFailed) return e.result.findings.filter((f) => f.severity === 'error' && f.waived === undefined).map(formatFinding);
          throw e;
        }
      },
    });
  }

  /**
   * The platform's charts, one per cluster, sorted by cluster name: made (validated, rendered, checked) the first
   * time they are asked for or the App is synthesized. Throws a `ValidationError` or a `ChecksFailed` when the model
   * is invalid or a check finds an error.
   */
  public get charts(): Chart[] {
    this.made ??= makeCharts(this.node.scope as Construct, this.platform, this.node.id, {});
    return [...this.made];
  }
}

const ATTACHED = new WeakMap<Platform, PlatformCharts>();

/** The charts themselves; each refuses, when the App is synthesized, an object added to it later. */
function makeCharts(scope: Construct, platform: Platform, prefix: string, options: Pick<ManifestStackProps, 'checks' | 'crdDirs'>): Chart[] {
  const stack = new ManifestStack(platform, { checks: options.checks, crdDirs: options.crdDirs, outdir: 'unused' });
  if (options.checks !== false) stack.files();
  const rendered = stack.render();
  return rendered.clusters.map((rc) => {
    const chart = new Chart(scope, `${prefix}-${rc.cluster.name}`, { disableResourceNameHashes: true });
    // The order of the files ManifestStack writes: 00-cluster.yaml, then 10-<namespace>.yaml by name; in each, as rendered.
    const file = (o: ManifestObject): string => (o.manifest.metadata.namespace === undefined ? CLUSTER_SCOPED_FILE : `10-${o.manifest.metadata.namespace}.yaml`);
    const objects = rc.objects.map((o, i) => ({ o, i, f: file(o) })).sort((a, b) => (a.f < b.f ? -1 : a.f > b.f ? 1 : a.i - b.i));
    const own = new Set<IConstruct>();
    for (const { o } of objects) {
      const ns = o.manifest.metadata.namespace;
      const parent = ns === undefined ? chart : (chart.node.tryFindChild(ns) as Construct | undefined) ?? new Construct(chart, ns);
      own.add(new ManifestObject(parent, o.node.id, o.toJson(), o.origin));
    }
    OWN.set(chart, own);
    chart.node.addValidation({ validate: () => strays([chart]) });
    return chart;
  });
}

const OWN = new WeakMap<Chart, Set<IConstruct>>();

/** The objects added to a platform's charts outside the pipeline, as messages naming their construct paths. */
function strays(charts: readonly Chart[]): string[] {
  const out: string[] = [];
  for (const chart of charts) {
    const own = OWN.get(chart);
    for (const c of chart.node.findAll()) {
      if (!ApiObject.isApiObject(c) || own?.has(c)) continue;
      out.push(formatProblem({ severity: 'error', path: c.node.path, property: 'chart', value: `${c.kind} ${c.name}`, message: `the object was added to the platform's chart ${chart.node.id} outside the pipeline, so it would be written unchecked, and no other output would have it`, fix: 'declare it on the model with project.addManifests, tenant.addManifests or cluster.addManifests (docs/escape-hatches.md), or put it in a chart of your own' }));
    }
  }
  return out;
}
