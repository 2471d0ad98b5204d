/**
 * Exposure beyond HTTP: ClusterIP, NodePort and LoadBalancer Services of their own for TCP and UDP ports, reachable
 * from declared networks only (source ranges and a network policy of exactly those CIDRs), with the production rule
 * that every address needs a waiver.
 */
import { ClusterRole, ExternalTrafficPolicy, NodeRole, Protocol, ServiceType } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkCidr } from '../../lib/cidr';
import { checkPolicies } from '../../lib/policy';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const GW = 'acme/shop/storefront/gateway';
const MQTT = [{ port: 1883, name: 'mqtt' }, { port: 8883, name: 'mqtts' }, { port: 8080, name: 'management' }];

describe('network exposure', () => {
  it('gives a LoadBalancer Service of its own to the ports named, with the networks as source ranges', () => {
    const f = fixture();
    addService(f, 'gateway', { ports: MQTT }).exposeNetwork({ from: ['10.20.0.0/16', '100.64.0.0/10'], ports: ['mqtt', 'mqtts'], annotations: { 'metallb.universe.tf/address-pool': 'vehicles' } });

    const objects = synth(f.platform);
    const svc = at(objects, 'host/Service/storefront/gateway-external');
    expect(svc.metadata.annotations).toEqual({ 'metallb.universe.tf/address-pool': 'vehicles' });
    expect(svc.spec).toEqual({
      type: 'LoadBalancer',
      selector: { 'app.kubernetes.io/name': 'gateway' },
      externalTrafficPolicy: 'Local',
      loadBalancerSourceRanges: ['10.20.0.0/16', '100.64.0.0/10'],
      ports: [
        { name: 'mqtt', port: 1883, targetPort: 'mqtt', protocol: 'TCP' },
        { name: 'mqtts', port: 8883, targetPort: 'mqtts', protocol: 'TCP' },
      ],
    });
    // The service's own ClusterIP Service stays as it is, with every port.
    expect(at(objects, 'host/Service/storefront/gateway').spec.type).toBe('ClusterIP');
    expect(at(objects, 'host/Service/storefront/gateway').spec.ports).toHaveLength(3);
  });

  it('admits exactly the declared networks on exactly the exposed container ports, nothing wider', () => {
    const f = fixture();
    addService(f, 'gateway', { ports: [{ port: 1883, containerPort: 11883, name: 'mqtt' }, { port: 5683, name: 'coap', protocol: Protocol.UDP }, { port: 8080, name: 'management' }] })
      .exposeNetwork({ from: ['10.20.0.0/16'], ports: ['mqtt', 'coap'], type: ServiceType.NODE_PORT });

    const policy = at(synth(f.platform), 'member-test/NetworkPolicy/storefront/ingress-to-gateway-external');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ protocol: 'TCP', port: 11883 }, { protocol: 'UDP', port: 5683 }] }],
    });
  });

  it('writes fixed node ports, no source ranges on a NodePort Service, and no node ports on a ClusterIP one', () => {
    const f = fixture();
    addService(f, 'gateway', { ports: MQTT }).exposeNetwork({ from: ['10.20.0.0/16'], type: ServiceType.NODE_PORT, ports: [{ port: 'mqtt', nodePort: 31883 }, 'mqtts'] });
    addService(f, 'relay', { ports: [{ port: 7000 }] }).exposeNetwork({ from: ['10.30.0.0/16'], type: ServiceType.CLUSTER_IP });

    const objects = synth(f.platform);
    const gw = at(objects, 'host/Service/storefront/gateway-external');
    expect(gw.spec.type).toBe('NodePort');
    expect(gw.spec.loadBalancerSourceRanges).toBeUndefined();
    expect(gw.spec.ports.map((p: any) => p.nodePort)).toEqual([31883, undefined]);
    const relay = at(objects, 'host/Service/storefront/relay-external');
    expect(relay.spec.type).toBe('ClusterIP');
    expect(relay.spec.externalTrafficPolicy).toBeUndefined();
  });

  it('takes the networks and annotations of an environment, and exposes only in the environments listed', () => {
    const f = fixture();
    addService(f, 'gateway', { ports: MQTT }).exposeNetwork({ from: ['10.20.0.0/16'], ports: ['mqtt'], perEnvironment: { production: { from: ['172.16.0.0/12'], annotations: { pool: 'prod' } } } });
    addService(f, 'bench', { ports: [{ port: 9000 }] }).exposeNetwork({ from: ['192.168.1.0/24'], environments: ['test'] });

    const objects = synth(f.platform);
    expect(at(objects, 'host/Service/storefront/gateway-external').spec.loadBalancerSourceRanges).toEqual(['172.16.0.0/12']);
    expect(at(objects, 'host/Service/storefront/gateway-external').metadata.annotations).toEqual({ pool: 'prod' });
    expect(at(objects, 'member-test/Service/storefront/gateway-external').spec.loadBalancerSourceRanges).toEqual(['10.20.0.0/16']);
    expect(objects.has('member-test/Service/storefront/bench-external')).toBe(true);
    expect(objects.has('host/Service/storefront/bench-external')).toBe(false);
    expect(objects.has('host/NetworkPolicy/storefront/ingress-to-bench-external')).toBe(false);
  });

  it('refuses every address in production without a waiver, and writes the waiver where it is used', () => {
    const f = fixture();
    addService(f, 'gateway', { ports: MQTT }).exposeNetwork({ from: ['0.0.0.0/0'], ports: ['mqtts'] });
    const line = lineFor(validationErrors(f.platform), GW, 'exposeNetwork[0].from (in production)');
    expect(line).toContain('0.0.0.0/0');
    expect(line).toContain('waivers: { sourceRanges');

    const g = fixture();
    addService(g, 'gateway', { ports: MQTT }).exposeNetwork({ from: ['0.0.0.0/0', '::/0'], ports: ['mqtts'], waivers: { sourceRanges: 'public endpoint, client certificates' } });
    const objects = synth(g.platform);
    expect(at(objects, 'host/Service/storefront/gateway-external').metadata.annotations).toEqual({ 'waiver.platform-cdk.io/exposure-source-ranges': 'public endpoint, client certificates' });
    expect(at(objects, 'member-test/Service/storefront/gateway-external').metadata.annotations).toBeUndefined();
  });

  it('reports every bad option at once: CIDRs, node ports, ports, names, types and environments', () => {
    const f = fixture();
    const gw = addService(f, 'gateway', { ports: MQTT });
    gw.exposeNetwork({ from: ['10.20.0.1/16', '10.0.0.0/33', 'nowhere', '10.20.0.0/16', '10.20.0.0/16'], ports: [{ port: 'mqtt', nodePort: 8080 }, 'amqp', 'mqtt'] });
    gw.exposeNetwork({ from: [], type: ServiceType.CLUSTER_IP, ports: [{ port: 'mqtts', nodePort: 31000 }], name: 'gateway-external', externalTrafficPolicy: ExternalTrafficPolicy.LOCAL, environments: ['staging'] });
    gw.exposeNetwork({ from: ['10.0.0.0/8'], type: 'Ingress' as ServiceType, name: 'Bad_Name', perEnvironment: { staging: { from: ['x'] } } });
    const lines = validationErrors(f.platform);
    expect(lineFor(lines, GW, 'exposeNetwork[0].from[0]')).toContain('the network is 10.20.0.0/16');
    expect(lineFor(lines, GW, 'exposeNetwork[0].from[1]')).toContain('0 to 32');
    expect(lineFor(lines, GW, 'exposeNetwork[0].from[2]')).toContain('not a CIDR');
    expect(lineFor(lines, GW, 'exposeNetwork[0].from[4]')).toContain('listed already');
    expect(lineFor(lines, GW, 'exposeNetwork[0].ports[0].nodePort')).toContain('30000 to 32767');
    expect(lineFor(lines, GW, 'exposeNetwork[0].ports[1]')).toContain('no port of this name');
    expect(lineFor(lines, GW, 'exposeNetwork[0].ports[2]')).toContain('exposed already');
    expect(lineFor(lines, GW, 'exposeNetwork[1].from')).toContain('non-empty list');
    expect(lineFor(lines, GW, 'exposeNetwork[1].ports[0].nodePort')).toContain('ClusterIP Service has no node ports');
    expect(lineFor(lines, GW, 'exposeNetwork[1].name')).toContain('exposeNetwork[0] names its Service');
    expect(lineFor(lines, GW, 'exposeNetwork[1].externalTrafficPolicy')).toContain('no external traffic policy');
    expect(lineFor(lines, GW, 'exposeNetwork[1].environments[0]')).toContain('not an environment of the project');
    expect(lineFor(lines, GW, 'exposeNetwork[2].type')).toContain('ClusterIP, NodePort or LoadBalancer');
    expect(lineFor(lines, GW, 'exposeNetwork[2].name')).toContain('Bad_Name');
    expect(lineFor(lines, GW, 'exposeNetwork[2].perEnvironment["staging"]')).toContain('not an environment');
    expect(lineFor(lines, GW, 'exposeNetwork[2].perEnvironment["staging"].from[0]')).toContain('not a CIDR');
  });

  it('refuses a node port taken on the same cluster, and a Service name another service has', () => {
    const f = fixture();
    addService(f, 'gateway', { ports: MQTT }).exposeNetwork({ from: ['10.20.0.0/16'], ports: [{ port: 'mqtt', nodePort: 31883 }] });
    addService(f, 'broker', { ports: [{ port: 1883 }] }).exposeNetwork({ from: ['10.20.0.0/16'], ports: [{ port: 1883, nodePort: 31883 }] });
    addService(f, 'gateway-external');
    const lines = validationErrors(f.platform);
    expect(lineFor(lines, 'acme/shop/storefront/broker', 'exposeNetwork[0].ports (in test)')).toContain('taken by acme/shop/storefront/gateway exposeNetwork[0] in test');
    expect(lineFor(lines, GW, 'exposeNetwork[0].name')).toContain('acme/shop/storefront/gateway-external has a Service of this name');
  });

  it('warns that the Cluster traffic policy hides the clients\' addresses from the network policy', () => {
    const f = fixture();
    addService(f, 'gateway', { ports: MQTT }).exposeNetwork({ from: ['10.20.0.0/16'], externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER });
    const objects = synth(f.platform);
    expect(at(objects, 'host/Service/storefront/gateway-external').spec.externalTrafficPolicy).toBe('Cluster');
  });

  it('a production LoadBalancer open to every address is a policy finding unless waived on the object', () => {
    const lb = (annotations?: Record<string, string>, ranges?: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'gw', namespace: 'ns', annotations }, spec: { type: 'LoadBalancer', loadBalancerSourceRanges: ranges, ports: [{ port: 1883 }] } });
    const rule = (o: KubeObject, production = true) => checkPolicies([{ cluster: 'c', object: o, production }]).filter((x) => x.rule === 'exposure-source-ranges');
    expect(rule(lb(undefined, undefined))).toHaveLength(1);
    expect(rule(lb(undefined, ['0.0.0.0/0']))[0].message).toContain('0.0.0.0/0');
    expect(rule(lb(undefined, ['10.0.0.0/8']))).toHaveLength(0);
    expect(rule(lb(undefined, undefined), false)).toHaveLength(0);
    expect(rule(lb({ 'waiver.platform-cdk.io/exposure-source-ranges': 'public' }, ['0.0.0.0/0']))[0].waived).toBe('public');
  });

  it('reads CIDRs as the API server does, in canonical form', () => {
    expect(checkCidr('10.20.0.0/16')).toBeUndefined();
    expect(checkCidr('2001:db8::/32')).toBeUndefined();
    expect(checkCidr('::/0')).toBeUndefined();
    expect(checkCidr('2001:db8::1/32')?.fix).toContain('"2001:db8::/32"');
    expect(checkCidr('010.0.0.0/8')?.message).toContain('not an IPv4 or IPv6 address');
    expect(checkCidr('10.0.0.0/08')?.message).toContain('prefix length');
    expect(checkCidr(42)?.message).toContain('CIDR string');
  });

  it('refuses a network that reaches into the cluster\'s pod or Service network, which would admit every tenant\'s pods', () => {
    const f = fixture();
    const plan = { kubernetesVersion: 'v1.27.16', nodes: [{ name: 'n1', address: '192.168.1.10', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD, NodeRole.WORKER] }] };
    const cluster = f.platform.addCluster('edge', { role: ClusterRole.MEMBER, nodePlan: plan });
    const staging = f.platform.addEnvironment('staging', { clusters: [cluster], domain: 'staging.example.com' });
    const p = f.tenant.addProject('edge', { environments: [staging] });
    p.addService('gateway', { image: f.registry.image('shop/gateway', '1.0.0'), ports: [{ port: 1883 }] }).exposeNetwork({ from: ['10.233.0.0/16', '10.20.0.0/16', '0.0.0.0/0'] });
    const lines = validationErrors(f.platform).filter((l) => l.includes('exposeNetwork'));
    expect(lines).toEqual([
      expect.stringContaining('[acme/shop/edge/gateway] exposeNetwork[0].from (in staging): got "10.233.0.0/16"; the network overlaps the Service network 10.233.0.0/18 of cluster edge'),
      expect.stringContaining('the network overlaps the pod network 10.233.64.0/18 of cluster edge, so the policy would admit traffic from inside the cluster, of any tenant'),
    ]);
  });

  it('refuses hostile options without throwing, and a missing options object at once', () => {
    const f = fixture();
    const gw = addService(f, 'gateway', { ports: MQTT });
    expect(() => gw.exposeNetwork(null as unknown as { from: string[] })).toThrow(/exposeNetwork\[0\]/);
    gw.exposeNetwork({ from: '10.0.0.0/8' as unknown as string[], ports: 'mqtt' as unknown as string[], name: 42 as unknown as string, annotations: { pool: 7 as unknown as string }, perEnvironment: { test: null as unknown as { from: string[] } } });
    const lines = validationErrors(f.platform);
    expect(lineFor(lines, GW, 'exposeNetwork[0].from')).toContain('non-empty list');
    expect(lineFor(lines, GW, 'exposeNetwork[0].ports')).toContain('non-empty list');
    expect(lineFor(lines, GW, 'exposeNetwork[0].name')).toContain('42');
    expect(lineFor(lines, GW, 'exposeNetwork[0].annotations["pool"]')).toContain('string');
  });
});
