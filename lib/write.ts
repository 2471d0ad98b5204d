/**
 * Writing output atomically. The output folder (`dist/`) stays a real folder, so that it can be committed
 * to git and read by Argo CD, Flux or `kubectl apply -f` like any other folder. A write:
 *
 * 0. refuses, before anything is touched, an output folder that may hold anything but an earlier output (see
 *    {@link checkOutputFolder}): the working directory, the program's folder, their ancestors, the file system's
 *    root, the home folder, a git work tree's root, a folder of sources, or a non-empty folder platform-cdk did not
 *    write. What platform-cdk writes carries a marker file ({@link OUTPUT_MARKER}); only a marked folder, an empty
 *    one, or one that holds only what earlier versions wrote is ever replaced;
 * 1. takes a lock beside the output folder (`.dist.lock`, created with O_EXCL, holding the writer's PID), so
 *    that two runs on the same folder never interleave: the second waits for the first, a bounded time;
 * 2. recovers what an interrupted run left behind (see {@link recoverOutput});
 * 3. writes the whole tree into a staging folder beside the output folder (`.dist.staging`), marker first;
 * 4. swaps it in: `dist` → `.dist.previous`, `.dist.staging` → `dist`, then removes `.dist.previous`.
 *
 * A run killed at any point (even SIGKILL) leaves either the previous output or the new one, never a partial
 * or mixed folder. A kill in the instant between the two renames of step 4 leaves no `dist/` but a complete
 * `.dist.previous`, which the next write (or {@link recoverOutput}) renames back before anything else. An
 * error (a full disk, a folder that cannot be written) is reported as an {@link OutputWriteError} naming the
 * folder and the cause, and leaves the previous output as it was; a refused folder as an
 * {@link UnsafeOutputFolderError}, with nothing changed on disk. The names beside the folder (`.dist.lock`,
 * `.dist.staging`, `.dist.previous`) are only ever removed or replaced when they hold what a writer leaves there.
 *
 * Not covered: a crash of the machine itself (files are not fsync'ed), and `cdk8s synth`, which deletes the
 * output folder before it runs the program.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The file operations the writer uses; tests pass their own to inject faults (a full disk, a kill at a given
 * step). Every path is absolute.
 */
export interface WriteFileSystem {
  /** Creates a folder and its parents (no error when it exists). */
  mkdir(dir: string): void;
  /** Writes a whole file. */
  writeFile(file: string, content: string): void;
  /** Creates a file that must not exist yet (O_CREAT | O_EXCL); throws an `EEXIST` error when it does. */
  createExclusive(file: string, content: string): void;
  /** Reads a whole file as UTF-8. */
  readFile(file: string): string;
  /**
   * Appends to a file, creating it when missing.
   * @default - the file is read, and written again with `content` after what it held
   */
  appendFile?(file: string, content: string): void;
  /** Renames a file or folder (rename(2): atomic on one file system). */
  rename(from: string, to: string): void;
  /** Removes a file or folder recursively; no error when it is missing. */
  remove(p: string): void;
  /** The names in a folder. */
  readdir(dir: string): string[];
  /** What is at a path, without following a symbolic link; `undefined` when nothing is. */
  lstat(p: string): fs.Stats | undefined;
}

/** The file operations of Node's `fs` module. */
export const nodeFileSystem: WriteFileSystem = {
  mkdir: (dir) => void fs.mkdirSync(dir, { recursive: true }),
  writeFile: (file, content) => fs.writeFileSync(file, content),
  createExclusive: (file, content) => {
    const fd = fs.openSync(file, 'wx');
    try {
      fs.writeSync(fd, content);
    } finally {
      fs.closeSync(fd);
    }
  },
  readFile: (file) => fs.readFileSync(file, 'utf8'),
  appendFile: (file, content) => fs.appendFileSync(file, content),
  rename: (from, to) => fs.renameSync(from, to),
  remove: (p) => removeTree(p),
  readdir: (dir) => fs.readdirSync(dir),
  lstat: (p) => fs.lstatSync(p, { throwIfNoEntry: false }),
};

/**
 * Removes a file or folder recursively, as `fs.rmSync(p, { recursive: true, force: true })` does (no error when it is
 * missing; a symbolic link is removed, never followed), with one `readdir` per folder and no `lstat` per file: on an
 * output of thousands of files this is what a synthesis pays to remove the previous output. Anything unexpected
 * (a file that vanishes or cannot be removed, a platform where `unlink` does not remove a link to a folder) is left to
 * `fs.rmSync`, which finishes the job or throws.
 * @param p the path to remove
 */
export function removeTree(p: string): void {
  const stat = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!stat) return;
  try {
    if (stat.isDirectory()) removeFolder(p);
    else fs.unlinkSync(p);
  } catch {
    fs.rmSync(p, { recursive: true, force: true });
  }
}

/** Removes a folder that is not a link, and what it holds; an entry's type comes from `readdir` (a link is not followed). */
function removeFolder(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) removeFolder(child);
    else fs.unlinkSync(child);
  }
  fs.rmdirSync(dir);
}

/** Options of {@link writeTreeAtomically}. */
export interface WriteOptions {
  /**
   * How long to wait for another run that is writing the same output folder, in milliseconds.
   * @default 30000
   */
  readonly lockTimeoutMs?: number;
  /**
   * The file operations to use.
   * @default nodeFileSystem
   */
  readonly fileSystem?: WriteFileSystem;
  /**
   * The program that writes (its file): its folder and that folder's ancestors are never an output folder.
   * @default - the running script (`process.argv[1]`, `require.main`), when it is a file
   */
  readonly program?: string;
  /**
   * The working directory, which (and whose ancestors) is never an output folder.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

/** Writing the output folder failed; the previous output is unchanged. */
export class OutputWriteError extends Error {
  /**
   * @param outdir the output folder (absolute)
   * @param message the whole message: the folder, the cause and the fix
   * @param code the error code of the cause (`ENOSPC`, `EACCES`, `ELOCKED` …), when there is one
   */
  constructor(
    /** The output folder (absolute). */
    public readonly outdir: string,
    message: string,
    /** The error code of the cause (`ENOSPC`, `EACCES`, `ELOCKED` …), when there is one. */
    public readonly code?: string,
  ) {
    super(message);
    this.name = 'OutputWriteError';
  }
}

/** Why an output folder is refused (see {@link checkOutputFolder}). */
export type UnsafeOutputReason =
  /** The file system's root. */
  | 'root'
  /** The working directory or one of its ancestors. */
  | 'working-directory'
  /** The program's folder or one of its ancestors. */
  | 'program'
  /** The user's home folder or one of its ancestors. */
  | 'home'
  /** The root of a git work tree (it holds `.git`). */
  | 'git'
  /** A folder of sources (it holds `package.json`, `cdk8s.yaml` or `tsconfig.json`). */
  | 'sources'
  /** A non-empty folder that platform-cdk did not write. */
  | 'not-output'
  /** A file or folder beside the output folder, with a name the writer uses, that the writer did not leave there. */
  | 'beside';

/**
 * An output folder that a synthesis may not replace (see {@link checkOutputFolder}): nothing was changed on disk.
 * The command line exits with the usage exit code (2).
 */
export class UnsafeOutputFolderError extends OutputWriteError {
  /**
   * @param outdir the output folder (absolute, as given)
   * @param reason why it is refused
   * @param message the whole message: the folder, why, and the fix
   */
  constructor(
    outdir: string,
    /** Why the folder is refused. */
    public readonly reason: UnsafeOutputReason,
    message: string,
  ) {
    super(outdir, message, 'EUNSAFE');
    this.name = 'UnsafeOutputFolderError';
  }
}

/**
 * The marker file platform-cdk writes into every output folder: a folder that holds it is platform-cdk's, and is
 * replaced whole by the next synthesis. Tools that read the output (`kubectl apply -f`, Argo CD, Flux) read only
 * `.yaml`, `.yml` and `.json` files, and pass it by.
 */
export const OUTPUT_MARKER = '.platform-cdk-output';

/** The marker file's content (always the same bytes). */
export const OUTPUT_MARKER_TEXT = [
  '# This folder is written by platform-cdk, which replaces it whole at every synthesis:',
  '# keep nothing else here. platform-cdk only ever replaces a folder that holds this file.',
  '',
].join('\n');

/** The default of {@link WriteOptions.lockTimeoutMs}. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** A lock file that cannot be read this long after it was created is left from a run killed while taking it. */
const UNREADABLE_LOCK_STALE_MS = 5_000;

/** The names beside the output folder `<parent>/<base>` that the writer uses. */
export interface OutputPaths {
  /** The output folder (absolute, symbolic links of the folder itself resolved). */
  readonly target: string;
  /** The lock file: `<parent>/.<base>.lock`. */
  readonly lock: string;
  /** The staging folder: `<parent>/.<base>.staging`. */
  readonly staging: string;
  /** The previous output while it is swapped out: `<parent>/.<base>.previous`. */
  readonly previous: string;
}

/**
 * The output folder and the names the writer uses beside it. When the output folder is a symbolic link to
 * a folder, the folder it points to is written and the link is kept.
 * @param outdir the output folder
 * @param fileSystem the file operations
 */
export function outputPaths(outdir: string, fileSystem: WriteFileSystem = nodeFileSystem): OutputPaths {
  let target = path.resolve(outdir);
  if (fileSystem.lstat(target)?.isSymbolicLink()) {
    try {
      target = fs.realpathSync(target);
    } catch {
      /* a dangling link: replaced like any other path */
    }
  }
  const parent = path.dirname(target);
  const base = path.basename(target);
  return {
    target,
    lock: path.join(parent, `.${base}.lock`),
    staging: path.join(parent, `.${base}.staging`),
    previous: path.join(parent, `.${base}.previous`),
  };
}

/**
 * What {@link writeTreeAtomically} writes: every file's content by relative path, or a function that produces
 * the files one by one (each handed to `write` as soon as it is made, so that the whole tree need not be held
 * in memory; `append` adds to a file written already, or creates it). When the function throws, nothing it wrote
 * is kept and its error is thrown on.
 */
export type TreeContent = ReadonlyMap<string, string> | ((write: (file: string, content: string) => void, append: (file: string, content: string) => void) => void);

/**
 * Replaces `outdir` with a folder holding exactly `files` (paths relative to `outdir`) and `dirs`, atomically
 * and under a lock (see the module's documentation). Throws an {@link OutputWriteError}, and leaves the
 * previous output as it was, when the folder cannot be written or another run holds the lock too long.
 * @param outdir the output folder; created if missing, replaced whole if present
 * @param files file contents by relative path, or a function that produces them (see {@link TreeContent})
 * @param dirs folders to create even when empty (relative paths)
 * @param options the lock's timeout and the file operations
 */
export function writeTreeAtomically(outdir: string, files: TreeContent, dirs: readonly string[] = [], options: WriteOptions = {}): void {
  const fsys = options.fileSystem ?? nodeFileSystem;
  // Before anything is touched: the folder (and the names beside it) may be replaced.
  const p = checkOutputFolder(outdir, options);
  const parent = path.dirname(p.target);
  attempt(p.target, 'create the folder it is in', parent, () => fsys.mkdir(parent));
  const release = acquireLock(p, fsys, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  try {
    recover(p, fsys);
    let current = p.staging;
    try {
      attempt(p.target, 'create the staging folder', p.staging, () => fsys.mkdir(p.staging));
      const marker = path.join(p.staging, OUTPUT_MARKER);
      attempt(p.target, 'write', marker, () => fsys.writeFile(marker, OUTPUT_MARKER_TEXT));
      for (const d of dirs) {
        current = path.join(p.staging, d);
        attempt(p.target, 'create the folder', current, () => fsys.mkdir(current));
      }
      const made = new Set<string>([p.staging, ...dirs.map((d) => path.join(p.staging, d))]);
      // Writes a file of the staging folder, or adds to its end (without appendFile: read and written again).
      const put = (rel: string, content: string, append: boolean): void => {
        current = path.join(p.staging, rel);
        const file = current;
        const dir = path.dirname(file);
        attempt(p.target, 'write', file, () => {
          if (!made.has(dir)) {
            fsys.mkdir(dir);
            made.add(dir);
          }
          if (!append) fsys.writeFile(file, content);
          else if (fsys.appendFile) fsys.appendFile(file, content);
          else fsys.writeFile(file, `${fsys.lstat(file) ? fsys.readFile(file) : ''}${content}`);
        });
      };
      const write = (rel: string, content: string): void => put(rel, content, false);
      const append = (rel: string, content: string): void => put(rel, content, true);
      if (typeof files === 'function') files(write, append);
      else for (const [rel, content] of files) write(rel, content);
    } catch (e) {
      try {
        fsys.remove(p.staging);
      } catch {
        /* removed by the next run's recovery */
      }
      throw e;
    }
    swapIn(p, fsys);
  } finally {
    release();
  }
}

/**
 * Repairs what an interrupted write left beside the output folder, under the output folder's lock: restores
 * the previous output when a run was killed between moving it away and moving the new one in, and removes
 * leftover staging folders. Every write does this first; call it to repair a folder without writing.
 * @param outdir the output folder
 * @param options the lock's timeout and the file operations
 * @returns what was repaired, one sentence each (empty when nothing was left behind)
 */
export function recoverOutput(outdir: string, options: WriteOptions = {}): string[] {
  const fsys = options.fileSystem ?? nodeFileSystem;
  const p = outputPaths(outdir, fsys);
  if (!fsys.lstat(path.dirname(p.target))) return [];
  const release = acquireLock(p, fsys, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  try {
    return recover(p, fsys);
  } finally {
    release();
  }
}

/** Moves the staging folder in place of the output folder; restores the previous output when that fails. */
function swapIn(p: OutputPaths, fsys: WriteFileSystem): void {
  // Checked again under the lock, in case something was put into the folder while the new output was made.
  const state = folderState(p.target, fsys);
  if (state.kind === 'foreign') {
    try {
      fsys.remove(p.staging);
    } catch {
      /* removed by the next run's recovery */
    }
    throw notOutput(p.target, p.target, state.entry);
  }
  if (!fsys.lstat(p.target)) {
    attempt(p.target, 'move the new output in from', p.staging, () => fsys.rename(p.staging, p.target), () => fsys.remove(p.staging));
    return;
  }
  attempt(p.target, 'move the previous output away to', p.previous, () => fsys.rename(p.target, p.previous), () => fsys.remove(p.staging));
  attempt(p.target, 'move the new output in from', p.staging, () => fsys.rename(p.staging, p.target), () => {
    fsys.rename(p.previous, p.target);
    fsys.remove(p.staging);
  });
  // The new output is in place; a failure to remove the previous one is repaired by the next write.
  try {
    fsys.remove(p.previous);
  } catch {
    /* left for the next run's recovery */
  }
}

/** Recovery itself, with the lock held. Only what a writer leaves beside the output folder is touched. */
function recover(p: OutputPaths, fsys: WriteFileSystem): string[] {
  const done: string[] = [];
  if (fsys.lstat(p.previous)) {
    const state = folderState(p.previous, fsys);
    if (state.kind === 'foreign') throw besideError(p.target, p.previous, state.entry);
    if (!fsys.lstat(p.target)) {
      attempt(p.target, 'restore the previous output from', p.previous, () => fsys.rename(p.previous, p.target));
      done.push(`restored the previous output of ${p.target} from ${p.previous}, left by a run that was interrupted while swapping it`);
    } else {
      attempt(p.target, 'remove the left-over folder', p.previous, () => fsys.remove(p.previous));
      done.push(`removed ${p.previous}, left by a run that was interrupted after writing ${p.target}`);
    }
  }
  // The fixed staging name, the `.<base>.staging-XXXXXX` names of earlier versions, and stale locks set aside.
  const parent = path.dirname(p.target);
  const stagingPrefix = path.basename(p.staging);
  const lockPrefix = `${path.basename(p.lock)}.`;
  for (const name of fsys.readdir(parent)) {
    const leftover = path.join(parent, name);
    if (name.startsWith(lockPrefix)) {
      if (/^\d+\.stale$/.test(name.slice(lockPrefix.length)) && isLockLike(leftover, fsys)) fsys.remove(leftover);
      continue;
    }
    if (!name.startsWith(stagingPrefix)) continue;
    const suffix = name.slice(stagingPrefix.length);
    if (suffix !== '' && !/^-[A-Za-z0-9]{6}(\.previous)?$/.test(suffix)) continue;
    const state = folderState(leftover, fsys);
    if (state.kind === 'foreign') {
      // The fixed name is refused before a write starts; an earlier version's name that holds something else is left alone.
      if (name === stagingPrefix) throw besideError(p.target, leftover, state.entry);
      continue;
    }
    if (name.endsWith('.previous') && !fsys.lstat(p.target)) {
      // An earlier version's previous output (`.<base>.staging-XXXXXX.previous`), swapped away when its run was killed.
      attempt(p.target, 'restore the previous output from', leftover, () => fsys.rename(leftover, p.target));
      done.push(`restored the previous output of ${p.target} from ${leftover}, left by a run that was interrupted while swapping it`);
      continue;
    }
    attempt(p.target, 'remove the left-over staging folder', leftover, () => fsys.remove(leftover));
    done.push(`removed the staging folder ${leftover}, left by an interrupted run`);
  }
  return done;
}

// ------------------------------------------------------------------------------------------------------------
// Which folders may be replaced
// ------------------------------------------------------------------------------------------------------------

/** The files of sources: a folder holding one is a project, never an output folder. */
const SOURCE_FILES = ['package.json', 'cdk8s.yaml', 'tsconfig.json'];

/**
 * Refuses, before anything is touched, an output folder that a synthesis may not replace, and returns the names
 * the writer uses. Symbolic links are resolved before comparing. Refused (an {@link UnsafeOutputFolderError},
 * nothing changed):
 *
 * - the file system's root; the working directory, the program's folder and the home folder, or an ancestor of one
 *   of them;
 * - the root of a git work tree (a folder holding `.git`), a folder holding `package.json`, `cdk8s.yaml` or
 *   `tsconfig.json`;
 * - an existing, non-empty folder platform-cdk did not write: one without the {@link OUTPUT_MARKER} file, unless
 *   it holds only what earlier versions of platform-cdk wrote (cluster folders of `00-cluster.yaml` and
 *   `10-<namespace>.yaml` files, `_gitlab-ci/<tenant>/<module>.gitlab-ci.yml`, `_install/<cluster>/<file>.yaml`);
 * - a `.dist.lock`, `.dist.staging` or `.dist.previous` beside it (for an output folder `dist`) that a writer did
 *   not leave there.
 *
 * An output path that is a file is an {@link OutputWriteError} (`ENOTDIR`).
 * @param outdir the output folder
 * @param options the program, the working directory and the file operations
 */
export function checkOutputFolder(outdir: string, options: WriteOptions = {}): OutputPaths {
  const fsys = options.fileSystem ?? nodeFileSystem;
  const given = path.resolve(outdir);
  const p = attempt(given, 'read', given, () => outputPaths(outdir, fsys));
  const real = realPathOf(p.target);
  const refuse = (reason: UnsafeOutputReason, why: string, fix: string): never => {
    const shown = real === given ? given : `${given} (${real})`;
    throw new UnsafeOutputFolderError(given, reason, `refusing to use ${shown} as the output folder: ${why}; a synthesis replaces its output folder whole, so it would delete what the folder holds. Nothing was changed. Fix: ${fix}`);
  };
  const ownFolder = 'write to a folder of its own inside the project, e.g. dist (the default)';
  if (path.parse(real).root === real) refuse('root', 'it is the root of the file system', ownFolder);
  const cwd = realPathOf(path.resolve(options.cwd ?? process.cwd()));
  if (holds(real, cwd)) refuse('working-directory', real === cwd ? 'it is the working directory' : `it holds the working directory ${cwd}`, ownFolder);
  for (const program of programs(options.program)) {
    if (holds(real, path.dirname(program))) refuse('program', `it holds the program ${program}`, ownFolder);
  }
  const home = realPathOf(os.homedir());
  if (holds(real, home)) refuse('home', real === home ? 'it is your home folder' : `it holds your home folder ${home}`, ownFolder);
  const existing = attempt(p.target, 'read', p.target, () => fsys.lstat(p.target));
  if (existing && !existing.isDirectory()) {
    throw new OutputWriteError(p.target, `the output path ${p.target} exists and is not a folder. Fix: remove it or choose another output folder`, 'ENOTDIR');
  }
  if (existing) {
    const names = attempt(p.target, 'read', p.target, () => fsys.readdir(p.target));
    if (names.includes('.git')) refuse('git', 'it is the root of a git work tree (it holds .git)', ownFolder);
    const sources = SOURCE_FILES.filter((f) => names.includes(f));
    if (sources.length > 0) refuse('sources', `it holds sources (${sources.join(', ')})`, ownFolder);
    const state = folderState(p.target, fsys);
    if (state.kind === 'foreign') throw notOutput(given, real, state.entry);
  }
  for (const beside of [p.staging, p.previous]) {
    const state = folderState(beside, fsys);
    if (state.kind === 'foreign') throw besideError(given, beside, state.entry);
  }
  if (fsys.lstat(p.lock) && !isLockLike(p.lock, fsys)) throw besideError(given, p.lock);
  return p;
}

/** The error of a non-empty folder platform-cdk did not write. */
function notOutput(given: string, real: string, entry: string | undefined): UnsafeOutputFolderError {
  const shown = real === given ? given : `${given} (${real})`;
  const holding = entry === undefined ? '' : `, and it holds ${entry}, which platform-cdk does not write`;
  return new UnsafeOutputFolderError(
    given,
    'not-output',
    `refusing to use ${shown} as the output folder: it is not empty and platform-cdk did not write it (it has no ${OUTPUT_MARKER} file${holding}); a synthesis replaces its output folder whole, so it would delete what the folder holds. Nothing was changed. Fix: choose a new or empty folder, or one platform-cdk wrote; if nothing in it needs keeping, remove ${given} yourself and run again`,
  );
}

/** The error of a name beside the output folder that holds something a writer did not leave there. */
function besideError(given: string, file: string, entry?: string): UnsafeOutputFolderError {
  return new UnsafeOutputFolderError(
    given,
    'beside',
    `refusing to write the output folder ${given}: ${file} beside it was not left by platform-cdk${entry === undefined ? '' : ` (it holds ${entry})`}, and a synthesis uses that name for its lock, staging and previous output, so it would replace it. Nothing was changed. Fix: rename or remove ${file}, or choose another output folder`,
  );
}

/** Whether `outer` is `inner` or one of its ancestors (absolute, resolved paths). */
function holds(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  return inner.startsWith(outer.endsWith(path.sep) ? outer : `${outer}${path.sep}`);
}

/** A path with every symbolic link resolved, also when its last parts do not exist yet. */
function realPathOf(p: string): string {
  const rest: string[] = [];
  let head = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...rest);
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return p;
      rest.unshift(path.basename(head));
      head = parent;
    }
  }
}

/** The program files whose folders are never an output folder: the one given, and the running script. */
function programs(given: string | undefined): string[] {
  const out = new Set<string>();
  for (const f of [given, process.argv[1], require.main?.filename]) {
    if (typeof f !== 'string' || f === '') continue;
    try {
      if (fs.statSync(f).isFile()) out.add(fs.realpathSync(f));
    } catch {
      /* not a file: nothing to protect */
    }
  }
  return [...out];
}

/** What a folder holds, as far as replacing it goes; `entry` names the first thing platform-cdk does not write. */
type FolderState = { kind: 'missing' | 'empty' | 'marked' | 'earlier-output' } | { kind: 'foreign'; entry?: string };

const CLUSTER_FOLDER = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const CLUSTER_FILE = /^(00-cluster|10-[a-z0-9]([-a-z0-9]*[a-z0-9])?)\.yaml$/;
const INSTALL_FILE = /^[a-z0-9][-a-z0-9.]*\.yaml$/;
const GITLAB_CI_FILE = /^[a-z0-9][-a-z0-9.]*\.gitlab-ci\.yml$/;

/**
 * Whether a folder may be replaced: missing, empty, marked, or holding only what earlier versions wrote (which
 * had no marker); else `foreign`. Something that vanishes while it is read (another run's staging folder) is
 * taken as gone.
 */
function folderState(dir: string, fsys: WriteFileSystem): FolderState {
  const stat = fsys.lstat(dir);
  if (!stat) return { kind: 'missing' };
  if (!stat.isDirectory()) return { kind: 'foreign', entry: stat.isSymbolicLink() ? 'a symbolic link' : 'a file, not a folder' };
  const names = readdirOrEmpty(dir, fsys);
  if (names.length === 0) return { kind: 'empty' };
  if (names.includes(OUTPUT_MARKER)) {
    const marker = path.join(dir, OUTPUT_MARKER);
    const text = readOrUndefined(marker, fsys);
    if (fsys.lstat(marker)?.isFile() && text !== undefined && text.startsWith(OUTPUT_MARKER_TEXT.split('\n')[0])) return { kind: 'marked' };
    return { kind: 'foreign', entry: `a ${OUTPUT_MARKER} that is not platform-cdk's marker` };
  }
  // Written by an earlier version: folders only, each holding the files that version wrote there.
  for (const name of [...names].sort()) {
    const sub = path.join(dir, name);
    const s = fsys.lstat(sub);
    if (!s) continue;
    if (!s.isDirectory()) return { kind: 'foreign', entry: name };
    if (name === '_gitlab-ci' || name === '_install') {
      for (const inner of readdirOrEmpty(sub, fsys)) {
        const bad = foreignFile(path.join(sub, inner), fsys, name === '_gitlab-ci' ? GITLAB_CI_FILE : INSTALL_FILE, true);
        if (bad !== undefined) return { kind: 'foreign', entry: `${name}/${inner}${bad}` };
      }
    } else if (!CLUSTER_FOLDER.test(name)) return { kind: 'foreign', entry: `${name}/` };
    else {
      const bad = foreignFile(sub, fsys, CLUSTER_FILE, true);
      if (bad !== undefined) return { kind: 'foreign', entry: `${name}${bad}` };
    }
  }
  return { kind: 'earlier-output' };
}

/**
 * Checks a folder that must hold only regular files named like `file`; returns the first offending name (as
 * `/<name>`, or `''` when the folder itself is not a folder), or `undefined` when it holds nothing else.
 */
function foreignFile(dir: string, fsys: WriteFileSystem, file: RegExp, folder: boolean): string | undefined {
  const s = fsys.lstat(dir);
  if (!s) return undefined;
  if (folder && !s.isDirectory()) return '';
  for (const name of readdirOrEmpty(dir, fsys).sort()) {
    const f = fsys.lstat(path.join(dir, name));
    if (f && (!f.isFile() || !file.test(name))) return `/${name}`;
  }
  return undefined;
}

function readdirOrEmpty(dir: string, fsys: WriteFileSystem): string[] {
  try {
    return fsys.readdir(dir);
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return [];
    throw e;
  }
}

function readOrUndefined(file: string, fsys: WriteFileSystem): string | undefined {
  try {
    return fsys.readFile(file);
  } catch {
    return undefined;
  }
}

/** Whether a file beside the output folder is a writer's lock (or one set aside): empty, or a JSON object. */
function isLockLike(file: string, fsys: WriteFileSystem): boolean {
  const s = fsys.lstat(file);
  if (!s) return true;
  if (!s.isFile()) return false;
  const text = readOrUndefined(file, fsys);
  return text === undefined || text.trim() === '' || text.trimStart().startsWith('{');
}

/** What a lock file holds. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/** Takes the output folder's lock, waiting up to `timeoutMs` for a live holder; returns its release. */
function acquireLock(p: OutputPaths, fsys: WriteFileSystem, timeoutMs: number): () => void {
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fsys.createExclusive(p.lock, `${JSON.stringify(me)}\n`);
      return () => {
        try {
          fsys.remove(p.lock);
        } catch {
          /* a lock left behind names a dead process, and is taken over by the next run */
        }
      };
    } catch (e) {
      if (codeOf(e) !== 'EEXIST') fail(p.target, 'create the lock file', p.lock, e);
    }
    const { holder, text } = readLock(p.lock, fsys);
    if (holder === 'stale') {
      attempt(p.target, 'take over the lock file of a run that no longer runs,', p.lock, () => takeOverStale(p.lock, text, fsys));
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder === 'unknown' ? 'another run' : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
      throw new OutputWriteError(
        p.target,
        `cannot write the output folder ${p.target}: ${who} has been writing it for longer than ${timeoutMs} ms (lock file ${p.lock}); nothing was written and the previous output is unchanged. Fix: wait for that run to finish and run again; if no such run exists (e.g. a run on another machine sharing the folder was killed), remove ${p.lock}`,
        'ELOCKED',
      );
    }
    sleep(Math.min(50, Math.max(1, deadline - Date.now())));
  }
}

/**
 * Removes a dead holder's lock file whose text was `text`. It is first renamed aside, which only one run can
 * do, and removed only if it still holds that text; a live lock taken meanwhile by another run is put back.
 */
function takeOverStale(lock: string, text: string | undefined, fsys: WriteFileSystem): void {
  if (text === undefined) return; // gone already
  const aside = `${lock}.${process.pid}.stale`;
  try {
    fsys.rename(lock, aside);
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return; // another run took it over first
    throw e;
  }
  let now: string | undefined;
  try {
    now = fsys.readFile(aside);
  } catch {
    now = undefined;
  }
  if (now === text || now === undefined) fsys.remove(aside);
  else fsys.rename(aside, lock);
}

/** The holder of a lock file (and the file's text): `stale` when it is dead or the file is gone, `unknown` when it cannot be told yet. */
function readLock(lock: string, fsys: WriteFileSystem): { holder: LockOwner | 'stale' | 'unknown'; text?: string } {
  let text: string;
  let stat: fs.Stats | undefined;
  try {
    stat = fsys.lstat(lock);
    text = fsys.readFile(lock);
  } catch (e) {
    if (codeOf(e) === 'ENOENT') return { holder: 'stale' };
    throw e;
  }
  let owner: LockOwner | undefined;
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string') owner = { pid: o.pid, host: o.host, since: String(o.since) };
  } catch {
    owner = undefined;
  }
  if (!owner && text.trim() !== '' && !text.trimStart().startsWith('{')) {
    // Not a writer's lock: a file of the user's that happens to have the lock's name.
    throw besideError(path.join(path.dirname(lock), path.basename(lock).replace(/^\.(.*)\.lock$/, '$1')), lock);
  }
  if (!owner) {
    // Written right after the O_EXCL create: empty only for an instant, unless its writer was killed then.
    const age = stat ? Date.now() - stat.mtimeMs : 0;
    return { holder: age > UNREADABLE_LOCK_STALE_MS ? 'stale' : 'unknown', text };
  }
  // A process on another machine cannot be checked: its lock holds until the timeout.
  if (owner.host !== os.hostname()) return { holder: owner, text };
  return { holder: isAlive(owner.pid) ? owner : 'stale', text };
}

/** Whether a process with this PID exists on this machine. */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return codeOf(e) === 'EPERM';
  }
}

/** Blocks the thread (writing is synchronous, as cdk8s synthesis is). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Runs one step and returns its result; on failure runs `undo` (best effort) and throws an {@link OutputWriteError}. */
function attempt<T>(outdir: string, action: string, where: string, step: () => T, undo?: () => void): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof OutputWriteError) throw e;
    let undone = true;
    if (undo) {
      try {
        undo();
      } catch {
        undone = false;
      }
    }
    fail(outdir, action, where, e, undone);
  }
}

/** Throws the {@link OutputWriteError} of a failed step, naming the folder, the cause and the fix. */
function fail(outdir: string, action: string, where: string, e: unknown, undone = true): never {
  const code = codeOf(e);
  const reason: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    EMFILE: 'too many open files',
    ENAMETOOLONG: 'the name is too long',
    ENOTDIR: 'a part of the path is a file, not a folder',
  };
  const fixes: Record<string, string> = {
    ENOSPC: `free space on the disk that holds ${path.dirname(outdir)}, or choose an output folder on another disk`,
    EDQUOT: `free space within your quota on the disk that holds ${path.dirname(outdir)}, or choose an output folder on another disk`,
    EACCES: `make ${path.dirname(outdir)} and ${outdir} writable for this user, or choose another output folder`,
    EPERM: `make ${path.dirname(outdir)} and ${outdir} writable for this user, or choose another output folder`,
    EROFS: 'choose an output folder on a writable file system',
    ENOTDIR: `remove the file that stands where a folder of ${outdir} should be, or choose another output folder`,
  };
  const message = (e as { message?: unknown } | null)?.message;
  const cause = code && reason[code] ? `${reason[code]} (${code})` : typeof message === 'string' ? message : String(e);
  const state = undone
    ? 'nothing was written and the previous output is unchanged'
    : `the previous output could not be put back; the next run restores it from ${path.join(path.dirname(outdir), `.${path.basename(outdir)}.previous`)}`;
  throw new OutputWriteError(outdir, `cannot write the output folder ${outdir}: ${cause}, when trying to ${action} ${where}; ${state}. Fix: ${(code && fixes[code]) ?? 'correct the cause and run again'}`, code);
}
