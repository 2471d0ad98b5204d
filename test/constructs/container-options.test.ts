/**
 * The container options that close the published applications' gaps: the one capability the restricted profile
 * lets a container add (NET_BIND_SERVICE), empty volumes in memory (an in-memory /tmp), and ports on sidecars.
 */
import * as fc from 'fast-check';
import { ManifestStack, validatePlatform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkedObjects } from '../../lib/check';
import { checkPolicies } from '../../lib/policy';
import { addService, fixture, objectAt, synthValid as synth } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const API = 'acme/shop/storefront/api';
const PROD = 'host/Deployment/storefront/api';
const SEED = 20261206;
const errors = (f: ReturnType<typeof fixture>): { property: string; value: unknown; message: string; fix: string; path: string }[] =>
  validatePlatform(f.platform).filter((p) => p.severity === 'error').map((p) => ({ path: p.path, property: p.property, value: p.value, message: p.message, fix: p.fix }));
const policyFindings = (f: ReturnType<typeof fixture>): string[] =>
  checkPolicies(checkedObjects(f.platform, new ManifestStack(f.platform).render())).filter((x) => x.rule === 'pod-security-restricted').map((x) => x.message);

describe('added capabilities', () => {
  it('writes NET_BIND_SERVICE beside drop: [ALL], on the service\'s container and a sidecar, and the policy rules accept it', () => {
    const f = fixture();
    addService(f, 'api', { ports: [{ port: 80 }], runAsUser: 10001, addCapabilities: ['NET_BIND_SERVICE'], sidecars: [{ name: 'proxy', image: f.registry.image('shop/proxy', '1.0.0'), runAsUser: 10001, addCapabilities: ['NET_BIND_SERVICE'] }] });
    const pod = at(synth(f.platform), PROD).spec.template.spec;
    expect(pod.containers[0].securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
    expect(pod.containers[1].securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
    expect(policyFindings(f)).toEqual([]);
  });

  it('adds nothing by default', () => {
    const f = fixture();
    addService(f, 'api');
    expect(at(synth(f.platform), PROD).spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });

  it('refuses any other capability, a CAP_ prefix, a repeat and a non-list, with the reason and the fix', () => {
    const f = fixture();
    addService(f, 'api', {
      addCapabilities: ['SYS_ADMIN' as never, 'CAP_NET_BIND_SERVICE' as never, 'NET_BIND_SERVICE', 'NET_BIND_SERVICE'],
      initContainers: [{ name: 'setup', image: f.registry.image('shop/setup', '1.0.0'), addCapabilities: 'NET_RAW' as never }],
    });
    expect(errors(f)).toEqual([
      expect.objectContaining({ path: API, property: 'addCapabilities[0]', value: 'SYS_ADMIN', message: expect.stringContaining('lets a container add NET_BIND_SERVICE only'), fix: expect.stringContaining('remove it') }),
      expect.objectContaining({ path: API, property: 'addCapabilities[1]', value: 'CAP_NET_BIND_SERVICE', message: expect.stringContaining('without the CAP_ prefix') }),
      expect.objectContaining({ path: API, property: 'addCapabilities[3]', value: 'NET_BIND_SERVICE', message: 'this capability is listed twice' }),
      expect.objectContaining({ path: API, property: 'initContainers[0].addCapabilities', value: 'NET_RAW', message: 'the added capabilities are a list' }),
    ]);
  });

  it('as a property: any list of capability names is refused unless it is NET_BIND_SERVICE once; what passes passes the policy rules', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('NET_BIND_SERVICE', 'NET_RAW', 'SYS_ADMIN', 'net_bind_service', 'CHOWN', ''), { maxLength: 3 }), (caps) => {
        const f = fixture();
        addService(f, 'api', { runAsUser: 1000, addCapabilities: caps as never });
        const refused = errors(f).some((e) => e.property.startsWith('addCapabilities'));
        expect(refused).toBe(!(caps.length === 0 || (caps.length === 1 && caps[0] === 'NET_BIND_SERVICE')));
        if (!refused) expect(policyFindings(f)).toEqual([]);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });
});

describe('writable folders in memory', () => {
  it('keeps /tmp and a folder in memory, with size limits, on the service and a sidecar', () => {
    const f = fixture();
    addService(f, 'api', {
      writablePaths: [{ path: '/tmp', medium: 'Memory', sizeLimitMiB: 64 }, '/var/cache/api', { path: '/var/run/api', medium: 'Memory' }, { path: '/data', sizeLimitMiB: 512 }],
      sidecars: [{ name: 'proxy', image: f.registry.image('shop/proxy', '1.0.0'), writablePaths: [{ path: '/var/run/envoy', medium: 'Memory', sizeLimitMiB: 16 }] }],
    });
    const pod = at(synth(f.platform), PROD).spec.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'writable-0', emptyDir: {} },
      { name: 'writable-1', emptyDir: { medium: 'Memory' } },
      { name: 'writable-2', emptyDir: { sizeLimit: '512Mi' } },
      { name: 'side0-writable-0', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    ]);
    expect(pod.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual(['/tmp', '/var/cache/api', '/var/run/api', '/data']);
    expect(pod.containers[1].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'side0-writable-0', mountPath: '/var/run/envoy' }]);
  });

  it('keeps /tmp on the node\'s disk by default', () => {
    const f = fixture();
    addService(f, 'api');
    expect(at(synth(f.platform), PROD).spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
  });

  it('refuses another medium, a bad size, an unknown field, a repeat, and /tmp on a sidecar, with the fix', () => {
    const f = fixture();
    addService(f, 'api', {
      writablePaths: [{ path: '/cache', medium: 'Disk' as never }, { path: '/work', sizeLimitMiB: 0 }, { path: '/work', sizeLimitMiB: 1.5 }, { path: '/x', readOnly: true } as never, '/tmp', { path: 'relative' }],
      sidecars: [{ name: 'proxy', image: f.registry.image('shop/proxy', '1.0.0'), writablePaths: [{ path: '/tmp', medium: 'Memory' }] }],
    });
    expect(errors(f)).toEqual([
      expect.objectContaining({ path: API, property: 'sidecars[0].writablePaths[0].path', value: '/tmp', message: expect.stringContaining('every container shares'), fix: expect.stringContaining('the service\'s own writablePaths') }),
      expect.objectContaining({ path: API, property: 'writablePaths[0].medium', value: 'Disk', fix: 'write medium: "Memory", or leave it out' }),
      expect.objectContaining({ path: API, property: 'writablePaths[1].sizeLimitMiB', value: 0 }),
      expect.objectContaining({ path: API, property: 'writablePaths[2]', value: '/work', message: 'writablePaths[1] names this folder already' }),
      expect.objectContaining({ path: API, property: 'writablePaths[2].sizeLimitMiB', value: 1.5 }),
      expect.objectContaining({ path: API, property: 'writablePaths[3].readOnly', value: 'readOnly' }),
      expect.objectContaining({ path: API, property: 'writablePaths[4]', value: '/tmp', fix: expect.stringContaining('{ path: "/tmp", medium: "Memory" }') }),
      expect.objectContaining({ path: API, property: 'writablePaths[5].path', value: 'relative' }),
    ]);
  });

  it('as a property: any JSON given as a writable path is refused naming the field, or written schema-valid', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ path: fc.constantFrom('/tmp', '/data', 'x', 3), medium: fc.constantFrom(undefined, 'Memory', 'memory'), sizeLimitMiB: fc.constantFrom(undefined, 1, 64, -1, 0.5) }, { requiredKeys: ['path'] })), (value) => {
        const f = fixture();
        addService(f, 'api', { writablePaths: [value as never] });
        const errs = errors(f);
        if (errs.length === 0) synth(f.platform);
        else for (const e of errs) expect(e.property.startsWith('writablePaths')).toBe(true);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});

describe('folders in memory and the memory limit', () => {
  it('warns when a folder in memory may hold as much as the container\'s memory limit, naming the environments', () => {
    const f = fixture();
    addService(f, 'api', { resources: { memoryLimitMiB: 256 }, perEnvironment: { production: { resources: { memoryLimitMiB: 1024 } } }, writablePaths: [{ path: '/tmp', medium: 'Memory', sizeLimitMiB: 512 }, { path: '/data', sizeLimitMiB: 4096 }] });
    const warnings = validatePlatform(f.platform).filter((p) => p.severity === 'warning' && p.property.startsWith('writablePaths'));
    expect(warnings).toEqual([expect.objectContaining({ path: API, property: 'writablePaths[0].sizeLimitMiB', value: 512, message: expect.stringContaining('256 MiB in test') })]);
    expect(warnings[0].message).not.toContain('production');
  });
});
