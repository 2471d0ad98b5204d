/**
 * Small estates round-trip through `platform-cdk import` (the quick tier): synthesized, exported with the fields a
 * server adds, imported and synthesized again, `diff --live` sees no difference.
 */
import { ClusterRole, Platform, Registry, SecretStore, WorkspaceRole } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { roundTrip } from './roundtrip';

test('departments, their members and workspace grants round-trip', () => {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member-1', { role: ClusterRole.MEMBER, labels: { region: 'eu-2' } });
  const test = platform.addEnvironment('test', { clusters: [member] });
  const production = platform.addEnvironment('production', { clusters: [host], production: true });
  const tenant = platform.addTenant('orders', { manager: 'alice', displayName: 'Orders' });
  const developers = tenant.addDepartment('developers', { displayName: 'Developers', members: ['bob', 'carol'] });
  tenant.grant(developers, WorkspaceRole.REGULAR);
  const project = tenant.addProject('orders', { environments: [test, production] });
  project.addService('api', {
    image: Registry.at('harbor.example.com').image('orders/api', '1.2.3'),
    runAsUser: 1000,
    ports: [{ port: 8080 }],
    env: { MODE: 'test' },
    perEnvironment: { production: { env: { MODE: 'live' }, replicas: 4 } },
  });
  const r = roundTrip(platform, 'departments');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  expect(r.imported.program).toContain("ordersTenant.addDepartment('developers', { displayName: 'Developers', members: ['bob', 'carol'] })");
  expect(r.imported.program).toContain('ordersTenant.grant(developers, WorkspaceRole.REGULAR)');
  expect(r.imported.summary.hatch).toBe(0);
});

test('secrets from an external store round-trip as store references, with the ExternalSecret written by default', () => {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const production = platform.addEnvironment('production', { clusters: [host], production: true });
  const project = platform.addTenant('orders', { manager: 'alice' }).addProject('orders', { environments: [production] });
  const vault = SecretStore.cluster('vault');
  project.addService('api', {
    image: Registry.at('harbor.example.com').image('orders/api', '1.2.3'),
    runAsUser: 1000,
    ports: [{ port: 8080 }],
    secrets: { DB_PASSWORD: vault.key('orders/db', { property: 'password' }), API_TOKEN: vault.key('orders/token') },
  });
  const r = roundTrip(platform, 'store');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  expect(r.imported.program).toContain("const vault = SecretStore.cluster('vault');");
  expect(r.imported.program).toContain("DB_PASSWORD: vault.key('orders/db', { property: 'password' })");
  expect(r.imported.report.find((e) => e.object.startsWith('ExternalSecret'))?.outcome).toBe('generated');
});
