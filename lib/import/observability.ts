/**
 * The import's recogniser of a service's observability: the log collectors' pod annotations the library writes from
 * `logs` (`fluentbit.io/*`, `co.elastic.logs/*`), the ServiceMonitor it writes from `metrics` and the PrometheusRule
 * `<service>-alerts` it writes from `alerts`. Each becomes the service's option only when the library writes the
 * objects (and annotations) again as they are; otherwise they stay as they were (the objects carried through an
 * escape hatch, the annotations noted). These options hold for every environment: a service whose environments
 * differ in them keeps the first environment's, with a note.
 */
import { LogFormat } from '../../constructs/service-options';
import { PreviewLabels } from '../../constructs/preview';
import { LabelKeys } from '../manifest';
import { serviceAlertRules } from '../workloads';
import type { ServiceAlertPlace } from '../workloads';
import type { KubeObject } from '../manifest';
import { Code, code } from './code';
import { ownedAnnotationNote } from './config';
import type { ServiceFields } from './model';
import type { EstateContext, EstatePass, NamespaceContext, NamespacePass } from './passes';
import { canonical, quote } from './scaling';
import { obj } from './json';
import type { Obj } from './json';

/** Log options, as `logs` takes them. */
export interface ReadLogs {
  /** JSON lines. */
  readonly format?: LogFormat;
  /** Not collected. */
  readonly collect?: false;
  /** The first line of a multi-line record. */
  readonly multilineStart?: string;
}

/** The pod annotations of log collection the library writes (lib/workloads.ts), for some options. */
export function logAnnotationsOf(l: ReadLogs): Record<string, string> {
  if (l.collect === false) return { 'fluentbit.io/exclude': 'true', 'co.elastic.logs/enabled': 'false' };
  const out: Record<string, string> = {};
  if (l.format === LogFormat.JSON) Object.assign(out, { 'fluentbit.io/parser': 'json', 'co.elastic.logs/json.keys_under_root': 'true', 'co.elastic.logs/json.add_error_key': 'true' });
  if (l.multilineStart !== undefined) Object.assign(out, { 'co.elastic.logs/multiline.pattern': l.multilineStart, 'co.elastic.logs/multiline.negate': 'true', 'co.elastic.logs/multiline.match': 'after' });
  return out;
}

const LOG_KEY = /^(fluentbit\.io|co\.elastic\.logs)\//;

/**
 * The log options of a pod template's annotations, when the collectors' annotations are exactly what the library
 * writes for some options (`{}` when there are none); `undefined` when they are not.
 * @param annotations the pod template's annotations
 */
export function readLogs(annotations: Record<string, string>): ReadLogs | undefined {
  const given = Object.fromEntries(Object.entries(annotations).filter(([k]) => LOG_KEY.test(k)));
  if (Object.keys(given).length === 0) return {};
  const multiline = given['co.elastic.logs/multiline.pattern'];
  const candidates: ReadLogs[] = [{ collect: false }];
  for (const format of [undefined, LogFormat.JSON]) candidates.push({ ...(format ? { format } : {}), ...(multiline !== undefined ? { multilineStart: multiline } : {}) });
  return candidates.find((c) => canonical(logAnnotationsOf(c)) === canonical(given));
}

/** Metrics options, as `metrics` takes them (the interval in whole seconds). */
export interface ReadMetrics {
  /** The port's name, when not the first port's. */
  readonly port?: string;
  /** The path, when not `/metrics`. */
  readonly path?: string;
  /** Seconds between scrapes, when not 30. */
  readonly interval?: number;
}

/** The labels the library writes on a service's objects, whatever the cluster's monitoring labels. */
const WORKLOAD_LABELS: ReadonlySet<string> = new Set([...Object.values(LabelKeys), PreviewLabels.PREVIEW, PreviewLabels.OWNER, PreviewLabels.EXPIRES]);

/** Whether an object's labels beyond the workload's are a cluster's default monitoring labels (none, or KubeSphere's). */
function monitoringLabelsOk(o: KubeObject): boolean {
  const rest = Object.entries(o.metadata.labels ?? {}).filter(([k]) => !WORKLOAD_LABELS.has(k));
  return rest.length === 0 || (rest.length === 1 && rest[0][0] === 'app.kubernetes.io/vendor' && rest[0][1] === 'kubesphere');
}

/**
 * A ServiceMonitor as a service's metrics options, if the library writes exactly it again.
 * @param monitor the object
 * @param service the service's name
 * @param namespace its namespace
 * @param portNames the service's port names, the first first (`http` when it has no name)
 */
export function readMetrics(monitor: KubeObject, service: string, namespace: string, portNames: readonly string[]): ReadMetrics | undefined {
  if (monitor.apiVersion !== 'monitoring.coreos.com/v1' || monitor.kind !== 'ServiceMonitor' || monitor.metadata.name !== service || !monitoringLabelsOk(monitor)) return undefined;
  const spec = obj((monitor as unknown as Obj).spec);
  const endpoints = Array.isArray(spec.endpoints) ? spec.endpoints.map(obj) : [];
  if (endpoints.length !== 1) return undefined;
  const { port, path, interval } = endpoints[0];
  if (typeof port !== 'string' || !portNames.includes(port) || typeof path !== 'string' || typeof interval !== 'string') return undefined;
  const seconds = /^([1-9][0-9]{0,5})s$/.exec(interval);
  if (!seconds) return undefined;
  const expected = { selector: { matchLabels: { 'app.kubernetes.io/name': service } }, namespaceSelector: { matchNames: [namespace] }, endpoints: [{ port, path, interval }] };
  if (canonical(expected) !== canonical(spec)) return undefined;
  const n = Number(seconds[1]);
  return { ...(port !== portNames[0] ? { port } : {}), ...(path !== '/metrics' ? { path } : {}), ...(n !== 30 ? { interval: n } : {}) };
}

/** Alert options, as `alerts` takes them (`{}`: the defaults, written `true`). */
export interface ReadAlerts {
  /** Off when the rule is not there. */
  readonly unavailableReplicas?: false;
  /** The restarts threshold, when not 3 (0: no rule). */
  readonly restarts?: number;
  /** The error-rate rule. */
  readonly errorRate?: { threshold: number; metric?: string; status?: { label: string; failures: string } };
}

/**
 * A PrometheusRule as a service's alert options, if the library writes exactly it again.
 * @param rule the object (`<service>-alerts`)
 * @param at where it is
 * @param metrics whether the service has metrics (the error-rate rule needs them)
 */
export function readAlerts(rule: KubeObject, at: ServiceAlertPlace, metrics: boolean): ReadAlerts | undefined {
  if (rule.apiVersion !== 'monitoring.coreos.com/v1' || rule.kind !== 'PrometheusRule' || rule.metadata.name !== `${at.service}-alerts` || !monitoringLabelsOk(rule)) return undefined;
  const spec = obj((rule as unknown as Obj).spec);
  const groups = Array.isArray(spec.groups) ? spec.groups.map(obj) : [];
  if (groups.length !== 1) return undefined;
  const rules = Array.isArray(groups[0].rules) ? groups[0].rules.map(obj) : [];
  const byName = new Map(rules.map((r) => [r.alert, r]));
  const a: { -readonly [K in keyof ReadAlerts]: ReadAlerts[K] } = {};
  if (!byName.has('ServiceReplicasUnavailable')) a.unavailableReplicas = false;
  const restarts = /\) > ([0-9]{1,6})$/.exec(String(byName.get('ServiceRestartingOften')?.expr ?? ''));
  if (!byName.has('ServiceRestartingOften')) a.restarts = 0;
  else if (restarts && Number(restarts[1]) !== 3) a.restarts = Number(restarts[1]);
  const error = byName.get('ServiceErrorRateHigh');
  if (error) {
    const m = /^sum\(rate\(([A-Za-z_:][A-Za-z0-9_:]*)\{[^{}]*,([A-Za-z_][A-Za-z0-9_]*)=~"([^"]*)"\}\[5m\]\)\) \/ sum\(rate\([^{}]*\{[^{}]*\}\[5m\]\)\) > ([0-9.eE+-]+)$/.exec(String(error.expr ?? ''));
    if (!m || !Number.isFinite(Number(m[4]))) return undefined;
    a.errorRate = {
      threshold: Number(m[4]),
      ...(m[1] !== 'http_server_requests_seconds_count' ? { metric: m[1] } : {}),
      ...(m[2] !== 'status' || m[3] !== '5..' ? { status: { label: m[2], failures: m[3] } } : {}),
    };
  }
  const expected = { groups: [{ name: `${at.namespace}.${at.service}`, rules: serviceAlertRules(a, at, metrics) }] };
  return canonical(expected) === canonical(spec) ? a : undefined;
}

/** The props of log, metric and alert options, as written in the program. */
function logsCode(l: ReadLogs): Code {
  const parts: string[] = [];
  if (l.collect === false) parts.push('collect: false');
  if (l.format === LogFormat.JSON) parts.push('format: LogFormat.JSON');
  if (l.multilineStart !== undefined) parts.push(`multilineStart: ${quote(l.multilineStart)}`);
  return code(l.format === LogFormat.JSON ? ['LogFormat'] : [])`{ ${parts.join(', ')} }`;
}

function metricsProp(m: ReadMetrics): Record<string, unknown> {
  const { interval, ...rest } = m;
  return { ...rest, ...(interval !== undefined ? { interval: code(['Duration'])`Duration.seconds(${interval})` } : {}) };
}

/** The names of a service's ports, the first first. */
function portNames(fields: ServiceFields): string[] {
  return (fields.ports ?? []).map((p, i) => p.name ?? (i === 0 ? 'http' : String(p.port)));
}

/** Each service's log annotations, ServiceMonitor and PrometheusRule, as its `logs`, `metrics` and `alerts` props. */
export const observabilityPass: NamespacePass = (ctx: NamespaceContext) => {
  for (const [name, fields] of ctx.services) {
    const deployment = ctx.sources.get(name)?.deployment;
    if (!deployment || deployment.kind !== 'Deployment') continue;
    const template = obj(obj((deployment as unknown as Obj).spec).template);
    const annotations = obj(obj(template.metadata).annotations) as Record<string, string>;
    const logs = readLogs(annotations);
    if (logs && Object.keys(logs).length > 0) {
      (fields.extra ??= {}).logs = logsCode(logs);
      for (const k of Object.keys(annotations)) if (LOG_KEY.test(k)) ctx.carried(name, ownedAnnotationNote(k));
    }

    const monitor = ctx.unclaimed().find((e) => e.object.kind === 'ServiceMonitor' && e.object.metadata.name === name);
    const metrics = monitor ? readMetrics(monitor.object, name, ctx.namespace, portNames(fields)) : undefined;
    if (monitor && metrics) {
      (fields.extra ??= {}).metrics = metricsProp(metrics);
      delete fields.metrics;
      ctx.claim(monitor, 'typed', `metrics of service ${name}`);
    }

    const rule = ctx.unclaimed().find((e) => e.object.kind === 'PrometheusRule' && e.object.metadata.name === `${name}-alerts`);
    const at: ServiceAlertPlace = { service: name, container: fields.containerName ?? name, namespace: ctx.namespace, tenant: ctx.tenant.name, environment: ctx.environment.name };
    const alerts = rule ? readAlerts(rule.object, at, metrics !== undefined || fields.metrics !== undefined) : undefined;
    if (rule && alerts) {
      (fields.extra ??= {}).alerts = Object.keys(alerts).length === 0 ? true : alerts;
      ctx.claim(rule, 'typed', `alerts of service ${name}`);
    }
  }
  // The project's policy that lets Prometheus reach the services it scrapes: written again from their metrics.
  const scraped = [...ctx.services].filter(([, f]) => f.extra?.metrics !== undefined || f.metrics !== undefined).map(([n]) => n).sort();
  const policy = ctx.unclaimed().find((e) => e.object.kind === 'NetworkPolicy' && e.object.metadata.name === 'allow-monitoring');
  const expressions = obj(obj((policy?.object as unknown as Obj | undefined)?.spec).podSelector).matchExpressions;
  const selected = Array.isArray(expressions) ? obj(expressions[0]).values : undefined;
  if (!policy || scraped.length === 0) return;
  // The library writes the policy whenever a service has metrics: one carried beside it would take its name.
  const same = canonical(selected) === canonical(scraped);
  ctx.claim(policy, 'generated', `written for the project from its services' metrics (${scraped.join(', ')})${same ? '' : `; the export's selected ${JSON.stringify(selected)}`}`);
};

/** The options that hold for every environment of a service (no `perEnvironment` override takes them). */
const SERVICE_WIDE = ['logs', 'metrics', 'alerts'] as const;

/** After the merge of environments: a service whose environments differ in these options keeps the first's, with a note. */
export const observabilityMergePass: EstatePass = (ctx: EstateContext) => {
  for (const tenant of ctx.index.tenants.values()) {
    for (const project of tenant.projects) {
      for (const s of project.services) {
        for (const [env, f] of Object.entries(s.perEnvironment)) {
          for (const k of SERVICE_WIDE) {
            if (f.extra?.[k] === undefined) continue;
            delete f.extra[k];
            s.notes.push(`TODO: the ${k} of ${env} differ from the other environments' (the model gives one for every environment): review`);
          }
          if (f.extra && Object.keys(f.extra).length === 0) delete f.extra;
          if (Object.keys(f).length === 0) delete s.perEnvironment[env];
        }
      }
    }
  }
};
