/**
 * Renders app services: a ServiceAccount, a Deployment with the restricted pod security profile, a Service for
 * its ports, and what the service declares: ConfigMap, ExternalSecrets, Ingress (with Certificate and legacy
 * backend), HorizontalPodAutoscaler, PodDisruptionBudget, ServiceMonitor and PrometheusRule.
 */
import * as crypto from 'crypto';
import { createHash } from 'crypto';
import { AppService, relaxedProductionRules, ServicePort, ServiceSettings } from '../constructs/app-service';
import type { Exposure, Tls } from '../constructs/exposure';
import type { Environment } from '../constructs/environment';
import { PreviewEnvironment, PreviewLabels } from '../constructs/preview';
import type { ProjectPlacement } from '../constructs/project';
import type { SecretRef } from '../constructs/secrets';
import { LogFormat } from '../constructs/service-options';
import type { AlertOptions } from '../constructs/service-options';
import { renderController } from './batch';
import { renderNetworkExposures } from './l4';
import { instanceName, KubeObject, LabelKeys, MANAGED_BY } from './manifest';
import { checkLabelValue } from './names';
import { externalSecrets } from './pod';
import { containerNameOf, renderPodTemplate } from './pod-spec';
import type { JsonObject } from './yaml';
import { externalScalingAnnotations } from './scaling';
import { merged } from './merged';
import { derivedOnce } from './frozen-model';
import { deploymentMatcher, versionedWorkloads } from '../constructs/versions';
import type { ServiceVersionOptions } from '../constructs/versions';

/** The annotations platform-cdk writes on workloads. */
export const AnnotationKeys = {
  /** On pod templates: a hash of the service's configuration, so that a change rolls the pods. */
  CONFIG_HASH: 'platform-cdk.io/config-hash',
  /** On Ingresses: `pending` while a host of the Ingress still points at a legacy backend. */
  CUT_OVER: 'platform-cdk.io/cut-over',
  /** The prefix of waiver annotations: `waiver.platform-cdk.io/<rule>: <reason>`. */
  WAIVER_PREFIX: 'waiver.platform-cdk.io/',
} as const;

/** The labels of everything that belongs to a project in one environment. */
export function projectLabels(placement: ProjectPlacement): Record<string, string> {
  const labels: Record<string, string> = {
    [LabelKeys.MANAGED_BY]: MANAGED_BY,
    [LabelKeys.PART_OF]: placement.project.name,
    [LabelKeys.TENANT]: placement.project.tenant.name,
    [LabelKeys.ENVIRONMENT]: placement.environment.name,
  };
  return PreviewEnvironment.isPreview(placement.environment) ? merged(labels, previewLabels(placement.environment)) : labels;
}

/** The labels of every object of a preview (none elsewhere): its slug, owner and last day. */
export function previewLabels(environment: Environment): Record<string, string> {
  if (!PreviewEnvironment.isPreview(environment)) return {};
  return { [PreviewLabels.PREVIEW]: environment.slug, [PreviewLabels.OWNER]: environment.ownerName, [PreviewLabels.EXPIRES]: environment.expires };
}

/** The annotations of a preview's namespaces: the branch (not a valid label value). */
export function previewAnnotations(environment: Environment): Record<string, string> {
  return PreviewEnvironment.isPreview(environment) ? { [PreviewLabels.BRANCH]: environment.branch } : {};
}

/** The pod selector of a service: its name, unique in the namespace and stable across releases. */
export function selectorOf(service: { readonly name: string }): Record<string, string> {
  return { [LabelKeys.NAME]: service.name };
}

/** The name of a service's ConfigMap. */
export function configMapName(service: AppService): string {
  return `${service.name}-config`;
}

/**
 * The labels of a workload's objects.
 * @param name the workload's name
 * @param placement its namespace
 */
export function workloadLabels(name: string, placement: ProjectPlacement): Record<string, string> {
  return merged(projectLabels(placement), { [LabelKeys.NAME]: name, [LabelKeys.INSTANCE]: instanceName(name, placement.environment.name) });
}

/**
 * A hash of some text, for annotations that change when the content changes.
 * @param text the content
 */
export function contentHash(text: string): string {
  return (oneShotHash ? oneShotHash('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex')).slice(0, 16);
}

/** Node's one-shot `crypto.hash` (Node 20.12 and later), several times faster than a Hash object; else `undefined`. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** The key of a service's configuration hashes by text, kept while the model is frozen (`derivedOnce`). */
const CONFIG_HASHES = {};

function newHashes(): Map<string, string> {
  return new Map();
}

/**
 * The hash of a service's configuration text: computed once per text while the model is frozen, since a service's
 * configuration is most often the same in several of its environments.
 */
function configHashOf(service: AppService, text: string): string {
  const known = derivedOnce(service, CONFIG_HASHES, newHashes);
  let hash = known.get(text);
  if (hash === undefined) known.set(text, (hash = contentHash(text)));
  return hash;
}

/**
 * The objects of one service in one namespace.
 * @param service the service
 * @param placement the namespace, environment and cluster
 */
export function renderAppService(service: AppService, placement: ProjectPlacement): KubeObject[] {
  const env = placement.environment;
  const namespace = placement.namespace;
  const settings = service.settingsFor(env);
  const ports = service.ports;
  const labels = workloadLabels(service.name, placement);
  const tag = settings.image.tag;
  const podLabels = tag !== undefined && checkLabelValue(tag) === undefined ? merged(labels, { [LabelKeys.VERSION]: tag }) : labels;
  const objects: KubeObject[] = [];

  objects.push({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: service.name, namespace, labels },
    automountServiceAccountToken: service.automountServiceAccountToken,
  });

  const hasConfig = settings.configValues.length > 0 || settings.configFiles.length > 0;
  let configHash: string | undefined;
  if (hasConfig) {
    const data: Record<string, string> = {};
    for (const [k, v] of settings.configValues) data[k] = v;
    for (const [k, v] of settings.configFiles) data[k] = v;
    configHash = configHashOf(service, JSON.stringify(data));
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configMapName(service), namespace, labels }, data });
  }

  const secretVars: (readonly [string, SecretRef])[] = [...settings.secrets];
  for (const c of [...service.initContainers, ...service.sidecars]) for (const [k, v] of Object.entries(c.secrets ?? {})) secretVars.push([k, v]);
  // Only variables read from a store are fetched: one a container reads from an existing Secret must not hide
  // the same name another container reads from a store.
  objects.push(...externalSecrets(service.name, namespace, labels, uniqueByName(secretVars.filter(([, ref]) => ref.source.kind === 'store'))));

  const podAnnotations: Record<string, string> = {};
  if (configHash !== undefined) podAnnotations[AnnotationKeys.CONFIG_HASH] = configHash;
  Object.assign(podAnnotations, logAnnotations(service));
  const deploymentAnnotations: Record<string, string> = {};
  // A waiver is written where it relaxes a production default.
  const relaxed = env.production ? relaxedProductionRules(settings) : [];
  for (const [rule, reason] of settings.waivers) if (relaxed.includes(rule)) deploymentAnnotations[`${AnnotationKeys.WAIVER_PREFIX}${rule}`] = reason;

  // One workload, or one per version (constructs/versions.ts): the version's pods add its label.
  for (const w of versionedWorkloads(service.versions, settings)) {
    const vTag = w.settings.image.tag;
    const vLabels = w.suffix === '' ? podLabels : merged(labels, vTag !== undefined && checkLabelValue(vTag) === undefined ? { [LabelKeys.VERSION]: vTag } : undefined, w.labels);
    const template = renderPodTemplate(service, placement, w.settings, { labels: vLabels, annotations: podAnnotations, configMapName: configMapName(service), topologySpreadConstraints: spreadConstraints(service, settings) });
    // The same pod template in a Deployment, Job, CronJob or DaemonSet (lib/batch.ts).
    objects.push(renderController(service, w.settings, { name: service.name + w.suffix, namespace, labels: vLabels, annotations: nonEmptyMap(merged(deploymentAnnotations, externalScalingAnnotations(w.settings))) }, template, merged(selectorOf(service), w.labels)));
  }

  if (ports.length > 0) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service.name, namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector: selectorOf(service),
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
      },
    });
  }

  objects.push(...renderExposure(service, placement, labels));
  objects.push(...renderNetworkExposures(service, placement, labels));

  if (settings.autoscaling) {
    const a = settings.autoscaling;
    const metrics: JsonObject[] = [];
    const cpu = a.cpuUtilization ?? (a.memoryUtilization === undefined ? 70 : undefined);
    if (cpu !== undefined) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } });
    if (a.memoryUtilization !== undefined) metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: a.memoryUtilization } } });
    objects.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: service.name, namespace, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service.name },
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metrics,
      },
    });
  }
  if (settings.disruptionBudget) {
    const d = settings.disruptionBudget;
    objects.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: service.name, namespace, labels },
      spec: { maxUnavailable: d.maxUnavailable, minAvailable: d.minAvailable, selector: { matchLabels: selectorOf(service) } },
    });
  }
  objects.push(...renderObservability(service, placement, labels));
  return objects;
}

function uniqueByName(vars: (readonly [string, SecretRef])[]): (readonly [string, SecretRef])[] {
  const seen = new Map<string, SecretRef>();
  for (const [k, v] of vars) if (!seen.has(k)) seen.set(k, v);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function nonEmptyMap(map: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(map).length > 0 ? map : undefined;
}

/**
 * Spread over nodes (required, counting only nodes the pod may run on, so that tainted control-plane nodes do
 * not block scheduling) and zones (preferred, so that single-zone clusters still schedule).
 */
function spreadConstraints(service: AppService, settings: ServiceSettings): JsonObject[] | undefined {
  const s = settings.spread;
  if (!s) return undefined;
  const out: JsonObject[] = [];
  const labelSelector = { matchLabels: selectorOf(service) };
  if (s.nodes) out.push({ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Honor', labelSelector });
  if (s.zones) out.push({ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector });
  return out.length > 0 ? out : undefined;
}

/** The log collectors' annotations: Fluent Bit (KubeSphere logging) and Filebeat (ELK) hints. */
function logAnnotations(service: AppService): Record<string, string> {
  const l = service.logs;
  const out: Record<string, string> = {};
  if (l.collect === false) {
    out['fluentbit.io/exclude'] = 'true';
    out['co.elastic.logs/enabled'] = 'false';
    return out;
  }
  if (l.format === LogFormat.JSON) {
    out['fluentbit.io/parser'] = 'json';
    out['co.elastic.logs/json.keys_under_root'] = 'true';
    out['co.elastic.logs/json.add_error_key'] = 'true';
  }
  if (l.multilineStart !== undefined) {
    out['co.elastic.logs/multiline.pattern'] = l.multilineStart;
    out['co.elastic.logs/multiline.negate'] = 'true';
    out['co.elastic.logs/multiline.match'] = 'after';
  }
  return out;
}

/** The name of the Service that points at a service's legacy backend during a cut-over. */
export function legacyServiceName(service: AppService): string {
  return `${service.name}-legacy`;
}

/** The Ingress, Certificate and legacy backend of a service in one namespace. */
function renderExposure(service: AppService, placement: ProjectPlacement, labels: Record<string, string>): KubeObject[] {
  const env = placement.environment;
  const namespace = placement.namespace;
  const rules = new Map<string, { path: string; pathType: string; backend: JsonObject }[]>();
  const tlsByHost = new Map<string, Tls>();
  let legacy: Exposure | undefined;
  for (const exposure of service.exposures) {
    const port = exposure.port;
    if (!port) continue;
    for (const route of exposure.routesIn(env)) {
      const cut = route.legacy ? exposure.pendingCutOverIn(env) : undefined;
      if (cut) legacy = legacy ?? exposure;
      const backend = cut
        ? { service: { name: legacyServiceName(service), port: { number: cut.legacy.port } } }
        : { service: { name: service.name, port: { name: (port as ServicePort).name } } };
      const list = rules.get(route.host) ?? [];
      list.push({ path: exposure.path, pathType: exposure.pathType, backend });
      rules.set(route.host, list);
      const tls = exposure.tlsIn(env);
      if (tls && !tlsByHost.has(route.host)) tlsByHost.set(route.host, tls);
    }
  }
  if (rules.size === 0) return [];
  const out: KubeObject[] = [];
  const hosts = [...rules.keys()].sort();
  const secrets = new Map<string, string[]>();
  const certManagerHosts: string[] = [];
  let issuer: Tls['issuer'];
  for (const host of hosts) {
    const tls = tlsByHost.get(host);
    if (!tls) continue;
    const secret = tls.secretNameFor(service.name);
    const sharing = secrets.get(secret);
    if (sharing) sharing.push(host);
    else secrets.set(secret, [host]);
    if (tls.kind === 'cert-manager') {
      certManagerHosts.push(host);
      issuer = issuer ?? tls.issuer;
    }
  }
  if (certManagerHosts.length > 0 && issuer) {
    out.push({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: `${service.name}-tls`, namespace, labels },
      spec: {
        secretName: `${service.name}-tls`,
        dnsNames: certManagerHosts,
        issuerRef: { group: 'cert-manager.io', kind: issuer.kind, name: issuer.name },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      },
    });
  }
  out.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: service.name, namespace, labels, annotations: legacy ? { [AnnotationKeys.CUT_OVER]: 'pending' } : undefined },
    spec: {
      ingressClassName: placement.cluster.ingressClassName,
      tls: secrets.size > 0 ? [...secrets.keys()].sort().map((secretName) => ({ hosts: secrets.get(secretName) as string[], secretName })) : undefined,
      // Each route was made as written ({ path, pathType, backend }) for this Ingress alone: no copy.
      rules: hosts.map((host) => {
        const paths = rules.get(host) ?? [];
        if (paths.length > 1) paths.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        return { host, http: { paths } };
      }),
    },
  });
  const cut = legacy?.pendingCutOverIn(env);
  if (cut) {
    const name = legacyServiceName(service);
    const legacyLabels = workloadLabels(name, placement);
    const port = { name: 'http', port: cut.legacy.port, targetPort: cut.legacy.port, protocol: 'TCP' };
    if (cut.legacy.host !== undefined) {
      out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: legacyLabels }, spec: { type: 'ExternalName', externalName: cut.legacy.host, ports: [port] } });
    } else {
      out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: legacyLabels }, spec: { type: 'ClusterIP', ports: [port] } });
      out.push(endpointSlice(name, namespace, legacyLabels, cut.legacy.addresses ?? [], [{ name: 'http', port: cut.legacy.port, protocol: 'TCP' }]));
    }
  }
  return out;
}

/**
 * An EndpointSlice that points a Service without selector at fixed addresses.
 * @param service the Service's name
 * @param namespace its namespace
 * @param labels the labels of the slice
 * @param addresses the IPv4 addresses
 * @param ports the ports, named as the Service's
 */
export function endpointSlice(service: string, namespace: string, labels: Record<string, string>, addresses: readonly string[], ports: JsonObject[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: service, namespace, labels: merged(labels, { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'platform-cdk.io' }) },
    addressType: 'IPv4',
    endpoints: [...addresses].sort().map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports,
  };
}

/** The ServiceMonitor and PrometheusRule of a service. */
/** Where a service's alert rules are: the service, its container, namespace, tenant, environment and versions. */
export interface ServiceAlertPlace {
  /** The service's name. */
  readonly service: string;
  /** Its container's name. */
  readonly container: string;
  /** The namespace. */
  readonly namespace: string;
  /** The tenant's name. */
  readonly tenant: string;
  /** The environment's name. */
  readonly environment: string;
  /** Its versions (one Deployment each), if any. */
  readonly versions?: Record<string, ServiceVersionOptions>;
}

/**
 * The rules of a service's PrometheusRule for its alert options (also what `platform-cdk import` compares an
 * exported PrometheusRule with).
 * @param a the alert options
 * @param at where the service is
 * @param metrics whether the service has metrics (the error-rate rule needs them)
 */
export function serviceAlertRules(a: AlertOptions, at: ServiceAlertPlace, metrics: boolean): JsonObject[] {
  const { service, namespace, environment: env } = at;
  const sel = `namespace="${namespace}"`;
  const alertLabels = { severity: 'warning', tenant: at.tenant, environment: env, service };
  const rules: JsonObject[] = [];
  if (a.unavailableReplicas !== false) {
    rules.push({
      alert: 'ServiceReplicasUnavailable',
      expr: `kube_deployment_status_replicas_unavailable{${sel},${deploymentMatcher(service, at.versions)}} > 0`,
      for: '10m',
      labels: alertLabels,
      annotations: { summary: `${service} in ${namespace} has unavailable replicas`, description: `{{ $value }} replicas of ${service} (${env}) have been unavailable for 10 minutes.` },
    });
  }
  const restarts = a.restarts ?? 3;
  if (restarts > 0) {
    rules.push({
      alert: 'ServiceRestartingOften',
      expr: `increase(kube_pod_container_status_restarts_total{${sel},container="${at.container}"}[15m]) > ${restarts}`,
      labels: alertLabels,
      annotations: { summary: `${service} in ${namespace} restarts often`, description: `A container of ${service} (${env}) restarted {{ $value }} times in 15 minutes.` },
    });
  }
  if (a.errorRate && metrics) {
    const e = a.errorRate;
    const metric = e.metric ?? 'http_server_requests_seconds_count';
    const status = e.status ?? { label: 'status', failures: '5..' };
    const base = `${sel},service="${service}"`;
    rules.push({
      alert: 'ServiceErrorRateHigh',
      expr: `sum(rate(${metric}{${base},${status.label}=~"${status.failures}"}[5m])) / sum(rate(${metric}{${base}}[5m])) > ${e.threshold}`,
      for: '5m',
      labels: { ...alertLabels, severity: 'critical' },
      annotations: { summary: `${service} in ${namespace} fails requests`, description: `{{ $value | humanizePercentage }} of the requests to ${service} (${env}) failed over 5 minutes.` },
    });
  }
  return rules;
}

function renderObservability(service: AppService, placement: ProjectPlacement, labels: Record<string, string>): KubeObject[] {
  const out: KubeObject[] = [];
  const namespace = placement.namespace;
  const monitoringLabels = merged(labels, placement.cluster.monitoringLabels);
  const m = service.metrics;
  const port = m ? service.findPort(m.port) : undefined;
  if (m && port) {
    out.push({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: service.name, namespace, labels: monitoringLabels },
      spec: {
        selector: { matchLabels: selectorOf(service) },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [{ port: port.name, path: m.path ?? '/metrics', interval: `${m.interval?.toSeconds() ?? 30}s` }],
      },
    });
  }
  const a = service.alerts;
  if (!a) return out;
  const rules = serviceAlertRules(a, {
    service: service.name,
    container: containerNameOf(service),
    namespace,
    tenant: placement.project.tenant.name,
    environment: placement.environment.name,
    versions: service.versions,
  }, m !== undefined);
  if (rules.length === 0) return out;
  out.push({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `${service.name}-alerts`, namespace, labels: monitoringLabels },
    spec: { groups: [{ name: `${namespace}.${service.name}`, rules }] },
  });
  return out;
}
