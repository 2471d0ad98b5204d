/**
 * Hostile and careless input to the model (issue 18, defects 10 and 11): values used as paths, request lines,
 * annotations and registry addresses are checked by one set of rules (lib/values.ts); every raw exception a bad
 * call could raise is a `ValidationError` naming the construct and the property; graph walks are iterative; NaN
 * and Infinity are shown as themselves and refused at their own field, without cascading. Regression tests of the
 * reported cases, then a property per class of input.
 */
import * as fc from 'fast-check';
import { Duration } from 'cdk8s';
import { ClusterRole, Engine, ExistingSecret, LoadBalancerKind, ManifestStack, NodeRole, Platform, Probe, Registry, User, ValidationError } from 'platform-cdk';
import type { AppService } from 'platform-cdk';
import { describeValue } from '../../lib/problems';
import { validatePlatform } from '../../lib/validate';
import { checkAbsolutePath, checkAnnotations, checkHttpPath, checkRegistryHost, checkWritablePath } from '../../lib/values';
import { addService, fixture, lineFor, synthValid, validationErrors } from '../fixture';

const SEED = 20261218;
const API = 'acme/shop/storefront/api';

/** The error lines of a platform, or `undefined` when it synthesizes; any other exception fails the test. */
function outcome(build: () => Platform): string[] | undefined {
  let platform: Platform;
  try {
    platform = build();
  } catch (e) {
    if (e instanceof ValidationError) return e.message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));
    throw e;
  }
  try {
    new ManifestStack(platform).files();
    return undefined;
  } catch (e) {
    if (e instanceof ValidationError) return e.message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));
    throw e;
  }
}

describe('values used as paths, lines and annotations (regressions)', () => {
  it('refuses a probe path with a newline, a space or no leading "/"', () => {
    const f = fixture();
    addService(f, 'api', { readiness: Probe.http('/healthz\nHost: evil'), liveness: Probe.http('health z'), startup: Probe.http('healthz') });

    const lines = validationErrors(f.platform);

    expect(lineFor(lines, API, 'readiness.path')).toContain('got "/healthz\\nHost: evil"; an HTTP path must not contain control characters');
    expect(lineFor(lines, API, 'liveness.path')).toContain('starting with "/"');
    expect(lineFor(lines, API, 'startup.path')).toContain('starting with "/"');
  });

  it('refuses writable paths of the kernel, the runtime, "..", and the runtime socket', () => {
    const f = fixture();
    addService(f, 'api', { writablePaths: ['/proc', '/etc/../', '/var/run/docker.sock', '/sys/fs/cgroup', '/dev/shm', '/run/containerd/x', '/var/run/secrets/kubernetes.io/serviceaccount', '/etc', '/usr', '/var/cache/../../etc'] });

    const lines = validationErrors(f.platform);

    expect(lineFor(lines, API, 'writablePaths[0]')).toContain('/proc belongs to the kernel or the container runtime');
    expect(lineFor(lines, API, 'writablePaths[1]')).toContain('no ".."');
    expect(lineFor(lines, API, 'writablePaths[2]')).toContain('socket');
    for (let i = 3; i < 10; i++) expect(lineFor(lines, API, `writablePaths[${i}]`)).toContain('a writable path is an absolute, normalised folder');
  });

  it('refuses the same paths as a generic engine\'s data folder and writable paths', () => {
    const f = fixture();
    f.project.addStatefulService('db', {
      engine: Engine.generic({ name: 'pg', ports: [{ port: 5432 }], dataPath: '/proc/data', runAsUser: 70, writablePaths: ['/var/run/docker.sock', '/var/run/postgresql'] }),
      inCluster: { image: f.registry.image('library/postgres', '16.2'), storage: '10Gi' },
    });

    const lines = validationErrors(f.platform);

    expect(lineFor(lines, 'acme/shop/storefront/db', 'engine.dataPath')).toContain('/proc belongs to the kernel');
    expect(lineFor(lines, 'acme/shop/storefront/db', 'engine.writablePaths[0]')).toContain('socket');
    expect(lines.filter((l) => l.includes('engine.writablePaths[1]'))).toEqual([]);
  });

  it('keeps the writable paths applications use', () => {
    const f = fixture();
    addService(f, 'api', { writablePaths: ['/var/cache/nginx', '/etc/nginx/conf.d', '/var/run/envoy', '/var/run', '/data'] });

    synthValid(f.platform);
  });

  it('refuses a branch of 300 KB, which would be an annotation above Kubernetes\' 256 KiB', () => {
    const f = fixture();
    addService(f, 'api');
    f.platform.addPreview(`feature/${'x'.repeat(300_000)}`, { baseline: 'test', owner: User.named('bob'), expires: '2099-12-31', services: { api: { tag: 'sha-1' } } });

    const lines = validationErrors(f.platform);

    expect(lines.some((l) => l.includes('] branch: got "feature/xxx') && l.includes('at most 255 characters'))).toBe(true);
    expect(lines.some((l) => l.includes('(300008 characters)'))).toBe(true);
    expect(lines.every((l) => l.length < 2000)).toBe(true);
  });

  it('refuses descriptions and waiver reasons above the 256 KiB of an object\'s annotations, and a display name that is not text', () => {
    const f = fixture();
    f.tenant.addProject('p2', { environments: ['test'], description: 'd'.repeat(300_000) });
    f.platform.addTenant('t2', { manager: 'bob', displayName: 5 as unknown as string });
    addService(f, 'api', { replicas: 1, waivers: { replicas: 'r'.repeat(300_000) } });

    const lines = validationErrors(f.platform);

    expect(lineFor(lines, 'acme/shop/p2', 'description')).toContain('(300000 characters); the text is written as the annotation kubesphere.io/description: an object\'s annotations hold at most 262144 bytes');
    expect(lineFor(lines, 'acme/t2', 'displayName')).toContain('got 5; the text is written as the annotation kubesphere.io/alias-name: an annotation value must be a string');
    expect(lines.filter((l) => l.startsWith(`[${API}] waivers.replicas (in `))).toHaveLength(1);
  });

  it('refuses a registry port outside 1-65535', () => {
    const f = fixture();
    addService(f, 'api', { image: Registry.at('harbor.example.com:99999').image('shop/api', '1.0.0') });
    addService(f, 'web', { image: Registry.at('harbor.example.com:0').image('shop/web', '1.0.0') });

    const lines = validationErrors(f.platform);

    expect(lineFor(lines, API, 'image.registry')).toContain('got "harbor.example.com:99999"; a registry\'s port must be between 1 and 65535');
    expect(lineFor(lines, 'acme/shop/storefront/web', 'image.registry')).toContain('port must be between 1 and 65535');
  });

  it('refuses a node plan\'s registry port outside 1-65535', () => {
    const platform = new Platform('acme');
    platform.addCluster('prod', {
      role: ClusterRole.HOST,
      nodePlan: {
        nodes: [{ name: 'kp-master01', address: '192.168.10.11', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD, NodeRole.WORKER] }],
        controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.HAPROXY },
        kubernetesVersion: 'v1.27.16',
        sshUser: 'kubekey',
        privateKeyPath: '~/.ssh/kubekey_ed25519',
        registry: { privateRegistry: 'harbor.example.com:70000', auths: [{ registry: 'harbor.example.com:0', usernameEnv: 'HARBOR_USERNAME', passwordEnv: 'HARBOR_PASSWORD' }] },
      },
    });

    const lines = validationErrors(platform);

    expect(lineFor(lines, 'acme/Clusters/prod', 'nodePlan.registry.privateRegistry')).toContain('got "harbor.example.com:70000"; not a registry host: a registry\'s port must be between 1 and 65535');
    expect(lineFor(lines, 'acme/Clusters/prod', 'nodePlan.registry.auths[0].registry')).toContain('(this one is 0)');
  });

  it('refuses acceptFrom a tenant of another platform', () => {
    const f = fixture();
    const other = new Platform('other');
    const stranger = other.addTenant('stranger', { manager: 'eve' });
    addService(f, 'api').acceptFrom(stranger);

    expect(lineFor(validationErrors(f.platform), API, 'acceptFrom[0]')).toContain('got "other/stranger"; the tenant belongs to another platform (other)');
  });

  it('has one module of rules, which the checks share', () => {
    expect(checkHttpPath('/ok?x=1')).toBeUndefined();
    expect(checkAbsolutePath('/a//b')).toBeDefined();
    expect(checkWritablePath('/var/lib/docker/x')).toBeDefined();
    expect(checkRegistryHost('registry.local:5000')).toBeUndefined();
    expect(checkAnnotations({ 'bad key!': 'x' })[0].message).toContain('annotation key');
    expect(checkAnnotations({ a: 'x'.repeat(256 * 1024) })).toHaveLength(1);
  });
});

describe('raw exceptions become model errors (regressions)', () => {
  it('refuses empty ids with the scope and the property', () => {
    const f = fixture();
    const calls: [string, () => unknown][] = [
      ['acme', () => f.platform.addTenant('', { manager: 'a' })],
      ['acme/Clusters', () => f.platform.addCluster('', { role: ClusterRole.MEMBER })],
      ['acme/Environments', () => f.platform.addEnvironment('  ', { clusters: [f.member] })],
      ['acme/shop', () => f.tenant.addProject('', { environments: ['test'] })],
      ['acme/shop', () => f.tenant.addDepartment('')],
      ['acme/shop/storefront', () => addService(f, '')],
      ['acme/shop/storefront', () => f.project.addService(undefined as unknown as string, { image: f.registry.image('shop/x', '1.0.0') })],
    ];
    for (const [scope, call] of calls) {
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(new RegExp(`\\[${scope}\\] id: got .*; an? .+'s id must be a non-empty string`));
    }
  });

  it('refuses null and undefined props naming the construct', () => {
    const f = fixture();
    const bad = [null, undefined, 'props', 7] as unknown[];
    for (const props of bad) {
      const calls: [string, () => unknown][] = [
        ['acme/t1', () => f.platform.addTenant('t1', props as never)],
        ['acme/Clusters/c1', () => f.platform.addCluster('c1', props as never)],
        ['acme/Environments/e1', () => f.platform.addEnvironment('e1', props as never)],
        ['acme/shop/p1', () => f.tenant.addProject('p1', props as never)],
        ['acme/shop/storefront/s1', () => f.project.addService('s1', props as never)],
        ['acme/shop/storefront/db1', () => f.project.addStatefulService('db1', props as never)],
        ['acme/Environments/pv-feature-n', () => f.platform.addPreview('feature/n', props as never)],
      ];
      if (props !== undefined) calls.push(['acme/shop/d1', () => f.tenant.addDepartment('d1', props as never)]);
      for (const [where, call] of calls) expect(call).toThrow(`[${where}] props: got ${describeValue(props)}; the properties of`);
    }
  });

  it('refuses null and undefined arguments of the methods that take objects, naming the construct and the argument', () => {
    for (const v of [null, undefined]) {
      const f = fixture();
      const api = addService(f, 'api');
      const calls: [string, () => unknown][] = [
        ['ports[1]', () => api.addPort(v as never)],
        ['perEnvironment["test"]', () => api.inEnvironment('test', v as never)],
        ['connectsTo[0]', () => api.connectsTo(v as never)],
        ['addPipeline', () => api.addPipeline(v as never)],
      ];
      if (v === null) calls.push(['expose[0]', () => api.expose(v as never)]);
      for (const [property, call] of calls) expect(call).toThrow(`[${API}] ${property}: got ${describeValue(v)}; this argument is an object`);
    }
    expect(() => new Platform('')).toThrow('[(platform)] id: got ""');
    expect(() => new Platform('acme', null as never)).toThrow('[acme] props: got null; the properties of a platform are an object');
  });

  it('validates a chain of 6,000 connected services without a RangeError, in a few seconds', () => {
    const f = fixture();
    let previous: AppService | undefined;
    for (let i = 0; i < 6000; i++) {
      const s = f.project.addService(`s${i}`, { image: f.registry.image('shop/s', '1.0.0'), ports: [{ port: 8080 }] });
      previous?.connectsTo(s);
      previous = s;
    }
    const start = Date.now();

    const problems = validatePlatform(f.platform);

    const ms = Date.now() - start;
    expect(problems.filter((p) => p.property === 'connectsTo' || p.message.includes('checking this construct failed'))).toEqual([]);
    expect(ms).toBeLessThan(15_000);
  });

  it('reports a cycle at the end of a 6,000-service chain', () => {
    const f = fixture();
    const all: AppService[] = [];
    for (let i = 0; i < 6000; i++) all.push(f.project.addService(`s${i}`, { image: f.registry.image('shop/s', '1.0.0'), ports: [{ port: 8080 }] }));
    for (let i = 1; i < all.length; i++) all[i - 1].connectsTo(all[i]);
    all[5999].connectsTo(all[5990]);

    const cycles = validatePlatform(f.platform).filter((p) => p.property === 'connectsTo');

    expect(cycles).toHaveLength(1);
    expect(cycles[0].path).toBe('acme/shop/storefront/s5990');
  });

  it('shows NaN and Infinity as themselves, at their own field, without "NaN pods" cascading', () => {
    const f = fixture();
    addService(f, 'api', { replicas: NaN, ports: [{ port: Infinity }] });
    f.tenant.addProject('p3', { environments: ['test'], quota: { pods: -Infinity } });

    const lines = validationErrors(f.platform);

    expect(lineFor(lines, API, 'replicas')).toContain('got NaN;');
    expect(lineFor(lines, API, 'ports[0].port')).toContain('got Infinity;');
    expect(lineFor(lines, 'acme/shop/p3', 'quota.pods')).toContain('got -Infinity;');
    expect(lines.filter((l) => l.includes('got null'))).toEqual([]);
    expect(lines.filter((l) => /NaN\d|need NaN|quota of NaN|Infinity pods/.test(l))).toEqual([]);
  });

  it('prints non-finite numbers inside objects as themselves', () => {
    expect(describeValue({ pods: NaN, cpu: [Infinity, -Infinity] })).toBe('{"pods":NaN,"cpu":[Infinity,-Infinity]}');
  });
});

/** Random text: control characters, "..", unicode, quotes, very long. */
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.stringMatching(/^(\/[a-z.]{0,6}){1,4}\/?$/),
  fc.constantFrom('/healthz', '/a\nb', '/../..', '/proc/self', '/etc/../', '/var/run/docker.sock', `/${'a'.repeat(5000)}`, '/x?y=1#z', '/ok', 'relative', '/\u2028'),
);

describe('random strings used as paths, names and annotations', () => {
  const cases: [string, string, (f: ReturnType<typeof fixture>, s: string) => void][] = [
    ['a probe path', 'readiness.path', (f, s) => addService(f, 'api', { readiness: Probe.http(s) })],
    ['a writable path', 'writablePaths[0]', (f, s) => addService(f, 'api', { writablePaths: [s] })],
    ['an image tag', 'image.tag', (f, s) => addService(f, 'api', { image: f.registry.image('shop/api', s) })],
    ['a registry host', 'image.registry', (f, s) => addService(f, 'api', { image: Registry.at(s).image('shop/api', '1.0.0') })],
    ['a project description (an annotation)', 'description', (f, s) => void f.tenant.addProject('p2', { environments: ['test'], description: s })],
    ['a preview owner', 'owner', (f, s) => {
      addService(f, 'api');
      f.platform.addPreview('feature/p', { baseline: 'test', owner: User.named(s), expires: '2099-12-31', services: { api: { tag: 'sha-1' } } });
    }],
    ['a preview branch (written as an annotation)', 'branch', (f, s) => {
      addService(f, 'api');
      f.platform.addPreview(s, { baseline: 'test', owner: User.named('bob'), expires: '2099-12-31', services: { api: { tag: 'sha-1' } } });
    }],
  ];
  for (const [what, property, apply] of cases) {
    it(`${what}: refused naming the field, or accepted and the output is schema-valid`, () => {
      fc.assert(
        fc.property(text, (s) => {
          const lines = outcome(() => {
            const f = fixture();
            apply(f, s);
            return f.platform;
          });
          if (lines === undefined) {
            const f = fixture();
            apply(f, s);
            synthValid(f.platform);
            return;
          }
          expect(lines.some((l) => l.includes(`] ${property}: got `) || l.includes(`] ${property}`))).toBe(true);
          for (const l of lines) expect(l).toMatch(/\. Fix: .+\.$/);
        }),
        { seed: SEED, numRuns: 25 },
      );
    });
  }
});

/** Numbers of every kind: NaN, ±Infinity, negatives, huge, fractional, and fine ones. */
const number = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 0.5, 1e308, Number.MAX_SAFE_INTEGER + 2, -0, 2, 3), fc.double(), fc.integer({ min: -10, max: 100 }));

describe('random numbers given to numeric properties', () => {
  const cases: [string, string, (f: ReturnType<typeof fixture>, n: number) => void][] = [
    ['replicas', 'replicas', (f, n) => addService(f, 'api', { replicas: n })],
    ['a port', 'ports[0].port', (f, n) => addService(f, 'api', { ports: [{ port: n }] })],
    ['a quota', 'quota.pods', (f, n) => f.tenant.addProject('p2', { environments: ['test'], quota: { pods: n } })],
    ['resources', 'resources.cpuLimitMillis', (f, n) => addService(f, 'api', { resources: { cpuLimitMillis: n } })],
    ['a probe threshold', 'readiness.failureThreshold', (f, n) => addService(f, 'api', { readiness: Probe.tcp({ failureThreshold: n, period: Duration.seconds(5) }) })],
    ['autoscaling', 'autoscaling.maxReplicas', (f, n) => addService(f, 'api', { autoscaling: { minReplicas: 1, maxReplicas: n } })],
    ['an environment\'s replicas', 'replicas', (f, n) => void f.platform.addEnvironment('staging', { clusters: [f.member], replicas: n, namespaceSuffix: '-staging' })],
    ['a probe period (Duration)', 'readiness.period', (f, n) => {
      let period: Duration;
      try {
        period = Duration.seconds(n);
      } catch {
        return; // cdk8s refuses it in the user's own call
      }
      addService(f, 'api', { readiness: Probe.tcp({ period }) });
    }],
    ['a stateful replica count', 'inCluster.replicas', (f, n) => f.project.addStatefulService('db', { engine: Engine.mysql(), inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '10Gi', replicas: n, credentials: ExistingSecret.named('mysql').key('root') } })],
  ];
  for (const [what, property, apply] of cases) {
    it(`${what}: refused with the value shown as itself and nothing cascading, or accepted`, () => {
      fc.assert(
        fc.property(number, (n) => {
          const lines = outcome(() => {
            const f = fixture();
            apply(f, n);
            return f.platform;
          });
          if (lines === undefined) {
            const f = fixture();
            apply(f, n);
            synthValid(f.platform);
            return;
          }
          for (const l of lines) expect(l).not.toContain('got null');
          if (!Number.isFinite(n)) {
            const own = lines.filter((l) => l.includes(`got ${describeValue(n)};`) || l.includes(`got "${String(n)}`));
            expect({ n, own: own.length > 0, lines }).toMatchObject({ own: true });
            // Nowhere else: later checks skip a number that is not one.
            for (const l of lines) if (!own.includes(l)) expect(l).not.toMatch(/NaN|Infinity/);
          }
        }),
        { seed: SEED, numRuns: 20 },
      );
      void property;
    });
  }
});

/** A props object with each field dropped, null, undefined or of the wrong type. */
function mangled<T extends object>(props: T): fc.Arbitrary<T> {
  const keys = Object.keys(props) as (keyof T)[];
  return fc.array(fc.tuple(fc.constantFrom(...keys), fc.constantFrom(null, undefined)), { maxLength: keys.length }).map((changes) => {
    const out = { ...props } as Record<string, unknown>;
    for (const [k, v] of changes) out[k as string] = v;
    return out as unknown as T;
  });
}

describe('random null and undefined props of each public construct', () => {
  it('are never a raw TypeError: a ValidationError or a valid synthesis', () => {
    const builders: fc.Arbitrary<(f: ReturnType<typeof fixture>) => void>[] = [
      mangled({ manager: 'bob', displayName: 'T', quota: { pods: 10 } }).map((p) => (f: ReturnType<typeof fixture>) => void f.platform.addTenant('t2', p as never)),
      mangled({ role: ClusterRole.MEMBER, ingressClassName: 'nginx' }).map((p) => (f: ReturnType<typeof fixture>) => void f.platform.addCluster('c2', p as never)),
      mangled({ clusters: ['member-test'], domain: 'staging.example.com' }).map((p) => (f: ReturnType<typeof fixture>) => void f.platform.addEnvironment('staging', p as never)),
      mangled({ environments: ['test'], namespace: 'p2', quota: { pods: 20 } }).map((p) => (f: ReturnType<typeof fixture>) => void f.tenant.addProject('p2', p as never)),
      mangled({ members: ['bob'], displayName: 'Ops' }).map((p) => (f: ReturnType<typeof fixture>) => void f.tenant.addDepartment('ops', p as never)),
      mangled({ image: Registry.at('harbor.example.com').image('shop/x', '1.0.0'), ports: [{ port: 8080 }], replicas: 1, env: { A: 'b' }, config: { values: { X: '1' } }, writablePaths: ['/data'], readiness: Probe.http('/ok') }).map(
        (p) => (f: ReturnType<typeof fixture>) => void f.project.addService('x', p as never),
      ),
      mangled({ engine: Engine.mysql(), inCluster: { image: Registry.at('harbor.example.com').image('library/mysql', '8.0.36'), storage: '10Gi', credentials: ExistingSecret.named('mysql').key('root') } }).map((p) => (f: ReturnType<typeof fixture>) => void f.project.addStatefulService('db', p as never)),
      mangled({ baseline: 'test', owner: User.named('bob'), expires: '2099-12-31', services: { api: { tag: 'sha-1' } } }).map((p) => (f: ReturnType<typeof fixture>) => {
        addService(f, 'api');
        f.platform.addPreview('feature/n', p as never);
      }),
    ];
    fc.assert(
      fc.property(fc.oneof(...builders), (apply) => {
        outcome(() => {
          const f = fixture();
          apply(f);
          return f.platform;
        });
      }),
      { seed: SEED, numRuns: 120 },
    );
  });
});
