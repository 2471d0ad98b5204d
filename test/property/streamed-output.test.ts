/**
 * Without checks or inspection, `ManifestStack.synth()` writes each namespace's file as soon as it is rendered (and
 * appends a later group of the same file), rather than holding a cluster's text until the cluster is done. Random
 * valid estates must give the same bytes, the same files in the same order and the same cluster summaries as the
 * buffered path (`files()`) and as a synthesis with the checks. Seeded and bounded.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack } from 'platform-cdk';
import { readTree } from '../fixture';
import { buildEstate, validEstate } from './estate';
import { tiered } from '../tier';

const SEED = 20261206;

describe('the streamed synthesis of random valid estates', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-streamed-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the bytes, the files in order and the summaries of the buffered path and of a checked synthesis', () => {
    fc.assert(
      fc.property(validEstate, (spec) => {
        const { platform } = buildEstate(spec);
        const streamed = new ManifestStack(platform, { outdir: path.join(dir, 'streamed'), checks: false }).synth();
        const buffered = new ManifestStack(platform, { checks: false }).files();
        const checked = new ManifestStack(platform, { outdir: path.join(dir, 'checked') }).synth();
        expect(streamed.files).toEqual([...buffered.keys()]);
        expect(streamed.files).toEqual(checked.files);
        expect(streamed.clusters).toEqual(checked.clusters);
        const tree = readTree(path.join(dir, 'streamed'));
        expect(tree).toEqual(readTree(path.join(dir, 'checked')));
        for (const [f, text] of buffered) expect(tree[f]).toBe(text);
      }),
      { seed: SEED, numRuns: tiered(4, 20) },
    );
  });
});
