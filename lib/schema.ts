/**
 * Schema validation of synthesized objects, offline, the way kubeconform does it: Kubernetes objects against
 * the Kubernetes OpenAPI definitions, custom resources against the `openAPIV3Schema` of their CRD. Strict:
 * an object with a field its schema does not declare is invalid (`additionalProperties: false` is added
 * wherever a schema lists properties and does not say otherwise).
 */
import * as fs from 'fs';
import * as path from 'path';
import type AjvType from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { RegExpEngine } from 'ajv/dist/types';
import type { KubeObject } from './manifest';
import { defaultSchemaCacheDir, GO_REGEXP_MODULE, SchemaCache, sha256 } from './schema-cache';

// Loaded on first use, so that synthesis, which does not validate schemas, does not pay for loading them.
function loadAjv(): typeof AjvType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('ajv') as { default: typeof AjvType }).default;
}
function loadYaml(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml') as typeof import('yaml');
}
function loadStandalone(): typeof import('ajv/dist/standalone').default {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
}

/** One way an object does not match its schema. */
export interface SchemaFinding {
  /** The object, as `<apiVersion> <kind> <namespace>/<name>`. */
  readonly object: string;
  /** Where in the object, as a JSON pointer (e.g. `/spec/template/spec/containers/0`). */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
}

/** The Kubernetes definitions shipped with platform-cdk. */
export const KUBERNETES_DEFINITIONS = path.join(__dirname, '..', 'schemas', 'kubernetes', 'v1.27.0', '_definitions.json');

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

type Schema = { [key: string]: unknown };

function isSchema(x: unknown): x is Schema {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Adds `additionalProperties: false` wherever properties are listed and unknown fields are not allowed. */
function strictKubernetes(schema: unknown): void {
  if (Array.isArray(schema)) {
    schema.forEach(strictKubernetes);
    return;
  }
  if (!isSchema(schema)) return;
  if (isSchema(schema.properties) && schema.additionalProperties === undefined) schema.additionalProperties = false;
  for (const v of Object.values(schema)) strictKubernetes(v);
}

/** Turns a CRD's structural schema into strict JSON Schema (int-or-string, nullable, preserved unknown fields). */
function strictCrd(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictCrd);
  if (!isSchema(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' && isSchema(v)) {
      const props: Schema = {};
      for (const [pk, pv] of Object.entries(v)) props[pk] = strictCrd(pv);
      out.properties = props;
    } else out[k] = strictCrd(v);
  }
  if (out['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (isSchema(out.properties) && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * CRD patterns are Go regular expressions (RE2). The flag groups Go allows and JavaScript does not (a leading
 * `(?i)`) become JavaScript flags; a pattern JavaScript still cannot read matches everything rather than failing
 * the whole schema.
 */
const goRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => {
    let source = pattern;
    let f = flags;
    const m = /^\(\?([imsU]+)\)/.exec(source);
    if (m) {
      source = source.slice(m[0].length);
      for (const c of m[1]) if ((c === 'i' || c === 'm' || c === 's') && !f.includes(c)) f += c;
    }
    try {
      return new RegExp(source, f);
    } catch {
      return new RegExp('', f);
    }
  },
  // How standalone code (the validator cache) gets the engine: see SchemaCache.load.
  { code: `require(${JSON.stringify(GO_REGEXP_MODULE)})` },
);

/** The options of the ajv instance (part of the validator cache's key). */
const AJV_OPTIONS = { strict: false, allErrors: true, validateFormats: false } as const;

/** The inputs, other than the schemas, that compiled code depends on: ajv's version and options, and this code. */
function codeFingerprint(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  const sources = [__filename, path.join(__dirname, `schema-cache${path.extname(__filename)}`)].map((f) => (fs.existsSync(f) ? sha256(fs.readFileSync(f)) : f));
  return [`ajv ${ajvVersion}`, `options ${JSON.stringify(AJV_OPTIONS)} optimize=false`, ...sources];
}

/** A CRD file added and not parsed yet: its text, and the values of its `group:` and `kind:` lines. */
interface PendingCrdFile {
  readonly text: string;
  readonly groups: ReadonlySet<string>;
  readonly kinds: ReadonlySet<string>;
}

/** Options of `SchemaValidator.create`. */
export interface SchemaValidatorOptions {
  /** CRD files (YAML, one or more CustomResourceDefinitions each). @default - none */
  readonly crdFiles?: readonly string[];
  /** The Kubernetes definitions (`_definitions.json`). @default KUBERNETES_DEFINITIONS (1.27) */
  readonly kubernetesDefinitions?: string;
  /**
   * Where compiled validators are kept between runs (see `SchemaCache`), or `false` for no cache.
   * @default - `$PLATFORM_CDK_CACHE`, else `node_modules/.cache/platform-cdk`, else the OS temporary folder
   */
  readonly cacheDir?: string | false;
}

const GROUP_LINE = /^[ \t-]*group:[ \t]*["']?([^"'\s#]+)/gm;
const KIND_LINE = /^[ \t-]*kind:[ \t]*["']?([^"'\s#]+)/gm;

/** The values of the lines of a text that a pattern (with one group) matches. */
function valuesOf(text: string, line: RegExp): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(line)) out.add(m[1]);
  return out;
}

function keyOf(apiVersion: string, kind: string): string {
  return `${apiVersion}:${kind}`;
}

/**
 * Validates Kubernetes objects against the Kubernetes 1.27 definitions and any CRDs added. CRD files are
 * parsed, and schemas compiled, once per kind, on first use.
 *
 * @example
 * const validator = SchemaValidator.create({ crdFiles: ['crds/tenant.kubesphere.io_workspacetemplates.yaml'] });
 * const findings = validator.validate(object);
 */
export class SchemaValidator {
  /**
   * A validator for the Kubernetes definitions shipped with the library plus the CRD files given.
   * @param options CRD files (YAML, one or more CustomResourceDefinitions each) and the definitions to use
   */
  public static create(options: SchemaValidatorOptions = {}): SchemaValidator {
    const cacheDir = options.cacheDir === undefined ? defaultSchemaCacheDir() : options.cacheDir || undefined;
    const v = new SchemaValidator(options.kubernetesDefinitions ?? KUBERNETES_DEFINITIONS, cacheDir);
    for (const f of options.crdFiles ?? []) v.addCrdFile(f);
    return v;
  }

  /** The ajv instance, with the Kubernetes definitions: made on the first kind compiled (not at all when every kind is cached). */
  private ajvInstance?: AjvType;
  /** Whether the Kubernetes definitions' kinds are in `schemaRefs` yet. */
  private definitionsRead = false;
  /** The hashes of the schema files, in the order they were added (the validator cache's key). */
  private readonly fileHashes: string[] = [];
  /** The validator cache of the schemas added so far: opened on first use, closed when a file is added. */
  private cache?: SchemaCache | null;
  private readonly schemaRefs = new Map<string, object>();
  /** The CRD file (by the order it was added in) each CRD schema comes from: a later file's schema wins. */
  private readonly schemaSource = new Map<string, number>();
  /** The validator of each kind met (`null`: the kind has no schema, as far as the files added so far say). */
  private readonly compiled = new Map<string, ValidateFunction | null>();
  /**
   * CRD files added and not read yet, by the order they were added in. A file is read when a kind it may
   * define is asked for (its text names the kind and the API group), or when a kind is found in none of them;
   * so that a validator only parses the CRDs of the kinds it meets.
   */
  private readonly pendingCrds = new Map<number, PendingCrdFile>();
  /** The kinds (`<apiVersion>:<kind>`) looked for in the CRD files not read yet: each is looked for once. */
  private readonly looked = new Set<string>();
  private crdFilesAdded = 0;

  private constructor(
    private readonly definitionsFile: string,
    private readonly cacheDir: string | undefined,
  ) {
    if (cacheDir !== undefined) this.fileHashes.push(`definitions ${sha256(fs.readFileSync(definitionsFile))}`);
  }

  /**
   * The ajv instance, made on first use with the Kubernetes definitions (strict). The definitions shipped with the
   * library are not checked against JSON Schema's meta-schema (most of the time it takes to build a validator);
   * other definitions files are.
   */
  private ajv(): AjvType {
    if (!this.ajvInstance) {
      const Ajv = loadAjv();
      // Compiled code is not optimized (ajv's pass over the generated code): compiling a kind's schema, on its first
      // object, takes about half as long, and the code checks objects as fast.
      this.ajvInstance = new Ajv({ ...AJV_OPTIONS, code: { regExp: goRegExp, optimize: false, source: this.cacheDir !== undefined } });
      this.ajvInstance.addSchema({ $id: 'k8s', definitions: this.definitions() }, undefined, undefined, this.definitionsFile !== KUBERNETES_DEFINITIONS);
    }
    return this.ajvInstance;
  }

  private definitionsDoc?: Record<string, Schema>;

  /** The Kubernetes definitions, strict; their kinds are recorded in `schemaRefs` (a CRD's schema of the same kind wins). */
  private definitions(): Record<string, Schema> {
    if (!this.definitionsDoc) {
      const doc = JSON.parse(fs.readFileSync(this.definitionsFile, 'utf8')) as { definitions: Record<string, Schema> };
      strictKubernetes(doc.definitions);
      this.definitionsDoc = doc.definitions;
    }
    if (!this.definitionsRead) {
      this.definitionsRead = true;
      for (const [name, def] of Object.entries(this.definitionsDoc)) {
        const gvks = def['x-kubernetes-group-version-kind'];
        if (!Array.isArray(gvks)) continue;
        for (const gvk of gvks as { group: string; version: string; kind: string }[]) {
          const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
          const key = keyOf(apiVersion, gvk.kind);
          if (!this.schemaRefs.has(key)) this.schemaRefs.set(key, { $ref: `k8s#/definitions/${name}` });
        }
      }
    }
    return this.definitionsDoc;
  }

  /** The validator cache of the schemas added so far (`undefined` when off or not writable). */
  private cacheNow(): SchemaCache | undefined {
    if (this.cacheDir === undefined) return undefined;
    if (this.cache === undefined) this.cache = SchemaCache.open(this.cacheDir, [...codeFingerprint(), ...this.fileHashes]) ?? null;
    return this.cache ?? undefined;
  }

  /**
   * Adds the schemas of every served version of the CRDs in a YAML file. The file is read now and parsed when
   * a kind it may define is first validated (or asked for with `hasSchema`).
   * @param file a file of CustomResourceDefinition documents
   */
  public addCrdFile(file: string): void {
    const text = fs.readFileSync(file, 'utf8');
    this.pendingCrds.set(this.crdFilesAdded++, { text, groups: valuesOf(text, GROUP_LINE), kinds: valuesOf(text, KIND_LINE) });
    this.looked.clear();
    // A kind without a schema may have one now; and the compiled code of a kind may differ (a later file wins).
    for (const [key, fn] of this.compiled) if (fn === null) this.compiled.delete(key);
    if (this.cacheDir !== undefined) this.fileHashes.push(`crd ${sha256(text)}`);
    this.cache = undefined;
  }

  /**
   * Adds every CRD file (`*.yaml`) of a folder.
   * @param dir the folder
   */
  public addCrdFolder(dir: string): void {
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) this.addCrdFile(path.join(dir, f));
  }

  /** Whether there is a schema for an API version and kind. */
  public hasSchema(apiVersion: string, kind: string): boolean {
    const key = keyOf(apiVersion, kind);
    const known = this.compiled.has(key) ? this.compiled.get(key) : this.cached(key);
    if (known !== undefined) return known !== null;
    const has = this.schemaOf(apiVersion, kind) !== undefined;
    if (!has) this.cacheNow()?.store(key, null);
    return has;
  }

  /** A kind's validator, or `null` (no schema), from the validator cache; `undefined` when it is not cached. */
  private cached(key: string): ValidateFunction | null | undefined {
    const fn = this.cacheNow()?.load(key, goRegExp);
    if (fn !== undefined) this.compiled.set(key, fn);
    return fn;
  }

  /** A kind's validator: compiled on first use (or loaded from the validator cache); `null` when it has no schema. */
  private validatorOf(apiVersion: string, kind: string): ValidateFunction | null {
    const key = keyOf(apiVersion, kind);
    const known = this.compiled.has(key) ? this.compiled.get(key) : this.cached(key);
    if (known !== undefined) return known;
    const schema = this.schemaOf(apiVersion, kind);
    const cache = this.cacheNow();
    if (!schema) {
      cache?.store(key, null);
      this.compiled.set(key, null);
      return null;
    }
    const fn = this.ajv().compile(schema);
    this.compiled.set(key, fn);
    if (cache) cache.store(key, loadStandalone()(this.ajv(), fn));
    return fn;
  }

  /**
   * The schema of an API version and kind: the Kubernetes definitions' or a CRD's. Reads first the CRD files not
   * read yet that have a `group:` line with the API group and a `kind:` line with the kind (any block-style file
   * that defines it does; a file without `group:` lines is always read), and, when that finds none, every other
   * file not read yet.
   */
  private schemaOf(apiVersion: string, kind: string): object | undefined {
    this.definitions();
    const key = keyOf(apiVersion, kind);
    if (this.pendingCrds.size > 0 && !this.looked.has(key)) {
      this.looked.add(key);
      const slash = apiVersion.lastIndexOf('/');
      const group = slash < 0 ? '' : apiVersion.slice(0, slash);
      const candidates = [...this.pendingCrds].filter(([, f]) => f.groups.size === 0 || (f.groups.has(group) && f.kinds.has(kind)));
      for (const [order, f] of candidates) this.readCrds(order, f.text);
      // A file that defines the kind names it (`kind: <Kind>`, in whatever style): the others need no parsing.
      if (!this.schemaRefs.has(key)) for (const [order, f] of [...this.pendingCrds]) if (f.text.includes(kind)) this.readCrds(order, f.text);
    }
    return this.schemaRefs.get(key);
  }

  /** Parses one CRD file (the `order`th added) and records the schema of every served version it defines. */
  private readCrds(order: number, text: string): void {
    this.pendingCrds.delete(order);
    for (const d of loadYaml().parseAllDocuments(text)) {
      const crd = d.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }[] } };
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const version of crd.spec.versions) {
        const root = version.schema?.openAPIV3Schema;
        if (version.served === false || !root) continue;
        const key = keyOf(`${crd.spec.group}/${version.name}`, crd.spec.names.kind);
        if ((this.schemaSource.get(key) ?? -1) > order) continue;
        const schema = strictCrd(root) as Schema;
        if (isSchema(schema.properties)) (schema.properties as Schema).metadata = { $ref: `k8s#/definitions/${OBJECT_META}` };
        this.schemaRefs.set(key, schema);
        this.schemaSource.set(key, order);
      }
    }
  }

  /**
   * Validates one object; returns what is wrong with it (nothing when it is valid). An object whose kind has no
   * schema is one finding.
   * @param object the object as written
   */
  public validate(object: KubeObject): SchemaFinding[] {
    const id = `${object.apiVersion} ${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}`;
    const fn = this.validatorOf(object.apiVersion, object.kind);
    if (!fn) return [{ object: id, path: '', message: `no schema for ${object.apiVersion} ${object.kind}` }];
    if (fn(object)) return [];
    return (fn.errors ?? []).map((e) => ({
      object: id,
      path: e.instancePath || '/',
      message: e.keyword === 'additionalProperties' ? `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"` : (e.message ?? e.keyword),
    }));
  }
}
