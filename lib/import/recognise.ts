/**
 * Recognising an estate in an export: clusters, environments (from the labels platform-cdk writes, a namespace
 * suffix convention, or a map the user gives), tenants (WorkspaceTemplates, the `kubesphere.io/workspace` label),
 * projects across environments and clusters, and their services. What the library writes by default (a project's
 * quota, limit range and network policies, a service's ServiceAccount and disruption budget) is recognised as such;
 * what the typed model cannot say is carried through an escape hatch, with the reason; nothing is dropped silently.
 */
import { isClusterScopedKind } from '../escape-hatches';
import { LabelKeys } from '../manifest';
import { DEVOPS_SUFFIX, GITOPS_NAMESPACE } from '../reserved';
import type { KubeObject } from '../manifest';
import type { ExportedEstate, ExportedObject } from './read';
import { objectName } from './read';
import type { Code } from './code';
import { ESTATE_PASSES, NAMESPACE_PASSES } from './passes';
import { isPreviewNamespace } from './previews';
import { isProductionEnvironment } from './environments';
import type { EstateIndex, NamespaceContext } from './passes';
import type { ImportedCluster, ImportedEnvironment, ImportedEstate, ImportedHatch, ImportedProject, ImportedService, ImportedTenant, ReportEntry, ServiceFields } from './model';
import { DEFAULT_RESOURCES, mergeEnvironments, quotaValues, readIngress, readService } from './service';
import { quotaStatements, splitQuotas } from './quotas';

/** Options of {@link recogniseEstate}. */
export interface RecogniseOptions {
  /** The platform's name. @default - the export folder's name, or `imported` */
  readonly platform?: string;
  /**
   * How namespaces map to environments where no `platform-cdk.io/environment` label says: `<suffix>=<environment>`
   * (`-test=test`, a namespace ending in the suffix) or `<cluster>=<environment>` (every namespace of a cluster).
   * @default - the usual suffixes (`-dev`, `-test`, `-staging`, `-prod`), then the cluster's environment label
   */
  readonly environmentMap?: Readonly<Record<string, string>>;
  /** The namespace of exported objects that name none (plain manifests). @default - the platform's name */
  readonly namespace?: string;
  /** The environment of namespaces nothing else places. @default - production where other namespaces carry an environment's suffix, else the environment named like their cluster */
  readonly defaultEnvironment?: string;
}

/** Namespaces that belong to Kubernetes or KubeSphere, never to a project. */
const SYSTEM_NAMESPACE = /^(kube-|kubesphere-|kubekey-|istio-|cert-manager$|default$|ingress-nginx$|gitops-system$)/;

/** Environment names a namespace suffix stands for. */
const SUFFIXES: Record<string, string> = { '-dev': 'dev', '-development': 'development', '-test': 'test', '-qa': 'qa', '-staging': 'staging', '-stage': 'staging', '-prod': 'production', '-production': 'production' };

/** The order environments are written in. */
const ORDER = ['dev', 'development', 'test', 'qa', 'staging', 'production'];

/** Network policies the library writes into every project. */
const PROJECT_POLICIES = new Set(['default-deny', 'allow-dns', 'allow-same-tenant', 'allow-ingress-controller', 'allow-acme-http01-solver']);

/** Labels platform-cdk writes on clusters, which the program does not repeat. */
const CLUSTER_LABEL = /^(app\.kubernetes\.io\/managed-by|cluster\.platform-cdk\.io\/.*)$/;

/** The built-in workspace roles, by the suffix of their name, as the typed model names them. */
export const WORKSPACE_ROLES: Readonly<Record<string, string>> = { admin: 'ADMIN', regular: 'REGULAR', viewer: 'VIEWER', 'self-provisioner': 'SELF_PROVISIONER' };

/** The KubeSphere workspace label of a namespace. */
const WORKSPACE = 'kubesphere.io/workspace';

interface Place {
  readonly cluster: string;
  readonly namespace: string;
  readonly environment: string;
  readonly project: string;
  readonly tenant: string;
}

/** What {@link recogniseEstate} gives: the estate, and what became of every object. */
export interface Recognised {
  /** The estate. */
  readonly estate: ImportedEstate;
  /** One entry per object of the export. */
  readonly report: ReportEntry[];
}

function labelsOf(o: KubeObject): Record<string, string> {
  return o.metadata.labels ?? {};
}

function sortEnvs(a: string, b: string): number {
  const ia = ORDER.indexOf(a);
  const ib = ORDER.indexOf(b);
  if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Where an export's namespace belongs: environment, project, tenant. */
function placeNamespace(cluster: string, ns: KubeObject | undefined, name: string, clusterEnv: ReadonlyMap<string, string>, o: RecogniseOptions, fallback: string): Place {
  const labels = ns ? labelsOf(ns) : {};
  let environment = labels['platform-cdk.io/environment'];
  let base = name;
  const map = o.environmentMap ?? {};
  for (const [key, env] of Object.entries({ ...map, ...SUFFIXES })) {
    if (key.startsWith('-') && name.endsWith(key) && name.length > key.length) {
      if (environment === undefined || environment === env) {
        environment ??= map[key] ?? env;
        base = name.slice(0, -key.length);
      }
      break;
    }
  }
  environment ??= map[cluster] ?? clusterEnv.get(cluster) ?? fallback;
  const project = labels[LabelKeys.PART_OF] ?? base;
  const tenant = labels['platform-cdk.io/tenant'] ?? labels[WORKSPACE] ?? project;
  return { cluster, namespace: name, environment, project, tenant };
}

/**
 * Recognises the estate of an export.
 * @param exported what the export folder holds
 * @param o options
 */
export function recogniseEstate(exported: ExportedEstate, o: RecogniseOptions = {}): Recognised {
  const report: ReportEntry[] = exported.skipped.map((s) => ({ cluster: s.cluster, object: s.object, outcome: 'left-out' as const, detail: s.reason }));
  const done = new Set<ExportedObject>();
  const mark = (e: ExportedObject, outcome: ReportEntry['outcome'], detail: string): void => {
    done.add(e);
    report.push({ cluster: e.cluster, object: objectName(e.object), outcome, detail });
  };
  // Plain manifests often name no namespace (`kubectl apply -n …`): they go to the namespace named like the platform.
  const defaultNamespace = o.namespace ?? o.platform ?? 'default';
  exported = {
    ...exported,
    objects: exported.objects.map((e) =>
      e.object.metadata.namespace === undefined && !isClusterScopedKind(e.object.kind) && e.object.kind !== 'Namespace' && !e.object.apiVersion.includes('kubesphere.io')
        ? { ...e, object: { ...e.object, metadata: { ...e.object.metadata, namespace: defaultNamespace } } as KubeObject }
        : e,
    ),
  };
  const of = (kind: string): ExportedObject[] => exported.objects.filter((e) => e.object.kind === kind);
  const kubesphere = exported.objects.some((e) => e.object.apiVersion.includes('kubesphere.io') || Object.keys(labelsOf(e.object)).some((k) => k.startsWith('kubesphere.io/')));

  // Clusters: the host holds the Cluster and WorkspaceTemplate objects (or is named host, or is alone).
  const clusterObjects = of('Cluster').filter((e) => e.object.apiVersion.startsWith('cluster.kubesphere.io/'));
  const hostName =
    exported.clusters.find((c) => exported.objects.some((e) => e.cluster === c && (e.object.kind === 'WorkspaceTemplate' || e.object.kind === 'Cluster'))) ??
    exported.clusters.find((c) => c === 'host') ??
    exported.clusters[0];
  const clusterEnv = new Map<string, string>();
  const clusters: ImportedCluster[] = exported.clusters.map((name) => {
    const co = clusterObjects.find((e) => e.object.metadata.name === name);
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(co ? labelsOf(co.object) : {})) if (!CLUSTER_LABEL.test(k)) labels[k] = v;
    const env = co ? labelsOf(co.object)['cluster.platform-cdk.io/environment'] : undefined;
    if (env) clusterEnv.set(name, env);
    const ingress = exported.objects.find((e) => e.cluster === name && e.object.kind === 'Ingress');
    const ingressClassName = (ingress?.object as { spec?: { ingressClassName?: string } } | undefined)?.spec?.ingressClassName;
    return { name, role: name === hostName ? 'host' : 'member', labels, ingressClassName };
  });
  for (const e of clusterObjects) {
    const known = exported.clusters.includes(e.object.metadata.name);
    mark(e, known ? 'typed' : 'left-out', known ? `cluster ${e.object.metadata.name}` : 'a cluster with no folder in the export: export it to import it');
  }

  // Namespaces of projects, each placed in an environment, a project and a tenant.
  const places: Place[] = [];
  const namespaceNames = new Map<string, Set<string>>();
  for (const e of exported.objects) {
    const ns = e.object.kind === 'Namespace' ? e.object.metadata.name : e.object.metadata.namespace;
    if (ns) (namespaceNames.get(e.cluster) ?? namespaceNames.set(e.cluster, new Set()).get(e.cluster)!).add(ns);
  }
  // Where some namespaces carry an environment's suffix (`orders-test`), the bare ones (`orders`) are production.
  const suffixes = Object.keys({ ...SUFFIXES, ...(o.environmentMap ?? {}) }).filter((k) => k.startsWith('-'));
  const suffixed = [...namespaceNames.values()].some((names) => [...names].some((n) => !SYSTEM_NAMESPACE.test(n) && suffixes.some((x) => n.endsWith(x) && n.length > x.length)));
  for (const [cluster, names] of namespaceNames) {
    const fallback = o.defaultEnvironment ?? (suffixed && !clusterEnv.has(cluster) ? 'production' : cluster);
    for (const name of [...names].sort()) {
      const ns = exported.objects.find((e) => e.cluster === cluster && e.object.kind === 'Namespace' && e.object.metadata.name === name);
      if (SYSTEM_NAMESPACE.test(name) || name.endsWith(DEVOPS_SUFFIX) || name === GITOPS_NAMESPACE || name === 'argocd' || name === 'flux-system' || (ns && labelsOf(ns.object)[WORKSPACE] === 'system-workspace')) continue;
      // A preview's namespace is no environment of its project (lib/import/previews.ts reads it).
      if (isPreviewNamespace(ns?.object)) continue;
      places.push(placeNamespace(cluster, ns?.object, name, clusterEnv, o, fallback));
    }
  }

  // Environments: every environment a namespace or a cluster is in.
  const envClusters = new Map<string, Set<string>>();
  for (const p of places) (envClusters.get(p.environment) ?? envClusters.set(p.environment, new Set()).get(p.environment)!).add(p.cluster);
  for (const [c, env] of clusterEnv) (envClusters.get(env) ?? envClusters.set(env, new Set()).get(env)!).add(c);
  const environments: ImportedEnvironment[] = [...envClusters.keys()].sort(sortEnvs).map((name) => ({
    name,
    clusters: [...envClusters.get(name)!].sort(),
    production: isProductionEnvironment(name, exported.objects, places),
  }));
  const envByName = new Map(environments.map((e) => [e.name, e]));

  // Tenants: WorkspaceTemplates, then the tenants the namespaces name.
  const tenants = new Map<string, ImportedTenant>();
  for (const e of of('WorkspaceTemplate')) {
    const spec = (e.object as unknown as { spec?: { template?: { spec?: { manager?: string } } } }).spec;
    const name = e.object.metadata.name;
    tenants.set(name, { name, manager: spec?.template?.spec?.manager, displayName: e.object.metadata.annotations?.['kubesphere.io/alias-name'], projects: [] });
    mark(e, 'typed', `tenant ${name}`);
  }
  // Workspace quotas (KubeSphere's cluster-scoped ResourceQuota, one per workspace).
  for (const e of of('ResourceQuota').filter((x) => x.object.apiVersion.startsWith('quota.kubesphere.io/'))) {
    const t = tenants.get(e.object.metadata.name);
    const q = readQuota(e.object, true);
    if (t && q) {
      t.quota = q;
      mark(e, 'typed', `quota of tenant ${t.name}`);
    }
  }
  // Departments: a workspace's Groups (`<workspace>-<department>`) and their members from the GroupBindings.
  // A department inside another (`iam.kubesphere.io/group-parent`) is read once its parent is.
  const groups = of('Group').filter((x) => x.object.apiVersion.startsWith('iam.kubesphere.io/'));
  const parentOf = (e: ExportedObject, t: ImportedTenant): { ready: boolean; parent?: string } => {
    const p = labelsOf(e.object)['iam.kubesphere.io/group-parent'];
    const d = p === undefined ? undefined : t.departments?.find((x) => `${t.name}-${x.name}` === p);
    return { ready: p === undefined || d !== undefined, parent: d?.name };
  };
  for (let progress = true; progress; ) {
    progress = false;
    for (const e of groups) {
      const labels = labelsOf(e.object);
      const t = tenants.get(labels[WORKSPACE] ?? '');
      if (done.has(e) || !t || !e.object.metadata.name.startsWith(`${t.name}-`) || !parentOf(e, t).ready) continue;
      progress = true;
      const parent = parentOf(e, t).parent;
      const members = of('GroupBinding')
        .filter((b) => (b.object as unknown as { groupRef?: { name?: string } }).groupRef?.name === e.object.metadata.name)
        .flatMap((b) => {
          mark(b, 'typed', `a member of department ${e.object.metadata.name}`);
          return (b.object as unknown as { users?: string[] }).users ?? [];
        });
      (t.departments ??= []).push({ name: e.object.metadata.name.slice(t.name.length + 1), displayName: e.object.metadata.annotations?.['kubesphere.io/alias-name'], members: [...new Set(members)].sort(), ...(parent !== undefined ? { parent } : {}) });
      mark(e, 'typed', `department of tenant ${t.name}`);
    }
  }
  // Workspace grants: a binding of one department or one user to a built-in role of the workspace (`<workspace>-<role>`).
  for (const e of of('WorkspaceRoleBinding').filter((x) => x.object.apiVersion.startsWith('iam.kubesphere.io/'))) {
    const b = e.object as unknown as { roleRef?: { name?: string }; subjects?: { kind?: string; name?: string }[] };
    const t = tenants.get(labelsOf(e.object)[WORKSPACE] ?? '');
    const role = t && b.roleRef?.name?.startsWith(`${t.name}-`) ? b.roleRef.name.slice(t.name.length + 1) : undefined;
    const subject = b.subjects?.length === 1 ? b.subjects[0] : undefined;
    if (!t || !role || !WORKSPACE_ROLES[role] || !subject?.name) continue;
    // Self-provisioning bound on a member cluster is `allowSelfProvisioning` (lib/import/departments.ts).
    if (role === 'self-provisioner' && e.cluster !== hostName) continue;
    const department = subject.kind === 'Group' && subject.name.startsWith(`${t.name}-`) ? t.departments?.find((d) => `${t.name}-${d.name}` === subject.name) : undefined;
    if (department) (t.grants ??= []).push({ department: department.name, role });
    else if (subject.kind === 'User') (t.grants ??= []).push({ user: subject.name, role });
    else continue;
    mark(e, 'typed', `a grant of tenant ${t.name}`);
  }
  const tenant = (name: string): ImportedTenant => tenants.get(name) ?? tenants.set(name, { name, projects: [] }).get(name)!;

  // Projects: one per (tenant, project), in the environments its namespaces are in.
  const projects = new Map<string, ImportedProject>();
  for (const p of places) {
    const key = `${p.tenant}/${p.project}`;
    let project = projects.get(key);
    if (!project) {
      project = { name: p.project, environments: [], namespaces: {}, services: [], hatches: [] };
      projects.set(key, project);
      tenant(p.tenant).projects.push(project);
    }
    if (!project.environments.includes(p.environment)) project.environments.push(p.environment);
    if (p.namespace !== p.project) project.namespaces[p.environment] = p.namespace;
  }
  for (const project of projects.values()) project.environments.sort(sortEnvs);
  // An environment's namespace suffix: what every one of its namespaces adds to its project's name.
  for (const env of environments) {
    const suffixes = new Set(places.filter((p) => p.environment === env.name).map((p) => (p.namespace.startsWith(p.project) ? p.namespace.slice(p.project.length) : '\0')));
    const [suffix] = [...suffixes];
    if (suffixes.size === 1 && suffix !== '' && suffix !== '\0') env.namespaceSuffix = suffix;
  }
  for (const p of places) {
    const project = projects.get(`${p.tenant}/${p.project}`)!;
    const suffix = envByName.get(p.environment)?.namespaceSuffix ?? '';
    const base = suffix !== '' && p.namespace.endsWith(suffix) ? p.namespace.slice(0, -suffix.length) : p.namespace;
    if (base !== p.project) project.namespace = base;
  }

  const placeByNs = new Map(places.map((p) => [`${p.cluster}/${p.namespace}`, p]));
  const index: EstateIndex = {
    exported,
    place: (cluster, namespace) => placeByNs.get(`${cluster}/${namespace}`),
    places,
    environments: envByName,
    clusters,
    tenants,
  };

  // The objects of each project, environment by environment.
  for (const [key, project] of projects) {
    const projectPlaces = places.filter((p) => `${p.tenant}/${p.project}` === key);
    const byService = new Map<string, Map<string, ServiceFields>>();
    const callsByService = new Map<string, Map<string, Code>>();
    const statements = new Map<string, Code>();
    const hosts: Record<string, Record<string, string>> = {};
    const notes = new Map<string, Set<string>>();
    const hatchesByEnv = new Map<string, KubeObject[]>();
    const quotas: Record<string, Record<string, number>> = {};
    for (const place of projectPlaces) {
      const env = envByName.get(place.environment)!;
      const inNs = exported.objects.filter((e) => e.cluster === place.cluster && (e.object.metadata.namespace === place.namespace || (e.object.kind === 'Namespace' && e.object.metadata.name === place.namespace)));
      const deployments = new Set(inNs.filter((e) => e.object.kind === 'Deployment').map((e) => e.object.metadata.name));
      const placeServices = new Map<string, ServiceFields>();
      const sources = new Map<string, { deployment?: KubeObject; service?: KubeObject }>();
      const unclaimed: ExportedObject[] = [];
      // Deployments first: each claims its Service.
      const first = (e: ExportedObject): number => (e.object.kind === 'Deployment' ? 0 : 1);
      for (const e of [...inNs].sort((a, b) => first(a) - first(b))) {
        // Already accounted for with a Deployment (its Service, its ExternalSecret).
        if (done.has(e)) continue;
        const { kind, metadata } = e.object;
        const name = metadata.name;
        if (kind === 'Namespace') {
          const description = metadata.annotations?.['kubesphere.io/description'];
          if (description) project.description = description;
          mark(e, 'typed', `project ${project.name} in ${env.name}`);
        } else if (kind === 'Deployment') {
          const service = inNs.find((s) => s.object.kind === 'Service' && s.object.metadata.name === name) ?? selectingService(inNs, e.object);
          const reading = readService(e.object, service?.object, env.production);
          storeReferences(reading.fields, inNs, (x) => mark(x, 'generated', `written for service ${name} from its secret store references`));
          // The service is named like its Service (what callers use), else like the Deployment.
          const sname = service?.object.metadata.name ?? name;
          placeServices.set(sname, reading.fields);
          sources.set(sname, { deployment: e.object, service: service?.object });
          for (const n of reading.notCarried) (notes.get(sname) ?? notes.set(sname, new Set()).get(sname)!).add(`not carried: ${n}`);
          for (const [v, [secret, k]] of Object.entries(reading.fields.secrets ?? {})) (notes.get(sname) ?? notes.set(sname, new Set()).get(sname)!).add(`TODO: ${v} reads key ${k} of the Secret ${secret}: its value is not imported; the Secret must exist in the project's namespace of every environment`);
          mark(e, 'typed', `service ${project.name}/${sname}${reading.notCarried.length > 0 ? ` (not carried: ${reading.notCarried.join(', ')})` : ''}`);
          if (service) mark(service, 'typed', `ports of service ${sname}`);
        } else if (kind === 'Ingress' && deployments.has(name)) {
          const ing = readIngress(e.object);
          if (ing.host) (hosts[name] ??= {})[env.name] = ing.host;
          mark(e, 'typed', `exposure of service ${name}`);
        } else if (kind === 'ServiceAccount' && deployments.has(name)) {
          mark(e, 'generated', `written for service ${name} by default`);
        } else if (kind === 'Certificate' && e.object.apiVersion.startsWith('cert-manager.io/') && deployments.has(name.replace(/-tls$/, ''))) {
          const ref = (e.object as unknown as { spec?: { issuerRef?: { kind?: string; name?: string } } }).spec?.issuerRef;
          if (ref?.name) env.tlsIssuer = { kind: ref.kind === 'Issuer' ? 'Issuer' : 'ClusterIssuer', name: ref.name };
          mark(e, 'typed', `TLS of environment ${env.name}`);
        } else if (kind === 'ResourceQuota' && name === 'project-quota') {
          const q = readQuota(e.object);
          if (q) (quotas[env.name] = q), mark(e, 'typed', `quota of project ${project.name} in ${env.name}`);
          else mark(e, 'generated', 'written for every project by default');
        } else if ((kind === 'ResourceQuota' && name === 'project-quota') || (kind === 'LimitRange' && name === 'project-limits') || (kind === 'NetworkPolicy' && PROJECT_POLICIES.has(name))) {
          mark(e, 'generated', 'written for every project by default');
        } else {
          unclaimed.push(e);
        }
      }
      // The recognisers of lib/import/passes.ts claim what they understand.
      const ctx: NamespaceContext = {
        index,
        tenant: tenant(place.tenant),
        project,
        environment: env,
        cluster: place.cluster,
        namespace: place.namespace,
        objects: inNs,
        unclaimed: () => unclaimed.filter((x) => !done.has(x)),
        isClaimed: (x) => done.has(x),
        claim: mark,
        services: placeServices,
        sources,
        note: (service, text) => (notes.get(service) ?? notes.set(service, new Set()).get(service)!).add(text),
        carried: (service, text) => void notes.get(service)?.delete(`not carried: ${text}`),
        call: (service, k, statement) => (callsByService.get(service) ?? callsByService.set(service, new Map()).get(service)!).set(k, statement),
        statement: (k, statement) => statements.set(k, statement),
      };
      for (const pass of NAMESPACE_PASSES) pass(ctx);
      for (const [sname, fields] of placeServices) (byService.get(sname) ?? byService.set(sname, new Map()).get(sname)!).set(env.name, fields);
      for (const e of unclaimed) {
        if (done.has(e)) continue;
        (hatchesByEnv.get(env.name) ?? hatchesByEnv.set(env.name, []).get(env.name)!).push(e.object);
        mark(e, 'hatch', `project.addManifests in ${env.name}: ${e.object.kind} is not a typed part of a service`);
      }
    }
    for (const [name, byEnv] of [...byService].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const merged = mergeEnvironments(new Map([...byEnv].sort(([a], [b]) => sortEnvs(a, b))));
      const calls = [...(callsByService.get(name)?.values() ?? [])];
      const service: ImportedService = { name, common: merged.common, perEnvironment: merged.perEnvironment, hosts: hosts[name] ?? {}, notes: [...(notes.get(name) ?? [])], ...(calls.length > 0 ? { calls } : {}) };
      project.services.push(service);
    }
    if (statements.size > 0) project.statements = [...statements.values()];
    project.hatches.push(...hatchObjects(project.environments, hatchesByEnv));
    project.quota = projectQuota(project, quotas, envByName);
    // Quotas that differ between environments: the shared values as the project's quota, the rest per environment.
    if (Object.keys(quotas).length > 0) {
      const split = splitQuotas(project.environments, quotas, DEFAULT_QUOTA);
      project.quota = split.quota;
      const st = quotaStatements(projectPlaces[0].tenant, project.name, split.perEnvironment);
      if (st.length > 0) project.statements = [...st, ...(project.statements ?? [])];
    }
  }

  // The estate's recognisers (lib/import/passes.ts), on what no project claimed.
  const estateStatements: Code[] = [];
  const projectOf = (t: string, p: string): ImportedProject | undefined => tenants.get(t)?.projects.find((x) => x.name === p);
  for (const pass of ESTATE_PASSES) {
    pass({
      index,
      unclaimed: () => exported.objects.filter((x) => !done.has(x)),
      claim: mark,
      service: (t, p, name) => projectOf(t, p)?.services.find((x) => x.name === name),
      statement: (st) => estateStatements.push(st),
      platform: o.platform ?? 'imported',
    });
  }

  // What is left: cluster-scoped and system objects, carried on the cluster.
  const clusterHatches: Record<string, ImportedHatch[]> = {};
  for (const e of exported.objects) {
    if (done.has(e)) continue;
    const ns = e.object.metadata.namespace ?? (e.object.kind === 'Namespace' ? e.object.metadata.name : undefined);
    if (ns && SYSTEM_NAMESPACE.test(ns)) {
      mark(e, 'left-out', 'in a namespace of Kubernetes or KubeSphere: not part of the estate');
      continue;
    }
    // DevOps objects lib/import/pipelines.ts did not read back (a pipeline built in the console, an edited Jenkinsfile).
    if ((ns && (ns.endsWith(DEVOPS_SUFFIX) || ns === GITOPS_NAMESPACE)) || e.object.apiVersion.startsWith('devops.kubesphere.io/') || e.object.apiVersion.startsWith('gitops.kubesphere.io/')) {
      (clusterHatches[e.cluster] ??= []).push({ objects: [e.object], reason: 'DevOps objects' });
      mark(e, 'hatch', 'cluster.addManifests: a DevOps object not of the shape the library writes (a pipeline built in the console or edited, or its DevOps project): carried as it is; declare it with service.addPipeline to type it');
      continue;
    }
    if (e.object.apiVersion.includes('kubesphere.io') && /^(Workspace|GlobalRole|GlobalRoleBinding|User)$/.test(e.object.kind)) {
      mark(e, 'left-out', 'KubeSphere derives it from the WorkspaceTemplate or its own setup');
      continue;
    }
    (clusterHatches[e.cluster] ??= []).push({ objects: [e.object], reason: `${e.object.kind} is not a typed part of the model` });
    mark(e, 'hatch', 'cluster.addManifests: not a typed part of the model');
  }
  for (const [c, hs] of Object.entries(clusterHatches)) clusterHatches[c] = [{ objects: hs.flatMap((h) => h.objects), reason: 'objects of the cluster the typed model does not hold' }];

  return {
    estate: {
      platform: o.platform ?? 'imported',
      kubesphere,
      clusters,
      environments,
      tenants: [...tenants.values()].filter((t) => t.projects.length > 0 || t.manager !== undefined),
      clusterHatches,
      ...(estateStatements.length > 0 ? { statements: estateStatements } : {}),
    },
    report,
  };
}

/** A project's hatched objects: written once when every environment has the same, else per environment. */
function hatchObjects(envs: readonly string[], byEnv: ReadonlyMap<string, KubeObject[]>): ImportedHatch[] {
  const strip = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, namespace: undefined } }) as KubeObject;
  const texts = envs.map((env) => JSON.stringify((byEnv.get(env) ?? []).map(strip)));
  if (envs.length > 0 && texts.every((t) => t === texts[0]) && (byEnv.get(envs[0]) ?? []).length > 0) {
    return [{ objects: (byEnv.get(envs[0]) ?? []).map(strip), reason: 'objects the typed model does not hold, the same in every environment' }];
  }
  return envs.filter((env) => (byEnv.get(env) ?? []).length > 0).map((env) => ({ environment: env, objects: byEnv.get(env)!.map(strip), reason: `objects the typed model does not hold, in ${env}` }));
}

/** The project quota the library writes where nothing else is said (millicores, MiB, pods). */
const DEFAULT_QUOTA: Readonly<Record<string, number>> = { cpuRequestMillis: 4000, cpuLimitMillis: 8000, memoryRequestMiB: 8192, memoryLimitMiB: 16384, pods: 50 };

/** A ResourceQuota's values as a project quota, when they differ from the library's default. */
function readQuota(o: KubeObject, all = false): Record<string, number> | undefined {
  const q = quotaValues(o);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined && (all || v !== DEFAULT_QUOTA[k])) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A project's quota: the exported one where it differs from the default; else, where the project's services need
 * more than the default at their maximum scale (a surge pod per 4 replicas), that need rounded up.
 */
function projectQuota(project: ImportedProject, exported: Record<string, Record<string, number>>, envs: ReadonlyMap<string, ImportedEnvironment>): Record<string, number> | undefined {
  const given = Object.values(exported);
  // One quota for every environment: the largest of each value (an environment's own quota is quotaIn, not imported yet).
  if (given.length > 0) return Object.fromEntries([...new Set(given.flatMap((q) => Object.keys(q)))].map((k) => [k, Math.max(...given.map((q) => q[k] ?? DEFAULT_QUOTA[k]))]));
  const need: Record<string, number> = { ...DEFAULT_QUOTA };
  for (const env of project.environments) {
    const sum: Record<string, number> = { cpuRequestMillis: 0, cpuLimitMillis: 0, memoryRequestMiB: 0, memoryLimitMiB: 0, pods: 0 };
    for (const s of project.services) {
      const f = { ...s.common, ...(s.perEnvironment[env] ?? {}), resources: { ...s.common.resources, ...s.perEnvironment[env]?.resources } };
      const replicas = f.replicas ?? (envs.get(env)?.production ? 2 : 1);
      const pods = replicas + Math.ceil(replicas / 4);
      const containers = 1 + (f.sidecars?.length ?? 0);
      sum.pods += pods;
      for (const k of ['cpuRequestMillis', 'cpuLimitMillis', 'memoryRequestMiB', 'memoryLimitMiB']) sum[k] += pods * ((f.resources[k] ?? DEFAULT_RESOURCES[k]) + (containers - 1) * DEFAULT_RESOURCES[k]);
    }
    for (const [k, v] of Object.entries(sum)) {
      const step = k === 'pods' ? 10 : k.startsWith('cpu') ? 1000 : 1024;
      need[k] = Math.max(need[k], Math.ceil(v / step) * step);
    }
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(need)) if (v !== DEFAULT_QUOTA[k]) out[k] = v;
  return Object.keys(out).length > 0 ? { ...DEFAULT_QUOTA, ...out } : undefined;
}

/** The one Service whose selector picks a Deployment's pods and no other Deployment's (when its name differs). */
function selectingService(inNs: readonly ExportedObject[], d: KubeObject): ExportedObject | undefined {
  const podLabels = (o: KubeObject): Record<string, string> => (o as unknown as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec?.template?.metadata?.labels ?? {};
  const picks = (svc: KubeObject, o: KubeObject): boolean => {
    const sel = (svc as unknown as { spec?: { selector?: Record<string, string> } }).spec?.selector ?? {};
    const labels = podLabels(o);
    return Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
  };
  const deployments = inNs.filter((e) => e.object.kind === 'Deployment');
  const candidates = inNs.filter((s) => s.object.kind === 'Service' && picks(s.object, d) && deployments.filter((x) => picks(s.object, x.object)).length === 1);
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * Moves a service's Secret references that an ExternalSecret of its namespace fills (the Secret `<service>-<store>`
 * the library writes for `SecretStore.key` references) to store references, and marks that ExternalSecret as
 * written by default when the service reads every key of it.
 */
export function storeReferences(f: ServiceFields, inNs: readonly ExportedObject[], generated: (e: ExportedObject) => void): void {
  type Es = { spec?: { target?: { name?: string }; secretStoreRef?: { kind?: string; name?: string }; data?: { secretKey?: string; remoteRef?: { key?: string; property?: string } }[] } };
  const bySecret = new Map<string, ExportedObject[]>();
  for (const [, [secret]] of Object.entries(f.secrets ?? {})) {
    if (bySecret.has(secret)) continue;
    bySecret.set(secret, inNs.filter((e) => e.object.kind === 'ExternalSecret' && ((e.object as unknown as Es).spec?.target?.name ?? e.object.metadata.name) === secret));
  }
  for (const [secret, found] of bySecret) {
    if (found.length !== 1) continue;
    const spec = (found[0].object as unknown as Es).spec;
    const store = spec?.secretStoreRef;
    if (!store?.name || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(store.name) || secret !== `${secret.slice(0, secret.length - store.name.length - 1)}-${store.name}`) continue;
    const data = spec?.data ?? [];
    const read = Object.entries(f.secrets ?? {}).filter(([, [s]]) => s === secret);
    if (!read.every(([v, [, k]]) => v === k && data.some((d) => d.secretKey === k)) || data.length !== read.length) continue;
    for (const [v, [, k]] of read) {
      const d = data.find((x) => x.secretKey === k)!;
      (f.storeSecrets ??= {})[v] = { store: store.name, cluster: store.kind === 'ClusterSecretStore', remoteKey: String(d.remoteRef?.key ?? ''), property: d.remoteRef?.property };
      delete f.secrets![v];
    }
    if (Object.keys(f.secrets ?? {}).length === 0) delete f.secrets;
    generated(found[0]);
  }
}
