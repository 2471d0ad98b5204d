/**
 * The programs the import writes for release pipelines type-check (strict, with the project's options): builders
 * with and without tests after a deploy, one builder, kubectl deploys, a GitOps-only estate.
 */
import * as fs from 'fs';
import { CiSystem, ClusterRole, Credential, DeployMethod, ManifestStack, Platform } from 'platform-cdk';
import { importEstate } from '../../../lib/import';
import { estate, harbor, MAVEN, NODE } from './pipeline-estates';
import { typeCheckPrograms, writeExport } from './roundtrip';

function program(platform: Platform): string {
  const dir = writeExport(new ManifestStack(platform).files());
  try {
    return importEstate(dir, { platform: platform.node.id }).program;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

it('the programs of imported release pipelines type-check', () => {
  const newman = harbor.image('ci/newman', '6.2.1');
  const tests = (commands: string[]): { test: { image: typeof newman; commands: string[]; report: string } } => ({ test: { image: newman, commands, report: 'r.xml' } });
  const gitopsOnly = new Platform('acme');
  const host = gitopsOnly.addCluster('host', { role: ClusterRole.HOST });
  const production = gitopsOnly.addEnvironment('production', { clusters: [host], production: true });
  gitopsOnly.configureDelivery({ estate: { repository: 'https://git.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') }, ci: [CiSystem.GITLAB_CI] });
  gitopsOnly.addTenant('orders', { manager: 'alice' }).addProject('orders', { environments: [production] }).addService('api', { image: harbor.image('orders/api', '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] });
  const programs: Record<string, string> = {
    stacks: program(estate((add) => {
      add('api', { build: { image: MAVEN, commands: ['mvn package'] }, testsAfter: tests(['newman run a.json']) });
      add('web', { build: { image: NODE, commands: ['npm ci'] } });
      add('worker', { build: { image: MAVEN, commands: ['mvn package'] }, testsAfter: tests(['newman run a.json']) });
    })),
    oneStack: program(estate((add) => {
      add('api', { build: { image: MAVEN, commands: ['mvn package'] }, testsAfter: tests(['newman run a.json']) });
      add('web', { build: { image: MAVEN, commands: ['mvn package'] }, testsAfter: tests(['newman run a.json']) });
      add('worker', { build: { image: MAVEN, commands: ['mvn package'] }, dockerfile: 'w/Dockerfile' });
    })),
    kubectl: program(estate((add) => {
      add('api', { build: { image: MAVEN, commands: ['mvn package'] } });
      add('web', { build: { image: NODE, commands: ['npm ci'] }, scan: true });
    }, { deployMethod: DeployMethod.KUBECTL })),
    loop: program(estate((add) => {
      for (const n of ['api', 'web', 'worker']) add(n, { build: { image: MAVEN, commands: ['mvn package'] } });
    })),
    single: program(estate((add) => add('api', { build: { image: MAVEN, commands: ['mvn package'] } }))),
    gitopsOnly: program(gitopsOnly),
  };
  const r = typeCheckPrograms(programs);
  expect(r.output).toBe('');
  expect(r.status).toBe(0);
}, 300_000);
