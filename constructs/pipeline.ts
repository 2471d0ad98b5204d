import { Construct } from 'constructs';
import { checkDns1123Label } from '../lib/names';
import { isTrivySeverity, repositoryPathProblem, TRIVY_SEVERITIES } from '../lib/pipelines/identifiers';
import { ProblemCollector, ValidationError } from '../lib/problems';
import { findSecretIn } from '../lib/secret-rules';
import type { AppService } from './app-service';
import { checkGitSource, CiSystem, Credential, CredentialKind, GitSourceOptions, isGitUrl } from './delivery';
import { Department } from './department';
import { checkNoLiteralSecret } from './secrets';
import type { Environment } from './environment';
import type { Image } from './image';
import { assertNewChild, Platform } from './platform';
import type { EnvironmentRef, Project } from './project';

/** A step that runs commands in a container. */
export interface PipelineStepOptions {
  /**
   * The image the commands run in (with the module's build tools).
   * @default - the build step's image
   */
  readonly image?: Image;
  /** The shell commands, run in order in the repository's root. */
  readonly commands: string[];
}

/** A step that runs tests and publishes their report. */
export interface TestStepOptions extends PipelineStepOptions {
  /**
   * The JUnit XML report files (a glob, e.g. `target/surefire-reports/*.xml`), published even when tests fail.
   * @default - no report
   */
  readonly report?: string;
}

/** The build step: its image is required. */
export interface BuildStepOptions extends PipelineStepOptions {
  /** The builder image (e.g. Maven, Node.js, Go) from a named registry. */
  readonly image: Image;
}

/** An image scan with Trivy after the push. */
export interface ImageScanOptions {
  /**
   * The severities that fail the pipeline: Trivy's `UNKNOWN`, `LOW`, `MEDIUM`, `HIGH` and `CRITICAL`.
   * @default ["HIGH", "CRITICAL"]
   */
  readonly severities?: string[];
  /**
   * Whether findings without a fix are ignored.
   * @default true
   */
  readonly ignoreUnfixed?: boolean;
}

/** Who approves a release, and before which environments. */
export interface ApprovalOptions {
  /** The department whose members may approve. */
  readonly approvers: Department;
  /**
   * The environments a release waits for approval before.
   * @default - the production environments the pipeline deploys to
   */
  readonly before?: EnvironmentRef[];
}

/** Who hears about a pipeline's result. */
export interface NotifyOptions {
  /**
   * Addresses mailed when a run fails (KubeSphere DevOps; GitLab mails through its own notification settings).
   * @default - none
   */
  readonly email?: string[];
  /**
   * A secret-text credential holding a webhook URL (chat, incident tool) that gets a JSON message when a run fails.
   * @default - none
   */
  readonly webhook?: Credential;
}

/** The fixed stages a custom stage can follow. */
export enum StageAnchor {
  /** After the build. */
  BUILD = 'build',
  /** After the unit tests. */
  UNIT_TESTS = 'unit tests',
  /** After the image is pushed (and scanned). */
  IMAGE = 'image',
}

/** A stage of the team's own, e.g. static analysis or an API contract check. */
export interface ExtraStageOptions extends TestStepOptions {
  /** The stage's name, unique in the pipeline. */
  readonly name: string;
  /** The stage it follows. */
  readonly after: StageAnchor;
}

/** Properties of a release pipeline. */
export interface PipelineProps {
  /** The module's repository, release branch and the credential to clone it. */
  readonly source: GitSourceOptions;
  /** How the module is built. */
  readonly build: BuildStepOptions;
  /**
   * Unit tests, with their report.
   * @default - none
   */
  readonly unitTests?: TestStepOptions;
  /**
   * An image scan after the push; `true` for the defaults.
   * @default - none
   */
  readonly scan?: ImageScanOptions | boolean;
  /** The credential that pushes to the image's registry (e.g. a Harbor robot account). */
  readonly registryCredential: Credential;
  /**
   * The Dockerfile, relative to the repository root.
   * @default "Dockerfile"
   */
  readonly dockerfile?: string;
  /**
   * The build context, relative to the repository root.
   * @default "."
   */
  readonly context?: string;
  /**
   * The environments a release goes to, in the platform's promotion order.
   * @default - every environment of the module's project, in the promotion order
   */
  readonly environments?: EnvironmentRef[];
  /**
   * Who approves, before which environments. Required when the pipeline deploys to a production environment.
   * @default - no approval
   */
  readonly approval?: ApprovalOptions;
  /**
   * Automated tests after the deploy to an environment, by environment name.
   * @default - none
   */
  readonly testsAfter?: Record<string, TestStepOptions>;
  /**
   * Notifications.
   * @default - none
   */
  readonly notify?: NotifyOptions;
  /**
   * Departments that may run the pipeline (the `operator` role in the tenant's KubeSphere DevOps project); the
   * approvers get it too.
   * @default - only the approvers
   */
  readonly operators?: Department[];
  /**
   * Stages of the team's own.
   * @default - none
   */
  readonly extraStages?: ExtraStageOptions[];
  /**
   * The image the pipeline builds: its registry and repository; the tag is the commit's.
   * @default - the service's image (required for a pipeline of a module that is not a service)
   */
  readonly image?: Image;
}

/** A resolved stage, in order. */
export type PipelineStage =
  | {
      /** Checks out the source. */
      readonly kind: 'checkout';
      /** The stage's name. */
      readonly name: string;
    }
  | {
      /** Runs commands in a tool image (build, unit tests, extra stages). */
      readonly kind: 'run';
      /** The stage's name. */
      readonly name: string;
      /** The tool image. */
      readonly image: Image;
      /** The shell commands. */
      readonly commands: readonly string[];
      /** The JUnit XML report files, if any (a glob). */
      readonly report?: string;
    }
  | {
      /** Builds and pushes the module's image. */
      readonly kind: 'image';
      /** The stage's name. */
      readonly name: string;
    }
  | {
      /** Scans the image (Trivy). */
      readonly kind: 'scan';
      /** The stage's name. */
      readonly name: string;
      /** The severities that fail the pipeline. */
      readonly severities: readonly string[];
      /** Whether vulnerabilities without a fix are ignored. */
      readonly ignoreUnfixed: boolean;
    }
  | {
      /** Waits for an approval before an environment. */
      readonly kind: 'approve';
      /** The stage's name. */
      readonly name: string;
      /** The environment about to be deployed. */
      readonly environment: Environment;
      /** Who may approve. */
      readonly approvers: Department;
    }
  | {
      /** Deploys to an environment. */
      readonly kind: 'deploy';
      /** The stage's name. */
      readonly name: string;
      /** The environment. */
      readonly environment: Environment;
    }
  | {
      /** Tests an environment after its deploy. */
      readonly kind: 'verify';
      /** The stage's name. */
      readonly name: string;
      /** The environment. */
      readonly environment: Environment;
      /** The tool image. */
      readonly image: Image;
      /** The shell commands. */
      readonly commands: readonly string[];
      /** The JUnit XML report files, if any (a glob). */
      readonly report?: string;
    };

/** @internal */
export interface PipelineConstructProps extends PipelineProps {
  /** The module's name. */
  readonly module: string;
  /** The service it releases, if any. */
  readonly service?: AppService;
}

const PIPELINE = Symbol.for('platform-cdk.Pipeline');

/**
 * Top-level keys of a `.gitlab-ci.yml` that are not jobs (GitLab reads `image:` as the default image, not as a
 * job), and the failure notification's job.
 */
const NOT_A_GITLAB_JOB_NAME = new Set(['image', 'services', 'cache', 'before_script', 'after_script', 'variables', 'stages', 'types', 'include', 'workflow', 'default', 'notify-failure']);

/**
 * The GitLab CI job of a stage: its name with "-" for spaces, and "-job" after a name GitLab reserves.
 * @internal
 */
export function gitlabJobName(stage: string): string {
  const name = stage.replace(/\s+/g, '-');
  return NOT_A_GITLAB_JOB_NAME.has(name) ? `${name}-job` : name;
}

/**
 * Throws when a module has its pipeline already at this id (or another construct has the id).
 * @internal
 */
export function assertNoPipeline(scope: Construct, id: string, module: string): void {
  const existing = scope.node.tryFindChild(id);
  if (existing && Pipeline.isPipeline(existing)) {
    throw new ValidationError([
      { severity: 'error', path: scope.node.path, property: 'addPipeline', value: module, message: `the module has a release pipeline already (${existing.node.path})`, fix: 'give each module one pipeline (add stages or environments to it instead)' },
    ]);
  }
  assertNewChild(scope, id, 'pipeline');
}

/**
 * A module's release pipeline: checkout, build, unit tests, image build and push (tag = the commit), an
 * optional scan, then for each environment in the platform's promotion order an approval where asked, a
 * deploy (synthesizing the estate with this run's tag and handing it to the clusters), and automated tests.
 * Generated as a KubeSphere DevOps `Pipeline` with a Jenkinsfile and/or a `.gitlab-ci.yml` (see
 * `Platform.configureDelivery`).
 *
 * @example
 * api.addPipeline({
 *   source: { repository: 'https://gitlab.example.com/shop/api.git', credential: Credential.basicAuth('gitlab') },
 *   build: { image: harbor.image('ci/maven', '3.9.9-eclipse-temurin-17'), commands: ['mvn -B -DskipTests package'] },
 *   unitTests: { commands: ['mvn -B test'], report: 'target/surefire-reports/*.xml' },
 *   registryCredential: Credential.basicAuth('harbor-robot'),
 *   approval: { approvers: releaseManagers },
 * });
 */
export class Pipeline extends Construct {
  /** Whether a value is a Pipeline. */
  public static isPipeline(this: void, x: unknown): x is Pipeline {
    return typeof x === 'object' && x !== null && PIPELINE in x;
  }

  /** The module it releases (the pipeline's name). */
  public readonly module: string;
  /** The project of the module. */
  public readonly project: Project;
  /** The service it releases, if the module is one. */
  public readonly service?: AppService;
  /** The image it builds (its tag is replaced by the commit's). */
  public readonly image: Image;
  /** The properties as given. */
  public readonly props: PipelineProps;

  /**
   * @param scope the service or the project
   * @param id the construct id
   * @param props the module and the pipeline's properties
   */
  constructor(scope: Construct, id: string, props: PipelineConstructProps) {
    super(scope, id);
    Object.defineProperty(this, PIPELINE, { value: true });
    this.module = props.module;
    this.service = props.service;
    this.project = props.service ? props.service.project : (scope as Project);
    this.image = props.image as Image;
    this.props = props;
  }

  /** The key of the module in release pins: `<tenant>/<project>/<module>`. */
  public get releaseKey(): string {
    return `${this.project.tenant.name}/${this.project.name}/${this.module}`;
  }

  /** The environments a release goes to, in order (unknown references are left out; validation reports them). */
  public get environments(): Environment[] {
    const platform = Platform.of(this);
    if (!this.props.environments) return platform.promotionOrder.filter((e) => this.project.isPlacedIn(e) && (!this.service || this.service.environments.includes(e)));
    const out: Environment[] = [];
    for (const ref of this.props.environments) {
      const e = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      if (e && e.node.root === platform && !out.includes(e)) out.push(e);
    }
    return out;
  }

  /** The environments a release waits for approval before. */
  public get approvalEnvironments(): Environment[] {
    const a = this.props.approval;
    if (!a) return [];
    const envs = this.environments;
    if (!a.before) return envs.filter((e) => e.production);
    const platform = Platform.of(this);
    return a.before.map((ref) => (typeof ref === 'string' ? platform.findEnvironment(ref) : ref)).filter((e): e is Environment => e !== undefined && envs.includes(e));
  }

  /** The stages, in order. */
  public get stages(): PipelineStage[] {
    const p = this.props;
    const buildImage = p.build?.image;
    const extra = (anchor: StageAnchor): PipelineStage[] =>
      (p.extraStages ?? []).filter((s) => s.after === anchor).map((s) => ({ kind: 'run', name: s.name, image: s.image ?? buildImage, commands: s.commands ?? [], report: s.report }));
    const out: PipelineStage[] = [{ kind: 'checkout', name: 'checkout' }];
    out.push({ kind: 'run', name: 'build', image: buildImage, commands: p.build?.commands ?? [] });
    out.push(...extra(StageAnchor.BUILD));
    if (p.unitTests) out.push({ kind: 'run', name: 'unit tests', image: p.unitTests.image ?? buildImage, commands: p.unitTests.commands ?? [], report: p.unitTests.report });
    out.push(...extra(StageAnchor.UNIT_TESTS));
    out.push({ kind: 'image', name: 'image' });
    if (p.scan) {
      const s = p.scan === true ? {} : p.scan;
      out.push({ kind: 'scan', name: 'scan', severities: s.severities ?? ['HIGH', 'CRITICAL'], ignoreUnfixed: s.ignoreUnfixed ?? true });
    }
    out.push(...extra(StageAnchor.IMAGE));
    const approvals = this.approvalEnvironments;
    for (const env of this.environments) {
      if (approvals.includes(env) && p.approval) out.push({ kind: 'approve', name: `approve ${env.name}`, environment: env, approvers: p.approval.approvers });
      out.push({ kind: 'deploy', name: `deploy ${env.name}`, environment: env });
      const t = p.testsAfter?.[env.name];
      if (t) out.push({ kind: 'verify', name: `verify ${env.name}`, environment: env, image: t.image ?? buildImage, commands: t.commands ?? [], report: t.report });
    }
    return out;
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const platform = Platform.of(this);
    const p = this.props;
    const n = checkDns1123Label(this.module);
    if (n) problems.error({ path, property: 'module', value: this.module, message: n, fix: 'name the module like "trip-service"' });
    if (!platform.delivery) {
      problems.error({ path, property: 'delivery', value: undefined, message: 'the platform does not say how it delivers, so the pipeline cannot deploy', fix: 'call platform.configureDelivery({ estate: { repository, credential }, ... })' });
    } else if (platform.target === 'kubernetes' && (platform.delivery.ci ?? []).includes(CiSystem.KUBESPHERE_DEVOPS)) {
      problems.error({ path, property: 'delivery.ci', value: CiSystem.KUBESPHERE_DEVOPS, message: 'the plain Kubernetes target has no KubeSphere DevOps', fix: 'use CiSystem.GITLAB_CI on plain Kubernetes' });
    }
    checkGitSource(problems, path, 'source', p.source);
    if (!this.image || typeof this.image._check !== 'function') problems.error({ path, property: 'image', value: this.image, message: 'the pipeline needs the image it builds', fix: 'give image: registry.image("team/module", "0.0.0") (the tag is replaced by the commit\'s)' });
    else this.image._check(problems, path, 'image');
    if (!p.build?.image || typeof p.build.image._check !== 'function') problems.error({ path, property: 'build.image', value: p.build?.image, message: 'the build step needs a builder image', fix: 'give build: { image: registry.image("ci/maven", "3.9.9"), commands: [...] }' });
    else p.build.image._check(problems, path, 'build.image');
    if (!(p.registryCredential instanceof Credential)) {
      problems.error({ path, property: 'registryCredential', value: p.registryCredential, message: `pushing to ${this.image?.registry?.host ?? 'the registry'} needs a credential reference`, fix: 'give registryCredential: Credential.basicAuth("harbor-robot")' });
    } else {
      p.registryCredential._check(problems, path, 'registryCredential');
      if (p.registryCredential.kind !== CredentialKind.BASIC_AUTH) problems.error({ path, property: 'registryCredential', value: p.registryCredential.kind, message: 'a registry takes a user name and password (or robot token)', fix: 'use Credential.basicAuth(...)' });
    }
    const commandsOf: [string, readonly string[] | undefined][] = [['build.commands', p.build?.commands], ['unitTests.commands', p.unitTests?.commands]];
    (p.extraStages ?? []).forEach((s, i) => commandsOf.push([`extraStages[${i}].commands`, s.commands]));
    for (const [env, t] of Object.entries(p.testsAfter ?? {})) commandsOf.push([`testsAfter[${JSON.stringify(env)}].commands`, t.commands]);
    for (const [property, commands] of commandsOf) {
      if (property.startsWith('unitTests') && !p.unitTests) continue;
      if (!Array.isArray(commands) || commands.length === 0 || commands.some((c) => typeof c !== 'string' || c.trim() === '')) {
        problems.error({ path, property, value: Array.isArray(commands) && findSecretIn(commands) ? '<commands withheld>' : commands, message: 'a step needs at least one non-empty command', fix: 'give the shell commands, e.g. ["mvn -B package"]' });
      }
      // Commands are written into the Jenkinsfile and .gitlab-ci.yml as they are.
      if (Array.isArray(commands)) {
        commands.forEach((c, i) => checkNoLiteralSecret(problems, path, `${property}[${i}]`, c, 'read the secret from a CI credential variable (e.g. `echo "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin`)'));
      }
    }
    for (const [property, image] of [['unitTests.image', p.unitTests?.image], ...(p.extraStages ?? []).map((s, i) => [`extraStages[${i}].image`, s.image]), ...Object.entries(p.testsAfter ?? {}).map(([e, t]) => [`testsAfter[${JSON.stringify(e)}].image`, t.image])] as [string, Image | undefined][]) {
      if (image !== undefined) image._check(problems, path, property);
    }
    this.checkIdentifiers(problems, path);
    this.checkEnvironments(problems, path, platform);
    this.checkStageNames(problems, path);
    this.checkApproval(problems, path, platform);
    (p.operators ?? []).forEach((d, i) => {
      if (!Department.isDepartment(d) || d.node.root !== platform) problems.error({ path, property: `operators[${i}]`, value: (d as { node?: { path: string } } | undefined)?.node?.path ?? d, message: 'not a department of this platform', fix: 'name a department of the module\'s tenant' });
      else if (d.tenant !== this.project.tenant) problems.error({ path, property: `operators[${i}]`, value: d.node.path, message: `the department belongs to tenant ${d.tenant.name}, and the module to tenant ${this.project.tenant.name}`, fix: 'name a department of the module\'s tenant' });
    });
    const notify = p.notify;
    (notify?.email ?? []).forEach((m, i) => {
      if (typeof m !== 'string' || !/^[^\s@'"]+@[^\s@'"]+\.[^\s@'"]+$/.test(m)) problems.error({ path, property: `notify.email[${i}]`, value: m, message: 'not an e-mail address', fix: 'give addresses like "release@example.com"' });
    });
    if (notify?.webhook !== undefined) {
      if (!(notify.webhook instanceof Credential) || notify.webhook.kind !== CredentialKind.SECRET_TEXT) problems.error({ path, property: 'notify.webhook', value: notify.webhook, message: 'the webhook URL is a secret-text credential', fix: 'use Credential.secretText("release-webhook")' });
      else notify.webhook._check(problems, path, 'notify.webhook');
    }
    const source = p.source?.credential;
    // Only a Git URL says whether it is SSH or HTTPS; a malformed one is reported above.
    if (source instanceof Credential && isGitUrl(p.source.repository)) {
      const ssh = !/^https?:/.test(p.source.repository);
      if (ssh && source.kind !== CredentialKind.SSH_AUTH) problems.error({ path, property: 'source.credential', value: source.kind, message: 'an SSH repository URL needs an SSH key credential', fix: 'use Credential.sshKey(...), or an HTTPS URL' });
      if (!ssh && source.kind !== CredentialKind.BASIC_AUTH) problems.error({ path, property: 'source.credential', value: source.kind, message: 'an HTTPS repository URL needs a user name and token credential', fix: 'use Credential.basicAuth(...), or an SSH URL' });
    }
  }

  /** The options that are identifiers, not code: the scan's severities and the paths of the image build. */
  private checkIdentifiers(problems: ProblemCollector, path: string): void {
    const p = this.props;
    for (const [k, v] of [['dockerfile', p.dockerfile], ['context', p.context]] as const) {
      const problem = v === undefined ? undefined : repositoryPathProblem(v);
      if (problem) problems.error({ path, property: k, value: v, message: 'a path inside the repository, relative to its root', fix: k === 'dockerfile' ? 'use e.g. "Dockerfile" or "docker/Dockerfile"' : 'use e.g. "." or "services/api"' });
    }
    if (typeof p.scan === 'object' && p.scan !== null && p.scan.severities !== undefined) {
      const severities: unknown = p.scan.severities;
      if (!Array.isArray(severities) || severities.length === 0) {
        problems.error({ path, property: 'scan.severities', value: severities, message: 'the severities that fail the pipeline are a non-empty list', fix: `list some of ${TRIVY_SEVERITIES.join(', ')}, e.g. ["HIGH", "CRITICAL"]` });
      } else {
        severities.forEach((v: unknown, i) => {
          if (!isTrivySeverity(v)) problems.error({ path, property: `scan.severities[${i}]`, value: v, message: `not a Trivy severity (${TRIVY_SEVERITIES.join(', ')})`, fix: 'use one of Trivy\'s severities, in upper case, e.g. "CRITICAL"' });
        });
      }
    }
  }

  private checkEnvironments(problems: ProblemCollector, path: string, platform: Platform): void {
    const order = platform.promotionOrder;
    const orderText = order.map((e) => e.name).join(' → ');
    let last = -1;
    (this.props.environments ?? []).forEach((ref, i) => {
      const e = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      const label = typeof ref === 'string' ? ref : ref?.name;
      if (!e || e.node.root !== platform) {
        problems.error({ path, property: `environments[${i}]`, value: label, message: `no environment of the platform has this name (environments: ${platform.environments.map((x) => x.name).join(', ')})`, fix: 'deploy to environments of the platform' });
        return;
      }
      if (!this.project.isPlacedIn(e)) problems.error({ path, property: `environments[${i}]`, value: label, message: `the project ${this.project.name} is not placed in this environment (it is in: ${this.project.environments.map((x) => x.name).join(', ') || 'none'})`, fix: 'deploy only to environments of the module\'s project' });
      const at = order.indexOf(e);
      if (at < 0) problems.error({ path, property: `environments[${i}]`, value: label, message: `the environment is not in the platform's promotion order (${orderText})`, fix: 'add it to the platform\'s promotionOrder' });
      else if (at <= last) problems.error({ path, property: `environments[${i}]`, value: label, message: `out of the platform's promotion order (${orderText})`, fix: `list the environments in the order ${orderText}` });
      else last = at;
    });
    if (this.environments.length === 0) problems.error({ path, property: 'environments', value: [], message: 'the pipeline deploys to no environment', fix: 'place the module\'s project in environments, or list them in `environments`' });
    for (const env of Object.keys(this.props.testsAfter ?? {})) {
      if (!this.environments.some((e) => e.name === env)) problems.error({ path, property: `testsAfter[${JSON.stringify(env)}]`, value: env, message: `the pipeline does not deploy to this environment (it deploys to: ${this.environments.map((e) => e.name).join(', ')})`, fix: 'key testsAfter by environments the pipeline deploys to' });
    }
  }

  private checkStageNames(problems: ProblemCollector, path: string): void {
    // GitLab CI names jobs with "-" for spaces: "unit tests" and "unit-tests" would be one job there.
    const seen = new Map<string, string>();
    for (const s of this.stages) {
      const key = gitlabJobName(s.name);
      const first = seen.get(key);
      if (first === s.name) problems.error({ path, property: 'extraStages', value: s.name, message: 'the stage name is used twice in the pipeline', fix: 'give each stage its own name (fixed stages: checkout, build, unit tests, image, scan, approve/deploy/verify <environment>)' });
      else if (first !== undefined) problems.error({ path, property: 'extraStages', value: s.name, message: `the stage would be GitLab CI job ${key}, like stage "${first}"`, fix: 'give each stage a name of its own, apart from spaces and "-"' });
      else seen.set(key, s.name);
    }
    (this.props.extraStages ?? []).forEach((s, i) => {
      if (typeof s.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/.test(s.name)) problems.error({ path, property: `extraStages[${i}].name`, value: s.name, message: 'a stage name is letters, digits, spaces, ".", "_" and "-" (at most 63)', fix: 'name the stage like "static analysis"' });
      if (!Object.values(StageAnchor).includes(s.after)) problems.error({ path, property: `extraStages[${i}].after`, value: s.after, message: 'a stage of your own follows build, unit tests or image', fix: 'use StageAnchor.BUILD, UNIT_TESTS or IMAGE' });
    });
  }

  private checkApproval(problems: ProblemCollector, path: string, platform: Platform): void {
    const a = this.props.approval;
    const production = this.environments.filter((e) => e.production);
    if (!a) {
      if (production.length > 0) problems.error({ path, property: 'approval', value: undefined, message: `the pipeline deploys to production environment ${production.map((e) => e.name).join(', ')} without an approval`, fix: 'give approval: { approvers: <department> } (a department of the tenant whose members may approve)' });
      return;
    }
    if (!Department.isDepartment(a.approvers) || a.approvers.node.root !== platform) {
      problems.error({ path, property: 'approval.approvers', value: (a.approvers as { node?: { path: string } } | undefined)?.node?.path ?? a.approvers, message: 'the approvers are not a department of this platform', fix: 'name a department: tenant.addDepartment("release-managers", { members: [...] })' });
    } else {
      if (a.approvers.tenant !== this.project.tenant) problems.error({ path, property: 'approval.approvers', value: a.approvers.node.path, message: `the department belongs to tenant ${a.approvers.tenant.name}, and the module to tenant ${this.project.tenant.name}`, fix: 'name a department of the module\'s tenant' });
      if (a.approvers.members.length === 0) problems.error({ path, property: 'approval.approvers', value: a.approvers.node.path, message: 'the department has no members, so nobody could approve', fix: 'add members to the department' });
    }
    (a.before ?? []).forEach((ref, i) => {
      const e = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      if (!e || !this.environments.includes(e)) problems.error({ path, property: `approval.before[${i}]`, value: typeof ref === 'string' ? ref : ref?.name, message: `the pipeline does not deploy to this environment (it deploys to: ${this.environments.map((x) => x.name).join(', ')})`, fix: 'name environments the pipeline deploys to' });
    });
    for (const env of production) {
      if (!this.approvalEnvironments.includes(env)) problems.error({ path, property: 'approval.before', value: env.name, message: `a release to production environment ${env.name} goes without approval`, fix: `include ${env.name} in approval.before (or leave before out: it defaults to the production environments)` });
    }
  }
}
