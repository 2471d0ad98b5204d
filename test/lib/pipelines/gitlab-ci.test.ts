import { CiSystem, Credential, DeployMethod, ManifestStack, StageAnchor, Target } from 'platform-cdk';
import type { DeliveryOptions, Pipeline } from 'platform-cdk';
import { parse } from 'yaml';
import { deployScript } from '../../../lib/pipelines/common';
import { ciVariables, deploymentTier, gitlabVariables, renderGitlabCi } from '../../../lib/pipelines/gitlab-ci';
import { addService, fixture } from '../../fixture';
import { deliveredWith, fullProps } from './fixture';
import type { Delivered } from './fixture';

/** The fixture with delivery through GitLab CI. */
function delivered(delivery: Partial<DeliveryOptions> = {}, target?: Target): Delivered {
  return deliveredWith(CiSystem.GITLAB_CI, 'estate-repo', delivery, target);
}

interface Job {
  readonly stage: string;
  readonly image?: string | { name: string; entrypoint: string[] };
  readonly script: string[];
  readonly needs?: string[];
  readonly when?: string;
  readonly allow_failure?: boolean;
  readonly environment?: { name: string; deployment_tier?: string; action?: string };
  readonly resource_group?: string;
  readonly artifacts?: { when: string; reports: { junit: string } };
  readonly variables?: unknown;
}

interface CiFile {
  readonly stages: string[];
  readonly workflow: { rules: { if: string }[] };
  readonly jobs: Map<string, Job>;
  readonly header: string[];
  readonly raw: Record<string, unknown>;
}

/** GitLab's keywords at the top of a CI file (everything else is a job). */
const KEYWORDS = new Set(['stages', 'workflow', 'variables', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script']);

/** Reads a GitLab CI file: its header comments, stages, workflow and jobs. */
function read(text: string): CiFile {
  const raw = parse(text) as Record<string, unknown>;
  const jobs = new Map(Object.entries(raw).filter(([k]) => !KEYWORDS.has(k)) as [string, Job][]);
  const header = text.split('\n').filter((l, i, all) => l.startsWith('#') && all.slice(0, i).every((x) => x.startsWith('#')));
  return { stages: raw.stages as string[], workflow: raw.workflow as CiFile['workflow'], jobs, header, raw };
}

/** The variables a job's script reads before it sets them (GitLab's own CI_ variables left out). */
function externalVariables(job: Job): string[] {
  const defined = new Set<string>();
  const out = new Set<string>();
  for (const line of job.script) {
    for (const m of line.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)) if (!defined.has(m[1]) && !m[1].startsWith('CI_')) out.add(m[1]);
    for (const m of line.matchAll(/(?:^|export |\s)([A-Z][A-Z0-9_]*)=/g)) defined.add(m[1]);
  }
  return [...out];
}

describe('renderGitlabCi', () => {
  let f: ReturnType<typeof delivered>;
  let pipeline: Pipeline;
  let ci: CiFile;
  beforeEach(() => {
    f = delivered();
    pipeline = f.api.addPipeline(fullProps(f));
    ci = read(renderGitlabCi(pipeline));
  });

  it('has one job per stage but the checkout and the approvals, in order, and a failure notification after them', () => {
    expect(ci.stages).toEqual(['build', 'static-analysis', 'unit-tests', 'image', 'scan', 'deploy-test', 'verify-test', 'deploy-production']);
    expect([...ci.jobs.keys()].sort()).toEqual(['build', 'deploy-production', 'deploy-test', 'image-job', 'notify-failure', 'scan', 'static-analysis', 'unit-tests', 'verify-test']);
    expect(ci.stages.map((stage) => [...ci.jobs].filter(([, j]) => j.stage === stage).map(([name]) => name))).toEqual([
      ['build'],
      ['static-analysis'],
      ['unit-tests'],
      ['image-job'],
      ['scan'],
      ['deploy-test'],
      ['verify-test'],
      ['deploy-production'],
    ]);
    expect(ci.jobs.get('notify-failure')).toMatchObject({ stage: '.post', when: 'on_failure' });
  });

  it('names no job after a GitLab keyword: the image stage\'s job is image-job, since GitLab reads a top-level image: as the default image', () => {
    expect(ci.raw.image).toBeUndefined();
    expect(ci.jobs.get('image-job')?.stage).toBe('image');
    expect(ci.jobs.get('scan')?.needs).toEqual(['image-job']);
    const g = delivered();
    const file = read(renderGitlabCi(g.api.addPipeline({ ...fullProps(g), extraStages: [{ name: 'cache', after: StageAnchor.BUILD, commands: ['true'] }, { name: 'variables', after: StageAnchor.IMAGE, commands: ['true'] }] })));
    expect(file.raw.cache).toBeUndefined();
    expect(file.raw.variables).toBeUndefined();
    expect(file.jobs.get('cache-job')?.stage).toBe('cache');
    expect(file.jobs.get('variables-job')?.stage).toBe('variables');
  });

  it('puts every job in a stage of the file (or GitLab\'s .pre and .post)', () => {
    for (const [name, job] of ci.jobs) expect({ name, ok: ci.stages.includes(job.stage) || job.stage === '.pre' || job.stage === '.post' }).toEqual({ name, ok: true });
  });

  it('chains the jobs with needs that name real jobs of earlier stages', () => {
    const jobOfStage = (stage: string): string | undefined => [...ci.jobs].find(([, j]) => j.stage === stage)?.[0];
    for (const job of ci.jobs.values()) {
      for (const need of job.needs ?? []) {
        expect(ci.jobs.has(need)).toBe(true);
        expect(ci.stages.indexOf(ci.jobs.get(need)?.stage ?? '')).toBeLessThan(ci.stages.indexOf(job.stage));
      }
      const at = ci.stages.indexOf(job.stage);
      if (at > 0) expect(job.needs).toEqual([jobOfStage(ci.stages[at - 1])]);
    }
    expect(ci.jobs.get('build')?.needs).toBeUndefined();
  });

  it('makes the production deploy manual and blocking, in GitLab\'s production tier, one at a time', () => {
    expect(ci.jobs.get('deploy-production')).toMatchObject({
      when: 'manual',
      allow_failure: false,
      environment: { name: 'production', deployment_tier: 'production' },
      resource_group: 'deploy-production',
    });
    expect(ci.jobs.get('deploy-test')?.when).toBeUndefined();
    expect(ci.jobs.get('deploy-test')?.environment).toEqual({ name: 'test', deployment_tier: 'testing' });
    for (const [name, job] of ci.jobs) if (name !== 'deploy-production') expect(job.when === 'manual').toBe(false);
  });

  it('makes every deploy named in approval.before manual', () => {
    const g = delivered();
    const file = read(renderGitlabCi(g.api.addPipeline({ ...fullProps(g), approval: { approvers: g.releaseManagers, before: ['test', 'production'] } })));

    expect(file.jobs.get('deploy-test')?.when).toBe('manual');
    expect(file.jobs.get('deploy-production')?.when).toBe('manual');
  });

  it('lists in its header the CI/CD variables its scripts read, and the approvers of each protected environment', () => {
    const read_ = [...new Set([...ci.jobs.values()].flatMap(externalVariables))].sort();

    expect(ci.header).toEqual([
      '# Release pipeline of shop/storefront/api, generated by platform-cdk from acme/shop/storefront/api/Pipeline. Do not edit: change the model.',
      '# CI/CD variables (protected; masked, except SSH keys and kubeconfigs, which are File variables): ESTATE_REPO_PASSWORD, ESTATE_REPO_USER, HARBOR_ROBOT_PASSWORD, HARBOR_ROBOT_USER, SHOP_CHAT_TEXT',
      '# Protected environments and their approvers: production: alice, bob (department shop-release-managers)',
    ]);
    expect(read_).toEqual(ciVariables(pipeline));
    expect(ciVariables(pipeline)).toEqual(['ESTATE_REPO_PASSWORD', 'ESTATE_REPO_USER', 'HARBOR_ROBOT_PASSWORD', 'HARBOR_ROBOT_USER', 'SHOP_CHAT_TEXT']);
  });

  it('holds no credential values: no variables block, credentials only read from CI/CD variables', () => {
    expect(ci.raw.variables).toBeUndefined();
    for (const job of ci.jobs.values()) expect(job.variables).toBeUndefined();
    const image = ci.jobs.get('image-job')?.script ?? [];
    expect(image).toContain(
      'printf \'{"auths":{"%s":{"username":"%s","password":"%s"}}}\' "harbor.example.com" "$HARBOR_ROBOT_USER" "$HARBOR_ROBOT_PASSWORD" > /kaniko/.docker/config.json',
    );
    expect(ci.jobs.get('deploy-test')?.script.slice(0, 3)).toEqual([
      'IMAGE_TAG="$(echo "$CI_COMMIT_SHA" | cut -c1-12)"',
      'export ESTATE_GIT_USER="$ESTATE_REPO_USER"',
      'export ESTATE_GIT_PASSWORD="$ESTATE_REPO_PASSWORD"',
    ]);
    // Every credential-looking assignment takes a variable, never a literal.
    for (const job of ci.jobs.values()) {
      for (const line of job.script) for (const m of line.matchAll(/(USER|PASSWORD|USERNAME|TOKEN|KEY|TEXT|KUBECONFIG\w*)="([^"]*)"/g)) expect(m[2]).toMatch(/^\$[A-Z][A-Z0-9_]*$/);
    }
  });

  it('builds the image with Kaniko tagged with the commit, scans it with Trivy, and runs on the release branch only', () => {
    expect(ci.jobs.get('image-job')).toMatchObject({ image: { name: 'gcr.io/kaniko-project/executor:v1.23.2-debug', entrypoint: [''] } });
    expect(ci.jobs.get('image-job')?.script.at(-1)).toBe(
      '/kaniko/executor --context "$CI_PROJECT_DIR/." --dockerfile "$CI_PROJECT_DIR/Dockerfile" --destination "harbor.example.com/shop/api:$IMAGE_TAG"',
    );
    expect(ci.jobs.get('scan')?.script).toEqual([
      'IMAGE_TAG="$(echo "$CI_COMMIT_SHA" | cut -c1-12)"',
      'export TRIVY_USERNAME="$HARBOR_ROBOT_USER" TRIVY_PASSWORD="$HARBOR_ROBOT_PASSWORD"',
      'trivy image --exit-code 1 --severity HIGH,CRITICAL --ignore-unfixed "harbor.example.com/shop/api:$IMAGE_TAG"',
    ]);
    expect(ci.workflow).toEqual({ rules: [{ if: '$CI_COMMIT_BRANCH == "main"' }] });
  });

  it('runs steps in their images, publishes JUnit reports even on failure, and verifies the environment deployed', () => {
    expect(ci.jobs.get('build')).toEqual({ stage: 'build', image: 'harbor.example.com/ci/maven:3.9.9-eclipse-temurin-17', script: ['IMAGE_TAG="$(echo "$CI_COMMIT_SHA" | cut -c1-12)"', 'mvn -B -DskipTests package'] });
    expect(ci.jobs.get('unit-tests')?.artifacts).toEqual({ when: 'always', reports: { junit: 'target/surefire-reports/*.xml' } });
    expect(ci.jobs.get('verify-test')).toMatchObject({ image: 'harbor.example.com/ci/newman:6.1.3', environment: { name: 'test', action: 'verify' }, artifacts: { reports: { junit: 'newman/*.xml' } } });
  });

  it('deploys with the deploy script of the environment', () => {
    expect(ci.jobs.get('deploy-production')?.script.slice(3)).toEqual(deployScript(pipeline, f.production));
    expect(ci.jobs.get('deploy-production')?.image).toBe('docker.io/library/node:20.19.5-bookworm');
  });

  it('reads the SSH key and each cluster\'s kubeconfig from variables named after the credential ids in a kubectl deploy', () => {
    const g = delivered({
      estate: { repository: 'git@gitlab.example.com:platform/estate.git', credential: Credential.sshKey('estate-ssh') },
      deployMethod: DeployMethod.KUBECTL,
      kubeconfigs: { host: Credential.kubeconfig('host'), 'member-test': Credential.kubeconfig('member-test') },
    });
    const p = g.api.addPipeline(fullProps(g));
    const file = read(renderGitlabCi(p));

    expect(file.jobs.get('deploy-test')?.script.slice(0, 3)).toEqual(['IMAGE_TAG="$(echo "$CI_COMMIT_SHA" | cut -c1-12)"', 'export ESTATE_GIT_SSH_KEY="$ESTATE_SSH_SSH_KEY"', 'export KUBECONFIG_MEMBER_TEST="$MEMBER_TEST_KUBECONFIG"']);
    expect(file.jobs.get('deploy-production')?.script.slice(0, 3)).toEqual(['IMAGE_TAG="$(echo "$CI_COMMIT_SHA" | cut -c1-12)"', 'export ESTATE_GIT_SSH_KEY="$ESTATE_SSH_SSH_KEY"', 'export KUBECONFIG_HOST="$HOST_KUBECONFIG"']);
    expect(ciVariables(p)).toEqual(['ESTATE_SSH_SSH_KEY', 'HARBOR_ROBOT_PASSWORD', 'HARBOR_ROBOT_USER', 'HOST_KUBECONFIG', 'MEMBER_TEST_KUBECONFIG', 'SHOP_CHAT_TEXT']);
    expect([...new Set([...file.jobs.values()].flatMap(externalVariables))].sort()).toEqual(ciVariables(p));
  });

  it('has no notification job and no approvers line without them', () => {
    const g = delivered();
    const text = renderGitlabCi(g.api.addPipeline({ ...fullProps(g), environments: ['test'], approval: undefined, notify: undefined }));
    const file = read(text);

    expect(file.jobs.has('notify-failure')).toBe(false);
    expect(file.header).toHaveLength(2);
    expect(file.stages.at(-1)).toBe('verify-test');
  });
});

describe('GitLab CI helpers', () => {
  it('names the variables of a credential after its id', () => {
    expect(gitlabVariables(Credential.basicAuth('harbor-robot'))).toEqual({ user: 'HARBOR_ROBOT_USER', password: 'HARBOR_ROBOT_PASSWORD' });
    expect(gitlabVariables(Credential.sshKey('git.key'))).toEqual({ key: 'GIT_KEY_SSH_KEY' });
    expect(gitlabVariables(Credential.kubeconfig('prod'))).toEqual({ file: 'PROD_KUBECONFIG' });
    expect(gitlabVariables(Credential.secretText('chat'))).toEqual({ text: 'CHAT_TEXT' });
  });

  it('gives each environment GitLab\'s deployment tier: production, else from its name', () => {
    const f = fixture();
    const tiers = ['staging', 'preprod', 'uat', 'qa', 'dev', 'preview', 'sandbox'].map((name) => deploymentTier(f.platform.addEnvironment(name, { clusters: [f.member], namespaceSuffix: `-${name}` })));

    expect(deploymentTier(f.production)).toBe('production');
    expect(deploymentTier(f.test)).toBe('testing');
    expect(tiers).toEqual(['staging', 'staging', 'staging', 'testing', 'development', 'development', 'other']);
  });
});

describe('the GitLab CI files in the output', () => {
  it('are written under _gitlab-ci/<tenant>/<module>.gitlab-ci.yml on plain Kubernetes by default (snapshot)', () => {
    const f = fixture(Target.KUBERNETES);
    f.platform.configureDelivery({ estate: { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-repo') } });
    const releaseManagers = f.tenant.addDepartment('release-managers', { members: ['alice', 'bob'] });
    const pipeline = addService(f, 'api').addPipeline(fullProps({ ...f, releaseManagers }));
    const files = new ManifestStack(f.platform).files();
    const text = files.get('_gitlab-ci/shop/api.gitlab-ci.yml');

    expect([...files.keys()].filter((k) => k.startsWith('_'))).toEqual(['_gitlab-ci/shop/api.gitlab-ci.yml']);
    expect(text).toBe(renderGitlabCi(pipeline));
    expect(text).toMatchSnapshot();
  });

  it('are written beside the KubeSphere DevOps pipelines when both CI systems are asked for, and not at all for KubeSphere DevOps alone', () => {
    const both = delivered({ ci: [CiSystem.KUBESPHERE_DEVOPS, CiSystem.GITLAB_CI] });
    both.api.addPipeline(fullProps(both));
    const devops = delivered({ ci: [CiSystem.KUBESPHERE_DEVOPS] });
    devops.api.addPipeline(fullProps(devops));

    expect([...new ManifestStack(both.platform).files().keys()].filter((k) => k.startsWith('_'))).toEqual(['_gitlab-ci/shop/api.gitlab-ci.yml']);
    expect([...new ManifestStack(devops.platform).files().keys()].filter((k) => k.startsWith('_'))).toEqual([]);
  });
});
