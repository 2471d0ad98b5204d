/**
 * A child process for the fault tests of the atomic writer: writes a tree (read from a JSON file) into an
 * output folder through a file system that counts its changing operations, and kills itself with SIGKILL
 * just before the one numbered `--kill-at`, or slows each one by `--slow-ms`. Prints `locked` when it holds
 * the output folder's lock, and on success `ops <changing operations> lock-attempts <tries to take the lock>`.
 *
 * node --require tsx/cjs test/lib/write-child.ts <outdir> <tree.json> [--kill-at N] [--slow-ms M] [--lock-timeout-ms T]
 */
import * as fs from 'fs';
import { nodeFileSystem, WriteFileSystem, writeTreeAtomically } from '../../lib/write';

const [outdir, treeFile, ...rest] = process.argv.slice(2);
const option = (name: string): number | undefined => {
  const i = rest.indexOf(name);
  return i < 0 ? undefined : Number(rest[i + 1]);
};
const killAt = option('--kill-at');
const slowMs = option('--slow-ms') ?? 0;
const lockTimeoutMs = option('--lock-timeout-ms');
const tree = JSON.parse(fs.readFileSync(treeFile, 'utf8')) as { files: Record<string, string>; dirs: string[] };

let ops = 0;
let lockAttempts = 0;
const step = (): void => {
  ops++;
  if (ops === killAt) process.kill(process.pid, 'SIGKILL');
  if (slowMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, slowMs);
};
const counting: WriteFileSystem = {
  ...nodeFileSystem,
  mkdir: (d) => (step(), nodeFileSystem.mkdir(d)),
  writeFile: (f, c) => (step(), nodeFileSystem.writeFile(f, c)),
  createExclusive: (f, c) => {
    step();
    lockAttempts++;
    nodeFileSystem.createExclusive(f, c);
    process.stdout.write('locked\n');
  },
  rename: (a, b) => (step(), nodeFileSystem.rename(a, b)),
  remove: (p) => (step(), nodeFileSystem.remove(p)),
};
writeTreeAtomically(outdir, new Map(Object.entries(tree.files)), tree.dirs, { fileSystem: counting, lockTimeoutMs });
process.stdout.write(`ops ${ops} lock-attempts ${lockAttempts}\n`);
