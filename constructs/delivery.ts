/**
 * How the platform delivers: where the estate's code lives, how a deploy reaches the clusters, which CI system
 * runs the release pipelines and which GitOps tool syncs each cluster's folder. Credentials are referenced by
 * id only; platform-cdk never holds their values.
 */
import * as fs from 'fs';
import * as path from 'path';
import { branchNameProblem } from '../lib/pipelines/identifiers';
import type { ProblemCollector } from '../lib/problems';
import type { Image } from './image';
import { Registry } from './image';
import { checkNoLiteralSecret } from './secrets';
import type { Platform } from './platform';

/** The kind of a credential, as KubeSphere DevOps stores it (a Secret of type `credential.devops.kubesphere.io/<kind>`). */
export enum CredentialKind {
  /** User name and password (or token): Git over HTTPS, a registry. */
  BASIC_AUTH = 'basic-auth',
  /** An SSH private key: Git over SSH. */
  SSH_AUTH = 'ssh-auth',
  /** One secret text: a webhook URL, an API token. */
  SECRET_TEXT = 'secret-text',
  /** A kubeconfig: applying to a cluster. */
  KUBECONFIG = 'kubeconfig',
}

/**
 * A credential, by id. In KubeSphere DevOps it is a Secret of type `credential.devops.kubesphere.io/<kind>` in the
 * tenant's DevOps project, created by an operator; in GitLab CI it is CI/CD variables named after the id
 * (`<ID>_USER` and `<ID>_PASSWORD`, `<ID>_SSH_KEY`, `<ID>_TEXT` or `<ID>_KUBECONFIG`).
 */
export class Credential {
  /**
   * A user name and password (or token).
   * @param id the credential's id
   */
  public static basicAuth(id: string): Credential {
    return new Credential(id, CredentialKind.BASIC_AUTH);
  }

  /**
   * An SSH private key.
   * @param id the credential's id
   */
  public static sshKey(id: string): Credential {
    return new Credential(id, CredentialKind.SSH_AUTH);
  }

  /**
   * One secret text.
   * @param id the credential's id
   */
  public static secretText(id: string): Credential {
    return new Credential(id, CredentialKind.SECRET_TEXT);
  }

  /**
   * A kubeconfig.
   * @param id the credential's id
   */
  public static kubeconfig(id: string): Credential {
    return new Credential(id, CredentialKind.KUBECONFIG);
  }

  private constructor(
    /** The id (a DNS-1123 label: the Secret's name in KubeSphere DevOps). */
    public readonly id: string,
    /** What it holds. */
    public readonly kind: CredentialKind,
  ) {}

  /** The prefix of the GitLab CI/CD variables that hold it: the id in upper case with "_" for "-". */
  public get variablePrefix(): string {
    return this.id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  }

  /** @internal */
  public _check(problems: ProblemCollector, path: string, property: string): void {
    if (typeof this.id !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(this.id)) {
      problems.error({ path, property, value: this.id, message: 'a credential id is a DNS-1123 label (lowercase letters, digits and "-")', fix: 'name the credential like "harbor-robot"' });
    }
  }
}

/** Where a module's (or the estate's) code is: a Git repository, a branch and the credential to read it. */
export interface GitSourceOptions {
  /** The repository URL: `https://…/group/project.git` or `git@host:group/project.git`. */
  readonly repository: string;
  /**
   * The branch that releases.
   * @default "main"
   */
  readonly branch?: string;
  /** The credential to clone (and, for the estate, to push) with. */
  readonly credential: Credential;
}

/** Whether a string is a Git URL (HTTPS or SSH). */
export function isGitUrl(url: unknown): boolean {
  return typeof url === 'string' && (/^https?:\/\/[^\s/@]+(:[0-9]+)?\/[^\s]+?(\.git)?$/.test(url) || /^(ssh:\/\/)?[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:[0-9]+)?[:/][^\s]+?(\.git)?$/.test(url));
}

/**
 * Checks a Git source.
 * @internal
 */
export function checkGitSource(problems: ProblemCollector, path: string, property: string, s: GitSourceOptions | undefined): void {
  if (!s) {
    problems.error({ path, property, value: undefined, message: 'a Git source is needed', fix: 'give { repository: "https://gitlab.example.com/team/app.git", credential: Credential.basicAuth("gitlab") }' });
    return;
  }
  // A URL with credentials (user:token@, ?private_token=, #token=) is reported without the token, and only so.
  const secret = checkNoLiteralSecret(problems, path, `${property}.repository`, s.repository, 'remove the credentials from the URL and give them as a credential reference: credential: Credential.basicAuth("gitlab")');
  if (!secret && !isGitUrl(s.repository)) problems.error({ path, property: `${property}.repository`, value: s.repository, message: 'not a Git URL', fix: 'give an HTTPS URL like "https://gitlab.example.com/team/app.git" or an SSH one like "git@gitlab.example.com:team/app.git"' });
  const branch = s.branch === undefined ? undefined : branchNameProblem(s.branch);
  if (branch) problems.error({ path, property: `${property}.branch`, value: s.branch, message: 'not a Git branch name', fix: 'use a branch like "main" or "release/2.x"' });
  if (!(s.credential instanceof Credential)) problems.error({ path, property: `${property}.credential`, value: s.credential, message: 'a Git source needs a credential reference', fix: 'give credential: Credential.basicAuth("gitlab") (or Credential.sshKey for an SSH URL)' });
  else s.credential._check(problems, path, `${property}.credential`);
}

/** How a deploy step reaches an environment's clusters. */
export enum DeployMethod {
  /** Commit the synthesized output to the estate repository; each cluster's GitOps object syncs its folder. */
  GITOPS = 'gitops',
  /** `kubectl apply` each cluster's folder, with a kubeconfig credential per cluster. */
  KUBECTL = 'kubectl',
  /** `pulumi up --stack <environment>`. */
  PULUMI = 'pulumi',
}

/** Which CI system runs the release pipelines (one or both). */
export enum CiSystem {
  /** KubeSphere DevOps: a `DevOpsProject` per tenant and a `Pipeline` with a Jenkinsfile per module. */
  KUBESPHERE_DEVOPS = 'kubesphere-devops',
  /** GitLab CI: a `.gitlab-ci.yml` per module. */
  GITLAB_CI = 'gitlab-ci',
}

/** Which GitOps tool syncs each cluster's folder. */
export enum GitOpsTool {
  /** KubeSphere's GitOps `Application` (gitops.kubesphere.io, Argo CD underneath), on the host cluster. */
  KUBESPHERE = 'kubesphere',
  /** An Argo CD `Application` in each cluster's folder. */
  ARGO_CD = 'argo-cd',
  /** A Flux `GitRepository` and `Kustomization` in each cluster's folder. */
  FLUX = 'flux',
}

/** The images of the tools the generated pipelines run (pinned versions from named registries). */
export interface ToolImages {
  /**
   * The deploy step's image: Node.js with npm and git (it synthesizes the estate), plus `kubectl` for
   * `DeployMethod.KUBECTL` or for waiting on the rollout (kubeconfigs with GitOps), and `pulumi` for
   * `DeployMethod.PULUMI` — a team's deployer image in those cases.
   * @default docker.io/library/node:20.19.5-bookworm
   */
  readonly node?: Image;
  /**
   * Kaniko, to build images in GitLab CI without a Docker daemon.
   * @default gcr.io/kaniko-project/executor:v1.23.2-debug
   */
  readonly kaniko?: Image;
  /**
   * Trivy, for the image scan.
   * @default docker.io/aquasec/trivy:0.58.1
   */
  readonly trivy?: Image;
}

/** The default tool images. */
export const DEFAULT_TOOL_IMAGES: Required<ToolImages> = {
  node: Registry.at('docker.io').image('library/node', '20.19.5-bookworm'),
  kaniko: Registry.at('gcr.io').image('kaniko-project/executor', 'v1.23.2-debug'),
  trivy: Registry.at('docker.io').image('aquasec/trivy', '0.58.1'),
};

/** How the platform delivers. */
export interface DeliveryOptions {
  /** The repository of the estate's code (this program) and of its synthesized output. */
  readonly estate: GitSourceOptions;
  /**
   * The folder of the synthesized output in the estate repository (what GitOps syncs).
   * @default "dist"
   */
  readonly outdir?: string;
  /**
   * The command that synthesizes the estate in its repository.
   * @default "npm run synth"
   */
  readonly synthCommand?: string;
  /**
   * How a deploy step reaches the clusters.
   * @default DeployMethod.GITOPS
   */
  readonly deployMethod?: DeployMethod;
  /**
   * The kubeconfig credential of each cluster, by cluster name: required for `DeployMethod.KUBECTL`; with
   * `DeployMethod.GITOPS` the deploy step uses them, when given, to wait until the cluster runs the release
   * (so that tests after a deploy test the new version).
   * @default - none
   */
  readonly kubeconfigs?: Record<string, Credential>;
  /**
   * The CI systems the release pipelines are generated for.
   * @default - [CiSystem.KUBESPHERE_DEVOPS] on KubeSphere targets, [CiSystem.GITLAB_CI] on plain Kubernetes
   */
  readonly ci?: CiSystem[];
  /**
   * The GitOps tool that syncs each cluster's folder (`DeployMethod.GITOPS`).
   * @default - GitOpsTool.KUBESPHERE on KubeSphere targets, GitOpsTool.ARGO_CD on plain Kubernetes
   */
  readonly gitops?: GitOpsTool;
  /**
   * The images of the pipelines' tools.
   * @default DEFAULT_TOOL_IMAGES
   */
  readonly toolImages?: ToolImages;
  /**
   * The folder of the release pins in the estate repository: `<folder>/<environment>.json` maps
   * `<tenant>/<project>/<service>` to the image tag released there; a deploy step writes it.
   * @default "releases"
   */
  readonly releasesDir?: string;
}

/** The release pins of one environment, or why they could not be read. */
export interface ReleasePins {
  /** Image tags by `<tenant>/<project>/<service>`. */
  readonly pins?: Readonly<Record<string, string>>;
  /** What is wrong with the file. */
  readonly error?: {
    /** The file. */
    readonly file: string;
    /** What is wrong with it. */
    readonly message: string;
  };
}

/** An image tag (as `Image` checks it). */
const PIN_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** An environment's name: a DNS-1123 label, so that `<environment>.json` is a file name and never a path. */
const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Whether a string can name an environment's release pins file: a DNS-1123 label (no "/", "..", NUL or
 * anything else a path could be made of).
 * @param environment the environment's name
 */
export function isReleaseEnvironmentName(environment: unknown): environment is string {
  return typeof environment === 'string' && ENVIRONMENT_NAME.test(environment);
}

/**
 * The release pins file of an environment, `<dir>/<environment>.json`, or `undefined` when the name is not a
 * DNS-1123 label or the file would not be inside `dir` (through a symbolic link, for instance).
 * @param dir the releases folder
 * @param environment the environment's name
 */
export function releasePinsFile(dir: string, environment: string): string | undefined {
  if (!isReleaseEnvironmentName(environment) || typeof dir !== 'string' || dir.includes('\0')) return undefined;
  const file = path.join(dir, `${environment}.json`);
  const inside = (folder: string, f: string): boolean => {
    const rel = path.relative(folder, f);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.includes(path.sep);
  };
  if (!inside(path.resolve(dir), path.resolve(file))) return undefined;
  // Through links: the real file must be in the real folder too.
  try {
    if (fs.existsSync(file) && !inside(fs.realpathSync(dir), fs.realpathSync(file))) return undefined;
  } catch {
    return undefined;
  }
  return file;
}

/** Where in a JSON text the parser stopped, without quoting the text (the file could be anything). */
function jsonErrorPlace(text: string, e: unknown): string {
  const message = e instanceof Error ? e.message : '';
  const m = /position (\d+)/.exec(message);
  if (!m) return text.trim() === '' ? 'the file is empty' : /end of JSON/i.test(message) ? 'the JSON ends early' : 'a syntax error';
  const at = Number(m[1]);
  const before = text.slice(0, at).split('\n');
  return `a syntax error at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/**
 * Reads `<dir>/<environment>.json` (relative to the working directory), if it exists. Only a file inside `dir`
 * is ever opened: an environment name that is not a DNS-1123 label, or a file that resolves outside `dir`, is an
 * error, and no error quotes the file's bytes.
 * @param dir the releases folder
 * @param environment the environment's name
 */
export function readReleasePins(dir: string, environment: string): ReleasePins {
  const file = releasePinsFile(dir, environment);
  if (file === undefined) {
    return { error: { file: dir, message: `no pins read for environment ${JSON.stringify(String(environment)).slice(0, 80)}: an environment name is a DNS-1123 label naming a file of the releases folder, and the pins file must not lead outside it` } };
  }
  if (!fs.existsSync(file)) return {};
  let text: string;
  try {
    if (!fs.statSync(file).isFile()) return { error: { file, message: 'not a file' } };
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { error: { file, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` } };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: { file, message: `not JSON: ${jsonErrorPlace(text, e)}` } };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || Object.values(data).some((v) => typeof v !== 'string')) {
    return { error: { file, message: 'release pins are a JSON object of "<tenant>/<project>/<service>": "<image tag>"' } };
  }
  // A pinned tag goes into the pod spec as it is: it must be a tag the image checks would accept.
  const bad = Object.entries(data as Record<string, string>).find(([, tag]) => !PIN_TAG.test(tag) || tag === 'latest');
  if (bad) return { error: { file, message: `${JSON.stringify(bad[0])} is pinned to ${JSON.stringify(bad[1])}, which is not an image tag (1-128 letters, digits, "_", "." or "-", not starting with "." or "-", not "latest")` } };
  return { pins: data as Record<string, string> };
}

/**
 * What can be released to an environment, by release key (`<tenant>/<project>/<module>`): the services that
 * run there (a pin sets their image tag) and the modules whose release pipelines deploy there.
 * @param platform the platform
 * @param environment the environment's name
 */
export function releaseKeysOf(platform: Platform, environment: string): Set<string> {
  const keys = new Set<string>();
  for (const t of platform.tenants) {
    for (const p of t.projects) {
      for (const s of p.services) if (s.environments.some((e) => e.name === environment)) keys.add(s.releaseKey);
      for (const pl of p.pipelines) if (pl.environments.some((e) => e.name === environment)) keys.add(pl.releaseKey);
    }
  }
  return keys;
}

/** Why {@link unknownRelease} refuses a release. */
export interface UnknownRelease {
  /** The option at fault: the environment (`env`) or the module (`service`). */
  readonly property: 'env' | 'service';
  /** What is wrong, in the user's terms. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * Why a release of a module to an environment would do nothing, or `undefined` when it is known there: the
 * environment is not one of the platform's (previews take their tags from their own files), or no service or
 * pipeline of that key runs in it. `platform-cdk release` refuses such a release.
 * @param platform the platform
 * @param environment the environment's name
 * @param key the module's release key
 */
export function unknownRelease(platform: Platform, environment: string, key: string): UnknownRelease | undefined {
  const names = platform.environments.map((e) => e.name);
  if (!names.includes(environment)) {
    return { property: 'env', message: `the platform has no environment of this name (environments: ${names.join(', ') || 'none'})`, fix: 'name an environment of the platform (a preview takes its tags from `platform-cdk preview create --images`)' };
  }
  if (releaseKeysOf(platform, environment).has(key)) return undefined;
  const elsewhere = names.filter((e) => e !== environment && releaseKeysOf(platform, e).has(key));
  if (elsewhere.length > 0) return { property: 'service', message: `the module does not run in ${environment} (it runs in: ${elsewhere.join(', ')})`, fix: `release it to an environment it runs in, or place its project in ${environment}` };
  const known = new Set<string>();
  for (const e of names) for (const k of releaseKeysOf(platform, e)) known.add(k);
  const list = [...known].sort();
  return { property: 'service', message: `no service or release pipeline of the platform has this key (modules: ${list.slice(0, 10).join(', ')}${list.length > 10 ? `, and ${list.length - 10} more` : ''}${list.length === 0 ? 'none' : ''})`, fix: 'name a module as <tenant>/<project>/<module>, as its pipeline does' };
}

/**
 * Checks the release pins against the model: a malformed pins file is an error; a pin that matches no service or
 * pipeline of its environment, a pins file of an environment the platform does not have, and pins left unread
 * because the platform does not configure delivery are warnings (synth goes on, and says that they do nothing).
 * @internal
 */
export function checkReleasePins(problems: ProblemCollector, platform: Platform): void {
  const p = platform.node.path;
  const d = platform.delivery;
  const dir = d?.releasesDir ?? 'releases';
  if (typeof dir !== 'string') return;
  let files: string[] = [];
  try {
    if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    files = [];
  }
  if (!d) {
    if (files.length > 0) {
      problems.warning({ path: p, property: 'release pins', value: `${dir}/`, message: `${files.length} release pins ${files.length === 1 ? 'file is' : 'files are'} ignored, because the platform does not configure delivery (pins are read only then)`, fix: 'call platform.configureDelivery({ estate: ... }), or remove the releases folder' });
    }
    return;
  }
  for (const env of platform.environments) {
    if (!isReleaseEnvironmentName(env.name)) continue;
    const pins = readReleasePins(dir, env.name);
    if (pins.error) {
      problems.error({ path: p, property: `release pins of ${env.name}`, value: pins.error.file, message: pins.error.message, fix: 'fix or remove the file; `platform-cdk release` writes it' });
      continue;
    }
    const keys = releaseKeysOf(platform, env.name);
    for (const key of Object.keys(pins.pins ?? {}).sort()) {
      if (keys.has(key)) continue;
      problems.warning({ path: p, property: `release pins of ${env.name}`, value: key, message: `the pin in ${path.join(dir, `${env.name}.json`)} matches no service or release pipeline running in ${env.name}, and does nothing`, fix: 'remove the pin, or correct its <tenant>/<project>/<module> key' });
    }
  }
  const envFiles = new Set(platform.environments.map((e) => `${e.name}.json`));
  for (const f of files) {
    if (envFiles.has(f)) continue;
    problems.warning({ path: p, property: 'release pins', value: path.join(dir, f), message: `the platform has no environment ${f.slice(0, -'.json'.length)}, so these pins do nothing (environments: ${platform.environments.map((e) => e.name).join(', ')})`, fix: 'remove the file, or rename it after an environment' });
  }
}

/**
 * The release pins of an environment after releasing one service at a tag, as the file's text (sorted keys).
 * @param current the current pins
 * @param key the service's key
 * @param tag the released tag
 */
export function releasePinsText(current: Readonly<Record<string, string>>, key: string, tag: string): string {
  const next: Record<string, string> = { ...current, [key]: tag };
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(next).sort()) sorted[k] = next[k];
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/**
 * Checks the delivery options against the platform.
 * @internal
 */
export function checkDelivery(problems: ProblemCollector, platform: Platform, d: DeliveryOptions): void {
  const p = platform.node.path;
  checkGitSource(problems, p, 'delivery.estate', d.estate);
  if (d.deployMethod !== undefined && !Object.values(DeployMethod).includes(d.deployMethod)) problems.error({ path: p, property: 'delivery.deployMethod', value: d.deployMethod, message: 'unknown deploy method', fix: 'use DeployMethod.GITOPS, KUBECTL or PULUMI' });
  if (d.gitops !== undefined && !Object.values(GitOpsTool).includes(d.gitops)) problems.error({ path: p, property: 'delivery.gitops', value: d.gitops, message: 'unknown GitOps tool', fix: 'use GitOpsTool.KUBESPHERE, ARGO_CD or FLUX' });
  else if (d.gitops === GitOpsTool.KUBESPHERE && platform.target === 'kubernetes') problems.error({ path: p, property: 'delivery.gitops', value: d.gitops, message: 'the plain Kubernetes target has no KubeSphere GitOps', fix: 'use GitOpsTool.ARGO_CD or GitOpsTool.FLUX on plain Kubernetes' });
  for (const [i, ci] of (d.ci ?? []).entries()) {
    if (!Object.values(CiSystem).includes(ci)) problems.error({ path: p, property: `delivery.ci[${i}]`, value: ci, message: 'unknown CI system', fix: 'use CiSystem.KUBESPHERE_DEVOPS or CiSystem.GITLAB_CI' });
  }
  for (const [k, v] of [['outdir', d.outdir], ['releasesDir', d.releasesDir]] as const) {
    if (v !== undefined && (typeof v !== 'string' || v === '' || path.isAbsolute(v) || v.split(/[\\/]/).includes('..'))) {
      problems.error({ path: p, property: `delivery.${k}`, value: v, message: 'a folder of the estate repository, relative to its root', fix: `use a relative folder such as "${k === 'outdir' ? 'dist' : 'releases'}"` });
    }
  }
  if (d.synthCommand !== undefined && (typeof d.synthCommand !== 'string' || d.synthCommand.trim() === '' || /[\n\r]/.test(d.synthCommand))) {
    problems.error({ path: p, property: 'delivery.synthCommand', value: d.synthCommand, message: 'the synth command is one line', fix: 'use e.g. "npm run synth"' });
  }
  for (const [name, cred] of Object.entries(d.kubeconfigs ?? {})) {
    if (!platform.findCluster(name)) problems.error({ path: p, property: `delivery.kubeconfigs[${JSON.stringify(name)}]`, value: name, message: `no cluster of the platform has this name (clusters: ${platform.clusters.map((c) => c.name).join(', ')})`, fix: 'key kubeconfigs by cluster name' });
    if (!(cred instanceof Credential) || cred.kind !== CredentialKind.KUBECONFIG) problems.error({ path: p, property: `delivery.kubeconfigs[${JSON.stringify(name)}]`, value: cred instanceof Credential ? cred.kind : cred, message: 'a kubeconfig credential is needed', fix: `use Credential.kubeconfig("${name}-kubeconfig")` });
    else cred._check(problems, p, `delivery.kubeconfigs[${JSON.stringify(name)}]`);
  }
  if ((d.deployMethod ?? DeployMethod.GITOPS) === DeployMethod.KUBECTL) {
    // Every cluster a deploy step applies to: those of the environments.
    for (const c of platform.clusters.filter((x) => platform.environments.some((e) => e.clusters.includes(x)))) {
      if (!d.kubeconfigs?.[c.name]) problems.error({ path: p, property: `delivery.kubeconfigs[${JSON.stringify(c.name)}]`, value: undefined, message: `deploying with kubectl needs a kubeconfig credential for cluster ${c.name}`, fix: `add kubeconfigs: { ${JSON.stringify(c.name)}: Credential.kubeconfig("${c.name}-kubeconfig") }` });
    }
  }
  const tools = { ...DEFAULT_TOOL_IMAGES, ...d.toolImages };
  for (const [k, img] of Object.entries(tools)) img._check(problems, p, `delivery.toolImages.${k}`);
}
