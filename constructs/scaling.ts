/**
 * Scaling owned elsewhere: a service whose replica count an internal platform, an operator or the KubeSphere
 * console sets. The Deployment is written without `replicas`, no HorizontalPodAutoscaler is written, and the
 * deployment tools are told to leave the count alone (docs/services.md, "Scaling").
 */
import { checkWholeNumber } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import type { AutoscalingOptions } from './service-options';

/** Options of {@link Replicas.external}. */
export interface ExternalReplicasOptions {
  /**
   * The fewest replicas the owner keeps running. The production rule (at least 2 replicas) checks it, and it is
   * written on the Deployment (`scaling.platform-cdk.io/min-replicas`) so that the owner and the checks can read it.
   * It is not written as `replicas`: a new Deployment starts at Kubernetes' default of 1 until the owner scales it.
   * @default - the environment's replicas (2 in production, 1 elsewhere, unless the environment sets them)
   */
  readonly min?: number;
  /**
   * The most replicas the owner may run: the project's quota must hold this many pods (with the rolling-update surge).
   * @default - `min`
   */
  readonly max?: number;
  /**
   * Who sets the count, in a few words (written on the Deployment as `scaling.platform-cdk.io/owner`).
   * @default - none
   */
  readonly owner?: string;
}

const EXTERNAL = Symbol.for('platform-cdk.ExternalReplicas');

/** A replica count set outside the model (see {@link Replicas.external}). */
export class ExternalReplicas {
  /** Whether a value is an external replica count. */
  public static isExternalReplicas(this: void, x: unknown): x is ExternalReplicas {
    return typeof x === 'object' && x !== null && EXTERNAL in x;
  }

  /** @internal */
  public constructor(
    /** What was given. */
    public readonly options: ExternalReplicasOptions,
  ) {
    Object.defineProperty(this, EXTERNAL, { value: true });
  }
}

/**
 * Replica counts that are not a number.
 *
 * @example
 * project.addService('dispatch-engine', {
 *   image,
 *   perEnvironment: { production: { replicas: Replicas.external({ min: 4, max: 24, owner: 'the DevOps platform' }) } },
 * });
 */
export class Replicas {
  /**
   * The replica count is set by someone else: an internal platform, an operator, the KubeSphere console. The
   * Deployment has no `replicas`, no HorizontalPodAutoscaler is written, Argo CD ignores `/spec/replicas` of the
   * Deployment, and Pulumi ignores changes to `spec.replicas`, so that nothing reverts a scale-out.
   * @param options the fewest and most replicas the owner runs, and who it is
   */
  public static external(options: ExternalReplicasOptions = {}): ExternalReplicas {
    return new ExternalReplicas({ ...options });
  }

  private constructor() {}
}

/** A replica count: a number, or set by someone else. */
export type ReplicaCount = number | ExternalReplicas;

/** An external replica count, resolved in one environment. */
export interface ResolvedExternalReplicas {
  /** The fewest replicas the owner keeps. */
  readonly min: number;
  /** The most replicas the owner may run. */
  readonly max: number;
  /** Who sets the count, if said. */
  readonly owner?: string;
}

/** The replica fields of a service's settings in one environment. */
export interface ResolvedReplicas {
  /** Replicas: the autoscaler's minimum when it autoscales, the owner's minimum when scaled elsewhere. */
  readonly replicas: number;
  /** The most replicas: the autoscaler's maximum, the owner's maximum, else `replicas`. */
  readonly maxReplicas: number;
  /** Set when the count is owned elsewhere (and the service does not autoscale). */
  readonly externalReplicas?: ResolvedExternalReplicas;
  /** Set when the service autoscales and its replicas are also set elsewhere (a model error; the autoscaler wins). */
  readonly replicasOwnedTwice?: boolean;
}

/**
 * The replicas of a service in one environment. An autoscaler owns the count when there is one (a service that
 * declares both is a model error, reported by the service's checks).
 * @param autoscaling the autoscaling in the environment
 * @param declared the replicas declared for the environment (override, then service)
 * @param environmentReplicas the environment's default replicas
 */
export function resolveReplicas(autoscaling: AutoscalingOptions | undefined, declared: ReplicaCount | undefined, environmentReplicas: number): ResolvedReplicas {
  if (autoscaling) {
    const owned = ExternalReplicas.isExternalReplicas(declared) ? { replicasOwnedTwice: true } : {};
    return { replicas: autoscaling.minReplicas, maxReplicas: Math.max(autoscaling.maxReplicas, autoscaling.minReplicas), ...owned };
  }
  if (ExternalReplicas.isExternalReplicas(declared)) {
    const min = declared.options.min ?? environmentReplicas;
    const max = Math.max(declared.options.max ?? min, min);
    return { replicas: min, maxReplicas: max, externalReplicas: { min, max, owner: declared.options.owner } };
  }
  const replicas = declared ?? environmentReplicas;
  return { replicas, maxReplicas: replicas };
}

/**
 * Reports a replica count that is neither a whole number nor `Replicas.external()` with sound bounds.
 * @param problems where problems go
 * @param path the service's construct path
 * @param property `replicas` or `perEnvironment["…"].replicas`
 * @param value what was given
 * @internal
 */
export function checkReplicas(problems: ProblemCollector, path: string, property: string, value: unknown): void {
  if (value === undefined) return;
  if (!ExternalReplicas.isExternalReplicas(value)) {
    const r = checkWholeNumber(value, 0);
    if (r) problems.error({ path, property, value, message: `${r}, or Replicas.external() when the count is set elsewhere`, fix: 'set replicas to 0 or more' });
    return;
  }
  const { min, max, owner } = value.options;
  const m = min === undefined ? undefined : checkWholeNumber(min, 0);
  if (m) problems.error({ path, property: `${property}.min`, value: min, message: m, fix: 'give the fewest replicas the owner keeps, 0 or more' });
  const x = max === undefined ? undefined : checkWholeNumber(max, 1);
  if (x) problems.error({ path, property: `${property}.max`, value: max, message: x, fix: 'give the most replicas the owner may run, 1 or more' });
  if (!m && !x && min !== undefined && max !== undefined && min > max) {
    problems.error({ path, property, value: `min ${min} > max ${max}`, message: 'the fewest replicas the owner keeps is above the most it may run', fix: `raise max to at least ${min} or lower min` });
  }
  if (owner !== undefined && (typeof owner !== 'string' || owner.trim() === '' || owner.length > 253 || /[\r\n]/.test(owner))) {
    problems.error({ path, property: `${property}.owner`, value: owner, message: 'the owner is a short text on one line (at most 253 characters)', fix: 'name who sets the count, e.g. "the DevOps platform", or leave it out' });
  }
}

/**
 * Reports a service whose replicas are set elsewhere and that also autoscales in an environment: both would own
 * the count.
 * @param problems where problems go
 * @param path the service's construct path
 * @param environment the environment's name
 * @param settings the service's replicas there
 * @internal
 */
export function checkReplicaOwners(problems: ProblemCollector, path: string, environment: string, settings: ResolvedReplicas): void {
  if (!settings.replicasOwnedTwice) return;
  problems.error({
    path,
    property: `replicas (in ${environment})`,
    value: 'Replicas.external()',
    message: `in environment ${environment} the service autoscales and its replicas are set elsewhere, and only one of them can own the count (an autoscaler would fight the owner)`,
    fix: `set autoscaling: false in perEnvironment["${environment}"], or give a number of replicas there`,
  });
}
