/**
 * The import's recogniser of a service's scaling and availability: the HorizontalPodAutoscaler the library writes
 * from `autoscaling`, the PodDisruptionBudget (written by default in production, from `disruptionBudget` elsewhere),
 * and a Deployment whose replica count is set elsewhere (`Replicas.external()`, its `scaling.platform-cdk.io/*`
 * annotations). Each becomes the service's prop (or an environment's override) only when the library writes the
 * object again as it is; otherwise it stays unclaimed and is carried through an escape hatch.
 */
import { ScalingAnnotations, EXTERNAL_REPLICAS } from '../scaling';
import type { KubeObject } from '../manifest';
import { code } from './code';
import type { NamespaceContext, NamespacePass } from './passes';
import { obj } from './json';
import type { Obj } from './json';

/**
 * A TypeScript string literal, single-quoted, as `str()` of lib/import/writer.ts writes it. The recognisers do not
 * import the writer: it imports lib/import/recognise.ts, which loads the passes, so a pass module loaded first would
 * see itself unfinished in the list of passes.
 */
export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

/** JSON with the keys of every object sorted and `undefined` members left out: equal text, equal value. */
export function canonical(x: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.keys(v).sort().filter((k) => (v as Obj)[k] !== undefined).map((k) => [k, sort((v as Obj)[k])]));
    return v;
  };
  return JSON.stringify(sort(x)) ?? 'undefined';
}

/** The autoscaling options of a service, as `autoscaling` takes them. */
export interface ReadAutoscaling {
  /** The fewest replicas. */
  readonly minReplicas: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /** CPU target in percent, when not the default (70 without a memory target). */
  readonly cpuUtilization?: number;
  /** Memory target in percent. */
  readonly memoryUtilization?: number;
}

/** The `spec` the library writes for a service's autoscaling (lib/workloads.ts). */
function autoscalerSpec(service: string, a: ReadAutoscaling): Obj {
  const metrics: Obj[] = [];
  const cpu = a.cpuUtilization ?? (a.memoryUtilization === undefined ? 70 : undefined);
  if (cpu !== undefined) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } });
  if (a.memoryUtilization !== undefined) metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: a.memoryUtilization } } });
  return { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service }, minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, metrics };
}

function whole(x: unknown, min: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= 1_000_000;
}

/**
 * A HorizontalPodAutoscaler as a service's autoscaling options, if the library writes exactly it again.
 * @param hpa the object
 * @param service the service's name (the Deployment it scales)
 */
export function readAutoscaler(hpa: KubeObject, service: string): ReadAutoscaling | undefined {
  if (hpa.apiVersion !== 'autoscaling/v2' || hpa.kind !== 'HorizontalPodAutoscaler' || hpa.metadata.name !== service) return undefined;
  const spec = obj((hpa as unknown as Obj).spec);
  const { minReplicas, maxReplicas } = spec;
  if (!whole(minReplicas, 1) || !whole(maxReplicas, 1) || maxReplicas < minReplicas) return undefined;
  let cpu: number | undefined;
  let memory: number | undefined;
  for (const m of Array.isArray(spec.metrics) ? spec.metrics : []) {
    const r = obj(obj(m).resource);
    const value = obj(r.target).averageUtilization;
    if (!whole(value, 1) || value > 1000) return undefined;
    if (r.name === 'cpu') cpu = value;
    else if (r.name === 'memory') memory = value;
  }
  const a: ReadAutoscaling = { minReplicas, maxReplicas, ...(cpu !== undefined && !(cpu === 70 && memory === undefined) ? { cpuUtilization: cpu } : {}), ...(memory !== undefined ? { memoryUtilization: memory } : {}) };
  if (cpu === undefined && memory === undefined) return undefined;
  return canonical(autoscalerSpec(service, a)) === canonical(spec) ? a : undefined;
}

/** A disruption budget as `disruptionBudget` takes it. */
export interface ReadDisruptionBudget {
  /** The most pods unavailable. */
  readonly maxUnavailable?: number;
  /** The fewest pods available. */
  readonly minAvailable?: number;
}

/**
 * A PodDisruptionBudget as a service's disruption budget, if the library writes exactly it again.
 * @param pdb the object
 * @param service the service's name (its pods' `app.kubernetes.io/name`)
 */
export function readDisruptionBudget(pdb: KubeObject, service: string): ReadDisruptionBudget | undefined {
  if (pdb.apiVersion !== 'policy/v1' || pdb.kind !== 'PodDisruptionBudget' || pdb.metadata.name !== service) return undefined;
  const spec = obj((pdb as unknown as Obj).spec);
  const { maxUnavailable, minAvailable } = spec;
  if (maxUnavailable !== undefined && !whole(maxUnavailable, 0)) return undefined;
  if (minAvailable !== undefined && !whole(minAvailable, 0)) return undefined;
  if (maxUnavailable === undefined && minAvailable === undefined) return undefined;
  const expected = { maxUnavailable, minAvailable, selector: { matchLabels: { 'app.kubernetes.io/name': service } } };
  if (canonical(expected) !== canonical(spec)) return undefined;
  return { ...(maxUnavailable !== undefined ? { maxUnavailable } : {}), ...(minAvailable !== undefined ? { minAvailable } : {}) };
}

/** A replica count set elsewhere, read from a Deployment's `scaling.platform-cdk.io/*` annotations. */
export interface ReadExternalReplicas {
  /** The fewest replicas, when not the environment's default. */
  readonly min?: number;
  /** The most replicas, when not `min`. */
  readonly max?: number;
  /** Who sets the count. */
  readonly owner?: string;
}

/**
 * The external replica count of a Deployment, if it is scaled elsewhere as the library writes it.
 * @param deployment the Deployment
 * @param defaultReplicas the environment's replicas (2 in production, else 1)
 */
export function readExternalReplicas(deployment: KubeObject, defaultReplicas: number): ReadExternalReplicas | undefined {
  const a = deployment.metadata.annotations ?? {};
  if (a[ScalingAnnotations.REPLICAS] !== EXTERNAL_REPLICAS) return undefined;
  if ((deployment as unknown as { spec?: { replicas?: unknown } }).spec?.replicas !== undefined) return undefined;
  const num = (t: string | undefined): number | undefined => (t !== undefined && /^\d{1,9}$/.test(t) ? Number(t) : undefined);
  const min = num(a[ScalingAnnotations.MIN_REPLICAS]);
  const max = num(a[ScalingAnnotations.MAX_REPLICAS]);
  const owner = a[ScalingAnnotations.OWNER];
  if (min === undefined || max === undefined || max < min || max < 1) return undefined;
  if (owner !== undefined && (owner.trim() === '' || owner.length > 253 || /[\r\n]/.test(owner))) return undefined;
  return { ...(min !== defaultReplicas ? { min } : {}), ...(max !== min ? { max } : {}), ...(owner !== undefined ? { owner } : {}) };
}

/**
 * Autoscaling, disruption budgets and replicas set elsewhere, for each service of a namespace: the autoscaler and
 * the budget become props (`autoscaling`, `disruptionBudget`, or `false` where production has none), an external
 * count becomes `replicas: Replicas.external(...)`.
 */
export const scalingPass: NamespacePass = (ctx: NamespaceContext) => {
  const production = ctx.environment.production;
  for (const [name, fields] of ctx.services) {
    const deployment = ctx.sources.get(name)?.deployment;
    // Another workload kind (lib/import/workloads.ts: a CronJob, Job or DaemonSet) has none of these.
    if (!deployment || deployment.kind !== 'Deployment' || fields.extra?.workload !== undefined) continue;
    const own = (kind: string): ReturnType<NamespaceContext['unclaimed']>[number] | undefined =>
      ctx.unclaimed().find((e) => e.object.kind === kind && e.object.metadata.name === name);
    const extra = (fields.extra ??= {});

    const hpa = own('HorizontalPodAutoscaler');
    const autoscaling = hpa ? readAutoscaler(hpa.object, name) : undefined;
    if (hpa && autoscaling) {
      extra.autoscaling = autoscaling;
      delete fields.replicas;
      ctx.claim(hpa, 'typed', `autoscaling of service ${name} in ${ctx.environment.name}`);
    }

    // An earlier pass may have read the count already (the same annotations): it stands.
    const external = autoscaling || extra.replicas !== undefined ? undefined : readExternalReplicas(deployment, production ? 2 : 1);
    if (external) {
      const parts = [external.min !== undefined ? `min: ${external.min}` : '', external.max !== undefined ? `max: ${external.max}` : '', external.owner !== undefined ? `owner: ${quote(external.owner)}` : ''].filter((x) => x !== '');
      extra.replicas = code(['Replicas'])`Replicas.external(${parts.length > 0 ? `{ ${parts.join(', ')} }` : ''})`;
      delete fields.replicas;
    }

    const pdb = own('PodDisruptionBudget');
    const budget = pdb ? readDisruptionBudget(pdb.object, name) : undefined;
    if (pdb && budget) {
      const isDefault = production && budget.minAvailable === undefined && budget.maxUnavailable === 1;
      if (!isDefault) extra.disruptionBudget = budget;
      ctx.claim(pdb, isDefault ? 'generated' : 'typed', isDefault ? `written for service ${name} by default` : `disruption budget of service ${name} in ${ctx.environment.name}`);
    } else if (pdb) {
      // A budget the library would not write as it is stays as exported (a hatch); the library must not write one
      // of the same name beside it.
      extra.disruptionBudget = false;
      if (production && fields.waivers?.disruptionBudget === undefined) (fields.waivers ??= {}).disruptionBudget = 'the exported PodDisruptionBudget, carried as it is';
      ctx.note(name, `the PodDisruptionBudget ${name} in ${ctx.environment.name} is carried as exported: the library would not write it as it is`);
    } else if (production && !ctx.objects.some((e) => e.object.kind === 'PodDisruptionBudget' && e.object.metadata.name === name)) {
      // Production without a budget: as it runs today, with a waiver to review (as for fewer than 2 replicas).
      extra.disruptionBudget = false;
      if (fields.waivers?.disruptionBudget === undefined) (fields.waivers ??= {}).disruptionBudget = 'TODO: imported without a disruption budget in production; say why, or remove disruptionBudget: false';
    }
    if (Object.keys(extra).length === 0) delete fields.extra;
  }
};
