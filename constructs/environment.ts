import { Construct } from 'constructs';
import { checkDns1123Label, checkDns1123Subdomain, checkWholeNumber } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { Cluster } from './cluster';
import type { Tls } from './exposure';
import { Platform } from './platform';
import { checkEnvironmentPodDefaults, EnvironmentPodDefaults } from './pod-options';
import { checkProjectQuota, checkResources, mergeResources, ProjectQuota, Resources } from './resources';

/** A cluster, or a cluster's name (for estates generated from a table). */
export type ClusterRef = Cluster | string;

/** Properties of an {@link Environment}. */
export interface EnvironmentProps extends EnvironmentPodDefaults {
  /** The clusters the environment spans. A project placed in the environment gets a namespace on each. */
  readonly clusters: ClusterRef[];
  /**
   * Whether this is a production environment: services default to 2 replicas, a disruption budget and spread
   * across nodes and zones, and relaxing any of them needs a waiver.
   * @default false
   */
  readonly production?: boolean;
  /**
   * The domain exposed services get a host under, e.g. `test.example.com` gives `web.test.example.com`.
   * @default - none: an exposed service must then name its host for this environment
   */
  readonly domain?: string;
  /**
   * Replicas of each service that sets none for this environment.
   * @default - 2 in production, 1 elsewhere
   */
  readonly replicas?: number;
  /**
   * Container resources for services in this environment, over the platform's defaults.
   * @default - the platform's defaults
   */
  readonly resources?: Resources;
  /**
   * Added to every project's namespace in this environment, e.g. `-test`. Needed only when two
   * environments share a cluster, so that their namespaces differ.
   * @default "" (namespaces are the project names)
   */
  readonly namespaceSuffix?: string;
  /**
   * The quota of every project namespace in this environment, over the platform's default.
   * @default - the platform's `defaultProjectQuota`
   */
  readonly projectQuota?: ProjectQuota;
  /**
   * The certificate of exposed hosts in this environment, for exposures that name none.
   * @default - none: exposures without `tls` serve plain HTTP (a warning in production)
   */
  readonly tls?: Tls;
}

const ENVIRONMENT = Symbol.for('platform-cdk.Environment');

/**
 * A stage of delivery (development, test, staging, production …): the clusters it spans and the defaults of
 * the services that run in it.
 */
export class Environment extends Construct {
  /** Whether a value is an Environment. */
  public static isEnvironment(this: void, x: unknown): x is Environment {
    return typeof x === 'object' && x !== null && ENVIRONMENT in x;
  }

  /** The environment's name (its construct id). */
  public readonly name: string;
  /** Whether this is production. */
  public readonly production: boolean;
  /** The domain of exposed services, if set. */
  public readonly domain?: string;
  /** Replicas of services that set none for this environment. */
  public readonly replicas: number;
  /** Container resources over the platform's defaults. */
  public readonly resources?: Resources;
  /** The pod defaults of the environment's app services (scheduling, priority class). */
  public readonly podDefaults: EnvironmentPodDefaults;
  /** Added to namespace names in this environment. */
  public readonly namespaceSuffix: string;
  /** The quota of project namespaces in this environment, over the platform's default, if set. */
  public readonly projectQuota?: ProjectQuota;
  /** The certificate of exposed hosts that name none, if set. */
  public readonly tls?: Tls;
  private readonly clusterRefs: ClusterRef[];

  /**
   * @param scope the platform (or a construct inside it)
   * @param id the environment's name
   * @param props clusters and defaults
   */
  constructor(scope: Construct, id: string, props: EnvironmentProps) {
    super(scope, id);
    Object.defineProperty(this, ENVIRONMENT, { value: true });
    Platform.of(this)._register(this);
    this.name = id;
    this.production = props.production ?? false;
    this.domain = props.domain;
    this.replicas = props.replicas ?? (this.production ? 2 : 1);
    this.resources = props.resources;
    this.namespaceSuffix = props.namespaceSuffix ?? '';
    this.projectQuota = props.projectQuota;
    this.podDefaults = { podScheduling: props.podScheduling, podPriorityClassName: props.podPriorityClassName };
    this.tls = props.tls;
    this.clusterRefs = [...(props.clusters ?? [])];
  }

  /**
   * Adds a cluster to the environment.
   * @param cluster the cluster or its name
   */
  public addCluster(cluster: ClusterRef): void {
    this.clusterRefs.push(cluster);
  }

  /** The clusters the environment spans (references that name no cluster of the platform are left out; validation reports them). */
  public get clusters(): Cluster[] {
    const platform = Platform.of(this);
    const out: Cluster[] = [];
    for (const ref of this.clusterRefs) {
      const c = typeof ref === 'string' ? platform.findCluster(ref) : ref;
      if (c && Platform.isPlatform(c.node.root) && c.node.root === platform && !out.includes(c)) out.push(c);
    }
    return out;
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const platform = Platform.of(this);
    const p = checkDns1123Label(this.name);
    if (p) problems.error({ path, property: 'name', value: this.name, message: p, fix: 'name the environment like "test" or "production"' });
    if (this.clusterRefs.length === 0) {
      problems.error({ path, property: 'clusters', value: [], message: 'an environment must span at least one cluster', fix: 'list the clusters of the environment in `clusters`' });
    }
    this.clusterRefs.forEach((ref, i) => {
      if (typeof ref === 'string') {
        if (!platform.findCluster(ref)) {
          problems.error({ path, property: `clusters[${i}]`, value: ref, message: `no cluster of the platform has this name (clusters: ${platform.clusters.map((c) => c.name).join(', ') || 'none'})`, fix: 'name a cluster added with platform.addCluster(), or add it' });
        }
      } else if (!Cluster.isCluster(ref) || ref.node.root !== platform) {
        problems.error({ path, property: `clusters[${i}]`, value: Cluster.isCluster(ref) ? ref.node.path : ref, message: 'the cluster belongs to another platform', fix: 'use a cluster of this platform' });
      }
    });
    if (this.domain !== undefined) {
      const d = checkDns1123Subdomain(this.domain);
      if (d) problems.error({ path, property: 'domain', value: this.domain, message: d, fix: 'use a domain like "test.example.com"' });
    }
    const r = checkWholeNumber(this.replicas, 0);
    if (r) problems.error({ path, property: 'replicas', value: this.replicas, message: r, fix: 'set replicas to 0 or more' });
    checkResources(problems, path, 'resources', this.resources, mergeResources(platform.defaultResources, this.resources));
    checkProjectQuota(problems, path, 'projectQuota', this.projectQuota);
    checkEnvironmentPodDefaults(problems, path, this.podDefaults);
    this.tls?._check(problems, path, 'tls');
    if (this.namespaceSuffix !== '' && !/^-?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.namespaceSuffix)) {
      problems.error({ path, property: 'namespaceSuffix', value: this.namespaceSuffix, message: 'a namespace suffix must be lowercase letters, digits and "-", and not end with "-"', fix: 'use a suffix like "-test"' });
    }
  }
}
