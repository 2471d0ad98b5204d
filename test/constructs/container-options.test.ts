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
