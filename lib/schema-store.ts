/**
 * The schemas a project keeps for its checks, in `.platform-cdk/`: the KubeSphere 4.1 CRDs, which platform-cdk
 * cannot ship (their licence carries commercial-use conditions), fetched once from a folder or a cluster with
 * `platform-cdk schemas fetch`, and the Kubernetes schema version (`platform-cdk schemas use`). The checks
 * (`validate`, `synth`, `cdk8s synth`'s plugin and the API's `checkPlatform`/`checkRendered`) use them by default,
 * through `rememberedSchemas`.
 *
 * Layout, relative to the project (the folder the commands run in, where `cdk8s.yaml` is):
 *
 * ```text
 * .platform-cdk/schemas.json                  {"kubernetes": "1.27", "kubesphere-4.1": {"folder": "schemas/kubesphere-4.1", ...}}
 * .platform-cdk/schemas/kubesphere-4.1/*.yaml one CustomResourceDefinition per file, <group>_<plural>.yaml
 * ```
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Target } from '../constructs/platform';
import { toYamlDocument } from './yaml';
import type { JsonObject } from './yaml';

/** The folder of a project where platform-cdk keeps what it fetched. */
export const PROJECT_FOLDER = '.platform-cdk';
/** The settings file, relative to the project. */
export const SCHEMA_SETTINGS_FILE = path.join(PROJECT_FOLDER, 'schemas.json');
/** Where `schemas fetch` stores the KubeSphere 4.1 CRDs, relative to `.platform-cdk/`. */
export const KUBESPHERE_V4_STORE = path.posix.join('schemas', 'kubesphere-4.1');
/** The Kubernetes schema version used when the project names none. */
export const DEFAULT_KUBERNETES_VERSION = '1.27';
/** The folder of the shipped Kubernetes definitions, one `v<major>.<minor>.<patch>/` per version. */
const KUBERNETES_SCHEMAS = path.join(__dirname, '..', 'schemas', 'kubernetes');

/** A problem with the schemas' settings or a fetch: said in one line, with the fix. */
export class SchemaStoreError extends Error {
  /**
   * @param message what is wrong, with the value received
   * @param fix how to put it right
   */
  constructor(message: string, public readonly fix: string) {
    super(`${message}. Fix: ${fix}`);
    this.name = 'SchemaStoreError';
  }
}

/** `.platform-cdk/schemas.json`. */
export interface SchemaSettings {
  /**
   * The Kubernetes schema version, `<major>.<minor>`, one of `kubernetesVersions()`.
   * @default '1.27'
   */
  readonly kubernetes?: string;
  /** The KubeSphere 4.1 CRDs fetched, when they were. */
  readonly 'kubesphere-4.1'?: {
    /** Their folder, relative to `.platform-cdk/`. */
    readonly folder: string;
    /** Where they came from: a folder, or a cluster (with its kubeconfig context, if one was named). */
    readonly source: 'folder' | 'cluster';
    /** How many CRDs were stored. */
    readonly crds: number;
  };
}

/** The schemas the checks of a target use in a project, beyond the ones platform-cdk ships. */
export interface RememberedSchemas {
  /** The CRD folders fetched into the project for the target (absolute); none when nothing was fetched. */
  readonly crdDirs: readonly string[];
  /** The Kubernetes definitions file of the project's Kubernetes version (absolute). */
  readonly kubernetesDefinitions: string;
  /** The Kubernetes schema version. */
  readonly kubernetesVersion: string;
}

/** The Kubernetes schema versions shipped, as `<major>.<minor>`, oldest first. */
export function kubernetesVersions(): string[] {
  if (!fs.existsSync(KUBERNETES_SCHEMAS)) return [];
  return fs
    .readdirSync(KUBERNETES_SCHEMAS)
    .map((d) => /^v(\d+)\.(\d+)\.\d+$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(KUBERNETES_SCHEMAS, m[0], '_definitions.json')))
    .sort((a, b) => Number(a[1]) - Number(b[1]) || Number(a[2]) - Number(b[2]))
    .map((m) => `${m[1]}.${m[2]}`);
}

/**
 * The shipped Kubernetes definitions of a version.
 * @param version `<major>.<minor>` (or `<major>.<minor>.<patch>`, `v` in front allowed)
 */
export function kubernetesDefinitionsOf(version: string): string {
  const m = /^v?(\d+)\.(\d+)(\.\d+)?$/.exec(version.trim());
  const shipped = kubernetesVersions();
  const wanted = m ? `${Number(m[1])}.${Number(m[2])}` : undefined;
  if (wanted === undefined || !shipped.includes(wanted)) {
    throw new SchemaStoreError(`the Kubernetes schema version ${JSON.stringify(version)} is not shipped (shipped: ${shipped.join(', ')})`, `choose one of ${shipped.join(', ')}`);
  }
  const folder = fs.readdirSync(KUBERNETES_SCHEMAS).find((d) => d.startsWith(`v${wanted}.`)) as string;
  return path.join(KUBERNETES_SCHEMAS, folder, '_definitions.json');
}

/**
 * Reads `.platform-cdk/schemas.json` of a project; `{}` when there is none.
 * @param project the project's folder
 */
export function readSchemaSettings(project: string = process.cwd()): SchemaSettings {
  const file = path.join(project, SCHEMA_SETTINGS_FILE);
  if (!fs.existsSync(file)) return {};
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SchemaStoreError(`${SCHEMA_SETTINGS_FILE} is not valid JSON (${(e as Error).message})`, 'repair it, or remove it and run `platform-cdk schemas fetch` again');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SchemaStoreError(`${SCHEMA_SETTINGS_FILE} holds ${JSON.stringify(value)}, not an object`, 'repair it, or remove it and run `platform-cdk schemas fetch` again');
  }
  const settings = value as SchemaSettings;
  if (settings.kubernetes !== undefined && typeof settings.kubernetes !== 'string') {
    throw new SchemaStoreError(`${SCHEMA_SETTINGS_FILE}: kubernetes is ${JSON.stringify(settings.kubernetes)}, not a version`, `set it with \`platform-cdk schemas use --kubernetes ${DEFAULT_KUBERNETES_VERSION}\``);
  }
  const ks = settings['kubesphere-4.1'];
  if (ks !== undefined && (typeof ks !== 'object' || ks === null || typeof ks.folder !== 'string' || path.isAbsolute(ks.folder) || ks.folder.split(/[\\/]/).includes('..'))) {
    throw new SchemaStoreError(`${SCHEMA_SETTINGS_FILE}: kubesphere-4.1 is ${JSON.stringify(ks)}; its folder must be a path inside ${PROJECT_FOLDER}/`, 'run `platform-cdk schemas fetch` again');
  }
  return settings;
}

/**
 * The schemas a project remembers for a target's checks: the KubeSphere 4.1 CRDs when `schemas fetch` stored
 * them (for the KubeSphere 4.1 target), and the Kubernetes definitions of its version (1.27 unless
 * `schemas use --kubernetes` chose another).
 * @param target the platform's target
 * @param project the project's folder
 */
export function rememberedSchemas(target: Target, project: string = process.cwd()): RememberedSchemas {
  const settings = readSchemaSettings(project);
  const kubernetesVersion = settings.kubernetes ?? DEFAULT_KUBERNETES_VERSION;
  const crdDirs: string[] = [];
  const ks = settings['kubesphere-4.1'];
  if (target === Target.KUBESPHERE_V4_1 && ks !== undefined) {
    // A folder that is gone (a fresh clone that does not commit it) is left out: the checks then warn
    // `schema-missing` for the KubeSphere kinds, with the command that fetches them again.
    const dir = path.resolve(project, PROJECT_FOLDER, ks.folder);
    if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) crdDirs.push(dir);
  }
  return { crdDirs, kubernetesDefinitions: kubernetesDefinitionsOf(kubernetesVersion), kubernetesVersion };
}

/** Whether an API group is KubeSphere's (its CRDs are the ones `schemas fetch` stores). */
export function isKubeSphereGroup(group: string): boolean {
  return group === 'kubesphere.io' || group.endsWith('.kubesphere.io') || group === 'app.k8s.io';
}

/** One CRD to store: its file name and text. */
interface StoredCrd {
  readonly file: string;
  readonly text: string;
  /** Where it was found, for messages. */
  readonly from: string;
  /** `<group>/<version> <kind>` of every served version. */
  readonly kinds: readonly string[];
}

type Crd = { kind?: unknown; metadata?: { name?: string }; spec?: { group?: string; names?: { plural?: string; kind?: string }; versions?: { name: string; served?: boolean }[] } };

function crdOf(value: unknown): { group: string; plural: string; kinds: string[] } | undefined {
  const crd = value as Crd | null;
  if (crd === null || typeof crd !== 'object' || crd.kind !== 'CustomResourceDefinition') return undefined;
  const group = crd.spec?.group;
  const plural = crd.spec?.names?.plural;
  if (typeof group !== 'string' || typeof plural !== 'string' || !isKubeSphereGroup(group)) return undefined;
  const kinds = (crd.spec?.versions ?? []).filter((v) => v.served !== false).map((v) => `${group}/${v.name} ${crd.spec?.names?.kind}`);
  return { group, plural, kinds };
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(path.join(d, e.name));
      } else if (/\.ya?ml$/.test(e.name)) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

/** Adds a CRD to the set; the same CRD found twice must be the same text. */
function addCrd(found: Map<string, StoredCrd>, crd: StoredCrd): void {
  const before = found.get(crd.file);
  if (before === undefined) found.set(crd.file, crd);
  else if (before.text !== crd.text) {
    throw new SchemaStoreError(`two different CRDs ${crd.file.replace(/\.yaml$/, '')} were found, in ${before.from} and in ${crd.from}`, 'point --from at the CRD folder of one KubeSphere release (e.g. config/ks-core/charts/ks-crds/crds of a kubesphere checkout)');
  }
}

/**
 * The KubeSphere CRDs in the YAML files of a folder and its sub-folders (a KubeSphere release checkout, or a folder
 * of CRD files): a file with one CRD is taken as it is, byte for byte; the CRDs of a file of several documents are
 * taken one by one.
 * @param from the folder
 */
export function kubeSphereCrdsInFolder(from: string): StoredCrd[] {
  if (!fs.existsSync(from) || !fs.statSync(from).isDirectory()) {
    throw new SchemaStoreError(`--from: ${from} is not a folder`, 'pass the folder that holds the KubeSphere 4.1 CRD files, e.g. config/ks-core/charts/ks-crds/crds of a kubesphere checkout');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof import('yaml');
  const found = new Map<string, StoredCrd>();
  for (const file of yamlFilesUnder(from)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('CustomResourceDefinition')) continue;
    let docs: ReturnType<typeof yaml.parseAllDocuments>;
    try {
      docs = yaml.parseAllDocuments(text);
    } catch {
      continue;
    }
    const list = Array.isArray(docs) ? docs : [];
    const nonEmpty = list.filter((d) => d.contents !== null);
    for (const doc of nonEmpty) {
      // Read as the checks read it (SchemaValidator): some upstream CRD files have YAML the strict parser warns
      // about, and still give the right object.
      let value: unknown;
      let own: string;
      try {
        value = doc.toJS();
        own = nonEmpty.length === 1 ? text : String(doc).replace(/^---\n/, '');
      } catch {
        continue;
      }
      const crd = crdOf(value);
      if (!crd) continue;
      addCrd(found, { file: `${crd.group}_${crd.plural}.yaml`, text: own, from: path.relative(from, file) || file, kinds: crd.kinds });
    }
  }
  return [...found.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** The fields the API server fills in, left out of a CRD read from a cluster. */
function cleanClusterCrd(item: JsonObject): JsonObject {
  const metadata = (item.metadata ?? {}) as JsonObject;
  const annotations = { ...((metadata.annotations ?? {}) as JsonObject) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  const kept: JsonObject = { name: metadata.name ?? null };
  if (metadata.labels !== undefined) kept.labels = metadata.labels;
  if (Object.keys(annotations).length > 0) kept.annotations = annotations;
  return { apiVersion: item.apiVersion ?? 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: kept, spec: item.spec ?? null };
}

/**
 * The KubeSphere CRDs of a cluster, read with `kubectl get crd -o yaml` (the kubeconfig kubectl finds, and a
 * context of it when one is named).
 * @param context the kubeconfig context of the cluster (KubeSphere's host), or the current one
 * @param kubectl the kubectl command
 */
export function kubeSphereCrdsInCluster(context?: string, kubectl: string = 'kubectl'): StoredCrd[] {
  const args = ['get', 'crd', '-o', 'yaml', ...(context !== undefined ? ['--context', context] : [])];
  const run = spawnSync(kubectl, args, { encoding: 'utf8', env: process.env, maxBuffer: 512 * 1024 * 1024 });
  if (run.error !== undefined) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SchemaStoreError(
      missing ? 'kubectl was not found on PATH; --from-cluster reads the CRDs with `kubectl get crd -o yaml`' : `kubectl could not be run: ${run.error.message}`,
      'install kubectl with a kubeconfig that reaches the KubeSphere host cluster, or fetch from a folder with --from <folder>',
    );
  }
  if (run.status !== 0) {
    const why = (run.stderr || run.stdout || '').trim().split('\n')[0] || `exit code ${run.status}`;
    throw new SchemaStoreError(`\`kubectl ${args.join(' ')}\` failed: ${why}`, 'check --context and that your kubeconfig reaches the KubeSphere host cluster (`kubectl get crd` must work)');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof import('yaml');
  let list: unknown;
  try {
    list = yaml.parse(run.stdout);
  } catch (e) {
    throw new SchemaStoreError(`kubectl's output is not YAML (${(e as Error).message})`, 'run `kubectl get crd -o yaml` yourself and check what it prints');
  }
  const items = ((list as { items?: unknown } | null)?.items ?? []) as unknown[];
  const found = new Map<string, StoredCrd>();
  for (const item of Array.isArray(items) ? items : []) {
    const crd = crdOf(item);
    if (!crd) continue;
    addCrd(found, { file: `${crd.group}_${crd.plural}.yaml`, text: toYamlDocument(cleanClusterCrd(item as JsonObject)), from: context === undefined ? 'the current context' : `context ${context}`, kinds: crd.kinds });
  }
  return [...found.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** What `fetchKubeSphereCrds` stored. */
export interface FetchResult {
  /** The folder the CRDs are in (absolute). */
  readonly folder: string;
  /** The files stored, by name. */
  readonly files: readonly string[];
  /** Kinds the KubeSphere 4.1 target writes that the CRDs do not define (a sign they are of another release). */
  readonly missingKinds: readonly string[];
}

/** Kinds the KubeSphere 4.1 target writes, and that its CRDs must define. */
const KUBESPHERE_V4_KINDS = ['tenant.kubesphere.io/v1beta1 WorkspaceTemplate', 'cluster.kubesphere.io/v1alpha1 Cluster', 'iam.kubesphere.io/v1beta1 WorkspaceRoleBinding'];

/** Writes a file through a temporary file and a rename. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * Stores KubeSphere 4.1 CRDs in a project (`.platform-cdk/schemas/kubesphere-4.1/`, replacing what was there) and
 * records them in `.platform-cdk/schemas.json`, so that the checks use them from then on.
 * @param crds the CRDs, from `kubeSphereCrdsInFolder` or `kubeSphereCrdsInCluster`
 * @param source where they came from
 * @param project the project's folder
 */
export function storeKubeSphereCrds(crds: readonly StoredCrd[], source: 'folder' | 'cluster', project: string = process.cwd()): FetchResult {
  if (crds.length === 0) {
    throw new SchemaStoreError(
      source === 'folder' ? 'no KubeSphere CRD (a CustomResourceDefinition of a kubesphere.io group) was found there' : 'the cluster has no KubeSphere CRD (a CustomResourceDefinition of a kubesphere.io group)',
      source === 'folder' ? 'pass the CRD folder of a KubeSphere 4.1 release, e.g. config/ks-core/charts/ks-crds/crds of a kubesphere checkout' : 'name the context of the KubeSphere host cluster with --context',
    );
  }
  const settings = readSchemaSettings(project);
  const root = path.join(project, PROJECT_FOLDER);
  const folder = path.join(root, KUBESPHERE_V4_STORE);
  fs.mkdirSync(path.dirname(folder), { recursive: true });
  // Into a staging folder first, then swapped in: a failed fetch leaves the CRDs stored before.
  const staging = `${folder}.${process.pid}.staging`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging);
  for (const c of crds) fs.writeFileSync(path.join(staging, c.file), c.text.endsWith('\n') ? c.text : `${c.text}\n`);
  const old = `${folder}.${process.pid}.old`;
  if (fs.existsSync(folder)) fs.renameSync(folder, old);
  fs.renameSync(staging, folder);
  fs.rmSync(old, { recursive: true, force: true });
  const next: SchemaSettings = { ...settings, 'kubesphere-4.1': { folder: KUBESPHERE_V4_STORE, source, crds: crds.length } };
  writeAtomically(path.join(project, SCHEMA_SETTINGS_FILE), `${JSON.stringify(next, null, 2)}\n`);
  const kinds = new Set(crds.flatMap((c) => c.kinds));
  return { folder, files: crds.map((c) => c.file), missingKinds: KUBESPHERE_V4_KINDS.filter((k) => !kinds.has(k)) };
}

/**
 * Records the Kubernetes schema version of a project's checks in `.platform-cdk/schemas.json`.
 * @param version a shipped version (`kubernetesVersions()`)
 * @param project the project's folder
 * @returns the version as recorded, `<major>.<minor>`
 */
export function useKubernetesVersion(version: string, project: string = process.cwd()): string {
  kubernetesDefinitionsOf(version);
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim()) as RegExpExecArray;
  const recorded = `${Number(m[1])}.${Number(m[2])}`;
  const settings = readSchemaSettings(project);
  fs.mkdirSync(path.join(project, PROJECT_FOLDER), { recursive: true });
  writeAtomically(path.join(project, SCHEMA_SETTINGS_FILE), `${JSON.stringify({ ...settings, kubernetes: recorded }, null, 2)}\n`);
  return recorded;
}
