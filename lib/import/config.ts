/**
 * The import's recogniser of a service's configuration: the ConfigMap `<service>-config` the library writes from
 * `config`, with the variables that read it (`configMapKeyRef`), the files it mounts (the `config` volume) and the
 * pod annotation `platform-cdk.io/config-hash`. It becomes the service's `config` prop; across environments, the
 * values every environment shares are written once and the differences as `perEnvironment` overrides (the library
 * merges an override's values and files over the service's).
 *
 * A value that looks like a secret is never imported as one: its variable becomes a reference to a Secret to create,
 * with a TODO. A ConfigMap the library would not write again as it is (other keys, a file that looks like a secret,
 * a variable named unlike its key) stays unclaimed and is carried through an escape hatch.
 */
import { checkEnvVarName } from '../names';
import { findSecret } from '../secret-rules';
import type { KubeObject } from '../manifest';
import { AnnotationKeys, contentHash } from '../workloads';
import type { ImportedService, ServiceFields } from './model';
import type { EstateContext, EstatePass, NamespaceContext, NamespacePass } from './passes';
import { obj, list } from './json';
import type { Obj } from './json';

/** A service's configuration, as `config` takes it. */
export interface ReadConfig {
  /** Values given as variables. */
  values?: Record<string, string>;
  /** Files mounted. */
  files?: Record<string, string>;
  /** Where the files are mounted, when not `/etc/<service>`. */
  mountPath?: string;
}

/** What reading a service's ConfigMap gives. */
export interface ConfigReading {
  /** The configuration. */
  readonly config: ReadConfig;
  /** Values that look like secrets: variable → the key of the Secret to create (named like the service). */
  readonly secrets: Record<string, string>;
  /** The variables read from the ConfigMap. */
  readonly variables: string[];
  /** Whether the pods' configuration hash is the one the library computes (else the pods roll once when applied). */
  readonly hashMatches: boolean;
}

const sorted = (keys: Iterable<string>): string[] => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * A service's ConfigMap, with its Deployment, as the service's configuration; `undefined` when the library would not
 * write them again as they are.
 * @param configMap the ConfigMap (`<service>-config`)
 * @param deployment the service's Deployment
 * @param service the service's name
 */
export function readConfig(configMap: KubeObject, deployment: KubeObject, service: string): ConfigReading | undefined {
  const name = `${service}-config`;
  if (configMap.apiVersion !== 'v1' || configMap.kind !== 'ConfigMap' || configMap.metadata.name !== name) return undefined;
  const raw = configMap as unknown as Obj;
  if (raw.binaryData !== undefined || raw.immutable !== undefined) return undefined;
  const data = obj(raw.data);
  if (Object.values(data).some((v) => typeof v !== 'string') || Object.keys(data).length === 0) return undefined;
  const template = obj(obj((deployment as unknown as Obj).spec).template);
  const pod = obj(template.spec);
  const container = list(pod.containers)[0] ?? {};

  // Values: each a variable of the service's container named as its key.
  const values: Record<string, string> = {};
  for (const e of list(container.env)) {
    const ref = obj(obj(e.valueFrom).configMapKeyRef);
    if (ref.name !== name) continue;
    if (ref.key !== e.name || typeof ref.key !== 'string' || !(ref.key in data) || ref.optional !== undefined) return undefined;
    values[ref.key] = data[ref.key] as string;
  }
  // Files: the `config` volume, every item at its key's path, mounted read-only.
  const files: Record<string, string> = {};
  let mountPath: string | undefined;
  const volume = list(pod.volumes).find((v) => obj(v.configMap).name === name);
  if (volume) {
    const mount = list(container.volumeMounts).find((m) => m.name === volume.name);
    if (volume.name !== 'config' || !mount || mount.readOnly !== true || typeof mount.mountPath !== 'string' || mount.subPath !== undefined) return undefined;
    const items = list(obj(volume.configMap).items);
    if (Object.keys(obj(volume.configMap)).some((k) => k !== 'name' && k !== 'items')) return undefined;
    const keys = items.map((i) => i.key);
    if (keys.join('\n') !== sorted(keys.map(String)).join('\n')) return undefined;
    for (const i of items) {
      if (typeof i.key !== 'string' || i.path !== i.key || !(i.key in data) || i.key in values || Object.keys(i).length !== 2) return undefined;
      files[i.key] = data[i.key] as string;
    }
    if (mount.mountPath !== `/etc/${service}`) mountPath = mount.mountPath;
  }
  // Every key is a value or a file, with a name the model takes.
  if (Object.keys(data).some((k) => !(k in values) && !(k in files))) return undefined;
  if (Object.keys(values).some((k) => checkEnvVarName(k) !== undefined)) return undefined;
  if (Object.keys(files).some((k) => !/^[-._a-zA-Z0-9]+$/.test(k) || k === '.' || k.startsWith('..'))) return undefined;
  if (mountPath !== undefined && (mountPath === '/' || mountPath === '/tmp' || !mountPath.startsWith('/'))) return undefined;
  if (Object.entries(files).some(([k, v]) => findSecret(v, { name: k }) !== undefined)) return undefined;

  const ordered: Record<string, string> = {};
  for (const k of sorted(Object.keys(values))) ordered[k] = values[k];
  for (const k of sorted(Object.keys(files))) ordered[k] = files[k];
  const hash = obj(obj(template.metadata).annotations)[AnnotationKeys.CONFIG_HASH];
  const hashMatches = hash === contentHash(JSON.stringify(ordered));

  const secrets: Record<string, string> = {};
  const config: ReadConfig = {};
  for (const k of sorted(Object.keys(values))) {
    if (findSecret(values[k], { name: k }) !== undefined) secrets[k] = k.toLowerCase().replace(/_/g, '-');
    else (config.values ??= {})[k] = values[k];
  }
  if (Object.keys(files).length > 0) config.files = Object.fromEntries(sorted(Object.keys(files)).map((k) => [k, files[k]]));
  if (mountPath !== undefined) config.mountPath = mountPath;
  return { config, secrets, variables: Object.keys(values), hashMatches };
}

/** The note readService writes for a pod annotation the library owns (see lib/import/service.ts). */
export function ownedAnnotationNote(key: string): string {
  return `the pod annotation ${key} (the library writes it from the service's options, e.g. logs or config)`;
}

/** Each service's ConfigMap, as its `config` prop. */
export const configPass: NamespacePass = (ctx: NamespaceContext) => {
  for (const [name, fields] of ctx.services) {
    const deployment = ctx.sources.get(name)?.deployment;
    if (!deployment) continue;
    const e = ctx.unclaimed().find((x) => x.object.kind === 'ConfigMap' && x.object.metadata.name === `${name}-config`);
    if (!e) continue;
    const r = readConfig(e.object, deployment, name);
    if (!r) continue;
    if (Object.keys(r.config).length > 0) (fields.extra ??= {}).config = r.config;
    for (const [variable, key] of Object.entries(r.secrets)) {
      (fields.secrets ??= {})[variable] = [name, key];
      ctx.note(name, `TODO: ${variable} looked like a secret in the ConfigMap ${name}-config: its value is not imported; create the Secret ${name} with the key ${key} in the project's namespace of every environment`);
    }
    for (const v of r.variables) ctx.carried(name, `variable ${v} (configMapKeyRef)`);
    ctx.carried(name, ownedAnnotationNote(AnnotationKeys.CONFIG_HASH));
    if (r.config.files) ctx.carried(name, `the volume config at ${r.config.mountPath ?? `/etc/${name}`}`);
    if (!r.hashMatches) ctx.note(name, `the pods' ${AnnotationKeys.CONFIG_HASH} in ${ctx.environment.name} is not the hash of this configuration: the pods roll once when the program is applied`);
    ctx.claim(e, 'typed', `configuration of service ${name} in ${ctx.environment.name}${Object.keys(r.secrets).length > 0 ? ` (secret-looking values became Secret references: ${Object.keys(r.secrets).join(', ')})` : ''}`);
  }
};

/** Keys whose values are the same in every configuration given (and present in each). */
function shared(all: readonly (Record<string, string> | undefined)[]): Record<string, string> {
  const out: Record<string, string> = {};
  const first = all[0] ?? {};
  for (const k of Object.keys(first)) if (all.every((m) => m !== undefined && k in m)) out[k] = first[k];
  return out;
}

/**
 * One service's configuration across its environments: what every environment has is written once (the first
 * environment's value, as for variables), the rest as overrides holding only what differs.
 * @param s the service (changed in place)
 * @param envs the project's environments, in order
 */
export function mergeConfig(s: ImportedService, envs: readonly string[]): void {
  const of = (f: ServiceFields | undefined): ReadConfig | undefined => f?.extra?.config as ReadConfig | undefined;
  const full = envs.map((e) => of(s.perEnvironment[e]) ?? of(s.common));
  if (full.every((c) => c === undefined)) return;
  const everywhere = full.every((c) => c !== undefined);
  const common: ReadConfig = {};
  if (everywhere) {
    const values = shared(full.map((c) => c?.values));
    const files = shared(full.map((c) => c?.files));
    if (Object.keys(values).length > 0) common.values = values;
    if (Object.keys(files).length > 0) common.files = files;
    if (full[0]?.mountPath !== undefined && full.every((c) => c?.mountPath !== undefined)) common.mountPath = full[0].mountPath;
  }
  const set = (f: ServiceFields, c: ReadConfig | undefined): void => {
    if (c && Object.keys(c).length > 0) (f.extra ??= {}).config = c;
    else if (f.extra) delete f.extra.config;
    if (f.extra && Object.keys(f.extra).length === 0) delete f.extra;
  };
  set(s.common, everywhere ? common : undefined);
  envs.forEach((env, i) => {
    const c = full[i];
    const over: ReadConfig = {};
    if (c) {
      for (const part of ['values', 'files'] as const) {
        const diff = Object.fromEntries(Object.entries(c[part] ?? {}).filter(([k, v]) => common[part]?.[k] !== v));
        if (Object.keys(diff).length > 0) over[part] = diff;
      }
      if ((c.mountPath ?? undefined) !== common.mountPath && (c.files !== undefined || c.mountPath !== undefined)) over.mountPath = c.mountPath ?? `/etc/${s.name}`;
    }
    const f = s.perEnvironment[env] ?? (Object.keys(over).length > 0 ? (s.perEnvironment[env] = {}) : undefined);
    if (!f) return;
    set(f, over);
    if (Object.keys(f).length === 0) delete s.perEnvironment[env];
  });
}

/** After the merge of environments: every service's configuration written once where shared, overrides for the rest. */
export const configMergePass: EstatePass = (ctx: EstateContext) => {
  for (const tenant of ctx.index.tenants.values()) for (const project of tenant.projects) for (const s of project.services) mergeConfig(s, project.environments);
};
