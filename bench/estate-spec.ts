/**
 * The bench estate as plain data: names, counts and settings that both variants read. The platform-cdk
 * variant turns it into a model (`estate.ts`); the floor turns it into Kubernetes objects directly
 * (`floor.ts`). This module imports nothing from the library, so the floor's process never loads it.
 */

/** Projects per tenant. */
export const PROJECTS_PER_TENANT = 5;
/** Services per project. */
export const SERVICES_PER_PROJECT = 10;

/** A cluster of the bench estate. */
export interface BenchCluster {
  /** The cluster's name (and output folder). */
  readonly name: string;
  /** Whether it is the host cluster. */
  readonly host: boolean;
}

/** An environment of the bench estate: one cluster each. */
export interface BenchEnvironment {
  /** The environment's name. */
  readonly name: string;
  /** The name of the cluster it runs on. */
  readonly cluster: string;
  /** The domain exposed services get a host under. */
  readonly domain: string;
  /** Whether it is production. */
  readonly production: boolean;
  /**
   * The cert-manager ClusterIssuer of the certificates of its exposed hosts, if they are served over HTTPS
   * (production is: plain HTTP there is a warning).
   */
  readonly tlsClusterIssuer?: string;
}

/** CPU and memory of every container (and the defaults of every namespace's LimitRange). */
export interface BenchResources {
  /** CPU reserved, in millicores. */
  readonly cpuRequestMillis: number;
  /** CPU limit, in millicores. */
  readonly cpuLimitMillis: number;
  /** Memory reserved, in MiB. */
  readonly memoryRequestMiB: number;
  /** Memory limit, in MiB. */
  readonly memoryLimitMiB: number;
}

/** The replica range of a service's HorizontalPodAutoscaler. */
export interface BenchAutoscaling {
  /** The fewest replicas. */
  readonly minReplicas: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /** The target average CPU use, in percent of the request. */
  readonly cpuUtilization: number;
}

/** The quota of every project namespace. */
export interface BenchProjectQuota extends BenchResources {
  /** The number of pods. */
  readonly pods: number;
}

/** A service of the bench estate. */
export interface BenchService {
  /** The service's name, unique in the estate (so that hosts do not collide). */
  readonly name: string;
  /** The image repository in the registry. */
  readonly repository: string;
}

/** A project of the bench estate, placed in every environment. */
export interface BenchProject {
  /** The project's name and namespace. */
  readonly name: string;
  /** The project's description (a namespace annotation). */
  readonly description: string;
  /** Its services. */
  readonly services: readonly BenchService[];
}

/** A tenant of the bench estate. */
export interface BenchTenant {
  /** The tenant's (workspace's) name. */
  readonly name: string;
  /** The manager's user name. */
  readonly manager: string;
  /** The console name. */
  readonly displayName: string;
  /** Its projects. */
  readonly projects: readonly BenchProject[];
}

/** The whole bench estate for one size. */
export interface BenchEstateSpec {
  /** The number of services. */
  readonly services: number;
  /** Clusters: one host and three members. */
  readonly clusters: readonly BenchCluster[];
  /** Environments, each on its own cluster. */
  readonly environments: readonly BenchEnvironment[];
  /** The ingress class of every cluster. */
  readonly ingressClassName: string;
  /** The namespace of every cluster's ingress controller (the default of the KubeSphere targets). */
  readonly ingressNamespace: string;
  /** The registry host of every image. */
  readonly registry: string;
  /** The tag of every image. */
  readonly imageTag: string;
  /** The one port of every service. */
  readonly port: number;
  /** The configuration values of every service (a ConfigMap, read by the container as environment variables). */
  readonly config: Readonly<Record<string, string>>;
  /** The autoscaling of every service outside production (a HorizontalPodAutoscaler on CPU). */
  readonly autoscaling: BenchAutoscaling;
  /** The autoscaling of every service in production. */
  readonly productionAutoscaling: BenchAutoscaling;
  /** The most pods of every service a voluntary disruption may take at once (a PodDisruptionBudget in every environment). */
  readonly maxUnavailable: number;
  /** The resources of every container (the library's defaults, set explicitly). */
  readonly resources: BenchResources;
  /**
   * The quota of every project namespace, raised so that a project's 10 services fit at their largest
   * production scale (6 replicas and 1 surge pod each).
   */
  readonly projectQuota: BenchProjectQuota;
  /** The environment whose autoscaling every service overrides. */
  readonly productionEnvironment: string;
  /** Tenants of 5 projects of 10 services (the last one has fewer projects when N is not a multiple of 50). */
  readonly tenants: readonly BenchTenant[];
}

/**
 * The bench estate of `n` services × 4 environments on 4 clusters: `n / 10` projects of 10 services, in
 * tenants of 5 projects (so `n / 50` tenants; when `n` is not a multiple of 50, as for N = 60, the last
 * tenant holds the remaining projects).
 * @param n the number of services, a positive multiple of 10
 */
export function benchEstateSpec(n: number): BenchEstateSpec {
  if (!Number.isInteger(n) || n <= 0 || n % SERVICES_PER_PROJECT !== 0) {
    throw new Error(`the bench estate needs a positive multiple of ${SERVICES_PER_PROJECT} services; got ${n}`);
  }
  const projectCount = n / SERVICES_PER_PROJECT;
  const tenants: BenchTenant[] = [];
  for (let t = 0; t * PROJECTS_PER_TENANT < projectCount; t++) {
    const tenant = `t${String(t).padStart(3, '0')}`;
    const projects: BenchProject[] = [];
    for (let p = 0; p < PROJECTS_PER_TENANT && t * PROJECTS_PER_TENANT + p < projectCount; p++) {
      const project = `${tenant}-p${p}`;
      const services: BenchService[] = [];
      for (let s = 0; s < SERVICES_PER_PROJECT; s++) {
        const name = `${project}-s${s}`;
        services.push({ name, repository: `${tenant}/${name}` });
      }
      projects.push({ name: project, description: `Project ${p} of tenant ${t}`, services });
    }
    tenants.push({ name: tenant, manager: `owner-${tenant}`, displayName: `Tenant ${t}`, projects });
  }
  return {
    services: n,
    clusters: [
      { name: 'host', host: true },
      { name: 'member-dev', host: false },
      { name: 'member-test', host: false },
      { name: 'member-staging', host: false },
    ],
    environments: [
      { name: 'development', cluster: 'member-dev', domain: 'dev.example.com', production: false },
      { name: 'test', cluster: 'member-test', domain: 'test.example.com', production: false },
      { name: 'staging', cluster: 'member-staging', domain: 'staging.example.com', production: false },
      { name: 'production', cluster: 'host', domain: 'example.com', production: true, tlsClusterIssuer: 'letsencrypt' },
    ],
    ingressClassName: 'nginx',
    ingressNamespace: 'kubesphere-controls-system',
    registry: 'harbor.example.com',
    imageTag: '1.4.2',
    port: 8080,
    config: { LOG_LEVEL: 'info', POOL_SIZE: '16', FEATURE_FLAGS: 'search,checkout' },
    autoscaling: { minReplicas: 1, maxReplicas: 3, cpuUtilization: 70 },
    productionAutoscaling: { minReplicas: 3, maxReplicas: 6, cpuUtilization: 70 },
    maxUnavailable: 1,
    resources: { cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 },
    projectQuota: { cpuRequestMillis: 8000, cpuLimitMillis: 40000, memoryRequestMiB: 10240, memoryLimitMiB: 20480, pods: 80 },
    productionEnvironment: 'production',
    tenants,
  };
}
