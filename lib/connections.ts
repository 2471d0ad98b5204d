/**
 * Declared dependencies between services: the consumer's address variables, and the network policies that open
 * exactly the declared paths (egress in the consumer's namespace, ingress in the target's).
 */
import { AppService, ServicePort } from '../constructs/app-service';
import { ConnectionPeer, connectionVariableNames, defaultEnvPrefix, fillConnectionTemplate, IConnectable, PlaceholderValues, serviceAddress } from '../constructs/connection';
import type { Environment } from '../constructs/environment';
import type { Project, ProjectPlacement } from '../constructs/project';
import { StatefulService } from '../constructs/stateful-service';
import { PreviewEnvironment } from '../constructs/preview';
import { Platform } from '../constructs/platform';
import { KubeObject, LabelKeys } from './manifest';
import type { JsonObject } from './yaml';

/** The namespace label Kubernetes sets on every namespace (1.22+), used to select a namespace by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** One path to a target: the pods that call it and the port they call. */
export interface Caller {
  /** The `app.kubernetes.io/name` of the calling pods. */
  readonly podName: string;
  /** The calling pods' project. */
  readonly project: Project;
  /** The target's Service port called. */
  readonly port: ServicePort;
  /** The calling service, when the caller is one (backup jobs are not). */
  readonly service?: AppService;
  /** The environments where the path exists, when not all of the project's. */
  readonly onlyIn?: (environment: Environment) => boolean;
}

/** Whether a caller runs in an environment (a preview runs only some services of a project). */
function callerRunsIn(c: Caller, environment: Environment): boolean {
  if (c.onlyIn && !c.onlyIn(environment)) return false;
  return c.service ? c.service.environments.includes(environment) : c.project.isPlacedIn(environment);
}

/**
 * The environment whose instance of a target a consumer in an environment reaches: its own, except in a
 * preview, whose services reach the baseline's instance of what the preview does not run.
 * @param target the target
 * @param environment the consumer's environment
 */
export function targetEnvironment(target: IConnectable, environment: Environment): Environment {
  if (!PreviewEnvironment.isPreview(environment)) return environment;
  const runs = AppService.isAppService(target) && environment.runs(target);
  return runs ? environment : (environment.baseline ?? environment);
}

/** Every declared path of a platform, by target. */
export type ConnectionIndex = ReadonlyMap<IConnectable, readonly Caller[]>;

/**
 * Indexes the declared connections of a platform (and the backup jobs of in-cluster stateful services).
 * @param platform the platform
 */
export function indexConnections(platform: Platform): ConnectionIndex {
  const out = new Map<IConnectable, Caller[]>();
  const add = (target: IConnectable, caller: Caller): void => {
    const list = out.get(target) ?? [];
    list.push(caller);
    out.set(target, list);
  };
  for (const tenant of platform.tenants) {
    for (const project of tenant.projects) {
      for (const service of project.services) {
        for (const c of service.connections) {
          const port = c.target?.findPort?.(c.options.port);
          if (port) add(c.target, { podName: service.name, project, port, service });
        }
      }
      for (const stateful of project.statefulServices) {
        // One caller per port, present in the environments whose backup connects to that port.
        for (const port of stateful.ports) add(stateful, { podName: backupPodName(stateful), project, port, onlyIn: (env) => stateful.backupPortIn(env)?.name === port.name });
      }
    }
  }
  return out;
}

/** The `app.kubernetes.io/name` of a stateful service's backup pods. */
export function backupPodName(stateful: StatefulService): string {
  return `${stateful.name}-backup`;
}

/**
 * The namespace of a project in an environment.
 * @param project the project
 * @param environment the environment
 */
export function namespaceIn(project: Project, environment: Environment): string {
  return `${project.namespace}${environment.namespaceSuffix}`;
}

/**
 * The address variables of a consumer's connections in an environment: `<PREFIX>_HOST` and `<PREFIX>_PORT`, and the
 * variables in the consumer's own format (`ConnectOptions.env`), filled for the instance of the target it reaches
 * there (in a preview, the baseline's instance of what the preview does not run).
 * @param service the consumer
 * @param environment the environment
 */
export function connectionEnv(service: AppService, environment: Environment): JsonObject[] {
  const out: JsonObject[] = [];
  const own = namespaceIn(service.project, environment);
  for (const c of service.connections) {
    const port = c.target.findPort(c.options.port);
    if (!port) continue;
    const namespace = namespaceIn(c.target.project, targetEnvironment(c.target, environment));
    const host = serviceAddress(c.target.name, namespace);
    const values: PlaceholderValues = { host, shortHost: namespace === own ? c.target.name : `${c.target.name}.${namespace}`, port: String(port.port), namespace };
    const prefix = c.options.envPrefix ?? defaultEnvPrefix(c.target.name);
    for (const name of connectionVariableNames(c)) {
      if (name === `${prefix}_HOST` && c.options.env?.[name] === undefined) out.push({ name, value: host });
      else if (name === `${prefix}_PORT` && c.options.env?.[name] === undefined) out.push({ name, value: values.port });
      else out.push({ name, value: fillConnectionTemplate(c.options.env?.[name] as string, values) });
    }
  }
  return out;
}

/**
 * The network policies of the declared paths in one namespace: for each target called from here, an egress
 * policy `egress-to-<target>[.<namespace>]` selecting the calling pods; for each target here that runs as pods,
 * an ingress policy `ingress-to-<target>` admitting exactly its callers.
 * @param placement the namespace
 * @param index the platform's connections
 * @param labels the labels of the policies
 */
export function connectionPolicies(placement: ProjectPlacement, index: ConnectionIndex, labels: Record<string, string>): KubeObject[] {
  const { environment, namespace } = placement;
  const out: KubeObject[] = [];
  for (const [target, all] of index) {
    // The consumers here: callers of this project that run in this environment.
    const local = all.filter((c) => c.project === placement.project && callerRunsIn(c, environment) && namespaceIn(c.project, environment) === namespace);
    const reached = targetEnvironment(target, environment);
    if (local.length > 0 && target.project.isPlacedIn(reached)) {
      const targetNs = namespaceIn(target.project, reached);
      // One egress policy per target port: a policy's rules apply to every pod it selects, so callers of different
      // ports get separate policies, and each caller reaches exactly its own port.
      const byPort = groupByPort(target, reached, local);
      for (const group of byPort) {
        const { peer } = group;
        const peers: JsonObject[] =
          peer.kind === 'pods'
            ? [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: targetNs } }, podSelector: { matchLabels: { [LabelKeys.NAME]: peer.podName } } }]
            : peer.kind === 'addresses'
              ? [...peer.cidrs].sort().map((cidr) => ({ ipBlock: { cidr } }))
              : [{ ipBlock: { cidr: '0.0.0.0/0' } }];
        const base = targetNs === namespace ? `egress-to-${target.name}` : `egress-to-${target.name}.${targetNs}`;
        out.push({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: byPort.length === 1 ? base : `${base}-${group.portName}`, namespace, labels },
          spec: {
            podSelector: { matchExpressions: [{ key: LabelKeys.NAME, operator: 'In', values: unique(group.callers.map((c) => c.podName)) }] },
            policyTypes: ['Egress'],
            egress: [{ to: peers, ports: [group.port] }],
          },
        });
      }
    }
    if (target.project !== placement.project || !target.project.isPlacedIn(environment) || namespaceIn(target.project, environment) !== namespace) continue;
    // Only where the target's own instance runs: a preview reaches the baseline's instance of what it does not run
    // (a stateful service always), so its namespace gets no ingress policy for it.
    if (targetEnvironment(target, environment) !== environment) continue;
    // The callers admitted here: those of this environment, and those of the previews on this cluster that reach
    // this environment's instance of the target.
    const admitted: { caller: Caller; ns: string }[] = [];
    for (const c of all) if (callerRunsIn(c, environment)) admitted.push({ caller: c, ns: namespaceIn(c.project, environment) });
    for (const p of Platform.of(placement.project).activePreviews) {
      if (p.baseline !== environment || !p.clusters.includes(placement.cluster) || targetEnvironment(target, p) !== environment) continue;
      for (const c of all) if (callerRunsIn(c, p)) admitted.push({ caller: c, ns: namespaceIn(c.project, p) });
    }
    // The ingress side: one rule per port, admitting exactly the callers of that port.
    const rules: JsonObject[] = [];
    for (const group of groupByPort(target, environment, admitted.map((a) => a.caller))) {
      if (group.peer.kind !== 'pods') continue;
      const from = new Map<string, JsonObject>();
      for (const c of group.callers) {
        for (const a of admitted.filter((x) => x.caller === c)) {
          const ns = a.ns;
          from.set(`${ns}/${c.podName}`, { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } }, podSelector: { matchLabels: { [LabelKeys.NAME]: c.podName } } });
        }
      }

      rules.push({ from: [...from.keys()].sort().map((k) => from.get(k) as JsonObject), ports: [group.port] });
    }
    if (rules.length === 0) continue;
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `ingress-to-${target.name}`, namespace, labels },
      spec: { podSelector: { matchLabels: { [LabelKeys.NAME]: target.name } }, policyTypes: ['Ingress'], ingress: rules },
    });
  }
  return out;
}

/** Callers grouped by the target port they reach (as the target's pods or machines listen on it), sorted. */
function groupByPort(target: IConnectable, environment: Environment, callers: readonly Caller[]): { port: JsonObject; portName: string; peer: ConnectionPeer; callers: Caller[] }[] {
  const groups = new Map<string, { port: JsonObject; portName: string; peer: ConnectionPeer; callers: Caller[] }>();
  for (const c of callers) {
    const p = target.peerIn(environment, c.port);
    const key = `${p.protocol}/${p.port}`;
    const g = groups.get(key);
    if (g) g.callers.push(c);
    else groups.set(key, { port: { protocol: p.protocol, port: p.port }, portName: c.port.name, peer: p.peer, callers: [c] });
  }
  return [...groups.keys()].sort().map((k) => groups.get(k) as { port: JsonObject; portName: string; peer: ConnectionPeer; callers: Caller[] });
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * The cycles among declared connections, each as the services' paths from a service back to itself. The walk
 * is iterative (an explicit stack), so that a chain of any length is checked without exhausting the call stack.
 * @param platform the platform
 */
export function connectionCycles(platform: Platform): AppService[][] {
  const services = platform.tenants.flatMap((t) => t.projects.flatMap((p) => p.services));
  const known = new Set<AppService>(services);
  const state = new Map<AppService, 'visiting' | 'done'>();
  const cycles: AppService[][] = [];
  // The path from the root of the current walk, each with the index of the next connection to follow.
  const path: { service: AppService; next: number }[] = [];
  const onPath = new Map<AppService, number>();
  const enter = (s: AppService): void => {
    state.set(s, 'visiting');
    onPath.set(s, path.length);
    path.push({ service: s, next: 0 });
  };
  for (const root of services) {
    if (state.has(root)) continue;
    enter(root);
    while (path.length > 0) {
      const top = path[path.length - 1];
      const connections = top.service.connections ?? [];
      if (top.next >= connections.length) {
        path.pop();
        onPath.delete(top.service);
        state.set(top.service, 'done');
        continue;
      }
      const t = connections[top.next++]?.target;
      if (!t || StatefulService.isStatefulService(t) || !known.has(t as AppService)) continue;
      const next = t as AppService;
      const st = state.get(next);
      if (st === 'visiting') cycles.push([...path.slice(onPath.get(next)).map((x) => x.service), next]);
      else if (st === undefined) enter(next);
    }
  }
  return cycles;
}
