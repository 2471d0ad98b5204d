/**
 * Workload kinds in `platform-cdk import`: the CronJobs, Jobs and DaemonSets the library writes for a service declared
 * with `workload: Workload.cronJob(...)`, `Workload.job(...)` or `Workload.daemonSet(...)` back to typed services. The
 * pod template is read as a Deployment's is (lib/import/service.ts); the controller's own fields become the
 * `Workload` factory's options. A workload is claimed only when it is the library's: named like its pods'
 * `app.kubernetes.io/name`, running as the service's ServiceAccount, with no controller field the options do not
 * say; a CronJob written by a user's cdk8s-plus construct stays an escape hatch (it is the user's object).
 */
import type { KubeObject } from '../manifest';
import { Code, code } from './code';
import type { Ref } from './code';
import type { NamespaceContext } from './passes';
import type { ExportedObject } from './read';
import { storeReferences } from './recognise';
import { readService } from './service';
import { str } from './format';
import { obj } from './json';
import type { Obj } from './json';

/** The workload kinds other than Deployment, by kind, with the API group they are in. */
const KINDS: Readonly<Record<string, string>> = { CronJob: 'batch/', Job: 'batch/', DaemonSet: 'apps/' };

/** The annotations the library writes on a Job so that GitOps tools replace it (lib/batch.ts). */
const JOB_ANNOTATIONS = new Set(['argocd.argoproj.io/sync-options', 'kustomize.toolkit.fluxcd.io/force']);

/** A duration in seconds as cdk8s' `Duration`, in the largest whole unit. */
export function durationCode(seconds: number): Code {
  if (seconds > 0 && seconds % 3600 === 0) return code(['Duration'])`Duration.hours(${seconds / 3600})`;
  if (seconds > 0 && seconds % 60 === 0) return code(['Duration'])`Duration.minutes(${seconds / 60})`;
  return code(['Duration'])`Duration.seconds(${seconds})`;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

/** Writes options as an object literal of Code (`{ schedule: '…', activeDeadline: Duration.hours(2) }`). */
function optionsCode(options: readonly [string, string | Code][]): Code {
  const parts: (string | Ref)[] = [];
  const names: string[] = [];
  options.forEach(([k, v], i) => {
    parts.push(`${i === 0 ? '{ ' : ', '}${k}: `);
    if (typeof v === 'string') parts.push(v);
    else parts.push(...v.parts), names.push(...v.names);
  });
  parts.push(' }');
  return new Code(parts, [...new Set(names)]);
}

/** A Job's options from its spec, or undefined when it holds a field the options cannot say. */
function jobOptions(spec: Obj): [string, string | Code][] | undefined {
  const known = new Set(['backoffLimit', 'activeDeadlineSeconds', 'parallelism', 'completions', 'ttlSecondsAfterFinished', 'template']);
  if (Object.keys(spec).some((k) => !known.has(k))) return undefined;
  const out: [string, string | Code][] = [];
  if (spec.backoffLimit !== undefined && spec.backoffLimit !== 3) {
    if (!isCount(spec.backoffLimit)) return undefined;
    out.push(['backoffLimit', String(spec.backoffLimit)]);
  }
  if (spec.activeDeadlineSeconds !== undefined) {
    if (!isCount(spec.activeDeadlineSeconds) || spec.activeDeadlineSeconds === 0) return undefined;
    out.push(['activeDeadline', durationCode(spec.activeDeadlineSeconds)]);
  }
  for (const k of ['parallelism', 'completions']) {
    if (spec[k] === undefined) continue;
    if (!isCount(spec[k]) || spec[k] === 0) return undefined;
    out.push([k, String(spec[k])]);
  }
  if (spec.ttlSecondsAfterFinished !== undefined) {
    if (!isCount(spec.ttlSecondsAfterFinished)) return undefined;
    out.push(['ttlAfterFinished', durationCode(spec.ttlSecondsAfterFinished)]);
  }
  const restart = obj(obj(spec.template).spec).restartPolicy;
  if (restart === 'OnFailure') out.push(['restartPolicy', code(['JobRestartPolicy'])`JobRestartPolicy.ON_FAILURE`]);
  else if (restart !== undefined && restart !== 'Never') return undefined;
  return out;
}

/** What a workload object gives: the `Workload` factory call and the pod template (as a Deployment to read). */
export interface WorkloadReading {
  /** `Workload.cronJob({ … })` and the like. */
  readonly workload: Code;
  /** The pod template in a Deployment's shape, for lib/import/service.ts. */
  readonly asDeployment: KubeObject;
}

/**
 * Reads a CronJob, Job or DaemonSet the library wrote; undefined when it is not one (another kind, a user's object,
 * or a field the typed options cannot say).
 * @param o the object
 */
export function readWorkload(o: KubeObject): WorkloadReading | undefined {
  const group = KINDS[o.kind];
  if (!group || !o.apiVersion.startsWith(group)) return undefined;
  const name = o.metadata.name;
  const spec = obj((o as unknown as Obj).spec);
  let template: Obj;
  let workload: Code;
  if (o.kind === 'CronJob') {
    const known = new Set(['schedule', 'timeZone', 'concurrencyPolicy', 'startingDeadlineSeconds', 'suspend', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit', 'jobTemplate']);
    const jt = obj(spec.jobTemplate);
    if (Object.keys(spec).some((k) => !known.has(k)) || typeof spec.schedule !== 'string' || Object.keys(jt).some((k) => k !== 'metadata' && k !== 'spec')) return undefined;
    const job = jobOptions(obj(jt.spec));
    if (!job) return undefined;
    const opts: [string, string | Code][] = [['schedule', str(spec.schedule)]];
    if (spec.timeZone !== undefined) {
      if (typeof spec.timeZone !== 'string') return undefined;
      opts.push(['timeZone', str(spec.timeZone)]);
    }
    const policy = spec.concurrencyPolicy ?? 'Forbid';
    const POLICIES: Record<string, string> = { Allow: 'ALLOW', Forbid: 'FORBID', Replace: 'REPLACE' };
    if (typeof policy !== 'string' || !POLICIES[policy]) return undefined;
    if (policy !== 'Forbid') opts.push(['concurrencyPolicy', code(['ConcurrencyPolicy'])`ConcurrencyPolicy.${POLICIES[policy]}`]);
    if (spec.startingDeadlineSeconds !== undefined) {
      if (!isCount(spec.startingDeadlineSeconds)) return undefined;
      opts.push(['startingDeadline', durationCode(spec.startingDeadlineSeconds)]);
    }
    if (spec.suspend === true) opts.push(['suspend', 'true']);
    else if (spec.suspend !== undefined && spec.suspend !== false) return undefined;
    for (const [k, prop, d] of [['successfulJobsHistoryLimit', 'successfulJobsHistory', 3], ['failedJobsHistoryLimit', 'failedJobsHistory', 1]] as const) {
      if (spec[k] === undefined || spec[k] === d) continue;
      if (!isCount(spec[k])) return undefined;
      opts.push([prop, String(spec[k])]);
    }
    template = obj(obj(jt.spec).template);
    workload = code(['Workload'])`Workload.cronJob(${optionsCode([...opts, ...job])})`;
  } else if (o.kind === 'Job') {
    const job = jobOptions(spec);
    if (!job || Object.keys(o.metadata.annotations ?? {}).some((k) => !JOB_ANNOTATIONS.has(k) && !k.startsWith('waiver.platform-cdk.io/'))) return undefined;
    template = obj(spec.template);
    workload = code(['Workload'])`Workload.job(${job.length > 0 ? optionsCode(job) : ''})`;
  } else {
    const known = new Set(['selector', 'updateStrategy', 'revisionHistoryLimit', 'template']);
    const strategy = obj(spec.updateStrategy);
    const max = obj(strategy.rollingUpdate).maxUnavailable ?? 1;
    if (Object.keys(spec).some((k) => !known.has(k)) || (strategy.type !== undefined && strategy.type !== 'RollingUpdate') || !isCount(max) || max === 0) return undefined;
    if (spec.revisionHistoryLimit !== undefined && spec.revisionHistoryLimit !== 5) return undefined;
    template = obj(spec.template);
    workload = max !== 1 ? code(['Workload'])`Workload.daemonSet({ maxUnavailable: ${max} })` : code(['Workload'])`Workload.daemonSet()`;
  }
  // The library's: its pods carry the service's name and run as its ServiceAccount.
  const pod = obj(template.spec);
  if (obj(obj(template.metadata).labels)['app.kubernetes.io/name'] !== name || pod.serviceAccountName !== name) return undefined;
  const podSpec = { ...pod };
  delete podSpec.restartPolicy;
  const asDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...o.metadata, annotations: Object.fromEntries(Object.entries(o.metadata.annotations ?? {}).filter(([k]) => !JOB_ANNOTATIONS.has(k))) },
    spec: { selector: { matchLabels: { 'app.kubernetes.io/name': name } }, template: { ...template, spec: podSpec } },
  } as unknown as KubeObject;
  return { workload, asDeployment };
}

/**
 * The pass: each CronJob, Job or DaemonSet the library wrote becomes a service with its `workload` (its Service,
 * ServiceAccount and the ExternalSecret of its store references are claimed with it).
 */
export function readWorkloads(ctx: NamespaceContext): void {
  for (const e of ctx.unclaimed()) {
    const reading = readWorkload(e.object);
    const name = e.object.metadata.name;
    if (!reading || ctx.services.has(name)) continue;
    const service = ctx.unclaimed().find((x) => x.object.kind === 'Service' && x.object.metadata.name === name && e.object.kind === 'DaemonSet');
    const read = readService(reading.asDeployment, service?.object, ctx.environment.production);
    const claimGenerated = (x: ExportedObject): void => ctx.claim(x, 'generated', `written for service ${name} from its secret store references`);
    storeReferences(read.fields, ctx.unclaimed(), claimGenerated);
    read.fields.extra = { ...read.fields.extra, workload: reading.workload };
    ctx.services.set(name, read.fields);
    ctx.sources.set(name, { deployment: reading.asDeployment, service: service?.object });
    for (const n of read.notCarried) ctx.note(name, `not carried: ${n}`);
    for (const [v, [secret, k]] of Object.entries(read.fields.secrets ?? {})) {
      ctx.note(name, `TODO: ${v} reads key ${k} of the Secret ${secret}: its value is not imported; the Secret must exist in the project's namespace of every environment`);
    }
    ctx.claim(e, 'typed', `service ${ctx.project.name}/${name} (${e.object.kind})${read.notCarried.length > 0 ? ` (not carried: ${read.notCarried.join(', ')})` : ''}`);
    if (service) ctx.claim(service, 'typed', `ports of service ${name}`);
    const account = ctx.unclaimed().find((x) => x.object.kind === 'ServiceAccount' && x.object.metadata.name === name);
    if (account) ctx.claim(account, 'generated', `written for service ${name} by default`);
  }
}
