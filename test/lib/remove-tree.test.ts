/**
 * `removeTree`, which removes the previous output after a synthesis (and staging folders, and locks): it must remove
 * exactly what `fs.rmSync(p, { recursive: true, force: true })` removes, and never anything a symbolic link inside the
 * tree points to.
 */
import fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nodeFileSystem, removeTree } from '../../lib/write';

let tmp: string;
let outside: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-remove-'));
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(path.join(outside, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'keep\n');
  fs.writeFileSync(path.join(outside, 'sub', 'keep.yaml'), 'kind: Keep\n');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every path under a folder with what it is (and a file's content), sorted; links are not followed. */
function listing(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(root, r);
      if (e.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(full)}`);
      else if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(r);
      } else out.push(`${r}: ${fs.readFileSync(full, 'utf8')}`);
    }
  };
  walk('');
  return out.sort();
}

describe('removeTree', () => {
  it('removes a folder of folders and files, and is silent when the path is missing', () => {
    const root = path.join(tmp, 'dist');
    fs.mkdirSync(path.join(root, 'host', 'deep', 'deeper'), { recursive: true });
    fs.mkdirSync(path.join(root, 'empty'));
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(root, 'host', `10-ns${i}.yaml`), `i: ${i}\n`);
    fs.writeFileSync(path.join(root, 'host', 'deep', 'deeper', 'x.yaml'), 'x\n');
    removeTree(root);
    expect(fs.existsSync(root)).toBe(false);
    expect(() => removeTree(root)).not.toThrow();
    expect(() => nodeFileSystem.remove(path.join(tmp, 'never', 'was'))).not.toThrow();
  });

  it('removes a file, and a link without what it points to', () => {
    const file = path.join(tmp, '.dist.lock');
    fs.writeFileSync(file, '{}\n');
    removeTree(file);
    expect(fs.existsSync(file)).toBe(false);
    const link = path.join(tmp, 'dist');
    fs.symlinkSync(outside, link);
    removeTree(link);
    expect(fs.lstatSync(link, { throwIfNoEntry: false })).toBeUndefined();
    expect(listing(outside)).toEqual(['keep.txt: keep\n', 'sub/', 'sub/keep.yaml: kind: Keep\n']);
  });

  it('removes links inside the folder, never what they point to', () => {
    const root = path.join(tmp, 'dist');
    fs.mkdirSync(path.join(root, 'host'), { recursive: true });
    fs.symlinkSync(outside, path.join(root, 'host', 'to-folder'));
    fs.symlinkSync(path.join(outside, 'keep.txt'), path.join(root, 'to-file'));
    fs.symlinkSync(path.join(tmp, 'nothing'), path.join(root, 'dangling'));
    const before = listing(outside);
    removeTree(root);
    expect(fs.existsSync(root)).toBe(false);
    expect(listing(outside)).toEqual(before);
  });

  // Random trees of folders, files and links (to a folder or a file outside, to a place inside, to nothing): removed
  // whole, and what lies outside is untouched.
  it('property: any tree is removed whole, and nothing outside it is touched', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'host', '10-x.yaml', '.hidden', 'ä');
    const entry = fc.record({
      at: fc.array(name, { minLength: 1, maxLength: 4 }),
      kind: fc.constantFrom('file', 'folder', 'link-folder', 'link-file', 'link-inside', 'dangling'),
    });
    let run = 0;
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 25 }), (entries) => {
        const root = path.join(tmp, `dist-${run++}`);
        fs.mkdirSync(root);
        for (const { at, kind } of entries) {
          // Only where every folder on the way is a folder (or missing), and nothing is yet.
          const blocked = at.slice(0, -1).some((_, i) => {
            const s = fs.lstatSync(path.join(root, ...at.slice(0, i + 1)), { throwIfNoEntry: false });
            return s !== undefined && !s.isDirectory();
          });
          const p = path.join(root, ...at);
          if (blocked || fs.lstatSync(p, { throwIfNoEntry: false })) continue;
          fs.mkdirSync(path.dirname(p), { recursive: true });
          if (kind === 'file') fs.writeFileSync(p, at.join('/'));
          else if (kind === 'folder') fs.mkdirSync(p);
          else fs.symlinkSync(kind === 'link-folder' ? outside : kind === 'link-file' ? path.join(outside, 'keep.txt') : kind === 'link-inside' ? root : path.join(tmp, 'nothing'), p);
        }
        const before = listing(outside);
        removeTree(root);
        return !fs.existsSync(root) && fs.lstatSync(root, { throwIfNoEntry: false }) === undefined && JSON.stringify(listing(outside)) === JSON.stringify(before);
      }),
      { seed: 20261206, numRuns: 60 },
    );
  });
});
