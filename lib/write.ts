/**
 * Writing output atomically: everything goes to a temporary folder beside the output folder, which then
 * replaces it in one rename, so a failed or interrupted synthesis never leaves a half-written folder that
 * GitOps could sync from.
 */
import * as fs from 'fs';
import * as path from 'path';

/**
 * Replaces `outdir` with a folder holding exactly `files` (paths relative to `outdir`) and `dirs`.
 * @param outdir the output folder; created if missing, replaced whole if present
 * @param files file contents by relative path
 * @param dirs folders to create even when empty (relative paths)
 */
export function writeTreeAtomically(outdir: string, files: ReadonlyMap<string, string>, dirs: readonly string[] = []): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
    throw new Error(`the output path ${outdir} exists and is not a folder; remove it or choose another output folder`);
  }
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${base}.staging-`));
  try {
    for (const d of dirs) fs.mkdirSync(path.join(staging, d), { recursive: true });
    for (const [rel, content] of files) {
      const file = path.join(staging, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (!fs.existsSync(target)) {
    fs.renameSync(staging, target);
    return;
  }
  const previous = `${staging}.previous`;
  fs.renameSync(target, previous);
  try {
    fs.renameSync(staging, target);
  } catch (e) {
    fs.renameSync(previous, target);
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(previous, { recursive: true, force: true });
}
