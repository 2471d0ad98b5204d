/**
 * The links between the docs hold: every relative link in README.md and docs/*.md names a file or folder of the
 * repository, and a `#fragment` names a heading of the page it points to (GitHub's anchors: the heading in lower
 * case, punctuation other than `-` and `_` removed, spaces as `-`). `docs/api/` is generated (`npm run docs`), so
 * links into it are not checked. The README's Documentation section links every page of docs/.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const PAGES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** The text of a page without its fenced code blocks (links in code are not links). */
function prose(page: string): string {
  return fs.readFileSync(path.join(ROOT, page), 'utf8').replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** GitHub's anchor of a heading. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*]/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(page: string): Set<string> {
  return new Set([...prose(page).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1])));
}

it('makes anchors as GitHub does', () => {
  expect(anchorOf('Deploy with Pulumi')).toBe('deploy-with-pulumi');
  expect(anchorOf('How it renders, and why this way')).toBe('how-it-renders-and-why-this-way');
  expect(anchorOf('Environments × clusters')).toBe('environments--clusters');
  expect(anchorOf('1. Map the console\'s objects onto the constructs')).toBe('1-map-the-consoles-objects-onto-the-constructs');
});

it('every relative link of the docs names an existing file and heading', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    for (const m of prose(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target)) continue;
      const [file, fragment] = target.split('#');
      const resolved = file === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), file));
      if (resolved.startsWith('docs/api/') || resolved === 'docs/api') continue;
      if (!fs.existsSync(path.join(ROOT, resolved))) broken.push(`${page}: ${target} (no ${resolved})`);
      else if (fragment !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(fragment)) broken.push(`${page}: ${target} (no heading #${fragment} in ${resolved})`);
    }
  }
  expect(broken).toEqual([]);
});

it('the README\'s Documentation section links every page of docs/', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Documentation\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const missing = PAGES.filter((p) => p.startsWith('docs/') && !section.includes(`](${p})`));
  expect(missing).toEqual([]);
});
