/**
 * Exposure beyond HTTP: a Service of type ClusterIP, NodePort or LoadBalancer for some of a service's TCP and UDP
 * ports, reachable from declared networks only (CIDRs): the LoadBalancer's source ranges and a network policy that
 * admits exactly those networks on exactly those ports.
 */
import { checkCidr, isOpenCidr } from '../lib/cidr';
import { checkDns1035Label, checkPort } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { checkAnnotations } from '../lib/values';
import type { AppService, ServicePort } from './app-service';
import type { Environment } from './environment';
import { parseCidr, resolveNodePlan } from './node-plan';
import { Platform } from './platform';
import { PreviewEnvironment } from './preview';
import type { EnvironmentRef } from './project';

/** The type of the Kubernetes Service of a network exposure. */
export enum ServiceType {
  /** A cluster address only: for networks routed to the cluster's Service or pod addresses (e.g. by BGP). */
  CLUSTER_IP = 'ClusterIP',
  /** A port on every node (30000-32767), for an external load balancer in front of the nodes. */
  NODE_PORT = 'NodePort',
  /** A load balancer of the cluster's provider (MetalLB, OpenELB, a cloud's), with the allowed source ranges. */
  LOAD_BALANCER = 'LoadBalancer',
}

/** Whether a NodePort or LoadBalancer Service keeps the client's address. */
export enum ExternalTrafficPolicy {
  /** Only to pods on the node that received the traffic, keeping the client's address (so that the policy sees it). */
  LOCAL = 'Local',
  /** To any pod, through the node's address: the network policy then sees node addresses, not the clients'. */
  CLUSTER = 'Cluster',
}

/** A port of a network exposure. */
export interface NetworkPortOptions {
  /** The service's port: its name or Service port number. */
  readonly port: string | number;
  /**
   * A fixed node port (30000-32767), for NodePort and LoadBalancer Services.
   * @default - Kubernetes picks one
   */
  readonly nodePort?: number;
}

/** What a network exposure changes in one environment. */
export interface NetworkExposureOverrides {
  /**
   * The networks admitted there, instead of the exposure's.
   * @default - the exposure's `from`
   */
  readonly from?: string[];
  /**
   * Annotations of the Service there, over the exposure's.
   * @default - the exposure's
   */
  readonly annotations?: Record<string, string>;
}

/** Reasons for exposing beyond the production rules. */
export interface NetworkExposureWaivers {
  /** Why production admits every address (`0.0.0.0/0` or `::/0`); rule `exposure-source-ranges`. */
  readonly sourceRanges?: string;
}

/** How ports of a service are reached from networks outside the cluster, over TCP or UDP. */
export interface NetworkExposeOptions {
  /**
   * The networks admitted, as CIDRs (`"10.20.0.0/16"`): the LoadBalancer's `loadBalancerSourceRanges` and the only
   * sources the network policy admits. Every address (`0.0.0.0/0`) in production needs a waiver.
   */
  readonly from: string[];
  /**
   * The type of the Service.
   * @default ServiceType.LOAD_BALANCER
   */
  readonly type?: ServiceType;
  /**
   * The ports exposed: the service's port names or numbers, or with a fixed node port.
   * @default - every port of the service
   */
  readonly ports?: (string | number | NetworkPortOptions)[];
  /**
   * The name of the Service (apart from the service's own ClusterIP Service, which stays as it is).
   * @default "<service>-external"
   */
  readonly name?: string;
  /**
   * Annotations of the Service (e.g. the load balancer's address pool or its provider's options).
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * Whether a NodePort or LoadBalancer Service keeps the client's address.
   * @default ExternalTrafficPolicy.LOCAL (the network policy admits clients by address)
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /**
   * The environments the ports are exposed in. Previews never are (a branch's copy opens no network endpoint).
   * @default - every environment of the project
   */
  readonly environments?: EnvironmentRef[];
  /**
   * What changes per environment name (e.g. the vehicles' networks of test and production).
   * @default - nothing changes
   */
  readonly perEnvironment?: Record<string, NetworkExposureOverrides>;
  /**
   * Reasons for relaxing the production rule (every address admitted); written on the Service as a waiver.
   * @default - none
   */
  readonly waivers?: NetworkExposureWaivers;
}

/** A port of a network exposure, resolved. */
export interface ExposedPort {
  /** The service's port. */
  readonly port: ServicePort;
  /** The fixed node port, if any. */
  readonly nodePort?: number;
}

/** A service's network exposure: a Service of its own and a network policy in each environment it covers. */
export class NetworkExposure {
  /**
   * @param service the exposed service
   * @param options networks, type, ports and environments
   */
  constructor(
    /** The exposed service. */
    public readonly service: AppService,
    /** The options as given. */
    public readonly options: NetworkExposeOptions,
  ) {}

  /** The name of the exposure's Service. */
  public get name(): string {
    return this.options.name ?? `${this.service.name}-external`;
  }

  /** The type of the Service. */
  public get type(): ServiceType {
    return this.options.type ?? ServiceType.LOAD_BALANCER;
  }

  /** The external traffic policy, for NodePort and LoadBalancer Services. */
  public get externalTrafficPolicy(): ExternalTrafficPolicy | undefined {
    return this.type === ServiceType.CLUSTER_IP ? undefined : (this.options.externalTrafficPolicy ?? ExternalTrafficPolicy.LOCAL);
  }

  /** The ports exposed (those that name a port of the service). */
  public get ports(): ExposedPort[] {
    const given = this.options.ports;
    if (given === undefined) return this.service.ports.map((port) => ({ port }));
    const out: ExposedPort[] = [];
    for (const p of given) {
      const ref = typeof p === 'object' && p !== null ? p.port : p;
      const port = this.service.findPort(ref);
      if (port) out.push({ port, nodePort: typeof p === 'object' && p !== null ? p.nodePort : undefined });
    }
    return out;
  }

  /** Whether the ports are exposed in an environment (never in a preview). */
  public covers(environment: Environment): boolean {
    if (PreviewEnvironment.isPreview(environment) || !this.service.environments.includes(environment)) return false;
    if (!this.options.environments) return true;
    const platform = Platform.of(this.service);
    return this.options.environments.some((ref) => (typeof ref === 'string' ? platform.findEnvironment(ref) : ref) === environment);
  }

  /** The networks admitted in an environment. */
  public fromIn(environment: Environment): readonly string[] {
    return this.options.perEnvironment?.[environment.name]?.from ?? this.options.from ?? [];
  }

  /** The Service's annotations in an environment. */
  public annotationsIn(environment: Environment): Record<string, string> {
    return { ...this.options.annotations, ...this.options.perEnvironment?.[environment.name]?.annotations };
  }
}

const EXPOSURES = new WeakMap<AppService, NetworkExposure[]>();

/**
 * Adds a network exposure to a service (what `AppService.exposeNetwork` does).
 * @param service the service
 * @param options networks, type, ports and environments
 */
export function addNetworkExposure(service: AppService, options: NetworkExposeOptions): NetworkExposure {
  const list = EXPOSURES.get(service) ?? [];
  const x = new NetworkExposure(service, options);
  list.push(x);
  EXPOSURES.set(service, list);
  return x;
}

/** The network exposures of a service. */
export function networkExposuresOf(service: AppService): readonly NetworkExposure[] {
  return EXPOSURES.get(service) ?? [];
}

/**
 * Checks the network exposures of a service: networks (canonical CIDRs, every address in production only with a
 * waiver), type, ports and node ports (30000-32767, unique per cluster), names, annotations and environments.
 * @param problems where problems go
 * @param service the service
 * @internal
 */
export function checkNetworkExposures(problems: ProblemCollector, service: AppService): void {
  const path = service.node.path;
  const platform = Platform.of(service);
  const list = networkExposuresOf(service);
  const names = new Map<string, number>();
  list.forEach((x, i) => {
    const property = `exposeNetwork[${i}]`;
    const o = x.options;
    if (!Object.values(ServiceType).includes(x.type)) problems.error({ path, property: `${property}.type`, value: x.type, message: 'the Service type is ClusterIP, NodePort or LoadBalancer', fix: 'use ServiceType.LOAD_BALANCER, NODE_PORT or CLUSTER_IP' });
    if (o.externalTrafficPolicy !== undefined && !Object.values(ExternalTrafficPolicy).includes(o.externalTrafficPolicy)) problems.error({ path, property: `${property}.externalTrafficPolicy`, value: o.externalTrafficPolicy, message: 'the external traffic policy is Local or Cluster', fix: 'use ExternalTrafficPolicy.LOCAL' });
    else if (o.externalTrafficPolicy !== undefined && x.type === ServiceType.CLUSTER_IP) problems.error({ path, property: `${property}.externalTrafficPolicy`, value: o.externalTrafficPolicy, message: 'a ClusterIP Service has no external traffic policy', fix: 'remove externalTrafficPolicy, or use a NodePort or LoadBalancer Service' });
    else if (x.externalTrafficPolicy === ExternalTrafficPolicy.CLUSTER) problems.warning({ path, property: `${property}.externalTrafficPolicy`, value: 'Cluster', message: 'traffic reaches the pods from node addresses, so the network policy admits the nodes rather than the declared networks, and the declared networks are not reached', fix: 'keep ExternalTrafficPolicy.LOCAL, or add the nodes\' network to from' });
    const nameError = checkDns1035Label(x.name);
    if (nameError) problems.error({ path, property: `${property}.name`, value: x.name, message: nameError, fix: 'name the Service like "vehicle-gateway-mqtt"' });
    const first = names.get(x.name);
    if (first !== undefined) problems.error({ path, property: `${property}.name`, value: x.name, message: `exposeNetwork[${first}] names its Service ${x.name} already`, fix: 'give each network exposure its own name' });
    else names.set(x.name, i);
    const other = service.project.services.find((s) => s.name === x.name || (s !== service && networkExposuresOf(s).some((y) => y.name === x.name)));
    if (other) problems.error({ path, property: `${property}.name`, value: x.name, message: `${other.node.path} has a Service of this name in the project already`, fix: 'name the exposure\'s Service after this service, e.g. "<service>-mqtt"' });
    for (const a of checkAnnotations(o.annotations ?? {})) problems.error({ path, property: `${property}.annotations${a.key === undefined ? '' : `[${JSON.stringify(a.key)}]`}`, value: a.key, message: a.message, fix: 'use annotation keys like "metallb.universe.tf/address-pool"' });
    checkPortsOf(problems, path, property, x);
    checkSources(problems, path, `${property}.from`, o.from);
    for (const [name, e] of Object.entries(o.perEnvironment ?? {})) {
      const p = `${property}.perEnvironment[${JSON.stringify(name)}]`;
      const env = platform.findEnvironment(name);
      if (!env || !service.project.isPlacedIn(env)) problems.error({ path, property: p, value: name, message: 'this is not an environment of the project', fix: 'key perEnvironment by the names of the project\'s environments' });
      if (e?.from !== undefined) checkSources(problems, path, `${p}.from`, e.from);
      for (const a of checkAnnotations(e?.annotations ?? {})) problems.error({ path, property: `${p}.annotations`, value: a.key, message: a.message, fix: 'use annotation keys like "metallb.universe.tf/address-pool"' });
    }
    (o.environments ?? []).forEach((ref, j) => {
      const env = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      if (!env || env.node.root !== platform || !service.project.isPlacedIn(env)) problems.error({ path, property: `${property}.environments[${j}]`, value: typeof ref === 'string' ? ref : ref?.node?.path, message: 'this is not an environment of the project', fix: 'expose the ports only in environments of the service\'s project' });
    });
    const waiver = o.waivers?.sourceRanges;
    if (waiver !== undefined && (typeof waiver !== 'string' || waiver.trim() === '')) problems.error({ path, property: `${property}.waivers.sourceRanges`, value: waiver, message: 'a waiver needs a reason', fix: 'say why every address is admitted, e.g. "public MQTT endpoint, authenticated by client certificates"' });
    checkClusterNetworks(problems, path, property, x);
    for (const env of service.environments) {
      if (!x.covers(env) || !env.production) continue;
      const open = x.fromIn(env).filter((c) => typeof c === 'string' && isOpenCidr(c));
      if (open.length > 0 && waiver === undefined) problems.error({ path, property: `${property}.from (in ${env.name})`, value: open.join(', '), message: `environment ${env.name} is production, where a network exposure admits declared networks, not every address`, fix: 'list the networks that call the service, or give a reason: waivers: { sourceRanges: "…" } (rule exposure-source-ranges)' });
      if (open.length === 0 && waiver !== undefined) problems.warning({ path, property: `${property}.waivers.sourceRanges (in ${env.name})`, value: waiver, message: `the exposure admits declared networks only in ${env.name}, so the waiver is not used there (and is not written)`, fix: 'remove the waiver' });
    }
  });
  checkNodePortClashes(problems, service);
}

/**
 * A declared network must not reach into a cluster's pod or Service network (as the cluster's node plan gives them):
 * the policy would admit the pods of every tenant, where a path between services is a declared connection. Every
 * address (`/0`) is the production rule's business.
 */
function checkClusterNetworks(problems: ProblemCollector, path: string, property: string, x: NetworkExposure): void {
  for (const env of x.service.environments) {
    if (!x.covers(env)) continue;
    for (const cluster of env.clusters) {
      if (!cluster.nodePlan) continue;
      let plan;
      try {
        plan = resolveNodePlan(cluster.nodePlan);
      } catch {
        continue;
      }
      for (const cidr of x.fromIn(env)) {
        const a = typeof cidr === 'string' && !isOpenCidr(cidr) ? parseCidr(cidr) : undefined;
        if (!a) continue;
        for (const [what, net] of [['pod', plan.podCidr], ['Service', plan.serviceCidr]] as const) {
          const b = parseCidr(net);
          if (b && a.start < b.start + b.size && b.start < a.start + a.size) {
            problems.error({ path, property: `${property}.from (in ${env.name})`, value: cidr, message: `the network overlaps the ${what} network ${net} of cluster ${cluster.name}, so the policy would admit traffic from inside the cluster, of any tenant`, fix: 'admit networks outside the cluster only; a service inside the cluster calls this one with connectsTo (which another tenant\'s service needs accepted with acceptFrom)' });
          }
        }
      }
    }
  }
}

function checkPortsOf(problems: ProblemCollector, path: string, property: string, x: NetworkExposure): void {
  const given = x.options.ports;
  if (given === undefined) {
    if (x.service.ports.length === 0) problems.error({ path, property: `${property}.ports`, value: undefined, message: 'the service has no port to expose', fix: 'add a port to the service, e.g. { port: 1883, name: "mqtt" }' });
    return;
  }
  if (!Array.isArray(given) || given.length === 0) {
    problems.error({ path, property: `${property}.ports`, value: given, message: 'the ports exposed are a non-empty list', fix: 'name the ports, e.g. ports: ["mqtt"], or leave ports out to expose them all' });
    return;
  }
  const seen = new Set<string>();
  given.forEach((p, j) => {
    const pp = `${property}.ports[${j}]`;
    const obj = typeof p === 'object' && p !== null ? p : undefined;
    const ref = obj ? obj.port : p;
    const port = x.service.findPort(ref as string | number);
    if (ref === undefined || !port) {
      problems.error({ path, property: pp, value: ref, message: `the service has no port of this name or number (ports: ${x.service.ports.map((q) => `${q.name}=${q.port}`).join(', ') || 'none'})`, fix: 'name one of the service\'s ports' });
      return;
    }
    if (seen.has(port.name)) problems.error({ path, property: pp, value: ref, message: 'this port is exposed already', fix: 'list each port once' });
    seen.add(port.name);
    const nodePort = obj?.nodePort;
    if (nodePort === undefined) return;
    if (x.type === ServiceType.CLUSTER_IP) problems.error({ path, property: `${pp}.nodePort`, value: nodePort, message: 'a ClusterIP Service has no node ports', fix: 'use ServiceType.NODE_PORT or LOAD_BALANCER, or remove nodePort' });
    else if (checkPort(nodePort) || nodePort < 30000 || nodePort > 32767) problems.error({ path, property: `${pp}.nodePort`, value: nodePort, message: 'a node port is a whole number from 30000 to 32767 (the cluster\'s default node port range)', fix: 'choose a node port from 30000 to 32767, or leave it out to let Kubernetes pick one' });
  });
}

function checkSources(problems: ProblemCollector, path: string, property: string, from: unknown): void {
  if (!Array.isArray(from) || from.length === 0) {
    problems.error({ path, property, value: from, message: 'a network exposure admits a non-empty list of networks', fix: 'list the networks as CIDRs, e.g. from: ["10.20.0.0/16"]' });
    return;
  }
  const seen = new Set<string>();
  from.forEach((c, i) => {
    const e = checkCidr(c);
    if (e) problems.error({ path, property: `${property}[${i}]`, value: c, message: e.message, fix: e.fix });
    else if (seen.has(c as string)) problems.error({ path, property: `${property}[${i}]`, value: c, message: 'this network is listed already', fix: 'list each network once' });
    seen.add(c as string);
  });
}

/** A fixed node port is used once per cluster (every environment on it, every service). */
function checkNodePortClashes(problems: ProblemCollector, service: AppService): void {
  const platform = Platform.of(service);
  const mine = networkExposuresOf(service);
  if (!mine.some((x) => x.ports.some((p) => p.nodePort !== undefined))) return;
  // Every claim of the platform, in construct order: a clash is reported on the later claimant.
  const claims = new Map<string, string>();
  for (const t of platform.tenants) {
    for (const p of t.projects) {
      for (const s of p.services) {
        networkExposuresOf(s).forEach((x, i) => {
          for (const env of s.environments) {
            if (!x.covers(env)) continue;
            for (const c of env.clusters) {
              for (const port of x.ports) {
                if (port.nodePort === undefined || x.type === ServiceType.CLUSTER_IP) continue;
                const key = `${c.name}/${port.nodePort}/${port.port.protocol}`;
                const where = `${s.node.path} exposeNetwork[${i}] in ${env.name}`;
                const first = claims.get(key);
                if (first === undefined) claims.set(key, where);
                else if (s === service && first !== where) {
                  problems.error({ path: service.node.path, property: `exposeNetwork[${i}].ports (in ${env.name})`, value: port.nodePort, message: `node port ${port.nodePort}/${port.port.protocol} of cluster ${c.name} is taken by ${first}`, fix: 'give each Service on a cluster its own node port (environments that share a cluster need different ones)' });
                }
              }
            }
          }
        });
      }
    }
  }
}
