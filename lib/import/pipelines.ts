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
import { CiSystem, Credential, DeployMethod, DEFAULT_TOOL_IMAGES, GitOpsTool } from '../../constructs/delivery';
import type { DeliveryOptions } from '../../constructs/delivery';
import type { Department } from '../../constructs/department';
import { Registry } from '../../constructs/image';
import type { Image } from '../../constructs/image';
import { StageAnchor } from '../../constructs/pipeline';
import type { PipelineProps } from '../../constructs/pipeline';
import { Platform, Target } from '../../constructs/platform';
import type { Project } from '../../constructs/project';
import type { Tenant } from '../../constructs/tenant';
import { clusterGitopsObjects, devopsObjects, hostGitopsObjects } from '../delivery';
import { kubeconfigVar } from '../pipelines/common';
import { DEVOPS_SUFFIX, GITOPS_NAMESPACE } from '../reserved';
import type { KubeObject } from '../manifest';
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
    gitops: d.gitops && GitOpsTool[d.gitops],
  };
}

/** The objects the library writes for these settings and pipelines, on a platform shaped like the estate's. */
function rewrite(ctx: EstateContext, kubesphere: boolean, delivery: DeliverySpec, specs: readonly PipelineSpec[]): { objects: { cluster: string; object: JsonObject }[]; failed: Set<PipelineSpec> } {
  const platform = new Platform(ctx.platform, kubesphere ? {} : { target: Target.KUBERNETES });
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
  const host = ctx.index.clusters.find((c) => c.role === 'host')?.name ?? '';
  const objects: { cluster: string; object: unknown }[] = [];
  try {
    for (const d of devopsObjects(platform)) objects.push(...d.objects.map((object) => ({ cluster: host, object })));
  } catch {
    for (const s of specs) failed.add(s);
  }
  objects.push(...hostGitopsObjects(platform).map((object) => ({ cluster: host, object })));
  for (const c of platform.clusters) objects.push(...clusterGitopsObjects(platform, c).map((object) => ({ cluster: c.name, object })));
  return { objects: objects.map((o) => ({ cluster: o.cluster, object: cleanObject(JSON.parse(JSON.stringify(o.object)) as JsonObject) as unknown as JsonObject })), failed };
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
  const unclaimed = ctx.unclaimed();
  const onHost = unclaimed.filter((e) => e.cluster === host);
  const pipelines = onHost.filter((e) => isDevops(e) && e.object.kind === 'Pipeline' && (e.object.metadata.namespace ?? '').endsWith(DEVOPS_SUFFIX));
  // The GitOps objects the library writes: KubeSphere's applications on the host, or Argo CD's or Flux's in each cluster.
  const of = (e: ExportedObject, group: string, kind: string, namespace: string, name: string): boolean =>
    e.object.apiVersion.startsWith(`${group}/`) && e.object.kind === kind && e.object.metadata.namespace === namespace && e.object.metadata.name === name;
  const apps = onHost.filter((e) => e.object.apiVersion.startsWith('gitops.kubesphere.io/') && e.object.kind === 'Application' && e.object.metadata.namespace === GITOPS_NAMESPACE);
  const argo = unclaimed.filter((e) => of(e, 'argoproj.io', 'Application', 'argocd', `platform-${e.cluster}`));
  const fluxRepos = unclaimed.filter((e) => of(e, 'source.toolkit.fluxcd.io', 'GitRepository', 'flux-system', 'platform'));
  const fluxKs = unclaimed.filter((e) => of(e, 'kustomize.toolkit.fluxcd.io', 'Kustomization', 'flux-system', `platform-${e.cluster}`));
  const gitops = [...apps, ...argo, ...fluxRepos, ...fluxKs];
  if (pipelines.length === 0 && gitops.length === 0) return;
  const clusters = ctx.index.clusters.map((c) => c.name);
  const kubesphere = ctx.index.exported.objects.some((e) => e.object.apiVersion.includes('kubesphere.io') || Object.keys(e.object.metadata.labels ?? {}).some((k) => k.startsWith('kubesphere.io/')));

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
  delivery ??= deliveryOfGitops(apps, argo, fluxRepos, fluxKs, reads.size === 0 && kubesphere);
  if (!delivery) return;
  const tool = apps.length > 0 ? 'KUBESPHERE' : argo.length > 0 ? 'ARGO_CD' : fluxRepos.length > 0 || fluxKs.length > 0 ? 'FLUX' : undefined;
  if (tool && tool !== (kubesphere ? 'KUBESPHERE' : 'ARGO_CD')) delivery.gitops = tool;

  const specs = new Map<ExportedObject, PipelineSpec>();
  for (const [e, r] of reads) {
    const s = specOf(r, ctx, operators);
    if (typeof s !== 'string') specs.set(e, s);
  }
  // Write them again; drop what the library does not write identically, until what is left is.
  const where = (cluster: string, o: { kind: string; metadata: { namespace?: string; name: string } }): string => `${cluster} ${key(o)}`;
  const exported = new Map(unclaimed.map((e) => [where(e.cluster, e.object), e]));
  let written = rewrite(ctx, kubesphere, delivery, [...specs.values()]);
  for (let round = 0; round < 3; round++) {
    const byKey = new Map(written.objects.map((o) => [where(o.cluster, o.object as unknown as KubeObject), o.object]));
    let dropped = false;
    for (const [e, s] of specs) {
      const again = byKey.get(where(e.cluster, e.object));
      if (written.failed.has(s) || !again || !same(again, e.object)) {
        specs.delete(e);
        dropped = true;
      }
    }
    if (!dropped) break;
    written = rewrite(ctx, kubesphere, delivery, [...specs.values()]);
  }
  // Every object written again identically is claimed (an Application apart from the fields other parts of the model
  // add to its ignoreDifferences).
  const claims: [ExportedObject, string][] = [];
  let extra = false;
  const withoutIgnores = (x: unknown): unknown => {
    const c = JSON.parse(JSON.stringify(x)) as { spec?: { ignoreDifferences?: unknown; argoApp?: { spec?: Record<string, unknown> } } };
    if (c.spec?.argoApp?.spec) delete c.spec.argoApp.spec.ignoreDifferences;
    if (c.spec) delete c.spec.ignoreDifferences;
    return c;
  };
  for (const o of written.objects) {
    const e = exported.get(where(o.cluster, o.object as unknown as KubeObject));
    if (e?.object.kind === 'Pipeline') continue;
    if (e && (same(o.object, e.object) || (e.object.kind === 'Application' && same(withoutIgnores(o.object), withoutIgnores(e.object))))) {
      claims.push([e, gitops.includes(e) ? 'GitOps of the platform\'s delivery settings' : 'written for the delivery settings and release pipelines by default']);
    } else extra = true;
  }
  if (extra && specs.size === 0 && claims.length === 0) return;
  for (const [e, detail] of claims) ctx.claim(e, 'generated', detail);
  for (const [e] of specs) ctx.claim(e, 'typed', `release pipeline ${e.object.metadata.name}`);
  ctx.statement(deliveryCode(delivery));
  const code = pipelinesCode([...specs.values()]);
  if (code) ctx.statement(code);
};

/** The delivery settings the GitOps objects say, where no pipeline says them (the estate's credential is then a guess, except with Flux). */
function deliveryOfGitops(apps: readonly ExportedObject[], argo: readonly ExportedObject[], fluxRepos: readonly ExportedObject[], fluxKs: readonly ExportedObject[], guessCi: boolean): DeliverySpec | undefined {
  type Source = { repoURL?: string; targetRevision?: string; path?: string };
  const spec = (e: ExportedObject): Record<string, unknown> => ((e.object as unknown as { spec?: Record<string, unknown> }).spec ?? {});
  let repository: string | undefined;
  let branch: string | undefined;
  let path: string | undefined;
  let cluster = '';
  let credential: CredentialSpec | undefined;
  if (apps[0] || argo[0]) {
    const e = apps[0] ?? argo[0];
    const source = (apps[0] ? (spec(e).argoApp as { spec?: { source?: Source } } | undefined)?.spec?.source : (spec(e).source as Source | undefined)) ?? {};
    [repository, branch, path] = [source.repoURL, source.targetRevision, source.path];
    cluster = apps[0] ? e.object.metadata.name : e.cluster;
  } else if (fluxRepos[0]) {
    const s = spec(fluxRepos[0]) as { url?: string; ref?: { branch?: string }; secretRef?: { name?: string } };
    [repository, branch] = [s.url, s.ref?.branch];
    if (s.secretRef?.name && s.url) credential = { kind: /^https?:/.test(s.url) ? 'basicAuth' : 'sshKey', id: s.secretRef.name };
    const k = fluxKs.find((x) => x.cluster === fluxRepos[0].cluster);
    path = (k ? (spec(k).path as string | undefined) : undefined)?.replace(/^\.\//, '');
    cluster = fluxRepos[0].cluster;
  }
  if (!repository) return undefined;
  const outdir = path?.endsWith(`/${cluster}`) ? path.slice(0, -cluster.length - 1) : undefined;
  return {
    estate: { repository, ...(branch && branch !== 'main' ? { branch } : {}), credential: credential ?? { kind: 'basicAuth', id: 'estate-git' } },
    ...(outdir && outdir !== 'dist' ? { outdir } : {}),
    ...(credential ? {} : { guessedCredential: true }),
    ...(guessCi ? { ci: ['GITLAB_CI' as const] } : {}),
  };
}
