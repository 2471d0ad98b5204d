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
import { canonical, deliveryCode, pipelinesCode } from './pipeline-code';
import type { DeliverySpec, PipelineSpec, StepSpec } from './pipeline-code';
import { readJenkinsfile, SHELL_WORD, shellValue } from './jenkinsfile';
import type { CredentialSpec, ImageSpec, ReadJenkinsfile, RunStage } from './jenkinsfile';
import type { EstateContext, EstatePass } from './passes';
import type { ExportedObject } from './read';
import { cleanObject } from './read';

const ref = (i: ImageSpec): string => `${i.registry}/${i.repository}:${i.tag}`;
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

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
  const code = pipelinesCode([...specs.values()]);
  if (code) ctx.statement(code);
};
