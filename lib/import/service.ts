/**
 * Reading one service of an export — a Deployment and the Service and Ingress of the same name — into the typed
 * fields of `project.addService`, and merging its environments: values common to every environment are written
 * once, the differences per environment. Values equal to the library's defaults are left out, so that the program
 * says only what the estate chose.
 */
import { OWNED_POD_ANNOTATIONS, RESERVED_KEY_PREFIXES } from '../../constructs/pod-options';
import type { KubeObject } from '../manifest';
import type { JsonObject } from '../yaml';
import type { ImportedPort, ImportedProbe, ProbeTimings, ServiceFields } from './model';
import { obj, list } from './json';
import type { Obj } from './json';

/** Variable names that hold credentials: their values are never imported. */
const CREDENTIAL = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

/** The resources the library gives a container that sets none (millicores, MiB). */
export const DEFAULT_RESOURCES: Readonly<Record<string, number>> = { cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 };

/** CPU in millicores or memory in MiB from a Kubernetes quantity; `undefined` when it is not a whole number of them. */
export function quantity(q: unknown, cpu: boolean): number | undefined {
  if (q === undefined) return undefined;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q));
  if (!m) return undefined;
  const units: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  const unit = units[m[2]];
  if (unit === undefined) return undefined;
  const v = Number(m[1]) * unit;
  const r = cpu ? v * 1000 : v / 1024 ** 2;
  return Number.isInteger(Math.round(r * 1000) / 1000) ? Math.round(r) : undefined;
}

/**
 * The five values of a project quota (millicores, MiB, pods) in a ResourceQuota (`spec.hard`) or KubeSphere's workspace
 * quota (`spec.quota.hard`); a value is undefined where it is missing or not a whole number of its unit.
 */
export function quotaValues(o: KubeObject | undefined): Record<string, number | undefined> {
  const spec = obj(obj(o).spec);
  const hard = obj(spec.hard ?? obj(spec.quota).hard);
  return {
    cpuRequestMillis: quantity(hard['requests.cpu'], true),
    cpuLimitMillis: quantity(hard['limits.cpu'], true),
    memoryRequestMiB: quantity(hard['requests.memory'], false),
    memoryLimitMiB: quantity(hard['limits.memory'], false),
    pods: hard.pods === undefined ? undefined : Number(hard.pods),
  };
}

/** An image reference split into registry host, repository and tag (Docker Hub spelled out). */
export function splitImage(ref: string): { registry: string; repository: string; tag: string } | undefined {
  if (ref.includes('@')) return undefined;
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasHost ? first : 'docker.io';
  let rest = hasHost ? ref.slice(slash + 1) : ref;
  if (!hasHost && !rest.includes('/')) rest = `library/${rest}`;
  const colon = rest.lastIndexOf(':');
  const repository = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? 'latest' : rest.slice(colon + 1);
  return { registry, repository, tag };
}

/** The tag written for `latest`, which the typed model refuses: a placeholder to replace with the version that runs. */
export const UNPINNED_TAG = 'TODO-pin-latest';

/** An image with `latest` replaced by {@link UNPINNED_TAG}, and a note saying so. */
function pinned(image: ReturnType<typeof splitImage>, notes: string[]): ReturnType<typeof splitImage> {
  if (!image || image.tag !== 'latest') return image;
  notes.push(`the tag latest of ${image.registry}/${image.repository} (it moves; the model refuses it): replace ${UNPINNED_TAG} with the version that runs, e.g. from the pods' imageID`);
  return { ...image, tag: UNPINNED_TAG };
}

function timings(p: Obj): ProbeTimings {
  const t: { -readonly [K in keyof ProbeTimings]: ProbeTimings[K] } = {};
  if (typeof p.initialDelaySeconds === 'number' && p.initialDelaySeconds !== 0) t.initialDelay = p.initialDelaySeconds;
  if (typeof p.periodSeconds === 'number' && p.periodSeconds !== 10) t.period = p.periodSeconds;
  if (typeof p.timeoutSeconds === 'number' && p.timeoutSeconds !== 1) t.timeout = p.timeoutSeconds;
  if (typeof p.failureThreshold === 'number' && p.failureThreshold !== 3) t.failureThreshold = p.failureThreshold;
  return t;
}

function probe(x: unknown, firstPort: string | undefined, firstNumber: number | undefined): ImportedProbe | undefined {
  const p = obj(x);
  const port = (v: unknown): string | number | undefined => (v === firstPort || v === firstNumber ? undefined : (v as string | number));
  if (p.httpGet) {
    const h = obj(p.httpGet);
    return { kind: 'http', path: typeof h.path === 'string' ? h.path : '/', port: port(h.port), options: timings(p) };
  }
  if (p.tcpSocket) return { kind: 'tcp', port: port(obj(p.tcpSocket).port), options: timings(p) };
  if (p.exec) return { kind: 'exec', command: (obj(p.exec).command as string[]) ?? [], options: timings(p) };
  return undefined;
}

function isDefaultProbe(p: ImportedProbe | undefined): boolean {
  return p !== undefined && p.kind === 'tcp' && p.port === undefined && Object.keys(p.options).length === 0;
}

/** What a Deployment's pod reads that the typed fields do not carry (notes for the program). */
export interface ServiceReading {
  /** The fields. */
  readonly fields: ServiceFields;
  /** Fields of the Deployment that were not carried, for the report and a comment. */
  readonly notCarried: string[];
}

/**
 * The typed fields of one Deployment (and its Service) in one environment.
 * @param deployment the Deployment
 * @param service its Service, if any
 * @param production whether the environment is production (its replicas default to 2)
 */
export function readService(deployment: KubeObject, service: KubeObject | undefined, production: boolean): ServiceReading {
  const notCarried: string[] = [];
  const name = deployment.metadata.name;
  const spec = obj((deployment as unknown as Obj).spec);
  const pod = obj(obj(spec.template).spec);
  const containers = list(pod.containers);
  const c = containers[0] ?? {};
  const f: ServiceFields = {};
  for (const side of containers.slice(1)) {
    const image = typeof side.image === 'string' ? pinned(splitImage(side.image), notCarried) : undefined;
    if (!image) {
      notCarried.push(`the container ${String(side.name)} (image ${String(side.image)})`);
      continue;
    }
    const sidecar: NonNullable<ServiceFields['sidecars']>[number] = { name: String(side.name), image };
    if (Array.isArray(side.command)) sidecar.command = side.command as string[];
    if (Array.isArray(side.args)) sidecar.args = side.args as string[];
    for (const e of list(side.env)) if (typeof e.value === 'string') (sidecar.env ??= {})[String(e.name)] = e.value;
    if (list(side.ports).length > 0) notCarried.push(`the ports of the sidecar ${sidecar.name} (a sidecar declares no ports in the typed model)`);
    (f.sidecars ??= []).push(sidecar);
  }
  if (list(pod.initContainers).length > 0) notCarried.push('init containers');
  const image = typeof c.image === 'string' ? pinned(splitImage(c.image), notCarried) : undefined;
  if (image) f.image = image;
  else notCarried.push(`image ${String(c.image)}`);

  // Ports: the container's, with the Service's port where it maps one.
  const svcPorts = list(obj((service as unknown as Obj | undefined)?.spec).ports);
  const ports: ImportedPort[] = [];
  const containerPorts = list(c.ports);
  containerPorts.forEach((cp, i) => {
    const containerPort = Number(cp.containerPort);
    const name = typeof cp.name === 'string' ? cp.name : undefined;
    const sp = svcPorts.find((s) => s.targetPort === containerPort || (name !== undefined && s.targetPort === name) || (s.targetPort === undefined && s.port === containerPort));
    const port = sp ? Number(sp.port) : containerPort;
    const portName = name ?? (typeof sp?.name === 'string' ? sp.name : undefined);
    ports.push({ port, name: i === 0 && portName === 'http' ? undefined : portName, containerPort: containerPort !== port ? containerPort : undefined });
  });
  // Service ports that no port of the first container serves (a sidecar's): ports of the service too.
  for (const sp of svcPorts) {
    if (ports.some((p) => p.port === Number(sp.port))) continue;
    ports.push({ port: Number(sp.port), name: typeof sp.name === 'string' ? sp.name : undefined, containerPort: typeof sp.targetPort === 'number' && sp.targetPort !== Number(sp.port) ? sp.targetPort : undefined });
  }
  if (ports.length > 0) f.ports = ports;
  const firstPortName = containerPorts.length > 0 ? (typeof containerPorts[0].name === 'string' ? containerPorts[0].name : 'http') : undefined;
  const firstPortNumber = containerPorts.length > 0 ? Number(containerPorts[0].containerPort) : undefined;

  // Folders written to: emptyDir volumes mounted in the container (the library mounts /tmp itself).
  const volumes = new Map(list(pod.volumes).map((v) => [String(v.name), v]));
  for (const m of list(c.volumeMounts)) {
    const v = volumes.get(String(m.name));
    if (v && v.emptyDir !== undefined) {
      if (m.mountPath !== '/tmp') (f.writablePaths ??= []).push(String(m.mountPath));
    } else notCarried.push(`the volume ${String(m.name)} at ${String(m.mountPath)}`);
  }

  // Variables: values, Secret references; the rest is noted.
  for (const e of list(c.env)) {
    const name = String(e.name);
    if (typeof e.value === 'string' && CREDENTIAL.test(name) && e.value !== '') {
      // A credential written as a value is never carried as one: it becomes a reference to a Secret to create.
      const secret = deployment.metadata.name;
      const key = name.toLowerCase().replace(/_/g, '-');
      (f.secrets ??= {})[name] = [secret, key];
      notCarried.push(`the value of ${name} (a credential: create the Secret ${secret} with the key ${key}; the value is not imported)`);
    } else if (typeof e.value === 'string') (f.env ??= {})[name] = e.value;
    else if (e.valueFrom && obj(e.valueFrom).secretKeyRef) {
      const ref = obj(obj(e.valueFrom).secretKeyRef);
      (f.secrets ??= {})[name] = [String(ref.name), String(ref.key)];
    } else if (e.value === undefined && e.valueFrom === undefined) (f.env ??= {})[name] = '';
    else notCarried.push(`variable ${name} (${Object.keys(obj(e.valueFrom)).join(', ')})`);
  }
  if (list(c.envFrom).length > 0) notCarried.push('envFrom');

  const res = obj(c.resources);
  const r: Record<string, number | undefined> = {
    cpuRequestMillis: quantity(obj(res.requests).cpu, true),
    cpuLimitMillis: quantity(obj(res.limits).cpu, true),
    memoryRequestMiB: quantity(obj(res.requests).memory, false),
    memoryLimitMiB: quantity(obj(res.limits).memory, false),
  };
  const resources: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined && v !== DEFAULT_RESOURCES[k]) resources[k] = v;
  if (Object.keys(resources).length > 0) f.resources = resources;

  // Waivers of production defaults, as the Deployment's annotations record them; fewer than 2 replicas in production
  // without one get a waiver to review (the estate runs that way today).
  const WAIVERS: Record<string, string> = { 'production-replicas': 'replicas', 'production-disruption-budget': 'disruptionBudget', 'production-spread': 'spread' };
  for (const [k, v] of Object.entries(deployment.metadata.annotations ?? {})) {
    const rule = k.startsWith('waiver.platform-cdk.io/') ? WAIVERS[k.slice('waiver.platform-cdk.io/'.length)] : undefined;
    if (rule) (f.waivers ??= {})[rule] = v;
  }
  if (production && typeof spec.replicas === 'number' && spec.replicas < 2 && f.waivers?.replicas === undefined) {
    (f.waivers ??= {}).replicas = `TODO: imported running ${spec.replicas} replica in production; say why, or run 2`;
  }
  // No replica count: an autoscaler owns it (the HorizontalPodAutoscaler is carried beside the service).
  if (typeof spec.replicas === 'number' && spec.replicas !== (production ? 2 : 1)) f.replicas = spec.replicas;
  const user = obj(pod.securityContext).runAsUser ?? obj(c.securityContext).runAsUser;
  if (typeof user === 'number') f.runAsUser = user;
  const readiness = probe(c.readinessProbe, firstPortName, firstPortNumber);
  const liveness = probe(c.livenessProbe, firstPortName, firstPortNumber);
  const hasPorts = ports.length > 0;
  if (readiness && !(hasPorts && isDefaultProbe(readiness))) f.readiness = readiness;
  if (liveness && !(hasPorts && isDefaultProbe(liveness))) f.liveness = liveness;
  if (Array.isArray(c.command)) f.command = c.command as string[];
  if (Array.isArray(c.args)) f.args = c.args as string[];
  const template = obj(obj(spec.template).metadata);
  const podLabels: Record<string, string> = {};
  const reserved = (k: string): boolean => {
    const prefix = k.includes('/') ? k.slice(0, k.lastIndexOf('/')) : '';
    return prefix === 'app.kubernetes.io' || RESERVED_KEY_PREFIXES.some((r) => prefix === r || prefix.endsWith(`.${r}`));
  };
  for (const [k, v] of Object.entries(obj(template.labels))) if (!reserved(k)) podLabels[k] = String(v);
  if (Object.keys(podLabels).length > 0) f.podLabels = podLabels;
  const podAnnotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(template.annotations))) {
    if (OWNED_POD_ANNOTATIONS.includes(k) || reserved(k)) notCarried.push(`the pod annotation ${k} (the library writes it from the service's options, e.g. logs or config)`);
    else podAnnotations[k] = String(v);
  }
  if (Object.keys(podAnnotations).length > 0) f.podAnnotations = podAnnotations;
  const selector = obj(obj(spec.selector).matchLabels);
  if (JSON.stringify(selector) !== JSON.stringify({ 'app.kubernetes.io/name': name })) {
    notCarried.push(`the selector ${JSON.stringify(selector)} (the library selects on app.kubernetes.io/name; a Deployment's selector cannot change, so it is replaced when applied)`);
  }
  if (typeof c.name === 'string' && c.name !== (service?.metadata.name ?? name)) f.containerName = c.name;
  const svcAnnotations = service?.metadata.annotations ?? {};
  if (svcAnnotations['prometheus.io/scrape'] === 'true') {
    const metricsPort = svcAnnotations['prometheus.io/port'];
    const byNumber = ports.find((p) => String(p.port) === metricsPort || String(p.containerPort) === metricsPort);
    f.metrics = { port: metricsPort === undefined ? (ports[0]?.name ?? 'http') : byNumber ? (byNumber.name ?? 'http') : Number(metricsPort) };
    if (svcAnnotations['prometheus.io/path'] !== undefined && svcAnnotations['prometheus.io/path'] !== '/metrics') f.metrics.path = svcAnnotations['prometheus.io/path'];
  }
  const svcSpec = obj((service as unknown as Obj | undefined)?.spec);
  if (svcSpec.type === 'NodePort' || svcSpec.type === 'LoadBalancer') {
    f.network = {
      type: svcSpec.type,
      // Without source ranges, a node port or load balancer admits any network.
      from: Array.isArray(svcSpec.loadBalancerSourceRanges) && svcSpec.loadBalancerSourceRanges.length > 0 ? (svcSpec.loadBalancerSourceRanges as string[]) : ['0.0.0.0/0'],
      ports: svcPorts.map((sp) => {
        const p = ports.find((x) => x.port === Number(sp.port));
        return { port: p ? (p.name ?? (ports.indexOf(p) === 0 ? 'http' : p.port)) : Number(sp.port), nodePort: typeof sp.nodePort === 'number' ? sp.nodePort : undefined };
      }),
    };
  }
  const nodeSelector = obj(pod.nodeSelector);
  if (Object.keys(nodeSelector).length > 0) f.nodeSelector = nodeSelector as Record<string, string>;
  return { fields: f, notCarried };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Splits a service's fields by environment into what every environment shares and what differs. A variable (or a
 * resource) present in every environment with one value is common; with different values, the first environment's
 * value is common and the others override it; present in some environments only, it is written where present.
 * @param byEnv the fields, by environment, in the estate's order
 */
export function mergeEnvironments(byEnv: ReadonlyMap<string, ServiceFields>): { common: ServiceFields; perEnvironment: Record<string, ServiceFields> } {
  const envs = [...byEnv.keys()];
  const all = [...byEnv.values()];
  const common: ServiceFields = {};
  const perEnvironment: Record<string, ServiceFields> = {};
  const per = (env: string): ServiceFields => (perEnvironment[env] ??= {});
  const keys = new Set(all.flatMap((f) => Object.keys(f))) as Set<keyof ServiceFields>;
  for (const key of keys) {
    if (key === 'env' || key === 'resources' || key === 'secrets' || key === 'storeSecrets' || key === 'extra') {
      const names = new Set(all.flatMap((f) => Object.keys(f[key] ?? {})));
      for (const name of names) {
        const values = all.map((f) => (f[key] as Record<string, unknown> | undefined)?.[name]);
        const first = values[0];
        const inAll = values.every((v) => v !== undefined);
        // Resources come from the environment's defaults where a service sets none: an override may add one.
        if (inAll || key === 'resources') {
          if (first !== undefined) ((common[key] ??= {}) as Record<string, unknown>)[name] = first;
          values.forEach((v, i) => {
            if (i > 0 && !same(v, first)) {
              const target = (per(envs[i])[key] ??= {}) as Record<string, unknown>;
              target[name] = v ?? DEFAULT_RESOURCES[name];
            }
          });
          if (first === undefined) values.forEach((v, i) => i === 0 || v === undefined || (((per(envs[i])[key] ??= {}) as Record<string, unknown>)[name] = v));
        } else {
          values.forEach((v, i) => v === undefined || (((per(envs[i])[key] ??= {}) as Record<string, unknown>)[name] = v));
        }
      }
      continue;
    }
    const values = all.map((f) => f[key]);
    if (values.every((v) => same(v, values[0]))) {
      (common as Record<string, unknown>)[key] = values[0];
    } else if (key === 'replicas') {
      values.forEach((v, i) => v === undefined || ((per(envs[i]) as Record<string, unknown>)[key] = v));
    } else {
      if (values[0] !== undefined) (common as Record<string, unknown>)[key] = values[0];
      values.forEach((v, i) => i === 0 || same(v, values[0]) || ((per(envs[i]) as Record<string, unknown>)[key] = v));
    }
  }
  for (const [env, f] of Object.entries(perEnvironment)) if (Object.keys(f).length === 0) delete perEnvironment[env];
  return { common, perEnvironment };
}

/**
 * The hosts of an Ingress (its first rule's, apart from a pending cut-over's route to `<service>-legacy`, which
 * lib/import/exposure.ts reads), its path, and whether it serves TLS.
 */
export function readIngress(ingress: KubeObject): { host?: string; path?: string; tls: boolean } {
  const spec = obj((ingress as unknown as JsonObject).spec);
  const legacy = `${ingress.metadata.name}-legacy`;
  const rule = list(spec.rules).find((r) => !list(obj(r.http).paths).some((p) => obj(obj(p.backend).service).name === legacy)) ?? {};
  const p = list(obj(rule.http).paths)[0] ?? {};
  return { host: typeof rule.host === 'string' ? rule.host : undefined, path: typeof p.path === 'string' ? p.path : undefined, tls: list(spec.tls).length > 0 };
}
