/**
 * Ports on sidecars: named, checked, unique across the pod; a service port of the same name is the sidecar's, and the
 * Service, the network policies and the metrics reach it there.
 */
import * as fc from 'fast-check';
import { validatePlatform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, objectAt, synthValid as synth } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const API = 'acme/shop/storefront/api';
const SEED = 20261206;
const errors = (f: ReturnType<typeof fixture>): { property: string; value: unknown; message: string; fix: string; path: string }[] =>
  validatePlatform(f.platform).filter((p) => p.severity === 'error').map((p) => ({ path: p.path, property: p.property, value: p.value, message: p.message, fix: p.fix }));

describe('ports on sidecars', () => {
  it('declares a sidecar\'s ports on it; a service port of the same name reaches it, and the policies are the service port\'s', () => {
    const f = fixture();
    const api = addService(f, 'api', {
      ports: [{ port: 8080 }, { port: 9090, name: 'exporter' }],
      metrics: { port: 'exporter' },
      sidecars: [{ name: 'exporter', image: f.registry.image('shop/exporter', '1.0.0'), ports: [{ name: 'exporter', containerPort: 9090 }, { name: 'admin', containerPort: 9901 }] }],
    });
    const web = addService(f, 'web');
    web.connectsTo(api, { port: 'exporter' });
    const objects = synth(f.platform);
    const pod = at(objects, 'host/Deployment/storefront/api').spec.template.spec;
    expect(pod.containers[0].ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(pod.containers[1].ports).toEqual([{ name: 'exporter', containerPort: 9090, protocol: 'TCP' }, { name: 'admin', containerPort: 9901, protocol: 'TCP' }]);
    expect(at(objects, 'host/Service/storefront/api').spec.ports).toContainEqual(expect.objectContaining({ port: 9090, targetPort: 'exporter' }));
    // The caller's policies name the Service's port, as for a port of the service's own container; the admin port,
    // on no Service, is admitted by no policy.
    const policies = JSON.stringify([...objects].filter(([k]) => k.startsWith('host/NetworkPolicy/')).map(([, o]) => o));
    expect(policies).toContain('9090');
    expect(policies).not.toContain('9901');
  });

  it('refuses ports on an init container, a bad or repeated name or number, and a clash with the service\'s ports', () => {
    const f = fixture();
    addService(f, 'api', {
      ports: [{ port: 8080 }, { port: 9090, name: 'exporter' }],
      initContainers: [{ name: 'setup', image: f.registry.image('shop/setup', '1.0.0'), ports: [{ name: 'x', containerPort: 1 }] }],
      sidecars: [
        { name: 'one', image: f.registry.image('shop/one', '1.0.0'), ports: [{ name: 'exporter', containerPort: 9091 }, { name: 'Bad_Name', containerPort: 70000 }, { name: 'web', containerPort: 8080 }] },
        { name: 'two', image: f.registry.image('shop/two', '1.0.0'), ports: [{ name: 'web', containerPort: 9000, protocol: 'SCTP' as never }, { name: 'other', containerPort: 8080 }] },
      ],
    });
    expect(errors(f)).toEqual([
      expect.objectContaining({ path: API, property: 'initContainers[0].ports', message: expect.stringContaining('serves no port') }),
      expect.objectContaining({ path: API, property: 'sidecars[0].ports[0].containerPort', value: 9091, message: expect.stringContaining('ports[1] names this sidecar port'), fix: expect.stringContaining('containerPort 9091') }),
      expect.objectContaining({ path: API, property: 'sidecars[0].ports[1].containerPort', value: 70000 }),
      expect.objectContaining({ path: API, property: 'sidecars[0].ports[1].name', value: 'Bad_Name' }),
      expect.objectContaining({ path: API, property: 'sidecars[0].ports[2].containerPort', value: 8080, message: expect.stringContaining('the service\'s container listens on this port already') }),
      expect.objectContaining({ path: API, property: 'sidecars[1].ports[0].name', value: 'web', message: expect.stringContaining('sidecars[0].ports[2] has this name already') }),
      expect.objectContaining({ path: API, property: 'sidecars[1].ports[0].protocol', value: 'SCTP' }),
      expect.objectContaining({ path: API, property: 'sidecars[1].ports[1].containerPort', value: 8080, message: expect.stringContaining('sidecars[0].ports[2] listens on this port already') }),
      expect.objectContaining({ path: API, property: 'sidecars[1].ports[1].containerPort', value: 8080, message: expect.stringContaining('the service\'s container listens on this port already') }),
    ]);
  });

  it('as a property: any JSON given as a sidecar port is refused naming the sidecar\'s ports, or written schema-valid', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ name: fc.constantFrom('metrics', 'http', 'x', '', 'A'), containerPort: fc.constantFrom(8080, 9090, 0, 65536, 1.5), protocol: fc.constantFrom(undefined, 'TCP', 'UDP', 'tcp') }, { requiredKeys: ['name', 'containerPort'] })), (value) => {
        const f = fixture();
        addService(f, 'api', { sidecars: [{ name: 'side', image: f.registry.image('shop/side', '1.0.0'), ports: [value as never] }] });
        const errs = errors(f);
        if (errs.length === 0) synth(f.platform);
        else for (const e of errs) expect(e.property.startsWith('sidecars[0].ports')).toBe(true);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});
