/**
 * Upgrade safety: the names of every object each example synthesizes, per cluster, are recorded in
 * test/examples/names/<example>.txt, and a change that renames or drops one fails until the record says so. A
 * new name for an object makes Kubernetes (and Argo CD or Flux, pruning) delete the live object and create
 * another: a Deployment's pods restart, a PersistentVolumeClaim's volume is lost, a Service's address changes.
 * Renames must be meant. Each example's test file checks its own names (on the synthesis it makes anyway);
 * names.test.ts rewrites the records (`UPDATE_NAMES=1`) and checks what they declare.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { KubeObject } from 'platform-cdk';

/** The folder of the records. */
export const RECORDS = path.join(__dirname, 'names');
/** Whether this run rewrites the records instead of checking them. */
export const UPDATE = process.env.UPDATE_NAMES === '1';
/** The command that rewrites the records. */
export const COMMAND = 'UPDATE_NAMES=1 npx jest test/examples/names.test.ts';
/** The heading of a record's declared renames and removals. */
export const CHANGES_HEADING = '## renamed or removed (old -> new, or old -> (removed)); every line was meant';

/** An object's name line: `<cluster> <Kind>[.<group>] [<namespace>/]<name>`, as kubectl names kinds. */
export function nameOf(cluster: string, o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
  const ns = o.metadata.namespace;
  return `${cluster} ${o.kind}${group} ${ns === undefined ? '' : `${ns}/`}${o.metadata.name}`;
}

/** The name lines of objects (with their cluster), sorted and without repeats. */
export function namesOf(objects: readonly { readonly cluster: string; readonly object: KubeObject }[]): string[] {
  return [...new Set(objects.map((o) => nameOf(o.cluster, o.object)))].sort();
}

/** A record file: the names, and the renames and removals declared so far. */
export interface NameRecord {
  /** The names, one per object. */
  readonly names: string[];
  /** The declared renames and removals, `old -> new` or `old -> (removed)`. */
  readonly changes: string[];
}

function header(example: string): string {
  return [
    `# The names of every object examples/${example} synthesizes: <cluster> <Kind>[.<group>] [<namespace>/]<name>.`,
    '# A name that goes away deletes the live object and creates another (see test/examples/names.test.ts).',
    `# Renamed or removed on purpose? Run \`${COMMAND}\`, review the lines it adds at the end, commit this file.`,
  ].join('\n');
}

/** The record of an example, if there is one. */
export function readRecord(file: string): NameRecord | undefined {
  if (!fs.existsSync(file)) return undefined;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.indexOf(CHANGES_HEADING);
  const names = (at < 0 ? lines : lines.slice(0, at)).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const changes = at < 0 ? [] : lines.slice(at + 1).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  return { names, changes };
}

/** Writes the record of an example. */
export function writeRecord(file: string, example: string, r: NameRecord): void {
  const changes = r.changes.length > 0 ? `\n${CHANGES_HEADING}\n${r.changes.join('\n')}\n` : '';
  fs.writeFileSync(file, `${header(example)}\n${r.names.join('\n')}\n${changes}`);
}

/** `old -> new` when exactly one name of the same cluster and kind went away and one came, else `old -> (removed)`. */
export function declare(gone: string[], added: string[]): string[] {
  const key = (n: string): string => n.split(' ').slice(0, 2).join(' ');
  return gone.map((g) => {
    const sameGone = gone.filter((x) => key(x) === key(g));
    const sameAdded = added.filter((x) => key(x) === key(g));
    return sameGone.length === 1 && sameAdded.length === 1 ? `${g} -> ${sameAdded[0]}` : `${g} -> (removed)`;
  });
}

/** What the test reports when names went away or came (empty when neither). */
export function namesProblems(example: string, rel: string, gone: string[], added: string[]): string[] {
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

/**
 * Checks an example's names against its record (or, with `UPDATE_NAMES=1`, rewrites the record); throws with
 * what to do when they differ.
 * @param example the example
 * @param now the names it synthesizes now (see `namesOf`)
 * @param root the repository's root, for the paths in messages
 */
export function checkNames(example: string, now: readonly string[], root: string): void {
  const file = path.join(RECORDS, `${example}.txt`);
  const rel = path.relative(root, file);
  const recorded = readRecord(file);
  const before = new Set(recorded?.names ?? []);
  const after = new Set(now);
  const gone = [...before].filter((n) => !after.has(n));
  const added = now.filter((n) => !before.has(n));
  if (UPDATE) {
    fs.mkdirSync(RECORDS, { recursive: true });
    writeRecord(file, example, { names: [...now], changes: [...(recorded?.changes ?? []), ...declare(gone, added)] });
    return;
  }
  if (!recorded) throw new Error(`${rel} does not exist: the names of examples/${example}'s objects are not recorded. Fix: run \`${COMMAND}\` and commit ${rel}.`);
  const problems = namesProblems(example, rel, gone, added);
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
