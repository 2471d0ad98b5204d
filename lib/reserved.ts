/**
 * Reserved names: the namespaces and workspace names no tenant may claim. A project whose namespace is one of
 * them would be relabelled into the tenant's workspace and its people made admin there — in `kube-system`, in
 * KubeSphere's own namespaces, in the GitOps tools' namespaces, or in a namespace the estate itself creates for
 * something else (a DevOps project, the GitOps applications, a cluster's ingress controller or Prometheus).
 *
 * The lists here are the one source of the rule: the model checks (`Project`, `Tenant`, `PreviewEnvironment`,
 * `Cluster`) read them, docs/tenancy.md shows them as a table, and the tests run every entry.
 */
import type { Platform } from '../constructs/platform';
import { derivedOnce } from './frozen-model';

/** One reserved name, or a family of names (`kube-*`), with who owns it and why. */
export interface ReservedName {
  /** The name, or a prefix followed by `*` for every name that starts with it (`kube-*`). */
  readonly name: string;
  /** Who creates it or runs there: `Kubernetes`, `KubeSphere`, `Argo CD` … */
  readonly owner: string;
  /** What it is for, in a few words. */
  readonly purpose: string;
  /**
   * Whether a cluster's ingress controller or Prometheus may run there (`Cluster.ingressNamespace`,
   * `monitoringNamespace`): system namespaces may hold them; `default` and the estate's own namespaces may not.
   */
  readonly clusterServices: boolean;
}

/**
 * The namespaces of Kubernetes, of KubeSphere (3.x and 4.x) and of the tools the output relies on. A name ending
 * in `*` stands for every namespace that starts with what comes before it.
 */
export const RESERVED_NAMESPACES: readonly ReservedName[] = [
  { name: 'default', owner: 'Kubernetes', purpose: 'where objects without a namespace land', clusterServices: false },
  { name: 'kube-system', owner: 'Kubernetes', purpose: 'the control plane and cluster add-ons', clusterServices: true },
  { name: 'kube-public', owner: 'Kubernetes', purpose: 'cluster information readable by everyone, unauthenticated too', clusterServices: false },
  { name: 'kube-node-lease', owner: 'Kubernetes', purpose: 'the nodes\' heartbeats', clusterServices: false },
  { name: 'kube-*', owner: 'Kubernetes', purpose: 'every namespace Kubernetes and its add-ons name kube-… (kube-federation-system …)', clusterServices: true },
  { name: 'kubesphere-system', owner: 'KubeSphere', purpose: 'the KubeSphere control plane (ks-apiserver, ks-controller-manager, ks-console)', clusterServices: true },
  { name: 'kubesphere-controls-system', owner: 'KubeSphere', purpose: 'KubeSphere\'s gateways and kubectl pods', clusterServices: true },
  { name: 'kubesphere-monitoring-system', owner: 'KubeSphere', purpose: 'KubeSphere\'s Prometheus, Alertmanager and exporters', clusterServices: true },
  { name: 'kubesphere-monitoring-federated', owner: 'KubeSphere', purpose: 'multi-cluster monitoring', clusterServices: true },
  { name: 'kubesphere-logging-system', owner: 'KubeSphere', purpose: 'logging, events and auditing', clusterServices: true },
  { name: 'kubesphere-devops-system', owner: 'KubeSphere', purpose: 'KubeSphere DevOps (Jenkins, the DevOps controller)', clusterServices: true },
  { name: 'kubesphere-devops-worker', owner: 'KubeSphere', purpose: 'the pods that run DevOps pipelines', clusterServices: true },
  { name: 'kubesphere-alerting-system', owner: 'KubeSphere', purpose: 'alerting (KubeSphere 3.0)', clusterServices: true },
  { name: 'kubesphere-federated-system', owner: 'KubeSphere', purpose: 'multi-cluster federation', clusterServices: true },
  { name: 'kubesphere-*', owner: 'KubeSphere', purpose: 'every namespace KubeSphere names kubesphere-…', clusterServices: true },
  { name: 'extension-*', owner: 'KubeSphere', purpose: 'the namespaces KubeSphere 4.x installs its extensions in (extension-…)', clusterServices: true },
  { name: 'kubekey-system', owner: 'KubeKey', purpose: 'the installer\'s cluster objects', clusterServices: true },
  { name: 'istio-system', owner: 'KubeSphere service mesh (Istio)', purpose: 'the mesh control plane and gateways', clusterServices: true },
  { name: 'kubeedge', owner: 'KubeSphere edge nodes (KubeEdge)', purpose: 'CloudCore', clusterServices: true },
  { name: 'openpitrix-system', owner: 'KubeSphere', purpose: 'the App Store (KubeSphere 3.0 and 3.1)', clusterServices: true },
  { name: 'argocd', owner: 'Argo CD', purpose: 'Argo CD, which KubeSphere GitOps and GitOpsTool.ARGO_CD use; its Applications deploy every namespace', clusterServices: false },
  { name: 'flux-system', owner: 'Flux', purpose: 'Flux, which GitOpsTool.FLUX uses; its Kustomizations deploy every namespace', clusterServices: false },
  { name: 'cert-manager', owner: 'cert-manager', purpose: 'the issuer of the certificates of exposed services', clusterServices: false },
  { name: 'external-secrets', owner: 'External Secrets Operator', purpose: 'the controller that fills Secrets from secret stores', clusterServices: false },
];

/** Workspace names no tenant may take: KubeSphere's own. */
export const RESERVED_WORKSPACES: readonly ReservedName[] = [
  { name: 'system-workspace', owner: 'KubeSphere', purpose: 'the workspace of KubeSphere\'s and Kubernetes\' system namespaces', clusterServices: false },
];

/** The namespace of the platform's GitOps applications (a KubeSphere DevOps project; see `lib/delivery.ts`). */
export const GITOPS_NAMESPACE = 'platform-gitops';

/** The suffix of a tenant's DevOps project and namespace (`<tenant>-devops`). */
export const DEVOPS_SUFFIX = '-devops';

/** A reserved name a given name falls under, and what makes it reserved. */
export interface Reservation {
  /** The entry matched (its `name` is the pattern, e.g. `kube-*`). */
  readonly entry: ReservedName;
  /** The cluster it belongs to, for a cluster's ingress or monitoring namespace. */
  readonly cluster?: string;
  /** The tenant it belongs to, for a tenant's DevOps namespace. */
  readonly tenant?: string;
  /** `ingressNamespace` or `monitoringNamespace`, for a cluster's namespace. */
  readonly clusterProperty?: 'ingressNamespace' | 'monitoringNamespace';
}

/** Whether a name is a reserved entry's name or falls under its `prefix-*` pattern. */
export function matchesReserved(entry: ReservedName, name: string): boolean {
  return entry.name.endsWith('*') ? name.startsWith(entry.name.slice(0, -1)) : name === entry.name;
}

function firstMatch(list: readonly ReservedName[], name: string): ReservedName | undefined {
  // An exact entry says more than a pattern: `kube-system` before `kube-*`.
  return list.find((e) => !e.name.endsWith('*') && e.name === name) ?? list.find((e) => matchesReserved(e, name));
}

/**
 * The entry of `RESERVED_NAMESPACES` a namespace falls under, if any (the estate's own namespaces are not in it:
 * see `estateNamespaceReservation`).
 * @param name a namespace name
 */
export function reservedNamespace(name: string): ReservedName | undefined {
  return typeof name === 'string' ? firstMatch(RESERVED_NAMESPACES, name) : undefined;
}

/**
 * What a tenant (workspace) name falls under: a reserved workspace name, a reserved namespace (a workspace named
 * like a system namespace is refused too, so that labels and the console never mix tenants with the system), or
 * the platform's GitOps namespace.
 * @param name a tenant's name
 */
export function reservedTenantName(name: string): ReservedName | undefined {
  if (typeof name !== 'string') return undefined;
  if (name === GITOPS_NAMESPACE) return gitopsEntry();
  return firstMatch(RESERVED_WORKSPACES, name) ?? firstMatch(RESERVED_NAMESPACES, name);
}

function gitopsEntry(): ReservedName {
  return { name: GITOPS_NAMESPACE, owner: 'platform-cdk', purpose: 'the KubeSphere DevOps project of the GitOps applications that sync every cluster', clusterServices: false };
}

function devopsEntry(tenant: string): ReservedName {
  return { name: `<tenant>${DEVOPS_SUFFIX}`, owner: 'platform-cdk', purpose: `the KubeSphere DevOps project of tenant ${tenant} (its pipelines and credentials)`, clusterServices: false };
}

/**
 * The names the estate itself creates or relies on, besides the fixed lists: `platform-gitops`, every tenant's
 * `<tenant>-devops`, and each cluster's `ingressNamespace` and `monitoringNamespace`.
 * @param platform the platform
 */
export function estateNamespaces(platform: Platform): Map<string, Reservation> {
  // Every project, cluster and preview asks for it while the model is validated: found once then (a map that is not
  // to be changed), afresh outside.
  return derivedOnce(platform, ESTATE_NAMESPACES, findEstateNamespaces);
}

/** The key of the estate's namespaces among what the model derives once while frozen (`derivedOnce`). */
const ESTATE_NAMESPACES = {};

function findEstateNamespaces(platform: Platform): Map<string, Reservation> {
  const out = new Map<string, Reservation>();
  out.set(GITOPS_NAMESPACE, { entry: gitopsEntry() });
  for (const t of platform.tenants) if (typeof t.name === 'string') out.set(`${t.name}${DEVOPS_SUFFIX}`, { entry: devopsEntry(t.name), tenant: t.name });
  for (const c of platform.clusters) {
    for (const property of ['ingressNamespace', 'monitoringNamespace'] as const) {
      const ns = c[property];
      if (typeof ns !== 'string' || out.has(ns)) continue;
      const what = property === 'ingressNamespace' ? 'ingress controller, admitted to every tenant\'s exposed ports' : 'Prometheus, admitted to every tenant\'s metrics ports';
      out.set(ns, { entry: { name: ns, owner: `cluster ${c.name}`, purpose: `the cluster's ${what} (${property})`, clusterServices: true }, cluster: c.name, clusterProperty: property });
    }
  }
  return out;
}

/**
 * Why a namespace may not be a tenant's: the entry of the fixed list it falls under, else the estate's own
 * namespace it is; `undefined` when a tenant may have it.
 * @param platform the platform
 * @param name the namespace
 * @param estate the estate's namespaces, when the caller has them already
 */
export function namespaceReservation(platform: Platform, name: string, estate: Map<string, Reservation> = estateNamespaces(platform)): Reservation | undefined {
  const fixed = reservedNamespace(name);
  if (fixed) return { entry: fixed };
  return estate.get(name);
}

/**
 * The problem's message for a reserved namespace: whose it is and why a tenant may not take it.
 * @internal
 * @param name the namespace
 * @param r the reservation
 */
export function reservationMessage(name: string, r: Reservation): string {
  const family = r.entry.name.endsWith('*') ? ` (${r.entry.name})` : '';
  return `namespace ${name} is reserved${family}: ${r.entry.purpose}, owned by ${r.entry.owner}; a project there would relabel it into the tenant's workspace and make the tenant's people admin of it`;
}

