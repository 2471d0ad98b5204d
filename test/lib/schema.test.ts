import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import * as fc from 'fast-check';
import { SchemaValidator } from '../../lib/schema';
import { defaultSchemaCacheDir } from '../../lib/schema-cache';
import { tiered } from '../tier';
import type { KubeObject } from '../../lib/manifest';
import { HAS_KUBESPHERE_V4, KUBESPHERE_V4_DIR, KUBESPHERE_V4_SKIPPED } from '../schemas';

const deployment = (spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec }) as KubeObject;

describe('the schema validator', () => {
  const v = SchemaValidator.create();

  it('accepts a valid Kubernetes object', () => {
    const ok = deployment({ selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'web', image: 'x/y:1' }] } } });
    expect(v.validate(ok)).toEqual([]);
  });

  it('reports unknown fields, as kubeconform does in strict mode', () => {
    const bad = deployment({ selector: {}, replicaz: 2, template: { spec: { containers: [{ name: 'web', imagee: 'x' }] } } });
    expect(v.validate(bad)).toEqual([
      { object: 'apps/v1 Deployment shop/web', path: '/spec', message: 'unknown field "replicaz"' },
      { object: 'apps/v1 Deployment shop/web', path: '/spec/template/spec/containers/0', message: 'unknown field "imagee"' },
    ]);
  });

  it('reports wrong types and missing required fields', () => {
    const findings = v.validate(deployment({ replicas: 'two', template: {} }));
    expect(findings.map((f) => `${f.path} ${f.message}`)).toEqual(["/spec must have required property 'selector'", '/spec/replicas must be integer']);
  });

  it('reports an object whose kind it has no schema for', () => {
    expect(v.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      { object: 'example.com/v1 Widget w', path: '', message: 'no schema for example.com/v1 Widget' },
    ]);
  });

  (HAS_KUBESPHERE_V4 ? describe : describe.skip)('with the KubeSphere 4.1 CRDs', () => {
    const ks = SchemaValidator.create();
    if (HAS_KUBESPHERE_V4) ks.addCrdFolder(KUBESPHERE_V4_DIR);

    it('validates a WorkspaceTemplate strictly, metadata included', () => {
      const wt = { apiVersion: 'tenant.kubesphere.io/v1beta1', kind: 'WorkspaceTemplate', metadata: { name: 'shop', labelz: {} }, spec: { placement: { clusters: [{ name: 'host', weight: 1 }] }, template: { spec: { manager: 'alice' } } } };
      expect(ks.validate(wt as unknown as KubeObject).map((f) => `${f.path} ${f.message}`)).toEqual(['/metadata unknown field "labelz"', '/spec/placement/clusters/0 unknown field "weight"']);
    });

    it('knows that a Workspace is not a WorkspaceTemplate', () => {
      expect(ks.hasSchema('tenant.kubesphere.io/v1beta1', 'WorkspaceTemplate')).toBe(true);
      expect(ks.hasSchema('tenant.kubesphere.io/v1beta1', 'Namespace')).toBe(false);
    });
  });

  if (!HAS_KUBESPHERE_V4) it.skip(KUBESPHERE_V4_SKIPPED, () => undefined);
});

describe('the compiled-validator cache', () => {
  const made: string[] = [];
  const tmp = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-schema-cache-'));
    made.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  const badDeployment = deployment({ selector: {}, replicaz: 2, replicas: 'two', template: { spec: { containers: [{ name: 'web', imagee: 'x' }] } } });
  const widgetCrd = (pattern: string): string => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: { kind: Widget, plural: widgets }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: { type: string }
            kind: { type: string }
            metadata: { type: object }
            spec:
              type: object
              properties:
                name: { type: string, pattern: '${pattern}' }
                size: { x-kubernetes-int-or-string: true }
                odd: { type: string, pattern: '(?<=[' }
`;
  const widget = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' }, spec }) as KubeObject;
  const kindFiles = (dir: string): string[] => fs.readdirSync(dir).flatMap((d) => fs.readdirSync(path.join(dir, d)).map((f) => path.join(d, f)));

  afterEach(() => jest.restoreAllMocks());

  it('keeps compiled validators between runs: a second validator compiles nothing and finds the same', () => {
    const cacheDir = tmp();
    const first = SchemaValidator.create({ cacheDir }).validate(badDeployment);
    expect(first.length).toBe(3);
    expect(kindFiles(cacheDir).length).toBe(1);
    const compile = jest.spyOn(Ajv.prototype, 'compile');
    const again = SchemaValidator.create({ cacheDir });
    expect(again.validate(badDeployment)).toEqual(first);
    expect(again.hasSchema('example.com/v1', 'Widget')).toBe(false);
    expect(SchemaValidator.create({ cacheDir }).hasSchema('example.com/v1', 'Widget')).toBe(false);
    expect(compile).not.toHaveBeenCalled();
  });

  it('reads Go patterns, int-or-string and unreadable patterns the same from the cache', () => {
    const cacheDir = tmp();
    const crd = path.join(tmp(), 'widgets.yaml');
    fs.writeFileSync(crd, widgetCrd('(?i)^[a-z]+$'));
    const objects = [widget({ name: 'ABC', size: 3, odd: 'x' }), widget({ name: 'a-1', size: '50%' }), widget({ name: 'ok', size: true, extra: 1 })];
    const fresh = objects.map((o) => SchemaValidator.create({ crdFiles: [crd], cacheDir: false }).validate(o));
    expect(fresh.map((f) => f.map((x) => `${x.path} ${x.message}`))).toEqual([[], ['/spec/name must match pattern "(?i)^[a-z]+$"'], ['/spec unknown field "extra"', '/spec/size must be integer', '/spec/size must be string', '/spec/size must match a schema in anyOf']]);
    const cold = SchemaValidator.create({ crdFiles: [crd], cacheDir });
    expect(objects.map((o) => cold.validate(o))).toEqual(fresh);
    const warm = SchemaValidator.create({ crdFiles: [crd], cacheDir });
    expect(objects.map((o) => warm.validate(o))).toEqual(fresh);
  });

  it('uses a new folder when a schema file changes, so that a validator is never stale', () => {
    const cacheDir = tmp();
    const crd = path.join(tmp(), 'widgets.yaml');
    fs.writeFileSync(crd, widgetCrd('^[a-z]+$'));
    expect(SchemaValidator.create({ crdFiles: [crd], cacheDir }).validate(widget({ name: 'ABC' }))).toHaveLength(1);
    fs.writeFileSync(crd, widgetCrd('^[A-Z]+$'));
    expect(SchemaValidator.create({ crdFiles: [crd], cacheDir }).validate(widget({ name: 'ABC' }))).toEqual([]);
    expect(fs.readdirSync(cacheDir)).toHaveLength(2);
  });

  it('compiles anew a cached file that is damaged, or that requires anything but ajv\'s helpers', () => {
    const cacheDir = tmp();
    const badMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' }, data: { a: 1 }, extra: true } as unknown as KubeObject;
    const expected = SchemaValidator.create({ cacheDir }).validate(badMap);
    expect(expected).toHaveLength(2);
    const [file] = kindFiles(cacheDir).map((f) => path.join(cacheDir, f));
    const header = fs.readFileSync(file, 'utf8').split('\n')[0];
    for (const text of ['garbage', `${header}\n(`, `${header}\nrequire("child_process"); module.exports = () => true;`, `${header}\nmodule.exports = 42;`]) {
      fs.writeFileSync(file, text);
      expect(SchemaValidator.create({ cacheDir }).validate(badMap)).toEqual(expected);
      expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toBe(header);
    }
  });

  it('does not use a folder that others may write to, nor one it cannot write, and still validates', () => {
    const open = tmp();
    fs.chmodSync(open, 0o777);
    const blocked = path.join(tmp(), 'a-file');
    fs.writeFileSync(blocked, '');
    for (const cacheDir of [open, path.join(blocked, 'cache')]) {
      expect(SchemaValidator.create({ cacheDir }).validate(badDeployment)).toHaveLength(3);
    }
    expect(fs.readdirSync(open)).toEqual([]);
  });

  it('is off with PLATFORM_CDK_CACHE=off, in a folder of its own with PLATFORM_CDK_CACHE=<folder>, else in node_modules/.cache', () => {
    const saved = process.env.PLATFORM_CDK_CACHE;
    try {
      process.env.PLATFORM_CDK_CACHE = 'off';
      expect(defaultSchemaCacheDir()).toBeUndefined();
      process.env.PLATFORM_CDK_CACHE = '/some/where';
      expect(defaultSchemaCacheDir()).toBe('/some/where');
      delete process.env.PLATFORM_CDK_CACHE;
      expect(defaultSchemaCacheDir()).toBe(path.join(process.cwd(), 'node_modules', '.cache', 'platform-cdk'));
    } finally {
      if (saved === undefined) delete process.env.PLATFORM_CDK_CACHE;
      else process.env.PLATFORM_CDK_CACHE = saved;
    }
  });

  it('finds for random objects what a validator without the cache finds, cold and warm (property)', () => {
    const cacheDir = tmp();
    const crd = path.join(tmp(), 'widgets.yaml');
    fs.writeFileSync(crd, widgetCrd('(?i)^[a-z]+$'));
    const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}));
    const object = fc.oneof(
      fc.record({ replicas: value, replicaz: value, selector: fc.constant({}), template: fc.record({ spec: fc.record({ containers: fc.array(fc.record({ name: value, image: value }, { requiredKeys: ['name'] }), { maxLength: 2 }) }) }) }, { requiredKeys: [] }).map((spec) => deployment(spec)),
      fc.record({ name: value, size: value, odd: value, other: value }, { requiredKeys: [] }).map((spec) => widget(spec)),
      fc.record({ ports: fc.array(fc.record({ port: value, protocol: value }), { maxLength: 2 }), type: value }, { requiredKeys: [] }).map((spec) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec }) as KubeObject),
    );
    const off = SchemaValidator.create({ crdFiles: [crd], cacheDir: false });
    let cold: SchemaValidator | undefined;
    fc.assert(
      fc.property(object, (o) => {
        cold ??= SchemaValidator.create({ crdFiles: [crd], cacheDir });
        const warm = SchemaValidator.create({ crdFiles: [crd], cacheDir });
        const expected = off.validate(o);
        expect(cold.validate(o)).toEqual(expected);
        expect(warm.validate(o)).toEqual(expected);
      }),
      { seed: 20261203, numRuns: tiered(30, 300) },
    );
  });
});
