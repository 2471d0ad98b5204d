/**
 * A cluster's node plan: the machines KubeKey builds the cluster on, their roles, the control-plane endpoint, the
 * Kubernetes version, container runtime and network, and the image registry. It is recorded on a `Cluster`
 * (`ClusterProps.nodePlan`) and written as KubeKey's `Cluster` file (`lib/kubekey.ts`).
 *
 * Secrets never enter the plan: a node names the *path* of its SSH private key on the machine that runs `kk`,
 * never a password or the key itself, and registry credentials are names of environment variables that the
 * installing pipeline sets.
 */
import { checkDns1123Label, checkDns1123Subdomain, checkEnvVarName, checkLabelKey, checkLabelValue } from '../lib/names';
import { checkRegistryHost } from '../lib/values';
import type { ProblemCollector } from '../lib/problems';

/** What a node does in the cluster. A node may have several roles (KubeKey's `roleGroups`). */
export enum NodeRole {
  /** Runs kube-apiserver, the scheduler and the controller manager. */
  CONTROL_PLANE = 'control-plane',
  /** A member of the etcd cluster. */
  ETCD = 'etcd',
  /** Runs workloads: kubelet, kube-proxy, the container runtime. */
  WORKER = 'worker',
  /** Runs the private image registry KubeKey installs (`kk init registry`). */
  REGISTRY = 'registry',
}

/** A node's CPU architecture. */
export enum NodeArch {
  /** x86-64. */
  AMD64 = 'amd64',
  /** 64-bit ARM. */
  ARM64 = 'arm64',
}

/** The load balancer in front of the kube-apiservers. */
export enum LoadBalancerKind {
  /** An haproxy on every worker (KubeKey's internal load balancer); the endpoint has a domain and no address. */
  HAPROXY = 'haproxy',
  /** A virtual IP held by kube-vip on the control-plane nodes; the endpoint's address is that VIP. */
  KUBE_VIP = 'kube-vip',
  /** A load balancer outside the cluster (hardware or cloud) at the endpoint's address. */
  EXTERNAL = 'external',
}

/** The container runtime of every node (KubeKey's `containerManager`). */
export enum ContainerRuntime {
  /** containerd (KubeKey falls back to docker when none is written). */
  CONTAINERD = 'containerd',
  /** Docker with cri-dockerd. */
  DOCKER = 'docker',
  /** CRI-O. */
  CRIO = 'crio',
  /** iSulad. */
  ISULA = 'isula',
}

/** The pod network (CNI) plugin. */
export enum NetworkPlugin {
  /** Calico (what KubeSphere's network isolation and IP pools build on). */
  CALICO = 'calico',
  /** Flannel. */
  FLANNEL = 'flannel',
  /** Cilium. */
  CILIUM = 'cilium',
  /** Kube-OVN. */
  KUBE_OVN = 'kubeovn',
}

/** One machine of the cluster. */
export interface NodeSpec {
  /** The node's name, as Kubernetes knows it (a DNS-1123 label, e.g. `kp-master01`). */
  readonly name: string;
  /** The address `kk` reaches the node at over SSH. */
  readonly address: string;
  /**
   * The address the cluster's components use to talk to each other.
   * @default - the address
   */
  readonly internalAddress?: string;
  /** The roles of the node: at least one. */
  readonly roles: readonly NodeRole[];
  /**
   * The SSH user.
   * @default - the plan's `sshUser`
   */
  readonly user?: string;
  /**
   * The SSH port.
   * @default 22
   */
  readonly port?: number;
  /**
   * The path of the SSH private key on the machine that runs `kk` (e.g. `~/.ssh/id_ed25519`). Never the key itself,
   * and never a password: those are refused.
   * @default - the plan's `privateKeyPath`
   */
  readonly privateKeyPath?: string;
  /**
   * The CPU architecture.
   * @default NodeArch.AMD64
   */
  readonly arch?: NodeArch;
  /**
   * Kubernetes labels KubeKey puts on the node.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Where clients reach the kube-apiservers. */
export interface ControlPlaneEndpointSpec {
  /**
   * The endpoint's domain name (in the API server certificate; KubeKey writes it into every node's hosts file).
   * @default "lb.kubesphere.local"
   */
  readonly domain?: string;
  /**
   * The load balancer's address: the VIP for kube-vip, the external load balancer's address for an external one;
   * none for haproxy (KubeKey refuses one).
   * @default - none
   */
  readonly address?: string;
  /**
   * The load balancer in front of the API servers.
   * @default LoadBalancerKind.EXTERNAL when an address is set, else LoadBalancerKind.HAPROXY
   */
  readonly loadBalancer?: LoadBalancerKind;
  /**
   * The API server port.
   * @default 6443
   */
  readonly port?: number;
}

/**
 * Credentials of an image registry, by reference: the names of the environment variables that hold the user name
 * and password when `kk` runs. The KubeKey file carries `${VARIABLE}` placeholders, never the values.
 */
export interface RegistryAuthSpec {
  /** The registry's host, e.g. `harbor.example.com`. */
  readonly registry: string;
  /** The environment variable holding the user name, e.g. `HARBOR_USERNAME`. */
  readonly usernameEnv: string;
  /** The environment variable holding the password, e.g. `HARBOR_PASSWORD`. */
  readonly passwordEnv: string;
  /**
   * The folder of the registry's CA certificate on every node.
   * @default - the system's trust store
   */
  readonly certsPath?: string;
}

/** Where the nodes pull images from. */
export interface NodeRegistrySpec {
  /**
   * The private registry every system image is pulled from (an air-gapped or mirrored estate), e.g.
   * `harbor.example.com`.
   * @default - the public registries
   */
  readonly privateRegistry?: string;
  /**
   * The project (namespace) of the private registry that holds the system images.
   * @default - the images' own namespaces
   */
  readonly namespaceOverride?: string;
  /**
   * Registry mirrors (URLs) of the container runtime.
   * @default - none
   */
  readonly mirrors?: readonly string[];
  /**
   * Registries reached over plain HTTP or without verifying their certificate.
   * @default - none
   */
  readonly insecureRegistries?: readonly string[];
  /**
   * Credentials, by reference.
   * @default - none
   */
  readonly auths?: readonly RegistryAuthSpec[];
}

/** A cluster's node plan, from which its KubeKey file is written. */
export interface NodePlan {
  /** The nodes. */
  readonly nodes: readonly NodeSpec[];
  /** The Kubernetes version, e.g. `v1.27.16`. */
  readonly kubernetesVersion: string;
  /**
   * Where clients reach the API servers. Required with two or more control-plane nodes.
   * @default - the first control-plane node, at "lb.kubesphere.local"
   */
  readonly controlPlaneEndpoint?: ControlPlaneEndpointSpec;
  /**
   * The container runtime.
   * @default ContainerRuntime.CONTAINERD
   */
  readonly containerRuntime?: ContainerRuntime;
  /**
   * The pod network plugin.
   * @default NetworkPlugin.CALICO
   */
  readonly networkPlugin?: NetworkPlugin;
  /**
   * The pods' address range.
   * @default "10.233.64.0/18"
   */
  readonly podCidr?: string;
  /**
   * The services' address range.
   * @default "10.233.0.0/18"
   */
  readonly serviceCidr?: string;
  /**
   * The cluster's DNS domain.
   * @default "cluster.local"
   */
  readonly dnsDomain?: string;
  /**
   * The SSH user of nodes that name none.
   * @default "root"
   */
  readonly sshUser?: string;
  /**
   * The SSH private key path of nodes that name none.
   * @default "~/.ssh/id_rsa" (of the machine that runs `kk`)
   */
  readonly privateKeyPath?: string;
  /**
   * Where the nodes pull images from.
   * @default - the public registries
   */
  readonly registry?: NodeRegistrySpec;
}

/** A node plan with every default applied. */
export interface ResolvedNodePlan {
  /** The nodes, with user, port, internal address and architecture resolved. */
  readonly nodes: readonly ResolvedNode[];
  /** The Kubernetes version. */
  readonly kubernetesVersion: string;
  /** The control-plane endpoint. */
  readonly controlPlaneEndpoint: ResolvedEndpoint;
  /** The container runtime. */
  readonly containerRuntime: ContainerRuntime;
  /** The network plugin. */
  readonly networkPlugin: NetworkPlugin;
  /** The pod CIDR. */
  readonly podCidr: string;
  /** The service CIDR. */
  readonly serviceCidr: string;
  /** The DNS domain. */
  readonly dnsDomain: string;
  /** The registry settings. */
  readonly registry: NodeRegistrySpec;
}

/** A control-plane endpoint with every default applied. */
export interface ResolvedEndpoint {
  /** The endpoint's domain name. */
  readonly domain: string;
  /** The load balancer's address, or "" (haproxy, or no endpoint: KubeKey then uses the first control-plane node's). */
  readonly address: string;
  /** The load balancer in front of the API servers. */
  readonly loadBalancer: LoadBalancerKind;
  /** The API server port. */
  readonly port: number;
}

/** A node with every default applied. */
export interface ResolvedNode {
  /** The node's name. */
  readonly name: string;
  /** Its SSH address. */
  readonly address: string;
  /** Its internal address. */
  readonly internalAddress: string;
  /** Its roles. */
  readonly roles: readonly NodeRole[];
  /** The SSH user. */
  readonly user: string;
  /** The SSH port. */
  readonly port: number;
  /** The SSH private key path. */
  readonly privateKeyPath: string;
  /** The architecture. */
  readonly arch: NodeArch;
  /** Kubernetes labels. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The default pod CIDR (KubeKey's). */
export const DEFAULT_POD_CIDR = '10.233.64.0/18';
/** The default service CIDR (KubeKey's). */
export const DEFAULT_SERVICE_CIDR = '10.233.0.0/18';
/** The default control-plane domain (KubeKey's). */
export const DEFAULT_CONTROL_PLANE_DOMAIN = 'lb.kubesphere.local';

/**
 * Applies a node plan's defaults.
 * @param plan the plan as given
 */
export function resolveNodePlan(plan: NodePlan): ResolvedNodePlan {
  const endpoint = plan.controlPlaneEndpoint ?? {};
  const address = endpoint.address ?? '';
  const nodes = (plan.nodes ?? []).map((n): ResolvedNode => ({
    name: n.name,
    address: n.address,
    internalAddress: n.internalAddress ?? n.address,
    roles: [...(n.roles ?? [])],
    user: n.user ?? plan.sshUser ?? 'root',
    port: n.port ?? 22,
    privateKeyPath: n.privateKeyPath ?? plan.privateKeyPath ?? '~/.ssh/id_rsa',
    arch: n.arch ?? NodeArch.AMD64,
    labels: { ...(n.labels ?? {}) },
  }));
  return {
    nodes,
    kubernetesVersion: plan.kubernetesVersion,
    controlPlaneEndpoint: {
      domain: endpoint.domain ?? DEFAULT_CONTROL_PLANE_DOMAIN,
      address,
      // No endpoint: no load balancer, and KubeKey points the domain at the first control-plane node.
      loadBalancer: endpoint.loadBalancer ?? (address !== '' || plan.controlPlaneEndpoint === undefined ? LoadBalancerKind.EXTERNAL : LoadBalancerKind.HAPROXY),
      port: endpoint.port ?? 6443,
    },
    containerRuntime: plan.containerRuntime ?? ContainerRuntime.CONTAINERD,
    networkPlugin: plan.networkPlugin ?? NetworkPlugin.CALICO,
    podCidr: plan.podCidr ?? DEFAULT_POD_CIDR,
    serviceCidr: plan.serviceCidr ?? DEFAULT_SERVICE_CIDR,
    dnsDomain: plan.dnsDomain ?? 'cluster.local',
    registry: plan.registry ?? {},
  };
}

/** The nodes of a plan that have a role, in plan order. */
export function nodesWithRole(plan: ResolvedNodePlan, role: NodeRole): ResolvedNode[] {
  return plan.nodes.filter((n) => n.roles.includes(role));
}

// ---------------------------------------------------------------------------------------------------------
// Addresses and ranges
// ---------------------------------------------------------------------------------------------------------

/**
 * An IPv4 address as a number, or undefined when the text is not one.
 * @internal
 */
export function parseIpv4(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255) || m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/**
 * An IPv4 CIDR as its first address and size, or undefined when the text is not one.
 * @internal
 */
export function parseCidr(text: unknown): { start: number; size: number } | undefined {
  if (typeof text !== 'string') return undefined;
  const [ip, bits, ...rest] = text.split('/');
  if (rest.length > 0 || bits === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
  const start = parseIpv4(ip);
  if (start === undefined) return undefined;
  const size = 2 ** (32 - Number(bits));
  if (start % size !== 0) return undefined;
  return { start, size };
}

function inRange(ip: number, range: { start: number; size: number }): boolean {
  return ip >= range.start && ip < range.start + range.size;
}

function overlaps(a: { start: number; size: number }, b: { start: number; size: number }): boolean {
  return a.start < b.start + b.size && b.start < a.start + a.size;
}

const VERSION = /^v\d+\.\d+\.\d+$/;
/** What a private key's content looks like (PEM or OpenSSH armour, or a long base64 blob). */
const KEY_CONTENT = /-----BEGIN|PRIVATE KEY|[\r\n]|^[A-Za-z0-9+/=]{200,}$/;

/**
 * Checks a node plan; every problem is reported at once, with the path of the cluster and the property at fault.
 * @param problems where problems go
 * @param path the cluster's construct path
 * @param given the plan as given
 * @internal
 */
export function checkNodePlan(problems: ProblemCollector, path: string, given: NodePlan): void {
  const plan = resolveNodePlan(given);
  const nodes = Array.isArray(given.nodes) ? given.nodes : [];
  if (nodes.length === 0) {
    problems.error({ path, property: 'nodePlan.nodes', value: given.nodes, message: 'a node plan needs at least one node', fix: 'list the cluster\'s machines with their roles' });
  }
  if (typeof given.kubernetesVersion !== 'string' || !VERSION.test(given.kubernetesVersion)) {
    problems.error({ path, property: 'nodePlan.kubernetesVersion', value: given.kubernetesVersion, message: 'a Kubernetes version is written like "v1.27.16" (KubeKey installs exactly that release)', fix: 'set kubernetesVersion to a release KubeKey supports, e.g. "v1.27.16"' });
  }
  checkSecretLike(problems, path, 'nodePlan', given as unknown as Record<string, unknown>);
  if (given.sshUser !== undefined && !/^[a-z_][a-z0-9_-]*$/.test(String(given.sshUser))) {
    problems.error({ path, property: 'nodePlan.sshUser', value: given.sshUser, message: 'not a user name', fix: 'name a user of the nodes, e.g. "root" or "ubuntu"' });
  }
  if (given.privateKeyPath !== undefined) checkKeyPath(problems, path, 'nodePlan.privateKeyPath', given.privateKeyPath);
  const names = new Map<string, number>();
  const addresses = new Map<string, string>();
  nodes.forEach((n, i) => {
    const at = `nodePlan.nodes[${i}]`;
    checkSecretLike(problems, path, at, n as unknown as Record<string, unknown>);
    const nameProblem = checkDns1123Label(n.name);
    if (nameProblem) problems.error({ path, property: `${at}.name`, value: n.name, message: nameProblem, fix: 'name the node like "kp-master01"' });
    const first = names.get(n.name);
    if (first !== undefined) problems.error({ path, property: `${at}.name`, value: n.name, message: `nodePlan.nodes[${first}] has this name already`, fix: 'give each node its own name' });
    else names.set(n.name, i);
    for (const [prop, value] of [['address', n.address], ['internalAddress', n.internalAddress]] as const) {
      if (value === undefined && prop === 'internalAddress') continue;
      if (parseIpv4(value) === undefined) {
        problems.error({ path, property: `${at}.${prop}`, value, message: 'not an IPv4 address', fix: `set the node's ${prop} to an address like "192.168.10.11"` });
      }
    }
    for (const value of new Set([n.address, n.internalAddress ?? n.address])) {
      if (typeof value !== 'string') continue;
      const owner = addresses.get(value);
      if (owner !== undefined && owner !== n.name) problems.error({ path, property: `${at}.address`, value, message: `node ${owner} has this address already`, fix: 'give each node its own address' });
      else addresses.set(value, n.name);
    }
    if (!Array.isArray(n.roles) || n.roles.length === 0) {
      problems.error({ path, property: `${at}.roles`, value: n.roles, message: `node ${String(n.name)} has no role, so KubeKey would install nothing on it`, fix: 'give it a role: NodeRole.WORKER, NodeRole.CONTROL_PLANE, NodeRole.ETCD or NodeRole.REGISTRY' });
    } else {
      n.roles.forEach((r: NodeRole, j: number) => {
        if (!Object.values(NodeRole).includes(r)) problems.error({ path, property: `${at}.roles[${j}]`, value: r, message: 'not a node role', fix: `use one of ${Object.values(NodeRole).join(', ')}` });
      });
    }
    if (n.user !== undefined && !/^[a-z_][a-z0-9_-]*$/.test(String(n.user))) {
      problems.error({ path, property: `${at}.user`, value: n.user, message: 'not a user name', fix: 'name a user of the node, e.g. "root" or "ubuntu"' });
    }
    if (n.port !== undefined && (!Number.isInteger(n.port) || n.port < 1 || n.port > 65535)) {
      problems.error({ path, property: `${at}.port`, value: n.port, message: 'an SSH port is between 1 and 65535', fix: 'set port to the node\'s SSH port, e.g. 22' });
    }
    if (n.privateKeyPath !== undefined) checkKeyPath(problems, path, `${at}.privateKeyPath`, n.privateKeyPath);
    if (n.arch !== undefined && !Object.values(NodeArch).includes(n.arch)) {
      problems.error({ path, property: `${at}.arch`, value: n.arch, message: 'not an architecture KubeKey installs', fix: 'use NodeArch.AMD64 or NodeArch.ARM64' });
    }
    for (const [k, v] of Object.entries(n.labels ?? {})) {
      const p = checkLabelKey(k) ?? checkLabelValue(v);
      if (p) problems.error({ path, property: `${at}.labels[${JSON.stringify(k)}]`, value: v, message: p, fix: 'use a label like "disk: ssd"' });
    }
  });
  const controlPlane = nodesWithRole(plan, NodeRole.CONTROL_PLANE);
  const etcd = nodesWithRole(plan, NodeRole.ETCD);
  if (nodes.length > 0 && controlPlane.length === 0) {
    problems.error({ path, property: 'nodePlan.nodes', value: nodes.map((n) => n.name), message: 'no node has the control-plane role, and KubeKey needs at least one', fix: 'give one node (three for high availability) NodeRole.CONTROL_PLANE' });
  }
  if (nodes.length > 0 && etcd.length === 0) {
    problems.error({ path, property: 'nodePlan.nodes', value: nodes.map((n) => n.name), message: 'no node has the etcd role, and KubeKey installs etcd on the etcd nodes', fix: 'give the control-plane nodes NodeRole.ETCD too' });
  }
  if (etcd.length > 0 && etcd.length % 2 === 0) {
    const tolerated = etcd.length / 2 - 1;
    problems.warning({
      path,
      property: 'nodePlan.nodes',
      value: etcd.map((n) => n.name),
      message: `${etcd.length} etcd members tolerate ${tolerated === 0 ? 'no failure' : `${tolerated} ${tolerated === 1 ? 'failure' : 'failures'}`}, no more than ${etcd.length - 1} ${etcd.length - 1 === 1 ? 'member' : 'members'} would (a quorum is ${etcd.length / 2 + 1} of ${etcd.length})`,
      fix: `run an odd number of etcd members: ${etcd.length + 1} (or ${etcd.length - 1})`,
    });
  }
  const ep = given.controlPlaneEndpoint;
  const lb = plan.controlPlaneEndpoint;
  if (ep !== undefined) {
    if (ep.loadBalancer !== undefined && !Object.values(LoadBalancerKind).includes(ep.loadBalancer)) {
      problems.error({ path, property: 'nodePlan.controlPlaneEndpoint.loadBalancer', value: ep.loadBalancer, message: 'not a load balancer kind', fix: 'use LoadBalancerKind.HAPROXY, LoadBalancerKind.KUBE_VIP or LoadBalancerKind.EXTERNAL' });
    }
    const domainProblem = checkDns1123Subdomain(lb.domain);
    if (domainProblem) problems.error({ path, property: 'nodePlan.controlPlaneEndpoint.domain', value: ep.domain, message: domainProblem, fix: 'use a name like "lb.kubesphere.local"' });
    if (ep.address !== undefined && parseIpv4(ep.address) === undefined) {
      problems.error({ path, property: 'nodePlan.controlPlaneEndpoint.address', value: ep.address, message: 'not an IPv4 address', fix: 'set the load balancer\'s address, e.g. "192.168.10.10"' });
    }
    if (ep.port !== undefined && (!Number.isInteger(ep.port) || ep.port < 1 || ep.port > 65535)) {
      problems.error({ path, property: 'nodePlan.controlPlaneEndpoint.port', value: ep.port, message: 'a port is between 1 and 65535', fix: 'leave it out for 6443' });
    }
    if (lb.loadBalancer === LoadBalancerKind.HAPROXY && lb.address !== '') {
      problems.error({ path, property: 'nodePlan.controlPlaneEndpoint.address', value: ep.address, message: 'KubeKey refuses an address with its internal haproxy load balancer (haproxy runs on every node and is reached at the domain)', fix: 'remove the address, or use LoadBalancerKind.KUBE_VIP with this address as the VIP, or LoadBalancerKind.EXTERNAL' });
    }
    if (lb.loadBalancer === LoadBalancerKind.KUBE_VIP && lb.address === '') {
      problems.error({ path, property: 'nodePlan.controlPlaneEndpoint.address', value: ep.address, message: 'kube-vip needs the virtual IP it holds', fix: 'set address to a free address of the nodes\' network' });
    }
    if (lb.loadBalancer === LoadBalancerKind.EXTERNAL && lb.address === '') {
      problems.error({ path, property: 'nodePlan.controlPlaneEndpoint.address', value: ep.address, message: 'an external load balancer needs its address', fix: 'set address to the load balancer\'s address' });
    }
    if (lb.address !== '' && addresses.has(lb.address) && lb.loadBalancer === LoadBalancerKind.KUBE_VIP) {
      problems.error({ path, property: 'nodePlan.controlPlaneEndpoint.address', value: lb.address, message: `node ${addresses.get(lb.address)} has this address, and a VIP must be free`, fix: 'choose an unused address for the VIP' });
    }
  } else if (controlPlane.length >= 2) {
    problems.error({
      path,
      property: 'nodePlan.controlPlaneEndpoint',
      value: undefined,
      message: `the plan has ${controlPlane.length} control-plane nodes (${controlPlane.map((n) => n.name).join(', ')}) and no endpoint, so every client would reach the first one only and lose the API when it fails`,
      fix: 'set controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.HAPROXY } (or KUBE_VIP with a VIP address, or EXTERNAL with the load balancer\'s address)',
    });
  }
  const pods = parseCidr(plan.podCidr);
  const services = parseCidr(plan.serviceCidr);
  if (!pods) problems.error({ path, property: 'nodePlan.podCidr', value: given.podCidr, message: 'not an IPv4 CIDR (address/bits, the address at the start of its range)', fix: `use a range like "${DEFAULT_POD_CIDR}"` });
  if (!services) problems.error({ path, property: 'nodePlan.serviceCidr', value: given.serviceCidr, message: 'not an IPv4 CIDR (address/bits, the address at the start of its range)', fix: `use a range like "${DEFAULT_SERVICE_CIDR}"` });
  if (pods && services && overlaps(pods, services)) {
    problems.error({ path, property: 'nodePlan.serviceCidr', value: plan.serviceCidr, message: `it overlaps the pod CIDR ${plan.podCidr}, so service and pod addresses would collide`, fix: `choose ranges apart, e.g. pods "${DEFAULT_POD_CIDR}" and services "${DEFAULT_SERVICE_CIDR}"` });
  }
  for (const n of plan.nodes) {
    for (const [range, name] of [[pods, 'podCidr'], [services, 'serviceCidr']] as const) {
      const ip = parseIpv4(n.internalAddress);
      if (range && ip !== undefined && inRange(ip, range)) {
        problems.error({ path, property: `nodePlan.${name}`, value: plan[name], message: `it contains the address ${n.internalAddress} of node ${n.name}, so the node network and the cluster's ranges overlap`, fix: `choose a ${name} outside the nodes' network` });
      }
    }
  }
  if (!Object.values(ContainerRuntime).includes(plan.containerRuntime)) {
    problems.error({ path, property: 'nodePlan.containerRuntime', value: plan.containerRuntime, message: 'not a container runtime KubeKey installs', fix: `use one of ${Object.values(ContainerRuntime).join(', ')}` });
  }
  if (!Object.values(NetworkPlugin).includes(plan.networkPlugin)) {
    problems.error({ path, property: 'nodePlan.networkPlugin', value: plan.networkPlugin, message: 'not a network plugin KubeKey installs', fix: `use one of ${Object.values(NetworkPlugin).join(', ')}` });
  }
  if (checkDns1123Subdomain(plan.dnsDomain)) {
    problems.error({ path, property: 'nodePlan.dnsDomain', value: plan.dnsDomain, message: 'not a domain name', fix: 'leave it out for "cluster.local"' });
  }
  checkRegistry(problems, path, plan.registry);
}

function checkRegistry(problems: ProblemCollector, path: string, registry: NodeRegistrySpec): void {
  checkSecretLike(problems, path, 'nodePlan.registry', registry as unknown as Record<string, unknown>);
  if (registry.privateRegistry !== undefined && (checkDns1123Subdomain(String(registry.privateRegistry).split(':')[0]) || checkRegistryHost(registry.privateRegistry))) {
    problems.error({ path, property: 'nodePlan.registry.privateRegistry', value: registry.privateRegistry, message: `not a registry host: ${checkRegistryHost(registry.privateRegistry) ?? 'a host name is lowercase DNS labels'}`, fix: 'use a host like "harbor.example.com" (no scheme, no path)' });
  }
  (registry.mirrors ?? []).forEach((m, i) => {
    if (!/^https?:\/\/[^\s/]+/.test(m)) problems.error({ path, property: `nodePlan.registry.mirrors[${i}]`, value: m, message: 'a mirror is a URL', fix: 'use a URL like "https://mirror.example.com"' });
  });
  (registry.auths ?? []).forEach((a, i) => {
    const at = `nodePlan.registry.auths[${i}]`;
    checkSecretLike(problems, path, at, a as unknown as Record<string, unknown>);
    if (checkDns1123Subdomain(String(a.registry).split(':')[0]) || checkRegistryHost(a.registry)) problems.error({ path, property: `${at}.registry`, value: a.registry, message: `not a registry host: ${checkRegistryHost(a.registry) ?? 'a host name is lowercase DNS labels'}`, fix: 'use a host like "harbor.example.com"' });
    for (const prop of ['usernameEnv', 'passwordEnv'] as const) {
      if (checkEnvVarName(a[prop]) || !/^[A-Z_][A-Z0-9_]*$/.test(String(a[prop]))) {
        problems.error({ path, property: `${at}.${prop}`, value: a[prop], message: 'credentials are given by the name of the environment variable that holds them when kk runs, never by value', fix: 'name a variable like "HARBOR_PASSWORD" (upper case, digits and "_")' });
      }
    }
  });
}

/** Properties that would carry a secret: refused wherever they appear (a JavaScript caller can pass them). */
const SECRET_PROPERTIES = ['password', 'privateKey', 'username', 'passphrase', 'token'];

function checkSecretLike(problems: ProblemCollector, path: string, at: string, value: Record<string, unknown> | undefined): void {
  if (value === null || typeof value !== 'object') return;
  for (const prop of SECRET_PROPERTIES) {
    if (prop in value && value[prop] !== undefined) {
      problems.error({ path, property: `${at}.${prop}`, value: '(hidden)', message: 'passwords, keys and other secrets are never written into the estate\'s code or output', fix: prop === 'privateKey' ? 'give privateKeyPath, the path of the key on the machine that runs kk' : 'remove it; give SSH access by key (privateKeyPath) and registry credentials by the names of environment variables (auths)' });
    }
  }
}

function checkKeyPath(problems: ProblemCollector, path: string, property: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    problems.error({ path, property, value, message: 'a private key path is a non-empty string', fix: 'give the key\'s path, e.g. "~/.ssh/id_ed25519"' });
  } else if (KEY_CONTENT.test(value)) {
    problems.error({ path, property, value: '(hidden)', message: 'this looks like the content of a private key, which is never written into the estate\'s code or output', fix: 'give the key\'s path on the machine that runs kk, e.g. "~/.ssh/id_ed25519", and rotate the key if it was committed' });
  } else if (!/^(~\/|\/|\.{1,2}\/)?[^\s:*?"<>|]+$/.test(value)) {
    problems.error({ path, property, value, message: 'not a file path', fix: 'give the key\'s path, e.g. "~/.ssh/id_ed25519"' });
  }
}
