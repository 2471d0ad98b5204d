/**
 * The pod template of an app service: its containers (the service's own, init containers and sidecars) with their
 * variables, volumes, probes and restricted security contexts, the identity it runs as, and its pod details
 * (grace period, labels, annotations, priority, node selection). Every workload kind that runs a service's pods
 * (Deployment, and the others) builds its template here, so they all get the same baseline.
 */
import type { AppService, ServiceSettings } from '../constructs/app-service';
import { Protocol } from '../constructs/app-service';
import { ImageRules } from '../constructs/image';
import type { NodeLabelCondition, NodeScheduling } from '../constructs/pod-options';
import { Probe } from '../constructs/probe';
import type { ProjectPlacement } from '../constructs/project';
import { renderResources } from '../constructs/resources';
import type { ContainerOptions } from '../constructs/service-options';
import { renderContainerPorts, sidecarPortNames } from '../constructs/container-ports';
import { connectionEnv } from './connections';
import { containerSecurityContext, podSecurityContext, secretEnv, TMP_VOLUME, tmpVolume, writableVolumes } from './pod';
import { merged } from './merged';
import type { JsonObject } from './yaml';

/** What the workload gives its pod template besides the service. */
export interface PodTemplateParts {
  /** The pod labels (the workload's, with the version). */
  readonly labels: Record<string, string>;
  /** The annotations platform-cdk writes on the pods (configuration hash, log collectors). */
  readonly annotations: Record<string, string>;
  /** The name of the service's ConfigMap, when it has configuration. */
  readonly configMapName: string;
  /** The spread constraints, if any (Deployments). */
  readonly topologySpreadConstraints?: JsonObject[];
}

/** The name of a service's own container: `containerName`, else the service's name. */
export function containerNameOf(service: AppService): string {
  return service.pod?.containerName ?? service.name;
}

/**
 * The pod template (`metadata` and `spec`) of a service in one environment.
 * @param service the service
 * @param placement the namespace, environment and cluster
 * @param settings the service's settings there
 * @param parts labels, annotations and what the workload adds
 */
export function renderPodTemplate(service: AppService, placement: ProjectPlacement, settings: ServiceSettings, parts: PodTemplateParts): JsonObject {
  const env = placement.environment;
  const pod = service.pod ?? {};
  // A service port named after a sidecar's port is the sidecar's: the service's own container leaves it out.
  const onSidecars = sidecarPortNames(service.sidecars);
  const ports = service.ports.filter((p) => !onSidecars.has(p.name));
  // Default probes connect to the first TCP port; a service with only UDP ports gets none (and a warning).
  const defaultProbePort = ports.find((p) => p.protocol === Protocol.TCP)?.name;
  const defaultProbe = defaultProbePort !== undefined ? Probe.tcp() : undefined;
  const readiness = service.readiness ?? defaultProbe;
  const liveness = service.liveness ?? defaultProbe;
  const containerPortOf = (ref: string | number): number | undefined =>
    typeof ref === 'number' ? ref : service.ports.find((p) => p.name === ref)?.containerPort;

  const own = writableVolumes('', service.writablePaths);
  const volumes: JsonObject[] = [tmpVolume(service.writablePaths), ...own.volumes];
  const mounts: JsonObject[] = [{ name: TMP_VOLUME, mountPath: '/tmp' }, ...own.mounts];
  if (settings.configFiles.length > 0) {
    volumes.push({ name: 'config', configMap: { name: parts.configMapName, items: settings.configFiles.map(([k]) => ({ key: k, path: k })) } });
    mounts.push({ name: 'config', mountPath: settings.configMountPath, readOnly: true });
  }
  const envVars: JsonObject[] = [
    ...settings.env.map(([name, value]) => ({ name, value })),
    ...settings.configValues.map(([name]) => ({ name, valueFrom: { configMapKeyRef: { name: parts.configMapName, key: name } } })),
    ...settings.secrets.map(([name, ref]) => secretEnv(service.name, name, ref)),
    ...connectionEnv(service, env),
  ];
  // An image's declared user is written on its container when neither the container nor the pod names one.
  const imageUser = (user: number | undefined): number | undefined => (pod.runAsUser === undefined ? user : undefined);

  const container: JsonObject = {
    name: containerNameOf(service),
    image: settings.image.reference,
    imagePullPolicy: 'IfNotPresent',
    command: service.command ? [...service.command] : undefined,
    args: service.args ? [...service.args] : undefined,
    ports: ports.length > 0 ? ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })) : undefined,
    env: envVars.length > 0 ? envVars : undefined,
    resources: renderResources(settings.resources),
    readinessProbe: readiness?._render(defaultProbePort, containerPortOf),
    livenessProbe: liveness?._render(defaultProbePort, containerPortOf),
    startupProbe: service.startup?._render(defaultProbePort, containerPortOf),
    securityContext: containerSecurityContext({ runAsUser: imageUser(settings.image.user), addCapabilities: pod.addCapabilities }),
    volumeMounts: mounts,
  };
  const extra = (c: ContainerOptions, i: number, kind: 'init' | 'side'): JsonObject => {
    const w = writableVolumes(`${kind}${i}-`, c.writablePaths ?? []);
    volumes.push(...w.volumes);
    const vars: JsonObject[] = [
      ...Object.keys(c.env ?? {}).sort().map((name) => ({ name, value: (c.env ?? {})[name] })),
      ...Object.keys(c.secrets ?? {}).sort().map((name) => secretEnv(service.name, name, (c.secrets ?? {})[name])),
    ];
    return {
      name: c.name,
      image: c.image.reference,
      imagePullPolicy: 'IfNotPresent',
      command: c.command ? [...c.command] : undefined,
      args: c.args ? [...c.args] : undefined,
      ports: kind === 'side' ? renderContainerPorts(c.ports) : undefined,
      env: vars.length > 0 ? vars : undefined,
      resources: renderResources(service.containerResources(env, c)),
      securityContext: containerSecurityContext({ runAsUser: c.runAsUser ?? imageUser(c.image.user), runAsGroup: c.runAsGroup, addCapabilities: c.addCapabilities }),
      volumeMounts: [{ name: TMP_VOLUME, mountPath: '/tmp' }, ...w.mounts],
    };
  };
  const initContainers = service.initContainers.map((c, i) => extra(c, i, 'init'));
  const sidecars = service.sidecars.map((c, i) => extra(c, i, 'side'));

  const annotations: Record<string, string> = merged(pod.podAnnotations, parts.annotations);
  const images = [settings.image, ...service.initContainers.map((c) => c.image), ...service.sidecars.map((c) => c.image)];
  const waiver = env.production ? images.find((i) => i.moves && i.options?.waivers?.movingTag !== undefined) : undefined;
  if (waiver) annotations[waiverAnnotation(ImageRules.MOVING_TAG)] = waiver.options.waivers?.movingTag as string;
  const grace = pod.terminationGracePeriod?.toSeconds();

  return {
    metadata: { labels: merged(pod.podLabels, parts.labels), annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
    spec: {
      serviceAccountName: service.name,
      automountServiceAccountToken: service.automountServiceAccountToken,
      enableServiceLinks: false,
      priorityClassName: settings.priorityClassName,
      terminationGracePeriodSeconds: grace,
      securityContext: podSecurityContext(pod),
      nodeSelector: nodeSelectorOf(settings.scheduling),
      tolerations: tolerationsOf(settings.scheduling),
      affinity: affinityOf(settings.scheduling),
      topologySpreadConstraints: parts.topologySpreadConstraints,
      initContainers: initContainers.length > 0 ? initContainers : undefined,
      containers: [container, ...sidecars],
      volumes,
    },
  };
}

/** The waiver annotation of an image rule. */
function waiverAnnotation(rule: string): string {
  return `waiver.platform-cdk.io/${rule}`;
}

/** The `nodeSelector` of a pod, sorted by key. */
export function nodeSelectorOf(s: NodeScheduling | undefined): Record<string, string> | undefined {
  const keys = Object.keys(s?.nodeSelector ?? {}).sort();
  if (keys.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = (s?.nodeSelector ?? {})[k];
  return out;
}

/** The `tolerations` of a pod, in the order given. */
export function tolerationsOf(s: NodeScheduling | undefined): JsonObject[] | undefined {
  const list = s?.tolerations ?? [];
  if (list.length === 0) return undefined;
  return list.map((t) => ({ key: t.key, operator: t.exists ? 'Exists' : 'Equal', value: t.value, effect: t.effect, tolerationSeconds: t.tolerationSeconds }));
}

function expressions(conditions: readonly NodeLabelCondition[]): JsonObject {
  return { matchExpressions: conditions.map((c) => ({ key: c.key, operator: c.operator, values: c.values && c.values.length > 0 ? [...c.values] : undefined })) };
}

/** The node `affinity` of a pod. */
export function affinityOf(s: NodeScheduling | undefined): JsonObject | undefined {
  const required = s?.requiredNodes ?? [];
  const preferred = s?.preferredNodes ?? [];
  if (required.length === 0 && preferred.length === 0) return undefined;
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: required.length > 0 ? { nodeSelectorTerms: required.map(expressions) } : undefined,
      preferredDuringSchedulingIgnoredDuringExecution: preferred.length > 0 ? preferred.map((p) => ({ weight: p.weight, preference: expressions(p.conditions) })) : undefined,
    },
  };
}
