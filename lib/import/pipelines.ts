/**
 * The import's recogniser of delivery: KubeSphere DevOps release pipelines, the tenants' DevOps projects and the
 * platform's KubeSphere GitOps applications. Each Pipeline whose Jenkinsfile has the shape the library writes is
 * read back into `service.addPipeline` options (lib/import/jenkinsfile.ts), the delivery settings come from the
 * deploy stages and the GitOps applications, and the whole is checked by writing it again with the library: only
 * objects it writes identically are claimed. A pipeline of another shape (built in the console, edited) is left
 * unclaimed, so it comes back through an escape hatch with its reason.
 *
 * The program says the pipelines as the hand-written examples do: the options every pipeline shares once, each
 * builder's stages once (a "stack"), then one line per module.
 */
import { ClusterRole } from '../../constructs/cluster';
import { CiSystem, Credential, DeployMethod, DEFAULT_TOOL_IMAGES } from '../../constructs/delivery';
import type { DeliveryOptions } from '../../constructs/delivery';
import type { Department } from '../../constructs/department';
import { Registry } from '../../constructs/image';
import type { Image } from '../../constructs/image';
import { StageAnchor } from '../../constructs/pipeline';
import type { PipelineProps } from '../../constructs/pipeline';
import { Platform } from '../../constructs/platform';
import type { Project } from '../../constructs/project';
import type { Tenant } from '../../constructs/tenant';
import { devopsObjects, hostGitopsObjects } from '../delivery';
import { kubeconfigVar } from '../pipelines/common';
import { DEVOPS_SUFFIX, GITOPS_NAMESPACE } from '../reserved';
import type { JsonObject } from '../yaml';
import { Code, Ref } from './code';
import { readJenkinsfile, SHELL_WORD, shellValue } from './jenkinsfile';
import type { CredentialSpec, ImageSpec, ReadJenkinsfile, RunStage } from './jenkinsfile';
import type { EstateContext, EstatePass } from './passes';
import type { ExportedObject } from './read';
import { cleanObject } from './read';

/** A TypeScript string literal (as lib/import/writer.ts writes them; not imported from there, which imports the passes). */
function str(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

/** A step's options as plain values. */
interface StepSpec {
  image?: ImageSpec;
  commands: string[];
  report?: string;
}

/** A release pipeline's options as plain values (departments and environments by name). */
export interface PipelineSpec {
  /** The tenant. */
  readonly tenant: string;
  /** The project. */
  readonly project: string;
  /** The module (the service's name). */
  readonly module: string;
  /** Whether it is a service's pipeline (else the project's, with its own image). */
  readonly ofService: boolean;
  /** The options. */
  readonly props: {
    source: { repository: string; branch?: string; credential: CredentialSpec };
    build: StepSpec & { image: ImageSpec };
    unitTests?: StepSpec;
    scan?: true | { severities?: string[]; ignoreUnfixed?: boolean };
    registryCredential: CredentialSpec;
    dockerfile?: string;
    context?: string;
    environments?: string[];
    approval?: { approvers: string; before?: string[] };
    testsAfter?: Record<string, StepSpec>;
    notify?: { email?: string[]; webhook?: CredentialSpec };
    operators?: string[];
    extraStages?: (StepSpec & { name: string; after: 'BUILD' | 'UNIT_TESTS' | 'IMAGE' })[];
    image?: ImageSpec;
  };
}

/** The delivery settings as plain values. */
export interface DeliverySpec {
  /** The estate repository. */
  estate: { repository: string; branch?: string; credential: CredentialSpec };
  /** Output folder. */
  outdir?: string;
  /** Synth command. */
  synthCommand?: string;
  /** Deploy method. */
  deployMethod?: 'KUBECTL' | 'PULUMI';
  /** Kubeconfig credentials by cluster. */
  kubeconfigs?: Record<string, CredentialSpec>;
  /** Tool images. */
  toolImages?: { node?: ImageSpec; trivy?: ImageSpec };
  /** Release pins folder. */
  releasesDir?: string;
  /** Whether the credential of the estate is a guess (no pipeline bound it). */
  guessedCredential?: boolean;
  /** The CI systems, where not the default. */
  ci?: 'GITLAB_CI'[];
}

const ref = (i: ImageSpec): string => `${i.registry}/${i.repository}:${i.tag}`;
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** JSON with sorted keys. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v instanceof Code) return `code:${v.render((r) => r.key)}`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const CREDENTIAL_KINDS: Record<string, CredentialSpec['kind']> = { usernamePassword: 'basicAuth', sshUserPrivateKey: 'sshKey', kubeconfigFile: 'kubeconfig', string: 'secretText' };

/** The delivery settings a deploy stage says. */
function deliveryOf(read: ReadJenkinsfile, clusters: readonly string[]): DeliverySpec | undefined {
  const d = read.deploys[0];
  if (!d) return undefined;
  const s = d.script;
  const clone = new RegExp(`^rm -rf estate && git clone --branch (${SHELL_WORD}) (${SHELL_WORD}) estate$`).exec(s[1] ?? '');
  const estateCred = d.credentials[0];
  if (!clone || !estateCred || !CREDENTIAL_KINDS[estateCred.kind]) return undefined;
  const out: DeliverySpec = { estate: { repository: shellValue(clone[2]), credential: { kind: CREDENTIAL_KINDS[estateCred.kind], id: estateCred.id } } };
  const branch = shellValue(clone[1]);
  if (branch !== 'main') out.estate.branch = branch;
  const gitops = new RegExp(`--dir (${SHELL_WORD}) --env .* && sh -c (${SHELL_WORD}) && git add -A ${SHELL_WORD} (${SHELL_WORD}) && `).exec(s[4] ?? '');
  let dir: string | undefined;
  let outdir: string | undefined;
  let synth: string | undefined;
  if (gitops) {
    [dir, synth, outdir] = [shellValue(gitops[1]), shellValue(gitops[2]), shellValue(gitops[3])];
  } else {
    const release = new RegExp(`^npx platform-cdk release --dir (${SHELL_WORD}) `).exec(s[4] ?? '');
    if (!release) return undefined;
    dir = shellValue(release[1]);
    synth = s[5];
    const kubectl = s.slice(6).map((l) => new RegExp(`-f (${SHELL_WORD})$`).exec(l)).find((m) => m);
    if (kubectl) {
      out.deployMethod = 'KUBECTL';
      outdir = shellValue(kubectl[1]).replace(/\/[^/]+\/$/, '');
    } else if (s[6]?.startsWith('pulumi up')) out.deployMethod = 'PULUMI';
    else return undefined;
  }
  if (dir !== 'releases') out.releasesDir = dir;
  if (synth !== 'npm run synth') out.synthCommand = synth;
  if (outdir !== undefined && outdir !== 'dist') out.outdir = outdir;
  const kubeconfigs: Record<string, CredentialSpec> = {};
  for (const dep of read.deploys) {
    for (const c of dep.credentials.slice(1)) {
      const cluster = clusters.find((x) => kubeconfigVar(x) === c.variable);
      if (c.kind === 'kubeconfigFile' && cluster) kubeconfigs[cluster] = { kind: 'kubeconfig', id: c.id };
    }
  }
  if (Object.keys(kubeconfigs).length > 0) out.kubeconfigs = kubeconfigs;
  const node = d.image && ref(d.image) !== DEFAULT_TOOL_IMAGES.node.reference ? d.image : undefined;
  const trivy = read.scan?.image && ref(read.scan.image) !== DEFAULT_TOOL_IMAGES.trivy.reference ? read.scan.image : undefined;
  if (node || trivy) out.toolImages = { ...(node ? { node } : {}), ...(trivy ? { trivy } : {}) };
  return out;
}

/** The options of a pipeline a Jenkinsfile says, or why it cannot be said. */
function specOf(read: ReadJenkinsfile, ctx: EstateContext, operators: Map<string, string[]>): PipelineSpec | string {
  const [tenant, project, module, ...rest] = read.releaseKey.split('/');
  if (!tenant || !project || !module || rest.length > 0) return 'its release key is not <tenant>/<project>/<module>';
  const t = ctx.index.tenants.get(tenant);
  const p = t?.projects.find((x) => x.name === project);
  if (!t || !p) return `its project ${tenant}/${project} is not in the program`;
  const ofService = read.path.endsWith(`/${project}/${module}/Pipeline`);
  const service = ofService ? ctx.service(tenant, project, module) : undefined;
  if (ofService && !service) return `its service ${project}/${module} is not typed in the program`;
  if (!ofService && !read.path.endsWith(`/${project}/pipeline-${module}`)) return 'it was generated from a construct the import does not know';
  const [build, ...before] = read.before;
  if (!build.image || !read.image) return 'its build or image stage is not the library\'s';
  const sameImage = (s: RunStage): ImageSpec | undefined => (s.image && ref(s.image) === ref(build.image!) ? undefined : s.image);
  const step = (s: RunStage): StepSpec => ({ ...(sameImage(s) ? { image: s.image } : {}), commands: s.commands, ...(s.report !== undefined ? { report: s.report } : {}) });
  const credential = (id: string, url: string): CredentialSpec => ({ kind: /^https?:/.test(url) ? 'basicAuth' : 'sshKey', id });
  const props: PipelineSpec['props'] = {
    source: { repository: read.source.repository, branch: read.source.branch, credential: credential(read.source.credential, read.source.repository) },
    build: { image: build.image, commands: build.commands },
    registryCredential: { kind: 'basicAuth', id: read.image.credential },
  };
  const unit = before.findIndex((s) => s.name === 'unit tests');
  if (unit >= 0) props.unitTests = step(before[unit]);
  const extra = [
    ...before.filter((_, i) => i !== unit).map((s) => ({ ...step(s), name: s.name, after: (unit >= 0 && before.indexOf(s) > unit ? 'UNIT_TESTS' : 'BUILD') as 'BUILD' | 'UNIT_TESTS' })),
    ...read.after.map((s) => ({ ...step(s), name: s.name, after: 'IMAGE' as const })),
  ];
  if (extra.length > 0) props.extraStages = extra;
  if (read.scan) {
    const def = same(read.scan.severities, ['HIGH', 'CRITICAL']);
    props.scan = def && read.scan.ignoreUnfixed ? true : { ...(def ? {} : { severities: read.scan.severities }), ...(read.scan.ignoreUnfixed ? {} : { ignoreUnfixed: false }) };
  }
  if (read.image.dockerfile !== 'Dockerfile') props.dockerfile = read.image.dockerfile;
  if (read.image.context !== '.') props.context = read.image.context;
  const envOrder = [...ctx.index.environments.keys()];
  const deploys = read.deploys.map((d) => d.environment);
  const defaults = envOrder.filter((e) => p.environments.includes(e));
  if (!same(deploys, defaults)) props.environments = deploys;
  if (read.approvals.length > 0) {
    const submitter = read.approvals[0].submitter;
    const bound = operators.get(tenant) ?? [];
    const matches = (t.departments ?? []).filter((d) => d.members.join(',') === submitter);
    const approvers = matches.find((d) => bound.includes(d.name)) ?? matches[0];
    if (!approvers) return `no department of tenant ${tenant} has exactly its approvers (${submitter})`;
    const production = deploys.filter((e) => ctx.index.environments.get(e)?.production);
    const before = read.approvals.map((a) => a.environment);
    props.approval = { approvers: approvers.name, ...(same(before, production) ? {} : { before }) };
  }
  const others = (operators.get(tenant) ?? []).filter((d) => d !== props.approval?.approvers);
  if (others.length > 0) props.operators = others;
  const verifies = Object.entries(read.verifies);
  if (verifies.length > 0) props.testsAfter = Object.fromEntries(verifies.map(([env, s]) => [env, step(s)]));
  if (read.email || read.webhook) props.notify = { ...(read.email ? { email: read.email } : {}), ...(read.webhook ? { webhook: { kind: 'secretText' as const, id: read.webhook } } : {}) };
  const target = read.image.target;
  const images = service ? [service.common.image, ...Object.values(service.perEnvironment).map((f) => f.image)].filter((i) => i !== undefined) : [];
  if (!service || images.length === 0 || images.some((i) => `${i.registry}/${i.repository}` !== target)) {
    const slash = target.indexOf('/');
    props.image = { registry: target.slice(0, slash), repository: target.slice(slash + 1), tag: images[0]?.tag ?? 'main' };
  }
  return { tenant, project, module, ofService, props };
}

// ---------------------------------------------------------------------------------------------------------------
// The check: the library writes the same objects again.

function image(i: ImageSpec): Image {
  return Registry.at(i.registry).image(i.repository, i.tag);
}

function credentialOf(c: CredentialSpec): Credential {
  return Credential[c.kind](c.id);
}

function deliveryOptions(d: DeliverySpec): DeliveryOptions {
  return {
    estate: { repository: d.estate.repository, branch: d.estate.branch, credential: credentialOf(d.estate.credential) },
    outdir: d.outdir,
    synthCommand: d.synthCommand,
    deployMethod: d.deployMethod === 'KUBECTL' ? DeployMethod.KUBECTL : d.deployMethod === 'PULUMI' ? DeployMethod.PULUMI : undefined,
    kubeconfigs: d.kubeconfigs ? Object.fromEntries(Object.entries(d.kubeconfigs).map(([k, c]) => [k, credentialOf(c)])) : undefined,
    toolImages: d.toolImages ? { node: d.toolImages.node && image(d.toolImages.node), trivy: d.toolImages.trivy && image(d.toolImages.trivy) } : undefined,
    releasesDir: d.releasesDir,
    ci: d.ci?.map(() => CiSystem.GITLAB_CI),
  };
}

/** The objects the library writes for these settings and pipelines, on a platform shaped like the estate's. */
function rewrite(ctx: EstateContext, platformName: string, delivery: DeliverySpec, specs: readonly PipelineSpec[]): { objects: JsonObject[]; failed: Set<PipelineSpec> } {
  const platform = new Platform(platformName);
  for (const c of ctx.index.clusters) platform.addCluster(c.name, { role: c.role === 'host' ? ClusterRole.HOST : ClusterRole.MEMBER });
  for (const e of ctx.index.environments.values()) platform.addEnvironment(e.name, { clusters: e.clusters, production: e.production, ...(e.namespaceSuffix ? { namespaceSuffix: e.namespaceSuffix } : {}) });
  platform.configureDelivery(deliveryOptions(delivery));
  const tenants = new Map<string, { tenant: Tenant; departments: Map<string, Department>; projects: Map<string, Project> }>();
  const failed = new Set<PipelineSpec>();
  for (const s of specs) {
    try {
      let t = tenants.get(s.tenant);
      if (!t) {
        const tenant = platform.addTenant(s.tenant, { manager: 'admin' });
        t = { tenant, departments: new Map(), projects: new Map() };
        for (const d of ctx.index.tenants.get(s.tenant)?.departments ?? []) t.departments.set(d.name, tenant.addDepartment(d.name, { members: d.members }));
        tenants.set(s.tenant, t);
      }
      let project = t.projects.get(s.project);
      if (!project) {
        const p = ctx.index.tenants.get(s.tenant)?.projects.find((x) => x.name === s.project);
        project = t.tenant.addProject(s.project, { environments: p?.environments ?? [], ...(p?.namespace ? { namespace: p.namespace } : {}) });
        t.projects.set(s.project, project);
      }
      const props = pipelineProps(s, t.departments);
      if (s.ofService) project.addService(s.module, { image: image(s.props.image ?? imageOfService(ctx, s)) }).addPipeline(props);
      else project.addPipeline(s.module, { ...props, image: image(s.props.image!) });
    } catch {
      failed.add(s);
    }
  }
  const objects: JsonObject[] = [];
  try {
    for (const d of devopsObjects(platform)) objects.push(...(d.objects as unknown as JsonObject[]));
  } catch {
    for (const s of specs) failed.add(s);
  }
  objects.push(...(hostGitopsObjects(platform) as unknown as JsonObject[]));
  return { objects: objects.map((o) => cleanObject(JSON.parse(JSON.stringify(o)) as JsonObject) as unknown as JsonObject), failed };
}

function imageOfService(ctx: EstateContext, s: PipelineSpec): ImageSpec {
  const service = ctx.service(s.tenant, s.project, s.module);
  const i = service?.common.image ?? Object.values(service?.perEnvironment ?? {}).find((f) => f.image)?.image;
  return i ?? { registry: 'registry.invalid', repository: s.module, tag: 'main' };
}

function pipelineProps(s: PipelineSpec, departments: ReadonlyMap<string, Department>): PipelineProps {
  const p = s.props;
  const step = (x: StepSpec): { image?: Image; commands: string[]; report?: string } => ({ image: x.image && image(x.image), commands: x.commands, report: x.report });
  const dept = (name: string): Department => {
    const d = departments.get(name);
    if (!d) throw new Error(`no department ${name}`);
    return d;
  };
  return {
    source: { repository: p.source.repository, branch: p.source.branch, credential: credentialOf(p.source.credential) },
    build: { image: image(p.build.image), commands: p.build.commands },
    unitTests: p.unitTests && step(p.unitTests),
    scan: p.scan,
    registryCredential: credentialOf(p.registryCredential),
    dockerfile: p.dockerfile,
    context: p.context,
    environments: p.environments,
    approval: p.approval && { approvers: dept(p.approval.approvers), before: p.approval.before },
    testsAfter: p.testsAfter && Object.fromEntries(Object.entries(p.testsAfter).map(([k, v]) => [k, step(v)])),
    notify: p.notify && { email: p.notify.email, webhook: p.notify.webhook && credentialOf(p.notify.webhook) },
    operators: p.operators?.map(dept),
    extraStages: p.extraStages?.map((x) => ({ ...step(x), name: x.name, after: StageAnchor[x.after] })),
    image: p.image && image(p.image),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The pass.

const isDevops = (e: ExportedObject): boolean => e.object.apiVersion.startsWith('devops.kubesphere.io/');
const key = (o: { kind: string; metadata: { namespace?: string; name: string } }): string => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * Recognises the release pipelines, the DevOps projects and the KubeSphere GitOps applications (an
 * {@link EstatePass}).
 * @param ctx the estate's context
 */
export const recognisePipelines: EstatePass = (ctx) => {
  const host = ctx.index.clusters.find((c) => c.role === 'host')?.name;
  const onHost = ctx.unclaimed().filter((e) => e.cluster === host);
  const pipelines = onHost.filter((e) => isDevops(e) && e.object.kind === 'Pipeline' && (e.object.metadata.namespace ?? '').endsWith(DEVOPS_SUFFIX));
  const apps = onHost.filter((e) => e.object.apiVersion.startsWith('gitops.kubesphere.io/') && e.object.kind === 'Application' && e.object.metadata.namespace === GITOPS_NAMESPACE);
  if (pipelines.length === 0 && apps.length === 0) return;
  const clusters = ctx.index.clusters.map((c) => c.name);

  // Who may run the pipelines: the departments the DevOps projects' operator RoleBindings name.
  const operators = new Map<string, string[]>();
  for (const e of onHost.filter((x) => x.object.kind === 'RoleBinding' && (x.object.metadata.namespace ?? '').endsWith(DEVOPS_SUFFIX))) {
    const tenant = (e.object.metadata.namespace ?? '').slice(0, -DEVOPS_SUFFIX.length);
    const group = /^(.+)-operator$/.exec(e.object.metadata.name)?.[1];
    const d = (ctx.index.tenants.get(tenant)?.departments ?? []).find((x) => `${tenant}-${x.name}` === group);
    if (d) operators.set(tenant, [...(operators.get(tenant) ?? []), d.name].sort());
  }

  const reads = new Map<ExportedObject, ReadJenkinsfile>();
  for (const e of pipelines) {
    const jenkinsfile = (e.object as unknown as { spec?: { pipeline?: { jenkinsfile?: unknown } } }).spec?.pipeline?.jenkinsfile;
    const r = typeof jenkinsfile === 'string' ? readJenkinsfile(jenkinsfile) : 'it has no Jenkinsfile (a multi-branch or console pipeline)';
    if (typeof r !== 'string') reads.set(e, r);
  }
  let delivery: DeliverySpec | undefined;
  for (const r of reads.values()) if ((delivery = deliveryOf(r, clusters))) break;
  const app = apps[0]?.object as unknown as { spec?: { argoApp?: { spec?: { source?: { repoURL?: string; targetRevision?: string; path?: string } } } }; metadata: { name: string } } | undefined;
  const source = app?.spec?.argoApp?.spec?.source;
  if (!delivery && source?.repoURL) {
    const outdir = source.path?.endsWith(`/${app!.metadata.name}`) ? source.path.slice(0, -app!.metadata.name.length - 1) : undefined;
    delivery = {
      estate: { repository: source.repoURL, ...(source.targetRevision && source.targetRevision !== 'main' ? { branch: source.targetRevision } : {}), credential: { kind: 'basicAuth', id: 'estate-git' } },
      ...(outdir && outdir !== 'dist' ? { outdir } : {}),
      guessedCredential: true,
      ...(reads.size === 0 ? { ci: ['GITLAB_CI' as const] } : {}),
    };
  }
  if (!delivery) return;
  const platformName = ctx.platform;

  const specs = new Map<ExportedObject, PipelineSpec>();
  for (const [e, r] of reads) {
    const s = specOf(r, ctx, operators);
    if (typeof s !== 'string') specs.set(e, s);
  }
  // Write them again; drop what the library does not write identically, until what is left is.
  const exported = new Map(onHost.map((e) => [key(e.object), e]));
  let written = rewrite(ctx, platformName, delivery, [...specs.values()]);
  for (let round = 0; round < 3; round++) {
    const byKey = new Map(written.objects.map((o) => [key(o as unknown as { kind: string; metadata: { name: string } }), o]));
    let dropped = false;
    for (const [e, s] of specs) {
      const again = byKey.get(key(e.object));
      if (written.failed.has(s) || !again || !same(again, e.object)) {
        specs.delete(e);
        dropped = true;
      }
    }
    if (!dropped) break;
    written = rewrite(ctx, platformName, delivery, [...specs.values()]);
  }
  // Every object written again identically is claimed; anything written that the export lacks makes the DevOps
  // project's objects unclaimed (the program would add it).
  const claims: [ExportedObject, string][] = [];
  let extra = false;
  for (const o of written.objects) {
    const e = exported.get(key(o as unknown as { kind: string; metadata: { name: string } }));
    const withoutIgnores = (x: unknown): unknown => {
      const c = JSON.parse(JSON.stringify(x)) as { spec?: { argoApp?: { spec?: Record<string, unknown> } } };
      if (c.spec?.argoApp?.spec) delete c.spec.argoApp.spec.ignoreDifferences;
      return c;
    };
    if (e?.object.kind === 'Pipeline') continue;
    if (e && (same(o, e.object) || (e.object.kind === 'Application' && same(withoutIgnores(o), withoutIgnores(e.object))))) {
      claims.push([e, e.object.kind === 'Application' ? 'GitOps of the platform\'s delivery settings' : 'written for the delivery settings and release pipelines by default']);
    } else extra = true;
  }
  if (extra && specs.size === 0 && apps.length === 0) return;
  for (const [e, detail] of claims) ctx.claim(e, 'generated', detail);
  for (const [e] of specs) ctx.claim(e, 'typed', `release pipeline ${e.object.metadata.name}`);
  ctx.statement(deliveryCode(delivery));
  const code = pipelinesCode([...specs.values()], ctx);
  if (code) ctx.statement(code);
};

// ---------------------------------------------------------------------------------------------------------------
// The program.

function imageCode(i: ImageSpec): Code {
  return new Code(`Registry.at(${str(i.registry)}).image(${str(i.repository)}, ${str(i.tag)})`, ['Registry']);
}

function credentialCode(c: CredentialSpec): Code {
  return new Code(`Credential.${c.kind}(${str(c.id)})`, ['Credential']);
}

function deliveryCode(d: DeliverySpec): Code {
  const o: Record<string, unknown> = { estate: { repository: d.estate.repository, branch: d.estate.branch, credential: credentialCode(d.estate.credential) } };
  const names = ['Credential'];
  if (d.ci) (o.ci = new Code('[CiSystem.GITLAB_CI]')), names.push('CiSystem');
  if (d.outdir) o.outdir = d.outdir;
  if (d.synthCommand) o.synthCommand = d.synthCommand;
  if (d.deployMethod) (o.deployMethod = new Code(`DeployMethod.${d.deployMethod}`)), names.push('DeployMethod');
  if (d.kubeconfigs) o.kubeconfigs = Object.fromEntries(Object.entries(d.kubeconfigs).map(([k, c]) => [k, credentialCode(c)]));
  if (d.toolImages) o.toolImages = { node: d.toolImages.node && imageCode(d.toolImages.node), trivy: d.toolImages.trivy && imageCode(d.toolImages.trivy) };
  if (d.releasesDir) o.releasesDir = d.releasesDir;
  const notes = [
    '// Delivery: the estate repository the GitOps applications sync, and what the release pipelines\' deploy stages say.',
    ...(d.guessedCredential ? ['  // TODO: no release pipeline in the export names the estate repository\'s credential: set its id.'] : []),
    ...(d.ci ? ['  // TODO: no KubeSphere DevOps pipeline is in the export; the CI system is a guess (GitLab CI files are not exported).'] : []),
  ];
  return join([`${notes.join('\n')}\n  platform.configureDelivery(`, lit(o, '  '), ')', new Code('', names)]);
}

/** A pipeline's options as a literal (images, credentials, departments as code). */
function propsLiteral(s: PipelineSpec): Record<string, unknown> {
  const p = s.props;
  const dept = (name: string): Code => new Code([Ref.department(s.tenant, name)]);
  const step = (x: StepSpec): Record<string, unknown> => ({ image: x.image && imageCode(x.image), commands: x.commands, report: x.report });
  const out: Record<string, unknown> = {
    source: { repository: p.source.repository, branch: p.source.branch, credential: credentialCode(p.source.credential) },
    build: { image: imageCode(p.build.image), commands: p.build.commands },
    unitTests: p.unitTests && step(p.unitTests),
    extraStages: p.extraStages?.map((x) => ({ name: x.name, after: new Code(`StageAnchor.${x.after}`, ['StageAnchor']), ...step(x) })),
    scan: p.scan,
    registryCredential: credentialCode(p.registryCredential),
    dockerfile: p.dockerfile,
    context: p.context,
    image: p.image && imageCode(p.image),
    environments: p.environments,
    approval: p.approval && { approvers: dept(p.approval.approvers), before: p.approval.before },
    testsAfter: p.testsAfter && Object.fromEntries(Object.entries(p.testsAfter).map(([k, v]) => [k, step(v)])),
    notify: p.notify && { email: p.notify.email, webhook: p.notify.webhook && credentialCode(p.notify.webhook) },
    operators: p.operators?.map(dept),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Code joined from parts (text and references), with every name the parts need. */
function join(parts: (string | Code)[]): Code {
  const out: (string | Ref)[] = [];
  const names = new Set<string>();
  for (const p of parts) {
    if (typeof p === 'string') out.push(p);
    else {
      out.push(...p.parts);
      for (const n of p.names) names.add(n);
    }
  }
  return new Code(out, [...names]);
}

/** A literal as code (its references kept). */
function lit(v: unknown, indent = '  ', width = 110): Code {
  // literal() writes code by its references' keys outside a program: write each piece as code instead.
  if (v instanceof Code) return v;
  if (Array.isArray(v)) return join(['[', ...v.flatMap((x, i) => [...(i > 0 ? [', '] : []), lit(x, indent, width)]), ']']);
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return new Code('{}');
    const one = join(['{ ', ...entries.flatMap(([k, x], i) => [...(i > 0 ? [', '] : []), `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : str(k)}: `, lit(x, `${indent}  `, width)]), ' }']);
    if (one.render((r) => r.key).length + indent.length <= width) return one;
    const next = `${indent}  `;
    return join(['{\n', ...entries.flatMap(([k, x]) => [`${next}${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : str(k)}: `, lit(x, next, width), ',\n']), `${indent}}`]);
  }
  return new Code(typeof v === 'string' ? str(v) : String(v));
}

/**
 * The pipelines as code: with two or more services' pipelines, the options they all share once, the options of each
 * builder (the build step's image) once, and one line per module; else one call each.
 */
function pipelinesCode(specs: readonly PipelineSpec[], ctx: EstateContext): Code | undefined {
  if (specs.length === 0) return undefined;
  const ofServices = specs.filter((s) => s.ofService);
  const parts: (string | Code)[] = ['// Release pipelines (KubeSphere DevOps), read back from their Jenkinsfiles'];
  const call = (s: PipelineSpec, props: Record<string, unknown>): Code =>
    s.ofService ? join([new Code([Ref.service(s.tenant, s.project, s.module)]), '.addPipeline(', lit(props), ')']) : join([new Code([Ref.project(s.tenant, s.project)]), `.addPipeline(${str(s.module)}, `, lit(props), ')']);
  if (ofServices.length < 2) {
    parts.push('.\n');
    specs.forEach((s, i) => parts.push(...(i > 0 ? [';\n  '] : ['  ']), call(s, propsLiteral(s))));
    return join(parts);
  }
  const all = ofServices.map(propsLiteral);
  // The repository: the same prefix and suffix around every module's name.
  const repos = ofServices.map((s) => s.props.source.repository);
  const at = repos[0].indexOf(ofServices[0].module);
  const prefix = at >= 0 ? repos[0].slice(0, at) : undefined;
  const suffix = at >= 0 ? repos[0].slice(at + ofServices[0].module.length) : undefined;
  const templated = prefix !== undefined && ofServices.every((s, i) => repos[i] === `${prefix}${s.module}${suffix}`);
  const sourceRest = all.map((p) => canonical({ ...(p.source as Record<string, unknown>), repository: undefined }));
  const sourceShared = templated && sourceRest.every((x) => x === sourceRest[0]);
  const keys = [...new Set(all.flatMap((p) => Object.keys(p)))].filter((k) => !(k === 'source' && sourceShared));
  const shared = keys.filter((k) => all.every((p) => p[k] !== undefined && same(p[k], all[0][k])));
  const stackOf = (p: Record<string, unknown>): string => canonical((p.build as Record<string, unknown>).image);
  const stackKeys = [...new Set(all.map(stackOf))];
  const stacked = keys.filter((k) => !shared.includes(k) && stackKeys.every((sk) => {
    const members = all.filter((p) => stackOf(p) === sk);
    return members.every((p) => same(p[k], members[0][k]));
  }));
  const names = new Map<string, string>();
  for (const sk of stackKeys) {
    const p = all.find((x) => stackOf(x) === sk)!;
    const repo = ofServices[all.indexOf(p)].props.build.image.repository;
    let n = repo.split('/').pop()!.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^[^A-Za-z_$]/, '_$&') || 'stack';
    for (let i = 2; [...names.values()].includes(n); i++) n = `${n.replace(/\d+$/, '')}${i}`;
    names.set(sk, n);
  }
  const required = ['build', 'registryCredential', ...(sourceShared ? [] : ['source'])];
  const pick = (ks: string[]): string => {
    const req = required.filter((k) => ks.includes(k));
    return req.length > 0 ? `Pick<PipelineProps, ${req.map((k) => str(k)).join(' | ')}> & Partial<PipelineProps>` : 'Partial<PipelineProps>';
  };
  const rowKeys = keys.filter((k) => !shared.includes(k) && !stacked.includes(k));
  const oneStack = stackKeys.length === 1;
  parts.push(oneStack ? ': the options they share, then one line per module.\n' : ': the options they share, each builder\'s stages, then one line per module.\n');
  parts.push('  const RELEASE = ', lit(Object.fromEntries(shared.map((k) => [k, all[0][k]])), '  '), ';\n');
  if (!oneStack && stacked.length > 0) {
    parts.push('  const RELEASE_STACKS = {\n');
    for (const sk of stackKeys) {
      const p = all.find((x) => stackOf(x) === sk)!;
      parts.push(`    ${names.get(sk)}: `, lit(Object.fromEntries(stacked.map((k) => [k, p[k]])), '    '), ',\n');
    }
    parts.push('  };\n');
  }
  const stackParam = !oneStack && stacked.length > 0;
  const source = sourceShared
    ? join([', source: { ', `repository: \`${prefix!.replace(/[`\\$]/g, '\\$&')}\${service.name}${suffix!.replace(/[`\\$]/g, '\\$&')}\``, ...Object.entries(all[0].source as Record<string, unknown>).filter(([k, v]) => k !== 'repository' && v !== undefined).flatMap(([k, v]) => [`, ${k}: `, lit(v)]), ' }'])
    : new Code('');
  const rowsStacked = oneStack ? [...stacked, ...rowKeys] : rowKeys;
  const sharedInStack = oneStack ? Object.fromEntries(stacked.map((k) => [k, all[0][k]])) : {};
  if (oneStack && stacked.length > 0) {
    // One builder: what the stack says is shared too.
    parts.splice(parts.length - 3, 3, '  const RELEASE = ', lit({ ...Object.fromEntries(shared.map((k) => [k, all[0][k]])), ...sharedInStack }, '  '), ';\n');
  }
  const rowParams = oneStack ? rowKeys : rowKeys;
  void rowsStacked;
  parts.push(
    join([
      `  const addReleasePipeline = (service: AppService${stackParam ? `, stack: ${pick(stacked)}` : ''}${rowParams.length > 0 ? `, props: ${pick(rowParams)}${required.some((k) => rowParams.includes(k)) ? '' : ' = {}'}` : ''}): void => {\n`,
      `    service.addPipeline({ ...RELEASE${stackParam ? ', ...stack' : ''}${rowParams.length > 0 ? ', ...props' : ''}`,
      source,
      ' });\n  };\n',
    ]),
  );
  ofServices.forEach((s, i) => {
    const row = Object.fromEntries(rowParams.filter((k) => all[i][k] !== undefined).map((k) => [k, all[i][k]]));
    const args: (string | Code)[] = [new Code([Ref.service(s.tenant, s.project, s.module)])];
    if (stackParam) args.push(`, RELEASE_STACKS.${names.get(stackOf(all[i]))}`);
    if (rowParams.length > 0 && Object.keys(row).length > 0) args.push(', ', lit(row, '  ', 100000));
    parts.push('  addReleasePipeline(', ...args, i < ofServices.length - 1 || specs.length > ofServices.length ? ');\n' : ')');
  });
  specs.filter((s) => !s.ofService).forEach((s, i, list) => parts.push('  ', call(s, propsLiteral(s)), i < list.length - 1 ? ';\n' : ''));
  void ctx;
  return join([...parts, new Code('', ['AppService', 'PipelineProps'])]);
}
