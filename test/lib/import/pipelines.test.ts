/**
 * Release pipelines, DevOps projects and GitOps applications in the import (lib/import/pipelines.ts): pipelines of
 * the library's shape come back as `addPipeline` options (shared options once, one line per module), the DevOps
 * project and the GitOps applications as what the delivery settings write, and a pipeline built in the console
 * comes back through an escape hatch. Small estates only (the quick tier).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { CiSystem, ClusterRole, Credential, DeployMethod, GitOpsTool, Platform, StageAnchor, Target } from 'platform-cdk';
import { diffOutputs, formatOutputDiff } from '../../../lib/diff';
import { importEstate } from '../../../lib/import';
import { readJenkinsfile } from '../../../lib/import/jenkinsfile';
import { ManifestStack } from 'platform-cdk';
import { tiered } from '../../tier';
import { loadProgram, roundTrip, writeExport } from './roundtrip';
import { estate, harbor, MAVEN, NODE } from './pipeline-estates';

const SEED = 20261206;
const devopsDiff = (r: ReturnType<typeof roundTrip>): string[] =>
  r.diff.clusters.flatMap((c) => [...c.added, ...c.removed, ...c.changed.map((x) => JSON.stringify(x))]).filter((x) => /devops|gitops|Pipeline|DevOpsProject|Application/.test(x));

describe('release pipelines of the library\'s shape', () => {
  test('come back as addPipeline options, written once where they are shared, and reproduce every DevOps object', () => {
    const platform = estate((add, { project, release }) => {
      project.addPipeline('migrations', { source: { repository: 'git@git.example.com:orders/migrations.git', credential: Credential.sshKey('gitlab-key') }, build: { image: MAVEN, commands: ['mvn -B flyway:validate'] }, image: harbor.image('orders/migrations', '1'), registryCredential: Credential.basicAuth('harbor-robot'), approval: { approvers: release }, environments: ['production'] });
      add('api', { build: { image: MAVEN, commands: ['mvn -B package'] }, unitTests: { commands: ['mvn -B test'], report: 'target/*.xml' }, scan: true, testsAfter: { test: { image: harbor.image('ci/newman', '6.2.1'), commands: ['newman run api.json'], report: 'reports/api.xml' } }, notify: { email: ['team@example.com'], webhook: Credential.secretText('chat-hook') } });
      add('web', { build: { image: NODE, commands: ['npm ci', 'npm run build'] }, extraStages: [{ name: 'lint', after: StageAnchor.BUILD, commands: ['npm run lint'] }, { name: 'sbom', after: StageAnchor.IMAGE, image: harbor.image('ci/syft', '1.0.0'), commands: ['syft .'] }], dockerfile: 'docker/Dockerfile', context: 'app' });
      add('worker', { build: { image: MAVEN, commands: ['mvn -B package'] }, unitTests: { commands: ['mvn -B test'], report: 'target/*.xml' }, scan: { severities: ['CRITICAL'], ignoreUnfixed: false } });
    });
    const r = roundTrip(platform, 'pipelines');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    const program = r.imported.program;
    const outcome = (object: string): string | undefined => r.imported.report.find((e) => e.object === object)?.outcome;
    expect(outcome('Pipeline orders-devops/api')).toBe('typed');
    expect(outcome('Pipeline orders-devops/migrations')).toBe('typed');
    expect(program).toContain("orders.addPipeline('migrations', {");
    expect(outcome('DevOpsProject orders-devops')).toBe('generated');
    expect(outcome('RoleBinding orders-devops/orders-developers-operator')).toBe('generated');
    expect(outcome('Application platform-gitops/host')).toBe('generated');
    expect(r.imported.report.filter((e) => e.outcome === 'hatch' || e.outcome === 'left-out').filter((e) => /devops|gitops/.test(e.object))).toEqual([]);
    // Shared options once (for the services' pipelines; the project's own pipeline says its own), the repository as
    // a template of the module's name, one line per module.
    expect(program.match(/Credential\.basicAuth\('harbor-robot'\)/g)).toHaveLength(2);
    expect(program).toContain('`https://git.example.com/orders/${service.name}.git`');
    expect(program.match(/ addReleasePipeline\(/g)).toHaveLength(3);
    expect(program).toContain("platform.configureDelivery({");
    expect(program).toContain("StageAnchor.IMAGE");
  });

  test('kubectl deploys with kubeconfigs come back as delivery settings', () => {
    const platform = estate((add) => {
      add('api', { build: { image: MAVEN, commands: ['mvn -B package'] } });
      add('web', { build: { image: NODE, commands: ['npm ci'] } });
    }, { deployMethod: DeployMethod.KUBECTL });
    const r = roundTrip(platform, 'kubectl');
    expect(devopsDiff(r)).toEqual([]);
    expect(r.imported.program).toContain('DeployMethod.KUBECTL');
    expect(r.imported.program).toContain("'member-1': Credential.kubeconfig('member-kube')");
  });

  test('values that must be quoted in TypeScript, Groovy and the shell come back as themselves', () => {
    const hostile = ["echo 'it''s' \"$HOME\" `date` ${x} \\n '''", 'printf "%s\\n" a\u2028b', 'cat <<EOF\nline\nEOF'];
    const platform = estate((add) => {
      add('api', { build: { image: MAVEN, commands: hostile }, extraStages: [{ name: 'it.s 1_0', after: StageAnchor.BUILD, commands: ['true \\'] }] });
      add('web', { build: { image: NODE, commands: ['npm ci'] }, dockerfile: 'docker/it.s.Dockerfile', context: 'sub/dir_1' });
    });
    const r = roundTrip(platform, 'hostile-pipelines');
    expect(devopsDiff(r)).toEqual([]);
    expect(r.imported.report.find((e) => e.object === 'Pipeline orders-devops/api')?.outcome).toBe('typed');
  });
});

describe('the platform\'s name', () => {
  test('without --platform it is the name the Jenkinsfiles were generated under, not the export folder\'s', () => {
    const platform = estate((add) => add('api', { build: { image: MAVEN, commands: ['mvn -B package'] } }));
    const dir = writeExport(new ManifestStack(platform).files());
    try {
      const imported = importEstate(dir);
      expect(path.basename(dir)).not.toBe('acme');
      expect(imported.program).toContain("new Platform('acme'");
      expect(imported.report.find((e) => e.object === 'Pipeline orders-devops/api')?.outcome).toBe('typed');
      expect(importEstate(dir, { platform: 'other' }).program).toContain("new Platform('other'");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pipelines the library did not write', () => {
  test('a pipeline built in the console comes back through an escape hatch, and a credential\'s value is never written', () => {
    const platform = estate((add) => add('api', { build: { image: MAVEN, commands: ['mvn -B package'] } }));
    const dir = writeExport(new ManifestStack(platform).files());
    try {
      const console = {
        apiVersion: 'devops.kubesphere.io/v1alpha3',
        kind: 'Pipeline',
        metadata: { name: 'nightly', namespace: 'orders-devops', annotations: { 'kubesphere.io/creator': 'bob' } },
        spec: { type: 'pipeline', pipeline: { name: 'nightly', jenkinsfile: "pipeline {\n  agent any\n  stages {\n    stage('build') { steps { sh 'make' } }\n  }\n}\n" } },
      };
      const credential = { apiVersion: 'v1', kind: 'Secret', type: 'credential.devops.kubesphere.io/basic-auth', metadata: { name: 'gitlab', namespace: 'orders-devops' }, data: { username: 'Ym9i', password: 'czNjcjN0LXQwa2Vu' }, stringData: { password: 's3cr3t-t0ken' } };
      fs.writeFileSync(path.join(dir, 'host', 'console.yaml'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [console, credential] }));
      const imported = importEstate(dir, { platform: 'acme' });
      const entry = imported.report.find((e) => e.object === 'Pipeline orders-devops/nightly');
      expect(entry?.outcome).toBe('hatch');
      expect(entry?.detail).toMatch(/not of the shape the library writes/);
      expect(imported.report.find((e) => e.object === 'Pipeline orders-devops/api')?.outcome).toBe('typed');
      expect(imported.program).not.toContain('s3cr3t-t0ken');
      expect(imported.program).not.toContain('czNjcjN0LXQwa2Vu');
      const again = new ManifestStack(loadProgram(imported.program, 'console-pipeline')).files();
      const live = new Map([...fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })].filter((f) => f.endsWith('.yaml')).map((f) => [f.split(path.sep).join('/'), fs.readFileSync(path.join(dir, f), 'utf8')]));
      const diff = diffOutputs(live, again, { live: true });
      // It comes back as it was (the escape hatch adds only the library's managed-by label).
      expect(diff.clusters.flatMap((c) => [...c.added, ...c.removed]).filter((x) => /Pipeline/.test(x))).toEqual([]);
      const changed = diff.clusters.flatMap((c) => c.changed).find((x) => x.object.includes('Pipeline orders-devops/nightly'));
      expect((changed?.fields ?? []).filter((f) => f.path !== '/metadata/labels')).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an edited Jenkinsfile is not read as the library\'s', () => {
    expect(readJenkinsfile("pipeline {\n  agent any\n}\n")).toMatch(/not generated by platform-cdk/);
    expect(typeof readJenkinsfile("// Release pipeline of a/b/c, generated by platform-cdk from x/a/b/c/Pipeline. Do not edit: change the model.\npipeline {\n}\n")).toBe('string');
  });

  test('a GitOps-only estate (pipelines in GitLab CI) keeps its GitOps applications', () => {
    const platform = new Platform('acme');
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    const production = platform.addEnvironment('production', { clusters: [host], production: true });
    platform.configureDelivery({ estate: { repository: 'https://git.example.com/platform/estate.git', branch: 'live', credential: Credential.basicAuth('estate-git') }, outdir: 'out', ci: [CiSystem.GITLAB_CI] });
    platform.addTenant('orders', { manager: 'alice' }).addProject('orders', { environments: [production] }).addService('api', { image: harbor.image('orders/api', '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] });
    const r = roundTrip(platform, 'gitops-only');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.report.find((e) => e.object === 'Application platform-gitops/host')?.outcome).toBe('generated');
    expect(r.imported.program).toContain('TODO');
  });
});

describe('GitOps in each cluster', () => {
  for (const [name, target, gitops] of [
    ['Argo CD on plain Kubernetes', Target.KUBERNETES, undefined],
    ['Flux on KubeSphere', undefined, GitOpsTool.FLUX],
  ] as const) {
    test(`${name} comes back as the delivery settings`, () => {
      const platform = new Platform('acme', target ? { target } : {});
      const host = platform.addCluster('host', { role: ClusterRole.HOST });
      const member = platform.addCluster('member-1', { role: ClusterRole.MEMBER });
      platform.addEnvironment('test', { clusters: [member] });
      const production = platform.addEnvironment('production', { clusters: [host], production: true });
      platform.configureDelivery({ estate: { repository: 'ssh://git@git.example.com/platform/estate.git', branch: 'live', credential: Credential.sshKey('estate-key') }, outdir: 'out', ...(gitops ? { gitops } : {}) });
      platform.addTenant('orders', { manager: 'alice' }).addProject('orders', { environments: [production] }).addService('api', { image: harbor.image('orders/api', '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] });
      const r = roundTrip(platform, `gitops-${gitops ?? 'argo'}`);
      expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
      const gitopsObjects = r.imported.report.filter((e) => /Application|GitRepository|Kustomization/.test(e.object));
      expect(gitopsObjects.length).toBeGreaterThanOrEqual(2);
      expect(gitopsObjects.map((e) => e.outcome)).toEqual(gitopsObjects.map(() => 'generated'));
      expect(r.imported.program).toContain("outdir: 'out'");
      if (gitops) expect(r.imported.program).toContain("Credential.sshKey('estate-key')");
    });
  }
});

test('whatever pipelines a generator builds round-trip', () => {
  // Each program is loaded from its own file (a module is loaded once).
  let run = 0;
  const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
  const command = fc.array(fc.constantFrom('a', 'b', ' ', "'", '"', '$', '\\', '`', '{', '}', '-', '\n'), { minLength: 1, maxLength: 12 }).map((cs) => `run ${cs.join('')}`);
  const step = fc.record({ commands: fc.array(command, { minLength: 1, maxLength: 3 }), report: fc.option(fc.constant('reports/*.xml'), { nil: undefined }) });
  fc.assert(
    fc.property(
      fc.record({ unit: fc.option(step, { nil: undefined }), scan: fc.boolean(), extra: fc.option(word, { nil: undefined }), dockerfile: fc.option(word, { nil: undefined }) }),
      fc.array(fc.record({ maven: fc.boolean(), tests: fc.option(fc.constantFrom(0, 1, 2), { nil: undefined }) }), { minLength: 3, maxLength: 3 }),
      fc.array(step, { minLength: 3, maxLength: 3 }),
      (g, modules, tests) => {
        const platform = estate((add) => {
          ['api', 'web', 'worker'].forEach((name, i) => {
            const m = modules[i];
            add(name, {
              build: { image: m.maven ? MAVEN : NODE, commands: ['make'] },
              unitTests: g.unit,
              testsAfter: m.tests === undefined ? undefined : { test: { ...tests[m.tests], image: m.maven ? harbor.image('ci/newman', '6') : undefined } },
              scan: g.scan || undefined,
              extraStages: g.extra ? [{ name: `x-${g.extra}`, after: StageAnchor.UNIT_TESTS, commands: ['true'] }] : undefined,
              dockerfile: g.dockerfile,
            });
          });
        });
        const r = roundTrip(platform, `pipelines-property-${(run += 1)}`);
        expect(devopsDiff(r)).toEqual([]);
        expect(r.imported.report.filter((e) => e.object.startsWith('Pipeline ')).map((e) => e.outcome)).toEqual(['typed', 'typed', 'typed']);
      },
    ),
    { seed: SEED, numRuns: tiered(4, 25) },
  );
});
