/**
 * The KubeKey v3 file of a cluster: the `kubekey.kubesphere.io/v1alpha2` `Cluster` that `kk create cluster -f` takes,
 * from the cluster's node plan. Every field the plan decides is written, even where it equals KubeKey's default:
 * KubeKey ignores unknown keys and silently falls back to its defaults for missing ones (the container runtime to
 * docker), so the file says what the estate means. For KubeSphere 3.4 the `ks-installer` `ClusterConfiguration`
 * follows in the same file, and `kk` installs KubeSphere after Kubernetes.
 */
import type { Cluster } from '../constructs/cluster';
import type { FeatureReason } from './install';
import { LoadBalancerKind, NetworkPlugin, NodeRole, nodesWithRole, ResolvedNodePlan, resolveNodePlan } from '../constructs/node-plan';
import { Platform, Target } from '../constructs/platform';
import { clusterConfiguration, placeholder } from './install';
import type { KubeObject } from './manifest';
import { toYamlDocument } from './yaml';
import type { JsonObject } from './yaml';

/** KubeKey's value of `controlPlaneEndpoint.internalLoadbalancer` for each kind ("" for an external one). */
const INTERNAL_LOAD_BALANCER: Record<LoadBalancerKind, string> = {
  [LoadBalancerKind.HAPROXY]: 'haproxy',
  [LoadBalancerKind.KUBE_VIP]: 'kube-vip',
  [LoadBalancerKind.EXTERNAL]: '',
};

/**
 * The KubeKey `Cluster` object of a cluster with a node plan. Throws when the cluster has none.
 * @param cluster the cluster
 */
export function kubekeyCluster(cluster: Cluster): KubeObject {
  if (!cluster.nodePlan) throw new Error(`[${cluster.node.path}] nodePlan: got nothing; a KubeKey file needs the cluster's node plan. Fix: set nodePlan on the cluster.`);
  const plan = resolveNodePlan(cluster.nodePlan);
  const ep = plan.controlPlaneEndpoint;
  const roleGroups: JsonObject = {
    etcd: nodesWithRole(plan, NodeRole.ETCD).map((n) => n.name),
    'control-plane': nodesWithRole(plan, NodeRole.CONTROL_PLANE).map((n) => n.name),
    worker: nodesWithRole(plan, NodeRole.WORKER).map((n) => n.name),
  };
  const registryNodes = nodesWithRole(plan, NodeRole.REGISTRY).map((n) => n.name);
  if (registryNodes.length > 0) roleGroups.registry = registryNodes;
  return {
    apiVersion: 'kubekey.kubesphere.io/v1alpha2',
    kind: 'Cluster',
    metadata: { name: cluster.name },
    spec: {
      hosts: plan.nodes.map((n) => ({
        name: n.name,
        address: n.address,
        internalAddress: n.internalAddress,
        port: n.port,
        user: n.user,
        privateKeyPath: n.privateKeyPath,
        arch: n.arch,
        labels: Object.keys(n.labels).length > 0 ? { ...n.labels } : undefined,
      })),
      roleGroups,
      controlPlaneEndpoint: {
        internalLoadbalancer: INTERNAL_LOAD_BALANCER[ep.loadBalancer],
        domain: ep.domain,
        externalDNS: false,
        address: ep.loadBalancer === LoadBalancerKind.HAPROXY ? '' : ep.address,
        port: ep.port,
        kubevip: ep.loadBalancer === LoadBalancerKind.KUBE_VIP ? { mode: 'ARP' } : undefined,
      },
      kubernetes: {
        version: plan.kubernetesVersion,
        clusterName: 'cluster.local',
        dnsDomain: plan.dnsDomain,
        containerManager: plan.containerRuntime,
        autoRenewCerts: true,
        proxyMode: 'ipvs',
        masqueradeAll: false,
        maxPods: 110,
        nodeCidrMaskSize: 24,
        nodelocaldns: true,
        apiserverCertExtraSans: [ep.domain, ...(ep.address !== '' ? [ep.address] : [])],
      },
      etcd: { type: 'kubekey', dataDir: '/var/lib/etcd' },
      network: network(plan),
      registry: registry(plan),
      addons: [],
    },
  };
}

function network(plan: ResolvedNodePlan): JsonObject {
  return {
    plugin: plan.networkPlugin,
    kubePodsCIDR: plan.podCidr,
    kubeServiceCIDR: plan.serviceCidr,
    calico: plan.networkPlugin === NetworkPlugin.CALICO ? { ipipMode: 'Always', vxlanMode: 'Never', vethMTU: 0 } : undefined,
    multusCNI: { enabled: false },
  };
}

function registry(plan: ResolvedNodePlan): JsonObject {
  const r = plan.registry;
  const auths: JsonObject = {};
  for (const a of r.auths ?? []) {
    auths[a.registry] = {
      username: placeholder(a.usernameEnv),
      password: placeholder(a.passwordEnv),
      skipTLSVerify: false,
      plainHTTP: false,
      certsPath: a.certsPath,
    };
  }
  return {
    privateRegistry: r.privateRegistry ?? '',
    namespaceOverride: r.namespaceOverride ?? '',
    registryMirrors: [...(r.mirrors ?? [])],
    insecureRegistries: [...(r.insecureRegistries ?? [])],
    auths: Object.keys(auths).length > 0 ? auths : undefined,
  };
}

/**
 * The text of a cluster's KubeKey file: the `Cluster`, then on KubeSphere 3.4 the `ClusterConfiguration` that `kk`
 * installs KubeSphere with.
 * @param platform the platform
 * @param cluster the cluster (with a node plan)
 * @param features the cluster's KubeSphere features (3.4's switches)
 */
export function kubekeyFile(platform: Platform, cluster: Cluster, features: readonly FeatureReason[]): string {
  const docs = [toYamlDocument(kubekeyCluster(cluster))];
  if (platform.target === Target.KUBESPHERE_V3_4) docs.push(toYamlDocument(clusterConfiguration(platform, cluster, features)));
  return docs.join('---\n');
}
