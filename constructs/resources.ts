import type { ProblemCollector } from '../lib/problems';
import type { JsonObject } from '../lib/yaml';

/** CPU and memory of one container, each field optional. */
export interface ComputeResources {
  /** CPU reserved, in millicores (1000 = one core). */
  readonly cpuRequestMillis?: number;
  /** CPU limit, in millicores. */
  readonly cpuLimitMillis?: number;
  /** Memory reserved, in MiB. */
  readonly memoryRequestMiB?: number;
  /** Memory limit, in MiB; the container is killed above it. */
  readonly memoryLimitMiB?: number;
}

/**
 * CPU, memory and local disk for one container: what the scheduler reserves (request) and the most it may use
 * (limit). Every field is optional so that an environment or a service can override only what it changes; what is
 * left out comes from the next level (service → environment → platform).
 */
export interface Resources extends ComputeResources {
  /**
   * Local disk reserved (writable layer, logs and empty volumes such as `/tmp`), in MiB.
   * @default - none written: the namespace's limit range decides
   */
  readonly ephemeralStorageRequestMiB?: number;
  /**
   * Local disk limit, in MiB; the pod is evicted above it.
   * @default - none written
   */
  readonly ephemeralStorageLimitMiB?: number;
}

/** Resources as rendered: CPU and memory always set, local disk when given. */
export type ResolvedResources = Required<ComputeResources> & Pick<Resources, 'ephemeralStorageRequestMiB' | 'ephemeralStorageLimitMiB'>;

/** The resources a container gets when nothing else is said: 100m/500m CPU, 128/256 MiB memory. */
export const DEFAULT_RESOURCES: Required<ComputeResources> = {
  cpuRequestMillis: 100,
  cpuLimitMillis: 500,
  memoryRequestMiB: 128,
  memoryLimitMiB: 256,
};

/** The local-disk fields of `Resources`, which have no default. */
const EPHEMERAL_KEYS = ['ephemeralStorageRequestMiB', 'ephemeralStorageLimitMiB'] as const;

/** Merges resource settings, later ones winning field by field. */
export function mergeResources(...layers: (Resources | undefined)[]): ResolvedResources {
  const out: { -readonly [K in keyof ResolvedResources]: ResolvedResources[K] } = mergeLayers<ComputeResources>(DEFAULT_RESOURCES, layers);
  for (const key of EPHEMERAL_KEYS) {
    for (const layer of layers) if (layer && layer[key] !== undefined) out[key] = layer[key];
  }
  return out;
}

/**
 * Adds the resources of containers that run together (a pod's container and its sidecars); local disk is summed
 * over the containers that give it.
 * @param all the containers' resources
 */
export function sumResources(all: readonly ResolvedResources[]): ResolvedResources {
  const out: { -readonly [K in keyof ResolvedResources]: ResolvedResources[K] } = { cpuRequestMillis: 0, cpuLimitMillis: 0, memoryRequestMiB: 0, memoryLimitMiB: 0 };
  for (const r of all) {
    out.cpuRequestMillis += r.cpuRequestMillis;
    out.cpuLimitMillis += r.cpuLimitMillis;
    out.memoryRequestMiB += r.memoryRequestMiB;
    out.memoryLimitMiB += r.memoryLimitMiB;
    for (const key of EPHEMERAL_KEYS) if (r[key] !== undefined) out[key] = (out[key] ?? 0) + (r[key] as number);
  }
  return out;
}

/** Merges settings of numbers over their defaults, later layers winning field by field. */
function mergeLayers<T extends object>(defaults: Required<T>, layers: readonly (T | undefined)[]): Required<T> {
  const out = { ...defaults };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(defaults) as (keyof T)[]) {
      const v = layer[key];
      if (v !== undefined) out[key] = v as Required<T>[keyof T];
    }
  }
  return out;
}

/** Reports the fields of a setting that are not positive whole numbers. */
function checkPositiveWholeNumbers<T extends object>(problems: ProblemCollector, path: string, property: string, keys: readonly (keyof T & string)[], given: T, what: string): void {
  for (const key of keys) {
    const v: unknown = given[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > Number.MAX_SAFE_INTEGER)) {
      const huge = typeof v === 'number' && Number.isInteger(v) && v > Number.MAX_SAFE_INTEGER ? ` of at most ${Number.MAX_SAFE_INTEGER}` : '';
      problems.error({ path, property: `${property}.${key}`, value: v, message: `${what} must be positive whole numbers${huge}`, fix: `set ${key} to a whole number above 0` });
    }
  }
}

/** The Kubernetes `resources` of a container. */
export function renderResources(r: ResolvedResources): JsonObject {
  const requests: JsonObject = { cpu: `${r.cpuRequestMillis}m`, memory: `${r.memoryRequestMiB}Mi` };
  const limits: JsonObject = { cpu: `${r.cpuLimitMillis}m`, memory: `${r.memoryLimitMiB}Mi` };
  if (r.ephemeralStorageRequestMiB !== undefined) requests['ephemeral-storage'] = `${r.ephemeralStorageRequestMiB}Mi`;
  if (r.ephemeralStorageLimitMiB !== undefined) limits['ephemeral-storage'] = `${r.ephemeralStorageLimitMiB}Mi`;
  return { requests, limits };
}

/**
 * Reports resource settings that are not positive whole numbers, and requests above limits.
 * @internal
 */
export function checkResources(problems: ProblemCollector, path: string, property: string, given: Resources | undefined, resolved?: ResolvedResources): void {
  if (given) checkPositiveWholeNumbers(problems, path, property, [...(Object.keys(DEFAULT_RESOURCES) as (keyof Resources)[]), ...EPHEMERAL_KEYS], given, 'resources');
  if (resolved) {
    const req = resolved.ephemeralStorageRequestMiB;
    const lim = resolved.ephemeralStorageLimitMiB;
    if (typeof req === 'number' && typeof lim === 'number' && req > lim) {
      problems.error({ path, property: `${property}.ephemeralStorageRequestMiB`, value: req, message: `the local-disk request is above the local-disk limit of ${lim} MiB`, fix: 'lower the request or raise ephemeralStorageLimitMiB' });
    }
    if (resolved.cpuRequestMillis > resolved.cpuLimitMillis) {
      problems.error({ path, property: `${property}.cpuRequestMillis`, value: resolved.cpuRequestMillis, message: `the CPU request is above the CPU limit of ${resolved.cpuLimitMillis}m`, fix: 'lower the request or raise cpuLimitMillis' });
    }
    if (resolved.memoryRequestMiB > resolved.memoryLimitMiB) {
      problems.error({ path, property: `${property}.memoryRequestMiB`, value: resolved.memoryRequestMiB, message: `the memory request is above the memory limit of ${resolved.memoryLimitMiB} MiB`, fix: 'lower the request or raise memoryLimitMiB' });
    }
  }
}

/**
 * What a project may use in one environment: a Kubernetes ResourceQuota on its namespace. Every field is
 * optional so that an environment or a project can set only what it changes; the rest comes from the next
 * level (project → environment → platform → `DEFAULT_PROJECT_QUOTA`).
 */
export interface ProjectQuota {
  /** CPU requests of all pods together, in millicores. */
  readonly cpuRequestMillis?: number;
  /** CPU limits of all pods together, in millicores. */
  readonly cpuLimitMillis?: number;
  /** Memory requests of all pods together, in MiB. */
  readonly memoryRequestMiB?: number;
  /** Memory limits of all pods together, in MiB. */
  readonly memoryLimitMiB?: number;
  /** The number of pods. */
  readonly pods?: number;
}

/** A project quota with every field set, as rendered. */
export type ResolvedProjectQuota = Required<ProjectQuota>;

/** The quota of a project when nothing else is said: 4/8 cores, 8/16 GiB, 50 pods. */
export const DEFAULT_PROJECT_QUOTA: ResolvedProjectQuota = {
  cpuRequestMillis: 4000,
  cpuLimitMillis: 8000,
  memoryRequestMiB: 8192,
  memoryLimitMiB: 16384,
  pods: 50,
};

/** Merges project quotas, later ones winning field by field. */
export function mergeProjectQuota(...layers: (ProjectQuota | undefined)[]): ResolvedProjectQuota {
  return mergeLayers(DEFAULT_PROJECT_QUOTA, layers);
}

/** The `hard` map of a ResourceQuota, in Kubernetes quantities; fields left out of a partial quota are left out. */
export function renderQuotaHard(quota: ProjectQuota): Record<string, string> {
  const hard: Record<string, string> = {};
  if (quota.cpuRequestMillis !== undefined) hard['requests.cpu'] = `${quota.cpuRequestMillis}m`;
  if (quota.cpuLimitMillis !== undefined) hard['limits.cpu'] = `${quota.cpuLimitMillis}m`;
  if (quota.memoryRequestMiB !== undefined) hard['requests.memory'] = `${quota.memoryRequestMiB}Mi`;
  if (quota.memoryLimitMiB !== undefined) hard['limits.memory'] = `${quota.memoryLimitMiB}Mi`;
  if (quota.pods !== undefined) hard.pods = String(quota.pods);
  return hard;
}

/**
 * Reports quota settings that are not positive whole numbers.
 * @internal
 */
export function checkProjectQuota(problems: ProblemCollector, path: string, property: string, given: ProjectQuota | undefined): void {
  if (given) checkPositiveWholeNumbers(problems, path, property, Object.keys(DEFAULT_PROJECT_QUOTA) as (keyof ProjectQuota)[], given, 'quotas');
}
