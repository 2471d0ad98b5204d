/**
 * Configuration and secrets of app services: typed values and files in a ConfigMap (as variables and mounted
 * files, per environment, with a content hash that rolls the pods), and secrets by reference only (an
 * ExternalSecret per store, or an existing Secret), a literal secret value being refused however it is smuggled in.
 */
import fc from 'fast-check';
import { Engine, ExistingSecret, findSecret, Platform, literalSecretReason, SecretRef, SecretStore } from 'platform-cdk';
import type { AppServiceProps, ConfigValue, KubeObject } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthObjects, validationErrors } from '../fixture';
import { canValidate, validator } from '../schemas';

const HASH = 'platform-cdk.io/config-hash';

/** Every object of the output is valid against Kubernetes 1.27 and the ecosystem CRDs. */
function expectValid(objects: Map<string, KubeObject>): void {
  const v = validator();
  const findings: string[] = [];
  for (const [key, o] of objects) {
    if (!canValidate(o.apiVersion)) continue;
    for (const f of v.validate(o)) findings.push(`${key} ${f.path}: ${f.message}`);
  }
  expect(findings).toEqual([]);
}

/** Synthesizes in memory and checks every object against its schema. */
function synth(platform: Platform): Map<string, KubeObject> {
  const objects = synthObjects(platform);
  expectValid(objects);
  return objects;
}

function deployment(objects: Map<string, KubeObject>, key: string): any {
  return objectAt(objects, key) as any;
}

function mainContainer(objects: Map<string, KubeObject>, key: string): any {
  return deployment(objects, key).spec.template.spec.containers[0];
}

function hashOf(objects: Map<string, KubeObject>, key: string): string | undefined {
  return deployment(objects, key).spec.template.metadata.annotations?.[HASH];
}

const API = 'acme/shop/storefront/api';

describe('service configuration', () => {
  it('writes typed values and files into one ConfigMap, as text', () => {
    const f = fixture();
    addService(f, 'api', { config: { values: { LOG_LEVEL: 'info', WORKERS: 4, CACHE: true, RATIO: 0.5 }, files: { 'application.yaml': 'server:\n  port: 8080\n' } } });

    const objects = synth(f.platform);
    const cm = objectAt(objects, 'host/ConfigMap/storefront/api-config') as any;
    expect(cm.data).toEqual({ CACHE: 'true', LOG_LEVEL: 'info', RATIO: '0.5', WORKERS: '4', 'application.yaml': 'server:\n  port: 8080\n' });
    expect(cm.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'api', 'platform-cdk.io/environment': 'production', 'platform-cdk.io/tenant': 'shop' });
  });

  it('gives values to the container as variables read from the ConfigMap, sorted by name', () => {
    const f = fixture();
    addService(f, 'api', { config: { values: { WORKERS: 4, LOG_LEVEL: 'info' } } });

    const objects = synth(f.platform);
    const c = mainContainer(objects, 'host/Deployment/storefront/api');
    expect(c.env).toEqual([
      { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'api-config', key: 'LOG_LEVEL' } } },
      { name: 'WORKERS', valueFrom: { configMapKeyRef: { name: 'api-config', key: 'WORKERS' } } },
    ]);
    // Values only: nothing is mounted.
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('mounts files read-only under /etc/<service>, each file an item of the ConfigMap volume', () => {
    const f = fixture();
    addService(f, 'api', { config: { files: { 'logback.xml': '<configuration/>', 'application.yaml': 'a: 1\n' } } });

    const objects = synth(f.platform);
    const pod = deployment(objects, 'host/Deployment/storefront/api').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'api-config', items: [{ key: 'application.yaml', path: 'application.yaml' }, { key: 'logback.xml', path: 'logback.xml' }] } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/api', readOnly: true });
    // Files only: no variables.
    expect(pod.containers[0].env).toBeUndefined();
  });

  it('mounts the files where mountPath says', () => {
    const f = fixture();
    addService(f, 'api', { config: { files: { 'nginx.conf': 'events {}' }, mountPath: '/etc/nginx/conf.d' } });

    const c = mainContainer(synth(f.platform), 'host/Deployment/storefront/api');
    expect(c.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/nginx/conf.d', readOnly: true });
  });

  it('mounts the files where an environment says, over the service\'s mount path', () => {
    const f = fixture();
    addService(f, 'api', { config: { files: { 'app.yaml': 'a: 1' }, mountPath: '/etc/app' }, perEnvironment: { test: { config: { mountPath: '/config' } } } });

    const objects = synth(f.platform);
    expect(mainContainer(objects, 'host/Deployment/storefront/api').volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/app', readOnly: true });
    expect(mainContainer(objects, 'member-test/Deployment/storefront/api').volumeMounts).toContainEqual({ name: 'config', mountPath: '/config', readOnly: true });
  });

  it('takes values and files per environment over the service\'s, and leaves other environments alone', () => {
    const f = fixture();
    addService(f, 'api', {
      config: { values: { LOG_LEVEL: 'info', WORKERS: 4 }, files: { 'application.yaml': 'profile: prod\n' } },
      perEnvironment: { test: { config: { values: { LOG_LEVEL: 'debug', FEATURE_X: true }, files: { 'application.yaml': 'profile: test\n' } } } },
    });

    const objects = synth(f.platform);
    expect((objectAt(objects, 'host/ConfigMap/storefront/api-config') as any).data).toEqual({ LOG_LEVEL: 'info', WORKERS: '4', 'application.yaml': 'profile: prod\n' });
    expect((objectAt(objects, 'member-test/ConfigMap/storefront/api-config') as any).data).toEqual({ FEATURE_X: 'true', LOG_LEVEL: 'debug', WORKERS: '4', 'application.yaml': 'profile: test\n' });
    expect(mainContainer(objects, 'member-test/Deployment/storefront/api').env.map((e: any) => e.name)).toEqual(['FEATURE_X', 'LOG_LEVEL', 'WORKERS']);
  });

  it('merges configuration given for one environment in several calls', () => {
    const f = fixture();
    const api = addService(f, 'api', { config: { values: { A: 'base' } } });
    api.inEnvironment('test', { config: { values: { B: 'one' } } });
    api.inEnvironment(f.test, { config: { values: { C: 'two' }, files: { 'x.conf': 'x' } } });

    expect((objectAt(synth(f.platform), 'member-test/ConfigMap/storefront/api-config') as any).data).toEqual({ A: 'base', B: 'one', C: 'two', 'x.conf': 'x' });
  });

  it('writes a ConfigMap only in the environments that have configuration', () => {
    const f = fixture();
    addService(f, 'api', { perEnvironment: { test: { config: { values: { DEBUG: true } } } } });

    const objects = synth(f.platform);
    expect(objects.has('member-test/ConfigMap/storefront/api-config')).toBe(true);
    expect(objects.has('host/ConfigMap/storefront/api-config')).toBe(false);
    expect(hashOf(objects, 'host/Deployment/storefront/api')).toBeUndefined();
    expect(hashOf(objects, 'member-test/Deployment/storefront/api')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('writes no ConfigMap, config volume or hash for a service without configuration', () => {
    const f = fixture();
    addService(f, 'api');

    const objects = synth(f.platform);
    expect([...objects.keys()].filter((k) => k.includes('/ConfigMap/'))).toEqual([]);
    const d = deployment(objects, 'host/Deployment/storefront/api');
    expect(d.spec.template.metadata.annotations).toBeUndefined();
    expect(d.spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
  });

  describe('the content hash on the pod template', () => {
    const build = (config: AppServiceProps['config']): Map<string, KubeObject> => {
      const f = fixture();
      addService(f, 'api', { config });
      return synth(f.platform);
    };
    const hash = (config: AppServiceProps['config']): string | undefined => hashOf(build(config), 'host/Deployment/storefront/api');

    it('is the same for the same configuration, in any order of keys', () => {
      expect(hash({ values: { A: '1', B: 2 }, files: { 'a.conf': 'x', 'b.conf': 'y' } })).toBe(hash({ files: { 'b.conf': 'y', 'a.conf': 'x' }, values: { B: 2, A: '1' } }));
    });

    it('changes when a value, a file\'s content, a file\'s name or the set of keys changes', () => {
      const base = hash({ values: { A: '1' }, files: { 'a.conf': 'x' } });
      expect(base).toMatch(/^[0-9a-f]{16}$/);
      const variants = [
        hash({ values: { A: '2' }, files: { 'a.conf': 'x' } }),
        hash({ values: { A: '1' }, files: { 'a.conf': 'x\n' } }),
        hash({ values: { A: '1' }, files: { 'b.conf': 'x' } }),
        hash({ values: { A: '1', B: '' }, files: { 'a.conf': 'x' } }),
        hash({ values: { A: '1' } }),
      ];
      expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    });

    it('differs between environments whose configuration differs, and is written on the template only', () => {
      const f = fixture();
      addService(f, 'api', { config: { values: { LOG_LEVEL: 'info' } }, perEnvironment: { test: { config: { values: { LOG_LEVEL: 'debug' } } } } });
      const objects = synth(f.platform);
      expect(hashOf(objects, 'host/Deployment/storefront/api')).not.toBe(hashOf(objects, 'member-test/Deployment/storefront/api'));
      expect(deployment(objects, 'host/Deployment/storefront/api').metadata.annotations?.[HASH]).toBeUndefined();
    });

    it('does not change when something other than the configuration changes', () => {
      const f1 = fixture();
      addService(f1, 'api', { config: { values: { A: '1' } } });
      const f2 = fixture();
      addService(f2, 'api', { config: { values: { A: '1' } }, env: { OTHER: 'x' }, replicas: 3 });
      expect(hashOf(synth(f1.platform), 'host/Deployment/storefront/api')).toBe(hashOf(synth(f2.platform), 'host/Deployment/storefront/api'));
    });
  });

  describe('as property tests', () => {
    // Names that become variables; never named like a secret (those are refused, tested below).
    const valueName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/).filter((n) => findSecret('x', { name: n }) === undefined);
    const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('', 'yes', 'no', '0x1F', '1e3', '~', 'null', 'a: b', '- x', '"q"', 'line\nbreak', ' lead', 'trail ', '#c', '€😀'));
    const value: fc.Arbitrary<ConfigValue> = fc.oneof(
      text.filter((s) => literalSecretReason('X', s) === undefined),
      fc.integer({ min: -1e9, max: 1e9 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
    );
    // File names always hold a ".", so that they never meet the (upper-case) names of values.
    const fileName = fc.tuple(fc.stringMatching(/^[-_a-zA-Z0-9]{0,12}$/), fc.constantFrom('yaml', 'json', 'properties', 'conf', 'env')).map(([b, e]) => `${b}.${e}`);
    const content = fc.oneof(text, fc.array(text, { maxLength: 5 }).map((l) => l.join('\n'))).filter((s) => literalSecretReason('', s) === undefined);

    it('round-trips random values and file names into the ConfigMap, and every key into the pod', () => {
      fc.assert(
        fc.property(fc.dictionary(valueName, value, { maxKeys: 6 }), fc.dictionary(fileName, content, { maxKeys: 4 }), (values, files) => {
          fc.pre(Object.keys(values).length + Object.keys(files).length > 0);
          const f = fixture();
          addService(f, 'api', { config: { values, files } });
          const objects = synth(f.platform);
          const expected: Record<string, string> = {};
          for (const [k, v] of Object.entries(values)) expected[k] = String(v);
          for (const [k, v] of Object.entries(files)) expected[k] = v;
          expect((objectAt(objects, 'host/ConfigMap/storefront/api-config') as any).data).toEqual(expected);
          const pod = deployment(objects, 'host/Deployment/storefront/api').spec.template.spec;
          expect((pod.containers[0].env ?? []).map((e: any) => e.valueFrom.configMapKeyRef.key)).toEqual(Object.keys(values).sort());
          const items = pod.volumes.find((v: any) => v.name === 'config')?.configMap.items ?? [];
          expect(items.map((i: any) => i.path)).toEqual(Object.keys(files).sort());
        }),
        { seed: 20261201, numRuns: 120 },
      );
    });

    it('changes the config hash if and only if the ConfigMap\'s content changes', () => {
      // A small domain, so that equal configurations come up often.
      const small = fc.record({
        values: fc.dictionary(fc.constantFrom('A', 'B'), fc.constantFrom<ConfigValue>('1', 1, 'x', true, 'true', '')),
        files: fc.dictionary(fc.constantFrom('a.conf', 'b.yaml'), fc.constantFrom('', 'x', 'x\n')),
      });
      const render = (config: { values: Record<string, ConfigValue>; files: Record<string, string> }): { data?: Record<string, string>; hash?: string } => {
        const f = fixture();
        addService(f, 'api', { config });
        const objects = synth(f.platform);
        return { data: (objects.get('host/ConfigMap/storefront/api-config') as any)?.data, hash: hashOf(objects, 'host/Deployment/storefront/api') };
      };
      // Half of the pairs have the same content written another way: keys in another order, numbers and booleans as text.
      const sameContent = (a: { values: Record<string, ConfigValue>; files: Record<string, string> }) => ({
        files: Object.fromEntries(Object.entries(a.files).reverse()),
        values: Object.fromEntries(Object.entries(a.values).reverse().map(([k, v]) => [k, String(v)])),
      });
      const pair = fc.tuple(small, small, fc.boolean()).map(([a, b, same]) => [a, same ? sameContent(a) : b] as const);
      let equal = 0;
      fc.assert(
        fc.property(pair, ([a, b]) => {
          const ra = render(a);
          const rb = render(b);
          const same = JSON.stringify(ra.data === undefined ? null : Object.entries(ra.data).sort()) === JSON.stringify(rb.data === undefined ? null : Object.entries(rb.data).sort());
          if (same) equal++;
          expect(ra.hash === rb.hash).toBe(same);
        }),
        { seed: 20261202, numRuns: 150 },
      );
      expect(equal).toBeGreaterThan(5);
    });
  });

  describe('bad configuration', () => {
    it('reports every problem at once, with path, property, value and fix', () => {
      const f = fixture();
      addService(f, 'api', {
        config: {
          values: { 'log level': 'info', NESTED: { a: 1 } as unknown as ConfigValue, SAME: 'x' },
          files: { 'conf/app.yaml': 'a: 1', '..data': 'x', SAME: 'y' },
          mountPath: '/tmp',
        },
        perEnvironment: { test: { config: { files: { '..': 'x' } } } },
      });

      const lines = validationErrors(f.platform);
      const expectations: [string, string][] = [
        ['config.values["log level"]', '"log level"'],
        ['config.values["NESTED"]', '{"a":1}'],
        ['config.files["conf/app.yaml"]', '"conf/app.yaml"'],
        ['config.files["..data"]', '"..data"'],
        ['config.files["SAME"]', '"SAME"'],
        ['config.mountPath', '"/tmp"'],
        ['perEnvironment["test"].config.files[".."]', '".."'],
      ];
      for (const [property, value] of expectations) {
        const line = lineFor(lines, API, property);
        expect(line).toContain(`got ${value};`);
        expect(line).toMatch(/\. Fix: .+\.$/);
      }
    });

    it('refuses a configuration above the 1 MiB a ConfigMap holds', () => {
      const f = fixture();
      addService(f, 'api', { config: { files: { 'big.json': 'x'.repeat(1_100_000) } } });

      const line = lineFor(validationErrors(f.platform), API, 'config');
      expect(line).toContain('1 MiB');
      expect(line).toContain('Fix: ');
    });

    it('refuses a value whose variable another source sets already', () => {
      const f = fixture();
      addService(f, 'api', { env: { LOG_LEVEL: 'info' }, config: { values: { LOG_LEVEL: 'debug' } } });

      const line = lineFor(validationErrors(f.platform), API, 'config.values');
      expect(line).toContain('got "LOG_LEVEL"');
      expect(line).toContain('set by env already');
    });
  });
});

describe('service secrets', () => {
  const vault = SecretStore.cluster('vault');

  it('reads a key of an external store through an ExternalSecret naming the store, the key, its property and version', () => {
    const f = fixture();
    addService(f, 'api', { secrets: { DB_PASSWORD: vault.key('shop/mysql', { property: 'password', version: '3' }), DB_USER: vault.key('shop/mysql', { property: 'user' }) } });

    const objects = synth(f.platform);
    const es = objectAt(objects, 'host/ExternalSecret/storefront/api-vault') as any;
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
      target: { name: 'api-vault', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [
        { secretKey: 'DB_PASSWORD', remoteRef: { key: 'shop/mysql', property: 'password', version: '3' } },
        { secretKey: 'DB_USER', remoteRef: { key: 'shop/mysql', property: 'user' } },
      ],
    });
    expect(mainContainer(objects, 'host/Deployment/storefront/api').env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'api-vault', key: 'DB_PASSWORD' } } },
      { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'api-vault', key: 'DB_USER' } } },
    ]);
  });

  it('writes one ExternalSecret per store, a namespaced store as a SecretStore', () => {
    const f = fixture();
    addService(f, 'api', { secrets: { A_TOKEN: vault.key('a'), B_TOKEN: SecretStore.namespaced('team-kv').key('b') } });

    const objects = synth(f.platform);
    expect((objectAt(objects, 'host/ExternalSecret/storefront/api-vault') as any).spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault' });
    expect((objectAt(objects, 'host/ExternalSecret/storefront/api-team-kv') as any).spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'team-kv' });
  });

  it('reads a key of an existing Secret by name, and writes no ExternalSecret and no Secret for it', () => {
    const f = fixture();
    addService(f, 'api').addSecret('SMS_TOKEN', ExistingSecret.named('sms-gateway').key('token'));

    const objects = synth(f.platform);
    expect(mainContainer(objects, 'host/Deployment/storefront/api').env).toEqual([{ name: 'SMS_TOKEN', valueFrom: { secretKeyRef: { name: 'sms-gateway', key: 'token' } } }]);
    expect([...objects.keys()].filter((k) => /\/(ExternalSecret|Secret)\//.test(k))).toEqual([]);
  });

  it('gives init containers and sidecars their own secrets, read through the service\'s ExternalSecret', () => {
    const f = fixture();
    addService(f, 'api', {
      secrets: { DB_PASSWORD: vault.key('shop/mysql') },
      initContainers: [{ name: 'migrate', image: f.registry.image('shop/migrate', '1.0.0'), secrets: { MIGRATE_PASSWORD: vault.key('shop/mysql-admin') } }],
      sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), secrets: { TLS_KEY_SECRET: ExistingSecret.named('proxy').key('key') } }],
    });

    const objects = synth(f.platform);
    const es = objectAt(objects, 'host/ExternalSecret/storefront/api-vault') as any;
    expect(es.spec.data.map((d: any) => d.secretKey)).toEqual(['DB_PASSWORD', 'MIGRATE_PASSWORD']);
    const pod = deployment(objects, 'host/Deployment/storefront/api').spec.template.spec;
    expect(pod.initContainers[0].env).toEqual([{ name: 'MIGRATE_PASSWORD', valueFrom: { secretKeyRef: { name: 'api-vault', key: 'MIGRATE_PASSWORD' } } }]);
    expect(pod.containers[1].env).toEqual([{ name: 'TLS_KEY_SECRET', valueFrom: { secretKeyRef: { name: 'proxy', key: 'key' } } }]);
  });

  it('lets containers of a pod share a variable read from one key, and refuses one name read from two', () => {
    const ok = fixture();
    addService(ok, 'api', {
      secrets: { DB_PASSWORD: vault.key('shop/mysql') },
      initContainers: [{ name: 'migrate', image: ok.registry.image('shop/migrate', '1.0.0'), secrets: { DB_PASSWORD: vault.key('shop/mysql') } }],
      sidecars: [{ name: 'proxy', image: ok.registry.image('infra/envoy', '1.30.1'), secrets: { DB_PASSWORD: ExistingSecret.named('proxy').key('db') } }],
    });
    const objects = synth(ok.platform);
    expect((objectAt(objects, 'host/ExternalSecret/storefront/api-vault') as any).spec.data).toEqual([{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'shop/mysql' } }]);

    const f = fixture();
    addService(f, 'api', {
      secrets: { DB_PASSWORD: vault.key('shop/mysql') },
      initContainers: [{ name: 'migrate', image: f.registry.image('shop/migrate', '1.0.0'), secrets: { DB_PASSWORD: vault.key('shop/mysql-admin') } }],
      sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), secrets: { DB_PASSWORD: SecretStore.cluster('aws').key('shop/mysql') } }],
    });
    const lines = validationErrors(f.platform);
    const init = lineFor(lines, API, 'initContainers[0].secrets["DB_PASSWORD"]');
    expect(init).toContain('got "ClusterSecretStore vault: shop/mysql-admin"; secrets reads this variable from ClusterSecretStore vault: shop/mysql');
    expect(init).toMatch(/\. Fix: .+\.$/);
    expect(lineFor(lines, API, 'sidecars[0].secrets["DB_PASSWORD"]')).toContain('got "ClusterSecretStore aws: shop/mysql";');
  });

  it('offers no way to turn a literal value into a secret through the typed API', () => {
    const f = fixture();
    const api = addService(f, 'api');
    // Never called: the compiler refuses each of these (an unneeded @ts-expect-error fails the type check).
    const attempts = [
      // @ts-expect-error a secret is a SecretRef from a store or an existing Secret, never a string
      (): Partial<AppServiceProps> => ({ secrets: { DB_PASSWORD: 'hunter2' } }),
      // @ts-expect-error SecretRef has no public constructor
      (): SecretRef => new SecretRef({ kind: 'existing', secretName: 'x', key: 'y' }),
      // @ts-expect-error addSecret takes a SecretRef
      (): void => api.addSecret('API_TOKEN', 'abc'),
    ];
    expect(attempts).toHaveLength(3);
  });

  it('rejects a literal secret smuggled in anywhere, without writing the value in the message', () => {
    const f = fixture();
    const api = addService(f, 'api', {
      env: { DB_PASSWORD: 'hunter2', DATABASE_URL: 'mysql://root:pa55word@db:3306/shop', TOKEN_TTL: '3600' },
      config: { values: { STRIPE_API_KEY: 'sk_live_123' }, files: { 'id_rsa.key': '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n' } },
      secrets: { SMTP_PASSWORD: 'letmein' as unknown as SecretRef },
      sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), env: { ADMIN_TOKEN: 'proxy-t0ken' } }],
      perEnvironment: { production: { env: { GITLAB_TOKEN: 'glpat-secret' } } },
    });
    api.addEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI');
    f.project.addStatefulService('db', {
      engine: Engine.mysql(),
      inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '10Gi', credentials: 's3cr3t-root' as unknown as SecretRef },
    });

    const lines = validationErrors(f.platform);
    const properties = [
      'env["DB_PASSWORD"]',
      'env["DATABASE_URL"]',
      'env["AWS_SECRET_ACCESS_KEY"]',
      'config.values["STRIPE_API_KEY"]',
      'config.files["id_rsa.key"]',
      'secrets["SMTP_PASSWORD"]',
      'sidecars[0].env["ADMIN_TOKEN"]',
      'perEnvironment["production"].env["GITLAB_TOKEN"]',
    ];
    for (const property of properties) {
      const line = lineFor(lines, API, property);
      expect(line).toMatch(/got "<(a literal value, not shown|value withheld: looks like .+ \(rule [a-z0-9-]+\))>"/);
      expect(line).toMatch(/\. Fix: .+\.$/);
    }
    const db = lineFor(lines, 'acme/shop/storefront/db', 'inCluster (in production).credentials');
    expect(db).toContain('Fix: ');
    expect(lines.some((l) => l.includes('TOKEN_TTL'))).toBe(false);
    const all = lines.join('\n');
    for (const literal of ['hunter2', 'pa55word', 'sk_live_123', 'MIIE', 'letmein', 'proxy-t0ken', 'glpat-secret', 'wJalrXUtnFEMI', 's3cr3t-root']) expect(all).not.toContain(literal);
  });

  it('reports bad references with path, property, value and fix', () => {
    const f = fixture();
    addService(f, 'api', { secrets: { '1DB_PASSWORD': vault.key('x'), EMPTY_KEY: vault.key(' '), BAD_SECRET: ExistingSecret.named('Not_A_Name').key('k'), BAD_STORE: SecretStore.cluster('Vault!').key('x') } });

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, API, 'secrets["1DB_PASSWORD"]')).toContain('got "1DB_PASSWORD"');
    expect(lineFor(lines, API, 'secrets["EMPTY_KEY"]')).toContain('got " "');
    expect(lineFor(lines, API, 'secrets["BAD_SECRET"]')).toContain('got "Not_A_Name"');
    expect(lineFor(lines, API, 'secrets["BAD_STORE"]')).toContain('got "Vault!"');
    for (const l of lines.filter((x) => x.startsWith(`[${API}] secrets`))) expect(l).toMatch(/\. Fix: .+\.$/);
  });
});

describe('per-environment secrets', () => {
  const vault = SecretStore.cluster('vault');
  const es = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);

  it('read another key of the store in one environment, over the service\'s, and leave other environments alone', () => {
    const f = fixture();
    addService(f, 'api', {
      secrets: { DB_PASSWORD: vault.key('shop/mysql', { property: 'app' }), DB_USER: vault.key('shop/mysql', { property: 'user' }) },
      perEnvironment: { production: { secrets: { DB_PASSWORD: vault.key('shop/mysql-prod', { property: 'app', version: '2' }) } } },
    });

    const objects = synth(f.platform);
    expect(es(objects, 'host/ExternalSecret/storefront/api-vault').spec.data).toEqual([
      { secretKey: 'DB_PASSWORD', remoteRef: { key: 'shop/mysql-prod', property: 'app', version: '2' } },
      { secretKey: 'DB_USER', remoteRef: { key: 'shop/mysql', property: 'user' } },
    ]);
    expect(es(objects, 'member-test/ExternalSecret/storefront/api-vault').spec.data).toEqual([
      { secretKey: 'DB_PASSWORD', remoteRef: { key: 'shop/mysql', property: 'app' } },
      { secretKey: 'DB_USER', remoteRef: { key: 'shop/mysql', property: 'user' } },
    ]);
    // The pod reads the same Secret key in both: only what the ExternalSecret fetches into it differs.
    const env = [
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'api-vault', key: 'DB_PASSWORD' } } },
      { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'api-vault', key: 'DB_USER' } } },
    ];
    expect(mainContainer(objects, 'host/Deployment/storefront/api').env).toEqual(env);
    expect(mainContainer(objects, 'member-test/Deployment/storefront/api').env).toEqual(env);
  });

  it('add a secret in one environment only, with its ExternalSecret only there', () => {
    const f = fixture();
    addService(f, 'api', { perEnvironment: { production: { secrets: { PAYMENT_API_KEY: vault.key('shop/psp') } } } });

    const objects = synth(f.platform);
    expect(es(objects, 'host/ExternalSecret/storefront/api-vault').spec.data).toEqual([{ secretKey: 'PAYMENT_API_KEY', remoteRef: { key: 'shop/psp' } }]);
    expect(mainContainer(objects, 'host/Deployment/storefront/api').env).toEqual([{ name: 'PAYMENT_API_KEY', valueFrom: { secretKeyRef: { name: 'api-vault', key: 'PAYMENT_API_KEY' } } }]);
    expect([...objects.keys()].filter((k) => k.startsWith('member-test/') && k.includes('/ExternalSecret/'))).toEqual([]);
    expect(mainContainer(objects, 'member-test/Deployment/storefront/api').env).toBeUndefined();
  });

  it('move the ExternalSecret with the environment: to another store, or away for an existing Secret', () => {
    const f = fixture();
    addService(f, 'api', {
      secrets: { DB_PASSWORD: vault.key('shop/mysql') },
      perEnvironment: {
        test: { secrets: { DB_PASSWORD: ExistingSecret.named('dev-mysql').key('password') } },
        production: { secrets: { DB_PASSWORD: SecretStore.namespaced('team-kv').key('mysql/prod') } },
      },
    });

    const objects = synth(f.platform);
    const secrets = (cluster: string): string[] => [...objects.keys()].filter((k) => k.startsWith(`${cluster}/`) && /\/(ExternalSecret|Secret)\//.test(k));
    expect(secrets('host')).toEqual(['host/ExternalSecret/storefront/api-team-kv']);
    expect(es(objects, 'host/ExternalSecret/storefront/api-team-kv').spec).toMatchObject({
      secretStoreRef: { kind: 'SecretStore', name: 'team-kv' },
      data: [{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'mysql/prod' } }],
    });
    expect(mainContainer(objects, 'host/Deployment/storefront/api').env).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'api-team-kv', key: 'DB_PASSWORD' } } }]);
    expect(secrets('member-test')).toEqual([]);
    expect(mainContainer(objects, 'member-test/Deployment/storefront/api').env).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'dev-mysql', key: 'password' } } }]);
  });

  it('merge secrets given for one environment in several calls, the last one winning a name', () => {
    const f = fixture();
    const api = addService(f, 'api', { secrets: { A_TOKEN: vault.key('a') } });
    api.inEnvironment('test', { secrets: { B_TOKEN: vault.key('b'), C_TOKEN: vault.key('c-first') } });
    api.inEnvironment(f.test, { secrets: { C_TOKEN: vault.key('c') } });

    expect(es(synth(f.platform), 'member-test/ExternalSecret/storefront/api-vault').spec.data).toEqual([
      { secretKey: 'A_TOKEN', remoteRef: { key: 'a' } },
      { secretKey: 'B_TOKEN', remoteRef: { key: 'b' } },
      { secretKey: 'C_TOKEN', remoteRef: { key: 'c' } },
    ]);
  });

  it('refuse a literal smuggled into an environment\'s secrets, and bad names and references there, without writing the value', () => {
    const f = fixture();
    const api = addService(f, 'api', {
      perEnvironment: {
        production: { secrets: { SMTP_PASSWORD: 'letmein' as unknown as SecretRef, '9LIVES': vault.key('x') } },
        test: { secrets: { BAD_SECRET: ExistingSecret.named('Not_A_Name').key('k') } },
      },
    });
    api.inEnvironment(f.test, { secrets: { API_TOKEN: 'tok-3n' as unknown as SecretRef } });

    const lines = validationErrors(f.platform);
    const literal = lineFor(lines, API, 'perEnvironment["production"].secrets["SMTP_PASSWORD"]');
    expect(literal).toContain('got "<a literal value, not shown>"; a secret must be a reference, never a value');
    expect(literal).toContain('Fix: use SecretStore.cluster("vault").key("path/in/store") or ExistingSecret.named("name").key("key").');
    expect(lineFor(lines, API, 'perEnvironment["test"].secrets["API_TOKEN"]')).toContain('got "<a literal value, not shown>"');
    expect(lineFor(lines, API, 'perEnvironment["production"].secrets["9LIVES"]')).toContain('got "9LIVES"');
    expect(lineFor(lines, API, 'perEnvironment["test"].secrets["BAD_SECRET"]')).toContain('got "Not_A_Name"');
    for (const l of lines) expect(l).toMatch(/\. Fix: .+\.$/);
    const all = lines.join('\n');
    expect(all).not.toContain('letmein');
    expect(all).not.toContain('tok-3n');
  });

  it('refuse an environment\'s secret whose variable another source sets there, in that environment only', () => {
    const f = fixture();
    addService(f, 'api', { env: { API_URL: 'https://psp.example.com' }, perEnvironment: { production: { secrets: { API_URL: vault.key('shop/psp-url') } } } });

    const lines = validationErrors(f.platform);
    expect(lines).toHaveLength(1);
    const line = lineFor(lines, API, 'secrets');
    expect(line).toContain('got "API_URL"; in environment production the variable is set by env already');
    expect(line).toMatch(/\. Fix: .+\.$/);
  });

  it('refuse an environment\'s secret that reads a variable an extra container reads from another key of a store', () => {
    const f = fixture();
    addService(f, 'api', {
      secrets: { DB_PASSWORD: vault.key('shop/mysql') },
      sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), secrets: { DB_PASSWORD: vault.key('shop/mysql') } }],
      perEnvironment: { production: { secrets: { DB_PASSWORD: vault.key('shop/mysql-prod') } } },
    });

    const line = lineFor(validationErrors(f.platform), API, 'sidecars[0].secrets["DB_PASSWORD"]');
    expect(line).toContain('got "ClusterSecretStore vault: shop/mysql"; perEnvironment["production"].secrets reads this variable from ClusterSecretStore vault: shop/mysql-prod');
    expect(line).toMatch(/\. Fix: .+\.$/);
  });

  it('fetch a store key an extra container reads even where the service reads that variable from an existing Secret', () => {
    const f = fixture();
    addService(f, 'api', {
      secrets: { DB_PASSWORD: vault.key('shop/mysql') },
      sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), secrets: { DB_PASSWORD: vault.key('shop/mysql') } }],
      perEnvironment: { test: { secrets: { DB_PASSWORD: ExistingSecret.named('dev-mysql').key('password') } } },
    });

    const objects = synth(f.platform);
    const pod = deployment(objects, 'member-test/Deployment/storefront/api').spec.template.spec;
    expect(pod.containers[0].env).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'dev-mysql', key: 'password' } } }]);
    expect(pod.containers[1].env).toEqual([{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'api-vault', key: 'DB_PASSWORD' } } }]);
    // The Secret the sidecar reads holds its key.
    expect(es(objects, 'member-test/ExternalSecret/storefront/api-vault').spec.data).toEqual([{ secretKey: 'DB_PASSWORD', remoteRef: { key: 'shop/mysql' } }]);
  });
});
