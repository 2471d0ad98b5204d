import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { CiSystem, Credential, DeployMethod, GitOpsTool, ManifestStack, Target } from 'platform-cdk';
import type { AppService, DeliveryOptions, Department, KubeObject, Pipeline, PipelineProps } from 'platform-cdk';
import { devopsProjectName, fluxGitUrl, GITLAB_CI_FOLDER, GITOPS_PROJECT } from '../../lib/delivery';
import { isGitUrl } from '../../constructs/delivery';
import * as fc from 'fast-check';
import { deployScript, kubeconfigVar, shellQuote } from '../../lib/pipelines/common';
import { renderJenkinsfile } from '../../lib/pipelines/jenkinsfile';
import { parseAllDocuments } from 'yaml';
import { addService, fixture, objectAt } from '../fixture';
import type { Fixture } from '../fixture';
import { validator, validatorV3 } from '../schemas';

const ESTATE = { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') };

type Delivered = Fixture & { releaseManagers: Department; api: AppService; pipeline: Pipeline };

/** A pipeline's properties, approved by the department given. */
function props(f: Fixture, approvers: Department, overrides: Partial<PipelineProps> = {}): PipelineProps {
  return {
    source: { repository: 'https://gitlab.example.com/shop/api.git', credential: Credential.basicAuth('gitlab') },
    build: { image: f.registry.image('ci/maven', '3.9.9'), commands: ['mvn -B package'] },
    unitTests: { commands: ['mvn -B test'], report: 'target/surefire-reports/*.xml' },
    registryCredential: Credential.basicAuth('harbor-robot'),
    scan: true,
    approval: { approvers },
    ...overrides,
  };
}

/** The fixture with delivery configured and the service `api` released by a pipeline. */
function delivered(delivery: Partial<DeliveryOptions> = {}, target?: Target): Delivered {
  const f = fixture(target);
  f.platform.configureDelivery({ estate: ESTATE, ...delivery });
  const releaseManagers = f.tenant.addDepartment('release-managers', { members: ['alice', 'bob'] });
  const api = addService(f, 'api');
  return { ...f, releaseManagers, api, pipeline: api.addPipeline(props(f, releaseManagers)) };
}

/**
 * Synthesizes in memory and returns every object of every cluster, keyed `<cluster>/<Kind>/<namespace>/<name>`
 * (like the fixture's synthObjects, leaving out the GitLab CI files, which are no Kubernetes objects).
 */
function synthObjects(platform: Fixture['platform']): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const [file, text] of new ManifestStack(platform).files()) {
    if (file.startsWith(`${GITLAB_CI_FOLDER}/`)) continue;
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as KubeObject;
      out.set(`${file.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`, o);
    }
  }
  return out;
}

const GROUPS = /^(devops\.kubesphere\.io|gitops\.kubesphere\.io|argoproj\.io|source\.toolkit\.fluxcd\.io|kustomize\.toolkit\.fluxcd\.io)\//;

/** The delivery objects (DevOps, GitOps) of a synthesized platform, by `<cluster>/<Kind>/<namespace>/<name>`. */
function deliveryObjects(objects: Map<string, KubeObject>): Map<string, KubeObject> {
  return new Map([...objects].filter(([, o]) => GROUPS.test(o.apiVersion)));
}

describe('KubeSphere DevOps objects', () => {
  it('are a DevOpsProject per tenant with pipelines and a Pipeline per module, on the host only', () => {
    const f = delivered();
    f.project.addPipeline('worker', { ...props(f, f.releaseManagers), image: f.registry.image('shop/worker', '0.0.0') });
    // A tenant without pipelines gets no DevOps project.
    f.platform.addTenant('billing', { manager: 'bob' }).addProject('ledger', { environments: ['test'] });

    expect([...deliveryObjects(synthObjects(f.platform)).keys()].sort()).toEqual([
      'host/Application/platform-gitops/host',
      'host/Application/platform-gitops/member-test',
      'host/DevOpsProject/-/platform-gitops',
      'host/DevOpsProject/-/shop-devops',
      'host/Pipeline/shop-devops/api',
      'host/Pipeline/shop-devops/worker',
    ]);
  });

  it('put the DevOps project in the tenant\'s workspace, and each Pipeline in it with the module\'s Jenkinsfile', () => {
    const f = delivered();
    const objects = synthObjects(f.platform);

    expect(devopsProjectName(f.tenant)).toBe('shop-devops');
    expect(objectAt(objects, 'host/DevOpsProject/-/shop-devops')).toEqual({
      apiVersion: 'devops.kubesphere.io/v1alpha3',
      kind: 'DevOpsProject',
      metadata: {
        name: 'shop-devops',
        labels: { 'app.kubernetes.io/managed-by': 'platform-cdk', 'kubesphere.io/workspace': 'shop', 'platform-cdk.io/tenant': 'shop' },
        annotations: { 'kubesphere.io/description': 'Release pipelines of tenant shop' },
      },
      spec: {},
    });
    expect(objectAt(objects, 'host/Pipeline/shop-devops/api').spec).toEqual({
      type: 'pipeline',
      pipeline: {
        name: 'api',
        description: 'Release pipeline of shop/storefront/api',
        disable_concurrent: true,
        discarder: { days_to_keep: '-1', num_to_keep: '30' },
        jenkinsfile: renderJenkinsfile(f.pipeline),
      },
    });
  });

  it('are not written when the pipelines run in GitLab CI only, whose files go to _gitlab-ci/ instead', () => {
    const f = delivered({ ci: [CiSystem.GITLAB_CI] });
    const files = new ManifestStack(f.platform).files();

    expect([...deliveryObjects(synthObjects(f.platform)).keys()].filter((k) => !k.includes('platform-gitops'))).toEqual([]);
    expect([...files.keys()].filter((k) => k.startsWith(`${GITLAB_CI_FOLDER}/`))).toEqual(['_gitlab-ci/shop/api.gitlab-ci.yml']);
  });

  it('are valid against the DevOps CRDs on KubeSphere 4.1 and 3.4', () => {
    for (const [target, v] of [[Target.KUBESPHERE_V4_1, validator()], [Target.KUBESPHERE_V3_4, validatorV3()]] as const) {
      const f = delivered({ ci: [CiSystem.KUBESPHERE_DEVOPS, CiSystem.GITLAB_CI] }, target);
      f.project.addPipeline('worker', { ...props(f, f.releaseManagers), image: f.registry.image('shop/worker', '0.0.0'), notify: { email: ['shop@example.com'], webhook: Credential.secretText('chat') } });
      const objects = deliveryObjects(synthObjects(f.platform));

      expect([...objects.values()].map((o) => o.kind).sort()).toEqual(['Application', 'Application', 'DevOpsProject', 'DevOpsProject', 'Pipeline', 'Pipeline']);
      for (const o of objects.values()) expect({ target, findings: v.validate(o) }).toEqual({ target, findings: [] });
    }
  });
});

describe('the namespaces of the DevOps projects', () => {
  it('get a quota of no pods, a limit range and a default-deny policy: the tenant\'s and platform-gitops, schema-valid on 4.1 and 3.4', () => {
    for (const [target, v] of [[Target.KUBESPHERE_V4_1, validator()], [Target.KUBESPHERE_V3_4, validatorV3()]] as const) {
      const objects = synthObjects(delivered({}, target).platform);
      for (const [ns, labels] of [
        ['shop-devops', { 'app.kubernetes.io/managed-by': 'platform-cdk', 'platform-cdk.io/tenant': 'shop' }],
        [GITOPS_PROJECT, { 'app.kubernetes.io/managed-by': 'platform-cdk' }],
      ] as const) {
        const quota = objectAt(objects, `host/ResourceQuota/${ns}/project-quota`);
        expect(quota).toEqual({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'project-quota', namespace: ns, labels }, spec: { hard: { pods: '0' } } });
        const limits = objectAt(objects, `host/LimitRange/${ns}/project-limits`);
        expect(limits.spec).toEqual({ limits: [{ type: 'Container', defaultRequest: { cpu: '10m', memory: '16Mi' }, default: { cpu: '10m', memory: '16Mi' } }] });
        const deny = objectAt(objects, `host/NetworkPolicy/${ns}/default-deny`);
        expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
        for (const o of [quota, limits, deny]) expect({ target, findings: v.validate(o) }).toEqual({ target, findings: [] });
      }
    }
  });

  it('are not written when there is no DevOps project: GitLab CI and Argo CD on plain Kubernetes', () => {
    const objects = synthObjects(delivered({}, Target.KUBERNETES).platform);

    expect([...objects.keys()].filter((k) => /\/(shop-devops|platform-gitops|argocd)\//.test(k) && !k.includes('/Application/'))).toEqual([]);
  });
});

describe('the GitOps handoff', () => {
  it('on KubeSphere: a GitOps Application per cluster on the host, in the platform-gitops DevOps project, syncing dist/<cluster> with prune', () => {
    const f = delivered();
    const objects = synthObjects(f.platform);

    expect(GITOPS_PROJECT).toBe('platform-gitops');
    expect(objectAt(objects, 'host/DevOpsProject/-/platform-gitops').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'platform-cdk' });
    for (const cluster of ['host', 'member-test']) {
      const app = objectAt(objects, `host/Application/platform-gitops/${cluster}`);
      expect(app.apiVersion).toBe('gitops.kubesphere.io/v1alpha1');
      expect(app.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'platform-cdk', 'gitops.kubesphere.io/save-status': 'true' });
      const spec = app.spec as { kind: string; argoApp: { spec: Record<string, unknown> } };
      expect(spec.kind).toBe('argocd');
      expect(spec.argoApp.spec).toMatchObject({
        project: 'platform-gitops',
        source: { repoURL: 'https://gitlab.example.com/platform/estate.git', targetRevision: 'main', path: `dist/${cluster}`, directory: { recurse: false } },
        destination: { name: cluster, namespace: 'default' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'RespectIgnoreDifferences=true'] },
      });
      // KubeSphere rewrites fields of its own objects: the sync ignores them.
      expect((spec.argoApp.spec.ignoreDifferences as { kind: string }[]).map((d) => d.kind)).toContain('WorkspaceTemplate');
    }
    // Nothing of GitOps lands on the member itself.
    expect([...deliveryObjects(objects).keys()].filter((k) => k.startsWith('member-test/'))).toEqual([]);
  });

  it('is written without pipelines too, as soon as the platform says how it delivers, on the estate\'s branch and output folder', () => {
    const f = fixture();
    f.platform.configureDelivery({ estate: { ...ESTATE, branch: 'release' }, outdir: 'out/manifests' });
    const app = objectAt(synthObjects(f.platform), 'host/Application/platform-gitops/member-test');

    expect((app.spec as { argoApp: { spec: { source: unknown } } }).argoApp.spec.source).toEqual({
      repoURL: 'https://gitlab.example.com/platform/estate.git',
      targetRevision: 'release',
      path: 'out/manifests/member-test',
      directory: { recurse: false },
    });
  });

  it('on plain Kubernetes with Argo CD: an Application in each cluster\'s own folder, namespace argocd, syncing that folder into its cluster', () => {
    const f = delivered({}, Target.KUBERNETES);
    const objects = deliveryObjects(synthObjects(f.platform));

    expect([...objects.keys()].sort()).toEqual(['host/Application/argocd/platform-host', 'member-test/Application/argocd/platform-member-test']);
    const app = objectAt(objects, 'member-test/Application/argocd/platform-member-test');
    expect(app.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.spec).toEqual({
      project: 'default',
      source: { repoURL: 'https://gitlab.example.com/platform/estate.git', targetRevision: 'main', path: 'dist/member-test', directory: { recurse: false } },
      destination: { server: 'https://kubernetes.default.svc' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'RespectIgnoreDifferences=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      },
    });
    const files = new ManifestStack(f.platform).files();
    expect(files.get('member-test/10-argocd.yaml')).toContain('kind: Application');
    for (const o of objects.values()) expect(validator().validate(o)).toEqual([]);
  });

  it('on plain Kubernetes with Flux: a GitRepository and a Kustomization in flux-system of each cluster, pruning', () => {
    const f = delivered({ gitops: GitOpsTool.FLUX }, Target.KUBERNETES);
    const objects = deliveryObjects(synthObjects(f.platform));

    expect([...objects.keys()].sort()).toEqual([
      'host/GitRepository/flux-system/platform',
      'host/Kustomization/flux-system/platform-host',
      'member-test/GitRepository/flux-system/platform',
      'member-test/Kustomization/flux-system/platform-member-test',
    ]);
    expect(objectAt(objects, 'member-test/GitRepository/flux-system/platform').spec).toEqual({
      url: 'https://gitlab.example.com/platform/estate.git',
      ref: { branch: 'main' },
      interval: '1m',
      secretRef: { name: 'estate-git' },
    });
    expect(objectAt(objects, 'member-test/Kustomization/flux-system/platform-member-test').spec).toEqual({
      path: './dist/member-test',
      prune: true,
      wait: false,
      interval: '5m',
      retryInterval: '1m',
      timeout: '5m',
      sourceRef: { kind: 'GitRepository', name: 'platform' },
    });
    for (const o of objects.values()) expect(validator().validate(o)).toEqual([]);
  });

  it('is an Argo CD Application per cluster folder on KubeSphere too when Argo CD is chosen, ignoring the fields KubeSphere rewrites', () => {
    const f = delivered({ gitops: GitOpsTool.ARGO_CD });
    const objects = deliveryObjects(synthObjects(f.platform));

    expect([...objects.keys()].filter((k) => k.includes('Application')).sort()).toEqual(['host/Application/argocd/platform-host', 'member-test/Application/argocd/platform-member-test']);
    expect((objectAt(objects, 'host/Application/argocd/platform-host').spec as { ignoreDifferences?: unknown[] }).ignoreDifferences?.length).toBeGreaterThan(0);
    for (const o of objects.values()) expect(validator().validate(o)).toEqual([]);
  });

  it('with Flux, an scp-like SSH repository is written as the ssh:// URL Flux takes, and validates', () => {
    const f = delivered({ gitops: GitOpsTool.FLUX, estate: { ...ESTATE, repository: 'git@gitlab.example.com:platform/estate.git' } }, Target.KUBERNETES);
    const repo = objectAt(deliveryObjects(synthObjects(f.platform)), 'host/GitRepository/flux-system/platform');
    expect((repo.spec as { url: string }).url).toBe('ssh://git@gitlab.example.com/platform/estate.git');
    expect(validator().validate(repo)).toEqual([]);
  });

  it('whatever scp-like repository the model accepts, Flux gets an ssh:// URL naming the same host and path', () => {
    const part = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,11}$/);
    fc.assert(
      fc.property(part, part, fc.array(part, { minLength: 1, maxLength: 3 }), (user, host, path) => {
        const url = `${user}@${host}.example.com:${path.join('/')}.git`;
        fc.pre(isGitUrl(url));
        const flux = fluxGitUrl(url);
        expect(flux).toBe(`ssh://${user}@${host}.example.com/${path.join('/')}.git`);
        expect(fluxGitUrl(flux)).toBe(flux);
        expect(fluxGitUrl('https://gitlab.example.com/a/b.git')).toBe('https://gitlab.example.com/a/b.git');
      }),
      { seed: 23, numRuns: 200 },
    );
  });

  it.each([DeployMethod.KUBECTL, DeployMethod.PULUMI])('is not written when deploying with %s', (deployMethod) => {
    const kubeconfigs = { host: Credential.kubeconfig('host-kubeconfig'), 'member-test': Credential.kubeconfig('member-test-kubeconfig') };
    for (const target of [Target.KUBESPHERE_V4_1, Target.KUBERNETES]) {
      const f = delivered({ deployMethod, kubeconfigs, gitops: target === Target.KUBERNETES ? GitOpsTool.FLUX : undefined }, target);
      const kinds = [...deliveryObjects(synthObjects(f.platform)).values()].map((o) => `${o.kind}/${o.metadata.name}`);

      expect(kinds.filter((k) => !k.startsWith('Pipeline/') && k !== 'DevOpsProject/shop-devops')).toEqual([]);
    }
  });

  it('is not written when the platform does not say how it delivers', () => {
    const f = fixture();
    addService(f, 'api');

    expect([...deliveryObjects(synthObjects(f.platform)).keys()]).toEqual([]);
    expect([...new ManifestStack(f.platform).files().keys()].filter((k) => k.startsWith('_'))).toEqual([]);
  });
});

describe('the deploy script', () => {
  it('with GitOps: clones the estate, then pins, synthesizes, commits and pushes in a loop that retries a lost race five times', () => {
    const f = delivered();

    expect(deployScript(f.pipeline, f.test)).toEqual([
      `git config --global credential.helper '!f() { echo "username=$ESTATE_GIT_USER"; echo "password=$ESTATE_GIT_PASSWORD"; }; f'`,
      'rm -rf estate && git clone --branch main https://gitlab.example.com/platform/estate.git estate',
      'cd estate',
      'npm ci',
      'for attempt in 1 2 3 4 5; do git fetch origin main && git reset --hard FETCH_HEAD && ' +
        'npx platform-cdk release --dir releases --env test --service shop/storefront/api --tag "$IMAGE_TAG" && sh -c \'npm run synth\' && ' +
        'git add -A releases dist && { git diff --cached --quiet && break; ' +
        `git -c user.name='platform-cdk release' -c user.email='release@platform-cdk.invalid' commit -m 'release shop/storefront/api'" $IMAGE_TAG to test" && ` +
        'git push origin HEAD:main && break; }; [ "$attempt" = 5 ] && exit 1; sleep $((attempt * 5)); done',
    ]);
  });

  it('with GitOps over SSH: uses the bound key file, on the estate\'s branch, folders and synth command', () => {
    const f = delivered({
      estate: { repository: 'git@gitlab.example.com:platform/estate.git', credential: Credential.sshKey('estate-ssh'), branch: 'release/2.x' },
      outdir: 'out',
      releasesDir: 'pins',
      synthCommand: 'npx tsx main.ts',
    });
    const script = deployScript(f.pipeline, f.production);

    expect(script[0]).toBe('export GIT_SSH_COMMAND="ssh -i $ESTATE_GIT_SSH_KEY -o StrictHostKeyChecking=accept-new"');
    expect(script[1]).toBe('rm -rf estate && git clone --branch release/2.x git@gitlab.example.com:platform/estate.git estate');
    expect(script[4]).toContain('git fetch origin release/2.x && git reset --hard FETCH_HEAD && npx platform-cdk release --dir pins --env production');
    expect(script[4]).toContain("&& sh -c 'npx tsx main.ts' && git add -A pins out && ");
    expect(script[4]).toContain('git push origin HEAD:release/2.x && break');
  });

  it('with kubectl: pins and synthesizes once, then applies server-side the folder of each cluster of the environment with its kubeconfig', () => {
    const f = delivered({ deployMethod: DeployMethod.KUBECTL, kubeconfigs: { host: Credential.kubeconfig('host-kubeconfig'), 'member-test': Credential.kubeconfig('member-test-kubeconfig') } });
    const member2 = f.platform.addCluster('member-2', { role: f.member.role });
    f.production.addCluster(member2);
    f.platform.configureDelivery({ ...(f.platform.delivery as DeliveryOptions), kubeconfigs: { ...f.platform.delivery?.kubeconfigs, 'member-2': Credential.kubeconfig('member-2-kubeconfig') } });

    expect(kubeconfigVar('member-2')).toBe('KUBECONFIG_MEMBER_2');
    expect(deployScript(f.pipeline, f.production).slice(3)).toEqual([
      'npm ci',
      'npx platform-cdk release --dir releases --env production --service shop/storefront/api --tag "$IMAGE_TAG"',
      'npm run synth',
      'kubectl --kubeconfig "$KUBECONFIG_HOST" apply --server-side --field-manager=platform-cdk -f dist/host/',
      'kubectl --kubeconfig "$KUBECONFIG_MEMBER_2" apply --server-side --field-manager=platform-cdk -f dist/member-2/',
    ]);
    expect(deployScript(f.pipeline, f.test).filter((l) => l.startsWith('kubectl'))).toEqual(['kubectl --kubeconfig "$KUBECONFIG_MEMBER_TEST" apply --server-side --field-manager=platform-cdk -f dist/member-test/']);
  });

  it('with Pulumi: pins and synthesizes, then runs pulumi up on the environment\'s stack', () => {
    const f = delivered({ deployMethod: DeployMethod.PULUMI });

    expect(deployScript(f.pipeline, f.production).slice(4)).toEqual([
      'npx platform-cdk release --dir releases --env production --service shop/storefront/api --tag "$IMAGE_TAG"',
      'npm run synth',
      'pulumi up --stack production --yes --non-interactive',
    ]);
  });

  it('quotes for the shell what is not a plain word', () => {
    expect(shellQuote('release/2.x')).toBe('release/2.x');
    expect(shellQuote('npm run synth')).toBe("'npm run synth'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});

describe('the GitOps deploy loop, run against a Git remote', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-deploy-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

  /**
   * A bare remote with one commit, a clone of it (`estate`), and stand-ins on PATH for `npx platform-cdk release`
   * (writes the pin), `npm run synth` (writes the pins into dist/) and `sleep`. `race` makes the first synth push
   * another release to the remote first, so that the first push is rejected.
   */
  function setUp(race: boolean): { env: NodeJS.ProcessEnv; estate: string; remote: string } {
    const remote = path.join(dir, 'remote.git');
    git(dir, 'init', '--bare', '-b', 'main', remote);
    const seed = path.join(dir, 'seed');
    git(dir, 'clone', remote, seed);
    fs.mkdirSync(path.join(seed, 'releases'));
    fs.writeFileSync(path.join(seed, 'releases', 'production.json'), '{}\n');
    git(seed, 'add', '-A');
    git(seed, 'commit', '-m', 'seed');
    git(seed, 'push', 'origin', 'HEAD:main');
    const estate = path.join(dir, 'estate');
    git(dir, 'clone', remote, estate);
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const script = (name: string, body: string): void => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nset -eu\n${body}\n`, { mode: 0o755 });
    // npx platform-cdk release --dir D --env E --service S --tag T
    script('npx', [`echo npx >> ${dir}/calls`, 'printf \'{\\n  "%s": "%s"\\n}\\n\' "$8" "${10}" > "$4/$6.json"'].join('\n'));
    script(
      'npm',
      [
        `echo npm >> ${dir}/calls`,
        race
          ? `if [ ! -e ${dir}/raced ]; then touch ${dir}/raced; rm -rf ${dir}/other; git clone -q ${remote} ${dir}/other 2>/dev/null; echo '{"shop/storefront/web": "0badc0ffee00"}' > ${dir}/other/releases/test.json; git -C ${dir}/other add -A; git -C ${dir}/other -c user.name=o -c user.email=o@example.com commit -qm 'release web'; git -C ${dir}/other push -q origin HEAD:main; fi`
          : 'true',
        'mkdir -p dist/host',
        'cat releases/*.json > dist/host/pins.yaml',
      ].join('\n'),
    );
    script('sleep', `echo "sleep $1" >> ${dir}/calls`);
    return { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, IMAGE_TAG: '3f9c2a1b7d4e', GIT_TERMINAL_PROMPT: '0' }, estate, remote };
  }

  const loop = (f: Delivered): string => deployScript(f.pipeline, f.production).at(-1) as string;
  const calls = (): string[] => fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n');

  it('commits the pin and the output and pushes them', () => {
    const f = delivered();
    const { env, estate, remote } = setUp(false);
    const run = spawnSync('sh', ['-c', `set -eu\n${loop(f)}`], { cwd: estate, env, encoding: 'utf8' });

    expect(run.status).toBe(0);
    expect(git(remote, 'log', '--format=%s', 'main')).toBe('release shop/storefront/api 3f9c2a1b7d4e to production\nseed');
    expect(JSON.parse(git(remote, 'show', 'main:releases/production.json'))).toEqual({ 'shop/storefront/api': '3f9c2a1b7d4e' });
    expect(git(remote, 'show', 'main:dist/host/pins.yaml')).toContain('3f9c2a1b7d4e');
    expect(calls()).toEqual(['npx', 'npm']);
  });

  it('retries on the new head when another release pushed first, keeping both releases', () => {
    const f = delivered();
    const { env, estate, remote } = setUp(true);
    const run = spawnSync('sh', ['-c', `set -eu\n${loop(f)}`], { cwd: estate, env, encoding: 'utf8' });

    expect(run.status).toBe(0);
    expect(git(remote, 'log', '--format=%s', 'main')).toBe('release shop/storefront/api 3f9c2a1b7d4e to production\nrelease web\nseed');
    expect(JSON.parse(git(remote, 'show', 'main:releases/test.json'))).toEqual({ 'shop/storefront/web': '0badc0ffee00' });
    expect(git(remote, 'show', 'main:dist/host/pins.yaml')).toContain('0badc0ffee00');
    expect(calls()).toEqual(['npx', 'npm', 'sleep 5', 'npx', 'npm']);
  });

  it('stops without a commit when the release changes nothing', () => {
    const f = delivered();
    const { env, estate, remote } = setUp(false);
    expect(spawnSync('sh', ['-c', `set -eu\n${loop(f)}`], { cwd: estate, env }).status).toBe(0);
    const second = spawnSync('sh', ['-c', `set -eu\n${loop(f)}`], { cwd: estate, env, encoding: 'utf8' });

    expect(second.status).toBe(0);
    expect(git(remote, 'rev-list', '--count', 'main')).toBe('2');
  });

  it('fails after five attempts when every push is refused', () => {
    const f = delivered();
    const { env, estate, remote } = setUp(false);
    fs.writeFileSync(path.join(remote, 'hooks', 'pre-receive'), '#!/bin/sh\necho refused >&2\nexit 1\n', { mode: 0o755 });
    const run = spawnSync('sh', ['-c', `set -eu\n${loop(f)}`], { cwd: estate, env, encoding: 'utf8' });

    expect(run.status).toBe(1);
    expect(calls().filter((c) => c.startsWith('sleep'))).toEqual(['sleep 5', 'sleep 10', 'sleep 15', 'sleep 20']);
    expect(git(remote, 'rev-list', '--count', 'main')).toBe('1');
  });
});

// --- The Pulumi output ------------------------------------------------------------------------------------------

interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

const recorded: Recorded[] = [];
const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    recorded.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
    return { id: `${args.name}-id`, state: args.inputs };
  },
  call(args) {
    return args.inputs;
  },
};
pulumi.runtime.setMocks(mocks, 'platform-cdk-test', 'production', false);

describe('the Pulumi output', () => {
  // @pulumi/kubernetes must be loaded after setMocks.
  let mod: typeof import('platform-cdk/pulumi');
  beforeAll(async () => {
    mod = await import('platform-cdk/pulumi');
  });
  afterEach(async () => {
    await pulumi.runtime.disconnect();
  });

  it('registers the DevOps project, the Pipeline and the GitOps objects as CustomResources with the host\'s environment', async () => {
    const f = delivered();
    recorded.length = 0;
    pulumi.runtime.setMocks(mocks, 'platform-cdk-test', 'production', false);
    pulumi.runtime.setAllConfig({ 'platform-cdk:context-host': 'host' }, []);
    const stack = new mod.PulumiStack(f.platform);
    for (const o of stack.objects.values()) await new Promise((resolve) => o.resource.urn.apply(resolve));

    const byType = (type: string): Recorded[] => recorded.filter((r) => r.type === type);
    expect(byType('kubernetes:devops.kubesphere.io/v1alpha3:DevOpsProject').map((r) => r.name).sort()).toEqual(['host/platform-gitops', 'host/shop-devops']);
    const pipelines = byType('kubernetes:devops.kubesphere.io/v1alpha3:Pipeline');
    expect(pipelines.map((r) => r.name)).toEqual(['host/shop-devops/api']);
    expect((pipelines[0].inputs.spec as { pipeline: { jenkinsfile: string } }).pipeline.jenkinsfile).toBe(renderJenkinsfile(f.pipeline));
    expect(byType('kubernetes:gitops.kubesphere.io/v1alpha1:Application').map((r) => r.name).sort()).toEqual(['host/platform-gitops/host', 'host/platform-gitops/member-test']);
    expect(mod.isTypedKind('devops.kubesphere.io/v1alpha3', 'Pipeline')).toBe(false);
    expect(stack.objects.has('host/devops.kubesphere.io/v1alpha3/Pipeline/shop-devops/api')).toBe(true);
  });
});

describe('who may run and approve in KubeSphere DevOps', () => {
  it('binds the operator role of the DevOps project to the approvers and the operators, valid against the schema', () => {
    const d = delivered();
    const developers = d.tenant.addDepartment('developers', { members: ['carol'] });
    const web = addService(d, 'web');
    web.addPipeline(props(d, d.releaseManagers, { operators: [developers] }));
    const objects = synthObjects(d.platform);
    const ns = devopsProjectName(d.tenant);
    for (const group of ['shop-developers', 'shop-release-managers']) {
      const binding = objectAt(objects, `host/RoleBinding/${ns}/${group}-operator`);
      expect(binding).toMatchObject({ roleRef: { kind: 'Role', name: 'operator' }, subjects: [{ kind: 'Group', name: group }] });
      expect(validator().validate(binding)).toEqual([]);
    }
    expect([...objects.keys()].filter((k) => k.startsWith(`host/RoleBinding/${ns}/`))).toHaveLength(2);
  });

  it('refuses operators of another tenant', () => {
    const d = delivered();
    const other = d.platform.addTenant('ops', { manager: 'dave' }).addDepartment('sre', { members: ['erin'] });
    addService(d, 'web').addPipeline(props(d, d.releaseManagers, { operators: [other] }));
    expect(() => new ManifestStack(d.platform).files()).toThrow(/operators\[0\]: got "acme\/ops\/sre"; the department belongs to tenant ops/);
  });
});

describe('waiting for the release with GitOps', () => {
  it('waits until each cluster of the environment runs the new tag, when kubeconfigs are given', () => {
    const d = delivered({ kubeconfigs: { host: Credential.kubeconfig('host-kubeconfig'), 'member-test': Credential.kubeconfig('test-kubeconfig') } });
    const script = deployScript(d.pipeline, d.test).join('\n');
    expect(script).toContain(`kubectl --kubeconfig "$${kubeconfigVar('member-test')}" -n storefront get deployment api`);
    expect(script).toContain('grep -qxF "harbor.example.com/shop/api:$IMAGE_TAG"');
    expect(script).toContain('rollout status deployment/api --timeout=15m');
    expect(renderJenkinsfile(d.pipeline)).toContain("kubeconfigFile(credentialsId: 'test-kubeconfig', variable: 'KUBECONFIG_MEMBER_TEST')");
  });

  it('does not wait without kubeconfigs', () => {
    const d = delivered();
    expect(deployScript(d.pipeline, d.test).join('\n')).not.toContain('rollout status');
  });
});
