/**
 * Preview environments in an export (`platform.addPreview`): the namespaces `<project>-pv-<slug>` the library writes
 * for a branch, labelled with the preview's slug, owner and expiry and annotated with its branch. They are not
 * environments of their own in the program: the skeleton leaves them out of the projects' places
 * ({@link isPreviewNamespace}), and {@link previewPass} writes one `platform.addPreview(...)` per preview, with the
 * baseline they derive from, the services they override (the image tag and configuration values that differ from
 * the baseline's), whether what those services call is cloned, and their replicas, quota and hosts where they are not
 * the library's defaults. A preview the program cannot say exactly stays unclaimed (carried through an escape hatch).
 */
import { PreviewLabels } from '../../constructs/preview';
import { previewSlug } from '../../constructs/preview-name';
import { checkConfigLiterals } from '../../constructs/secrets';
import { LabelKeys } from '../manifest';
import { ProblemCollector } from '../problems';
import type { KubeObject } from '../manifest';
import { code, Code, Ref } from './code';
import type { EstateContext, EstatePass } from './passes';
import type { ExportedObject } from './read';
import { quotaValues, readIngress, splitImage } from './service';
import { literal, str } from './format';
import { obj, list } from './json';
import type { Obj } from './json';

/** The label KubeSphere and platform-cdk put the tenant in. */
const TENANT_LABELS = ['platform-cdk.io/tenant', 'kubesphere.io/workspace'];

/**
 * Whether an exported Namespace is a preview's (it carries the preview label): such a namespace is no environment
 * of its project, but a part of a preview.
 * @param o the object
 */
export function isPreviewNamespace(o: KubeObject | undefined): boolean {
  const v = o?.kind === 'Namespace' ? o.metadata.labels?.[PreviewLabels.PREVIEW] : undefined;
  return typeof v === 'string' && v !== '';
}

/** One preview namespace of the export. */
interface PreviewNamespace {
  readonly namespace: ExportedObject;
  readonly tenant: string;
  readonly project: string;
  /** The objects in it (the Namespace excluded). */
  readonly objects: ExportedObject[];
}

/** What a preview becomes: its statement, the hosts it adds to services, and the objects it accounts for. */
export interface ReadPreview {
  /** `platform.addPreview(...)`. */
  readonly statement: Code;
  /** Hosts of its exposed services where the library would derive another: `tenant/project/service` → host. */
  readonly hosts: Record<string, string>;
  /** The preview environment's name (`pv-<slug>`). */
  readonly environment: string;
  /** Every object of its namespaces. */
  readonly objects: ExportedObject[];
}

/** A pod template's containers. */
function containers(d: KubeObject): Obj[] {
  return list(obj(obj(obj(obj(d).spec).template).spec).containers);
}

/** The ConfigMap a Deployment's configuration comes from (its config volume or its variables' references), if any. */
function configMapOf(d: KubeObject): { name?: string; files: Set<string> } {
  const pod = obj(obj(obj(d).spec).template);
  const files = new Set<string>();
  let name: string | undefined;
  for (const v of list(obj(pod.spec).volumes)) {
    const cm = obj(v.configMap);
    if (v.name === 'config' && typeof cm.name === 'string') {
      name = cm.name;
      for (const i of list(cm.items)) if (typeof i.key === 'string') files.add(i.key);
    }
  }
  for (const c of containers(d)) {
    for (const e of list(c.env)) {
      const ref = obj(obj(e.valueFrom).configMapKeyRef);
      if (typeof ref.name === 'string') name ??= ref.name;
    }
  }
  return { name, files };
}

/** A ConfigMap's data. */
function dataOf(objects: readonly ExportedObject[], name: string | undefined): Record<string, string> | undefined {
  if (name === undefined) return undefined;
  const cm = objects.find((e) => e.object.kind === 'ConfigMap' && e.object.metadata.name === name);
  if (!cm) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj((cm.object as unknown as Obj).data))) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A project quota (millicores, MiB, pods) from a ResourceQuota, or undefined when it is not whole numbers of them. */
function quotaOf(o: KubeObject | undefined): Record<string, number> | undefined {
  const q = quotaValues(o);
  return Object.values(q).every((v) => v !== undefined && Number.isInteger(v)) ? (q as Record<string, number>) : undefined;
}

/** Half of a baseline's project quota, as a preview's default (rounded up; at least one pod). */
function halfQuota(q: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, k === 'pods' ? Math.max(1, Math.ceil(v / 2)) : Math.ceil(v / 2)]));
}

/**
 * Reads one preview (its namespaces on one cluster) as a `platform.addPreview` statement, or says why it cannot.
 * @param ctx the estate
 * @param cluster the cluster its namespaces are on
 * @param namespaces its namespaces
 */
export function readPreview(ctx: EstateContext, cluster: string, namespaces: readonly PreviewNamespace[]): ReadPreview | string {
  const first = namespaces[0].namespace.object;
  const labels = first.metadata.labels ?? {};
  const slug = labels[PreviewLabels.PREVIEW];
  const branch = first.metadata.annotations?.[PreviewLabels.BRANCH] ?? slug;
  const owner = labels[PreviewLabels.OWNER];
  const expires = labels[PreviewLabels.EXPIRES];
  const tenant = namespaces[0].tenant;
  if (!owner || !expires) return 'the preview names no owner or no expiry';
  if (previewSlug(branch) !== slug) return `the branch ${branch} does not give the preview's name ${slug}`;
  for (const n of namespaces) {
    const l = n.namespace.object.metadata.labels ?? {};
    if (n.tenant !== tenant || l[PreviewLabels.OWNER] !== owner || l[PreviewLabels.EXPIRES] !== expires || (n.namespace.object.metadata.annotations?.[PreviewLabels.BRANCH] ?? slug) !== branch) {
      return 'the namespaces of the preview disagree on its tenant, owner, expiry or branch';
    }
  }
  const t = ctx.index.tenants.get(tenant);
  if (!t) return `the tenant ${tenant} is not in the export`;

  // The baseline: an environment that is not production, on this cluster, where every project of the preview is placed.
  const envs = [...ctx.index.environments.values()].filter((e) => !e.production && e.clusters.includes(cluster));
  const baseNs = new Map<string, string>();
  const baseline = envs.find((e) =>
    namespaces.every((n) => ctx.index.places.some((p) => p.cluster === cluster && p.environment === e.name && p.tenant === tenant && p.project === n.project)),
  );
  if (!baseline) return `no environment on cluster ${cluster} other than production holds the preview's projects`;
  for (const n of namespaces) {
    const place = ctx.index.places.find((p) => p.cluster === cluster && p.environment === baseline.name && p.tenant === tenant && p.project === n.project)!;
    const project = t.projects.find((p) => p.name === n.project);
    const base = project?.namespace ?? n.project;
    if (n.namespace.object.metadata.name !== `${base}-pv-${slug}`) return `the namespace ${n.namespace.object.metadata.name} is not the preview's name for project ${n.project} (${base}-pv-${slug})`;
    baseNs.set(n.project, place.namespace);
  }
  const inBaseline = (project: string): ExportedObject[] => ctx.index.exported.objects.filter((e) => e.cluster === cluster && e.object.metadata.namespace === baseNs.get(project));

  // Every project service of the estate, to name a service by its shortest unique reference.
  const everyService = ctx.index.places.flatMap((p) =>
    ctx.index.exported.objects.filter((e) => e.cluster === p.cluster && e.object.metadata.namespace === p.namespace && e.object.kind === 'Deployment').map((e) => `${p.tenant}/${p.project}/${e.object.metadata.name}`),
  );
  const unique = [...new Set(everyService)];
  const refOf = (project: string, service: string): string => {
    const full = `${tenant}/${project}/${service}`;
    if (unique.filter((k) => k.endsWith(`/${service}`)).length === 1) return service;
    if (unique.filter((k) => k.endsWith(`/${project}/${service}`)).length === 1) return `${project}/${service}`;
    return full;
  };

  const services: Record<string, { tag?: string; config?: { values?: Record<string, string>; files?: Record<string, string> } }> = {};
  let cloned = 0;
  const replicas = new Set<number>();
  const hosts: Record<string, string> = {};
  const quotas: (Record<string, number> | undefined)[] = [];
  let defaultQuota = true;
  for (const n of namespaces) {
    const base = inBaseline(n.project);
    for (const e of n.objects.filter((x) => x.object.kind === 'Deployment')) {
      const d = e.object;
      const name = d.metadata.name;
      const b = base.find((x) => x.object.kind === 'Deployment' && x.object.metadata.name === name)?.object;
      if (!b) return `the preview runs ${name}, which the baseline ${baseline.name} does not run in project ${n.project}`;
      replicas.add(typeof obj(d.spec).replicas === 'number' ? (obj(d.spec).replicas as number) : 1);
      const override: { tag?: string; config?: { values?: Record<string, string>; files?: Record<string, string> } } = {};
      // The image: the baseline's, or the branch's build (another tag of the same repository).
      const pc = containers(d);
      const bc = containers(b);
      if (pc.length !== bc.length) return `the containers of ${name} differ from the baseline's`;
      for (let i = 0; i < pc.length; i++) {
        if (pc[i].image === bc[i].image) continue;
        const pi = splitImage(String(pc[i].image ?? ''));
        const bi = splitImage(String(bc[i].image ?? ''));
        if (i > 0 || !pi || !bi || pi.registry !== bi.registry || pi.repository !== bi.repository) return `the image of ${name} is not the baseline's repository`;
        override.tag = pi.tag;
      }
      // Configuration: values and files over the baseline's (a key the baseline has and the preview lacks cannot be said).
      const pcm = configMapOf(d);
      const bcm = configMapOf(b);
      const pdata = dataOf(n.objects, pcm.name) ?? {};
      const bdata = dataOf(base, bcm.name) ?? {};
      if (Object.keys(bdata).some((k) => !(k in pdata))) return `the configuration of ${name} drops keys of the baseline's`;
      for (const [k, v] of Object.entries(pdata)) {
        if (bdata[k] === v) continue;
        const kind = pcm.files.has(k) ? 'files' : 'values';
        ((override.config ??= {})[kind] ??= {})[k] = v;
      }
      // A value that looks like a credential is never written into the program.
      const secrets = new ProblemCollector();
      checkConfigLiterals(secrets, '', 'config', override.config);
      if (secrets.problems.length > 0) return `the configuration of ${name} holds what looks like a credential`;
      if (override.tag !== undefined || override.config !== undefined) services[refOf(n.project, name)] = override;
      else cloned++;
      // Hosts: where the library would not derive the exported one from the baseline's host (`<slug>.<host>`).
      const ing = n.objects.find((x) => x.object.kind === 'Ingress' && x.object.metadata.name === name);
      const bing = base.find((x) => x.object.kind === 'Ingress' && x.object.metadata.name === name);
      const host = ing ? readIngress(ing.object).host : undefined;
      if (host !== undefined && host !== `${slug}.${bing ? readIngress(bing.object).host : ''}`) hosts[`${tenant}/${n.project}/${name}`] = host;
    }
    const pq = quotaOf(n.objects.find((x) => x.object.kind === 'ResourceQuota' && x.object.metadata.name === 'project-quota')?.object);
    const bq = quotaOf(base.find((x) => x.object.kind === 'ResourceQuota' && x.object.metadata.name === 'project-quota')?.object);
    quotas.push(pq);
    if (!pq || !bq || JSON.stringify(halfQuota(bq)) !== JSON.stringify(pq)) defaultQuota = false;
  }
  if (Object.keys(services).length === 0) return 'the preview overrides no service of its baseline (no other image tag, no other configuration)';
  if (replicas.size > 1) return 'the services of the preview run different numbers of replicas';
  const props: Code[] = [code()`baseline: ${str(baseline.name)}`];
  // The owner: a department of the tenant (`<tenant>-<department>`), else a user.
  const department = (t.departments ?? []).find((d) => `${tenant}-${d.name}` === owner);
  const ownerGroup = ctx.index.exported.objects.some((e) => e.object.kind === 'Group' && e.object.metadata.name === owner);
  if (department) props.push(code()`owner: ${Ref.department(tenant, department.name)}`);
  else if (ownerGroup) return `the owner ${owner} is a department the import does not declare`;
  else props.push(code(['User'])`owner: User.named(${str(owner)})`);
  props.push(code()`expires: ${str(expires)}`);
  props.push(code()`services: ${literal(services, '    ')}`);
  if (cloned > 0) props.push(code(['PreviewDependencies'])`dependencies: PreviewDependencies.CLONE`);
  if (baseline.clusters[0] !== cluster) props.push(code()`cluster: ${Ref.cluster(cluster)}`);
  const [n] = [...replicas];
  if (n !== undefined && n !== 1) props.push(code()`replicas: ${n}`);
  if (!defaultQuota) {
    const q = quotas[0];
    if (!q || quotas.some((x) => JSON.stringify(x) !== JSON.stringify(q))) return 'the namespaces of the preview have different quotas';
    props.push(code()`quota: ${literal(q)}`);
  }
  const parts: (string | Ref)[] = [`platform.addPreview(${str(branch)}, {\n`];
  const names = new Set<string>();
  for (const p of props) {
    parts.push('    ', ...p.parts, ',\n');
    for (const x of p.names) names.add(x);
  }
  parts.push('  })');
  return { statement: new Code(parts, [...names]), hosts, environment: `pv-${slug}`, objects: namespaces.flatMap((x) => [x.namespace, ...x.objects]) };
}

/**
 * The previews of the export: each becomes `platform.addPreview(...)`, and the objects of its namespaces are written
 * by the library from the baseline; the hosts the library would not derive are added to the services' exposure.
 */
export const previewPass: EstatePass = (ctx) => {
  const unclaimed = ctx.unclaimed();
  const groups = new Map<string, PreviewNamespace[]>();
  for (const e of unclaimed) {
    if (!isPreviewNamespace(e.object)) continue;
    const labels = e.object.metadata.labels ?? {};
    const tenant = TENANT_LABELS.map((k) => labels[k]).find((v) => v !== undefined) ?? '';
    const project = labels[LabelKeys.PART_OF] ?? '';
    const objects = unclaimed.filter((x) => x.cluster === e.cluster && x.object.metadata.namespace === e.object.metadata.name && x.object.kind !== 'Namespace');
    const key = `${e.cluster}\0${labels[PreviewLabels.PREVIEW]}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push({ namespace: e, tenant, project, objects });
  }
  for (const [key, namespaces] of groups) {
    const cluster = key.split('\0')[0];
    const read = readPreview(ctx, cluster, namespaces);
    if (typeof read === 'string') continue;
    for (const [ref, host] of Object.entries(read.hosts)) {
      const [t, p, s] = ref.split('/');
      const service = ctx.service(t, p, s);
      if (service) service.hosts[read.environment] = host;
    }
    ctx.statement(read.statement);
    for (const e of read.objects) {
      const what = e.object.kind === 'Namespace' ? 'typed' : 'generated';
      ctx.claim(e, what, what === 'typed' ? `preview ${read.environment} (platform.addPreview)` : `written for preview ${read.environment} from its baseline`);
    }
  }
};
