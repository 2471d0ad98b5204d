/**
 * Preview environments as a model: the branch as a DNS label (`previewSlug`), what a preview is made of (baseline,
 * owner, expiry, the services it runs), where it sits among the environments, the settings, quotas and grants of
 * its namespaces, and every bad input reported at once with the construct path, the value and a fix.
 */
import fc from 'fast-check';
import { ClusterRole, DepartmentRef, Engine, formatProblem, Platform, PreviewDependencies, PreviewEnvironment, previewSlug, ProjectRole, User, validatePlatform } from 'platform-cdk';
import type { Problem } from 'platform-cdk';
import { addService, fixture, Fixture, lineFor, validationErrors } from '../fixture';

const TODAY = '2026-11-22';
const SAVED_NOW = process.env.PLATFORM_CDK_NOW;
beforeEach(() => {
  process.env.PLATFORM_CDK_NOW = TODAY;
});
afterAll(() => {
  if (SAVED_NOW === undefined) delete process.env.PLATFORM_CDK_NOW;
  else process.env.PLATFORM_CDK_NOW = SAVED_NOW;
});

/** A DNS-1123 label (what a namespace suffix and an environment name must be). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The fixture with a department `developers`, a project `orders` (test, production) and services api → orders-api. */
function estate(): Fixture & { developers: ReturnType<Fixture['tenant']['addDepartment']> } {
  const f = fixture();
  const developers = f.tenant.addDepartment('developers', { members: ['bob'] });
  const orders = f.tenant.addProject('orders', { environments: [f.test, f.production] });
  const ordersApi = orders.addService('orders-api', { image: f.registry.image('shop/orders-api', '1.0.0'), ports: [{ port: 8080 }] });
  addService(f, 'api').connectsTo(ordersApi);
  addService(f, 'web');
  return { ...f, developers };
}

/** Every problem as one formatted line (warnings start with `warning: `). */
function problemLines(platform: Platform): string[] {
  return validatePlatform(platform).map(formatProblem);
}

/** The one warning about a construct path and property. */
function warningFor(platform: Platform, path: string, property: string): Problem {
  const found = validatePlatform(platform).filter((p) => p.severity === 'warning' && p.path === path && p.property === property);
  if (found.length !== 1) throw new Error(`expected one warning for [${path}] ${property}; problems:\n${problemLines(platform).join('\n')}`);
  return found[0];
}

describe('previewSlug', () => {
  it('lowercases a branch and turns slashes and other runs of characters into one "-"', () => {
    expect(previewSlug('feature/Login-Page')).toBe('feature-login-page');
    expect(previewSlug('Feature//LOGIN__v2.1')).toBe('feature-login-v2-1');
    expect(previewSlug('/fix/')).toBe('fix');
  });

  it('keeps a branch of exactly 20 characters as it is, and cuts a longer one to 20 ending in 6 hex digits of its hash', () => {
    expect(previewSlug('feature/abcdefghijkl')).toBe('feature-abcdefghijkl');

    const slug = previewSlug('feature/a-very-long-branch-name-that-goes-on');

    expect(slug).toMatch(/^feature-a-ver-[0-9a-f]{6}$/);
    expect(slug.length).toBeLessThanOrEqual(20);
    expect(previewSlug('feature/a-very-long-branch-name-that-goes-on')).toBe(slug);
  });

  it('names a branch with no letter or digit by its hash alone, still a DNS label', () => {
    expect(previewSlug('///')).toMatch(/^[0-9a-f]{6}$/);
    expect(previewSlug('')).toMatch(/^[0-9a-f]{6}$/);
  });

  it('makes every branch a DNS label of at most 20 characters, and different long branches different slugs', () => {
    const branchChar = fc.constantFrom(...'abcXYZ019/_.-#ü '.split(''));
    const branch = fc.string({ unit: branchChar, maxLength: 80 });
    fc.assert(
      fc.property(branch, (b) => {
        const slug = previewSlug(b);
        expect(slug).toMatch(DNS_LABEL);
        expect(slug.length).toBeGreaterThan(0);
        expect(slug.length).toBeLessThanOrEqual(20);
        // `<project>-pv-<slug>` stays a namespace for a project name of up to 38 characters.
        expect(`${'p'.repeat(38)}-pv-${slug}`.length).toBeLessThanOrEqual(63);
      }),
    );
    const long = fc.string({ unit: branchChar, minLength: 21, maxLength: 80 }).filter((b) => b.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').length > 20);
    fc.assert(
      fc.property(long, long, (a, b) => {
        fc.pre(a !== b);
        return previewSlug(a) !== previewSlug(b);
      }),
    );
  });
});

describe('PreviewEnvironment', () => {
  it('is an environment pv-<slug> on the baseline\'s first cluster, with namespaces -pv-<slug>, 1 replica and the baseline\'s domain under its slug', () => {
    const f = estate();
    const p = f.platform.addPreview('feature/Login', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: { tag: 'sha-1' } } });

    expect(PreviewEnvironment.isPreview(p)).toBe(true);
    expect(PreviewEnvironment.isPreview(f.test)).toBe(false);
    expect(p.name).toBe('pv-feature-login');
    expect(p.slug).toBe('feature-login');
    expect(p.branch).toBe('feature/Login');
    expect(p.node.path).toBe('acme/Environments/pv-feature-login');
    expect(p.namespaceSuffix).toBe('-pv-feature-login');
    expect(p.clusters).toEqual([f.member]);
    expect(p.domain).toBe('feature-login.test.example.com');
    expect(p.replicas).toBe(1);
    expect(p.production).toBe(false);
    expect(p.baseline).toBe(f.test);
    expect(p.dependencies).toBe(PreviewDependencies.BASELINE);
    expect(p.source).toEqual({ kind: 'code' });
    expect(validatePlatform(f.platform)).toEqual([]);
  });

  it('takes its baseline as an environment or by name, and replicas and a cluster of the baseline when given', () => {
    const f = estate();
    const second = f.platform.addCluster('member-dev', { role: ClusterRole.MEMBER });
    f.test.addCluster(second);
    const a = f.platform.addPreview('a', { baseline: f.test, owner: f.developers, expires: '2026-12-15', services: { api: {} } });
    const b = f.platform.addPreview('b', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} }, cluster: 'member-dev', replicas: 2 });

    expect(a.baseline).toBe(f.test);
    expect(b.baseline).toBe(f.test);
    expect(b.clusters).toEqual([second]);
    expect(b.replicas).toBe(2);
  });

  it('runs the services it overrides, named as <tenant>/<project>/<service>, <project>/<service> or <service>', () => {
    const f = estate();
    const p = f.platform.addPreview('x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { 'shop/storefront/api': {}, 'orders/orders-api': {}, web: { tag: 'sha-9' } } });

    expect(p.services.map((s) => s.releaseKey).sort()).toEqual(['shop/orders/orders-api', 'shop/storefront/api', 'shop/storefront/web']);
    expect(p.projects.map((x) => x.name).sort()).toEqual(['orders', 'storefront']);
    expect([...p.overridden.values()]).toContainEqual({ tag: 'sha-9' });
  });

  it('with BASELINE dependencies runs only what it overrides; with CLONE also the app services those call in their tenant, recursively', () => {
    const f = estate();
    const orders = f.tenant.projects.find((x) => x.name === 'orders')!;
    const ordersApi = orders.services[0];
    const ledger = orders.addService('ledger', { image: f.registry.image('shop/ledger', '1.0.0'), ports: [{ port: 8080 }] });
    ordersApi.connectsTo(ledger);
    const other = f.platform.addTenant('billing', { manager: 'dora' }).addProject('invoices', { environments: [f.test] });
    const invoices = other.addService('invoices', { image: f.registry.image('billing/invoices', '1.0.0'), ports: [{ port: 8080 }] });
    invoices.acceptFrom(f.tenant);
    ledger.connectsTo(invoices);

    const baseline = f.platform.addPreview('base', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });
    const clone = f.platform.addPreview('clone', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} }, dependencies: PreviewDependencies.CLONE });

    expect(baseline.services.map((s) => s.name)).toEqual(['api']);
    // The other tenant's service is never cloned: the preview reaches the baseline's.
    expect(clone.services.map((s) => s.name).sort()).toEqual(['api', 'ledger', 'orders-api']);
    expect(clone.runs(ledger)).toBe(true);
    expect(clone.runs(invoices)).toBe(false);
  });

  it('is among the platform\'s environments and in the projects (and services) it runs, after the baseline environments, until it expires', () => {
    const f = estate();
    const [api, web] = f.project.services;
    const active = f.platform.addPreview('active', { baseline: 'test', owner: f.developers, expires: TODAY, services: { api: {} } });
    const expired = f.platform.addPreview('expired', { baseline: 'test', owner: f.developers, expires: '2026-11-21', services: { api: {} } });
    const orders = f.tenant.projects.find((x) => x.name === 'orders')!;

    expect(f.platform.environments.map((e) => e.name)).toEqual(['test', 'production', 'pv-active']);
    expect(f.platform.previews).toEqual([active, expired]);
    expect(f.platform.activePreviews).toEqual([active]);
    expect(active.expiredOn(TODAY)).toBe(false);
    expect(expired.expiredOn(TODAY)).toBe(true);
    expect(f.project.environments.map((e) => e.name)).toEqual(['test', 'production', 'pv-active']);
    expect(orders.environments.map((e) => e.name)).toEqual(['test', 'production']);
    expect(f.project.servicesIn(active)).toEqual([api]);
    expect(f.project.servicesIn(f.test)).toEqual([api, web]);
    expect(api.environments.map((e) => e.name)).toEqual(['test', 'production', 'pv-active']);
    expect(web.environments.map((e) => e.name)).toEqual(['test', 'production']);
    expect(f.platform.findEnvironment('pv-expired')).toBe(expired);
  });

  it('runs no stateful service of its own: it reaches the baseline\'s', () => {
    const f = estate();
    f.project.addStatefulService('cache', { engine: Engine.redis(), external: { host: 'redis.example.com', cidrs: ['10.0.7.0/24'] } });
    const p = f.platform.addPreview('x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });

    expect(f.project.statefulServicesIn(f.test).map((s) => s.name)).toEqual(['cache']);
    expect(f.project.statefulServicesIn(p)).toEqual([]);
  });

  it('checks expiry against the platform\'s today, else PLATFORM_CDK_NOW, else the current date', () => {
    const pinned = new Platform('a', { today: '2030-01-01' });
    process.env.PLATFORM_CDK_NOW = '2029-06-30';
    const fromEnv = new Platform('b');
    delete process.env.PLATFORM_CDK_NOW;
    const now = new Platform('c');

    expect(pinned.today).toBe('2030-01-01');
    expect(fromEnv.today).toBe('2029-06-30');
    expect(now.today).toBe(new Date().toISOString().slice(0, 10));
  });

  it('names its owner as KubeSphere knows it: a department as <tenant>-<department>, a user by name', () => {
    const f = estate();
    const byDepartment = f.platform.addPreview('a', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });
    const byRef = f.platform.addPreview('b', { baseline: 'test', owner: DepartmentRef.named('developers'), expires: '2026-12-15', services: { api: {} } });
    const byUser = f.platform.addPreview('c', { baseline: 'test', owner: User.named('bob'), expires: '2026-12-15', services: { api: {} } });

    expect(byDepartment.ownerName).toBe('shop-developers');
    expect(byRef.ownerName).toBe('shop-developers');
    expect(byUser.ownerName).toBe('bob');
    expect(validatePlatform(f.platform)).toEqual([]);
  });

  it('refuses at once a second preview of a branch that sanitizes to the same name', () => {
    const f = estate();
    f.platform.addPreview('feature/login', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });

    expect(() => f.platform.addPreview('Feature_Login', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { web: {} } })).toThrow(
      /\[acme\/Environments\/pv-feature-login\] branch: got "Feature_Login"; the branches "feature\/login" and "Feature_Login" both name the preview pv-feature-login .*Fix: rename one of the branches/,
    );
  });
});

describe('the settings of a preview\'s services', () => {
  it('are the baseline\'s with the preview\'s image tag and configuration over them', () => {
    const f = estate();
    const api = f.project.services[0];
    api.addEnv('MODE', 'test');
    const p = f.platform.addPreview('x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: { tag: 'sha-4f2a91c', config: { values: { FEATURE: 'on' } } } } });
    const base = api.settingsFor(f.test);

    const s = api.settingsFor(p);

    expect(s.image.reference).toBe(base.image.reference.replace(':1.0.0', ':sha-4f2a91c'));
    expect(s.configValues).toEqual([['FEATURE', 'on']]);
    expect(s.env).toEqual(base.env);
    expect(s.resources).toEqual(base.resources);
  });

  it('keep the baseline\'s configuration values the preview does not change', () => {
    const f = fixture();
    const developers = f.tenant.addDepartment('developers', { members: ['bob'] });
    const api = addService(f, 'api', { config: { values: { FEATURE: 'off', LEVEL: 'debug' } } });
    const p = f.platform.addPreview('x', { baseline: 'test', owner: developers, expires: '2026-12-15', services: { api: { config: { values: { FEATURE: 'on' } } } } });

    expect(api.settingsFor(p).configValues).toEqual([['FEATURE', 'on'], ['LEVEL', 'debug']]);
    expect(api.settingsFor(p).image.reference).toBe(api.settingsFor(f.test).image.reference);
  });

  it('run the preview\'s replicas without an autoscaler, disruption budget or spread, whatever the baseline has', () => {
    const f = fixture();
    const developers = f.tenant.addDepartment('developers', { members: ['bob'] });
    const api = addService(f, 'api', { replicas: 3, disruptionBudget: { minAvailable: 2 }, spread: {}, perEnvironment: { test: { autoscaling: { minReplicas: 3, maxReplicas: 6 } } } });
    const one = f.platform.addPreview('one', { baseline: 'test', owner: developers, expires: '2026-12-15', services: { api: {} } });
    const two = f.platform.addPreview('two', { baseline: 'test', owner: developers, expires: '2026-12-15', services: { api: {} }, replicas: 2 });

    expect(api.settingsFor(f.test).autoscaling).toBeDefined();
    const s = api.settingsFor(one);
    expect(s.replicas).toBe(1);
    expect(s.maxReplicas).toBe(1);
    expect(s.autoscaling).toBeUndefined();
    expect(s.disruptionBudget).toBeUndefined();
    expect(s.spread).toBeUndefined();
    expect(api.settingsFor(two).replicas).toBe(2);
  });
});

describe('the quota of a preview\'s namespaces', () => {
  it('is half of the baseline project\'s quota, rounded up', () => {
    const f = estate();
    f.project.quotaIn('test', { cpuRequestMillis: 1001, cpuLimitMillis: 3000, memoryRequestMiB: 1025, memoryLimitMiB: 4096, pods: 9 });
    const p = f.platform.addPreview('x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });

    expect(f.project.quotaFor(p)).toEqual({ cpuRequestMillis: 501, cpuLimitMillis: 1500, memoryRequestMiB: 513, memoryLimitMiB: 2048, pods: 5 });
  });

  it('is half of the default quota when the baseline sets none', () => {
    const f = estate();
    const p = f.platform.addPreview('x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });

    expect(f.project.quotaFor(p)).toEqual({ cpuRequestMillis: 2000, cpuLimitMillis: 4000, memoryRequestMiB: 4096, memoryLimitMiB: 8192, pods: 25 });
  });

  it('is the preview\'s own quota when it gives one, over the platform\'s default', () => {
    const f = estate();
    const p = f.platform.addPreview('x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} }, quota: { pods: 6, cpuLimitMillis: 2000 } });

    expect(f.project.quotaFor(p)).toEqual({ cpuRequestMillis: 4000, cpuLimitMillis: 2000, memoryRequestMiB: 8192, memoryLimitMiB: 16384, pods: 6 });
  });

  it('reports a preview quota that is not a whole positive number', () => {
    const f = estate();
    f.platform.addPreview('x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} }, quota: { pods: -1 } });

    expect(lineFor(validationErrors(f.platform), 'acme/Environments/pv-x', 'quota.pods')).toContain('got -1;');
  });
});

describe('the grants of a preview\'s namespaces', () => {
  it('make its owner admin and grant nobody else anything there, whatever the tenant and project grant', () => {
    const f = estate();
    f.tenant.grantInProjects(f.developers, ProjectRole.OPERATOR);
    f.project.grant(User.named('carol'), ProjectRole.VIEWER);
    const byUser = f.platform.addPreview('a', { baseline: 'test', owner: User.named('bob'), expires: '2026-12-15', services: { api: {} } });
    const byDepartment = f.platform.addPreview('b', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });

    expect(f.project.grantsIn(f.test).map((g) => `${g.subject.subjectName}:${g.role.name}`).sort()).toEqual(['carol:viewer', 'shop-developers:operator']);
    expect(f.project.grantsIn(byUser).map((g) => `${g.subject.subjectName}:${g.role.name}`)).toEqual(['bob:admin']);
    expect(f.project.grantsIn(byDepartment).map((g) => `${g.subject.subjectName}:${g.role.name}`)).toEqual(['shop-developers:admin']);
  });
});

describe('checks of a preview', () => {
  const PV = (name: string): string => `acme/Environments/pv-${name}`;

  it('reports every bad input at once, each with the construct path, the value and a fix', () => {
    const f = estate();
    const billing = f.platform.addTenant('billing', { manager: 'dora' }).addProject('invoices', { environments: [f.test] });
    billing.addService('invoices', { image: f.registry.image('billing/invoices', '1.0.0'), ports: [{ port: 8080 }] });
    const staging = f.tenant.addProject('legacy', { environments: [f.production] });
    staging.addService('old', { image: f.registry.image('shop/old', '1.0.0'), ports: [{ port: 8080 }] });
    f.tenant.projects.find((x) => x.name === 'orders')!.addService('web', { image: f.registry.image('shop/web2', '1.0.0'), ports: [{ port: 8080 }] });

    f.platform.addPreview('///', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });
    f.platform.addPreview('no-service', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { nope: {} } });
    f.platform.addPreview('ambiguous', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { web: {} } });
    f.platform.addPreview('not-in-baseline', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { old: {} } });
    f.platform.addPreview('bad-tag', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: { tag: 'latest' } } });
    f.platform.addPreview('bad-date', { baseline: 'test', owner: f.developers, expires: '2026-02-30', services: { api: {} } });
    f.platform.addPreview('of-production', { baseline: 'production', owner: f.developers, expires: '2026-12-15', services: { api: {} } });
    f.platform.addPreview('elsewhere', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} }, cluster: 'host' });
    f.platform.addPreview('no-baseline', { baseline: 'develop', owner: f.developers, expires: '2026-12-15', services: { api: {} } });
    f.platform.addPreview('stranger', { baseline: 'test', owner: DepartmentRef.named('ops'), expires: '2026-12-15', services: { api: {} } });
    f.platform.addPreview('two-tenants', { baseline: 'test', owner: User.named('bob'), expires: '2026-12-15', services: { api: {}, invoices: {} } });
    f.platform.addPreview('nothing', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: {} });
    f.platform.addPreview('odd', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} }, dependencies: 'copy' as PreviewDependencies });

    const lines = validationErrors(f.platform);
    const slug = previewSlug('///');
    const expected: [string, string, string][] = [
      [PV(slug), 'branch', 'got "///"; the branch name has no letter or digit'],
      [PV('no-service'), 'services["nope"]', 'got "nope"; no service of the platform has this name'],
      [PV('ambiguous'), 'services["web"]', 'got "web"; several services have this name (shop/storefront/web, shop/orders/web)'],
      [PV('not-in-baseline'), 'services["old"]', 'got "old"; the service does not exist in the baseline test (its project legacy is not placed there)'],
      [PV('bad-tag'), 'services["api"].tag', 'got "latest"; not an image tag'],
      [PV('bad-date'), 'expires', 'got "2026-02-30"; the expiry is a date, YYYY-MM-DD'],
      [PV('of-production'), 'baseline', 'got "production"; a preview of a production environment would run unreleased code beside production'],
      [PV('elsewhere'), 'cluster', 'got "host"; the cluster is not one of the baseline\'s (member-test)'],
      [PV('no-baseline'), 'baseline', 'got "develop"; no baseline environment of the platform has this name (environments: test, production)'],
      [PV('stranger'), 'owner', 'got "ops"; no department of tenant shop has this name'],
      [PV('two-tenants'), 'services', 'got "billing, shop"; a preview belongs to one tenant'],
      [PV('nothing'), 'services', 'got {}; a preview overrides at least one service'],
      [PV('odd'), 'dependencies', 'got "copy"; the dependencies are baseline or clone'],
    ];
    for (const [path, property, text] of expected) {
      const line = lineFor(lines, path, property);
      expect(line).toContain(text);
      expect(line).toMatch(/\. Fix: .+\.$/);
    }
    // A baseline that names no environment is reported once, not again as the cluster it would give.
    expect(lines.filter((l) => l.startsWith(`[${PV('no-baseline')}]`))).toHaveLength(1);
  });

  it('refuses a preview on a cluster that also runs a production environment', () => {
    const f = estate();
    const staging = f.platform.addEnvironment('staging', { clusters: [f.host], namespaceSuffix: '-staging', domain: 'staging.example.com' });
    f.project.placeIn(staging);
    f.platform.addPreview('x', { baseline: 'staging', owner: f.developers, expires: '2026-12-15', services: { api: {} } });

    const line = lineFor(validationErrors(f.platform), PV('x'), 'cluster');

    expect(line).toContain('got "host"; the cluster also runs production, and a preview would run unreleased code beside production');
  });

  it('names a cluster that does not exist as the preview\'s cluster', () => {
    const f = estate();
    f.platform.addPreview('x', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} }, cluster: 'member-9' });

    const line = lineFor(validationErrors(f.platform), PV('x'), 'cluster');

    expect(line).toContain('got "member-9"; no cluster of the platform has this name');
  });

  it('warns of a branch too long for a DNS label, showing the name it gets, and synthesizes', () => {
    const f = estate();
    const p = f.platform.addPreview('feature/a-very-long-branch-name-that-goes-on', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });

    const w = warningFor(f.platform, p.node.path, 'branch');

    expect(formatProblem(w)).toBe(
      `warning: [${p.node.path}] branch: got "feature/a-very-long-branch-name-that-goes-on"; the branch name is longer than 20 characters as a DNS label; the preview is named ${p.name} and its namespaces end in -pv-${p.slug}. Fix: nothing to do, unless you want a shorter name: use a shorter branch name.`,
    );
    expect(validatePlatform(f.platform).filter((x) => x.severity === 'error')).toEqual([]);
  });

  it('sanitizes slashes and capitals without a word, since the result is still the branch', () => {
    const f = estate();
    f.platform.addPreview('Feature/Login', { baseline: 'test', owner: f.developers, expires: '2026-12-15', services: { api: {} } });

    expect(validatePlatform(f.platform)).toEqual([]);
  });

  it('warns that a preview past its expiry in code is left out, naming its branch; one expiring today runs', () => {
    const f = estate();
    const old = f.platform.addPreview('feature/old', { baseline: 'test', owner: f.developers, expires: '2026-11-21', services: { api: {} } });
    f.platform.addPreview('feature/today', { baseline: 'test', owner: f.developers, expires: TODAY, services: { api: {} } });

    const w = warningFor(f.platform, old.node.path, 'expires');

    expect(formatProblem(w)).toBe(
      `warning: [${old.node.path}] expires: got "2026-11-21"; the preview of branch feature/old expired before ${TODAY} and is left out of the output (GitOps prunes it). Fix: remove the preview, or give it a later expiry.`,
    );
    expect(validatePlatform(f.platform)).toHaveLength(1);
  });

  it('reports an owner that is missing or not a label value', () => {
    const f = estate();
    f.platform.addPreview('a', { baseline: 'test', owner: User.named(''), expires: '2026-12-15', services: { api: {} } });
    f.platform.addPreview('b', { baseline: 'test', owner: User.named('Bob Smith'), expires: '2026-12-15', services: { api: {} } });

    const lines = validationErrors(f.platform);

    expect(lineFor(lines, PV('a'), 'owner')).toContain('a preview needs an owner');
    expect(lineFor(lines, PV('b'), 'owner')).toContain('got "Bob Smith"; a label value must be');
  });
});
