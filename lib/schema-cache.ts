/**
 * The compiled schema validators of one run, kept for the next: a kind's validator is compiled by ajv once (the
 * slow part of a check's start-up) and written as standalone code (`ajv/dist/standalone`) into a cache folder;
 * later runs load it in a millisecond. The folder of a set of schemas is named after a hash of everything the
 * code depends on: the content of the Kubernetes definitions and of every CRD file (in the order added), ajv's
 * version and options, and the source of the code that turns schemas into strict ones. A changed schema file is
 * a new folder, never a stale validator.
 *
 * Safe by construction: files are written atomically (a temporary file renamed into place), a folder another
 * user owns or others may write to is not used, a file that does not load is compiled anew, and the loaded code
 * may require only ajv's runtime helpers. When no folder is writable, validators are compiled as before.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ValidateFunction } from 'ajv';

/** The environment variable that sets the cache folder, or turns the cache off (`off`). */
export const SCHEMA_CACHE_ENV = 'PLATFORM_CDK_CACHE';

/** The name the standalone code requires the Go regular-expression engine by (see `SchemaCache.load`). */
export const GO_REGEXP_MODULE = 'platform-cdk:go-regexp';

/** Bumped when the layout of the cache changes. */
const FORMAT = 1;

/** How many schema sets (folders) are kept; the least recently created beyond that are removed. */
const KEEP_FOLDERS = 16;

/**
 * The cache folder used when none is given: `$PLATFORM_CDK_CACHE` (`off` turns the cache off), else
 * `node_modules/.cache/platform-cdk` of the nearest `node_modules` from the working directory up (where build
 * tools keep their caches), else a folder of the user's own in the OS temporary folder.
 * @returns the folder, or `undefined` when the cache is off
 */
export function defaultSchemaCacheDir(): string | undefined {
  const env = process.env[SCHEMA_CACHE_ENV];
  if (env === 'off' || env === '0' || env === 'false') return undefined;
  if (env) return path.resolve(env);
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const nm = path.join(dir, 'node_modules');
    if (fs.existsSync(nm)) return path.join(nm, '.cache', 'platform-cdk');
    if (path.dirname(dir) === dir) break;
  }
  return tempCacheDir();
}

function tempCacheDir(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
  return path.join(os.tmpdir(), `platform-cdk-cache-${user}`);
}

/** A SHA-256 hash, hex. */
export function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * A folder this process may trust and write: created (mode 0700) if missing, owned by the current user and not
 * writable by others. Returns whether it is.
 */
function usableFolder(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return false;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
    if (process.platform !== 'win32' && (st.mode & 0o022) !== 0) return false;
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Writes a file atomically: a temporary file beside it, renamed into place. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/** What the standalone code of a validator may require. */
function restrictedRequire(goRegExp: unknown): (id: string) => unknown {
  return (id: string) => {
    if (id === GO_REGEXP_MODULE) return goRegExp;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (/^ajv\/dist\/runtime\/[a-z0-9]+$/.test(id)) return require(id) as unknown;
    throw new Error(`a cached validator may not require ${id}`);
  };
}

/**
 * The cached validators of one set of schemas: one file per kind, the kind's standalone validator or a mark that
 * the kind has no schema.
 */
export class SchemaCache {
  /**
   * The cache of a set of schemas, or `undefined` when no cache folder can be used.
   * @param root the cache folder (see `defaultSchemaCacheDir`); a folder not usable falls back to one of the OS
   *   temporary folder, and to no cache
   * @param fingerprint every input the compiled code depends on (hashed into the folder's name)
   */
  public static open(root: string, fingerprint: readonly string[]): SchemaCache | undefined {
    const name = sha256([`format ${FORMAT}`, ...fingerprint].join('\n')).slice(0, 32);
    for (const r of [root, tempCacheDir()]) {
      if (!usableFolder(r)) continue;
      const dir = path.join(r, name);
      const fresh = !fs.existsSync(dir);
      if (!usableFolder(dir)) continue;
      if (fresh) prune(r);
      return new SchemaCache(dir);
    }
    return undefined;
  }

  private constructor(
    /** The folder of this set of schemas. */
    public readonly dir: string,
  ) {}

  private fileOf(key: string): string {
    return path.join(this.dir, `${sha256(key).slice(0, 32)}.js`);
  }

  /**
   * A kind's cached validator: the function, `null` when the kind is recorded as having no schema, `undefined`
   * when nothing (usable) is cached.
   * @param key the kind, `<apiVersion>:<kind>`
   * @param goRegExp the regular-expression engine the code was compiled with
   */
  public load(key: string, goRegExp: unknown): ValidateFunction | null | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.fileOf(key), 'utf8');
    } catch {
      return undefined;
    }
    const nl = text.indexOf('\n');
    if (nl < 0 || text.slice(0, nl) !== `// ${JSON.stringify(key)}`) return undefined;
    const code = text.slice(nl + 1);
    if (code === 'null') return null;
    try {
      const module: { exports: unknown } = { exports: {} };
      // The code ajv's standalone generator wrote for this kind, in a scope that gives it only ajv's helpers.
      new Function('require', 'module', 'exports', code)(restrictedRequire(goRegExp), module, module.exports);
      return typeof module.exports === 'function' ? (module.exports as ValidateFunction) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Records a kind's validator (its standalone code), or that it has no schema (`null`). A failure to write is
   * ignored: the next run compiles again.
   */
  public store(key: string, code: string | null): void {
    writeAtomically(this.fileOf(key), `// ${JSON.stringify(key)}\n${code ?? 'null'}`);
  }
}

/** Removes the oldest schema-set folders of a cache beyond the number kept. */
function prune(root: string): void {
  try {
    const dirs = fs
      .readdirSync(root)
      .filter((n) => /^[0-9a-f]{32}$/.test(n))
      .map((n) => ({ dir: path.join(root, n), at: fs.statSync(path.join(root, n)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const d of dirs.slice(KEEP_FOLDERS)) fs.rmSync(d.dir, { recursive: true, force: true });
  } catch {
    // another process pruned it first
  }
}
