import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nodeFileSystem, OUTPUT_MARKER, OUTPUT_MARKER_TEXT, OutputWriteError, outputPaths, recoverOutput, UnsafeOutputFolderError, WriteFileSystem, writeTreeAtomically } from '../../lib/write';

/** A tree: file contents and folders, by path relative to its root. */
interface Tree {
  readonly files: Record<string, string>;
  readonly dirs: string[];
}

const OLD: Tree = {
  files: { 'host/00-cluster.yaml': 'old cluster\n', 'host/10-a.yaml': 'old a\n', 'member/00-cluster.yaml': 'old member\n', 'gone/10-x.yaml': 'old x\n' },
  dirs: ['host', 'member', 'gone'],
};
const NEW: Tree = {
  files: { 'host/00-cluster.yaml': 'new cluster\n', 'host/10-a.yaml': 'new a\n', 'host/10-b.yaml': 'new b\n', 'member/00-cluster.yaml': 'new member\n' },
  dirs: ['host', 'member', 'empty'],
};

/** Reads a folder back as a tree (`undefined` when it does not exist); the output marker, when there, is left out. */
function readTree(root: string): Tree | undefined {
  if (!fs.existsSync(root)) return undefined;
  const files: Record<string, string> = {};
  const dirs: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === OUTPUT_MARKER && fs.readFileSync(path.join(root, r), 'utf8') === OUTPUT_MARKER_TEXT) continue;
      if (e.isDirectory()) {
        dirs.push(r);
        walk(r);
      } else files[r] = fs.readFileSync(path.join(root, r), 'utf8');
    }
  };
  walk('');
  return { files: sorted(files), dirs: dirs.sort() };
}

/** A tree as written: its folders are the listed ones and the files' parents. */
function expected(t: Tree): Tree {
  const dirs = new Set(t.dirs);
  for (const f of Object.keys(t.files)) for (let d = path.posix.dirname(f); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  return { files: sorted(t.files), dirs: [...dirs].sort() };
}

function sorted(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Which tree a folder holds: `old`, `new`, `missing`, or `mixed`. */
function which(root: string): 'old' | 'new' | 'missing' | 'mixed' {
  const t = readTree(root);
  if (!t) return 'missing';
  if (JSON.stringify(t) === JSON.stringify(expected(OLD))) return 'old';
  if (JSON.stringify(t) === JSON.stringify(expected(NEW))) return 'new';
  return 'mixed';
}

const write = (outdir: string, t: Tree, fileSystem?: WriteFileSystem, lockTimeoutMs?: number): void =>
  writeTreeAtomically(outdir, new Map(Object.entries(t.files)), t.dirs, { fileSystem, lockTimeoutMs });

let tmp: string;
let out: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-write-'));
  out = path.join(tmp, 'dist');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The error a call throws. */
function thrown(fn: () => void): OutputWriteError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OutputWriteError) return e;
    throw e;
  }
  throw new Error('expected an OutputWriteError');
}

/** A file system whose `op` fails with `code` the `nth` time it is called. */
function failing(op: keyof WriteFileSystem, nth: number, code: string): WriteFileSystem {
  let n = 0;
  return {
    ...nodeFileSystem,
    [op]: (...args: unknown[]) => {
      if (++n === nth) throw Object.assign(new Error(`${code}: injected, ${op} '${String(args[0])}'`), { code });
      return (nodeFileSystem[op] as (...a: unknown[]) => unknown)(...args);
    },
  };
}

describe('writeTreeAtomically', () => {
  it('writes exactly the tree, replacing the previous output whole, and leaves nothing beside it', () => {
    write(out, OLD);
    expect(which(out)).toBe('old');
    write(out, NEW);
    expect(which(out)).toBe('new');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  it('takes the files from a function as it makes them, and keeps the previous output when the function throws', () => {
    write(out, OLD);
    writeTreeAtomically(out, (put) => {
      for (const [f, text] of Object.entries(NEW.files)) put(f, text);
    }, NEW.dirs);
    expect(which(out)).toBe('new');
    const failure = new Error('a collision found half-way');
    expect(() =>
      writeTreeAtomically(out, (put) => {
        put('host/00-cluster.yaml', 'half\n');
        throw failure;
      }),
    ).toThrow(failure);
    expect(which(out)).toBe('new');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  it('appends to a file written already, or creates it, with the file operations\' append or by reading and writing again', () => {
    const { appendFile: _append, ...withoutAppend } = nodeFileSystem;
    for (const fileSystem of [nodeFileSystem, withoutAppend as WriteFileSystem]) {
      writeTreeAtomically(out, (put, append) => {
        put('host/10-a.yaml', 'a: 1\n');
        append('host/10-a.yaml', '---\nb: 2\n');
        append('member/10-c.yaml', 'c: 3\n');
      }, [], { fileSystem });
      expect(readTree(out)?.files).toEqual({ 'host/10-a.yaml': 'a: 1\n---\nb: 2\n', 'member/10-c.yaml': 'c: 3\n' });
    }
  });

  it('refuses an output path that is a file, naming it', () => {
    fs.writeFileSync(out, 'x');
    expect(thrown(() => write(out, NEW)).message).toBe(`the output path ${out} exists and is not a folder. Fix: remove it or choose another output folder`);
  });

  it('writes through a symbolic link to a folder and keeps the link', () => {
    const real = path.join(tmp, 'real');
    write(real, OLD);
    fs.symlinkSync(real, out);
    write(out, NEW);
    expect(fs.lstatSync(out).isSymbolicLink()).toBe(true);
    expect(which(real)).toBe('new');
  });

  it('reports a full disk with the folder and the cause, and leaves the previous output intact', () => {
    write(out, OLD);
    const e = thrown(() => write(out, NEW, failing('writeFile', 4, 'ENOSPC'))); // the marker, then host/00-cluster.yaml, host/10-a.yaml
    expect(e.code).toBe('ENOSPC');
    expect(e.outdir).toBe(out);
    expect(e.message).toBe(
      `cannot write the output folder ${out}: no space left on the device (ENOSPC), when trying to write ${path.join(tmp, '.dist.staging', 'host/10-b.yaml')}; nothing was written and the previous output is unchanged. Fix: free space on the disk that holds ${tmp}, or choose an output folder on another disk`,
    );
    expect(which(out)).toBe('old');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  it('reports a folder it may not write in, and leaves the previous output intact', () => {
    write(out, OLD);
    const e = thrown(() => write(out, NEW, failing('mkdir', 2, 'EACCES')));
    expect(e.message).toMatch(new RegExp(`^cannot write the output folder ${out}: permission denied \\(EACCES\\), when trying to create the staging folder .*; nothing was written and the previous output is unchanged\\. Fix: make ${tmp} and ${out} writable for this user, or choose another output folder$`));
    expect(which(out)).toBe('old');
    const lock = thrown(() => write(out, NEW, failing('createExclusive', 1, 'EROFS')));
    expect(lock.message).toContain(`: the file system is read-only (EROFS), when trying to create the lock file ${path.join(tmp, '.dist.lock')}; nothing was written`);
    expect(which(out)).toBe('old');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  (process.getuid?.() === 0 ? it.skip : it)('reports a real read-only parent folder (skipped as root, who may write anywhere)', () => {
    write(out, OLD);
    fs.chmodSync(tmp, 0o555);
    try {
      expect(thrown(() => write(out, NEW)).code).toBe('EACCES');
    } finally {
      fs.chmodSync(tmp, 0o755);
    }
    expect(which(out)).toBe('old');
  });

  it('puts the previous output back when the new one cannot be moved in', () => {
    write(out, OLD);
    const e = thrown(() => write(out, NEW, failing('rename', 2, 'EIO')));
    expect(e.message).toContain('when trying to move the new output in from');
    expect(e.message).toContain('the previous output is unchanged');
    expect(which(out)).toBe('old');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });
});

describe('recovery of an interrupted run', () => {
  it('restores the previous output swapped away, and removes staging folders, before the next write', () => {
    const p = outputPaths(out);
    write(p.previous, OLD);
    write(p.staging, NEW);
    fs.mkdirSync(path.join(tmp, '.dist.staging-AbC123'));
    fs.writeFileSync(path.join(tmp, '.dist.lock.4242.stale'), '{}');
    expect(recoverOutput(out)).toEqual([
      `restored the previous output of ${out} from ${p.previous}, left by a run that was interrupted while swapping it`,
      `removed the staging folder ${p.staging}, left by an interrupted run`,
      `removed the staging folder ${path.join(tmp, '.dist.staging-AbC123')}, left by an interrupted run`,
    ]);
    expect(which(out)).toBe('old');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
    expect(recoverOutput(out)).toEqual([]);
  });

  it('restores the previous output an earlier version of the writer left swapped away', () => {
    const leftover = path.join(tmp, '.dist.staging-Xy12Z9.previous');
    write(leftover, OLD);
    fs.mkdirSync(path.join(tmp, '.dist.staging-Xy12Z9'));
    recoverOutput(out);
    expect(which(out)).toBe('old');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  it('removes the previous output when the new one was already in place, and the next write cleans up', () => {
    const p = outputPaths(out);
    write(out, NEW);
    write(p.previous, OLD);
    fs.mkdirSync(p.staging);
    write(out, NEW);
    expect(which(out)).toBe('new');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });
});

describe('only an output is replaced', () => {
  it('marks what it writes, with the same bytes every time, first in the staging folder', () => {
    const order: string[] = [];
    const recording: WriteFileSystem = { ...nodeFileSystem, writeFile: (f, c) => (order.push(path.basename(f)), nodeFileSystem.writeFile(f, c)) };
    write(out, NEW, recording);
    expect(order[0]).toBe(OUTPUT_MARKER);
    expect(fs.readFileSync(path.join(out, OUTPUT_MARKER), 'utf8')).toBe(OUTPUT_MARKER_TEXT);
    expect(OUTPUT_MARKER_TEXT).toBe('# This folder is written by platform-cdk, which replaces it whole at every synthesis:\n# keep nothing else here. platform-cdk only ever replaces a folder that holds this file.\n');
  });

  it('refuses a folder of the user\'s with the reason and the fix, and changes nothing; accepts an earlier version\'s output', () => {
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'notes.md'), 'mine\n');
    const e = thrown(() => write(out, NEW));
    expect(e).toBeInstanceOf(UnsafeOutputFolderError);
    expect((e as UnsafeOutputFolderError).reason).toBe('not-output');
    expect(e.message).toBe(
      `refusing to use ${out} as the output folder: it is not empty and platform-cdk did not write it (it has no ${OUTPUT_MARKER} file, and it holds notes.md, which platform-cdk does not write); a synthesis replaces its output folder whole, so it would delete what the folder holds. Nothing was changed. Fix: choose a new or empty folder, or one platform-cdk wrote; if nothing in it needs keeping, remove ${out} yourself and run again`,
    );
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
    expect(fs.readdirSync(out)).toEqual(['notes.md']);
    // A marker file that is not platform-cdk's does not make a folder an output.
    fs.writeFileSync(path.join(out, OUTPUT_MARKER), 'mine too\n');
    expect(thrown(() => write(out, NEW)).message).toContain(`it holds a ${OUTPUT_MARKER} that is not platform-cdk's marker`);
    fs.rmSync(out, { recursive: true });
    // An earlier version's output (no marker) of OLD's layout is replaced.
    for (const [f, text] of Object.entries(OLD.files)) {
      fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
      fs.writeFileSync(path.join(out, f), text);
    }
    write(out, NEW);
    expect(which(out)).toBe('new');
  });

  it('checks the folder again just before the swap: a file put there during the write stops it, and the staging folder goes', () => {
    write(out, OLD);
    let put = false;
    const e = thrown(() =>
      writeTreeAtomically(out, (w) => {
        w('host/00-cluster.yaml', 'new\n');
        fs.rmSync(path.join(out, OUTPUT_MARKER));
        fs.writeFileSync(path.join(out, 'draft.md'), 'written meanwhile\n');
        put = true;
      }),
    );
    expect(put).toBe(true);
    expect(e).toBeInstanceOf(UnsafeOutputFolderError);
    expect(fs.readFileSync(path.join(out, 'draft.md'), 'utf8')).toBe('written meanwhile\n');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  it('leaves alone what a writer did not leave beside the folder: an earlier-looking staging name holding the user\'s files, a lock set aside that is not a lock', () => {
    write(out, OLD);
    const staging = path.join(tmp, '.dist.staging-Notes1');
    fs.mkdirSync(staging);
    fs.writeFileSync(path.join(staging, 'plan.txt'), 'mine\n');
    fs.writeFileSync(path.join(tmp, '.dist.lock.12.stale'), 'not a lock\n');
    write(out, NEW);
    expect(which(out)).toBe('new');
    expect(fs.readdirSync(tmp).sort()).toEqual(['.dist.lock.12.stale', '.dist.staging-Notes1', 'dist']);
  });

  it('refuses a lock file of the user\'s that appears once the write has started, and removes nothing', () => {
    write(out, OLD);
    const lock = path.join(tmp, '.dist.lock');
    const racing: WriteFileSystem = {
      ...nodeFileSystem,
      createExclusive: (f, c) => {
        if (f === lock && !fs.existsSync(lock)) fs.writeFileSync(lock, 'shopping list\n');
        nodeFileSystem.createExclusive(f, c);
      },
    };
    const e = thrown(() => write(out, NEW, racing, 100));
    expect((e as UnsafeOutputFolderError).reason).toBe('beside');
    expect(fs.readFileSync(lock, 'utf8')).toBe('shopping list\n');
    expect(which(out)).toBe('old');
  });
});

describe('the lock beside the output folder', () => {
  const lockFile = (): string => path.join(tmp, '.dist.lock');

  it('fails clearly after the timeout while a live run holds it, and writes nothing', () => {
    write(out, OLD);
    fs.writeFileSync(lockFile(), JSON.stringify({ pid: process.pid, host: os.hostname(), since: '2026-01-01T00:00:00.000Z' }));
    const started = Date.now();
    const e = thrown(() => write(out, NEW, undefined, 300));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(e.code).toBe('ELOCKED');
    expect(e.message).toBe(
      `cannot write the output folder ${out}: process ${process.pid} on ${os.hostname()} (since 2026-01-01T00:00:00.000Z) has been writing it for longer than 300 ms (lock file ${lockFile()}); nothing was written and the previous output is unchanged. Fix: wait for that run to finish and run again; if no such run exists (e.g. a run on another machine sharing the folder was killed), remove ${lockFile()}`,
    );
    expect(which(out)).toBe('old');
    expect(fs.existsSync(lockFile())).toBe(true);
  });

  it('takes over the lock of a dead process', () => {
    write(out, OLD);
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    fs.writeFileSync(lockFile(), JSON.stringify({ pid: dead, host: os.hostname(), since: '2026-01-01T00:00:00.000Z' }));
    write(out, NEW, undefined, 200);
    expect(which(out)).toBe('new');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  });

  it('waits for an unreadable lock until it is old enough to be a killed run\'s, then takes it over', () => {
    write(out, OLD);
    fs.writeFileSync(lockFile(), '');
    expect(thrown(() => write(out, NEW, undefined, 200)).message).toContain('another run has been writing it for longer than 200 ms');
    const old = (Date.now() - 60_000) / 1000;
    fs.utimesSync(lockFile(), old, old);
    write(out, NEW, undefined, 200);
    expect(which(out)).toBe('new');
  });

  it('honours a lock held on another machine until the timeout', () => {
    fs.writeFileSync(lockFile(), JSON.stringify({ pid: 1, host: `not-${os.hostname()}`, since: '2026-01-01T00:00:00.000Z' }));
    expect(thrown(() => write(out, NEW, undefined, 100)).message).toContain(`process 1 on not-${os.hostname()}`);
  });
});

// Child processes that write NEW over OLD, through test/lib/write-child.ts.
const CHILD = path.join(__dirname, 'write-child.ts');
const TSX = require.resolve('tsx/cjs');

function child(outdir: string, tree: Tree, ...args: string[]): { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const file = path.join(tmp, `tree-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(tree));
  const r = spawnSync(process.execPath, ['--require', TSX, CHILD, outdir, file, ...args], { encoding: 'utf8' });
  fs.rmSync(file);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('a run killed with SIGKILL', () => {
  it('leaves the previous or the new output, whatever step it is killed at, and the next run repairs the rest', () => {
    // Counts the changing file operations of a whole write, then kills a run just before each of them.
    write(out, OLD);
    const whole = child(out, NEW);
    expect(whole.code).toBe(0);
    const ops = Number(/ops (\d+)/.exec(whole.stdout)?.[1]);
    expect(ops).toBeGreaterThan(10);
    const seen: Record<string, number> = {};
    for (let n = 1; n <= ops; n++) {
      fs.rmSync(out, { recursive: true, force: true });
      write(out, OLD);
      const r = child(out, NEW, '--kill-at', String(n));
      expect(r.signal).toBe('SIGKILL');
      let state = which(out);
      if (state === 'missing') {
        // Killed between the two renames: the previous output is complete beside it, and restored next.
        expect(which(path.join(tmp, '.dist.previous'))).toBe('old');
        state = 'missing';
      }
      expect(['old', 'new', 'missing']).toContain(state);
      seen[state] = (seen[state] ?? 0) + 1;
      recoverOutput(out);
      const after = which(out);
      expect(['old', 'new']).toContain(after);
      if (state !== 'missing') expect(after).toBe(state);
      expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.dist.') && f !== '.dist.lock')).toEqual([]);
      // The lock of the killed run is stale: the next write takes it over at once.
      write(out, NEW, undefined, 1000);
      expect(fs.readdirSync(tmp).filter((f) => !f.startsWith('tree-'))).toEqual(['dist']);
    }
    process.stdout.write(`write: a run killed before each of its ${ops} file operations left ${JSON.stringify(seen)}\n`);
    expect(seen.old).toBeGreaterThan(0);
    expect(seen.new).toBeGreaterThan(0);
    expect(seen.missing).toBe(1);
  }, 120_000);
});

describe('two runs at once on the same output folder', () => {
  /** Starts a child writing `tree`; `locked` resolves when it holds the lock, `done` when it ends. */
  const start = (tree: Tree, ...args: string[]): { locked: Promise<void>; done: Promise<{ code: number | null; stdout: string; stderr: string }> } => {
    const file = path.join(tmp, `tree-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(tree));
    const c = spawn(process.execPath, ['--require', TSX, CHILD, out, file, ...args]);
    let stdout = '';
    let stderr = '';
    let onLocked: () => void = () => undefined;
    const locked = new Promise<void>((resolve) => (onLocked = resolve));
    c.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('locked')) onLocked();
    });
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => c.on('close', (code) => resolve({ code, stdout, stderr })));
    return { locked, done };
  };
  const attempts = (stdout: string): number => Number(/lock-attempts (\d+)/.exec(stdout)?.[1]);

  it('write one after the other: the second waits for the first\'s lock, then writes its whole tree', async () => {
    write(out, OLD);
    const other: Tree = { files: { 'host/00-cluster.yaml': 'other\n', 'x/y.yaml': 'other y\n' }, dirs: ['host', 'x'] };
    const first = start(NEW, '--slow-ms', '100'); // holds the lock for about 2 s
    await first.locked;
    const second = start(other);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(attempts(a.stdout)).toBe(1);
    expect(attempts(b.stdout)).toBeGreaterThan(1);
    expect(JSON.stringify(readTree(out))).toBe(JSON.stringify(expected(other)));
    expect(fs.readdirSync(tmp).filter((f) => !f.startsWith('tree-'))).toEqual(['dist']);
  }, 60_000);

  it('started together, they write one whole tree', async () => {
    write(out, OLD);
    const other: Tree = { files: { 'host/00-cluster.yaml': 'other\n', 'x/y.yaml': 'other y\n' }, dirs: ['host', 'x'] };
    const [a, b] = await Promise.all([start(NEW, '--slow-ms', '10').done, start(other, '--slow-ms', '10').done]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect([JSON.stringify(expected(NEW)), JSON.stringify(expected(other))]).toContain(JSON.stringify(readTree(out)));
    expect(fs.readdirSync(tmp).filter((f) => !f.startsWith('tree-'))).toEqual(['dist']);
  }, 60_000);

  it('the second fails clearly when the first holds the lock longer than its timeout', async () => {
    write(out, OLD);
    const first = start(NEW, '--slow-ms', '150');
    await first.locked;
    const second = await start(OLD, '--lock-timeout-ms', '100').done;
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/OutputWriteError: cannot write the output folder .*: process \d+ on .* has been writing it for longer than 100 ms/);
    expect((await first.done).code).toBe(0);
    expect(which(out)).toBe('new');
  }, 60_000);
});
