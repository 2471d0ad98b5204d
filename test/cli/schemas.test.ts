/**
 * `platform-cdk schemas`: fetch the KubeSphere 4.1 CRDs into a project from a folder (the ones beside the repository
 * in ../shared, never copied into it) or from a cluster (a stand-in `kubectl` on PATH), then `validate` in that
 * project uses them; `use --kubernetes`; `status`. Each user error is one `error:` line, exit code 2, no stack trace.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from './run';
import { HAS_KUBESPHERE_V4, KUBESPHERE_V4_DIR, KUBESPHERE_V4_SKIPPED } from '../schemas';

const ROOT = path.resolve(__dirname, '..', '..');
let tmp: string;
let n = 0;
const cwd = process.cwd();
const PATH = process.env.PATH;

/** A new project folder, made the working folder. */
function project(): string {
  const d = path.join(tmp, `project-${++n}`);
  fs.mkdirSync(d, { recursive: true });
  process.chdir(d);
  return d;
}

/** A stand-in kubectl in a folder of its own that records its arguments and prints `stdout` (or fails). */
function fakeKubectl(stdout: string, fail?: string): string {
  const bin = path.join(tmp, `bin-${++n}`);
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'out.yaml'), stdout);
  const body = fail !== undefined ? `echo ${JSON.stringify(fail)} >&2\nexit 1` : `cat ${JSON.stringify(path.join(bin, 'out.yaml'))}`;
  fs.writeFileSync(path.join(bin, 'kubectl'), `#!/bin/sh\necho "$@" > ${JSON.stringify(path.join(bin, 'args'))}\n${body}\n`, { mode: 0o755 });
  return bin;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-cli-schemas-'));
});
afterEach(() => {
  process.chdir(cwd);
  process.env.PATH = PATH;
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The user-error shape: one error line, exit code 2, no stack trace. */
function expectUserError(r: { code: number; stdout: string; stderr: string }, message: string): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`platform-cdk schemas: error: ${message}\n`);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const CLUSTER_LIST = `apiVersion: v1
kind: List
items:
- apiVersion: apiextensions.k8s.io/v1
  kind: CustomResourceDefinition
  metadata:
    name: groups.iam.kubesphere.io
    resourceVersion: "123"
    uid: 0f0f
    managedFields: [{manager: kubectl}]
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: "{}"
  spec:
    group: iam.kubesphere.io
    names: {kind: Group, plural: groups}
    scope: Cluster
    versions:
    - name: v1beta1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object}}
  status: {acceptedNames: {kind: Group}}
- apiVersion: apiextensions.k8s.io/v1
  kind: CustomResourceDefinition
  metadata: {name: certificates.cert-manager.io}
  spec:
    group: cert-manager.io
    names: {kind: Certificate, plural: certificates}
    versions: [{name: v1, served: true, storage: true}]
`;

describe('platform-cdk schemas fetch', () => {
  (HAS_KUBESPHERE_V4 ? it : it.skip)('--from stores the KubeSphere 4.1 CRDs of a folder in the project, and validate uses them', () => {
    const p = project();
    const r = cli('schemas', 'fetch', '--from', KUBESPHERE_V4_DIR);
    expect(r.code).toBe(0);
    const count = fs.readdirSync(KUBESPHERE_V4_DIR).length;
    expect(r.stdout).toBe(`platform-cdk: ${count} KubeSphere CRDs stored in .platform-cdk/schemas/kubesphere-4.1/ (recorded in .platform-cdk/schemas.json); validate, synth and cdk8s synth check the KubeSphere 4.1 objects against them from now on\n`);
    expect(r.stderr).toContain('under its licence');
    expect(fs.readdirSync(path.join(p, '.platform-cdk', 'schemas', 'kubesphere-4.1'))).toEqual(fs.readdirSync(KUBESPHERE_V4_DIR).sort());
    expect(cli('schemas', 'status').stdout).toContain(`KubeSphere 4.1 CRDs: ${count} in .platform-cdk/schemas/kubesphere-4.1/ (from a folder)`);
    const v = cli('validate', '--app', path.join(ROOT, 'examples', 'readme', 'main.ts'), '--format', 'json');
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, errors: 0, unvalidated: [] });
  });
  if (!HAS_KUBESPHERE_V4) it('skips the --from test of the KubeSphere 4.1 CRDs', () => void process.stderr.write(`${KUBESPHERE_V4_SKIPPED}\n`));

  it('without a fetch, validate warns schema-missing with the command that fetches them', () => {
    project();
    expect(cli('schemas', 'status').stdout).toContain('KubeSphere 4.1 CRDs: not fetched');
    const v = cli('validate', '--app', path.join(ROOT, 'examples', 'readme', 'main.ts'), '--format', 'json');
    const missing = (JSON.parse(v.stdout) as { findings: { rule: string; fix: string }[] }).findings.filter((f) => f.rule === 'schema-missing');
    expect(missing).toHaveLength(2);
    for (const f of missing) expect(f.fix).toContain('platform-cdk schemas fetch --from <folder of the CRD files>');
  });

  it('--from-cluster reads them with kubectl get crd -o yaml, keeps KubeSphere\'s, without what the server adds', () => {
    const p = project();
    const bin = fakeKubectl(CLUSTER_LIST);
    process.env.PATH = `${bin}${path.delimiter}${PATH}`;
    const r = cli('schemas', 'fetch', '--from-cluster', '--context', 'host');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(bin, 'args'), 'utf8')).toBe('get crd -o yaml --context host\n');
    const dir = path.join(p, '.platform-cdk', 'schemas', 'kubesphere-4.1');
    expect(fs.readdirSync(dir)).toEqual(['iam.kubesphere.io_groups.yaml']);
    const text = fs.readFileSync(path.join(dir, 'iam.kubesphere.io_groups.yaml'), 'utf8');
    expect(text).not.toMatch(/status|managedFields|resourceVersion|uid|last-applied/);
    expect(text).toContain('group: iam.kubesphere.io');
    expect(r.stderr).toContain('warning: they define no tenant.kubesphere.io/v1beta1 WorkspaceTemplate');
    expect(JSON.parse(fs.readFileSync(path.join(p, '.platform-cdk', 'schemas.json'), 'utf8'))).toEqual({ 'kubesphere-4.1': { folder: 'schemas/kubesphere-4.1', source: 'cluster', crds: 1 } });
  });

  it('a missing kubectl is one error line with the fix', () => {
    project();
    process.env.PATH = path.join(tmp, 'empty-path');
    expectUserError(cli('schemas', 'fetch', '--from-cluster'), 'kubectl was not found on PATH; --from-cluster reads the CRDs with `kubectl get crd -o yaml`. Fix: install kubectl with a kubeconfig that reaches the KubeSphere host cluster, or fetch from a folder with --from <folder>');
  });

  it('a failing kubectl is one error line with its cause', () => {
    project();
    process.env.PATH = `${fakeKubectl('', 'error: context "nope" does not exist')}${path.delimiter}${PATH}`;
    expectUserError(cli('schemas', 'fetch', '--from-cluster', '--context', 'nope'), '`kubectl get crd -o yaml --context nope` failed: error: context "nope" does not exist. Fix: check --context and that your kubeconfig reaches the KubeSphere host cluster (`kubectl get crd` must work)');
  });

  it('refuses a folder that is not there, a folder without KubeSphere CRDs, and neither or both sources', () => {
    const p = project();
    expectUserError(cli('schemas', 'fetch', '--from', 'nope'), `--from: ${path.join(p, 'nope')} is not a folder. Fix: pass the folder that holds the KubeSphere 4.1 CRD files, e.g. config/ks-core/charts/ks-crds/crds of a kubesphere checkout`);
    fs.mkdirSync(path.join(p, 'empty'));
    expectUserError(cli('schemas', 'fetch', '--from', 'empty'), 'no KubeSphere CRD (a CustomResourceDefinition of a kubesphere.io group) was found there. Fix: pass the CRD folder of a KubeSphere 4.1 release, e.g. config/ks-core/charts/ks-crds/crds of a kubesphere checkout');
    expectUserError(cli('schemas', 'fetch'), 'give either --from <folder> or --from-cluster (got neither). Fix: run `platform-cdk schemas fetch --from <folder>` or `platform-cdk schemas fetch --from-cluster [--context <context>]`');
    expectUserError(cli('schemas', 'fetch', '--from', 'empty', '--from-cluster'), 'give either --from <folder> or --from-cluster (got both). Fix: run `platform-cdk schemas fetch --from <folder>` or `platform-cdk schemas fetch --from-cluster [--context <context>]`');
    expect(fs.existsSync(path.join(p, '.platform-cdk'))).toBe(false);
  });
});

describe('platform-cdk schemas use', () => {
  it('records a shipped Kubernetes version, and refuses another', () => {
    const p = project();
    expect(cli('schemas', 'use', '--kubernetes', '1.27')).toEqual({ code: 0, stdout: 'platform-cdk: the checks use the Kubernetes 1.27 schemas (recorded in .platform-cdk/schemas.json)\n', stderr: '' });
    expectUserError(cli('schemas', 'use', '--kubernetes', '1.30'), 'the Kubernetes schema version "1.30" is not shipped (shipped: 1.27). Fix: choose one of 1.27');
    expect(JSON.parse(fs.readFileSync(path.join(p, '.platform-cdk', 'schemas.json'), 'utf8'))).toEqual({ kubernetes: '1.27' });
  });

  it('a broken settings file is one error line for status', () => {
    const p = project();
    fs.mkdirSync(path.join(p, '.platform-cdk'));
    fs.writeFileSync(path.join(p, '.platform-cdk', 'schemas.json'), '{"kubesphere-4.1": {"folder": "../../etc"}}');
    const r = cli('schemas', 'status');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^platform-cdk schemas: error: \.platform-cdk\/schemas\.json: kubesphere-4\.1 is .*; its folder must be a path inside \.platform-cdk\/\. Fix: run `platform-cdk schemas fetch` again\n$/);
  });
});
