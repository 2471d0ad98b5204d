/**
 * The checks of synthesized output: schemas (strict) and policy rules over a render or over the files written,
 * with findings that name the construct path; and every example passes them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack, Platform, Target } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkedObjects, checkedObjectsOf, checkObjects, checkPlatform, checkRendered, formatFinding, hasErrors, objectsOfFiles, platformChecker, sortFindings, validatorFor } from '../../lib/check';
import type { CheckedObject, Finding } from '../../lib/policy';
import { addService, fixture } from '../fixture';
import { HAS_KUBESPHERE_V4, KUBESPHERE_V4_DIR, KUBESPHERE_V4_SKIPPED } from '../schemas';

const ROOT = path.resolve(__dirname, '..', '..');

/** The fixture with a service exposed in production: its platform, render and checked objects. */
function estate(target?: Target): { platform: Platform; objects: CheckedObject[]; files: Map<string, string> } {
  const f = fixture(target);
  addService(f, 'api').expose({ environments: [f.production], subdomain: 'api' });
  const stack = new ManifestStack(f.platform);
  return { platform: f.platform, objects: checkedObjects(f.platform, stack.render()), files: stack.files() };
}

const ESTATE = estate();

type Json = Record<string, unknown>;

/** The estate's objects with one object changed (a copy). */
function withChange(key: string, change: (o: Json) => void): CheckedObject[] {
  return ESTATE.objects.map((c) => {
    if (`${c.cluster}/${c.object.kind}/${c.object.metadata.name}` !== key) return c;
    const object = structuredClone(c.object);
    change(object as unknown as Json);
    return { ...c, object };
  });
}

function container(o: Json): Json {
  return ((((o.spec as Json).template as Json).spec as Json).containers as Json[])[0];
}

const SCHEMA_FIX = 'correct the field (see the schema of the kind); if it comes from a JSON patch, fix the patch';
const API = { cluster: 'host', object: 'apps/v1 Deployment storefront/api', source: 'acme/shop/storefront/api' };

describe('schema checks', () => {
  const validator = validatorFor(Target.KUBESPHERE_V4_1);

  it('find nothing wrong with the output of the model', () => {
    expect(checkObjects(ESTATE.objects, validator).findings.filter((f) => f.rule === 'schema')).toEqual([]);
  });

  it('report an unknown field and a wrong type as errors of rule schema, with the construct path and the place', () => {
    const objects = withChange('host/Deployment/api', (o) => {
      (o.spec as Json).replicas = 'three';
      container(o).securityContex = { privileged: false };
    });
    const schema = checkObjects(objects, validator).findings.filter((f) => f.rule === 'schema');
    expect(schema).toEqual([
      { rule: 'schema', severity: 'error', ...API, at: '/spec/replicas', message: 'must be integer', fix: SCHEMA_FIX },
      { rule: 'schema', severity: 'error', ...API, at: '/spec/template/spec/containers/0', message: 'unknown field "securityContex"', fix: SCHEMA_FIX },
    ]);
    expect(hasErrors(schema)).toBe(true);
  });

  it('report a field missing that the schema requires, in a CRD kind', () => {
    const objects = withChange('host/Certificate/api-tls', (o) => {
      delete (o.spec as Json).secretName;
    });
    expect(checkObjects(objects, validator).findings.filter((f) => f.rule === 'schema').map((f) => `${f.object} ${f.at} ${f.message}`)).toEqual([
      'cert-manager.io/v1 Certificate storefront/api-tls /spec must have required property \'secretName\'',
    ]);
  });

  it('give one schema-missing warning per kind without a schema, however many objects it has', () => {
    const result = checkObjects(ESTATE.objects, validator);
    expect(result.unvalidated).toEqual(['cluster.kubesphere.io/v1alpha1 Cluster', 'tenant.kubesphere.io/v1beta1 WorkspaceTemplate']);
    const twice = checkObjects([...ESTATE.objects, ...ESTATE.objects.filter((c) => c.object.kind === 'WorkspaceTemplate').map((c) => ({ ...c, cluster: 'member-test' }))], validator);
    expect(twice.findings.filter((f) => f.rule === 'schema-missing')).toEqual([
      {
        rule: 'schema-missing',
        severity: 'warning',
        cluster: '-',
        object: 'cluster.kubesphere.io/v1alpha1 Cluster',
        source: '-',
        at: '',
        message: 'objects of cluster.kubesphere.io/v1alpha1 Cluster were not validated: no schema is loaded for the kind',
        fix: 'pass the folder of its CRD with --crds (e.g. the KubeSphere 4.1 CRDs)',
      },
      {
        rule: 'schema-missing',
        severity: 'warning',
        cluster: '-',
        object: 'tenant.kubesphere.io/v1beta1 WorkspaceTemplate',
        source: '-',
        at: '',
        message: 'objects of tenant.kubesphere.io/v1beta1 WorkspaceTemplate were not validated: no schema is loaded for the kind',
        fix: 'pass the folder of its CRD with --crds (e.g. the KubeSphere 4.1 CRDs)',
      },
    ]);
    expect(hasErrors(twice.findings)).toBe(false);
  });

  (HAS_KUBESPHERE_V4 ? it : it.skip)(`validate the KubeSphere kinds too with the 4.1 CRDs of --crds${HAS_KUBESPHERE_V4 ? '' : ` (skipped: ${KUBESPHERE_V4_SKIPPED})`}`, () => {
    const result = checkRendered(ESTATE.platform, new ManifestStack(ESTATE.platform).render(), { crdDirs: [KUBESPHERE_V4_DIR] });
    expect(result.unvalidated).toEqual([]);
    expect(result.findings).toEqual([]);
    // Now a KubeSphere object is checked: a field its CRD does not declare is an error.
    const objects = withChange('host/WorkspaceTemplate/shop', (o) => {
      (o.spec as Json).placment = {};
    });
    expect(checkObjects(objects, validatorFor(Target.KUBESPHERE_V4_1, [KUBESPHERE_V4_DIR])).findings.map((f) => `${f.rule} ${f.object} ${f.at} ${f.message}`)).toEqual([
      'schema tenant.kubesphere.io/v1beta1 WorkspaceTemplate shop /spec unknown field "placment"',
    ]);
  });

  it('validate the KubeSphere 3.4 kinds of a 3.4 target with the CRDs shipped', () => {
    const v3 = estate(Target.KUBESPHERE_V3_4);
    const result = checkRendered(v3.platform, new ManifestStack(v3.platform).render());
    expect(result.unvalidated).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it('build a validator once per target and CRD folders', () => {
    expect(validatorFor(Target.KUBESPHERE_V4_1)).toBe(validator);
    expect(validatorFor(Target.KUBESPHERE_V3_4)).not.toBe(validator);
  });

  it('say that a CRD folder does not exist', () => {
    expect(() => validatorFor(Target.KUBESPHERE_V4_1, ['/no/such/crds'])).toThrow('the CRD folder /no/such/crds does not exist');
  });
});

describe('checkRendered', () => {
  it('checks every object of the render: schemas and the policy rules of each profile', () => {
    const result = checkRendered(ESTATE.platform, new ManifestStack(ESTATE.platform).render());
    expect(result.objects).toBe(ESTATE.objects.length);
    expect(result.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['warning schema-missing', 'warning schema-missing']);
    expect(hasErrors(result.findings)).toBe(false);
  });

  it('gives each object the construct path that made it and the profile of its environment', () => {
    const where = (key: string): string => {
      const c = ESTATE.objects.find((x) => `${x.cluster}/${x.object.kind}/${x.object.metadata.name}` === key);
      return c ? `${c.source ?? '-'} ${c.production}` : 'missing';
    };
    expect(where('host/Deployment/api')).toBe('acme/shop/storefront/api true');
    expect(where('member-test/Deployment/api')).toBe('acme/shop/storefront/api false');
    expect(where('host/Namespace/storefront')).toBe('acme/shop/storefront true');
    expect(where('host/ResourceQuota/project-quota')).toBe('acme/shop/storefront true');
    expect(where('host/WorkspaceTemplate/shop')).toBe('acme/shop false');
    expect(where('host/Cluster/member-test')).toBe('- false');
  });
});

describe('objectsOfFiles', () => {
  const key = (c: CheckedObject): string => `${c.cluster} ${c.object.kind} ${c.object.metadata.namespace ?? '-'}/${c.object.metadata.name}`;

  it('reads the files written back into the objects of the render, with their construct paths and profiles', () => {
    const read = objectsOfFiles(ESTATE.files, ESTATE.platform, new ManifestStack(ESTATE.platform).render());
    const byKey = (list: readonly CheckedObject[]): string[] => list.map((c) => `${key(c)} ${c.source ?? '-'} ${c.production}`).sort();
    expect(byKey(read)).toEqual(byKey(ESTATE.objects));
    expect(read.map((c) => c.object)).toEqual(expect.arrayContaining(ESTATE.objects.map((c) => c.object)));
  });

  it('without the platform knows no construct path nor profile', () => {
    const read = objectsOfFiles(ESTATE.files);
    expect(read).toHaveLength(ESTATE.objects.length);
    expect(read.every((c) => c.source === undefined && !c.production)).toBe(true);
  });

  it('takes the profile of an object written by hand from its environment label, and leaves other files out', () => {
    const bad: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'storefront', labels: { 'platform-cdk.io/environment': 'production' } } };
    const files = new Map(ESTATE.files);
    files.set('host/99-extra.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: storefront\n  labels:\n    platform-cdk.io/environment: production\n---\n# an empty document\n`);
    files.set('host/README.md', '# not YAML');
    files.set('_gitlab-ci/shop/api.yaml', 'stages: [build]\n');
    const read = objectsOfFiles(files, ESTATE.platform, new ManifestStack(ESTATE.platform).render());
    expect(read).toHaveLength(ESTATE.objects.length + 1);
    expect(read.find((c) => c.object.metadata.name === 'extra')).toEqual({ cluster: 'host', object: bad, source: undefined, production: true });
  });

  it('lets the checks name the construct path of an object that was edited in the output', () => {
    const files = new Map(ESTATE.files);
    files.set('host/10-storefront.yaml', (files.get('host/10-storefront.yaml') as string).replace('image: harbor.example.com/shop/api:1.0.0', 'image: harbor.example.com/shop/api:latest'));
    const result = checkObjects(objectsOfFiles(files, ESTATE.platform, new ManifestStack(ESTATE.platform).render()), validatorFor(Target.KUBESPHERE_V4_1));
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([
      {
        rule: 'image-pinned',
        severity: 'error',
        ...API,
        at: '/spec/template/spec/containers/0/image',
        message: 'container api\'s image harbor.example.com/shop/api:latest is not pinned (no tag, or latest)',
        fix: 'pin a version tag or a digest',
        waived: undefined,
      },
    ]);
  });
});

describe('findings', () => {
  const base: Finding = { rule: 'resources', severity: 'error', ...API, at: '/spec/template/spec/containers/0/resources/limits', message: 'container api has no limits for cpu and memory', fix: 'set resources.limits.cpu and memory' };

  it('read as one line with the status, rule, cluster, object, place, message, fix and construct path', () => {
    expect(formatFinding(base)).toBe(
      'error [resources] host: apps/v1 Deployment storefront/api /spec/template/spec/containers/0/resources/limits: container api has no limits for cpu and memory. Fix: set resources.limits.cpu and memory. (from acme/shop/storefront/api)',
    );
    expect(formatFinding({ ...base, rule: 'production-replicas', at: '', waived: 'singleton' })).toBe(
      'waived (singleton) [production-replicas] host: apps/v1 Deployment storefront/api: container api has no limits for cpu and memory. Fix: set resources.limits.cpu and memory. (from acme/shop/storefront/api)',
    );
  });

  it('are sorted errors first, then warnings, then waived ones; then by cluster, object, rule and place', () => {
    const w: Finding = { ...base, severity: 'warning', rule: 'probes' };
    const waived: Finding = { ...base, rule: 'production-replicas', waived: 'why' };
    const member: Finding = { ...base, cluster: 'member-test' };
    const earlier: Finding = { ...base, at: '/a' };
    expect(sortFindings([waived, w, member, base, earlier])).toEqual([earlier, base, member, w, waived]);
  });

  it('count as errors only when they are errors and not waived', () => {
    expect(hasErrors([])).toBe(false);
    expect(hasErrors([{ ...base, severity: 'warning' }])).toBe(false);
    expect(hasErrors([{ ...base, waived: 'why' }])).toBe(false);
    expect(hasErrors([base])).toBe(true);
  });
});

describe('the examples', () => {
  const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((d) => fs.existsSync(path.join(ROOT, 'examples', d, 'main.ts'))).sort();
  const crdDirs = HAS_KUBESPHERE_V4 ? [KUBESPHERE_V4_DIR] : [];

  it('are found', () => {
    expect(examples).toEqual(expect.arrayContaining(['quickstart', 'readme']));
  });

  it.each(examples)('examples/%s gives no error finding (the production profile on its production environments)', (example) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { build } = require(path.join(ROOT, 'examples', example, 'main.ts')) as { build: () => Platform };
    const platform = build();
    const rendered = new ManifestStack(platform).render();
    const result = checkRendered(platform, rendered, { crdDirs: platform.target === Target.KUBESPHERE_V4_1 ? crdDirs : [] });
    const errors = result.findings.filter((f) => f.severity === 'error' && f.waived === undefined);
    expect(errors.map(formatFinding)).toEqual([]);
    // The production rules ran where the example has production environments.
    const production = checkedObjects(platform, rendered).filter((c) => c.production && c.object.kind === 'Deployment');
    expect(production.length > 0).toBe(platform.environments.some((e) => e.production));
    const warnings = result.findings.filter((f) => f.severity === 'warning' && f.waived === undefined);
    const waived = result.findings.filter((f) => f.waived !== undefined);
    const byRule = [...new Set(warnings.map((f) => f.rule))].map((r) => `${r} ${warnings.filter((f) => f.rule === r).length}`).join(', ');
    // eslint-disable-next-line no-console
    console.log(`examples/${example}: ${result.objects} objects, 0 errors, ${warnings.length} warnings (${byRule || 'none'}), ${waived.length} waived${HAS_KUBESPHERE_V4 ? '' : `; ${KUBESPHERE_V4_SKIPPED}`}`);
  });

  it.each(examples)('examples/%s: checked a cluster at a time as it is synthesized (the command line\'s synth) or rendered (validate), the findings are those of one check of the whole render', (example) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { build } = require(path.join(ROOT, 'examples', example, 'main.ts')) as { build: () => Platform };
    const platform = build();
    const options = { crdDirs: platform.target === Target.KUBESPHERE_V4_1 ? crdDirs : [] };
    const whole = checkRendered(platform, new ManifestStack(platform).render(), options);
    const checker = platformChecker(platform, options);
    const seen: string[] = [];
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-checker-')), 'dist');
    new ManifestStack(platform, {
      outdir,
      inspect: (cluster, objects) => {
        seen.push(cluster.name);
        return checker.add(checkedObjectsOf(platform, cluster.name, objects));
      },
    }).synth();
    expect(seen).toEqual(platform.clusters.map((c) => c.name).sort());
    expect(checker.result()).toEqual(whole);
    expect(checkPlatform(platform, options)).toEqual(whole);
  });
});
