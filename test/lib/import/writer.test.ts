/**
 * How `platform-cdk import` writes a program: what services repeat is named once (sizes, secret stores, props most
 * services share, notes, an escape hatch's labels) and rows stay on one line where they fit, while the program's
 * output stays the same as when every value is written where it is used; hostile text stays inside its literal.
 */
import * as fc from 'fast-check';
import { ManifestStack } from 'platform-cdk';
import { writeProgram } from '../../../lib/import';
import type { ImportedEstate, ImportedService, ServiceFields } from '../../../lib/import/model';
import { tiered } from '../../tier';
import { loadProgram } from './roundtrip';

const SEED = 22;

const SMALL = { cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 512, memoryLimitMiB: 768 };
const LARGE = { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 2048, memoryLimitMiB: 3072 };
const READY = { kind: 'http', path: '/actuator/health/readiness', options: { period: 5 } } as const;
const LIVE = { kind: 'http', path: '/actuator/health/liveness', options: { timeout: 2 } } as const;

/** Room for every estate the tests build. */
const QUOTA = { cpuRequestMillis: 64000, cpuLimitMillis: 256000, memoryRequestMiB: 262144, memoryLimitMiB: 524288, pods: 500 };

/** A Spring Boot service of the kind a table repeats. */
function spring(name: string, more: ServiceFields = {}, notes: string[] = []): ImportedService {
  return {
    name,
    common: { image: { registry: 'harbor.example.com', repository: `shop/${name}`, tag: '1.0.0' }, runAsUser: 1000, ports: [{ port: 8080 }], readiness: READY, liveness: LIVE, resources: SMALL, ...more },
    perEnvironment: {},
    hosts: {},
    notes,
  };
}

/** An estate of one tenant, one project and these services, in production and test. */
function estate(services: ImportedService[], extra: Partial<ImportedEstate['tenants'][number]['projects'][number]> = {}): ImportedEstate {
  return {
    platform: 'acme',
    kubesphere: true,
    clusters: [{ name: 'host', role: 'host', labels: {} }, { name: 'member', role: 'member', labels: {} }],
    environments: [{ name: 'test', clusters: ['member'], production: false }, { name: 'production', clusters: ['host'], production: true }],
    tenants: [{ name: 'shop', manager: 'alice', projects: [{ name: 'shop-api', environments: ['test', 'production'], namespaces: {}, quota: QUOTA, services, hatches: [], ...extra }] }],
    clusterHatches: {},
  };
}

/** The output of a program, file by file. */
function output(program: string, name: string): Map<string, string> {
  return new Map(new ManifestStack(loadProgram(program, name)).files());
}

const VAULT = { store: 'vault', cluster: true } as const;

describe('what services repeat is named once', () => {
  const services = ['orders', 'payments', 'users', 'stock', 'search'].map((n, i) =>
    spring(n, { storeSecrets: { DB_PASSWORD: { ...VAULT, remoteKey: `shop/${n}` } }, ...(i === 4 ? { writablePaths: ['/data'] } : {}) }, ['not carried: variable TZ (configMapKeyRef)', ...(i === 0 ? ['TODO: check the queue'] : [])]),
  );
  const program = writeProgram(estate(services), 'export');

  test('the props most services share are a constant spread into their rows, each row on one line', () => {
    expect(program).toMatch(/const SHOP_API_COMMON = \{[^]*runAsUser: 1000,[^]*\} satisfies Partial<AppServiceProps>;/);
    const rows = program.split('\n').filter((l) => l.startsWith("    ['"));
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(r).toContain('...SHOP_API_COMMON, ');
      expect(r).not.toContain('runAsUser');
      expect(r.length).toBeLessThanOrEqual(200);
    }
  });

  test('a resource block used three times is a size; a secret store used twice a constant', () => {
    expect(program).toContain("const vault = SecretStore.cluster('vault');");
    expect(program).toContain("DB_PASSWORD: vault.key('shop/orders')");
    expect(program).toMatch(/const SIZES = \{\n {2}S: \{ cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 512, memoryLimitMiB: 768 \},\n\} satisfies Record<string, Resources>;/);
    expect(program).toContain('resources: SIZES.S');
  });

  test('a note on every service is written once above the table; a service\'s own note above its row', () => {
    expect(program.match(/variable TZ/g)).toHaveLength(1);
    expect(program).toContain('  // On every service below:\n  //   not carried: variable TZ (configMapKeyRef)\n');
    expect(program).toMatch(/ {4}\/\/ TODO: check the queue\n {4}\['orders'/);
  });

  test('the compact program makes the same objects as the one that writes every value where it is used', () => {
    const plain = writeProgram(estate(services), 'export', { compact: false });
    expect(plain).not.toContain('SIZES');
    expect(plain.split('\n').length).toBeGreaterThan(program.split('\n').length);
    expect(output(program, 'writer-compact')).toEqual(output(plain, 'writer-plain'));
  });

  test('labels an escape hatch repeats are one variable', () => {
    const labels = { 'app.kubernetes.io/managed-by': 'platform-cdk', 'app.kubernetes.io/part-of': 'shop-api', 'platform-cdk.io/tenant': 'shop' };
    const objects = ['a', 'b', 'c'].map((n) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, labels }, data: { k: n } }));
    const hatched = writeProgram(estate([spring('orders')], { hatches: [{ environment: 'test', objects, reason: 'not typed' }] }), 'export');
    expect(hatched).toContain(`const shopApiTestLabels = { 'app.kubernetes.io/managed-by': 'platform-cdk'`);
    expect(hatched.match(/labels: shopApiTestLabels/g)).toHaveLength(3);
    const plain = writeProgram(estate([spring('orders')], { hatches: [{ environment: 'test', objects, reason: 'not typed' }] }), 'export', { compact: false });
    expect(output(hatched, 'writer-hatch')).toEqual(output(plain, 'writer-hatch-plain'));
  });
});

describe('hostile text', () => {
  test('quotes, backslashes, line breaks and comment ends stay inside their literal or comment', () => {
    const evil = "x' + process.exit(1) + '\\\n*/ y";
    const services = ['a', 'b', 'c', 'd'].map((n) => spring(n, { env: { NOTE: evil }, storeSecrets: { TOKEN: { store: 'class', cluster: false, remoteKey: evil } } }, [`not carried: ${evil}`]));
    const program = writeProgram(estate(services), 'export');
    for (const line of program.split('\n').filter((l) => l.includes('process.exit'))) expect(line.trimStart().startsWith('//') || line.includes("'x\\' + process.exit(1) + \\'\\\\\\n*/ y'")).toBe(true);
    expect(program).not.toMatch(/\/\/.*\*\/ y/);
    // A store named like a reserved word is a constant of another name.
    expect(program).toContain("const class2 = SecretStore.namespaced('class');");
    // The program loads (nothing ran) and its Deployments carry the value as it was.
    const files = output(program, 'writer-evil');
    expect([...files.values()].join('\n')).toContain('process.exit(1)');
  });
});

describe('property: the compact program and the plain one make the same objects', () => {
  const sizes = [SMALL, LARGE, { memoryRequestMiB: 256, memoryLimitMiB: 512 }];
  const service = fc.record({
    user: fc.constantFrom(undefined, 1000, 101),
    port: fc.constantFrom(8080, 9090),
    size: fc.constantFrom(0, 1, 2),
    probe: fc.boolean(),
    store: fc.constantFrom(undefined, 'vault', 'aws'),
    env: fc.option(fc.dictionary(fc.constantFrom('A', 'B', 'LOG_LEVEL'), fc.string({ maxLength: 6 }), { maxKeys: 2 }), { nil: undefined }),
    replicas: fc.constantFrom(undefined, 3),
    note: fc.constantFrom(undefined, 'not carried: variable TZ (configMapKeyRef)'),
  });
  test('whatever services a project holds', () => {
    fc.assert(
      fc.property(fc.array(service, { minLength: 1, maxLength: 7 }), (specs) => {
        const services = specs.map((s, i): ImportedService => ({
          name: `svc-${i}`,
          common: {
            image: { registry: 'harbor.example.com', repository: `shop/svc-${i}`, tag: '1.0.0' },
            runAsUser: s.user,
            ports: [{ port: s.port }],
            resources: sizes[s.size],
            readiness: s.probe ? READY : undefined,
            liveness: s.probe ? LIVE : undefined,
            storeSecrets: s.store ? { PASSWORD: { store: s.store, cluster: s.store === 'vault', remoteKey: `shop/svc-${i}` } } : undefined,
            env: s.env && Object.keys(s.env).length > 0 ? s.env : undefined,
          },
          perEnvironment: s.replicas ? { production: { replicas: s.replicas } } : {},
          hosts: {},
          notes: s.note ? [s.note] : [],
        }));
        const e = estate(services);
        const compact = writeProgram(e, 'export');
        const plain = writeProgram(e, 'export', { compact: false });
        expect(output(compact, 'writer-prop-c')).toEqual(output(plain, 'writer-prop-p'));
      }),
      { seed: SEED, numRuns: tiered(8, 40) },
    );
  });
});
