import * as path from 'path';
import type { Cluster } from '../constructs/cluster';
import type { Platform } from '../constructs/platform';
import { callerFileOf, isEntryFile } from '../lib/entry';
import { INSTALL_FOLDER, installFiles } from '../lib/install';
import { environmentOf, KubeObject, ManifestOrigin } from '../lib/manifest';
import { gitlabCiFiles } from '../lib/delivery';
import { ClusterPlan, planPlatform, StackScope, stackIncludes, stackScope } from '../lib/plan';
import { formatProblem, Problem, ValidationError } from '../lib/problems';
import { renderClusters, renderGroups, renderPlatform, RenderedObject, RenderedPlatform, strayObjects } from '../lib/render';
import { validatePlatform } from '../lib/validate';
import { whileModelFrozen } from '../lib/frozen-model';
import { checkedObjectsOf, formatFinding, hasErrors, platformChecker } from '../lib/check';
import type { Checker, CheckResult } from '../lib/check';
import { OutputWriteError, UnsafeOutputFolderError, writeTreeAtomically } from '../lib/write';
import { toYamlStream } from '../lib/yaml';

/** Properties of a {@link ManifestStack}. */
export interface ManifestStackProps {
  /**
   * The output folder. It is replaced whole by each synthesis.
   * @default - `$CDK8S_OUTDIR` when set (as `cdk8s synth` sets it), else `dist`
   */
  readonly outdir?: string;
  /**
   * Write only this environment's objects (on its clusters), as `PulumiStack` deploys them: its namespaces, and
   * the cluster-wide objects of the clusters it owns.
   * @default - every environment
   */
  readonly environment?: string;
  /**
   * Write only this cluster's folder.
   * @default - every cluster
   */
  readonly cluster?: string;
  /**
   * Called before each cluster is rendered (progress output).
   * @default - nothing is called
   */
  readonly onCluster?: (cluster: string, index: number, total: number) => void;
  /**
   * Called with every object of each cluster once the cluster is rendered, before its files are written and
   * before the checks see them. Return `false` to stop the synthesis: the remaining clusters are still rendered
   * and inspected, so that every finding is known, and then `synth()` throws a {@link SynthesisStopped} and writes
   * nothing. Called for every cluster, also outside `cluster` and `environment`.
   * @default - nothing is called
   */
  readonly inspect?: (cluster: Cluster, objects: readonly RenderedObject[]) => boolean;
  /**
   * Whether `synth()` and `files()` check every object before anything is written: its schema (strict), the policy
   * rules of its environment's profile, and tenant isolation (docs/checks.md) — the checks of `platform-cdk synth`
   * and `validate`. An error finding stops the synthesis with a {@link ChecksFailed} listing every finding, and
   * nothing is written. `false` skips them: the output is written unchecked, and the result's warnings (and
   * `check()`) say so.
   * @default true
   */
  readonly checks?: boolean;
  /**
   * More CRD folders for the schema checks, e.g. the KubeSphere 4.1 CRDs (not shipped).
   * @default - none
   */
  readonly crdDirs?: readonly string[];
  /**
   * The program that synthesizes (its file): its folder and that folder's ancestors are never an output folder
   * (see `checkOutputFolder`).
   * @default - the running script (`process.argv[1]`)
   */
  readonly program?: string;
}

/**
 * A synthesis stopped before anything was written: by its `inspect` hook (see {@link ManifestStackProps.inspect}), or,
 * as a {@link ChecksFailed}, by its checks.
 */
export class SynthesisStopped extends Error {
  /**
   * @param clusters the clusters whose inspection stopped the synthesis
   */
  constructor(
    /** The clusters whose inspection stopped the synthesis. */
    public readonly clusters: readonly string[],
  ) {
    super(`the synthesis was stopped by the inspection of ${clusters.join(', ')}; nothing was written`);
    this.name = 'SynthesisStopped';
  }
}

/**
 * A synthesis stopped by its checks (see {@link ManifestStackProps.checks}): schema, policy or isolation errors.
 * Nothing was written, and the previous output is unchanged. The message lists every error finding.
 */
export class ChecksFailed extends SynthesisStopped {
  /**
   * @param clusters the clusters whose objects gave error findings (`-` for a finding of no one cluster)
   * @param result every finding of the checks, warnings and waived ones included
   */
  constructor(
    clusters: readonly string[],
    /** Every finding of the checks, warnings and waived ones included. */
    public readonly result: CheckResult,
  ) {
    super(clusters);
    const errors = result.findings.filter((f) => f.severity === 'error' && f.waived === undefined);
    this.message = `the checks of the output found ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was written:\n${errors.map((f) => `  - ${formatFinding(f)}`).join('\n')}`;
    this.name = 'ChecksFailed';
  }
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
  /** Problems that did not stop synthesis (with `checks: false`, one that says the output was not checked). */
  readonly warnings: readonly Problem[];
  /**
   * What the checks found: warnings and waived findings only, since an error stops the synthesis. `undefined` when
   * the checks were skipped (`checks: false`).
   */
  readonly checks?: CheckResult;
  /** The number of objects written in all. */
  readonly objectCount: number;
  /**
   * Every file written, relative to the output folder: the clusters' objects, the GitLab CI files (`_gitlab-ci/`) and
   * the installation files (`_install/<cluster>/`: KubeKey files, ks-core values, InstallPlans; docs/install.md).
   */
  readonly files: readonly string[];
}

/** The file of a cluster's cluster-scoped objects (namespaces, workspaces); named to sort, and apply, first. */
export const CLUSTER_SCOPED_FILE = '00-cluster.yaml';

/**
 * Kubernetes YAML per cluster, for GitOps (Argo CD, Flux) and CI: one folder per cluster under the output
 * folder, holding `00-cluster.yaml` (namespaces and other cluster-scoped objects) and one
 * `10-<namespace>.yaml` per namespace, so that `kubectl apply -f <folder>` applies them in order. Beside them,
 * `_install/<cluster>/` holds what installs each cluster and KubeSphere on it (KubeKey file, ks-core values, the
 * host's InstallPlans), outside every folder a GitOps tool syncs.
 *
 * The model is validated first and every problem reported at once; nothing is written when it is invalid.
 * Then every object is checked as its cluster is rendered — schema, policy rules, tenant isolation, as
 * `platform-cdk synth` and `validate` do — and nothing is written when a check finds an error (`checks: false`
 * opts out). The folder is written atomically, never into a folder that may hold anything but an earlier output
 * (`checkOutputFolder`), and the same program always writes the same bytes.
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
    this.props = props;
  }

  private readonly props: ManifestStackProps;

  /**
   * Checks the model; returns every problem (errors and warnings) without writing anything. With `checks: false`, a
   * warning says that the output is not checked.
   */
  public check(): Problem[] {
    return [...validatePlatform(this.platform), ...this.skipped()];
  }

  /** The warning that the checks are skipped, when they are. */
  private skipped(): Problem[] {
    if (this.props.checks !== false) return [];
    return [{ severity: 'warning', path: this.platform.node.path, property: 'checks', value: false, message: 'the schema, policy and isolation checks are skipped: the output is written unchecked', fix: 'remove `checks: false` (or `--no-check`) so that every object is checked before it is written' }];
  }

  /** Validates, then renders one cdk8s chart per cluster. Throws a `ValidationError` listing every error. */
  public render(): RenderedPlatform {
    return renderPlatform(this.platform, this.validated().plan, { onCluster: this.props.onCluster });
  }

  /**
   * Validates, renders and checks, and returns the files that `synth()` would write, by path relative to the output
   * folder (the output marker aside). Throws a `ValidationError` when the model is invalid and a {@link ChecksFailed}
   * when a check finds an error.
   */
  public files(): Map<string, string> {
    return whileModelFrozen(() => this.filesFrozen());
  }

  private filesFrozen(): Map<string, string> {
    const files = new Map<string, string>();
    this.produce(this.validated(), (f, text) => void files.set(f, text));
    return files;
  }

  /**
   * Validates, renders, checks and writes the output folder. Writes nothing, and leaves the previous output as it
   * was, when the model is invalid (a `ValidationError`), when a check finds an error (a {@link ChecksFailed}), or
   * when the output folder may hold anything but an earlier output (an `UnsafeOutputFolderError`, thrown before
   * anything is rendered).
   *
   * Without `rendered`, the objects are rendered, checked, written as YAML and released one cluster at a time
   * (with `checks: false`, one namespace at a time), straight into the staging folder that replaces the output
   * folder at the end (see `writeTreeAtomically`), so that memory does not hold the whole estate; the files are the
   * same bytes either way. With `rendered`, its objects (JSON patches and all) are what is checked and written.
   * @param rendered a render of this stack's platform made already (by `render()`, perhaps changed with JSON
   *   patches), so that it is not made twice
   */
  public synth(rendered?: RenderedPlatform): SynthResult {
    return whileModelFrozen(() => this.synthFrozen(rendered));
  }

  /** {@link synth} with the model frozen from its validation to its last file (`lib/frozen-model.ts`). */
  private synthFrozen(rendered?: RenderedPlatform): SynthResult {
    let checked: Checked;
    if (rendered) {
      checked = { problems: [...this.check(), ...strayObjects(rendered)], scope: this.scope(), plan: rendered.clusters.map((c) => c.plan) };
      if (checked.problems.some((p) => p.severity === 'error')) throw new ValidationError(checked.problems);
    } else checked = this.validated();
    const { problems, scope, plan } = checked;
    const dirs = plan.filter((p) => inScope(p, scope)).map((p) => p.cluster.name);
    const written: string[] = [];
    let clusters: SynthesizedCluster[] = [];
    let result: CheckResult | undefined;
    writeTreeAtomically(
      this.outdir,
      (write, append) => {
        ({ clusters, checks: result } = this.produce(checked, (f, text) => {
          written.push(f);
          write(f, text);
        }, rendered, append));
      },
      dirs,
      { program: this.props.program },
    );
    // The clusters' files (written as they came when streamed) first, each folder's sorted, then the others in order.
    const clusterFiles = clusters.flatMap((c) => c.files);
    const inClusters = new Set(clusterFiles);
    return {
      outdir: this.outdir,
      clusters,
      files: [...clusterFiles, ...written.filter((f) => !inClusters.has(f))],
      warnings: [...problems, ...this.skipped()],
      checks: result,
      objectCount: clusters.reduce((n, c) => n + c.objectCount, 0),
    };
  }

  /** The environment and cluster the output is limited to; unknown names are a validation error. */
  private scope(): Scope {
    const { environment, cluster } = this.props;
    const problems: Problem[] = [];
    const p = this.platform;
    const scope = environment !== undefined ? stackScope(p, environment) : undefined;
    if (environment !== undefined && (!scope || !scope.environment)) {
      problems.push({ severity: 'error', path: p.node.path, property: 'environment', value: environment, message: `no environment of the platform has this name (environments: ${p.environments.map((e) => e.name).join(', ')})`, fix: 'name an environment of the platform' });
    }
    if (cluster !== undefined && !p.findCluster(cluster)) {
      problems.push({ severity: 'error', path: p.node.path, property: 'cluster', value: cluster, message: `no cluster of the platform has this name (clusters: ${p.clusters.map((c) => c.name).join(', ')})`, fix: 'name a cluster of the platform' });
    }
    if (problems.length > 0) throw new ValidationError(problems);
    return { environment: scope, cluster };
  }

  /** Plans and validates; throws a `ValidationError` listing every error. */
  private validated(): Checked {
    const plan = planPlatform(this.platform);
    const problems = validatePlatform(this.platform, plan);
    if (problems.some((p) => p.severity === 'error')) throw new ValidationError(problems);
    return { problems, scope: this.scope(), plan };
  }

  /**
   * Makes the output's files and hands each to `write` in order: each cluster's folder (its files sorted), the
   * GitLab CI files, then the installation files. From `rendered` when given (its objects' JSON, patches applied),
   * else rendered and written as they come: a cluster at a time when they are inspected or checked, else one
   * namespace at a time. Returns the clusters' folders and what the checks found (`undefined` when skipped); throws
   * a {@link ChecksFailed} when a check finds an error, once every cluster is checked.
   *
   * With `append` (and neither inspection nor checks), each namespace's file is written as soon as its group is
   * rendered, not when its cluster is done (a later group of the same file is appended to it), so that no cluster's
   * text is held; a cluster's files are then handed to `write` in the order rendered rather than sorted.
   */
  private produce(checked: Checked, write: (file: string, content: string) => void, rendered?: RenderedPlatform, append?: (file: string, content: string) => void): { clusters: SynthesizedCluster[]; checks?: CheckResult } {
    const { scope, plan } = checked;
    const clusters: SynthesizedCluster[] = [];
    const include = (cluster: ClusterPlan, origin: ManifestOrigin): boolean => !scope.environment || stackIncludes(this.platform, scope.environment, cluster.cluster, environmentOf(origin));
    const inspect = this.props.inspect;
    // The checks: one checker for the whole estate, built (with its schemas) when the first cluster is rendered.
    let checker: Checker | undefined;
    const check = this.props.checks === false ? undefined : (): Checker => (checker ??= platformChecker(this.platform, { crdDirs: this.props.crdDirs }));
    const stopped: string[] = [];
    const failed: string[] = [];
    /** Inspects and checks a whole cluster's objects, then writes its folder unless the synthesis is stopped. */
    const whole = (cluster: ClusterPlan, objects: readonly RenderedObject[]): void => {
      const name = cluster.cluster.name;
      if (inspect && !inspect(cluster.cluster, objects)) stopped.push(name);
      if (check && !check().add(checkedObjectsOf(this.platform, name, objects))) failed.push(name);
      if (stopped.length > 0 || failed.length > 0 || !inScope(cluster, scope)) return;
      const folder = new ClusterFolder(name);
      for (const r of objects) if (include(cluster, r.origin)) folder.add(r.object);
      clusters.push(folder.finish(write));
    };
    let ciFiles: ReadonlyMap<string, string>;
    if (rendered) {
      for (const rc of rendered.clusters) whole(rc.plan, rc.objects.map((o) => ({ object: o.toJson(), origin: o.origin })));
      ciFiles = rendered.files;
    } else if (inspect || check) {
      // The inspection and the checks see a whole cluster at once: its objects are held until the cluster is rendered.
      renderClusters(this.platform, plan, { onCluster: this.props.onCluster }, (cluster, groups) => whole(cluster, groups.flatMap((g) => g.objects)));
      ciFiles = gitlabCiFiles(this.platform);
    } else {
      // Each group is written as YAML as soon as it is rendered, and released.
      let folder: ClusterFolder | undefined;
      renderGroups(this.platform, plan, { onCluster: this.props.onCluster }, {
        group: (cluster, group) => {
          if (!inScope(cluster, scope)) return;
          folder ??= new ClusterFolder(cluster.cluster.name, append && { write, append });
          for (const r of group.objects) if (include(cluster, r.origin)) folder.add(r.object);
          folder.groupDone();
        },
        clusterDone: (cluster) => {
          if (!inScope(cluster, scope)) return;
          clusters.push((folder ?? new ClusterFolder(cluster.cluster.name)).finish(write));
          folder = undefined;
        },
      });
      ciFiles = gitlabCiFiles(this.platform);
    }
    // Isolation is known once every cluster is seen: an error anywhere stops the synthesis before the last files.
    const result = checker?.result();
    if (result && hasErrors(result.findings)) {
      const where = [...new Set(result.findings.filter((f) => f.severity === 'error' && f.waived === undefined).map((f) => f.cluster))].sort();
      throw new ChecksFailed(where, result);
    }
    if (stopped.length > 0) throw new SynthesisStopped(stopped);
    for (const [f, text] of [...ciFiles.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) write(f, text);
    // Installation files of the clusters in scope (the host's InstallPlans go with the host).
    const names = new Set(clusters.map((c) => c.cluster));
    for (const [f, text] of installFiles(this.platform, plan)) {
      if (names.has(f.slice(INSTALL_FOLDER.length + 1).split('/')[0])) write(f, text);
    }
    return { clusters, checks: result };
  }
}

/** The environment and cluster a stack is limited to. */
interface Scope {
  readonly environment?: StackScope;
  readonly cluster?: string;
}

/** A validated model's problems (warnings only), scope and plan. */
interface Checked {
  readonly problems: Problem[];
  readonly scope: Scope;
  readonly plan: readonly ClusterPlan[];
}

/** Whether a cluster's folder is written in a scope. */
function inScope(plan: ClusterPlan, scope: Scope): boolean {
  if (scope.cluster !== undefined && plan.cluster.name !== scope.cluster) return false;
  return !scope.environment || scope.environment.clusters.includes(plan.cluster);
}

/**
 * One cluster's folder as it is made. The objects of a group (a namespace's, or a whole cluster's when it is inspected
 * or checked) are held by file until the group is complete, then written as one YAML stream per file; when streamed,
 * that text goes to its file at once (appended after a `---` to a file that an earlier group wrote), else it is held
 * until the cluster is finished.
 */
class ClusterFolder {
  /** When not streamed, each file's text so far: one YAML stream per group that had objects in it. */
  private readonly texts = new Map<string, string[]>();
  /** Each namespace's file (`undefined` for the cluster-scoped objects), made once. */
  private readonly fileNames = new Map<string | undefined, string>();
  /** The objects of the group being made, by file. */
  private readonly objects = new Map<string, KubeObject[]>();
  /** The files written so far, when streamed. */
  private readonly streamed = new Set<string>();
  private count = 0;

  /**
   * @param cluster the cluster's name
   * @param stream where each group's files go as soon as the group is complete; without it, they are held until
   *   {@link finish}
   */
  constructor(
    private readonly cluster: string,
    private readonly stream?: { readonly write: (file: string, content: string) => void; readonly append: (file: string, content: string) => void },
  ) {}

  /** Adds an object to its file: `00-cluster.yaml` when it is cluster-scoped, else `10-<namespace>.yaml`. */
  public add(object: KubeObject): void {
    this.count++;
    const ns = object.metadata.namespace;
    let file = this.fileNames.get(ns);
    if (file === undefined) {
      file = `${this.cluster}/${ns === undefined ? CLUSTER_SCOPED_FILE : `10-${ns}.yaml`}`;
      this.fileNames.set(ns, file);
    }
    let objects = this.objects.get(file);
    if (!objects) this.objects.set(file, (objects = []));
    objects.push(object);
  }

  /**
   * Says that a group of objects is complete: its documents are written as one YAML stream per file (one string, not
   * one per document joined again) and the objects released; when streamed, the text goes to its file at once.
   */
  public groupDone(): void {
    for (const [file, objects] of this.objects) {
      const text = toYamlStream(objects);
      if (!this.stream) {
        const texts = this.texts.get(file);
        if (texts) texts.push(text);
        else this.texts.set(file, [text]);
      } else if (this.streamed.has(file)) this.stream.append(file, `---\n${text}`);
      else {
        this.stream.write(file, text);
        this.streamed.add(file);
      }
    }
    this.objects.clear();
  }

  /** Hands the folder's files to `write`, sorted by name (when streamed: the rest), and sums the folder up. */
  public finish(write: (file: string, content: string) => void): SynthesizedCluster {
    this.groupDone();
    if (this.stream) return { cluster: this.cluster, files: [...this.streamed].sort(), objectCount: this.count };
    const names = [...this.texts.keys()].sort();
    for (const f of names) {
      const texts = this.texts.get(f) as string[];
      write(f, texts.length === 1 ? texts[0] : texts.join('---\n'));
    }
    return { cluster: this.cluster, files: names, objectCount: this.count };
  }
}

/**
 * The lines that sum a synthesis up: the objects per cluster folder, then the GitLab CI files (`_gitlab-ci/`) and the
 * installation files (`_install/`) when there are some.
 * @param result the synthesis
 * @param cwd the folder the output's path is shown relative to
 */
export function synthSummary(result: SynthResult, cwd: string = process.cwd()): string[] {
  const where = path.relative(cwd, result.outdir) || '.';
  const lines = [`platform-cdk: ${result.objectCount} objects for ${result.clusters.length} clusters written to ${where}/`];
  for (const c of result.clusters) lines.push(`  ${c.cluster}/  ${c.objectCount} objects in ${c.files.length} files`);
  const ci = result.files.filter((f) => f.startsWith('_gitlab-ci/')).length;
  if (ci > 0) lines.push(`  _gitlab-ci/  ${ci} GitLab CI files for the modules' repositories`);
  const install = result.files.filter((f) => f.startsWith(`${INSTALL_FOLDER}/`));
  if (install.length > 0) {
    const n = new Set(install.map((f) => f.split('/')[1])).size;
    lines.push(`  ${INSTALL_FOLDER}/  ${install.length} installation files for ${n} ${n === 1 ? 'cluster' : 'clusters'} (KubeKey, KubeSphere; docs/install.md)`);
  }
  return lines;
}

/**
 * The entry point of a synthesis program (`main.ts`): checks and writes the YAML (as `ManifestStack.synth()`) and
 * prints a summary. When the model is invalid or a check finds an error it prints every problem or finding, writes
 * nothing, and sets the process's exit code to 1 instead of throwing, so the user sees the problems and not a stack
 * trace; when the output folder is refused (`UnsafeOutputFolderError`) it prints why and sets the exit code to 2
 * (usage).
 *
 * Given the `build` function rather than a platform (`synthesizeApp(build);` at the end of `main.ts`), it builds
 * and synthesizes only when the file that calls it is the program being run (`tsx main.ts`, `cdk8s synth`), and
 * does nothing when the file is imported (by `platform-cdk synth`, the cdk8s validation plugin, a Pulumi program
 * or a test). This works alike in CommonJS and ECMAScript-module (`"type": "module"`) projects, where
 * `require.main === module` does not exist.
 * @param platform the estate, or the function that builds it
 * @param props where to write
 * @returns the result, or `undefined` when nothing was written (or, given a function, when the calling file
 *   is not the program being run)
 */
export function synthesizeApp(platform: Platform | (() => Platform), props: ManifestStackProps = {}): SynthResult | undefined {
  if (typeof platform === 'function') {
    const caller = callerFileOf(synthesizeApp);
    if (caller === undefined || !isEntryFile(caller)) return undefined;
  }
  try {
    const result = new ManifestStack(typeof platform === 'function' ? platform() : platform, props).synth();
    for (const w of result.warnings) process.stderr.write(`${formatProblem(w)}\n`);
    for (const line of synthSummary(result)) process.stdout.write(`${line}\n`);
    return result;
  } catch (e) {
    if (e instanceof UnsafeOutputFolderError) {
      process.stderr.write(`platform-cdk: error: ${e.message}\n`);
      process.exitCode = 2;
      return undefined;
    }
    if (e instanceof ValidationError || e instanceof OutputWriteError || e instanceof ChecksFailed) {
      process.stderr.write(`${e instanceof ValidationError ? '' : 'platform-cdk: '}${e.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw e;
  }
}
