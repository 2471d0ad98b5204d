/**
 * The delivery objects: KubeSphere DevOps projects and pipelines (on the host), the GitOps object that syncs each
 * cluster's folder of the output with pruning, and the GitLab CI files of the modules.
 */
import type { Cluster } from '../constructs/cluster';
import type { Department } from '../constructs/department';
import { CiSystem, GitOpsTool } from '../constructs/delivery';
import type { Pipeline } from '../constructs/pipeline';
import { Platform, Target } from '../constructs/platform';
import type { Tenant } from '../constructs/tenant';
import { CONTROLLER_MANAGED_FIELDS } from './controller-fields';
import { KubeObject, LabelKeys, MANAGED_BY } from './manifest';
import { renderClosedNamespaceBaseline } from './project-baseline';
import { externalScalingIgnoreDifferences } from './scaling';
import { resolveDelivery } from './pipelines/common';
import { DEVOPS_SUFFIX, GITOPS_NAMESPACE } from './reserved';
import { renderGitlabCi } from './pipelines/gitlab-ci';
import { renderJenkinsfile } from './pipelines/jenkinsfile';
import type { JsonObject } from './yaml';

/** The folder of the output that holds the GitLab CI files (no cluster can have this name). */
export const GITLAB_CI_FOLDER = '_gitlab-ci';

/** The name of a tenant's DevOps project (and of its namespace). */
export function devopsProjectName(tenant: Tenant): string {
  return `${tenant.name}${DEVOPS_SUFFIX}`;
}

/** The DevOps project of the platform's GitOps applications (KubeSphere GitOps); a reserved namespace. */
export const GITOPS_PROJECT = GITOPS_NAMESPACE;

/** The CI systems of a platform's pipelines, with the target's default. */
export function ciSystems(platform: Platform): CiSystem[] {
  const d = platform.delivery;
  if (!d) return [];
  return d.ci ?? [platform.target === Target.KUBERNETES ? CiSystem.GITLAB_CI : CiSystem.KUBESPHERE_DEVOPS];
}

/** The GitOps tool of a platform, with the target's default; `undefined` when it does not deploy through GitOps. */
export function gitopsTool(platform: Platform): GitOpsTool | undefined {
  const d = platform.delivery;
  if (!d || (d.deployMethod !== undefined && d.deployMethod !== 'gitops')) return undefined;
  return d.gitops ?? (platform.target === Target.KUBERNETES ? GitOpsTool.ARGO_CD : GitOpsTool.KUBESPHERE);
}

/** Every release pipeline of a platform, by tenant, project and module. */
export function pipelinesOf(platform: Platform): Pipeline[] {
  return platform.tenants.flatMap((t) => t.projects.flatMap((p) => p.pipelines));
}

function labels(extra: Record<string, string> = {}): Record<string, string> {
  return { [LabelKeys.MANAGED_BY]: MANAGED_BY, ...extra };
}

/**
 * The KubeSphere DevOps objects, written to the host cluster: a `DevOpsProject` per tenant with pipelines and a
 * `Pipeline` with its Jenkinsfile per module.
 * @param platform the platform
 */
export function devopsObjects(platform: Platform): { tenant: Tenant; objects: KubeObject[] }[] {
  if (!ciSystems(platform).includes(CiSystem.KUBESPHERE_DEVOPS)) return [];
  const out: { tenant: Tenant; objects: KubeObject[] }[] = [];
  for (const tenant of platform.tenants) {
    const pipelines = tenant.projects.flatMap((p) => p.pipelines);
    if (pipelines.length === 0) continue;
    const name = devopsProjectName(tenant);
    const objects: KubeObject[] = [
      {
        apiVersion: 'devops.kubesphere.io/v1alpha3',
        kind: 'DevOpsProject',
        metadata: { name, labels: labels({ 'kubesphere.io/workspace': tenant.name, [LabelKeys.TENANT]: tenant.name }), annotations: { 'kubesphere.io/description': `Release pipelines of tenant ${tenant.name}` } },
        spec: {},
      },
      // KubeSphere creates the namespace; nothing of the estate runs there (pipelines run in kubesphere-devops-worker).
      ...renderClosedNamespaceBaseline(name, labels({ [LabelKeys.TENANT]: tenant.name })),
    ];
    // Who may run and approve: the operator role of the DevOps project, bound to departments (KubeSphere groups).
    const operators = new Map<string, Department>();
    for (const p of pipelines) for (const d of [...(p.props.approval ? [p.props.approval.approvers] : []), ...(p.props.operators ?? [])]) operators.set(d.subjectName, d);
    for (const group of [...operators.keys()].sort()) {
      objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${group}-operator`, namespace: name, labels: labels({ [LabelKeys.TENANT]: tenant.name, 'iam.kubesphere.io/group-ref': group }) },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'operator' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
      });
    }
    for (const p of pipelines) {
      objects.push({
        apiVersion: 'devops.kubesphere.io/v1alpha3',
        kind: 'Pipeline',
        metadata: { name: p.module, namespace: name, labels: labels({ [LabelKeys.TENANT]: tenant.name, [LabelKeys.PART_OF]: p.project.name, [LabelKeys.NAME]: p.module }) },
        spec: {
          type: 'pipeline',
          pipeline: {
            name: p.module,
            description: `Release pipeline of ${p.releaseKey}`,
            disable_concurrent: true,
            discarder: { days_to_keep: '-1', num_to_keep: '30' },
            jenkinsfile: renderJenkinsfile(p),
          },
        },
      });
    }
    out.push({ tenant, objects });
  }
  return out;
}

/** Argo CD `ignoreDifferences` for the fields KubeSphere's controllers own. */
function ignoreDifferences(): JsonObject[] {
  return CONTROLLER_MANAGED_FIELDS.map((f) => ({
    group: f.group,
    kind: f.kind,
    jsonPointers: f.paths.map((p) => {
      const m = /^metadata\.annotations\["(.+)"\]$/.exec(p);
      return m ? `/metadata/annotations/${m[1].replace(/~/g, '~0').replace(/\//g, '~1')}` : `/${p.split('.').join('/')}`;
    }),
  }));
}

function nonEmptyList(list: JsonObject[]): JsonObject[] | undefined {
  return list.length > 0 ? list : undefined;
}

function argoSpec(platform: Platform, cluster: Cluster, project: string, destination: JsonObject): JsonObject {
  const d = resolveDelivery(platform);
  return {
    project,
    source: { repoURL: d.options.estate.repository, targetRevision: d.branch, path: `${d.outdir}/${cluster.name}`, directory: { recurse: false } },
    destination,
    syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'RespectIgnoreDifferences=true'], retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } } },
    ignoreDifferences: nonEmptyList([...(platform.target === Target.KUBERNETES ? [] : ignoreDifferences()), ...externalScalingIgnoreDifferences(platform, cluster)]),
  };
}

/**
 * The GitOps objects of the host: KubeSphere GitOps `Application`s, one per cluster, in the platform's GitOps
 * DevOps project (KubeSphere targets with `GitOpsTool.KUBESPHERE`).
 * @param platform the platform
 */
export function hostGitopsObjects(platform: Platform): KubeObject[] {
  if (gitopsTool(platform) !== GitOpsTool.KUBESPHERE) return [];
  const objects: KubeObject[] = [
    {
      apiVersion: 'devops.kubesphere.io/v1alpha3',
      kind: 'DevOpsProject',
      metadata: { name: GITOPS_PROJECT, labels: labels(), annotations: { 'kubesphere.io/description': 'GitOps applications that sync each cluster\'s folder of the platform output' } },
      spec: {},
    },
    // KubeSphere creates the namespace; Argo CD, in its own namespace, syncs the applications: no pod runs here.
    ...renderClosedNamespaceBaseline(GITOPS_PROJECT, labels()),
  ];
  for (const cluster of [...platform.clusters].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    objects.push({
      apiVersion: 'gitops.kubesphere.io/v1alpha1',
      kind: 'Application',
      metadata: { name: cluster.name, namespace: GITOPS_PROJECT, labels: labels({ 'gitops.kubesphere.io/save-status': 'true' }) },
      spec: { kind: 'argocd', argoApp: { spec: argoSpec(platform, cluster, GITOPS_PROJECT, { name: cluster.name, namespace: 'default' }) } },
    });
  }
  return objects;
}

/**
 * A Git URL as Flux's `GitRepository` takes it (`http://`, `https://` or `ssh://`): the scp-like form Git also
 * accepts, `user@host:group/project.git`, becomes `ssh://user@host/group/project.git`; other URLs are kept.
 * @param url a repository URL the model accepted
 */
export function fluxGitUrl(url: string): string {
  const scp = /^([A-Za-z0-9._-]+@[A-Za-z0-9.-]+):(?!\/)([^\s]+)$/.exec(url);
  return scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? `ssh://${scp[1]}/${scp[2]}` : url;
}

/**
 * The GitOps objects in a cluster's own folder: an Argo CD `Application`, or a Flux `GitRepository` and
 * `Kustomization`, that sync the folder with pruning.
 * @param platform the platform
 * @param cluster the cluster
 */
export function clusterGitopsObjects(platform: Platform, cluster: Cluster): KubeObject[] {
  const tool = gitopsTool(platform);
  if (tool !== GitOpsTool.ARGO_CD && tool !== GitOpsTool.FLUX) return [];
  const d = resolveDelivery(platform);
  const name = `platform-${cluster.name}`;
  if (tool === GitOpsTool.ARGO_CD) {
    return [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name, namespace: 'argocd', labels: labels(), finalizers: ['resources-finalizer.argocd.argoproj.io'] },
        spec: argoSpec(platform, cluster, 'default', { server: 'https://kubernetes.default.svc' }),
      },
    ];
  }
  return [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'platform', namespace: 'flux-system', labels: labels() },
      spec: { url: fluxGitUrl(d.options.estate.repository), ref: { branch: d.branch }, interval: '1m', secretRef: { name: d.options.estate.credential.id } },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name, namespace: 'flux-system', labels: labels() },
      spec: { path: `./${d.outdir}/${cluster.name}`, prune: true, wait: false, interval: '5m', retryInterval: '1m', timeout: '5m', sourceRef: { kind: 'GitRepository', name: 'platform' } },
    },
  ];
}

/**
 * The GitLab CI files of the platform's pipelines, by path in the output: `_gitlab-ci/<tenant>/<module>.gitlab-ci.yml`.
 * @param platform the platform
 */
export function gitlabCiFiles(platform: Platform): Map<string, string> {
  const out = new Map<string, string>();
  if (!ciSystems(platform).includes(CiSystem.GITLAB_CI)) return out;
  for (const p of pipelinesOf(platform)) out.set(`${GITLAB_CI_FOLDER}/${p.project.tenant.name}/${p.module}.gitlab-ci.yml`, renderGitlabCi(p));
  return out;
}

