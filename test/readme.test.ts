/**
 * The README shows a program next to the first file it writes; docs/output.md shows the rest of its output and
 * docs/concepts.md the errors a broken version prints. This test keeps all of them true, and the README a front
 * door: the two commands at the top, at most 250 lines.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClusterRole, ManifestStack, Platform, Probe, Registry, ValidationError } from 'platform-cdk';
import { build } from '../examples/readme/main';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const OUTPUT = fs.readFileSync(path.join(ROOT, 'docs', 'output.md'), 'utf8');
const CONCEPTS = fs.readFileSync(path.join(ROOT, 'docs', 'concepts.md'), 'utf8');

/** The fenced block of a page after a marker line `<!-- name -->`, or the first block of a language after a phrase. */
function blockAfter(marker: string, lang: string, page: string = README): string {
  const start = page.indexOf(marker);
  expect(start).toBeGreaterThanOrEqual(0);
  const open = page.indexOf(`\`\`\`${lang}\n`, start) + lang.length + 4;
  return page.slice(open, page.indexOf('```\n', open));
}

it('starts with the two commands a newcomer runs', () => {
  const head = README.split('\n').slice(0, 20).join('\n');
  expect(head).toContain('npm ci && npm run synth');
  expect(head).toContain('npm ci && npm test');
});

it('is a front door of at most 250 lines', () => {
  expect(README.split('\n').length - 1).toBeLessThanOrEqual(250);
});

it('shows examples/readme/main.ts as it is', () => {
  expect(blockAfter('`examples/readme/main.ts`:', 'ts')).toBe(fs.readFileSync(path.join(ROOT, 'examples', 'readme', 'main.ts'), 'utf8'));
});

it('shows exactly the YAML that program writes (the README its first file, docs/output.md the next)', () => {
  const files = new ManifestStack(build()).files();
  expect(blockAfter('<!-- dist/host/00-cluster.yaml -->', 'yaml')).toBe(files.get('host/00-cluster.yaml'));
  expect(blockAfter('<!-- dist/host/10-checkout.yaml -->', 'yaml', OUTPUT)).toBe(files.get('host/10-checkout.yaml'));
});

it('shows exactly the errors of the broken program', () => {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST, ingressClassName: 'nginx' });
  const member = platform.addCluster('member-1', { role: ClusterRole.MEMBER });
  const test = platform.addEnvironment('test', { clusters: [member] });
  const production = platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true });
  platform.addEnvironment('staging', { clusters: [] });
  const checkout = platform.addTenant('payments', { manager: 'alice' }).addProject('checkout', { environments: [test, production] });
  checkout.addService('api', {
    image: Registry.at('harbor.example.com').image('payments/api', 'latest'),
    runAsUser: 1000,
    ports: [{ port: 70000 }],
    readiness: Probe.http('/ready'),
  });
  let message = '';
  try {
    new ManifestStack(platform).files();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    message = (e as Error).message;
  }
  expect(`${message}\n`).toBe(blockAfter('and the program prints this, and writes nothing:', 'text', CONCEPTS));
});
