/**
 * The kind of workload an app service runs as: a Deployment (the default), a Job, a CronJob or a DaemonSet. Every
 * kind gets the same pod (security baseline, resources, configuration, secrets, connections), so a batch job is
 * declared like any service; the options that make no sense for a kind are refused by `checkWorkload`.
 */
import { Cron, Duration } from 'cdk8s';
import { checkCron, checkWholeNumber } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';

/** The Kubernetes kind a service runs as. */
export type WorkloadKind = 'Deployment' | 'Job' | 'CronJob' | 'DaemonSet';

/** What a CronJob does when a run is due while the previous one still runs. */
export enum ConcurrencyPolicy {
  /** Start the new run beside the old one. */
  ALLOW = 'Allow',
  /** Skip the new run. */
  FORBID = 'Forbid',
  /** Stop the old run and start the new one. */
  REPLACE = 'Replace',
}

/** What happens to a failed container of a Job's pod. */
export enum JobRestartPolicy {
  /** The pod fails, and the Job starts a new one (up to `backoffLimit`): each attempt's logs are kept. */
  NEVER = 'Never',
  /** The container restarts in the same pod. */
  ON_FAILURE = 'OnFailure',
}

/** Options of a Job (and of the Jobs a CronJob starts). */
export interface JobOptions {
  /**
   * Attempts before the Job is marked failed.
   * @default 3
   */
  readonly backoffLimit?: number;
  /**
   * The most time a run may take, after which its pods are stopped and it fails.
   * @default - no limit
   */
  readonly activeDeadline?: Duration;
  /**
   * Pods that run at once.
   * @default 1
   */
  readonly parallelism?: number;
  /**
   * Successful pods that complete the Job.
   * @default 1
   */
  readonly completions?: number;
  /**
   * What happens to a failed container.
   * @default JobRestartPolicy.NEVER
   */
  readonly restartPolicy?: JobRestartPolicy;
  /**
   * How long a finished Job is kept before Kubernetes deletes it. Not for a plain Job synced by GitOps or Pulumi: the
   * tool would create it again, and it would run again (a CronJob's Jobs are not in the output, so they may have one).
   * @default - kept (a CronJob keeps its last runs by `successfulJobsHistory` and `failedJobsHistory`)
   */
  readonly ttlAfterFinished?: Duration;
}

/** Options of a CronJob. */
export interface CronJobOptions extends JobOptions {
  /** When it runs: five cron fields (`"30 2 * * *"`), a macro such as `"@daily"`, or a cdk8s `Cron`. */
  readonly schedule: string | Cron;
  /**
   * The time zone of the schedule (an IANA name such as `"Asia/Shanghai"`).
   * @default - the time zone of the cluster's controller manager (usually UTC)
   */
  readonly timeZone?: string;
  /**
   * What happens when a run is due while the previous one still runs.
   * @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: ConcurrencyPolicy;
  /**
   * How late a missed run may still start (e.g. after the controller was down).
   * @default - no deadline
   */
  readonly startingDeadline?: Duration;
  /**
   * Whether runs are suspended (nothing new starts).
   * @default false
   */
  readonly suspend?: boolean;
  /**
   * Successful runs kept.
   * @default 3
   */
  readonly successfulJobsHistory?: number;
  /**
   * Failed runs kept.
   * @default 1
   */
  readonly failedJobsHistory?: number;
}

/** Options of a DaemonSet. */
export interface DaemonSetOptions {
  /**
   * Nodes whose pod may be replaced at once during a rollout.
   * @default 1
   */
  readonly maxUnavailable?: number;
}

/**
 * What an app service runs as. `Workload.deployment()` is the default; `Workload.job()`, `Workload.cronJob()` and
 * `Workload.daemonSet()` run the same pod as a batch job, on a schedule, or on every node.
 *
 * @example
 * project.addService('mileage-daily', {
 *   image: harbor.image('analytics/mileage-stats', '1.6.0'),
 *   workload: Workload.cronJob({ schedule: '30 1 * * *', timeZone: 'Asia/Shanghai' }),
 * });
 */
export class Workload {
  /** A Deployment: long-running replicas (the default). */
  public static deployment(): Workload {
    return new Workload('Deployment', {});
  }

  /**
   * A Job: pods that run to completion once per release.
   * @param options attempts, parallelism, deadline
   */
  public static job(options: JobOptions = {}): Workload {
    return new Workload('Job', options);
  }

  /**
   * A CronJob: a Job on a schedule.
   * @param options the schedule, its time zone, concurrency and the Jobs' options
   */
  public static cronJob(options: CronJobOptions): Workload {
    return new Workload('CronJob', options);
  }

  /**
   * A DaemonSet: one pod on every node the pod may run on.
   * @param options the rollout
   */
  public static daemonSet(options: DaemonSetOptions = {}): Workload {
    return new Workload('DaemonSet', options);
  }

  /** The kind's options as given (an empty object when none or no object was given). */
  public readonly options: JobOptions | CronJobOptions | DaemonSetOptions;

  private constructor(
    /** The Kubernetes kind. */
    public readonly kind: WorkloadKind,
    options: JobOptions | CronJobOptions | DaemonSetOptions | undefined,
  ) {
    this.options = typeof options === 'object' && options !== null ? options : {};
  }

  /** Whether it runs to completion (a Job or a CronJob). */
  public get batch(): boolean {
    return this.kind === 'Job' || this.kind === 'CronJob';
  }

  /** The Job options, for a Job or a CronJob. */
  public get job(): JobOptions | undefined {
    return this.batch ? (this.options as JobOptions) : undefined;
  }

  /** The CronJob options, for a CronJob. */
  public get cronJob(): CronJobOptions | undefined {
    return this.kind === 'CronJob' ? (this.options as CronJobOptions) : undefined;
  }

  /** The DaemonSet options, for a DaemonSet. */
  public get daemonSet(): DaemonSetOptions | undefined {
    return this.kind === 'DaemonSet' ? (this.options as DaemonSetOptions) : undefined;
  }

  /** The schedule as written, for a CronJob. */
  public get schedule(): string | undefined {
    const s = this.cronJob?.schedule;
    return s instanceof Cron ? s.expressionString : s;
  }
}

/** The workload option of an app service. */
export interface WorkloadProps {
  /**
   * What the service runs as.
   * @default Workload.deployment()
   */
  readonly workload?: Workload;
}

/** What `checkWorkload` reads of a service: the options given, so that a kind can refuse those that do not apply. */
export interface WorkloadSubject {
  /** The workload. */
  readonly workload: Workload;
  /** The Service ports, if any. */
  readonly ports: readonly unknown[];
  /** Ingress exposures, if any. */
  readonly exposures: readonly unknown[];
  /** Network exposures, if any. */
  readonly networkExposures: readonly unknown[];
  /** The replicas given on the service. */
  readonly replicas?: unknown;
  /** Whether it has a readiness probe. */
  readonly readiness?: unknown;
  /** Metrics scraping, if declared. */
  readonly metrics?: unknown;
  /** Alert rules, if declared. */
  readonly alerts?: unknown;
  /** The rollout strategy. */
  readonly rollout: string;
}

/** The settings given on the service and in each environment that some kinds refuse. */
export interface WorkloadScaling {
  /** Where given: `''` for the service, `perEnvironment["<env>"].` for an environment. */
  readonly prefix: string;
  /** Replicas (environments only; the service's are on the subject). */
  readonly replicas?: unknown;
  /** Autoscaling. */
  readonly autoscaling?: unknown;
  /** The disruption budget. */
  readonly disruptionBudget?: unknown;
  /** Spreading. */
  readonly spread?: unknown;
  /** Waivers of production defaults. */
  readonly waivers?: object;
}

const TIME_ZONES = new Set<string>(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', ...(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [])]);

/** Why a value is not an IANA time zone name, or `undefined` when it is one. */
export function checkTimeZone(value: unknown): string | undefined {
  if (typeof value !== 'string' || !TIME_ZONES.has(value)) return 'not an IANA time zone name';
  return undefined;
}

/** Why a duration is not a whole number of seconds of at least `min`, or `undefined`. */
function checkDurationSeconds(d: unknown, min: number): string | undefined {
  if (d === undefined) return undefined;
  if (!(d instanceof Duration)) return 'the time is a cdk8s Duration, e.g. Duration.minutes(30)';
  let s: number;
  try {
    s = d.toSeconds();
  } catch {
    return 'the time is written in whole seconds';
  }
  if (!Number.isInteger(s) || s < min || s > 2147483647) return `the time must be a whole number of seconds from ${min} to 2147483647`;
  return undefined;
}

/**
 * Checks a service's workload kind and refuses the options that do not apply to it: ports, exposures, readiness,
 * metrics, alerts, replicas, autoscaling, disruption budgets, spreading and waivers on a Job or CronJob; replicas,
 * autoscaling, disruption budgets, spreading, waivers and the Recreate rollout on a DaemonSet.
 * @param problems where problems go
 * @param path the service's construct path
 * @param s the service
 * @param scaling the scaling options given on the service and per environment
 * @internal
 */
export function checkWorkload(problems: ProblemCollector, path: string, s: WorkloadSubject, scaling: readonly WorkloadScaling[]): void {
  const w = s.workload;
  if (!(w instanceof Workload)) {
    problems.error({ path, property: 'workload', value: w, message: 'the workload is made with one of Workload\'s factories', fix: 'use Workload.deployment(), Workload.job(), Workload.cronJob({ schedule }) or Workload.daemonSet()' });
    return;
  }
  if (w.kind === 'Deployment') return;
  const kind = w.kind;
  const refuse = (property: string, value: unknown, what: string, fix: string): void => {
    problems.error({ path, property, value, message: `a ${kind} has no ${what}`, fix });
  };
  if (w.batch) {
    if (s.ports.length > 0) refuse('ports', s.ports.length, 'Service: it runs to completion, and nothing calls it', 'remove the ports (a job that serves requests is a Deployment)');
    if (s.exposures.length > 0) refuse('expose', s.exposures.length, 'Ingress: it runs to completion', 'remove the exposure');
    if (s.readiness !== undefined) refuse('readiness', 'readiness', 'readiness probe: no Service routes to it', 'remove the readiness probe (a liveness probe may stay)');
    if (s.metrics !== undefined) refuse('metrics', 'metrics', 'ServiceMonitor: it has no Service to scrape', 'remove metrics, or push metrics to a Pushgateway from the job');
    if (s.alerts !== undefined) refuse('alerts', 'alerts', 'replica alerts: its pods are meant to finish', 'remove alerts');
    if (s.rollout !== 'RollingUpdate') refuse('rollout', s.rollout, 'rollout strategy: each run starts new pods', 'remove rollout');
  }
  if (s.networkExposures.length > 0 && w.batch) refuse('exposeNetwork', s.networkExposures.length, 'Service: it runs to completion', 'remove the network exposure');
  if (s.replicas !== undefined) refuse('replicas', s.replicas, w.batch ? 'replicas (its pods run to completion)' : 'replicas (one pod runs on each node)', w.batch ? 'remove replicas; set parallelism in the workload\'s options' : 'remove replicas');
  if (kind === 'DaemonSet' && s.rollout === 'Recreate') refuse('rollout', s.rollout, 'Recreate rollout', 'remove rollout: a DaemonSet replaces its pods node by node (maxUnavailable)');
  for (const x of scaling) {
    if (x.replicas !== undefined) refuse(`${x.prefix}replicas`, x.replicas, w.batch ? 'replicas (its pods run to completion)' : 'replicas (one pod runs on each node)', 'remove replicas');
    if (x.autoscaling !== undefined && x.autoscaling !== false) refuse(`${x.prefix}autoscaling`, 'autoscaling', 'autoscaler', 'remove autoscaling');
    if (x.disruptionBudget !== undefined && x.disruptionBudget !== false) refuse(`${x.prefix}disruptionBudget`, 'disruptionBudget', 'disruption budget (node drains do not wait for it; the production rule does not apply)', 'remove disruptionBudget');
    if (x.spread !== undefined && x.spread !== false) refuse(`${x.prefix}spread`, 'spread', 'spreading (the production rule applies to Deployments only)', 'remove spread');
    for (const k of Object.keys(x.waivers ?? {})) refuse(`${x.prefix}waivers.${k}`, k, 'production default to waive (replicas, disruption budgets and spreading are rules of Deployments)', 'remove the waiver');
  }
  const o = w.options as Partial<CronJobOptions & DaemonSetOptions>;
  if (w.batch) {
    const counts: [keyof JobOptions, number][] = [['backoffLimit', 0], ['parallelism', 1], ['completions', 1]];
    for (const [k, min] of counts) {
      const e = o[k] === undefined ? undefined : checkWholeNumber(o[k], min);
      if (e) problems.error({ path, property: `workload.${k}`, value: o[k], message: e, fix: `set ${k} to ${min} or more` });
    }
    if (o.restartPolicy !== undefined && !Object.values(JobRestartPolicy).includes(o.restartPolicy)) problems.error({ path, property: 'workload.restartPolicy', value: o.restartPolicy, message: 'a Job\'s pods restart Never or OnFailure', fix: 'use JobRestartPolicy.NEVER or JobRestartPolicy.ON_FAILURE' });
    for (const [k, min] of [['activeDeadline', 1], ['ttlAfterFinished', 0]] as const) {
      const e = checkDurationSeconds(o[k], min);
      if (e) problems.error({ path, property: `workload.${k}`, value: o[k] instanceof Duration ? o[k]?.toHumanString() : o[k], message: e, fix: 'use e.g. Duration.hours(2)' });
    }
    if (kind === 'Job' && o.ttlAfterFinished !== undefined) problems.warning({ path, property: 'workload.ttlAfterFinished', value: o.ttlAfterFinished instanceof Duration ? o.ttlAfterFinished.toHumanString() : o.ttlAfterFinished, message: 'a Job deleted after it finishes is created again by GitOps or Pulumi, and runs again', fix: 'remove ttlAfterFinished, or run the job on a schedule (Workload.cronJob)' });
  }
  if (kind === 'CronJob') {
    const schedule = w.schedule;
    const c = checkCron(schedule);
    if (c) problems.error({ path, property: 'workload.schedule', value: schedule, message: c, fix: 'write five fields, e.g. "30 2 * * *" (02:30 every day), or a macro such as "@daily"' });
    if (o.timeZone !== undefined && checkTimeZone(o.timeZone)) problems.error({ path, property: 'workload.timeZone', value: o.timeZone, message: 'not an IANA time zone name', fix: 'use a name like "Asia/Shanghai" or "UTC"' });
    if (o.concurrencyPolicy !== undefined && !Object.values(ConcurrencyPolicy).includes(o.concurrencyPolicy)) problems.error({ path, property: 'workload.concurrencyPolicy', value: o.concurrencyPolicy, message: 'the concurrency policy is Allow, Forbid or Replace', fix: 'use ConcurrencyPolicy.FORBID, ALLOW or REPLACE' });
    const d = checkDurationSeconds(o.startingDeadline, 10);
    if (d) problems.error({ path, property: 'workload.startingDeadline', value: o.startingDeadline instanceof Duration ? o.startingDeadline.toHumanString() : o.startingDeadline, message: d, fix: 'use at least Duration.seconds(10): the controller checks every 10 seconds' });
    for (const k of ['successfulJobsHistory', 'failedJobsHistory'] as const) {
      const e = o[k] === undefined ? undefined : checkWholeNumber(o[k], 0);
      if (e) problems.error({ path, property: `workload.${k}`, value: o[k], message: e, fix: `set ${k} to 0 or more` });
    }
    if (o.suspend !== undefined && typeof o.suspend !== 'boolean') problems.error({ path, property: 'workload.suspend', value: o.suspend, message: 'suspend is true or false', fix: 'set suspend: true to stop new runs' });
  }
  if (kind === 'DaemonSet' && o.maxUnavailable !== undefined) {
    const e = checkWholeNumber(o.maxUnavailable, 1);
    if (e) problems.error({ path, property: 'workload.maxUnavailable', value: o.maxUnavailable, message: e, fix: 'set maxUnavailable to 1 or more' });
  }
}

/** The parts of a service's settings in an environment that depend on its workload kind. */
export interface KindSettings {
  /** Replicas (pods that run at once, for quota checks). */
  readonly replicas: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /** Autoscaling, if any. */
  readonly autoscaling?: unknown;
  /** The disruption budget, if any. */
  readonly disruptionBudget?: unknown;
  /** Spreading, if any. */
  readonly spread?: unknown;
}

/**
 * A service's settings with what its kind does not have removed: a Job or CronJob counts `parallelism` pods and a
 * DaemonSet one pod (per node) in quota checks, and neither gets an autoscaler, a disruption budget or spreading
 * (the production defaults of Deployments).
 * @param workload the service's workload
 * @param settings its settings in an environment
 */
export function settleSettings<T extends KindSettings>(workload: Workload | undefined, settings: T): T {
  if (!(workload instanceof Workload) || workload.kind === 'Deployment') return settings;
  const pods = workload.batch ? (workload.job?.parallelism ?? 1) : 1;
  const replicas = typeof pods === 'number' && Number.isInteger(pods) && pods >= 1 ? pods : 1;
  return { ...settings, replicas, maxReplicas: replicas, autoscaling: undefined, disruptionBudget: undefined, spread: undefined };
}
