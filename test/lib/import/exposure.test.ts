/**
 * Network exposures and pending domain cut-overs in `platform-cdk import`: a service's `exposeNetwork` (its Service and
 * network policy, per environment) and a pending cut-over's legacy backend come back as typed calls; what the library
 * would not write again stays an escape hatch.
 */
import * as fc from 'fast-check';
import { ClusterRole, ExternalTrafficPolicy, Platform, Registry, ServiceType } from 'platform-cdk';
import type { AppService, NetworkExposeOptions } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { importChanged, roundTrip } from './roundtrip';

const SEED = 22;
const harbor = Registry.at('harbor.example.com');

/** Two clusters, test and production, one tenant with one project of a gateway and a portal. */
function estate(): { platform: Platform; gateway: AppService; portal: AppService } {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member', { role: ClusterRole.MEMBER });
  platform.addEnvironment('test', { clusters: [member] });
  platform.addEnvironment('production', { clusters: [host], production: true });
  const tenant = platform.addTenant('fleet', { manager: 'alice' });
  const project = tenant.addProject('access', { environments: ['test', 'production'] });
  const gateway = project.addService('gateway', { image: harbor.image('fleet/gateway', '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }, { port: 1883, name: 'mqtt' }, { port: 8883, name: 'mqtts' }] });
  const portal = project.addService('portal', { image: harbor.image('fleet/portal', '2.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] });
  return { platform, gateway, portal };
}

const OPENELB = { 'lb.kubesphere.io/v1alpha1': 'openelb', 'protocol.openelb.kubesphere.io/v1alpha1': 'layer2' };

describe('network exposures', () => {
  test('a LoadBalancer with per-environment networks and annotations comes back as one exposeNetwork call', () => {
    const { platform, gateway } = estate();
    gateway.exposeNetwork({
      name: 'gateway-mqtt',
      type: ServiceType.LOAD_BALANCER,
      ports: ['mqtt', 'mqtts'],
      from: ['10.64.0.0/14', '10.72.0.0/14'],
      annotations: { ...OPENELB, 'eip.openelb.kubesphere.io/v1alpha2': 'vehicle-access', 'example.com/note': "it's `${process.exit(1)}`" },
      perEnvironment: { test: { from: ['10.80.0.0/16'], annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'vehicle-access-test' } } },
    });
    const r = roundTrip(platform, 'exposure-lb');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.summary.hatch).toBe(0);
    expect(r.imported.program).toContain('.exposeNetwork({');
    expect(r.imported.program).toContain("'example.com/note': 'it\\'s `${process.exit(1)}`'");
    expect(r.imported.program).toContain("perEnvironment: { test: { from: ['10.80.0.0/16'], annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'vehicle-access-test' } } }");
    expect(r.imported.report.filter((e) => e.object.includes('gateway-mqtt')).map((e) => e.outcome).sort()).toEqual(['generated', 'generated', 'typed', 'typed']);
  });

  test('a NodePort with fixed node ports, the cluster traffic policy, one environment and a production waiver', () => {
    const { platform, gateway } = estate();
    gateway.exposeNetwork({ type: ServiceType.NODE_PORT, ports: [{ port: 'mqtt', nodePort: 31883 }], from: ['0.0.0.0/0'], externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, environments: ['production'], waivers: { sourceRanges: "the carriers' NAT: 'every' address" } });
    const r = roundTrip(platform, 'exposure-nodeport');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.summary.hatch).toBe(0);
    expect(r.imported.program).toContain("environments: ['production']");
    expect(r.imported.program).toContain('ExternalTrafficPolicy.CLUSTER');
  });

  test('an exposure the library would not write again stays an escape hatch: a foreign label, a policy port of its own, a quoted annotation', () => {
    const { platform, gateway } = estate();
    gateway.exposeNetwork({ name: 'gateway-mqtt', ports: ['mqtt'], from: ['10.0.0.0/8'], annotations: { note: "it's `${process.exit(1)}`" } });
    const r = importChanged(platform, (o) => {
      const m = o.metadata as { name: string; namespace?: string; labels?: Record<string, string> };
      if (m.name !== 'gateway-mqtt' && m.name !== 'ingress-to-gateway-mqtt') return;
      if (m.namespace === 'access-test' || (o.metadata as { labels?: Record<string, string> }).labels?.['platform-cdk.io/environment'] === 'test') {
        if (o.kind === 'Service') m.labels = { ...m.labels, team: 'x' };
      } else if (o.kind === 'NetworkPolicy') {
        const rule = (o.spec as { ingress: { ports: unknown[] }[] }).ingress[0];
        rule.ports.push({ protocol: 'TCP', port: 22 });
      }
    });
    const outcomes = r.report.filter((e) => / (access(-test)?\/)?(ingress-to-)?gateway-mqtt$/.test(e.object)).map((e) => e.outcome);
    expect(outcomes).toEqual(['hatch', 'hatch', 'hatch', 'hatch']);
    expect(r.program).not.toContain('process.exit(1)`');
  });

  test('whatever networks, ports and annotations an exposure has, it round-trips', () => {
    const cidr = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(8, 16, 24)).map(([a, b, bits]) => (bits === 8 ? `${a}.0.0.0/8` : bits === 16 ? `${a}.${b}.0.0/16` : `${a}.${b}.7.0/24`));
    const networks = fc.uniqueArray(cidr, { minLength: 1, maxLength: 3 });
    const annotation = fc.dictionary(fc.constantFrom('a.example.com/pool', 'b.example.com/mode'), fc.string({ maxLength: 12 }), { maxKeys: 2 });
    const exposure = fc.record({
      type: fc.constantFrom(ServiceType.CLUSTER_IP, ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER),
      ports: fc.subarray(['mqtt', 'mqtts', 'http'], { minLength: 1 }),
      from: networks,
      test: fc.option(networks, { nil: undefined }),
      annotations: annotation,
    });
    let run = 0;
    fc.assert(
      fc.property(exposure, (x) => {
        const { platform, gateway } = estate();
        const options: NetworkExposeOptions = { type: x.type, ports: x.ports, from: x.from, annotations: x.annotations, ...(x.test ? { perEnvironment: { test: { from: x.test } } } : {}) };
        gateway.exposeNetwork(options);
        const r = roundTrip(platform, `exposure-prop-${run++}`);
        expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
        expect(r.imported.summary.hatch).toBe(0);
      }),
      { seed: SEED, numRuns: 8 },
    );
  });
});

describe('pending domain cut-overs', () => {
  test('the legacy backend by addresses comes back as the host\'s exposure with its cut-over', () => {
    const { platform, portal } = estate();
    portal.expose({ hosts: { test: 'portal.test.example.com', production: 'portal.example.com' } });
    portal.expose({ hosts: { production: 'www.example.com' }, environments: ['production'], cutOver: { production: { legacy: { addresses: ['10.20.0.22', '10.20.0.21'], port: 80 }, done: false } } });
    const r = roundTrip(platform, 'cutover-addresses');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.summary.hatch).toBe(0);
    expect(r.imported.program).toContain("expose({ hosts: { production: 'www.example.com' }, environments: ['production'], cutOver: { production: { legacy: { addresses: ['10.20.0.21', '10.20.0.22'], port: 80 }, done: false } } })");
    expect(r.imported.report.filter((e) => e.object.includes('portal-legacy')).map((e) => e.outcome)).toEqual(['typed', 'typed']);
  });

  test('a legacy backend by DNS name, in both environments, with a host sorted before the service\'s own', () => {
    const { platform, portal } = estate();
    portal.expose({ hosts: { test: 'z.test.example.com', production: 'z.example.com' } });
    portal.expose({ hosts: { test: 'a.test.example.com', production: 'a.example.com' }, cutOver: { test: { legacy: { host: 'old-test.example.com', port: 8080 }, done: false }, production: { legacy: { host: 'old.example.com', port: 80 }, done: false } } });
    const r = roundTrip(platform, 'cutover-host');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.summary.hatch).toBe(0);
    expect(r.imported.program).toContain("legacy: { host: 'old.example.com', port: 80 }");
  });

  test('a legacy backend the library would not write again stays an escape hatch (an address that is no IPv4 address)', () => {
    const { platform, portal } = estate();
    portal.expose({ hosts: { production: 'portal.example.com' }, environments: ['production'] });
    portal.expose({ hosts: { production: 'www.example.com' }, environments: ['production'], cutOver: { production: { legacy: { addresses: ['10.20.0.21'], port: 80 }, done: false } } });
    const r = importChanged(platform, (o) => {
      if (o.kind === 'EndpointSlice') (o.endpoints as { addresses: string[] }[])[0].addresses = ["10.0.0.1'); process.exit(1); ('"];
    });
    expect(r.report.filter((e) => e.object.includes('portal-legacy')).map((e) => e.outcome)).toEqual(['hatch', 'hatch']);
    expect(r.program).not.toContain('cutOver');
  });

  test('a legacy Service with a label of its own stays an escape hatch', () => {
    const { platform, portal } = estate();
    portal.expose({ hosts: { production: 'portal.example.com' }, environments: ['production'] });
    portal.expose({ hosts: { production: 'www.example.com' }, environments: ['production'], cutOver: { production: { legacy: { host: 'old.example.com', port: 80 }, done: false } } });
    const r = importChanged(platform, (o) => {
      const m = o.metadata as { name: string; labels?: Record<string, string> };
      if (o.kind === 'Service' && m.name === 'portal-legacy') m.labels = { ...m.labels, owner: 'web-team' };
    });
    expect(r.report.filter((e) => e.object.includes('portal-legacy')).map((e) => e.outcome)).toEqual(['hatch']);
  });

  test('whatever legacy backend a pending cut-over has, it round-trips', () => {
    const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'));
    const legacy = fc.oneof(
      fc.record({ addresses: fc.uniqueArray(ipv4, { minLength: 1, maxLength: 3 }), port: fc.integer({ min: 1, max: 65535 }) }),
      fc.record({ host: fc.constantFrom('old.example.com', 'legacy-www.example.org'), port: fc.integer({ min: 1, max: 65535 }) }),
    );
    let run = 0;
    fc.assert(
      fc.property(legacy, fc.constantFrom('a.example.com', 'www.example.com', 'zz.example.com'), (backend, host) => {
        const { platform, portal } = estate();
        portal.expose({ hosts: { test: 'portal.test.example.com', production: 'portal.example.com' } });
        portal.expose({ hosts: { production: host }, environments: ['production'], cutOver: { production: { legacy: backend, done: false } } });
        const r = roundTrip(platform, `cutover-prop-${run++}`);
        expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
        expect(r.imported.summary.hatch).toBe(0);
      }),
      { seed: SEED, numRuns: 8 },
    );
  });
});
