/**
 * The ports of a service's sidecars: a sidecar (a metrics exporter, a proxy) declares the ports it listens on, named
 * and unique across the pod. A port of the service (`ports`) with the name of a sidecar's port is that sidecar's:
 * the Service, its network policies and its ServiceMonitor reach the sidecar through it, and the service's own
 * container does not declare it.
 */
import { checkPort, checkPortName } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';

/** A port a sidecar listens on. */
export interface ContainerPort {
  /** The port's name (at most 15 characters: lower-case letters, digits and "-"), unique in the pod. */
  readonly name: string;
  /** The port the container listens on. */
  readonly containerPort: number;
  /**
   * `TCP` or `UDP`.
   * @default "TCP"
   */
  readonly protocol?: 'TCP' | 'UDP';
}

/** A port of the service, as the sidecar port checks see it. */
export interface ServicePortLike {
  /** The port's name. */
  readonly name: string;
  /** The container port. */
  readonly containerPort: number;
  /** The protocol. */
  readonly protocol: string;
}

/** A container with ports, as the sidecar port checks see it. */
export interface ContainerLike {
  /** The container's name. */
  readonly name: string;
  /** Its ports, if any. */
  readonly ports?: ContainerPort[];
}

/**
 * The names of the service's ports that are its sidecars' (a sidecar declares a port of that name).
 * @param sidecars the service's sidecars
 */
export function sidecarPortNames(sidecars: readonly ContainerLike[]): Set<string> {
  const out = new Set<string>();
  for (const c of sidecars) for (const p of Array.isArray(c?.ports) ? c.ports : []) if (typeof p?.name === 'string') out.add(p.name);
  return out;
}

/**
 * The `ports` of a sidecar's container.
 * @param ports the sidecar's ports
 */
export function renderContainerPorts(ports: readonly ContainerPort[] | undefined): Record<string, string | number>[] | undefined {
  if (!ports || ports.length === 0) return undefined;
  return ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' }));
}

/**
 * Reports what is wrong with the ports of a service's init containers and sidecars: a port on an init container,
 * a bad name, number or protocol, a name or port used twice in the pod, a service port that names a sidecar's port
 * with another number or protocol.
 * @param problems where problems go
 * @param path the service's construct path
 * @param servicePorts the service's ports, with their defaults
 * @param initContainers its init containers
 * @param sidecars its sidecars
 * @internal
 */
export function checkContainerPorts(problems: ProblemCollector, path: string, servicePorts: readonly ServicePortLike[], initContainers: readonly ContainerLike[], sidecars: readonly ContainerLike[]): void {
  initContainers.forEach((c, i) => {
    if (c?.ports !== undefined) problems.error({ path, property: `initContainers[${i}].ports`, value: c.ports, message: 'an init container runs to completion before the pod starts: it serves no port', fix: 'declare the ports on a sidecar, or on the service' });
  });
  const names = new Map<string, string>();
  const numbers = new Map<string, string>();
  sidecars.forEach((c, i) => {
    const list = c?.ports;
    if (list === undefined) return;
    const property = `sidecars[${i}].ports`;
    if (!Array.isArray(list)) {
      problems.error({ path, property, value: list, message: 'the ports are a list', fix: 'use e.g. ports: [{ name: "metrics", containerPort: 9090 }]' });
      return;
    }
    list.forEach((p, j) => {
      const at = `${property}[${j}]`;
      if (typeof p !== 'object' || p === null) {
        problems.error({ path, property: at, value: p, message: 'a port is an object', fix: 'use e.g. { name: "metrics", containerPort: 9090 }' });
        return;
      }
      const pn = checkPortName(p.name);
      if (pn) problems.error({ path, property: `${at}.name`, value: p.name, message: pn, fix: 'name the port like "metrics" or "admin"' });
      const cp = checkPort(p.containerPort);
      if (cp) problems.error({ path, property: `${at}.containerPort`, value: p.containerPort, message: cp, fix: 'choose a port between 1 and 65535' });
      const protocol = p.protocol ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') problems.error({ path, property: `${at}.protocol`, value: p.protocol, message: 'the protocol is TCP or UDP', fix: 'use "TCP" or "UDP"' });
      if (pn || cp) return;
      const firstName = names.get(p.name);
      if (firstName !== undefined) problems.error({ path, property: `${at}.name`, value: p.name, message: `${firstName} has this name already (port names are unique in the pod)`, fix: 'give each port its own name' });
      else names.set(p.name, at);
      const key = `${p.containerPort}/${protocol}`;
      const firstNumber = numbers.get(key);
      if (firstNumber !== undefined) problems.error({ path, property: `${at}.containerPort`, value: p.containerPort, message: `${firstNumber} listens on this port already (the pod's containers share one network)`, fix: 'give each port its own number' });
      else numbers.set(key, at);
      servicePorts.forEach((s, k) => {
        if (s.name === p.name && (s.containerPort !== p.containerPort || s.protocol !== protocol)) {
          problems.error({ path, property: `${at}.containerPort`, value: p.containerPort, message: `ports[${k}] names this sidecar port, and reaches ${s.containerPort}/${s.protocol} (a service port named after a sidecar's port is that port)`, fix: `give ports[${k}] containerPort ${p.containerPort} and protocol ${protocol}, or another name` });
        } else if (s.name !== p.name && s.containerPort === p.containerPort && s.protocol === protocol) {
          problems.error({ path, property: `${at}.containerPort`, value: p.containerPort, message: `the service's container listens on this port already (ports[${k}], "${s.name}"; the pod's containers share one network)`, fix: `choose another port, or name ports[${k}] "${p.name}" to reach this sidecar through the Service` });
        }
      });
    });
  });
}
