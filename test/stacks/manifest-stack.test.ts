import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import { ChecksFailed, ClusterRole, ManifestStack, OUTPUT_MARKER, Platform, ProjectRole, renderPlatform, SynthesisStopped, synthesizeApp, User, ValidationError } from 'platform-cdk';
import type { RenderedObject } from 'platform-cdk';
import { addService, fixture, readTree as snapshotTree } from '../fixture';

// Writing goes through a mock that calls the real fs, so that one test can make a write fail half-way.
jest.mock('fs', () => {
  const actual = jest.requireActual<typeof import('fs')>('fs');
  return { ...actual, writeFileSync: jest.fn(actual.writeFileSync) };
});

function tmpOut(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-stack-')), 'dist');
}

function validFixture(): ReturnType<typeof fixture> {
  const f = fixture();
  addService(f, 'web').expose();
  return f;
}

describe('ManifestStack', () => {
  it('writes one folder per cluster, cluster-scoped objects in 00-cluster.yaml and one file per namespace', () => {
    const outdir = tmpOut();
    const result = new ManifestStack(validFixture().platform, { outdir }).synth();
    expect(result.clusters.map((c) => [c.cluster, c.files])).toEqual([
      ['host', ['host/00-cluster.yaml', 'host/10-storefront.yaml']],
      ['member-test', ['member-test/00-cluster.yaml', 'member-test/10-storefront.yaml']],
    ]);
    expect(Object.keys(snapshotTree(outdir)).sort()).toEqual(['host/00-cluster.yaml', 'host/10-storefront.yaml', 'member-test/00-cluster.yaml', 'member-test/10-storefront.yaml']);
    // host: the member's Cluster, WorkspaceTemplate, Namespace, 7 baseline objects (quota, limits, 5 network
    // policies with the ACME solver's), ServiceAccount, Service, Deployment, PodDisruptionBudget (production), Certificate (production
    // TLS), Ingress; member-test: Namespace, 6 baseline objects, ServiceAccount, Service, Deployment, Ingress
    expect(result.objectCount).toBe(16 + 11);
  });

  it('orders cluster-scoped objects first (workspaces before their namespaces), and within a namespace quota, limits and policies before Services, Deployments and Ingresses', () => {
    const files = new ManifestStack(validFixture().platform).files();
    const kinds = (file: string): string[] => [...(files.get(file) ?? '').matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);
    expect(kinds('host/00-cluster.yaml')).toEqual(['Cluster', 'WorkspaceTemplate', 'Namespace']);
    expect(kinds('host/10-storefront.yaml')).toEqual([
      'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy',
      'ServiceAccount', 'Service', 'Deployment', 'PodDisruptionBudget', 'Certificate', 'Ingress',
    ]);
  });

  it('writes to $CDK8S_OUTDIR when no folder is given, as cdk8s synth expects', () => {
    const outdir = tmpOut();
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = outdir;
    try {
      expect(new ManifestStack(validFixture().platform).outdir).toBe(outdir);
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = before;
    }
    expect(new ManifestStack(validFixture().platform, { outdir: 'out' }).outdir).toBe(path.resolve('out'));
  });

  it('writes nothing when the model is invalid', () => {
    const outdir = tmpOut();
    const f = validFixture();
    addService(f, 'api', { ports: [{ port: 70000 }] });
    expect(() => new ManifestStack(f.platform, { outdir }).synth()).toThrow(ValidationError);
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual([]);
  });

  it('leaves an earlier output exactly as it was when a later synthesis is invalid', () => {
    const outdir = tmpOut();
    new ManifestStack(validFixture().platform, { outdir }).synth();
    const before = snapshotTree(outdir);
    const f = validFixture();
    f.platform.addEnvironment('staging', { clusters: [] });
    expect(() => new ManifestStack(f.platform, { outdir }).synth()).toThrow(/environment must span at least one cluster/);
    expect(snapshotTree(outdir)).toEqual(before);
  });

  it('leaves an earlier output exactly as it was when writing fails half-way, and cleans up after itself', () => {
    const outdir = tmpOut();
    new ManifestStack(validFixture().platform, { outdir }).synth();
    const before = snapshotTree(outdir);
    const f = validFixture();
    addService(f, 'api');
    const write = fs.writeFileSync as jest.MockedFunction<typeof fs.writeFileSync>;
    const real = jest.requireActual<typeof import('fs')>('fs').writeFileSync;
    let calls = 0;
    write.mockImplementation((...args: Parameters<typeof fs.writeFileSync>) => {
      if (++calls === 2) throw new Error('disk full');
      return real(...args);
    });
    try {
      expect(() => new ManifestStack(f.platform, { outdir }).synth()).toThrow('disk full');
    } finally {
      write.mockImplementation(real);
    }
    expect(calls).toBe(2);
    expect(snapshotTree(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });

  it('replaces the whole output, so a cluster removed from the model loses its folder', () => {
    const outdir = tmpOut();
    new ManifestStack(validFixture().platform, { outdir }).synth();
    fs.writeFileSync(path.join(outdir, 'host', 'stale.yaml'), 'kind: Stale\n');
    const smaller = new Platform('acme');
    const host = smaller.addCluster('host', { role: ClusterRole.HOST });
    smaller.addEnvironment('production', { clusters: [host] });
    const result = new ManifestStack(smaller, { outdir }).synth();
    expect(result.clusters.map((c) => c.cluster)).toEqual(['host']);
    expect(fs.readdirSync(outdir)).toEqual([OUTPUT_MARKER, 'host']);
    expect(fs.readdirSync(path.join(outdir, 'host'))).toEqual([]);
  });

  it('reports warnings without stopping', () => {
    const f = validFixture();
    f.platform.addTenant('empty', { manager: 'bob' });
    const result = new ManifestStack(f.platform, { outdir: tmpOut() }).synth();
    expect(result.warnings.map((w) => w.path)).toEqual(['acme/empty']);
  });

  it('writes the same files when it renders as it writes, from a render made before, and in files()', () => {
    const platform = validFixture().platform;
    const streamed = tmpOut();
    const fromRender = tmpOut();
    new ManifestStack(platform, { outdir: streamed }).synth();
    const stack = new ManifestStack(platform, { outdir: fromRender });
    stack.synth(stack.render());
    expect(snapshotTree(fromRender)).toEqual(snapshotTree(streamed));
    expect(Object.fromEntries([...stack.files()].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(snapshotTree(streamed));
  });

  it('without checks, writes each namespace as it is rendered: the same files, listed in the same order, as with them and in files()', () => {
    const platform = validFixture().platform;
    const checked = tmpOut();
    const unchecked = tmpOut();
    const a = new ManifestStack(platform, { outdir: checked }).synth();
    const b = new ManifestStack(platform, { outdir: unchecked, checks: false }).synth();
    expect(snapshotTree(unchecked)).toEqual(snapshotTree(checked));
    expect(b.files).toEqual(a.files);
    expect(b.clusters).toEqual(a.clusters);
    expect([...new ManifestStack(platform, { checks: false }).files().keys()]).toEqual(a.files);
  });

  it('reports every name collision of every cluster at once when it renders as it writes, and leaves an earlier output as it was', () => {
    const outdir = tmpOut();
    new ManifestStack(validFixture().platform, { outdir }).synth();
    const before = snapshotTree(outdir);
    const f = validFixture();
    f.project.grant(f.tenant.addDepartment('backend'), ProjectRole.VIEWER);
    f.project.grant(User.named('shop-backend'), ProjectRole.VIEWER);
    let error: unknown;
    try {
      new ManifestStack(f.platform, { outdir }).synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.message.split(',')[0])).toEqual(['on cluster host', 'on cluster member-test']);
    expect(snapshotTree(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });

  it('hands each cluster\'s objects to inspect before writing them, every cluster also outside the scope, and writes nothing once an inspection says no', () => {
    const outdir = tmpOut();
    new ManifestStack(validFixture().platform, { outdir }).synth();
    const before = snapshotTree(outdir);
    const platform = validFixture().platform;
    const seen: string[] = [];
    const count = (cluster: string, objects: readonly RenderedObject[]): boolean => {
      seen.push(`${cluster} ${objects.length}`);
      return true;
    };
    const result = new ManifestStack(platform, { outdir: tmpOut(), cluster: 'member-test', inspect: (c, objects) => count(c.name, objects) }).synth();
    expect(seen).toEqual(['host 16', 'member-test 11']);
    expect(result.clusters.map((c) => c.cluster)).toEqual(['member-test']);

    let error: unknown;
    try {
      new ManifestStack(platform, { outdir, inspect: (c) => c.name !== 'host' }).synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthesisStopped);
    expect((error as SynthesisStopped).clusters).toEqual(['host']);
    expect(snapshotTree(outdir)).toEqual(before);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(['dist']);
  });

  it('checks every object before writing by default, against more CRD folders when given crdDirs, and returns what the checks found', () => {
    const outdir = tmpOut();
    const result = new ManifestStack(validFixture().platform, { outdir }).synth();
    expect(result.checks?.objects).toBe(result.objectCount);
    expect(result.checks?.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // A CRD folder whose Cluster schema requires a field the output does not have: a schema error, nothing written.
    const crds = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-crds-'));
    fs.writeFileSync(
      path.join(crds, 'clusters.yaml'),
      ['apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: { name: clusters.cluster.kubesphere.io }', 'spec:', '  group: cluster.kubesphere.io', '  names: { kind: Cluster, plural: clusters }', '  scope: Cluster', '  versions:', '  - name: v1alpha1', '    served: true', '    storage: true', '    schema:', '      openAPIV3Schema: { type: object, required: [status], properties: { apiVersion: { type: string }, kind: { type: string }, metadata: { type: object }, spec: { type: object, x-kubernetes-preserve-unknown-fields: true }, status: { type: object } } }', ''].join('\n'),
    );
    const before = snapshotTree(outdir);
    let error: unknown;
    try {
      new ManifestStack(validFixture().platform, { outdir, crdDirs: [crds] }).synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChecksFailed);
    expect((error as ChecksFailed).result.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.object}`)).toEqual(['schema cluster.kubesphere.io/v1alpha1 Cluster member-test']);
    expect(snapshotTree(outdir)).toEqual(before);
    expect(new ManifestStack(validFixture().platform, { outdir, crdDirs: [crds], checks: false }).synth().checks).toBeUndefined();
  });

  it('writes a JSON patch added to a render when it is given that render', () => {
    const outdir = tmpOut();
    const stack = new ManifestStack(validFixture().platform, { outdir });
    const rendered = stack.render();
    rendered.clusters[0].objects.find((o) => o.kind === 'Deployment')?.addJsonPatch(JsonPatch.add('/spec/minReadySeconds', 10));
    stack.synth(rendered);
    expect(fs.readFileSync(path.join(outdir, 'host', '10-storefront.yaml'), 'utf8')).toContain('  minReadySeconds: 10\n');
  });

  it('keeps cdk8s escape hatches: a JSON patch on a rendered object is applied', () => {
    const rendered = renderPlatform(validFixture().platform);
    const deployment = rendered.clusters[0].objects.find((o) => o.kind === 'Deployment');
    expect(deployment).toBeDefined();
    deployment?.addJsonPatch(JsonPatch.add('/spec/minReadySeconds', 10));
    expect(deployment?.toJson().spec).toMatchObject({ minReadySeconds: 10, replicas: 2 });
  });
});

describe('synthesizeApp', () => {
  it('prints every problem and sets the exit code instead of throwing', () => {
    const f = validFixture();
    addService(f, 'api', { ports: [{ port: 0 }], image: f.registry.image('shop/api', 'latest') });
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    try {
      expect(synthesizeApp(f.platform, { outdir: tmpOut() })).toBeUndefined();
      expect(process.exitCode).toBe(1);
      const printed = err.mock.calls.map((c) => String(c[0])).join('');
      expect(printed).toContain('The platform model has 2 errors; nothing was written.');
      expect(printed).toContain('[acme/shop/storefront/api] image.tag: got "latest"');
      expect(printed).toContain('[acme/shop/storefront/api] ports[0].port: got 0');
    } finally {
      err.mockRestore();
      process.exitCode = before;
    }
  });
});

describe('ManifestStack and the installation files', () => {
  function installing(): ReturnType<typeof fixture> {
    const f = validFixture();
    (f.platform as { install?: object }).install = {};
    return f;
  }

  it('returns them from files() and writes them in the same atomic write, under _install/, not in a cluster folder', () => {
    const outdir = tmpOut();
    const stack = new ManifestStack(installing().platform, { outdir });
    const files = [...stack.files().keys()].filter((f) => f.startsWith('_install/'));
    const result = stack.synth();

    expect(files).toEqual(['_install/host/ks-core-values.yaml', '_install/host/extensions.yaml', '_install/member-test/ks-core-values.yaml']);
    expect(result.files).toEqual(expect.arrayContaining(files));
    expect(Object.keys(snapshotTree(outdir)).filter((f) => f.startsWith('_install/')).sort()).toEqual([...files].sort());
    expect(result.clusters.flatMap((c) => c.files).some((f) => f.includes('install'))).toBe(false);
  });

  it('writes those of the clusters in scope only (the host\'s InstallPlans with the host)', () => {
    const byCluster = [...new ManifestStack(installing().platform, { cluster: 'member-test' }).files().keys()].filter((f) => f.startsWith('_install/'));
    const byEnvironment = [...new ManifestStack(installing().platform, { environment: 'production' }).files().keys()].filter((f) => f.startsWith('_install/'));

    expect(byCluster).toEqual(['_install/member-test/ks-core-values.yaml']);
    expect(byEnvironment).toEqual(['_install/host/ks-core-values.yaml', '_install/host/extensions.yaml']);
  });

  it('writes none when the estate asks for no installation', () => {
    expect([...new ManifestStack(validFixture().platform).files().keys()].filter((f) => f.startsWith('_install/'))).toEqual([]);
  });
});
