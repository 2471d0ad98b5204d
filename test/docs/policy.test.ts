/**
 * docs/policy.md lists the policy rules; this test keeps its table equal to the rules the checks run
 * (`POLICY_RULES` of lib/policy.ts): the same ids in the same order, with their severity, profile and description.
 */
import * as fs from 'fs';
import * as path from 'path';
import { POLICY_RULES } from '../../lib/policy';
import { SECRET_RULES } from '../../lib/secret-rules';

const DOC = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'policy.md'), 'utf8');

it('docs/policy.md lists exactly the policy rules, as lib/policy.ts defines them', () => {
  const start = DOC.indexOf('| rule | severity | profile | requires |');
  expect(start).toBeGreaterThanOrEqual(0);
  const rows = DOC.slice(start)
    .split('\n')
    .slice(2)
    .filter((_, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('|')))
    .map((l) => l.split(' | ').map((c) => c.replace(/^\| |\|$/g, '').trim()));
  expect(rows).toEqual(POLICY_RULES.map((r) => [`\`${r.id}\``, r.severity, r.profile, r.description]));
});

it('docs/services.md lists exactly the secret rules, as lib/secret-rules.ts defines them', () => {
  const services = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'services.md'), 'utf8');
  const start = services.indexOf('| rule | looks like | matches |');
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = services.slice(start).split('\n').slice(2);
  const rows = lines.slice(0, lines.findIndex((l) => !l.startsWith('|'))).map((l) => l.split(' | ').map((c) => c.replace(/^\| |\|$/g, '').trim().replace(/\\\|/g, '|')));
  expect(rows).toEqual(SECRET_RULES.map((r) => [`\`${r.id}\``, r.description, r.matches]));
});
