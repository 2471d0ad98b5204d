/**
 * Writing output atomically. The output folder (`dist/`) stays a real folder, so that it can be committed
 * to git and read by Argo CD, Flux or `kubectl apply -f` like any other folder. A write:
 *
 * 1. takes a lock beside the output folder (`.dist.lock`, created with O_EXCL, holding the writer's PID), so
 *    that two runs on the same folder never interleave: the second waits for the first, a bounded time;
 * 2. recovers what an interrupted run left behind (see {@link recoverOutput});
 * 3. writes the whole tree into a staging folder beside the output folder (`.dist.staging`);
 * 4. swaps it in: `dist` → `.dist.previous`, `.dist.staging` → `dist`, then removes `.dist.previous`.
 *
 * A run killed at any point (even SIGKILL) leaves either the previous output or the new one, never a partial
 * or mixed folder. A kill in the instant between the two renames of step 4 leaves no `dist/` but a complete
 * `.dist.previous`, which the next write (or {@link recoverOutput}) renames back before anything else. An
 * error (a full disk, a folder that cannot be written) is reported as an {@link OutputWriteError} naming the
 * folder and the cause, and leaves the previous output as it was.
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
  rename: (from, to) => fs.renameSync(from, to),
  remove: (p) => fs.rmSync(p, { recursive: true, force: true }),
  readdir: (dir) => fs.readdirSync(dir),
  lstat: (p) => fs.lstatSync(p, { throwIfNoEntry: false }),
};

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
 * in memory). When the function throws, nothing it wrote is kept and its error is thrown on.
 */
export type TreeContent = ReadonlyMap<string, string> | ((write: (file: string, content: string) => void) => void);

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
  const resolved = path.resolve(outdir);
  const p = attempt(resolved, 'read', resolved, () => outputPaths(outdir, fsys));
  const existing = attempt(p.target, 'read', p.target, () => fsys.lstat(p.target));
  if (existing && !existing.isDirectory()) {
    throw new OutputWriteError(p.target, `the output path ${p.target} exists and is not a folder. Fix: remove it or choose another output folder`, 'ENOTDIR');
  }
  const parent = path.dirname(p.target);
  attempt(p.target, 'create the folder it is in', parent, () => fsys.mkdir(parent));
  const release = acquireLock(p, fsys, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  try {
    recover(p, fsys);
    let current = p.staging;
    try {
      attempt(p.target, 'create the staging folder', p.staging, () => fsys.mkdir(p.staging));
      for (const d of dirs) {
        current = path.join(p.staging, d);
        attempt(p.target, 'create the folder', current, () => fsys.mkdir(current));
      }
      const made = new Set<string>([p.staging, ...dirs.map((d) => path.join(p.staging, d))]);
      const write = (rel: string, content: string): void => {
        current = path.join(p.staging, rel);
        const file = current;
        const dir = path.dirname(file);
        attempt(p.target, 'write', file, () => {
          if (!made.has(dir)) {
            fsys.mkdir(dir);
            made.add(dir);
          }
          fsys.writeFile(file, content);
        });
      };
      if (typeof files === 'function') files(write);
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

/** Recovery itself, with the lock held. */
function recover(p: OutputPaths, fsys: WriteFileSystem): string[] {
  const done: string[] = [];
  if (fsys.lstat(p.previous)) {
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
    if (name.startsWith(lockPrefix) && name.endsWith('.stale')) {
      fsys.remove(path.join(parent, name));
      continue;
    }
    if (name !== stagingPrefix && !name.startsWith(`${stagingPrefix}-`)) continue;
    const leftover = path.join(parent, name);
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
