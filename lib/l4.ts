/**
 * Renders network exposures (TCP and UDP beyond HTTP): a Service of type ClusterIP, NodePort or LoadBalancer for
 * the exposed ports, and a network policy that admits exactly the declared networks on exactly those ports.
 */
import type { AppService } from '../constructs/app-service';
import { networkExposuresOf, ServiceType } from '../constructs/network-exposure';
import type { ProjectPlacement } from '../constructs/project';
import { isOpenCidr } from './cidr';
import { KubeObject, LabelKeys } from './manifest';
import { WAIVER_PREFIX } from './policy';
import type { JsonObject } from './yaml';

/** The policy rule a production exposure open to every address is waived from. */
export const SOURCE_RANGES_RULE = 'exposure-source-ranges';

/**
 * The Services and network policies of a service's network exposures in one namespace.
 * @param service the service
 * @param placement the namespace, environment and cluster
 * @param labels the labels of the service's objects
 */
export function renderNetworkExposures(service: AppService, placement: ProjectPlacement, labels: Record<string, string>): KubeObject[] {
  const env = placement.environment;
  const namespace = placement.namespace;
  const out: KubeObject[] = [];
  for (const x of networkExposuresOf(service)) {
    if (!x.covers(env)) continue;
    const ports = x.ports;
    if (ports.length === 0) continue;
    const from = [...new Set(x.fromIn(env))].sort();
    const annotations: Record<string, string> = { ...x.annotationsIn(env) };
    const waiver = x.options.waivers?.sourceRanges;
    if (env.production && waiver !== undefined && from.some(isOpenCidr)) annotations[`${WAIVER_PREFIX}${SOURCE_RANGES_RULE}`] = waiver;
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: x.name, namespace, labels, annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
      spec: {
        type: x.type,
        selector: { [LabelKeys.NAME]: service.name },
        ports: ports.map(({ port, nodePort }) => ({ name: port.name, port: port.port, targetPort: port.name, protocol: port.protocol, nodePort: x.type === ServiceType.CLUSTER_IP ? undefined : nodePort })),
        externalTrafficPolicy: x.externalTrafficPolicy,
        loadBalancerSourceRanges: x.type === ServiceType.LOAD_BALANCER ? from : undefined,
      },
    });
    const policyPorts = new Map<string, JsonObject>();
    for (const { port } of ports) policyPorts.set(`${port.protocol}/${port.containerPort}`, { protocol: port.protocol, port: port.containerPort });
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `ingress-to-${x.name}`, namespace, labels },
      spec: {
        podSelector: { matchLabels: { [LabelKeys.NAME]: service.name } },
        policyTypes: ['Ingress'],
        ingress: [{ from: from.map((cidr) => ({ ipBlock: { cidr } })), ports: [...policyPorts.keys()].sort().map((k) => policyPorts.get(k) as JsonObject) }],
      },
    });
  }
  return out;
}
