/**
 * The writable folders of a container: the root file system is read-only, so each folder a program writes to is an
 * empty volume, on the node's disk or in memory (tmpfs), with an optional size limit. `/tmp` is always writable; the
 * service may keep it in memory.
 */
import type { ProblemCollector } from '../lib/problems';
import { checkWritablePath } from '../lib/values';

/** Where an empty volume keeps its files besides the node's disk: `'Memory'` (a tmpfs). */
export type VolumeMedium = 'Memory';

/** A writable folder with the medium and size of its empty volume. */
export interface WritablePath {
  /**
   * The folder: absolute and normalised. `/tmp` (in the service's own `writablePaths` only) sets the medium and size
   * of the pod's `/tmp`, which every container shares and which is always writable.
   */
  readonly path: string;
  /**
   * `'Memory'` keeps the folder in memory (tmpfs): fast and gone with the pod, and what it holds counts against the
   * memory limit of the container that writes it (a full tmpfs gets the container OOM-killed, not refused writes).
   * @default - the node's disk (counted against the pod's ephemeral storage)
   */
  readonly medium?: VolumeMedium;
  /**
   * The most the volume may hold, in MiB (the kubelet evicts the pod above it; a tmpfs is also capped there).
   * @default - no limit of its own
   */
  readonly sizeLimitMiB?: number;
}

/** A writable folder: its path (an empty volume on the node's disk), or the path with its volume's medium and size. */
export type WritablePathOption = string | WritablePath;

/** A writable folder with its options resolved. */
export interface WritableFolder {
  /** The folder. */
  readonly path: string;
  /** The medium, if not the node's disk. */
  readonly medium?: VolumeMedium;
  /** The size limit in MiB, if any. */
  readonly sizeLimitMiB?: number;
}

/** The folder whose volume every container of a pod shares, and which is always writable. */
export const TMP_PATH = '/tmp';

/** The largest size limit accepted, in MiB (1 TiB). */
const MAX_SIZE_MIB = 1048576;

/** The folders of a list of writable paths, `/tmp` apart. */
export interface WritableFolders {
  /** The pod's `/tmp` (on the node's disk unless the list says otherwise). */
  readonly tmp: WritableFolder;
  /** The other folders, in the order given. */
  readonly folders: WritableFolder[];
}

/**
 * The folders of a list of writable paths, `/tmp` apart.
 * @param list the writable paths as given
 */
export function writableFoldersOf(list: readonly WritablePathOption[]): WritableFolders {
  let tmp: WritableFolder = { path: TMP_PATH };
  const folders: WritableFolder[] = [];
  for (const p of list) {
    const f: WritableFolder = typeof p === 'string' ? { path: p } : { path: p.path, medium: p.medium, sizeLimitMiB: p.sizeLimitMiB };
    if (f.path === TMP_PATH) tmp = f;
    else folders.push(f);
  }
  return { tmp, folders };
}

/**
 * The `emptyDir` of a writable folder.
 * @param f the folder
 */
export function emptyDirOf(f: WritableFolder): Record<string, string | undefined> {
  return { medium: f.medium, sizeLimit: f.sizeLimitMiB !== undefined ? `${f.sizeLimitMiB}Mi` : undefined };
}

/**
 * Reports what is wrong with a list of writable paths.
 * @param problems where problems go
 * @param path the service's construct path
 * @param property the property, e.g. `writablePaths` or `sidecars[0].writablePaths`
 * @param list the paths as given
 * @param ownsTmp whether the list may set the pod's `/tmp` (the service's own list)
 * @internal
 */
export function checkWritablePaths(problems: ProblemCollector, path: string, property: string, list: readonly WritablePathOption[], ownsTmp: boolean): void {
  if (!Array.isArray(list)) {
    problems.error({ path, property, value: list, message: 'the writable paths are a list of folders', fix: 'use e.g. ["/var/cache/app"]' });
    return;
  }
  const seen = new Map<string, number>();
  list.forEach((p: unknown, i) => {
    const at = `${property}[${i}]`;
    if (typeof p === 'object' && p !== null && !Array.isArray(p)) {
      const o = p as WritablePath;
      const tmp = o.path === TMP_PATH;
      if (tmp && !ownsTmp) {
        problems.error({ path, property: `${at}.path`, value: o.path, message: 'the pod\'s /tmp is one volume that every container shares', fix: 'set the medium and size of /tmp in the service\'s own writablePaths: [{ path: "/tmp", medium: "Memory" }]' });
      } else if (!tmp) {
        const e = checkWritablePath(o.path);
        if (e) problems.error({ path, property: `${at}.path`, value: o.path, message: `a writable path is an absolute, normalised folder: ${e}`, fix: 'use a folder of the application such as "/var/cache/app"' });
      }
      if (o.medium !== undefined && o.medium !== 'Memory') {
        problems.error({ path, property: `${at}.medium`, value: o.medium, message: 'an empty volume is on the node\'s disk (leave the medium out) or in memory ("Memory")', fix: 'write medium: "Memory", or leave it out' });
      }
      const s = o.sizeLimitMiB;
      if (s !== undefined && (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_SIZE_MIB)) {
        problems.error({ path, property: `${at}.sizeLimitMiB`, value: s, message: `a size limit is a whole number of MiB from 1 to ${MAX_SIZE_MIB}`, fix: 'give e.g. sizeLimitMiB: 64' });
      }
      for (const k of Object.keys(o)) {
        if (!['path', 'medium', 'sizeLimitMiB'].includes(k)) problems.error({ path, property: `${at}.${k}`, value: k, message: 'a writable path has a path, a medium and a size limit only', fix: 'remove it' });
      }
      if (typeof o.path === 'string') checkRepeat(problems, path, at, o.path, i, seen, property);
      return;
    }
    const e = checkWritablePath(p);
    if (e) {
      const fix = p === TMP_PATH ? (ownsTmp ? 'leave /tmp out (it is always writable), or give { path: "/tmp", medium: "Memory" } to keep it in memory' : 'leave /tmp out: it is always writable') : 'use a folder of the application such as "/var/cache/app"';
      problems.error({ path, property: at, value: p, message: `a writable path is an absolute, normalised folder: ${e}`, fix });
    } else checkRepeat(problems, path, at, p as string, i, seen, property);
  });
}

function checkRepeat(problems: ProblemCollector, path: string, at: string, p: string, i: number, seen: Map<string, number>, property: string): void {
  const first = seen.get(p);
  if (first !== undefined) problems.error({ path, property: at, value: p, message: `${property}[${first}] names this folder already`, fix: 'name each folder once' });
  else seen.set(p, i);
}

/**
 * Warns when a folder in memory may hold more than the memory limit of its container (the container would be
 * OOM-killed before the volume is full).
 * @param problems where problems go
 * @param path the service's construct path
 * @param property the property of the list
 * @param list the writable paths as given
 * @param limitsOf the container's memory limit in MiB, by environment name (asked only when a folder is in memory)
 * @internal
 */
export function checkMemoryFolders(problems: ProblemCollector, path: string, property: string, list: readonly WritablePathOption[], limitsOf: () => readonly (readonly [string, number])[]): void {
  if (!Array.isArray(list)) return;
  let limits: readonly (readonly [string, number])[] | undefined;
  list.forEach((p, i) => {
    if (typeof p !== 'object' || p === null || p.medium !== 'Memory' || typeof p.sizeLimitMiB !== 'number') return;
    const size = p.sizeLimitMiB;
    limits ??= limitsOf();
    const over = limits.filter(([, limit]) => size >= limit);
    if (over.length === 0) return;
    problems.warning({
      path, property: `${property}[${i}].sizeLimitMiB`, value: size,
      message: `a folder in memory counts against the container's memory limit, which is ${over.map(([env, limit]) => `${limit} MiB in ${env}`).join(', ')}: the container is OOM-killed before the folder is full`,
      fix: 'give a sizeLimitMiB well below the memory limit, or raise memoryLimitMiB',
    });
  });
}
