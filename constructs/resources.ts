import type { ProblemCollector } from '../lib/problems';
import type { JsonObject } from '../lib/yaml';

/**
 * CPU and memory for one container: what the scheduler reserves (request) and the most it may use (limit).
 * Every field is optional so that an environment or a service can override only what it changes; what is
 * left out comes from the next level (service → environment → platform).
 */
export interface Resources {
  /** CPU reserved, in millicores (1000 = one core). */
  readonly cpuRequestMillis?: number;
  /** CPU limit, in millicores. */
  readonly cpuLimitMillis?: number;
  /** Memory reserved, in MiB. */
  readonly memoryRequestMiB?: number;
  /** Memory limit, in MiB; the container is killed above it. */
  readonly memoryLimitMiB?: number;
}

/** Resources with every field set, as rendered. */
export type ResolvedResources = Required<Resources>;

/** The resources a container gets when nothing else is said: 100m/500m CPU, 128/256 MiB memory. */
export const DEFAULT_RESOURCES: ResolvedResources = {
  cpuRequestMillis: 100,
  cpuLimitMillis: 500,
  memoryRequestMiB: 128,
  memoryLimitMiB: 256,
};

/** Merges resource settings, later ones winning field by field. */
export function mergeResources(...layers: (Resources | undefined)[]): ResolvedResources {
  const out: { -readonly [K in keyof Resources]-?: number } = { ...DEFAULT_RESOURCES };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(DEFAULT_RESOURCES) as (keyof Resources)[]) {
      const v = layer[key];
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

/** The Kubernetes `resources` of a container. */
export function renderResources(r: ResolvedResources): JsonObject {
  return {
    requests: { cpu: `${r.cpuRequestMillis}m`, memory: `${r.memoryRequestMiB}Mi` },
    limits: { cpu: `${r.cpuLimitMillis}m`, memory: `${r.memoryLimitMiB}Mi` },
  };
}

/**
 * Reports resource settings that are not positive whole numbers, and requests above limits.
 * @internal
 */
export function checkResources(problems: ProblemCollector, path: string, property: string, given: Resources | undefined, resolved?: ResolvedResources): void {
  if (given) {
    for (const key of Object.keys(DEFAULT_RESOURCES) as (keyof Resources)[]) {
      const v = given[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) {
        problems.error({ path, property: `${property}.${key}`, value: v, message: 'resources must be positive whole numbers', fix: `set ${key} to a whole number above 0` });
      }
    }
  }
  if (resolved) {
    if (resolved.cpuRequestMillis > resolved.cpuLimitMillis) {
      problems.error({ path, property: `${property}.cpuRequestMillis`, value: resolved.cpuRequestMillis, message: `the CPU request is above the CPU limit of ${resolved.cpuLimitMillis}m`, fix: 'lower the request or raise cpuLimitMillis' });
    }
    if (resolved.memoryRequestMiB > resolved.memoryLimitMiB) {
      problems.error({ path, property: `${property}.memoryRequestMiB`, value: resolved.memoryRequestMiB, message: `the memory request is above the memory limit of ${resolved.memoryLimitMiB} MiB`, fix: 'lower the request or raise memoryLimitMiB' });
    }
  }
}
