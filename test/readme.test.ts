/**
 * The README shows a program next to the YAML it writes, and the errors a broken version prints; this test
 * keeps all three true.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClusterRole, ManifestStack, Platform, Probe, Registry, ValidationError } from 'platform-cdk';
import { build } from '../examples/readme/main';

const ROOT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The fenced block after a marker line `<!-- name -->`, or the first block of a language after a phrase. */
function blockAfter(marker: string, lang: string): string {
  const start = README.indexOf(marker);
  expect(start).toBeGreaterThanOrEqual(0);
  const open = README.indexOf(`\`\`\`${lang}\n`, start) + lang.length + 4;
  return README.slice(open, README.indexOf('```\n', open));
}

it('starts with the two commands a newcomer runs', () => {
  const head = README.split('\n').slice(0, 20).join('\n');
  expect(head).toContain('npm ci && npm run synth');
  expect(head).toContain('npm ci && npm test');
});

it('shows examples/readme/main.ts as it is', () => {
  expect(blockAfter('`examples/readme/main.ts`:', 'ts')).toBe(fs.readFileSync(path.join(ROOT, 'examples', 'readme', 'main.ts'), 'utf8'));
});

it('shows exactly the YAML that program writes', () => {
  const files = new ManifestStack(build()).files();
  for (const file of ['host/00-cluster.yaml', 'host/10-checkout.yaml']) {
    expect(blockAfter(`<!-- dist/${file} -->`, 'yaml')).toBe(files.get(file));
  }
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
  expect(`${message}\n`).toBe(blockAfter('and the program prints this, and writes nothing:', 'text'));
});
