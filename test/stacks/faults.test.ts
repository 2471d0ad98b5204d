/**
 * Faults during synthesis: child processes synthesize a real estate (examples/ride-hailing, about 200 files)
 * over the output of another (examples/quickstart) and are killed with SIGKILL at random moments (a fixed
 * seed), half anywhere in the run and half while it writes. Whatever the moment,
 * the output folder holds the old tree or the new one, whole; the next run repairs anything left beside it.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack, Platform } from 'platform-cdk';
import { OutputWriteError, recoverOutput, writeTreeAtomically } from '../../lib/write';
import { readTree } from '../fixture';
import { tiered } from '../tier';

const ROOT = path.resolve(__dirname, '..', '..');
const CHILD = path.join(__dirname, 'faults-child.ts');
const TSX = require.resolve('tsx/cjs');
const OLD_EXAMPLE = 'quickstart';
const NEW_EXAMPLE = 'ride-hailing';
/**
 * Kills per run: 2 in the quick tier (one anywhere in the run, one while it writes), 12 in the full tier; `PLATFORM_CDK_FAULT_KILLS=100 npx jest
 * test/stacks/faults.test.ts` for a longer run.
 */
const KILLS = Number(process.env.PLATFORM_CDK_FAULT_KILLS ?? tiered(2, 12));

function files(example: string): Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { build } = require(path.join(ROOT, 'examples', example, 'main.ts')) as { build: () => Platform };
  return sorted(Object.fromEntries(new ManifestStack(build()).files()));
}

function sorted(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A small seeded random number generator (mulberry32), so that the delays are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the child; kills it `delayMs` after it starts, or after it prints `writing` when `whileWriting`.
 * @returns how it ended
 */
function runChild(example: string, outdir: string, kill?: { delayMs: number; whileWriting: boolean }): Promise<Outcome> {
  return new Promise((resolve) => {
    const c: ChildProcess = spawn(process.execPath, ['--require', TSX, CHILD, example, outdir], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    const arm = (): void => void setTimeout(() => c.kill('SIGKILL'), kill?.delayMs);
    if (kill && !kill.whileWriting) arm();
    c.stdout?.on('data', (d: Buffer) => {
      const before = stdout;
      stdout += d.toString();
      if (kill?.whileWriting && !before.includes('writing') && stdout.includes('writing')) arm();
    });
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('a synthesis killed with SIGKILL', () => {
  let tmp: string;
  let out: string;
  let oldTree: Record<string, string>;
  let newTree: Record<string, string>;
  const state = (): 'old' | 'new' | 'missing' | 'mixed' => {
    if (!fs.existsSync(out)) return 'missing';
    const t = JSON.stringify(sorted(readTree(out)));
    return t === JSON.stringify(oldTree) ? 'old' : t === JSON.stringify(newTree) ? 'new' : 'mixed';
  };
  const writeOld = (): void => {
    fs.rmSync(out, { recursive: true, force: true });
    writeTreeAtomically(out, new Map(Object.entries(oldTree)));
  };

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-faults-'));
    out = path.join(tmp, 'dist');
    oldTree = files(OLD_EXAMPLE);
    newTree = files(NEW_EXAMPLE);
    expect(Object.keys(newTree).length).toBeGreaterThan(50);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it(`leaves the old or the new output whole, over ${KILLS} kills at random moments, and the next run repairs the rest`, async () => {
    // One whole run first: how long the run and its write take.
    writeOld();
    const started = Date.now();
    const whole = await runChild(NEW_EXAMPLE, out);
    const total = Date.now() - started;
    expect({ code: whole.code, stderr: whole.stderr }).toEqual({ code: 0, stderr: '' });
    expect(state()).toBe('new');
    const writePhase = Number(/done (\d+)/.exec(whole.stdout)?.[1]);

    const next = random(20261203);
    const seen: Record<string, number> = {};
    for (let i = 0; i < KILLS; i++) {
      writeOld();
      // Even runs: anywhere in the whole run; odd runs: while it writes.
      const whileWriting = i % 2 === 1;
      const delayMs = Math.floor(next() * (whileWriting ? writePhase : total));
      const r = await runChild(NEW_EXAMPLE, out, { delayMs, whileWriting });
      const s = state();
      const left = fs.readdirSync(tmp).filter((f) => f !== 'dist');
      seen[`${s}${r.signal ? '' : ' (not killed: finished first)'}`] = (seen[`${s}${r.signal ? '' : ' (not killed: finished first)'}`] ?? 0) + 1;
      if (s === 'missing') expect(left).toContain('.dist.previous'); // between the two renames: restored next
      else expect(['old', 'new']).toContain(s);
      recoverOutput(out);
      expect(['old', 'new']).toContain(state());
      if (s !== 'missing') expect(state()).toBe(s);
      expect(fs.readdirSync(tmp).filter((f) => f !== 'dist' && f !== '.dist.lock')).toEqual([]);
    }
    // The next whole run writes the new output and leaves nothing beside it.
    const last = await runChild(NEW_EXAMPLE, out);
    expect({ code: last.code, stderr: last.stderr }).toEqual({ code: 0, stderr: '' });
    expect(state()).toBe('new');
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
    process.stdout.write(`faults: ${KILLS} kills of a ${total} ms synthesis (writing ${writePhase} ms): ${JSON.stringify(seen)}\n`);
    expect(seen.mixed).toBeUndefined();
  }, 60_000 + KILLS * 15_000);

  it('two syntheses at once into the same folder write one after the other: the output is one whole tree', async () => {
    writeOld();
    const [a, b] = await Promise.all([runChild(NEW_EXAMPLE, out), runChild(OLD_EXAMPLE, out)]);
    expect([a, b].map((r) => ({ code: r.code, stderr: r.stderr }))).toEqual([{ code: 0, stderr: '' }, { code: 0, stderr: '' }]);
    expect(['old', 'new']).toContain(state());
    expect(fs.readdirSync(tmp)).toEqual(['dist']);
  }, 120_000);

  it('a folder that cannot be written is a clear error, and the previous output stays', () => {
    writeOld();
    const blocked = path.join(tmp, 'dist', 'host', '00-cluster.yaml', 'out');
    let error: unknown;
    try {
      new ManifestStack(
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require(path.join(ROOT, 'examples', OLD_EXAMPLE, 'main.ts')) as { build: () => Platform }).build(),
        { outdir: blocked },
      ).synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputWriteError);
    expect((error as Error).message).toBe(`cannot write the output folder ${blocked}: a part of the path is a file, not a folder (ENOTDIR), when trying to read ${blocked}; nothing was written and the previous output is unchanged. Fix: remove the file that stands where a folder of ${blocked} should be, or choose another output folder`);
    expect(state()).toBe('old');
  });
});
