/**
 * The controller around a service's pod template: a Deployment (the default), a Job, a CronJob or a DaemonSet. The
 * pod template is the one every kind shares (lib/workloads.ts), so the security baseline, resources, configuration,
 * secrets and connections are the same whatever the kind.
 */
import type { Duration } from 'cdk8s';
import type { AppService, ServiceSettings } from '../constructs/app-service';
import { RolloutStrategy } from '../constructs/service-options';
import { ConcurrencyPolicy, JobOptions, JobRestartPolicy, Workload, WorkloadKind } from '../constructs/workload';
import type { KubeObject } from './manifest';
import type { JsonObject } from './yaml';

/** The API version of each workload kind. */
export const WORKLOAD_API_VERSIONS: Readonly<Record<WorkloadKind, string>> = {
  Deployment: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

/**
 * What a Job carries so that GitOps tools replace it when its pod template changes (a Job's template cannot be
 * changed in place): Argo CD (and KubeSphere's GitOps, built on it) and Flux delete and create it again.
 */
export const JOB_REPLACE_ANNOTATIONS: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Force=true,Replace=true',
  'kustomize.toolkit.fluxcd.io/force': 'enabled',
};

/** The metadata of a workload object. */
export interface WorkloadMetadata {
  /** Its name. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Its labels (the pods' labels). */
  readonly labels: Record<string, string>;
  /** Its annotations, if any. */
  readonly annotations?: Record<string, string>;
}

/** The kind a service runs as. */
export function workloadKindOf(service: AppService): WorkloadKind {
  const w = (service as { workload?: Workload }).workload;
  return w instanceof Workload ? w.kind : 'Deployment';
}

function seconds(d: Duration | undefined): number | undefined {
  return d === undefined ? undefined : d.toSeconds();
}

function jobSpec(o: JobOptions, template: JsonObject): JsonObject {
  const spec = (template.spec ?? {}) as JsonObject;
  return {
    backoffLimit: o.backoffLimit ?? 3,
    activeDeadlineSeconds: seconds(o.activeDeadline),
    parallelism: o.parallelism,
    completions: o.completions,
    ttlSecondsAfterFinished: seconds(o.ttlAfterFinished),
    template: { ...template, spec: { ...spec, restartPolicy: o.restartPolicy ?? JobRestartPolicy.NEVER } },
  };
}

/**
 * The controller object of a service in one environment, around its pod template.
 * @param service the service
 * @param settings its settings in the environment
 * @param metadata the object's name, namespace, labels and annotations
 * @param template the pod template
 * @param selector the pods' selector
 */
export function renderController(service: AppService, settings: ServiceSettings, metadata: WorkloadMetadata, template: JsonObject, selector: Record<string, string>): KubeObject {
  const w = (service as { workload?: Workload }).workload;
  const kind = w instanceof Workload ? w.kind : 'Deployment';
  const meta = { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels, annotations: metadata.annotations };
  const apiVersion = WORKLOAD_API_VERSIONS[kind];
  if (kind === 'DaemonSet') {
    return {
      apiVersion,
      kind,
      metadata: meta,
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: w?.daemonSet?.maxUnavailable ?? 1 } },
        revisionHistoryLimit: 5,
        template,
      },
    };
  }
  if (kind === 'Job') {
    return { apiVersion, kind, metadata: { ...meta, annotations: { ...metadata.annotations, ...JOB_REPLACE_ANNOTATIONS } }, spec: jobSpec(w?.job ?? {}, template) };
  }
  if (kind === 'CronJob') {
    const c = w?.cronJob;
    return {
      apiVersion,
      kind,
      metadata: meta,
      spec: {
        schedule: w?.schedule ?? '',
        timeZone: c?.timeZone,
        concurrencyPolicy: c?.concurrencyPolicy ?? ConcurrencyPolicy.FORBID,
        startingDeadlineSeconds: seconds(c?.startingDeadline),
        suspend: c?.suspend,
        successfulJobsHistoryLimit: c?.successfulJobsHistory ?? 3,
        failedJobsHistoryLimit: c?.failedJobsHistory ?? 1,
        jobTemplate: { metadata: { labels: metadata.labels }, spec: jobSpec(c ?? {}, template) },
      },
    };
  }
  return {
    apiVersion,
    kind: 'Deployment',
    metadata: meta,
    spec: {
      replicas: settings.autoscaling || settings.externalReplicas ? undefined : settings.replicas,
      strategy: service.rollout === RolloutStrategy.RECREATE ? { type: 'Recreate' } : undefined,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      template,
    },
  };
}

/** How a release pipeline waits for a released image: the resource, where its pod template is, and what it waits for. */
export interface ReleaseWait {
  /** The kubectl resource, e.g. `deployment`. */
  readonly resource: string;
  /** The JSONPath of the pod spec, e.g. `.spec.template.spec`. */
  readonly template: string;
  /** The kubectl command that waits for the release to finish (the resource is appended), if any. */
  readonly done?: string;
}

/**
 * How a release pipeline waits for a service's released image: a Deployment's or DaemonSet's rollout, a Job's
 * completion; a CronJob runs the new image at its next run, so the wait ends once the CronJob has it.
 * @param service the service
 */
export function releaseWait(service: AppService): ReleaseWait {
  switch (workloadKindOf(service)) {
    case 'DaemonSet':
      return { resource: 'daemonset', template: '.spec.template.spec', done: 'rollout status daemonset' };
    case 'Job':
      return { resource: 'job', template: '.spec.template.spec', done: 'wait --for=condition=complete job' };
    case 'CronJob':
      return { resource: 'cronjob', template: '.spec.jobTemplate.spec.template.spec' };
    default:
      return { resource: 'deployment', template: '.spec.template.spec', done: 'rollout status deployment' };
  }
}
