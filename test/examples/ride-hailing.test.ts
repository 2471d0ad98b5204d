/**
 * examples/ride-hailing: synthesized, validated, counted and snapshotted by kind (see ./suite.ts); and
 * the parts of Case B it must keep showing (clusters, domains, rights per environment, 100+ services with calls
 * across domains, observability, a Pulumi stack file per stack), so that a change of the tables cannot lose them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AppService, ClusterRole, Department, Environment, LogFormat, PreviewEnvironment, stackNames } from 'platform-cdk';
import { describeExample, ROOT, synthesize } from './suite';

describeExample('ride-hailing', { snapshot: 'representatives', quickTier: [] });

describe('the ride-hailing estate (Case B)', () => {
  const { platform } = synthesize('ride-hailing');
  const environments = platform.environments.filter((e) => !PreviewEnvironment.isPreview(e));
  const services: AppService[] = platform.tenants.flatMap((t) => t.projects.flatMap((p) => p.services));
  const env = (name: string): Environment => environments.find((e) => e.name === name) as Environment;

  it('has a host in no environment, a member cluster for each of development, test, staging and production, and two partner clusters', () => {
    const host = platform.clusters.filter((c) => c.role === ClusterRole.HOST);
    expect(host.map((c) => c.name)).toEqual(['host']);
    expect(environments.flatMap((e) => e.clusters).map((c) => c.name)).not.toContain('host');
    expect(environments.map((e) => e.name)).toEqual(['development', 'test', 'staging', 'production', 'partner-aggregator', 'partner-corporate']);
    for (const e of environments) expect(e.clusters.length).toBe(1);
    const partners = platform.clusters.filter((c) => c.partner !== undefined);
    expect(partners.map((c) => [c.name, c.partner])).toEqual([['partner-agg-bj1', 'aggregators'], ['partner-corp-sh1', 'corporate-travel']]);
    for (const name of ['production', 'partner-aggregator', 'partner-corporate']) expect(env(name).production).toBe(true);
  });

  it('has the six business domains as tenants, each with departments whose project roles differ per environment', () => {
    expect(platform.tenants.map((t) => t.name)).toEqual(['passenger', 'driver', 'order', 'payment', 'marketing', 'risk']);
    for (const tenant of platform.tenants) {
      expect(tenant.departments.length).toBeGreaterThanOrEqual(7);
      const project = tenant.projects.find((p) => p.isPlacedIn(env('production'))) ?? tenant.projects[0];
      // What each department may do in one environment: its roles there, by department.
      const rights = (e: Environment): string[] =>
        project.grantsIn(e).filter((g) => Department.isDepartment(g.subject)).map((g) => `${g.subject.subjectName}=${g.role.name}`).sort();
      const placed = environments.filter((e) => project.isPlacedIn(e));
      expect(new Set(placed.map((e) => rights(e).join(','))).size).toBe(placed.length);
      // Developers operate development, and only see production.
      const developers = tenant.departments.filter((d) => d.parent?.name === 'rd');
      expect(developers.length).toBeGreaterThanOrEqual(2);
      for (const d of developers) {
        const roleIn = (e: Environment): string[] => project.grantsIn(e).filter((g) => g.subject.subjectName === d.subjectName).map((g) => g.role.name);
        if (project.isPlacedIn(env('production'))) expect(roleIn(env('production'))).toEqual(['viewer']);
        if (project.isPlacedIn(env('development'))) expect(roleIn(env('development'))).toEqual(['operator']);
      }
    }
  });

  it('places each domain\'s projects per environment, some only on the partner clusters', () => {
    const projects = platform.tenants.flatMap((t) => t.projects);
    expect(projects.length).toBeGreaterThanOrEqual(18);
    const placements = new Set(projects.map((p) => p.environments.map((e) => e.name).join(',')));
    expect(placements.size).toBeGreaterThanOrEqual(4);
    const enterprise = projects.find((p) => p.name === 'payment-enterprise');
    expect(enterprise?.environments.map((e) => e.name)).toEqual(['test', 'staging', 'partner-corporate']);
  });

  it('has at least 100 services, with calls across domains that each callee accepts', () => {
    expect(services.length).toBeGreaterThanOrEqual(100);
    const across = services.flatMap((s) => s.connections.filter((c) => AppService.isAppService(c.target) && c.target.project.tenant !== s.project.tenant).map((c) => [s, c.target as AppService] as const));
    expect(across.length).toBeGreaterThanOrEqual(15);
    for (const [caller, callee] of across) expect(callee.acceptedTenants).toContain(caller.project.tenant);
    // Every domain calls, or is called by, another.
    const involved = new Set(across.flatMap(([a, b]) => [a.project.tenant.name, b.project.tenant.name]));
    expect(involved.size).toBe(6);
  });

  it('wires metrics, alerts and JSON logs on every service, and a release pipeline', () => {
    for (const s of services) {
      expect([s.node.path, s.metrics !== undefined, s.alerts !== undefined, s.logs.format]).toEqual([s.node.path, true, true, LogFormat.JSON]);
    }
    const pipelines = platform.tenants.flatMap((t) => t.projects.flatMap((p) => p.pipelines));
    expect(pipelines.map((p) => p.service)).toEqual(services);
    expect(services.filter((s) => s.alerts?.errorRate !== undefined).length).toBeGreaterThanOrEqual(10);
  });

  it('keeps the two previews in development', () => {
    const previews = platform.environments.filter(PreviewEnvironment.isPreview);
    expect(previews.map((p) => [p.name, p.baseline?.name])).toEqual([
      ['pv-feature-rider-login', 'development'],
      ['pv-feature-surge-model', 'development'],
    ]);
  });

  it('has a Pulumi.<stack>.yaml for every stack of the program, and none for a stack it does not have', () => {
    const dir = path.join(ROOT, 'examples', 'ride-hailing');
    const files = fs.readdirSync(dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => f.slice('Pulumi.'.length, -'.yaml'.length)).sort();
    expect(files).toEqual([...stackNames(platform)].sort());
  });
});
