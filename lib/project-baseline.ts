/**
 * What every project namespace gets besides its workloads, whatever the target: a ResourceQuota and a
 * LimitRange from its quota and its environment's defaults, and network policies that deny everything but
 * DNS, traffic inside the tenant, and the ingress controller's traffic to exposed services.
 */
import type { AppService } from '../constructs/app-service';
import type { ProjectPlacement } from '../constructs/project';
import { mergeResources, renderQuotaHard } from '../constructs/resources';
import { Platform } from '../constructs/platform';
import { PreviewEnvironment, PreviewLabels } from '../constructs/preview';
import { TenantNetwork } from '../constructs/tenant';
import { KubeObject, LabelKeys } from './manifest';
import { projectLabels, selectorOf } from './workloads';

/** The names of the objects every project namespace gets. */
export const BaselineNames = {
  /** The ResourceQuota. */
  QUOTA: 'project-quota',
  /** The LimitRange. */
  LIMITS: 'project-limits',
  /** The policy that denies all ingress and egress not allowed by another policy. */
  DEFAULT_DENY: 'default-deny',
  /** The policy that allows DNS lookups. */
  ALLOW_DNS: 'allow-dns',
  /** The policy that allows traffic between the namespaces of one tenant. */
  ALLOW_TENANT: 'allow-same-tenant',
  /** The policy that lets the ingress controller reach exposed services. */
  ALLOW_INGRESS: 'allow-ingress-controller',
  /** The policy that lets the cluster's Prometheus reach metrics ports. */
  ALLOW_MONITORING: 'allow-monitoring',
  /** The policy that lets the ingress controller reach cert-manager's HTTP-01 solver pods. */
  ALLOW_ACME_SOLVER: 'allow-acme-http01-solver',
} as const;

import { NAMESPACE_NAME_LABEL } from './connections';

/**
 * The baseline of a namespace where the estate writes objects but runs no pod: a quota of no pods, a limit range
 * and a default-deny policy, so that it is as closed as the tenancy baseline asks of every namespace. The
 * namespaces of KubeSphere DevOps projects (`<tenant>-devops`, `platform-gitops`) get it — their pipelines run in
 * KubeSphere's `kubesphere-devops-worker` and their applications are synced by Argo CD in `argocd`, so nothing
 * runs there — and on KubeSphere 3.4 the host's copy of a multi-cluster project.
 * @param namespace the namespace
 * @param labels the labels of the objects
 */
export function renderClosedNamespaceBaseline(namespace: string, labels: Record<string, string>): KubeObject[] {
  const metadata = (name: string): KubeObject['metadata'] => ({ name, namespace, labels: { ...labels } });
  return [
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: metadata(BaselineNames.QUOTA), spec: { hard: { pods: '0' } } },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: metadata(BaselineNames.LIMITS),
      spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '10m', memory: '16Mi' }, default: { cpu: '10m', memory: '16Mi' } }] },
    },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(BaselineNames.DEFAULT_DENY), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
  ];
}

/**
 * The quota, limit range and network policies of one project namespace.
 * @param placement the namespace, environment and cluster
 */
export function renderProjectBaseline(placement: ProjectPlacement): KubeObject[] {
  const { project, environment, cluster, namespace } = placement;
  const labels = projectLabels(placement);
  const metadata = (name: string): KubeObject['metadata'] => ({ name, namespace, labels });
  const quota = project.quotaFor(environment);
  const defaults = mergeResources(Platform.of(project).defaultResources, environment.resources);
  // The tenant's namespaces of this environment's kind: a baseline namespace admits its tenant's baseline namespaces
  // and never a preview's (preview namespaces carry the tenant label too); a preview's admits its own preview's only.
  // What crosses between a preview and its baseline is the declared connections' per-port policies.
  const tenantSelector = PreviewEnvironment.isPreview(environment)
    ? { matchLabels: { [LabelKeys.TENANT]: project.tenant.name, [PreviewLabels.PREVIEW]: environment.slug } }
    : { matchLabels: { [LabelKeys.TENANT]: project.tenant.name }, matchExpressions: [{ key: PreviewLabels.PREVIEW, operator: 'DoesNotExist' }] };

  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: metadata(BaselineNames.QUOTA),
      spec: {
        hard: renderQuotaHard(quota),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: metadata(BaselineNames.LIMITS),
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: `${defaults.cpuRequestMillis}m`, memory: `${defaults.memoryRequestMiB}Mi` },
            default: { cpu: `${defaults.cpuLimitMillis}m`, memory: `${defaults.memoryLimitMiB}Mi` },
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(BaselineNames.DEFAULT_DENY),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      // Port 53 to any address: clusters installed by KubeKey answer DNS from a node-local cache on a link-local
      // address, which a pod or namespace selector would not match.
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(BaselineNames.ALLOW_DNS),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
      },
    },
  ];

  if (project.tenant.network !== TenantNetwork.DECLARED_PATHS_ONLY) {
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(BaselineNames.ALLOW_TENANT),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: tenantSelector }] }],
        egress: [{ to: [{ namespaceSelector: tenantSelector }] }],
      },
    });
  }

  // One pass over the namespace's services: which are exposed (a covering exposure with a host and a port), the
  // ports the ingress controller reaches on them (every covering exposure's), and whether cert-manager solves
  // HTTP-01 challenges here (a covering exposure with its TLS).
  const services = project.servicesIn(environment);
  const exposed: AppService[] = [];
  const ingressPorts = new Map<string, { protocol: string; port: number }>();
  let acme = false;
  for (const s of services) {
    let reachable = false;
    for (const x of s.exposures) {
      if (!x.covers(environment)) continue;
      if (!reachable && x.hostIn(environment) !== undefined && x.port) reachable = true;
      if (!acme && x.tlsIn(environment)?.kind === 'cert-manager') acme = true;
    }
    if (!reachable) continue;
    exposed.push(s);
    for (const x of s.exposures) {
      const p = x.covers(environment) ? x.port : undefined;
      if (p) ingressPorts.set(`${p.protocol}/${p.containerPort}`, { protocol: p.protocol, port: p.containerPort });
    }
  }
  if (exposed.length > 0) {
    const ports = ingressPorts;
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(BaselineNames.ALLOW_INGRESS),
      spec: {
        podSelector: {
          matchExpressions: [{ key: LabelKeys.NAME, operator: 'In', values: exposed.map((s) => selectorOf(s)[LabelKeys.NAME]).sort() }],
        },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: cluster.ingressNamespace } } }],
            ports: [...ports.keys()].sort().map((k) => ports.get(k) as { protocol: string; port: number }),
          },
        ],
      },
    });
  }
  // cert-manager answers HTTP-01 challenges from a solver pod in the Certificate's namespace, reached through the
  // ingress controller on port 8089.
  if (acme) {
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(BaselineNames.ALLOW_ACME_SOLVER),
      spec: {
        podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: cluster.ingressNamespace } } }], ports: [{ protocol: 'TCP', port: 8089 }] }],
      },
    });
  }
  const scraped = services.filter((s) => s.metrics && s.findPort(s.metrics.port));
  if (scraped.length > 0) {
    const ports = new Map<string, { protocol: string; port: number }>();
    for (const s of scraped) {
      const p = s.findPort(s.metrics?.port);
      if (p) ports.set(`${p.protocol}/${p.containerPort}`, { protocol: p.protocol, port: p.containerPort });
    }
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata(BaselineNames.ALLOW_MONITORING),
      spec: {
        podSelector: { matchExpressions: [{ key: LabelKeys.NAME, operator: 'In', values: scraped.map((s) => s.name).sort() }] },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: cluster.monitoringNamespace } } }],
            ports: [...ports.keys()].sort().map((k) => ports.get(k) as { protocol: string; port: number }),
          },
        ],
      },
    });
  }
  return objects;
}
