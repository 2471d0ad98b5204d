/**
 * Previews, nested departments, self-provisioning, production environments of any name and external replica counts
 * round-trip through `platform-cdk import` (lib/import/previews.ts, departments.ts, environments.ts,
 * external-replicas.ts): small estates, synthesized, exported with the fields a server adds, imported and synthesized
 * again with no difference; hostile previews stay out of the typed program.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { ClusterRole, ManifestStack, Platform, PreviewDependencies, Registry, Replicas, User, WorkspaceRole } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { importEstate } from '../../../lib/import';
import { isPreviewNamespace } from '../../../lib/import/previews';
import { tiered } from '../../tier';
import { roundTrip, writeExport } from './roundtrip';

const harbor = Registry.at('harbor.example.com');

/** An estate with a development and a production environment, one tenant, its departments and two services. */
function estate(name = 'acme'): { platform: Platform; tenant: ReturnType<Platform['addTenant']>; team: ReturnType<ReturnType<Platform['addTenant']>['addDepartment']> } {
  const platform = new Platform(name);
  platform.addCluster('host', { role: ClusterRole.HOST });
  const dev = platform.addCluster('dev-1', { role: ClusterRole.MEMBER });
  const prod = platform.addCluster('prod-1', { role: ClusterRole.MEMBER });
  platform.addEnvironment('development', { clusters: [dev], domain: 'dev.example.com' });
  platform.addEnvironment('production', { clusters: [prod], production: true, domain: 'example.com' });
  const tenant = platform.addTenant('orders', { manager: 'alice' });
  const rd = tenant.addDepartment('rd', { displayName: 'R&D', members: ['alice'] });
  const team = rd.addDepartment('checkout', { displayName: 'Checkout team', members: ['bob', 'carol'] });
  tenant.grant(rd, WorkspaceRole.REGULAR);
  const project = tenant.addProject('orders', { environments: ['development', 'production'] });
  const api = project.addService('api', { image: harbor.image('orders/api', '1.2.3'), runAsUser: 1000, ports: [{ port: 8080 }] });
  project.addService('ledger', { image: harbor.image('orders/ledger', '2.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] });
  api.expose({ subdomain: 'shop' });
  return { platform, tenant, team };
}

/** The objects of a synthesized platform, exported as a server gives them back, in a folder. */
function exported(platform: Platform): string {
  return writeExport(new ManifestStack(platform).files());
}

describe('previews', () => {
  test('a preview owned by a department inside another, with a tag, configuration and its own host, round-trips as platform.addPreview', () => {
    const { platform, team } = estate();
    platform.addPreview('feature/login', {
      baseline: 'development',
      owner: team,
      expires: '2099-12-31',
      services: { api: { tag: 'sha-4f2a91c', config: { values: { LOGIN_FLOW: "it's \"v2\"\nnext" } } } },
    });
    const r = roundTrip(platform, 'preview-department');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    const p = r.imported.program;
    expect(p).toContain("platform.addPreview('feature/login', {");
    expect(p).toContain("owner: checkout,");
    expect(p).toContain(`services: { api: { tag: 'sha-4f2a91c', config: { values: { LOGIN_FLOW: 'it\\'s "v2"\\nnext' } } } },`);
    expect(p).toContain("const checkout = rd.addDepartment('checkout'");
    // No environment of its own: the preview is derived from its baseline.
    expect(p).not.toContain("addEnvironment('pv-");
    expect(r.imported.report.filter((e) => e.object.includes('-pv-feature-login')).every((e) => e.outcome === 'typed' || e.outcome === 'generated')).toBe(true);
    expect(r.imported.summary.hatch).toBe(0);
  });

  test('a preview owned by a user, with its replicas and quota, whose branch needs quoting, round-trips', () => {
    const { platform } = estate();
    platform.addPreview("fix/O'Brien's-cart_\"v2\"", {
      baseline: 'development',
      owner: User.named('dave'),
      expires: '2099-01-31',
      replicas: 2,
      quota: { cpuRequestMillis: 1000, cpuLimitMillis: 2000, memoryRequestMiB: 1024, memoryLimitMiB: 2048, pods: 10 },
      services: { 'orders/ledger': { tag: 'pr-17' } },
    });
    const r = roundTrip(platform, 'preview-user');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    const p = r.imported.program;
    expect(p).toContain(`platform.addPreview('fix/O\\'Brien\\'s-cart_"v2"', {`);
    expect(p).toContain("owner: User.named('dave'),");
    expect(p).toContain('replicas: 2,');
    expect(p).toContain('quota: { cpuRequestMillis: 1000, cpuLimitMillis: 2000, memoryRequestMiB: 1024, memoryLimitMiB: 2048, pods: 10 },');
    expect(r.imported.summary.hatch).toBe(0);
  });

  test('a preview that also runs services it does not change is written with PreviewDependencies.CLONE', () => {
    const { platform } = estate();
    const project = platform.tenants[0].projects[0];
    project.services.find((s) => s.name === 'api')!.connectsTo(project.services.find((s) => s.name === 'ledger')!);
    platform.addPreview('feature/clone', { baseline: 'development', owner: User.named('dave'), expires: '2099-01-31', dependencies: PreviewDependencies.CLONE, services: { api: { tag: 'sha-1' } } });
    const dir = exported(platform);
    try {
      const p = importEstate(dir, { platform: 'acme' }).program;
      expect(p).toContain('dependencies: PreviewDependencies.CLONE,');
      expect(p).toContain("services: { api: { tag: 'sha-1' } },");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hostile previews stay out of the typed program: no owner, a secret in its configuration, a branch that does not give its name', () => {
    const { platform } = estate();
    platform.addPreview('feature/x', { baseline: 'development', owner: User.named('dave'), expires: '2099-01-31', services: { api: { tag: 'sha-1' } } });
    const dir = exported(platform);
    try {
      const file = path.join(dir, 'dev-1', '00-cluster.yaml');
      const list = JSON.parse(fs.readFileSync(file, 'utf8')) as { items: { kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } }[] };
      const ns = list.items.find((o) => o.kind === 'Namespace' && o.metadata.name === 'orders-pv-feature-x')!;
      expect(isPreviewNamespace(ns as never)).toBe(true);
      // A branch that does not give the namespace's name: the program would write other namespaces.
      ns.metadata.annotations = { ...ns.metadata.annotations, 'platform-cdk.io/preview-branch': "feature/other'); process.exit(1); ('" };
      fs.writeFileSync(file, JSON.stringify(list));
      let r = importEstate(dir, { platform: 'acme' });
      expect(r.program).not.toContain('platform.addPreview');
      expect(r.program).not.toContain("addEnvironment('pv-");
      expect(r.report.filter((e) => e.object.includes('orders-pv-feature-x')).every((e) => e.outcome === 'hatch')).toBe(true);

      // A credential in the preview's configuration is never written as a typed value.
      ns.metadata.annotations = { ...ns.metadata.annotations, 'platform-cdk.io/preview-branch': 'feature/x' };
      fs.writeFileSync(file, JSON.stringify(list));
      const ws = path.join(dir, 'dev-1', '10-orders-pv-feature-x.yaml');
      const objects = JSON.parse(fs.readFileSync(ws, 'utf8')) as { items: Record<string, unknown>[] };
      objects.items.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-config', namespace: 'orders-pv-feature-x' }, data: { DB_PASSWORD: 's3cr3t-Hunter2!' } });
      const d = objects.items.find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { containers: { env?: unknown[] }[] } } } };
      d.spec.template.spec.containers[0].env = [...(d.spec.template.spec.containers[0].env ?? []), { name: 'DB_PASSWORD', valueFrom: { configMapKeyRef: { name: 'api-config', key: 'DB_PASSWORD' } } }];
      fs.writeFileSync(ws, JSON.stringify(objects));
      r = importEstate(dir, { platform: 'acme' });
      expect(r.program).not.toContain('platform.addPreview');

      // No owner: nothing says who owns it.
      delete ns.metadata.labels!['platform-cdk.io/preview-owner'];
      fs.writeFileSync(file, JSON.stringify(list));
      r = importEstate(dir, { platform: 'acme' });
      expect(r.program).not.toContain('platform.addPreview');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('whatever preview of a generated branch, tag, configuration and replicas round-trips', () => {
    const branch = fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9'_"-]{0,9}$/), { minLength: 1, maxLength: 3 }).map((a) => a.join('/'));
    const tag = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/).filter((t) => t !== 'latest' && t !== '1.2.3');
    const value = fc.stringMatching(/^[A-Za-z0-9 ,.'"\\:-]{1,20}$/);
    let run = 0;
    fc.assert(
      fc.property(branch, tag, fc.option(value, { nil: undefined }), fc.integer({ min: 1, max: 3 }), (b, t, v, replicas) => {
        const { platform, team } = estate();
        platform.addPreview(b, { baseline: 'development', owner: team, expires: '2099-12-31', replicas, services: { api: { tag: t, ...(v !== undefined ? { config: { values: { FLAG: v } } } : {}) } } });
        const r = roundTrip(platform, `preview-property-${++run}`);
        expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
        expect(r.imported.summary.hatch).toBe(0);
      }),
      { seed: 20261206, numRuns: tiered(3, 15) },
    );
  });
});

describe('departments, self-provisioning, production environments, external replicas', () => {
  test('self-provisioning of a department inside another round-trips as allowSelfProvisioning', () => {
    const { platform, tenant, team } = estate();
    tenant.grant(team, WorkspaceRole.REGULAR);
    tenant.allowSelfProvisioning(team, ['development']);
    tenant.allowSelfProvisioning(User.named('erin'), ['development']);
    const r = roundTrip(platform, 'self-provisioning');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.program).toContain("ordersTenant.allowSelfProvisioning(checkout, ['development'])");
    expect(r.imported.program).toContain("ordersTenant.allowSelfProvisioning(User.named('erin'), ['development'])");
    expect(r.imported.summary.hatch).toBe(0);
  });

  test('a production environment of another name (a partner cluster) and replicas set outside the model round-trip', () => {
    const platform = new Platform('acme');
    platform.addCluster('host', { role: ClusterRole.HOST });
    const partner = platform.addCluster('partner-1', { role: ClusterRole.MEMBER });
    const test = platform.addCluster('test-1', { role: ClusterRole.MEMBER });
    platform.addEnvironment('test', { clusters: [test] });
    platform.addEnvironment('partner-acme', { clusters: [partner], production: true });
    const project = platform.addTenant('orders', { manager: 'alice' }).addProject('orders', { environments: ['test', 'partner-acme'] });
    for (const name of ['api', 'worker']) {
      project.addService(name, {
        image: harbor.image(`orders/${name}`, '1.0.0'),
        runAsUser: 1000,
        ports: [{ port: 8080 }],
        perEnvironment: { 'partner-acme': { replicas: Replicas.external({ min: 3, max: name === 'api' ? 9 : undefined, owner: "the partner's \"scaler\"" }) } },
      });
    }
    const r = roundTrip(platform, 'partner');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.program).toContain("production: true");
    expect(r.imported.program).toContain(`replicas: Replicas.external({ min: 3, max: 9, owner: 'the partner\\'s "scaler"' })`);
    expect(r.imported.program).toContain(`replicas: Replicas.external({ min: 3, owner: 'the partner\\'s "scaler"' })`);
  });
});
