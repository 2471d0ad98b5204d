import * as path from 'path';
import type { Platform } from '../constructs/platform';
import { planPlatform } from '../lib/plan';
import { formatProblem, Problem, ValidationError } from '../lib/problems';
import { renderPlatform, RenderedPlatform } from '../lib/render';
import { validatePlatform } from '../lib/validate';
import { writeTreeAtomically } from '../lib/write';
import { toYamlDocument } from '../lib/yaml';

/** Properties of a {@link ManifestStack}. */
export interface ManifestStackProps {
  /**
   * The output folder. It is replaced whole by each synthesis.
   * @default - `$CDK8S_OUTDIR` when set (as `cdk8s synth` sets it), else `dist`
   */
  readonly outdir?: string;
}

/** What one cluster's folder holds. */
export interface SynthesizedCluster {
  /** The cluster's name, which is also its folder's name. */
  readonly cluster: string;
  /** The files written, relative to the output folder, in apply order. */
  readonly files: readonly string[];
  /** The number of objects written. */
  readonly objectCount: number;
}

/** The result of a synthesis. */
export interface SynthResult {
  /** The output folder (absolute). */
  readonly outdir: string;
  /** Each cluster's folder, sorted by cluster name. */
  readonly clusters: readonly SynthesizedCluster[];
  /** Problems that did not stop synthesis. */
  readonly warnings: readonly Problem[];
  /** The number of objects written in all. */
  readonly objectCount: number;
}

/** The file of a cluster's cluster-scoped objects (namespaces, workspaces); named to sort, and apply, first. */
export const CLUSTER_SCOPED_FILE = '00-cluster.yaml';

/**
 * Kubernetes YAML per cluster, for GitOps (Argo CD, Flux) and CI: one folder per cluster under the output
 * folder, holding `00-cluster.yaml` (namespaces and other cluster-scoped objects) and one
 * `10-<namespace>.yaml` per namespace, so that `kubectl apply -f <folder>` applies them in order.
 *
 * The model is validated first and every problem reported at once; nothing is written when it is invalid.
 * The folder is written atomically, and the same program always writes the same bytes.
 *
 * @example
 * new ManifestStack(platform).synth();
 */
export class ManifestStack {
  /** The output folder (absolute). */
  public readonly outdir: string;

  /**
   * @param platform the estate to synthesize
   * @param props where to write
   */
  constructor(
    /** The estate to synthesize. */
    public readonly platform: Platform,
    props: ManifestStackProps = {},
  ) {
    this.outdir = path.resolve(props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  }

  /** Checks the model; returns every problem (errors and warnings) without writing anything. */
  public check(): Problem[] {
    return validatePlatform(this.platform);
  }

  /** Validates, then renders one cdk8s chart per cluster. Throws a `ValidationError` listing every error. */
  public render(): RenderedPlatform {
    return this.validatedRender().rendered;
  }

  /** Validates and renders, and returns the files that `synth()` would write, by path relative to the output folder. */
  public files(): Map<string, string> {
    return this.layout(this.render()).files;
  }

  /** Validates, renders and writes the output folder. Throws a `ValidationError` (and writes nothing) when the model is invalid. */
  public synth(): SynthResult {
    const { problems, rendered } = this.validatedRender();
    const { files, clusters } = this.layout(rendered);
    writeTreeAtomically(this.outdir, files, clusters.map((c) => c.cluster));
    return {
      outdir: this.outdir,
      clusters,
      warnings: problems,
      objectCount: clusters.reduce((n, c) => n + c.objectCount, 0),
    };
  }

  private validatedRender(): { problems: Problem[]; rendered: RenderedPlatform } {
    const plan = planPlatform(this.platform);
    const problems = validatePlatform(this.platform, plan);
    if (problems.some((p) => p.severity === 'error')) throw new ValidationError(problems);
    return { problems, rendered: renderPlatform(this.platform, plan) };
  }

  private layout(rendered: RenderedPlatform): { files: Map<string, string>; clusters: SynthesizedCluster[] } {
    const files = new Map<string, string>();
    const clusters: SynthesizedCluster[] = [];
    for (const rc of rendered.clusters) {
      const docs = new Map<string, string[]>();
      for (const o of rc.objects) {
        const json = o.toJson();
        const ns = json.metadata.namespace;
        const file = `${rc.cluster.name}/${ns === undefined ? CLUSTER_SCOPED_FILE : `10-${ns}.yaml`}`;
        let list = docs.get(file);
        if (!list) docs.set(file, (list = []));
        list.push(toYamlDocument(json));
      }
      const names = [...docs.keys()].sort();
      for (const f of names) files.set(f, (docs.get(f) as string[]).join('---\n'));
      clusters.push({ cluster: rc.cluster.name, files: names, objectCount: rc.objects.length });
    }
    for (const [f, text] of [...rendered.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) files.set(f, text);
    return { files, clusters };
  }
}

/**
 * The entry point of a synthesis program (`main.ts`): writes the YAML and prints a summary. When the model is
 * invalid it prints every problem, writes nothing, and sets the process's exit code to 1 instead of throwing,
 * so the user sees the problems and not a stack trace.
 * @param platform the estate
 * @param props where to write
 * @returns the result, or `undefined` when the model was invalid
 */
export function synthesizeApp(platform: Platform, props: ManifestStackProps = {}): SynthResult | undefined {
  try {
    const result = new ManifestStack(platform, props).synth();
    for (const w of result.warnings) process.stderr.write(`${formatProblem(w)}\n`);
    const where = path.relative(process.cwd(), result.outdir) || '.';
    process.stdout.write(`platform-cdk: ${result.objectCount} objects for ${result.clusters.length} clusters written to ${where}/\n`);
    for (const c of result.clusters) {
      process.stdout.write(`  ${c.cluster}/  ${c.objectCount} objects in ${c.files.length} files\n`);
    }
    return result;
  } catch (e) {
    if (e instanceof ValidationError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw e;
  }
}
