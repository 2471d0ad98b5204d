/**
 * `platform-cdk import` on small inputs (the quick tier): reading and cleaning an export, the console-style estate
 * of test/fixtures/console-estate/ (typed, hatched and left out as its README says; the hatched objects come back in
 * the program's output; Secrets only as references), and hostile text in an export, which never escapes the
 * program's literals or comments.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { ManifestStack, validatePlatform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { ExportReadError, importEstate, readExport } from '../../../lib/import';
import { mergeEnvironments } from '../../../lib/import/service';
import { commentText, str } from '../../../lib/import/writer';
import { loadProgram, ROOT } from './roundtrip';

const SEED = 22;
const CONSOLE = path.join(ROOT, 'test', 'fixtures', 'console-estate');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-import-'));
}

function objectsOf(files: ReadonlyMap<string, string>, cluster: string): KubeObject[] {
  return [...files].filter(([f]) => f.startsWith(`${cluster}/`) && f.endsWith('.yaml')).flatMap(([, t]) => parseAllDocuments(t).map((d) => d.toJS() as KubeObject)).filter((o) => o !== null);
}

describe('reading an export', () => {
  test('server fields, kubectl and KubeSphere annotations go; controller-owned objects and Secrets are left out with a reason', () => {
    const e = readExport(CONSOLE);
    expect(e.clusters).toEqual(['host', 'member-test']);
    const dep = e.objects.find((o) => o.cluster === 'host' && o.object.kind === 'Deployment')!.object;
    expect(dep.metadata).toEqual({ labels: { app: 'order-api', version: 'v1' }, name: 'order-api', namespace: 'orders' });
    expect((dep as unknown as { status?: unknown }).status).toBeUndefined();
    expect(e.skipped.map((s) => s.object).sort()).toEqual(['ConfigMap orders/kube-root-ca.crt', 'Endpoints orders/order-api', 'ReplicaSet orders/order-api-6d4f9c7b8', 'Secret orders/order-db', 'ServiceAccount orders/default']);
  });

  test('a missing folder, an empty one and a file that is not an export are input errors with a fix', () => {
    const dir = tmp();
    expect(() => readExport(path.join(dir, 'nope'))).toThrow(ExportReadError);
    expect(() => readExport(dir)).toThrow(/holds no YAML files/);
    fs.writeFileSync(path.join(dir, 'x.yaml'), '- just\n- a list\n');
    expect(() => readExport(dir)).toThrow(/not a Kubernetes object/);
    fs.writeFileSync(path.join(dir, 'x.yaml'), 'kind: [unclosed\n');
    expect(() => readExport(dir)).toThrow(/not valid YAML/);
  });

  test('platform-cdk\'s own output folder imports as it is: its _ folders are no cluster\'s, reported as left out', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'host'));
    fs.writeFileSync(path.join(dir, 'host', '10-orders.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: orders\n');
    fs.mkdirSync(path.join(dir, '_install', 'host'), { recursive: true });
    fs.writeFileSync(path.join(dir, '_install', 'host', 'ks-core-values.yaml'), 'global:\n  imageRegistry: harbor.example.com\n');
    const exported = readExport(dir);
    expect(exported.clusters).toEqual(['host']);
    expect(exported.skipped).toEqual([{ cluster: '_install', object: 'folder _install/', reason: expect.stringMatching(/not a cluster's folder/) }]);
  });
});

describe('importing the console-style estate', () => {
  const result = importEstate(CONSOLE, { platform: 'acme' });
  const outcome = (o: string): string | undefined => result.report.find((r) => r.object === o)?.outcome;

  test('the report says, per object, typed, hatched or left out', () => {
    expect(result.summary).toEqual({ typed: 9, generated: 0, hatch: 3, 'left-out': 5 });
    // The autoscaler is the kind the library writes from `autoscaling`: typed.
    expect(outcome('HorizontalPodAutoscaler orders/order-api')).toBe('typed');
    expect(outcome('Deployment orders/order-api')).toBe('typed');
    expect(outcome('WorkspaceTemplate orders')).toBe('typed');
    for (const o of ['ConfigMap orders/order-settings', 'CronJob orders-test/order-cleanup', 'StorageClass fast-ssd']) expect(outcome(o)).toBe('hatch');
    expect(result.report.find((r) => r.object === 'Secret orders/order-db')!.detail).toMatch(/never/);
  });

  test('the tenant, the environments (a -test suffix) and the per-environment differences are typed', () => {
    expect(result.program).toContain("platform.addTenant('orders', { manager: 'alice', displayName: 'Orders' })");
    expect(result.program).toContain("namespaceSuffix: '-test'");
    // The first environment's values are the common ones; production differs in its image, a variable and replicas.
    expect(result.program).toContain("image: HARBOR_EXAMPLE_COM.image('orders/order-api', '2.4.0-rc1')");
    expect(result.program).toContain("env: { SPRING_PROFILES_ACTIVE: 'k8s,debug' }");
    // Its autoscaler owns the replicas there.
    expect(result.program).toMatch(/production: \{\s*image: HARBOR_EXAMPLE_COM\.image\('orders\/order-api', '2\.3\.0'\),\s*env: \{ SPRING_PROFILES_ACTIVE: 'k8s' \},[\s\S]*autoscaling: \{ minReplicas: 3, maxReplicas: 6 \},/);
  });

  test('a Secret is a reference with a TODO naming it, never its value', () => {
    expect(result.program).toContain("ExistingSecret.named('order-db').key('password')");
    expect(result.program).toMatch(/TODO: DB_PASSWORD reads key password of the Secret order-db/);
    expect(result.program).not.toContain('c2VjcmV0');
  });

  test('the program validates, and the hatched objects come back in its output, where they were', () => {
    const platform = loadProgram(result.program, 'console');
    expect(validatePlatform(platform).filter((p) => p.severity === 'error')).toEqual([]);
    const files = new ManifestStack(platform).files();
    const host = objectsOf(files, 'host');
    const member = objectsOf(files, 'member-test');
    const find = (objs: KubeObject[], kind: string, name: string): Record<string, unknown> | undefined => objs.find((o) => o.kind === kind && o.metadata.name === name) as unknown as Record<string, unknown> | undefined;
    expect(find(host, 'ConfigMap', 'order-settings')).toMatchObject({ metadata: { namespace: 'orders' }, data: { currency: 'EUR', 'max-items': '50' } });
    expect(find(host, 'HorizontalPodAutoscaler', 'order-api')).toMatchObject({ metadata: { namespace: 'orders' }, spec: { maxReplicas: 6, minReplicas: 3 } });
    expect(find(member, 'CronJob', 'order-cleanup')).toMatchObject({ metadata: { namespace: 'orders-test' }, spec: { schedule: '0 3 * * *' } });
    expect(find(host, 'StorageClass', 'fast-ssd')).toMatchObject({ provisioner: 'csi.example.com', reclaimPolicy: 'Retain' });
    expect(find(member, 'ConfigMap', 'order-settings')).toBeUndefined();
    const dep = find(member, 'Deployment', 'order-api') as { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(dep.spec.template.spec.containers[0].image).toBe('harbor.example.com/orders/order-api:2.4.0-rc1');
  });
});

describe('hostile text in an export', () => {
  test('any string written as a literal reads back as itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        // eslint-disable-next-line @typescript-eslint/no-implied-eval
        expect(new Function(`return ${str(s)};`)()).toBe(s);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test('any string written in a comment stays on its line and inside the comment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const c = commentText(s);
        expect(c).not.toMatch(/[\n\r\u2028\u2029]/);
        expect(c).not.toContain('*/');
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test('an object whose names and values try to break out of the program comes back as it was', () => {
    const dir = tmp();
    const evil = "x'); process.exit(7); ('\n*/ // ${process.exit(8)}`";
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'evil', namespace: 'shop', annotations: { [evil]: evil } }, data: { [evil]: evil, 'a\u2028b': '\u2029' } };
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'kubesphere.io/description': evil } } };
    fs.mkdirSync(path.join(dir, 'host'));
    fs.writeFileSync(path.join(dir, 'host', 'export.yaml'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [ns, cm] }));
    const r = importEstate(dir, { platform: 'evil' });
    const files = new ManifestStack(loadProgram(r.program, 'evil')).files();
    const back = objectsOf(files, 'host').find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'evil') as unknown as typeof cm;
    expect(back.data).toEqual(cm.data);
    expect(back.metadata.annotations[evil]).toBe(evil);
  });

  test('merging environments keeps every environment\'s variables as they were', () => {
    const envs = ['dev', 'test', 'production'];
    const vars = fc.dictionary(fc.constantFrom('A', 'B', 'C', 'D'), fc.constantFrom('1', '2', '3'));
    fc.assert(
      fc.property(fc.tuple(vars, vars, vars), (maps) => {
        const { common, perEnvironment } = mergeEnvironments(new Map(envs.map((e, i) => [e, { env: maps[i] }])));
        envs.forEach((e, i) => {
          const merged = { ...(common.env ?? {}), ...(perEnvironment[e]?.env ?? {}) };
          // A variable missing in some environment is not common: it is written where present only.
          expect(merged).toEqual(maps[i]);
        });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
