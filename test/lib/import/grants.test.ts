/**
 * Project grants and per-environment quotas in `platform-cdk import`: the RoleBindings of projects back to tenant and
 * project grants (custom roles too), a custom workspace role's grant, and a project's quota per environment; what
 * the library would not write again stays an escape hatch.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { ClusterRole, ManifestStack, Platform, ProjectRole, Registry, User, WorkspaceRole } from 'platform-cdk';
import type { Tenant } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { importEstate } from '../../../lib/import';
import { readLimits } from '../../../lib/import/limits';
import { splitQuotas } from '../../../lib/import/quotas';
import { importChanged, roundTrip, writeExport } from './roundtrip';

const SEED = 22;
const harbor = Registry.at('harbor.example.com');

/** Two clusters, test and production, one tenant with two departments and the given projects. */
function estate(projects: readonly string[] = ['orders', 'payments']): { platform: Platform; tenant: Tenant } {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member', { role: ClusterRole.MEMBER });
  platform.addEnvironment('test', { clusters: [member] });
  platform.addEnvironment('production', { clusters: [host], production: true });
  const tenant = platform.addTenant('shop', { manager: 'alice' });
  for (const d of ['developers', 'ops']) tenant.grant(tenant.addDepartment(d, { members: [`${d}-lead`] }), WorkspaceRole.REGULAR);
  for (const p of projects) {
    tenant.addProject(p, { environments: ['test', 'production'] }).addService('api', { image: harbor.image(`${p}/api`, '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] });
  }
  return { platform, tenant };
}

describe('project grants', () => {
  test('grants every project has become the tenant\'s, the others the project\'s, each in its environments', () => {
    const { platform, tenant } = estate();
    const [developers, ops] = tenant.departments;
    tenant.grantInProjects(developers, ProjectRole.OPERATOR, { environments: ['test'] });
    tenant.grantInProjects(developers, ProjectRole.VIEWER, { environments: ['production'] });
    tenant.grantInProjects(ops, ProjectRole.ADMIN);
    tenant.projects[1].grant(User.named('o.brien'), ProjectRole.VIEWER, { environments: ['production'] });
    const r = roundTrip(platform, 'grants');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.summary.hatch).toBe(0);
    expect(r.imported.program).toContain("shop.grantInProjects(developers, ProjectRole.OPERATOR, { environments: ['test'] })");
    expect(r.imported.program).toContain("shop.grantInProjects(developers, ProjectRole.VIEWER, { environments: ['production'] })");
    expect(r.imported.program).toContain('shop.grantInProjects(ops, ProjectRole.ADMIN)');
    expect(r.imported.program).toContain("payments.grant(User.named('o.brien'), ProjectRole.VIEWER, { environments: ['production'] })");
  });

  test('a custom project role comes back with its templates, and a custom workspace role with its grant', () => {
    const { platform, tenant } = estate(['orders']);
    const logs = ProjectRole.custom('log-reader', { templates: ['namespace-view-app-workloads'] });
    tenant.projects[0].grant(tenant.departments[0], logs, { environments: ['production'] });
    tenant.grant(User.named('auditor'), WorkspaceRole.custom('auditor', { templates: ['workspace-view-projects', 'workspace-view-members'] }));
    const r = roundTrip(platform, 'custom-roles');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.summary.hatch).toBe(0);
    expect(r.imported.program).toContain("orders.grant(developers, ProjectRole.custom('log-reader', { templates: ['namespace-view-app-workloads'] }), { environments: ['production'] })");
    expect(r.imported.program).toContain("shop.grant(User.named('auditor'), WorkspaceRole.custom('auditor', { templates: ['workspace-view-projects', 'workspace-view-members'] }))");
    expect(r.imported.report.filter((e) => e.object.startsWith('Role ')).map((e) => e.outcome)).toEqual(['generated']);
  });

  test('a department\'s custom workspace role comes back, beside a user of the same name with a built-in role', () => {
    const { platform, tenant } = estate(['orders']);
    const sre = tenant.addDepartment('sre', { displayName: 'Shop SRE', members: ['deng.kai'] });
    tenant.grant(sre, WorkspaceRole.custom('sre', { templates: ['workspace-view-projects', 'workspace-view-members'] }));
    tenant.grant(User.named('sre'), WorkspaceRole.VIEWER);
    const r = roundTrip(platform, 'custom-workspace-department');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.summary.hatch).toBe(0);
    expect(r.imported.program).toContain("shop.grant(sre, WorkspaceRole.custom('sre', { templates: ['workspace-view-projects', 'workspace-view-members'] }))");
  });

  test('bindings the library would not write again stay escape hatches: a label of their own, two subjects, another name, an unknown group', () => {
    const { platform, tenant } = estate(['orders']);
    tenant.grantInProjects(tenant.departments[0], ProjectRole.OPERATOR);
    tenant.grantInProjects(tenant.departments[1], ProjectRole.VIEWER);
    tenant.grantInProjects(User.named('carol'), ProjectRole.ADMIN);
    tenant.grantInProjects(User.named('dave'), ProjectRole.VIEWER);
    const r = importChanged(platform, (o) => {
      const m = o.metadata as { name: string; namespace?: string; labels?: Record<string, string> };
      if (o.kind !== 'RoleBinding' || m.namespace !== 'orders') return;
      if (m.name === 'shop-developers-operator') m.labels = { ...m.labels, team: "x'); process.exit(1); ('" };
      if (m.name === 'shop-ops-viewer') (o.subjects as unknown[]).push({ kind: 'User', apiGroup: 'iam.kubesphere.io', name: 'eve' });
      if (m.name === 'carol-admin') m.name = 'carol-is-admin';
      if (m.name === 'dave-viewer') Object.assign(o, { subjects: [{ kind: 'Group', apiGroup: 'iam.kubesphere.io', name: 'shop-nobody' }] });
    });
    for (const name of ['shop-developers-operator', 'shop-ops-viewer', 'carol-is-admin', 'dave-viewer']) {
      expect(r.report.filter((e) => e.object === `RoleBinding orders/${name}`).map((e) => e.outcome)).toEqual(['hatch', 'hatch']);
    }
    expect(r.program).not.toContain('grantInProjects');
    expect(r.program).not.toMatch(/\.grant\([^)]*ProjectRole/);
  });

  test('two roles for one subject in one namespace stay as they are (the model gives one role per subject)', () => {
    const { platform, tenant } = estate(['orders']);
    tenant.grantInProjects(User.named('carol'), ProjectRole.ADMIN);
    const dir = writeExport(new ManifestStack(platform).files());
    try {
      const file = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).find((f) => f.startsWith('host') && f.endsWith('.yaml') && fs.readFileSync(path.join(dir, f), 'utf8').includes('carol-admin'))!;
      const list = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { items: Record<string, unknown>[] };
      const first = list.items.find((o) => o.kind === 'RoleBinding' && (o.metadata as { name: string }).name === 'carol-admin')!;
      list.items.push({ ...first, metadata: { ...(first.metadata as object), name: 'carol-operator' }, roleRef: { apiGroup: 'iam.kubesphere.io', kind: 'Role', name: 'operator' } });
      fs.writeFileSync(path.join(dir, file), JSON.stringify(list));
      const again = importEstate(dir, { platform: 'acme' });
      expect(again.report.filter((e) => /RoleBinding orders\/carol-(admin|operator)/.test(e.object) && e.cluster === 'host').map((e) => e.outcome)).toEqual(['hatch', 'hatch']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('whatever grants an estate gives, they round-trip', () => {
    const roles = [undefined, ProjectRole.ADMIN, ProjectRole.OPERATOR, ProjectRole.VIEWER];
    // For each (subject, project, environment): no role, or one of the built-in roles.
    const plan = fc.array(fc.nat({ max: 3 }), { minLength: 12, maxLength: 12 });
    // Each run loads its program under a name of its own (a loaded module is cached by its file name).
    let run = 0;
    fc.assert(
      fc.property(plan, (cells) => {
        const { platform, tenant } = estate();
        const subjects = [tenant.departments[0], tenant.departments[1], User.named('zoe')];
        let i = 0;
        for (const s of subjects) {
          for (const p of tenant.projects) {
            for (const env of ['test', 'production']) {
              const role = roles[cells[i++]];
              if (role) p.grant(s, role, { environments: [env] });
            }
          }
        }
        const r = roundTrip(platform, `grants-property-${run++}`);
        expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
        expect(r.imported.summary.hatch).toBe(0);
      }),
      { seed: SEED, numRuns: 5 },
    );
  });
});

describe('workspace grants', () => {
  test('whatever workspace roles users and departments of the same names have, built-in or custom, they round-trip', () => {
    const names = ['sre', 'audit'];
    const custom = WorkspaceRole.custom('sre', { templates: ['workspace-view-projects', 'workspace-view-members'] });
    const roles = [undefined, WorkspaceRole.VIEWER, WorkspaceRole.REGULAR, custom];
    // For each name: the department's role and the user's role (or none).
    const plan = fc.array(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 })), { minLength: names.length, maxLength: names.length });
    let run = 0;
    fc.assert(
      fc.property(plan, (cells) => {
        const { platform, tenant } = estate(['orders']);
        names.forEach((name, i) => {
          const [d, u] = cells[i];
          if (roles[d]) tenant.grant(tenant.addDepartment(name, { members: ['deng.kai'] }), roles[d]!);
          if (roles[u]) tenant.grant(User.named(name), roles[u]!);
        });
        const r = roundTrip(platform, `workspace-grants-property-${run++}`);
        expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
        expect(r.imported.summary.hatch).toBe(0);
      }),
      { seed: SEED, numRuns: 6 },
    );
  });
});

describe('project quotas per environment', () => {
  test('a quota that differs between environments comes back per environment, the shared values once', () => {
    const { platform, tenant } = estate(['orders']);
    const orders = tenant.projects[0];
    orders.quotaIn('test', { cpuRequestMillis: 2000, pods: 20, memoryLimitMiB: 32768 });
    orders.quotaIn('production', { cpuRequestMillis: 6000, pods: 60, memoryLimitMiB: 32768 });
    const r = roundTrip(platform, 'quotas');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.program).toContain('quota: { memoryLimitMiB: 32768 }');
    expect(r.imported.program).toContain("orders.quotaIn('test', { cpuRequestMillis: 2000, pods: 20 })");
    expect(r.imported.program).toContain("orders.quotaIn('production', { cpuRequestMillis: 6000, pods: 60 })");
  });

  test('splitting quotas keeps every environment\'s quota as it was', () => {
    const defaults = { cpuRequestMillis: 4000, cpuLimitMillis: 8000, memoryRequestMiB: 8192, memoryLimitMiB: 16384, pods: 50 };
    const envs = ['dev', 'test', 'production'];
    const quota = fc.record({ cpuRequestMillis: fc.constantFrom(4000, 1000, 9000), pods: fc.constantFrom(50, 10, 70) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.tuple(quota, quota, quota), (qs) => {
        const given = Object.fromEntries(envs.map((e, i) => [e, Object.fromEntries(Object.entries(qs[i]).filter(([k, v]) => v !== defaults[k as keyof typeof defaults]))]).filter(([, q]) => Object.keys(q).length > 0));
        const s = splitQuotas(envs, given, defaults);
        for (const env of envs) expect({ ...defaults, ...s.quota, ...s.perEnvironment[env] }).toEqual({ ...defaults, ...given[env] });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('limit ranges', () => {
  test('an environment\'s container defaults come back from its projects\' LimitRanges, and services keep what they run with', () => {
    const platform = new Platform('acme');
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    const member = platform.addCluster('member', { role: ClusterRole.MEMBER });
    platform.addEnvironment('test', { clusters: [member], resources: { cpuLimitMillis: 250, memoryLimitMiB: 192 } });
    platform.addEnvironment('production', { clusters: [host], production: true });
    const tenant = platform.addTenant('shop', { manager: 'alice' });
    for (const p of ['orders', 'payments']) {
      const project = tenant.addProject(p, { environments: ['test', 'production'] });
      project.addService('api', { image: harbor.image(`${p}/api`, '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] });
      project.addService('worker', { image: harbor.image(`${p}/worker`, '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }], resources: { cpuLimitMillis: 500 } });
    }
    const r = roundTrip(platform, 'limits');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.program).toContain('resources: { cpuLimitMillis: 250, memoryLimitMiB: 192 }');
  });

  test('a LimitRange the library does not write gives no defaults', () => {
    const lr = (limits: unknown[]): never => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'project-limits' }, spec: { limits } }) as never;
    const container = { type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { cpu: '1', memory: '1Gi' } };
    expect(readLimits(lr([container]))).toEqual({ cpuRequestMillis: 100, cpuLimitMillis: 1000, memoryRequestMiB: 128, memoryLimitMiB: 1024 });
    expect(readLimits(lr([{ ...container, max: { cpu: '2' } }]))).toBeUndefined();
    expect(readLimits(lr([container, { type: 'Pod' }]))).toBeUndefined();
    expect(readLimits(lr([{ ...container, default: { cpu: "1'); process.exit(1); ('" } }]))).toBeUndefined();
  });
});
