/**
 * The output folder in the estate repository. The GitOps objects (Argo CD and KubeSphere `Application`s, Flux
 * `Kustomization`s) and the generated pipelines name the folder they sync or commit, `delivery.outdir`
 * (default `dist`), relative to the repository's root. `synth --out <folder>` writes elsewhere; this module makes
 * the names follow the folder actually written, or refuses a mismatch with an explicit `delivery.outdir`.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Platform } from '../constructs/platform';
import { UsageError } from './errors';

/**
 * The root of the git work tree holding a folder (the nearest folder upwards with a `.git`), if any.
 * @param from the folder to start from
 */
export function repositoryRoot(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Makes the platform's GitOps and pipeline paths name the output folder `out`, relative to the repository root
 * (the git work tree of the working folder, else the working folder). When the estate configures delivery:
 * - without `delivery.outdir`, the folder becomes `out` relative to the root (so `synth --out other` writes
 *   GitOps objects that sync `other/<cluster>`);
 * - with a `delivery.outdir` that is not `out`, a {@link UsageError} (the objects would sync a folder this run
 *   does not write);
 * - with `out` outside the repository (a check in a temporary folder), nothing changes, and the returned note
 *   says so.
 * @param platform the estate
 * @param out the output folder, as given
 * @param cwd the working folder
 * @returns a warning to print, if any
 */
export function followOutputFolder(platform: Platform, out: string, cwd: string = process.cwd()): string | undefined {
  const d = platform.delivery;
  if (!d) return undefined;
  const root = repositoryRoot(cwd) ?? path.resolve(cwd);
  const rel = path.relative(root, path.resolve(cwd, out)).split(path.sep).join('/');
  const configured = typeof d.outdir === 'string' ? d.outdir.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '') : undefined;
  if (rel === '' || rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
    return `the output folder ${out} is not inside the estate repository (${root}): the GitOps objects and the pipelines still name ${configured ?? 'dist'}/<cluster>, which this run does not write`;
  }
  if (configured !== undefined) {
    if (configured !== rel) {
      throw new UsageError(
        `--out ${out} is ${rel} in the estate repository, but the platform's delivery.outdir is ${JSON.stringify(d.outdir)}, the folder its GitOps objects sync and its pipelines commit`,
        `synthesize with --out ${configured} from the repository root, or change configureDelivery({ outdir })`,
      );
    }
    return undefined;
  }
  if (rel !== 'dist') platform.configureDelivery({ ...d, outdir: rel });
  return undefined;
}
