import { ClusterRole, CiSystem, Credential, DeployMethod, formatProblem, GitOpsTool, Pipeline, Platform, Registry, StageAnchor, Target, validatePlatform, ValidationError } from 'platform-cdk';
import type { AppService, DeliveryOptions, Department, PipelineProps } from 'platform-cdk';
import { addService, fixture, validationErrors } from '../fixture';
import type { Fixture } from '../fixture';

const ESTATE = { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') };

/** The fixture with delivery configured, a release-managers department (alice, bob) and a service `api`. */
function delivered(target?: Target, delivery: Partial<DeliveryOptions> = {}): Fixture & { releaseManagers: Department; api: AppService } {
  const f = fixture(target);
  f.platform.configureDelivery({ estate: ESTATE, ...delivery });
  const releaseManagers = f.tenant.addDepartment('release-managers', { members: ['alice', 'bob'] });
  return { ...f, releaseManagers, api: addService(f, 'api') };
}

/** A valid pipeline's properties (approved by the department given), with overrides. */
function props(f: { readonly registry: Registry }, approvers: Department | undefined, overrides: Partial<PipelineProps> = {}): PipelineProps {
  return {
    source: { repository: 'https://gitlab.example.com/shop/api.git', credential: Credential.basicAuth('gitlab') },
    build: { image: f.registry.image('ci/maven', '3.9.9'), commands: ['mvn -B package'] },
    registryCredential: Credential.basicAuth('harbor-robot'),
    ...(approvers ? { approval: { approvers } } : {}),
    ...overrides,
  };
}

const names = (p: Pipeline): string[] => p.stages.map((s) => s.name);

describe('Pipeline', () => {
  it('is the service\'s child "Pipeline", releases the service\'s image and is keyed <tenant>/<project>/<service>', () => {
    const f = delivered();
    const pipeline = f.api.addPipeline(props(f, f.releaseManagers));

    expect(pipeline.node.path).toBe('acme/shop/storefront/api/Pipeline');
    expect(Pipeline.isPipeline(pipeline)).toBe(true);
    expect(Pipeline.isPipeline(f.api)).toBe(false);
    expect(pipeline.module).toBe('api');
    expect(pipeline.service).toBe(f.api);
    expect(pipeline.project).toBe(f.project);
    expect(pipeline.image.reference).toBe('harbor.example.com/shop/api:1.0.0');
    expect(pipeline.releaseKey).toBe('shop/storefront/api');
    expect(f.api.releaseKey).toBe('shop/storefront/api');
  });

  it('builds the image given instead of the service\'s when one is given', () => {
    const f = delivered();
    const pipeline = f.api.addPipeline(props(f, f.releaseManagers, { image: f.registry.image('shop/api-server', '0.0.0') }));

    expect(pipeline.image.reference).toBe('harbor.example.com/shop/api-server:0.0.0');
  });

  it('releases a module that is not a service from the project, with the image it is given', () => {
    const f = delivered();
    const service = f.api.addPipeline(props(f, f.releaseManagers));
    const worker = f.project.addPipeline('worker', { ...props(f, f.releaseManagers), image: f.registry.image('shop/worker', '0.0.0') });

    expect(worker.node.path).toBe('acme/shop/storefront/pipeline-worker');
    expect(worker.module).toBe('worker');
    expect(worker.service).toBeUndefined();
    expect(worker.project).toBe(f.project);
    expect(worker.releaseKey).toBe('shop/storefront/worker');
    expect(worker.image.reference).toBe('harbor.example.com/shop/worker:0.0.0');
    // The services' pipelines first, then the project's own.
    expect(f.project.pipelines).toEqual([service, worker]);
  });

  it('deploys to every environment of its project, in the platform\'s promotion order', () => {
    const platform = new Platform('acme', { promotionOrder: ['dev', 'staging', 'production'] });
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    // Added out of order: the promotion order decides.
    const production = platform.addEnvironment('production', { clusters: [host], production: true });
    const staging = platform.addEnvironment('staging', { clusters: [host], namespaceSuffix: '-staging' });
    const dev = platform.addEnvironment('dev', { clusters: [host], namespaceSuffix: '-dev' });
    const tenant = platform.addTenant('shop', { manager: 'alice' });
    const approvers = tenant.addDepartment('release-managers', { members: ['alice'] });
    const project = tenant.addProject('storefront', { environments: [production, dev, staging] });
    const registry = Registry.at('harbor.example.com');
    const api = project.addService('api', { image: registry.image('shop/api', '1.0.0'), ports: [{ port: 8080 }] });
    platform.configureDelivery({ estate: ESTATE });
    const pipeline = api.addPipeline(props({ registry }, approvers));

    expect(platform.promotionOrder).toEqual([dev, staging, production]);
    expect(pipeline.environments).toEqual([dev, staging, production]);
    expect(names(pipeline).filter((n) => n.startsWith('deploy'))).toEqual(['deploy dev', 'deploy staging', 'deploy production']);
  });

  it('takes the environments in the order they were added when the platform names no promotion order', () => {
    const f = delivered();

    expect(f.platform.promotionOrder).toEqual([f.test, f.production]);
    expect(f.api.addPipeline(props(f, f.releaseManagers)).environments).toEqual([f.test, f.production]);
  });

  it('deploys only to the environments it lists', () => {
    const f = delivered();
    const pipeline = f.api.addPipeline(props(f, undefined, { environments: ['test'] }));

    expect(pipeline.environments).toEqual([f.test]);
    expect(names(pipeline)).toEqual(['checkout', 'build', 'image', 'deploy test']);
    expect(errorsOf(f.platform)).toEqual([]);
  });

  it('runs its stages in order: checkout, build, own stages, unit tests, image, scan, then approval, deploy and tests per environment', () => {
    const f = delivered();
    const pipeline = f.api.addPipeline(
      props(f, f.releaseManagers, {
        unitTests: { commands: ['mvn -B test'], report: 'target/surefire-reports/*.xml' },
        scan: true,
        testsAfter: { test: { commands: ['npm run e2e'] }, production: { commands: ['npm run smoke'] } },
        extraStages: [
          { name: 'contract', after: StageAnchor.IMAGE, commands: ['pact verify'] },
          { name: 'static analysis', after: StageAnchor.BUILD, commands: ['mvn -B spotbugs:check'] },
          { name: 'coverage', after: StageAnchor.UNIT_TESTS, commands: ['mvn -B jacoco:check'] },
        ],
      }),
    );

    expect(names(pipeline)).toEqual([
      'checkout',
      'build',
      'static analysis',
      'unit tests',
      'coverage',
      'image',
      'scan',
      'contract',
      'deploy test',
      'verify test',
      'approve production',
      'deploy production',
      'verify production',
    ]);
  });

  it('runs stages without an image of their own in the build image, and scans for HIGH and CRITICAL fixable findings by default', () => {
    const f = delivered();
    const newman = f.registry.image('ci/newman', '6.1.3');
    const pipeline = f.api.addPipeline(
      props(f, f.releaseManagers, { unitTests: { commands: ['mvn -B test'] }, scan: true, testsAfter: { test: { image: newman, commands: ['newman run api.json'] } } }),
    );
    const byName = new Map(pipeline.stages.map((s) => [s.name, s]));

    expect(byName.get('unit tests')).toMatchObject({ kind: 'run', image: { repository: 'ci/maven' }, commands: ['mvn -B test'] });
    expect(byName.get('verify test')).toMatchObject({ kind: 'verify', environment: f.test, image: newman });
    expect(byName.get('scan')).toEqual({ kind: 'scan', name: 'scan', severities: ['HIGH', 'CRITICAL'], ignoreUnfixed: true });
  });

  it('waits for approval before the production environments by default, with the approvers\' department', () => {
    const f = delivered();
    const pipeline = f.api.addPipeline(props(f, f.releaseManagers));

    expect(pipeline.approvalEnvironments).toEqual([f.production]);
    expect(pipeline.stages.find((s) => s.kind === 'approve')).toEqual({ kind: 'approve', name: 'approve production', environment: f.production, approvers: f.releaseManagers });
  });

  it('waits for approval before each environment named in approval.before', () => {
    const f = delivered();
    const pipeline = f.api.addPipeline(props(f, undefined, { approval: { approvers: f.releaseManagers, before: ['test', f.production] } }));

    expect(pipeline.approvalEnvironments).toEqual([f.test, f.production]);
    expect(names(pipeline)).toEqual(['checkout', 'build', 'image', 'approve test', 'deploy test', 'approve production', 'deploy production']);
  });

  it('refuses a second pipeline for a service at once, naming the first', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers));

    expect(() => f.api.addPipeline(props(f, f.releaseManagers))).toThrow(ValidationError);
    expect(() => f.api.addPipeline(props(f, f.releaseManagers))).toThrow(
      '[acme/shop/storefront/api] addPipeline: got "api"; the module has a release pipeline already (acme/shop/storefront/api/Pipeline). Fix: give each module one pipeline (add stages or environments to it instead).',
    );
  });

  it('refuses a second pipeline for a module of the project at once, naming the first', () => {
    const f = delivered();
    const worker = { ...props(f, f.releaseManagers), image: f.registry.image('shop/worker', '0.0.0') };
    f.project.addPipeline('worker', worker);

    expect(() => f.project.addPipeline('worker', worker)).toThrow(
      '[acme/shop/storefront] addPipeline: got "worker"; the module has a release pipeline already (acme/shop/storefront/pipeline-worker). Fix: give each module one pipeline (add stages or environments to it instead).',
    );
  });

  it('synthesizes with a valid pipeline', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { unitTests: { commands: ['mvn -B test'] }, scan: true }));

    expect(errorsOf(f.platform)).toEqual([]);
  });
});

/** The validation errors of a platform as formatted lines (none when it is valid). */
function errorsOf(platform: Platform): string[] {
  return validatePlatform(platform)
    .filter((p) => p.severity === 'error')
    .map(formatProblem);
}

describe('Pipeline validation', () => {
  const P = '[acme/shop/storefront/api/Pipeline]';

  it('reports an environment that does not exist', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { environments: ['test', 'staging', 'production'] }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} environments[1]: got "staging"; no environment of the platform has this name (environments: test, production). Fix: deploy to environments of the platform.`,
    ]);
  });

  it('reports environments out of the promotion order', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { environments: ['production', 'test'] }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} environments[1]: got "test"; out of the platform's promotion order (test → production). Fix: list the environments in the order test → production.`,
    ]);
  });

  it('reports an environment left out of the promotion order, and a promotion order naming no environment', () => {
    const platform = new Platform('acme', { promotionOrder: ['test', 'prod'] });
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER });
    const test = platform.addEnvironment('test', { clusters: [member] });
    const production = platform.addEnvironment('production', { clusters: [host], production: true });
    const tenant = platform.addTenant('shop', { manager: 'alice' });
    const approvers = tenant.addDepartment('release-managers', { members: ['alice'] });
    const registry = Registry.at('harbor.example.com', { user: 1000 });
    const api = tenant.addProject('storefront', { environments: [test, production] }).addService('api', { image: registry.image('shop/api', '1.0.0'), ports: [{ port: 8080 }] });
    platform.configureDelivery({ estate: ESTATE });
    api.addPipeline(props({ registry }, approvers, { environments: ['test', 'production'] }));

    expect(validationErrors(platform)).toEqual([
      '[acme] promotionOrder[1]: got "prod"; no environment of the platform has this name (environments: test, production). Fix: list environments of the platform.',
      `${P} environments[1]: got "production"; the environment is not in the platform's promotion order (test). Fix: add it to the platform's promotionOrder.`,
    ]);
  });

  it('reports an environment the module\'s project is not placed in', () => {
    const f = delivered();
    const qa = f.platform.addEnvironment('qa', { clusters: [f.member], namespaceSuffix: '-qa' });
    f.api.addPipeline(props(f, f.releaseManagers, { environments: ['test', 'production', qa] }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} environments[2]: got "qa"; the project storefront is not placed in this environment (it is in: test, production). Fix: deploy only to environments of the module's project.`,
    ]);
  });

  it('reports an approver department that is not of this platform', () => {
    const f = delivered();
    const elsewhere = new Platform('other').addTenant('shop', { manager: 'alice' }).addDepartment('release-managers', { members: ['alice'] });
    f.api.addPipeline(props(f, elsewhere));

    expect(validationErrors(f.platform)).toEqual([
      `${P} approval.approvers: got "other/shop/release-managers"; the approvers are not a department of this platform. Fix: name a department: tenant.addDepartment("release-managers", { members: [...] }).`,
    ]);
  });

  it('reports approvers that are not a department at all', () => {
    const f = delivered();
    f.api.addPipeline(props(f, undefined, { approval: { approvers: undefined as unknown as Department } }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} approval.approvers: got nothing; the approvers are not a department of this platform. Fix: name a department: tenant.addDepartment("release-managers", { members: [...] }).`,
    ]);
  });

  it('reports an approver department of another tenant', () => {
    const f = delivered();
    const billing = f.platform.addTenant('billing', { manager: 'bob' });
    billing.addProject('ledger', { environments: ['test'] });
    f.api.addPipeline(props(f, billing.addDepartment('ops', { members: ['bob'] })));

    expect(validationErrors(f.platform)).toEqual([
      `${P} approval.approvers: got "acme/billing/ops"; the department belongs to tenant billing, and the module to tenant shop. Fix: name a department of the module's tenant.`,
    ]);
  });

  it('reports an approver department without members', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.tenant.addDepartment('nobody')));

    expect(validationErrors(f.platform)).toEqual([
      `${P} approval.approvers: got "acme/shop/nobody"; the department has no members, so nobody could approve. Fix: add members to the department.`,
    ]);
  });

  it('reports a production deploy without approval', () => {
    const f = delivered();
    f.api.addPipeline(props(f, undefined));

    expect(validationErrors(f.platform)).toEqual([
      `${P} approval: got nothing; the pipeline deploys to production environment production without an approval. Fix: give approval: { approvers: <department> } (a department of the tenant whose members may approve).`,
    ]);
  });

  it('reports approvals that leave out a production environment, and approvals before an environment not deployed', () => {
    const f = delivered();
    f.api.addPipeline(props(f, undefined, { approval: { approvers: f.releaseManagers, before: ['test', 'staging'] } }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} approval.before: got "production"; a release to production environment production goes without approval. Fix: include production in approval.before (or leave before out: it defaults to the production environments).`,
      `${P} approval.before[1]: got "staging"; the pipeline does not deploy to this environment (it deploys to: test, production). Fix: name environments the pipeline deploys to.`,
    ]);
  });

  it('reports a registry without a credential reference, and a registry credential that is not a user name and password', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { registryCredential: undefined as unknown as Credential }));
    f.project.addPipeline('worker', { ...props(f, f.releaseManagers), image: f.registry.image('shop/worker', '0.0.0'), registryCredential: Credential.secretText('harbor-token') });

    expect(validationErrors(f.platform)).toEqual([
      `${P} registryCredential: got nothing; pushing to harbor.example.com needs a credential reference. Fix: give registryCredential: Credential.basicAuth("harbor-robot").`,
      '[acme/shop/storefront/pipeline-worker] registryCredential: got "secret-text"; a registry takes a user name and password (or robot token). Fix: use Credential.basicAuth(...).',
    ]);
  });

  it('reports a repository URL that is not a Git URL, and only that (no guess at the credential it needs)', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { source: { repository: 'gitlab.example.com/shop/api', credential: Credential.basicAuth('gitlab') } }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} source.repository: got "gitlab.example.com/shop/api"; not a Git URL. Fix: give an HTTPS URL like "https://gitlab.example.com/team/app.git" or an SSH one like "git@gitlab.example.com:team/app.git".`,
    ]);
  });

  it('accepts HTTPS and SSH Git URLs with the matching credential, and reports a mismatched one', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { source: { repository: 'git@gitlab.example.com:shop/api.git', credential: Credential.basicAuth('gitlab') } }));
    f.project.addPipeline('worker', { ...props(f, f.releaseManagers), image: f.registry.image('shop/worker', '0.0.0'), source: { repository: 'ssh://git@gitlab.example.com:2222/shop/worker.git', credential: Credential.sshKey('gitlab-ssh'), branch: 'release/2.x' } });
    f.project.addPipeline('mailer', { ...props(f, f.releaseManagers), image: f.registry.image('shop/mailer', '0.0.0'), source: { repository: 'https://gitlab.example.com/shop/mailer', credential: Credential.sshKey('gitlab-ssh') } });

    expect(validationErrors(f.platform)).toEqual([
      `${P} source.credential: got "basic-auth"; an SSH repository URL needs an SSH key credential. Fix: use Credential.sshKey(...), or an HTTPS URL.`,
      '[acme/shop/storefront/pipeline-mailer] source.credential: got "ssh-auth"; an HTTPS repository URL needs a user name and token credential. Fix: use Credential.basicAuth(...), or an SSH URL.',
    ]);
  });

  it('reports two pipelines for one module: a service\'s and the project\'s', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers));
    f.project.addPipeline('api', { ...props(f, f.releaseManagers), image: f.registry.image('shop/api', '0.0.0') });

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront/pipeline-api] module: got "api"; acme/shop/storefront/api/Pipeline is the pipeline of this module already. Fix: give each module one pipeline (add stages or environments to it instead).',
    ]);
  });

  it('reports two modules of one name in two projects of a tenant, whose pipelines would share a name', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers));
    const orders = f.tenant.addProject('orders', { environments: [f.test, f.production] });
    orders.addService('api', { image: f.registry.image('shop/orders-api', '1.0.0'), ports: [{ port: 8080 }] }).addPipeline(props(f, f.releaseManagers));

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/orders/api/Pipeline] module: got "api"; acme/shop/storefront/api/Pipeline of project storefront releases a module of this name already, and a tenant\'s pipelines share its DevOps project and GitLab CI folder by module name. Fix: give the modules of a tenant different names (e.g. prefix the project: "orders-api").',
    ]);
  });

  it('accepts modules of one name in two tenants', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers));
    const billing = f.platform.addTenant('billing', { manager: 'bob' });
    const approvers = billing.addDepartment('release-managers', { members: ['bob'] });
    billing.addProject('ledger', { environments: [f.test, f.production] }).addService('api', { image: f.registry.image('billing/api', '1.0.0'), ports: [{ port: 8080 }] }).addPipeline(props(f, approvers));

    expect(errorsOf(f.platform)).toEqual([]);
  });

  it('reports a stage name used twice', () => {
    const f = delivered();
    f.api.addPipeline(
      props(f, f.releaseManagers, {
        extraStages: [
          { name: 'lint', after: StageAnchor.BUILD, commands: ['npm run lint'] },
          { name: 'lint', after: StageAnchor.IMAGE, commands: ['hadolint Dockerfile'] },
          { name: 'deploy test', after: StageAnchor.IMAGE, commands: ['echo'] },
        ],
      }),
    );

    expect(validationErrors(f.platform)).toEqual([
      `${P} extraStages: got "lint"; the stage name is used twice in the pipeline. Fix: give each stage its own name (fixed stages: checkout, build, unit tests, image, scan, approve/deploy/verify <environment>).`,
      `${P} extraStages: got "deploy test"; the stage name is used twice in the pipeline. Fix: give each stage its own name (fixed stages: checkout, build, unit tests, image, scan, approve/deploy/verify <environment>).`,
    ]);
  });

  it('reports stage names that would make one GitLab CI job', () => {
    const f = delivered();
    f.api.addPipeline(
      props(f, f.releaseManagers, {
        unitTests: { commands: ['mvn -B test'] },
        extraStages: [
          { name: 'unit-tests', after: StageAnchor.UNIT_TESTS, commands: ['mvn -B verify'] },
          { name: 'image job', after: StageAnchor.IMAGE, commands: ['true'] },
        ],
      }),
    );

    expect(validationErrors(f.platform)).toEqual([
      `${P} extraStages: got "image job"; the stage would be GitLab CI job image-job, like stage "image". Fix: give each stage a name of its own, apart from spaces and "-".`,
      `${P} extraStages: got "unit-tests"; the stage would be GitLab CI job unit-tests, like stage "unit tests". Fix: give each stage a name of its own, apart from spaces and "-".`,
    ]);
  });

  it('reports a stage name with characters a CI system does not take, and a stage that follows no fixed stage', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { extraStages: [{ name: "it's", after: 'deploy' as StageAnchor, commands: ['true'] }] }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} extraStages[0].after: got "deploy"; a stage of your own follows build, unit tests or image. Fix: use StageAnchor.BUILD, UNIT_TESTS or IMAGE.`,
      `${P} extraStages[0].name: got "it's"; a stage name is letters, digits, spaces, ".", "_" and "-" (at most 63). Fix: name the stage like "static analysis".`,
    ]);
  });

  it('reports tests after an environment the pipeline does not deploy to', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { testsAfter: { staging: { commands: ['npm run e2e'] } } }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} testsAfter["staging"]: got "staging"; the pipeline does not deploy to this environment (it deploys to: test, production). Fix: key testsAfter by environments the pipeline deploys to.`,
    ]);
  });

  it('reports steps without commands and a build without an image', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { build: { image: undefined as never, commands: [] }, unitTests: { commands: [' '] } }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} build.commands: got []; a step needs at least one non-empty command. Fix: give the shell commands, e.g. ["mvn -B package"].`,
      `${P} build.image: got nothing; the build step needs a builder image. Fix: give build: { image: registry.image("ci/maven", "3.9.9"), commands: [...] }.`,
      `${P} unitTests.commands: got [" "]; a step needs at least one non-empty command. Fix: give the shell commands, e.g. ["mvn -B package"].`,
    ]);
  });

  it('reports notification addresses that are not e-mail addresses and a webhook that is not a secret text', () => {
    const f = delivered();
    f.api.addPipeline(props(f, f.releaseManagers, { notify: { email: ['shop-dev'], webhook: Credential.basicAuth('chat') } }));

    expect(validationErrors(f.platform)).toEqual([
      `${P} notify.email[0]: got "shop-dev"; not an e-mail address. Fix: give addresses like "release@example.com".`,
      `${P} notify.webhook: got {"id":"chat","kind":"basic-auth"}; the webhook URL is a secret-text credential. Fix: use Credential.secretText("release-webhook").`,
    ]);
  });

  it('reports a module name that is not a DNS label, credential ids that are not, and paths outside the repository', () => {
    const f = fixture();
    f.platform.configureDelivery({ estate: { ...ESTATE, credential: Credential.basicAuth('Estate Git') } });
    const approvers = f.tenant.addDepartment('release-managers', { members: ['alice'] });
    f.project.addPipeline('Worker_1', { ...props(f, approvers), image: f.registry.image('shop/worker', '0.0.0'), registryCredential: Credential.basicAuth('harbor_robot'), dockerfile: '../Dockerfile', context: '/src' });
    const W = '[acme/shop/storefront/pipeline-Worker_1]';

    expect(validationErrors(f.platform)).toEqual([
      '[acme] delivery.estate.credential: got "Estate Git"; a credential id is a DNS-1123 label (lowercase letters, digits and "-"). Fix: name the credential like "harbor-robot".',
      `${W} context: got "/src"; a path inside the repository, relative to its root. Fix: use e.g. "." or "services/api".`,
      `${W} dockerfile: got "../Dockerfile"; a path inside the repository, relative to its root. Fix: use e.g. "Dockerfile" or "docker/Dockerfile".`,
      `${W} module: got "Worker_1"; a name must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit. Fix: name the module like "trip-service".`,
      `${W} registryCredential: got "harbor_robot"; a credential id is a DNS-1123 label (lowercase letters, digits and "-"). Fix: name the credential like "harbor-robot".`,
    ]);
  });

  it('reports pipelines when the platform does not say how it delivers', () => {
    const f = fixture();
    const approvers = f.tenant.addDepartment('release-managers', { members: ['alice'] });
    addService(f, 'api').addPipeline(props(f, approvers));

    expect(validationErrors(f.platform)).toEqual([
      `${P} delivery: got nothing; the platform does not say how it delivers, so the pipeline cannot deploy. Fix: call platform.configureDelivery({ estate: { repository, credential }, ... }).`,
    ]);
  });

  it('reports KubeSphere DevOps on the plain Kubernetes target', () => {
    const f = delivered(Target.KUBERNETES, { ci: [CiSystem.KUBESPHERE_DEVOPS, CiSystem.GITLAB_CI] });
    f.api.addPipeline(props(f, f.releaseManagers));

    expect(validationErrors(f.platform)).toEqual([
      `${P} delivery.ci: got "kubesphere-devops"; the plain Kubernetes target has no KubeSphere DevOps. Fix: use CiSystem.GITLAB_CI on plain Kubernetes.`,
    ]);
  });

  it('reports KubeSphere GitOps on the plain Kubernetes target', () => {
    const f = delivered(Target.KUBERNETES, { gitops: GitOpsTool.KUBESPHERE });

    expect(validationErrors(f.platform)).toEqual([
      '[acme] delivery.gitops: got "kubesphere"; the plain Kubernetes target has no KubeSphere GitOps. Fix: use GitOpsTool.ARGO_CD or GitOpsTool.FLUX on plain Kubernetes.',
    ]);
  });

  it('reports the kubectl deploy method without a kubeconfig credential for each cluster, and kubeconfigs of unknown clusters or kinds', () => {
    const f = delivered(undefined, { deployMethod: DeployMethod.KUBECTL, kubeconfigs: { host: Credential.kubeconfig('host-kubeconfig'), 'member-prod': Credential.basicAuth('prod') } });
    f.api.addPipeline(props(f, f.releaseManagers));

    expect(validationErrors(f.platform)).toEqual([
      '[acme] delivery.kubeconfigs["member-prod"]: got "basic-auth"; a kubeconfig credential is needed. Fix: use Credential.kubeconfig("member-prod-kubeconfig").',
      '[acme] delivery.kubeconfigs["member-prod"]: got "member-prod"; no cluster of the platform has this name (clusters: host, member-test). Fix: key kubeconfigs by cluster name.',
      '[acme] delivery.kubeconfigs["member-test"]: got nothing; deploying with kubectl needs a kubeconfig credential for cluster member-test. Fix: add kubeconfigs: { "member-test": Credential.kubeconfig("member-test-kubeconfig") }.',
    ]);
  });

  it('reports delivery options out of range: estate source, folders, synth command, CI system, GitOps tool and deploy method', () => {
    const f = fixture();
    f.platform.configureDelivery({
      estate: { repository: 'estate', credential: 'estate-git' as unknown as Credential, branch: '../main' },
      outdir: '/dist',
      releasesDir: '../releases',
      synthCommand: 'npm ci\nnpm run synth',
      ci: ['jenkins' as CiSystem],
      gitops: 'rancher' as GitOpsTool,
      deployMethod: 'helm' as DeployMethod,
    });

    expect(validationErrors(f.platform)).toEqual([
      '[acme] delivery.ci[0]: got "jenkins"; unknown CI system. Fix: use CiSystem.KUBESPHERE_DEVOPS or CiSystem.GITLAB_CI.',
      '[acme] delivery.deployMethod: got "helm"; unknown deploy method. Fix: use DeployMethod.GITOPS, KUBECTL or PULUMI.',
      '[acme] delivery.estate.branch: got "../main"; not a Git branch name. Fix: use a branch like "main" or "release/2.x".',
      '[acme] delivery.estate.credential: got "estate-git"; a Git source needs a credential reference. Fix: give credential: Credential.basicAuth("gitlab") (or Credential.sshKey for an SSH URL).',
      '[acme] delivery.estate.repository: got "estate"; not a Git URL. Fix: give an HTTPS URL like "https://gitlab.example.com/team/app.git" or an SSH one like "git@gitlab.example.com:team/app.git".',
      '[acme] delivery.gitops: got "rancher"; unknown GitOps tool. Fix: use GitOpsTool.KUBESPHERE, ARGO_CD or FLUX.',
      '[acme] delivery.outdir: got "/dist"; a folder of the estate repository, relative to its root. Fix: use a relative folder such as "dist".',
      '[acme] delivery.releasesDir: got "../releases"; a folder of the estate repository, relative to its root. Fix: use a relative folder such as "releases".',
      '[acme] delivery.synthCommand: got "npm ci\\nnpm run synth"; the synth command is one line. Fix: use e.g. "npm run synth".',
    ]);
  });

  it('reports every problem of every pipeline at once, each with its path, value and fix', () => {
    const f = delivered();
    const nobody = f.tenant.addDepartment('nobody');
    f.api.addPipeline(
      props(f, nobody, {
        source: { repository: 'not a url', credential: Credential.basicAuth('gitlab') },
        registryCredential: undefined as unknown as Credential,
        environments: ['production', 'test', 'staging'],
        testsAfter: { qa: { commands: ['npm run e2e'] } },
        extraStages: [{ name: 'build', after: StageAnchor.BUILD, commands: ['make'] }],
      }),
    );
    f.project.addPipeline('api', { ...props(f, undefined), image: f.registry.image('shop/api', '0.0.0') });

    const errors = validationErrors(f.platform);
    expect(errors).toEqual([
      `${P} approval.approvers: got "acme/shop/nobody"; the department has no members, so nobody could approve. Fix: add members to the department.`,
      `${P} environments[1]: got "test"; out of the platform's promotion order (test → production). Fix: list the environments in the order test → production.`,
      `${P} environments[2]: got "staging"; no environment of the platform has this name (environments: test, production). Fix: deploy to environments of the platform.`,
      `${P} extraStages: got "build"; the stage name is used twice in the pipeline. Fix: give each stage its own name (fixed stages: checkout, build, unit tests, image, scan, approve/deploy/verify <environment>).`,
      `${P} registryCredential: got nothing; pushing to harbor.example.com needs a credential reference. Fix: give registryCredential: Credential.basicAuth("harbor-robot").`,
      `${P} source.repository: got "not a url"; not a Git URL. Fix: give an HTTPS URL like "https://gitlab.example.com/team/app.git" or an SSH one like "git@gitlab.example.com:team/app.git".`,
      `${P} testsAfter["qa"]: got "qa"; the pipeline does not deploy to this environment (it deploys to: production, test). Fix: key testsAfter by environments the pipeline deploys to.`,
      '[acme/shop/storefront/pipeline-api] approval: got nothing; the pipeline deploys to production environment production without an approval. Fix: give approval: { approvers: <department> } (a department of the tenant whose members may approve).',
      '[acme/shop/storefront/pipeline-api] module: got "api"; acme/shop/storefront/api/Pipeline is the pipeline of this module already. Fix: give each module one pipeline (add stages or environments to it instead).',
    ]);
  });
});
