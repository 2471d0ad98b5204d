/**
 * Renders app services: a Deployment with the restricted pod security profile, a Service for its ports and
 * an Ingress where it is exposed.
 */
import { AppService, Protocol, ServicePort } from '../constructs/app-service';
import { Probe } from '../constructs/probe';
import type { ProjectPlacement } from '../constructs/project';
import { renderResources } from '../constructs/resources';
import { instanceName, KubeObject, LabelKeys, MANAGED_BY } from './manifest';
import { checkLabelValue } from './names';
import type { JsonObject } from './yaml';

/** Where `/tmp` is mounted: the root file system is read-only, so programs get a writable scratch folder. */
const TMP_VOLUME = 'tmp';

/** The labels of everything that belongs to a project in one environment. */
export function projectLabels(placement: ProjectPlacement): Record<string, string> {
  return {
    [LabelKeys.MANAGED_BY]: MANAGED_BY,
    [LabelKeys.PART_OF]: placement.project.name,
    [LabelKeys.TENANT]: placement.project.tenant.name,
    [LabelKeys.ENVIRONMENT]: placement.environment.name,
  };
}

/** The pod selector of a service: its name, unique in the namespace and stable across releases. */
export function selectorOf(service: AppService): Record<string, string> {
  return { [LabelKeys.NAME]: service.name };
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
  const labels: Record<string, string> = {
    ...projectLabels(placement),
    [LabelKeys.NAME]: service.name,
    [LabelKeys.INSTANCE]: instanceName(service.name, env.name),
  };
  const tag = settings.image.tag;
  const podLabels = tag !== undefined && checkLabelValue(tag) === undefined ? { ...labels, [LabelKeys.VERSION]: tag } : labels;
  // Default probes connect to the first TCP port; a service with only UDP ports gets none (and a warning).
  const defaultProbePort = ports.find((p) => p.protocol === Protocol.TCP)?.name;
  const defaultProbe = defaultProbePort !== undefined ? Probe.tcp() : undefined;
  const readiness = service.readiness ?? defaultProbe;
  const liveness = service.liveness ?? defaultProbe;

  const container: JsonObject = {
    name: service.name,
    image: settings.image.reference,
    imagePullPolicy: 'IfNotPresent',
    command: service.command ? [...service.command] : undefined,
    args: service.args ? [...service.args] : undefined,
    ports: ports.length > 0 ? ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })) : undefined,
    env: settings.env.length > 0 ? settings.env.map(([name, value]) => ({ name, value })) : undefined,
    resources: renderResources(settings.resources),
    readinessProbe: readiness?._render(defaultProbePort),
    livenessProbe: liveness?._render(defaultProbePort),
    startupProbe: service.startup?._render(defaultProbePort),
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ name: TMP_VOLUME, mountPath: '/tmp' }],
  };

  const objects: KubeObject[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: service.name, namespace, labels: podLabels },
      spec: {
        replicas: settings.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorOf(service) },
        template: {
          metadata: { labels: podLabels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [container],
            volumes: [{ name: TMP_VOLUME, emptyDir: {} }],
          },
        },
      },
    },
  ];

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

  const ingress = renderIngress(service, placement, labels);
  if (ingress) objects.push(ingress);
  return objects;
}

function renderIngress(service: AppService, placement: ProjectPlacement, labels: Record<string, string>): KubeObject | undefined {
  const byHost = new Map<string, { path: string; port: ServicePort }[]>();
  for (const exposure of service.exposures) {
    if (!exposure.covers(placement.environment)) continue;
    const host = exposure.hostIn(placement.environment);
    const port = exposure.port;
    if (host === undefined || port === undefined) continue;
    const paths = byHost.get(host) ?? [];
    paths.push({ path: exposure.path, port });
    byHost.set(host, paths);
  }
  if (byHost.size === 0) return undefined;
  const hosts = [...byHost.keys()].sort();
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: service.name, namespace: placement.namespace, labels },
    spec: {
      ingressClassName: placement.cluster.ingressClassName,
      rules: hosts.map((host) => ({
        host,
        http: {
          paths: (byHost.get(host) ?? [])
            .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
            .map(({ path, port }) => ({
              path,
              pathType: 'Prefix',
              backend: { service: { name: service.name, port: { name: port.name } } },
            })),
        },
      })),
    },
  };
}
