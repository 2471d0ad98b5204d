/**
 * Limit ranges in `platform-cdk import`: the LimitRange `project-limits` the library writes into every project's
 * namespace holds the environment's container defaults (`addEnvironment(name, { resources })` over the platform's).
 * Where an environment's LimitRanges all give the same values and they differ from the library's defaults, the
 * environment gets them as its `resources`; the services of such a namespace keep every resource they run with
 * written out (a service that runs with the library's default would otherwise take the environment's).
 */
import type { KubeObject } from '../manifest';
import type { EstateContext, EstateIndex, NamespaceContext } from './passes';
import { DEFAULT_RESOURCES, quantity } from './service';
import { obj } from './json';
import type { Obj } from './json';

/**
 * A LimitRange's container defaults (millicores, MiB), when it is one the library writes: one `Container` limit with a
 * default request and a default limit for cpu and memory, nothing else.
 * @param o the LimitRange
 */
export function readLimits(o: KubeObject): Record<string, number> | undefined {
  const limits = obj((o as unknown as Obj).spec).limits;
  if (!Array.isArray(limits) || limits.length !== 1) return undefined;
  const l = obj(limits[0]);
  if (l.type !== 'Container' || Object.keys(l).some((k) => !['type', 'default', 'defaultRequest'].includes(k))) return undefined;
  const values: Record<string, number | undefined> = {
    cpuRequestMillis: quantity(obj(l.defaultRequest).cpu, true),
    cpuLimitMillis: quantity(obj(l.default).cpu, true),
    memoryRequestMiB: quantity(obj(l.defaultRequest).memory, false),
    memoryLimitMiB: quantity(obj(l.default).memory, false),
  };
  if (Object.values(values).some((v) => v === undefined)) return undefined;
  return values as Record<string, number>;
}

/** Per estate: each environment's container defaults by namespace (undefined: a LimitRange the library does not write). */
const FOUND = new WeakMap<EstateIndex, Map<string, (Record<string, number> | undefined)[]>>();

/**
 * The namespace pass: reads the namespace's LimitRange; where it differs from the library's defaults, the namespace's
 * services get the default values they run with written out.
 * @param ctx the namespace
 */
export function readLimitRange(ctx: NamespaceContext): void {
  const lr = ctx.objects.find((e) => e.object.kind === 'LimitRange' && e.object.metadata.name === 'project-limits');
  if (!lr) return;
  const values = readLimits(lr.object);
  const byEnv = FOUND.get(ctx.index) ?? FOUND.set(ctx.index, new Map()).get(ctx.index)!;
  (byEnv.get(ctx.environment.name) ?? byEnv.set(ctx.environment.name, []).get(ctx.environment.name)!).push(values);
  if (!values) return;
  const differ = Object.keys(values).filter((k) => values[k] !== DEFAULT_RESOURCES[k]);
  if (differ.length === 0) return;
  for (const f of ctx.services.values()) {
    for (const k of differ) if (f.resources?.[k] === undefined) f.resources = { ...f.resources, [k]: DEFAULT_RESOURCES[k] };
  }
}

/**
 * The estate pass: an environment whose LimitRanges all give the same defaults, other than the library's, gets them.
 * @param ctx the estate
 */
export function writeEnvironmentResources(ctx: EstateContext): void {
  const byEnv = FOUND.get(ctx.index);
  FOUND.delete(ctx.index);
  for (const [env, list] of byEnv ?? []) {
    const first = list[0];
    if (!first || list.some((v) => JSON.stringify(v) !== JSON.stringify(first))) continue;
    const own = Object.fromEntries(Object.entries(first).filter(([k, v]) => v !== DEFAULT_RESOURCES[k]));
    const e = ctx.index.environments.get(env);
    if (e && Object.keys(own).length > 0) e.resources = own;
  }
}
