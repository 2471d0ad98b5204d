/**
 * A platform in an existing cdk8s `App`: one chart per cluster, holding exactly the objects `ManifestStack` writes
 * (user constructs, overrides and transforms included, checked), so that the App's `synth()` writes them beside the
 * App's own charts and cdk8s `Testing.synth(chart)` shows what is written.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Platform } from '../constructs/platform';
import { ManifestObject } from '../lib/manifest';
import { ManifestStack, ManifestStackProps } from './manifest-stack';

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
 * install order, each namespace's under a construct named after it. The model is validated and the objects checked
 * first, as `ManifestStack.synth()` does: a `ValidationError` or a `ChecksFailed` is thrown and nothing is added.
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
export function addPlatformCharts(app: App | Construct, platform: Platform, options: PlatformChartsOptions = {}): Chart[] {
  const stack = new ManifestStack(platform, { checks: options.checks, crdDirs: options.crdDirs, outdir: 'unused' });
  if (options.checks !== false) stack.files();
  const rendered = stack.render();
  const prefix = options.prefix ?? platform.node.id;
  return rendered.clusters.map((rc) => {
    const chart = new Chart(app, `${prefix}-${rc.cluster.name}`, { disableResourceNameHashes: true });
    for (const o of rc.objects) {
      const ns = o.manifest.metadata.namespace;
      const scope = ns === undefined ? chart : (chart.node.tryFindChild(ns) as Construct | undefined) ?? new Construct(chart, ns);
      new ManifestObject(scope, o.node.id, o.toJson(), o.origin);
    }
    return chart;
  });
}
