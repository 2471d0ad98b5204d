/**
 * The schemas a project keeps (lib/schema-store.ts): the KubeSphere CRDs found in a folder or read from a cluster,
 * stored in `.platform-cdk/`, remembered in `.platform-cdk/schemas.json` and used by every check; the Kubernetes
 * schema version. Hostile settings files are refused with the fix, never followed outside `.platform-cdk/`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { Target } from 'platform-cdk';
import { build } from '../../examples/readme/main';
import { checkPlatform, schemaMissingFix } from '../../lib/check';
import {
  isKubeSphereGroup, kubernetesDefinitionsOf, kubernetesVersions, kubeSphereCrdsInFolder, readSchemaSettings, rememberedSchemas,
  SCHEMA_SETTINGS_FILE, SchemaStoreError, storeKubeSphereCrds, useKubernetesVersion,
} from '../../lib/schema-store';
import { KUBERNETES_DEFINITIONS } from '../../lib/schema';
import { HAS_KUBESPHERE_V4, KUBESPHERE_V4_DIR, KUBESPHERE_V4_SKIPPED } from '../schemas';

let tmp: string;
let n = 0;
/** A new empty folder. */
function folder(): string {
  const d = path.join(tmp, `p${++n}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-schema-store-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A CustomResourceDefinition's YAML. */
function crd(group: string, plural: string, kind: string, version = 'v1'): string {
  return [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    `  name: ${plural}.${group}`,
    'spec:',
    `  group: ${group}`,
    '  names:',
    `    kind: ${kind}`,
    `    plural: ${plural}`,
    '  scope: Namespaced',
    '  versions:',
    `  - name: ${version}`,
    '    served: true',
    '    storage: true',
    '    schema:',
    '      openAPIV3Schema:',
    '        type: object',
    '        properties:',
    '          spec:',
    '            type: object',
    '            properties:',
    '              size:',
    '                type: integer',
    '',
  ].join('\n');
}

describe('the Kubernetes schema version', () => {
  it('lists the shipped versions and finds their definitions, 1.27 by default', () => {
    expect(kubernetesVersions()).toContain('1.27');
    expect(kubernetesDefinitionsOf('1.27')).toBe(KUBERNETES_DEFINITIONS);
    expect(kubernetesDefinitionsOf('v1.27.0')).toBe(KUBERNETES_DEFINITIONS);
    expect(rememberedSchemas(Target.KUBESPHERE_V4_1, folder())).toEqual({ crdDirs: [], kubernetesDefinitions: KUBERNETES_DEFINITIONS, kubernetesVersion: '1.27' });
  });

  it('refuses a version that is not shipped, naming the shipped ones', () => {
    expect(() => kubernetesDefinitionsOf('1.99')).toThrow('the Kubernetes schema version "1.99" is not shipped (shipped: 1.27). Fix: choose one of 1.27');
    expect(() => useKubernetesVersion('../../etc', folder())).toThrow(SchemaStoreError);
  });

  it('records the version chosen for the project', () => {
    const p = folder();
    expect(useKubernetesVersion('v1.27', p)).toBe('1.27');
    expect(readSchemaSettings(p)).toEqual({ kubernetes: '1.27' });
    expect(rememberedSchemas(Target.KUBESPHERE_V4_1, p).kubernetesVersion).toBe('1.27');
  });
});

describe('KubeSphere CRDs from a folder', () => {
  it('keeps the CRDs of KubeSphere groups, one file per CRD, a lone CRD byte for byte', () => {
    const from = folder();
    fs.mkdirSync(path.join(from, 'a', 'b'), { recursive: true });
    const lone = `# a comment kept\n${crd('tenant.kubesphere.io', 'workspacetemplates', 'WorkspaceTemplate', 'v1beta1')}`;
    fs.writeFileSync(path.join(from, 'a', 'b', 'ws.yml'), lone);
    fs.writeFileSync(path.join(from, 'many.yaml'), `${crd('iam.kubesphere.io', 'groups', 'Group')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n---\n${crd('cert-manager.io', 'certificates', 'Certificate')}`);
    fs.writeFileSync(path.join(from, 'notes.txt'), crd('iam.kubesphere.io', 'users', 'User'));
    const found = kubeSphereCrdsInFolder(from);
    expect(found.map((c) => c.file)).toEqual(['iam.kubesphere.io_groups.yaml', 'tenant.kubesphere.io_workspacetemplates.yaml']);
    expect(found[1].text).toBe(lone);
    expect(found[0].kinds).toEqual(['iam.kubesphere.io/v1 Group']);
  });

  it('refuses the same CRD twice with different contents, and a folder that is not there', () => {
    const from = folder();
    fs.writeFileSync(path.join(from, 'one.yaml'), crd('iam.kubesphere.io', 'groups', 'Group'));
    fs.writeFileSync(path.join(from, 'two.yaml'), crd('iam.kubesphere.io', 'groups', 'Group', 'v2'));
    expect(() => kubeSphereCrdsInFolder(from)).toThrow('two different CRDs iam.kubesphere.io_groups were found, in one.yaml and in two.yaml');
    expect(() => kubeSphereCrdsInFolder(path.join(from, 'nope'))).toThrow(`--from: ${path.join(from, 'nope')} is not a folder`);
  });

  it('stores nothing when no KubeSphere CRD was found, and says where to look', () => {
    const p = folder();
    expect(() => storeKubeSphereCrds([], 'folder', p)).toThrow('no KubeSphere CRD (a CustomResourceDefinition of a kubesphere.io group) was found there. Fix: pass the CRD folder of a KubeSphere 4.1 release');
    expect(fs.existsSync(path.join(p, SCHEMA_SETTINGS_FILE))).toBe(false);
  });

  it('stores them, replacing what was stored, and the 4.1 target\'s checks remember them; other targets do not', () => {
    const from = folder();
    const p = folder();
    fs.writeFileSync(path.join(from, 'g.yaml'), crd('iam.kubesphere.io', 'groups', 'Group'));
    storeKubeSphereCrds(kubeSphereCrdsInFolder(from), 'folder', p);
    fs.rmSync(path.join(from, 'g.yaml'));
    fs.writeFileSync(path.join(from, 'u.yaml'), crd('iam.kubesphere.io', 'users', 'User'));
    const r = storeKubeSphereCrds(kubeSphereCrdsInFolder(from), 'folder', p);
    expect(fs.readdirSync(r.folder)).toEqual(['iam.kubesphere.io_users.yaml']);
    expect(r.missingKinds).toContain('tenant.kubesphere.io/v1beta1 WorkspaceTemplate');
    expect(readSchemaSettings(p)).toEqual({ 'kubesphere-4.1': { folder: 'schemas/kubesphere-4.1', source: 'folder', crds: 1 } });
    expect(rememberedSchemas(Target.KUBESPHERE_V4_1, p).crdDirs).toEqual([r.folder]);
    expect(rememberedSchemas(Target.KUBESPHERE_V3_4, p).crdDirs).toEqual([]);
    // A clone without the folder: nothing is used, and the checks warn schema-missing with the fetch command.
    fs.rmSync(r.folder, { recursive: true });
    expect(rememberedSchemas(Target.KUBESPHERE_V4_1, p).crdDirs).toEqual([]);
  });

  it('property: whatever the folders and files, exactly the KubeSphere CRDs are found, once each', () => {
    const groups = ['tenant.kubesphere.io', 'iam.kubesphere.io', 'kubesphere.io', 'app.k8s.io', 'cert-manager.io', 'example.com', 'kubesphere.io.evil.com'];
    const name = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
    const entry = fc.record({ group: fc.constantFrom(...groups), plural: name, dir: fc.array(name, { maxLength: 3 }), withOthers: fc.boolean() });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => `${e.group}_${e.plural}`, maxLength: 8 }), (entries) => {
        const from = folder();
        entries.forEach((e, i) => {
          const dir = path.join(from, ...e.dir);
          fs.mkdirSync(dir, { recursive: true });
          const doc = crd(e.group, e.plural, 'Thing');
          fs.writeFileSync(path.join(dir, `f${i}.yaml`), e.withOthers ? `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\n${doc}` : doc);
        });
        const found = kubeSphereCrdsInFolder(from);
        const wanted = entries.filter((e) => isKubeSphereGroup(e.group)).map((e) => `${e.group}_${e.plural}.yaml`).sort();
        expect(found.map((c) => c.file)).toEqual(wanted);
        for (const c of found) expect(c.text).toContain('kind: CustomResourceDefinition');
      }),
      { seed: 20261206, numRuns: 40 },
    );
  });
});

describe('hostile settings files', () => {
  const settings = (text: string): string => {
    const p = folder();
    fs.mkdirSync(path.join(p, '.platform-cdk'));
    fs.writeFileSync(path.join(p, SCHEMA_SETTINGS_FILE), text);
    return p;
  };

  it('refuses a file that is not JSON, or not an object, with the fix', () => {
    expect(() => readSchemaSettings(settings('{'))).toThrow(/^\.platform-cdk\/schemas\.json is not valid JSON \(.*\)\. Fix: repair it, or remove it and run `platform-cdk schemas fetch` again$/);
    expect(() => readSchemaSettings(settings('[1]'))).toThrow('.platform-cdk/schemas.json holds [1], not an object');
    expect(() => readSchemaSettings(settings('{"kubernetes": 1.27}'))).toThrow('kubernetes is 1.27, not a version');
  });

  it('never follows a folder outside .platform-cdk/', () => {
    for (const folderValue of ['../../etc', '/etc', 'schemas/../../x', 42]) {
      expect(() => rememberedSchemas(Target.KUBESPHERE_V4_1, settings(JSON.stringify({ 'kubesphere-4.1': { folder: folderValue, source: 'folder', crds: 1 } })))).toThrow('its folder must be a path inside .platform-cdk/');
    }
  });

  it('property: any settings text either reads as settings or is one SchemaStoreError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const p = settings(text);
        try {
          rememberedSchemas(Target.KUBESPHERE_V4_1, p);
        } catch (e) {
          expect(e).toBeInstanceOf(SchemaStoreError);
        }
      }),
      { seed: 20261206, numRuns: 60 },
    );
  });
});

describe('the checks of a project', () => {
  it('say how to fetch the KubeSphere CRDs, and --crds for other kinds', () => {
    expect(schemaMissingFix('tenant.kubesphere.io/v1beta1 WorkspaceTemplate')).toContain('platform-cdk schemas fetch --from <folder of the CRD files>');
    expect(schemaMissingFix('example.com/v1 Widget')).toBe('pass the folder of its CRD with --crds');
  });

  (HAS_KUBESPHERE_V4 ? it : it.skip)('use the KubeSphere 4.1 CRDs fetched into the project: no schema-missing warning is left', () => {
    const p = folder();
    const r = storeKubeSphereCrds(kubeSphereCrdsInFolder(KUBESPHERE_V4_DIR), 'folder', p);
    expect(r.files).toHaveLength(fs.readdirSync(KUBESPHERE_V4_DIR).length);
    expect(r.missingKinds).toEqual([]);
    for (const f of r.files) expect(fs.readFileSync(path.join(r.folder, f), 'utf8')).toBe(fs.readFileSync(path.join(KUBESPHERE_V4_DIR, f), 'utf8'));
    const cwd = process.cwd();
    const before = checkPlatform(build());
    expect(before.findings.filter((f) => f.rule === 'schema-missing').map((f) => f.object)).toEqual(['cluster.kubesphere.io/v1alpha1 Cluster', 'tenant.kubesphere.io/v1beta1 WorkspaceTemplate']);
    process.chdir(p);
    try {
      const after = checkPlatform(build());
      expect(after.findings.filter((f) => f.rule === 'schema-missing')).toEqual([]);
      expect(after.unvalidated).toEqual([]);
      expect(after.findings.filter((f) => f.severity === 'error')).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });
  if (!HAS_KUBESPHERE_V4) it('skips the KubeSphere 4.1 fetch test', () => void process.stderr.write(`${KUBESPHERE_V4_SKIPPED}\n`));
});
