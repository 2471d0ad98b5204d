/**
 * Progress on stderr moves from the first second: each step before the first cluster (loading the program, the
 * model checks and planning, preparing the schema checks) is named as it starts, then the clusters are counted.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExitCode } from '../../cli/main';
import { Progress } from '../../cli/progress';
import { cli } from './run';

const QUICKSTART = path.resolve(__dirname, '..', '..', 'examples', 'quickstart', 'main.ts');

/** A progress on a terminal of 100 columns, with a clock that moves 100 ms a call. */
function terminal(quiet = false): { progress: Progress; written: string[] } {
  const written: string[] = [];
  let t = 0;
  const progress = new Progress({ err: (s) => void written.push(s) }, quiet, { isTTY: true, columns: 100, now: () => (t += 100) });
  return { progress, written };
}

describe('Progress', () => {
  it('draws one status line, rewritten in place at each step and cluster, and clears it when done', () => {
    const { progress, written } = terminal();
    progress.step('loading estate.ts');
    progress.step('model checks and planning');
    progress.cluster('host', 0, 2);
    progress.detail('preparing the schema checks');
    progress.cluster('member-test', 1, 2);
    progress.done();

    expect(written).toEqual([
      '\r\u001b[2Kplatform-cdk [0.1s] loading estate.ts…',
      '\r\u001b[2Kplatform-cdk [0.2s] model checks and planning…',
      `\r\u001b[2Kplatform-cdk [0.3s] rendering 0/2 clusters: host… ${'░'.repeat(20)}`,
      `\r\u001b[2Kplatform-cdk [0.4s] rendering 0/2 clusters: host, preparing the schema checks… ${'░'.repeat(20)}`,
      `\r\u001b[2Kplatform-cdk [0.5s] rendering 1/2 clusters: member-test… ${'█'.repeat(10)}${'░'.repeat(10)}`,
      '\r\u001b[2K',
    ]);
  });

  it('keeps the line within the terminal\'s width', () => {
    const { progress, written } = terminal();
    progress.step(`loading ${'x'.repeat(200)}.ts`);
    expect(written[0].length).toBeLessThanOrEqual('\r\u001b[2K'.length + 100);
    expect(written[0].endsWith('…')).toBe(true);
  });

  it('prints a message above the line and draws the line again', () => {
    const { progress, written } = terminal();
    progress.step('loading estate.ts');
    progress.print('warning: something\n');
    expect(written.slice(1)).toEqual(['\r\u001b[2K', 'warning: something\n', '\r\u001b[2Kplatform-cdk [0.2s] loading estate.ts…']);
  });

  it('says nothing when quiet, or when stderr is not a terminal', () => {
    const quiet = terminal(true);
    quiet.progress.step('loading');
    quiet.progress.cluster('host', 0, 1);
    quiet.progress.done();
    expect(quiet.written).toEqual([]);

    const written: string[] = [];
    const piped = new Progress({ err: (s) => void written.push(s) }, false, { isTTY: false });
    piped.step('loading');
    piped.done();
    expect(written).toEqual([]);
  });
});

describe('synth on a terminal', () => {
  const tty = process.stderr.isTTY;
  afterEach(() => {
    (process.stderr as { isTTY?: boolean }).isTTY = tty;
  });

  it('names every step before the first cluster, then counts the clusters, and leaves the line cleared', () => {
    (process.stderr as { isTTY?: boolean }).isTTY = true;
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-progress-')), 'dist');
    const r = cli('synth', '--app', QUICKSTART, '--out', out);

    expect(r.code).toBe(ExitCode.OK);
    const lines = r.stderr.split('\r\u001b[2K').filter((l) => l !== '').map((l) => l.replace(/^platform-cdk \[\d+\.\ds\] /, ''));
    // The terminal's width (80 columns when unknown) may cut the ends off; the beginnings name the steps.
    expect(lines.slice(0, 4).map((l, i) => l.slice(0, [30, 28, 26, 29][i]))).toEqual([
      `loading ${QUICKSTART}`.slice(0, 30),
      'preparing the schema checks…',
      'model checks and planning…',
      'rendering 0/2 clusters: host…',
    ]);
    expect(r.stderr).toMatch(/\r\u001b\[2Kplatform-cdk: the checks found \d+ warnings/);
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });
});
