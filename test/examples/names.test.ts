/**
 * Upgrade safety: the names of every object each example synthesizes, per cluster, are recorded in
 * test/examples/names/<example>.txt, and a change that renames or drops one fails here until the record says
 * so. A new name for an object makes Kubernetes (and Argo CD or Flux, pruning) delete the live object and
 * create another: a Deployment's pods restart, a PersistentVolumeClaim's volume is lost, a Service's address
 * changes. Renames must be meant.
 *
 * To declare an intended rename or removal, run
 *
 *   UPDATE_NAMES=1 npx jest test/examples/names.test.ts
 *
 * which rewrites the record and adds each name that went away to its "renamed or removed" list (`old -> new`
 * when one object of the same cluster and kind took its place, else `old -> (removed)`); review those lines,
 * correct them if needed, and commit the file with the change, so that reviewers see them. New objects are
 * recorded the same way.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ManifestStack } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { EXAMPLES, load, ROOT } from './suite';

const RECORDS = path.join(__dirname, 'names');
const UPDATE = process.env.UPDATE_NAMES === '1';
const COMMAND = 'UPDATE_NAMES=1 npx jest test/examples/names.test.ts';
const CHANGES_HEADING = '## renamed or removed (old -> new, or old -> (removed)); every line was meant';

/** An object's name line: `<cluster> <Kind>[.<group>] [<namespace>/]<name>`, as kubectl names kinds. */
function nameOf(cluster: string, o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
  const ns = o.metadata.namespace;
  return `${cluster} ${o.kind}${group} ${ns === undefined ? '' : `${ns}/`}${o.metadata.name}`;
}

/** The names of every object an example synthesizes, sorted. */
function synthesizedNames(example: string): string[] {
  const names: string[] = [];
  for (const [file, text] of new ManifestStack(load(example)()).files()) {
    if (file.startsWith('_')) continue; // CI files for the modules' repositories, not Kubernetes objects
    const cluster = file.split('/')[0];
    for (const doc of parseAllDocuments(text)) names.push(nameOf(cluster, doc.toJS() as KubeObject));
  }
  return [...new Set(names)].sort();
}

/** A record file: the names, and the renames and removals declared so far. */
interface NameRecord {
  readonly names: string[];
  readonly changes: string[];
}

function header(example: string): string {
  return [
    `# The names of every object examples/${example} synthesizes: <cluster> <Kind>[.<group>] [<namespace>/]<name>.`,
    '# A name that goes away deletes the live object and creates another (see test/examples/names.test.ts).',
    `# Renamed or removed on purpose? Run \`${COMMAND}\`, review the lines it adds at the end, commit this file.`,
  ].join('\n');
}

function readRecord(file: string): NameRecord | undefined {
  if (!fs.existsSync(file)) return undefined;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.indexOf(CHANGES_HEADING);
  const names = (at < 0 ? lines : lines.slice(0, at)).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const changes = at < 0 ? [] : lines.slice(at + 1).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  return { names, changes };
}

function writeRecord(file: string, example: string, r: NameRecord): void {
  const changes = r.changes.length > 0 ? `\n${CHANGES_HEADING}\n${r.changes.join('\n')}\n` : '';
  fs.writeFileSync(file, `${header(example)}\n${r.names.join('\n')}\n${changes}`);
}

/** `old -> new` when exactly one name of the same cluster and kind went away and one came, else `old -> (removed)`. */
function declare(gone: string[], added: string[]): string[] {
  const key = (n: string): string => n.split(' ').slice(0, 2).join(' ');
  return gone.map((g) => {
    const sameGone = gone.filter((x) => key(x) === key(g));
    const sameAdded = added.filter((x) => key(x) === key(g));
    return sameGone.length === 1 && sameAdded.length === 1 ? `${g} -> ${sameAdded[0]}` : `${g} -> (removed)`;
  });
}

/** What the test reports when names went away or came (empty when neither). */
function namesProblems(example: string, rel: string, gone: string[], added: string[]): string[] {
  const problems: string[] = [];
  const declared = declare(gone, added);
  if (gone.length > 0) {
    problems.push(
      `${gone.length} object(s) of examples/${example} are renamed or removed; each one's live object would be deleted (and a renamed one created anew):`,
      ...declared.map((l) => `  ${l}`),
      `Fix: if this is wrong, keep the names (construct ids and names are a public contract). If it is meant, run \`${COMMAND}\`: it records the new names and adds the lines above to the end of ${rel}; check them and commit the file with the change.`,
    );
  }
  const targets = new Set(declared.map((l) => l.split(' -> ')[1]));
  const fresh = added.filter((n) => !targets.has(n));
  if (fresh.length > 0) {
    problems.push(`${fresh.length} new object(s) of examples/${example} are not recorded yet:`, ...fresh.map((l) => `  ${l}`), `Fix: run \`${COMMAND}\` and commit ${rel}.`);
  }
  return problems;
}

describe('the names of the examples\' objects (upgrade safety)', () => {
  it('fails on a rename or a removal, and says what to do', () => {
    const rel = 'test/examples/names/shop.txt';
    expect(namesProblems('shop', rel, ['host Deployment.apps a/web', 'host Service a/old'], ['host Deployment.apps a/www', 'host ConfigMap a/new'])).toEqual([
      '2 object(s) of examples/shop are renamed or removed; each one\'s live object would be deleted (and a renamed one created anew):',
      '  host Deployment.apps a/web -> host Deployment.apps a/www',
      '  host Service a/old -> (removed)',
      `Fix: if this is wrong, keep the names (construct ids and names are a public contract). If it is meant, run \`${COMMAND}\`: it records the new names and adds the lines above to the end of ${rel}; check them and commit the file with the change.`,
      '1 new object(s) of examples/shop are not recorded yet:',
      '  host ConfigMap a/new',
      `Fix: run \`${COMMAND}\` and commit ${rel}.`,
    ]);
    expect(namesProblems('shop', rel, [], [])).toEqual([]);
  });

  it.each(EXAMPLES)('examples/%s renames or drops no object without saying so', (example) => {
    const file = path.join(RECORDS, `${example}.txt`);
    const rel = path.relative(ROOT, file);
    const now = synthesizedNames(example);
    const recorded = readRecord(file);
    const before = new Set(recorded?.names ?? []);
    const after = new Set(now);
    const gone = [...before].filter((n) => !after.has(n));
    const added = now.filter((n) => !before.has(n));
    if (UPDATE) {
      fs.mkdirSync(RECORDS, { recursive: true });
      writeRecord(file, example, { names: now, changes: [...(recorded?.changes ?? []), ...declare(gone, added)] });
      return;
    }
    if (!recorded) throw new Error(`${rel} does not exist: the names of examples/${example}'s objects are not recorded. Fix: run \`${COMMAND}\` and commit ${rel}.`);
    const problems = namesProblems(example, rel, gone, added);
    if (problems.length > 0) throw new Error(problems.join('\n'));
  });

  it('declares only renames and removals that the examples\' output agrees with', () => {
    const problems: string[] = [];
    for (const example of EXAMPLES) {
      const r = readRecord(path.join(RECORDS, `${example}.txt`));
      if (!r) continue;
      const names = new Set(r.names);
      for (const line of r.changes) {
        const m = /^(.+) -> (.+)$/.exec(line);
        if (!m) problems.push(`${example}: "${line}" is not "old -> new" nor "old -> (removed)"`);
        else if (names.has(m[1])) problems.push(`${example}: "${line}" declares ${m[1]} renamed or removed, but the example still has it`);
        else if (m[2] !== '(removed)' && !names.has(m[2])) problems.push(`${example}: "${line}" names ${m[2]}, which the example does not have (a later rename should get a line of its own)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('records each example, and nothing else', () => {
    const files = fs.existsSync(RECORDS) ? fs.readdirSync(RECORDS).sort() : [];
    expect(files).toEqual(EXAMPLES.map((e) => `${e}.txt`));
  });
});
