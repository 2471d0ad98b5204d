/**
 * Upgrade safety: the names of every object each example synthesizes, per cluster, are recorded in
 * test/examples/names/<example>.txt, and a change that renames or drops one fails (in the example's own test
 * file, on the synthesis it makes anyway: see ./names-record.ts and ./suite.ts) until the record says so. A new
 * name for an object makes Kubernetes (and Argo CD or Flux, pruning) delete the live object and create another: a
 * Deployment's pods restart, a PersistentVolumeClaim's volume is lost, a Service's address changes. Renames must
 * be meant.
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
import { checkNames, COMMAND, namesOf, namesProblems, readRecord, RECORDS, UPDATE } from './names-record';
import { EXAMPLES, load, ROOT } from './suite';

/** The names of every object an example synthesizes, sorted. */
function synthesizedNames(example: string): string[] {
  const objects: { cluster: string; object: KubeObject }[] = [];
  for (const [file, text] of new ManifestStack(load(example)()).files()) {
    if (file.startsWith('_')) continue; // CI files for the modules' repositories, not Kubernetes objects
    for (const doc of parseAllDocuments(text)) objects.push({ cluster: file.split('/')[0], object: doc.toJS() as KubeObject });
  }
  return namesOf(objects);
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

  // Each example's test file checks its names on the synthesis it makes anyway; here they are rewritten on request.
  if (UPDATE) it.each(EXAMPLES)('examples/%s: the record is rewritten (UPDATE_NAMES=1)', (example) => {
    checkNames(example, synthesizedNames(example), ROOT);
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
