/**
 * Hostile tenancy input: a tenant claiming a system, KubeSphere, GitOps or estate namespace or a reserved workspace
 * name, and every way the model could write access across tenants (a grant to another tenant's user, one user bound
 * in two tenants, a cluster's ingress or monitoring namespace that is a tenant's, a preview owned by another
 * tenant's user, an ambiguous group name on plain Kubernetes) is refused by the model with a problem naming the
 * construct, the property and the value. The namespaces the estate creates for DevOps projects and GitOps have a
 * closed baseline.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { ClusterRole, CiSystem, Credential, GitOpsTool, ManifestStack, Platform, ProjectRole, Target, User, validatePlatform, WorkspaceRole } from 'platform-cdk';
import type { KubeObject, Problem } from 'platform-cdk';
import { RESERVED_NAMESPACES, RESERVED_WORKSPACES, reservedNamespace, reservedTenantName, GITOPS_NAMESPACE } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { addService, fixture, lineFor, validationErrors } from '../fixture';
import type { Fixture } from '../fixture';
import { cli } from '../cli/run';

/** The seed of the property runs. */
const SEED = 18_2026;

/** The errors of a platform's model. */
function errors(platform: Platform): Problem[] {
  return validatePlatform(platform).filter((p) => p.severity === 'error');
}

/** The fixture with a second tenant `pay` (manager `bob`) and its project `api` in test. */
function twoTenants(target?: Target): Fixture & { pay: ReturnType<Platform['addTenant']>; api: ReturnType<ReturnType<Platform['addTenant']>['addProject']> } {
  const f = fixture(target);
  const pay = f.platform.addTenant('pay', { manager: 'bob' });
  const api = pay.addProject('api', { environments: [f.test] });
  return { ...f, pay, api };
}

/** A name of a reserved entry: the name itself, or a pattern's prefix with a suffix. */
function sample(name: string, suffix = 'x'): string {
  return name.endsWith('*') ? `${name.slice(0, -1)}${suffix}` : name;
}

describe('reserved namespaces', () => {
  const reported = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'kubesphere-system', 'kubesphere-controls-system', 'argocd', 'flux-system', 'platform-gitops'];

  it.each(reported)('a project may not claim %s', (ns) => {
    const f = fixture();
    f.tenant.addProject('grab', { environments: [f.test], namespace: ns });

    const line = lineFor(validationErrors(f.platform), 'acme/shop/grab', 'namespace');
    expect(line).toContain(`got "${ns}"; namespace ${ns} is reserved`);
    expect(line).toContain('a project there would relabel it into the tenant\'s workspace and make the tenant\'s people admin of it');
    expect(line).toContain('Fix: give the project another name or `namespace`');
  });

  it.each(RESERVED_NAMESPACES.map((e) => [e.name, sample(e.name, 'tenant-grab')]))('every entry of the list is refused: %s (as %s)', (_entry, ns) => {
    const f = fixture();
    f.tenant.addProject('grab', { environments: [f.test], namespace: ns });

    expect(lineFor(validationErrors(f.platform), 'acme/shop/grab', 'namespace')).toContain(`namespace ${ns} is reserved`);
  });

  it('a project may not claim another tenant\'s DevOps project namespace, nor its own tenant\'s', () => {
    const f = twoTenants();
    f.tenant.addProject('theirs', { environments: [f.test], namespace: 'pay-devops' });
    f.tenant.addProject('ours', { environments: [f.test], namespace: 'shop-devops' });

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, 'acme/shop/theirs', 'namespace')).toContain('namespace pay-devops is reserved: the KubeSphere DevOps project of tenant pay (its pipelines and credentials), owned by platform-cdk');
    expect(lineFor(lines, 'acme/shop/ours', 'namespace')).toContain('the KubeSphere DevOps project of tenant shop');
  });

  it('names the environment when the suffixed namespace is the reserved one', () => {
    const f = fixture();
    const dev = f.platform.addEnvironment('dev', { clusters: [f.member], namespaceSuffix: '-system' });
    f.tenant.addProject('kube', { environments: [dev] });

    expect(lineFor(validationErrors(f.platform), 'acme/shop/kube', 'namespace')).toContain('got "kube-system"; namespace kube-system is reserved: the control plane and cluster add-ons, owned by Kubernetes; a project there would relabel it into the tenant\'s workspace and make the tenant\'s people admin of it (in environment dev)');
  });

  it('a preview\'s namespace may not be a reserved one', () => {
    const f = fixture();
    const kube = f.tenant.addProject('kube', { environments: [f.test] });
    kube.addService('web', { image: f.registry.image('shop/web', '1.0.0'), ports: [{ port: 8080 }] });
    f.platform.addPreview('feature/login', { baseline: f.test, owner: User.named('alice'), expires: '2099-01-01', services: { 'kube/web': { tag: 'sha-1' } } });

    expect(lineFor(validationErrors(f.platform), 'acme/Environments/pv-feature-login', 'branch')).toContain('the preview\'s namespace for project kube would be kube-pv-feature-login: namespace kube-pv-feature-login is reserved (kube-*)');
  });

  it('platform-cdk validate reports a project in kube-system and a tenant named system-workspace, and exits 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-tenancy-'));
    try {
      const app = path.join(dir, 'claims.ts');
      fs.writeFileSync(
        app,
        `import { ClusterRole, Platform } from ${JSON.stringify(path.resolve(__dirname, '..', '..', 'index'))};

export function build(): Platform {
  const platform = new Platform('claims');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  platform.addEnvironment('test', { clusters: [host] });
  platform.addTenant('shop', { manager: 'alice' }).addProject('sys', { environments: ['test'], namespace: 'kube-system' });
  platform.addTenant('system-workspace', { manager: 'bob' }).addProject('p1', { environments: ['test'] });
  return platform;
}
`,
      );
      const r = cli('validate', '--app', app);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('The platform model has 2 errors; nothing was written.');
      expect(r.stdout).toContain('[claims/shop/sys] namespace: got "kube-system"; namespace kube-system is reserved');
      expect(r.stdout).toContain('[claims/system-workspace] name: got "system-workspace"; the name is reserved');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validation reports a reserved namespace with every other problem, and nothing is written', () => {
    const f = fixture();
    f.tenant.addProject('sys', { environments: [f.test], namespace: 'kube-system' });
    f.tenant.addProject('gitops', { environments: [f.test], namespace: GITOPS_NAMESPACE });

    expect(errors(f.platform).map((p) => `${p.path} ${p.property} ${String(p.value)}`)).toEqual(['acme/shop/gitops namespace platform-gitops', 'acme/shop/sys namespace kube-system']);
    expect(() => new ManifestStack(f.platform).files()).toThrow('The platform model has 2 errors; nothing was written.');
  });
});

describe('the reserved names in docs/tenancy.md', () => {
  it('are the exported lists, row for row', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'tenancy.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Reserved names'), doc.indexOf('## Cross-tenant access'));
    const rows = section.split('\n').filter((l) => /^\| `[^`]+` \|/.test(l) && !l.includes('<tenant>') && !l.includes('platform-gitops') && !l.includes('ingressNamespace'));
    const expected = [
      ...RESERVED_NAMESPACES.map((e) => `| \`${e.name}\` | ${e.owner} | ${e.purpose} | ${e.clusterServices ? 'yes' : 'no'} |`),
      ...RESERVED_WORKSPACES.map((e) => `| \`${e.name}\` | ${e.owner} | ${e.purpose} |`),
    ];
    expect(rows).toEqual(expected);
  });
});

describe('reserved workspace names', () => {
  it.each([...new Set(['system-workspace', ...RESERVED_WORKSPACES.map((e) => e.name)]), 'kube-system', 'kubesphere-system', 'platform-gitops'])('a tenant may not be named %s', (name) => {
    const f = fixture();
    f.platform.addTenant(name, { manager: 'zed' }).addProject('p1', { environments: [f.test] });

    const line = lineFor(validationErrors(f.platform), `acme/${name}`, 'name');
    expect(line).toContain(`got "${name}"; the name is reserved`);
    expect(line).toContain('a tenant may not take it');
  });

  it('a tenant whose DevOps project namespace would be reserved is refused', () => {
    const f = fixture();
    f.platform.addTenant('kube', { manager: 'zed' }).addProject('p1', { environments: [f.test] });

    expect(lineFor(validationErrors(f.platform), 'acme/kube', 'name')).toContain('the tenant\'s DevOps project would be namespace kube-devops, which is reserved (kube-*)');
  });
});

describe('cross-tenant access is refused in the model', () => {
  it.each([Target.KUBESPHERE_V4_1, Target.KUBERNETES])('on %s, a project grant to another tenant\'s manager, workspace member or department member', (target) => {
    const f = twoTenants(target);
    f.pay.grant(User.named('carol'), WorkspaceRole.VIEWER);
    f.pay.addDepartment('ops', { members: ['dave'] });
    f.project.grant(User.named('bob'), ProjectRole.OPERATOR);
    f.tenant.grantInProjects(User.named('carol'), ProjectRole.VIEWER);
    f.project.grant(User.named('dave'), ProjectRole.VIEWER);

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, 'acme/shop/storefront', 'grant[0].subject')).toContain('got "bob"; user bob belongs to tenant pay (its manager) and not to tenant shop, so this would give another tenant\'s user rights in shop\'s namespaces');
    expect(lineFor(lines, 'acme/shop', 'grantInProjects[0].subject')).toContain('user carol belongs to tenant pay (workspace role viewer) and not to tenant shop');
    expect(lineFor(lines, 'acme/shop/storefront', 'grant[1].subject')).toContain('user dave belongs to tenant pay (a member of department ops) and not to tenant shop');
  });

  it('on KubeSphere, a user who is a member of both workspaces may be granted in both', () => {
    const f = twoTenants();
    f.tenant.grant(User.named('bob'), WorkspaceRole.REGULAR);
    f.project.grant(User.named('bob'), ProjectRole.OPERATOR);

    expect(errors(f.platform)).toEqual([]);
  });

  it('on KubeSphere, a user of no workspace bound in two tenants is refused', () => {
    const f = twoTenants();
    f.project.grant(User.named('erin'), ProjectRole.OPERATOR);
    f.api.grant(User.named('erin'), ProjectRole.VIEWER);

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, 'acme/shop/storefront', 'grant[0].subject')).toContain('user erin is bound in tenant shop and in tenant pay, and is a member of neither workspace');
    expect(lineFor(lines, 'acme/pay/api', 'grant[0].subject')).toContain('user erin is bound in tenant pay and in tenant shop');
  });

  it('on plain Kubernetes, one user bound in two tenants is refused, even as a member of both', () => {
    const f = twoTenants(Target.KUBERNETES);
    f.tenant.grant(User.named('erin'), WorkspaceRole.REGULAR);
    f.pay.grant(User.named('erin'), WorkspaceRole.VIEWER);
    f.project.grant(User.named('erin'), ProjectRole.OPERATOR);

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, 'acme/shop/storefront', 'grant[0].subject')).toContain('user erin is bound in tenant shop and in tenant pay, and on plain Kubernetes nothing in the output makes a user a member of several tenants. Fix: bind the user in one tenant only');
    expect(lineFor(lines, 'acme/pay', 'grant[0].subject')).toContain('user erin is bound in tenant pay and in tenant shop');
  });

  it.each([Target.KUBESPHERE_V4_1, Target.KUBERNETES])('on %s, a preview owned by another tenant\'s user', (target) => {
    const f = twoTenants(target);
    addService(f, 'web');
    f.platform.addPreview('feature/login', { baseline: f.test, owner: User.named('bob'), expires: '2099-01-01', services: { web: { tag: 'sha-1' } } });

    expect(lineFor(validationErrors(f.platform), 'acme/Environments/pv-feature-login', 'owner')).toContain('got "bob"; user bob belongs to tenant pay (its manager) and not to tenant shop, so owning the preview would give another tenant\'s user admin rights in its namespaces of shop');
  });

  it.each(['ingressNamespace', 'monitoringNamespace'] as const)('a cluster\'s %s may not be a tenant\'s namespace', (property) => {
    const f = fixture();
    f.platform.addCluster('edge', { role: ClusterRole.MEMBER, [property]: 'storefront' });

    const line = lineFor(validationErrors(f.platform), 'acme/Clusters/edge', property);
    expect(line).toContain('got "storefront"; it is the namespace of project acme/shop/storefront of tenant shop in environment test: every tenant\'s network policies admit');
    expect(line).toContain('so that tenant\'s pods would reach them');
  });

  it.each([
    ['ingressNamespace', 'default'],
    ['ingressNamespace', 'kube-public'],
    ['monitoringNamespace', 'argocd'],
    ['monitoringNamespace', 'platform-gitops'],
    ['ingressNamespace', 'shop-devops'],
  ] as const)('a cluster\'s %s may not be %s, where no cluster service belongs', (property, ns) => {
    const f = fixture();
    f.platform.addCluster('edge', { role: ClusterRole.MEMBER, [property]: ns });

    expect(lineFor(validationErrors(f.platform), 'acme/Clusters/edge', property)).toMatch(new RegExp(`got "${ns}"; namespace ${ns} is .*not where`));
  });

  it('a cluster\'s ingress and monitoring namespaces may be system namespaces', () => {
    const f = fixture();
    f.platform.addCluster('rke', { role: ClusterRole.MEMBER, ingressNamespace: 'kube-system', monitoringNamespace: 'cattle-monitoring-system' });
    f.platform.addCluster('mesh', { role: ClusterRole.MEMBER, ingressNamespace: 'istio-system' });

    expect(errors(f.platform)).toEqual([]);
  });

  it('on plain Kubernetes, a department whose group name starts with another tenant\'s name is refused', () => {
    const f = fixture(Target.KUBERNETES);
    f.platform.addTenant('shop-eu', { manager: 'zed' }).addProject('eu', { environments: [f.test] });
    f.tenant.addDepartment('eu-ops');

    expect(lineFor(validationErrors(f.platform), 'acme/shop/eu-ops', 'name')).toContain('the group shop-eu-ops starts with the name of tenant shop-eu, so its bindings would cross tenants');
  });
});

describe('properties', () => {
  const families = RESERVED_NAMESPACES.filter((e) => e.name.endsWith('*')).map((e) => e.name.slice(0, -1));
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?$/);
  const reservedName = fc.oneof(
    fc.constantFrom(...RESERVED_NAMESPACES.filter((e) => !e.name.endsWith('*')).map((e) => e.name), GITOPS_NAMESPACE),
    fc.tuple(fc.constantFrom(...families), label).map(([prefix, rest]) => `${prefix}${rest}`),
  );

  it('any reserved name, or a generated kube-*, kubesphere-* or extension-* name, is refused as a project namespace', () => {
    fc.assert(
      fc.property(reservedName, (ns) => {
        const f = fixture();
        f.tenant.addProject('grab', { environments: [f.test], namespace: ns });
        expect(errors(f.platform).some((p) => p.path === 'acme/shop/grab' && p.property === 'namespace' && p.value === ns)).toBe(true);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('any reserved name is refused as a tenant name', () => {
    fc.assert(
      fc.property(fc.oneof(reservedName, fc.constantFrom(...RESERVED_WORKSPACES.map((e) => e.name))), (name) => {
        const f = fixture();
        f.platform.addTenant(name, { manager: 'zed' }).addProject('p1', { environments: [f.test] });
        expect(errors(f.platform).some((p) => p.path === `acme/${name}` && p.property === 'name')).toBe(true);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('a preview of a project named after a reserved family (kube, kubesphere, extension) is refused for any branch', () => {
    fc.assert(
      fc.property(fc.constantFrom(...families.map((p) => p.slice(0, -1))), fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), (project, branch) => {
        const f = fixture();
        f.tenant.addProject(project, { environments: [f.test] }).addService('web', { image: f.registry.image('shop/web', '1.0.0'), ports: [{ port: 8080 }] });
        f.platform.addPreview(`feature/${branch}`, { baseline: f.test, owner: User.named('alice'), expires: '2099-01-01', services: { [`${project}/web`]: { tag: 'sha-1' } } });
        expect(errors(f.platform).some((p) => p.path.endsWith(`/pv-feature-${branch}`) && p.message.includes('is reserved'))).toBe(true);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it('random valid names outside the list are accepted as project namespaces and tenant names', () => {
    const free = label.filter((n) => reservedNamespace(n) === undefined && reservedTenantName(n) === undefined && reservedNamespace(`${n}-devops`) === undefined && !n.endsWith('-devops') && !['storefront', 'shop', 'p1'].includes(n));
    fc.assert(
      fc.property(free, free, (ns, tenant) => {
        const f = fixture();
        f.tenant.addProject('mine', { environments: [f.test], namespace: ns });
        if (tenant !== ns) f.platform.addTenant(tenant, { manager: `${tenant}.admin` }).addProject('p1', { environments: [f.production] });
        expect(errors(f.platform).map((p) => `${p.path} ${p.property}: ${p.message}`)).toEqual([]);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('a user granted in a tenant they do not belong to is always refused, whichever tenant they belong to and however', () => {
    fc.assert(
      fc.property(fc.constantFrom(Target.KUBESPHERE_V4_1, Target.KUBESPHERE_V3_4, Target.KUBERNETES), fc.constantFrom('manager', 'workspace', 'department'), fc.constantFrom('project', 'tenant', 'preview'), (target, how, where) => {
        const f = twoTenants(target);
        if (how === 'workspace') f.pay.grant(User.named('bob.x'), WorkspaceRole.VIEWER);
        if (how === 'department') f.pay.addDepartment('ops', { members: ['bob.x'] });
        const user = how === 'manager' ? 'bob' : 'bob.x';
        if (where === 'project') f.project.grant(User.named(user), ProjectRole.VIEWER);
        if (where === 'tenant') f.tenant.grantInProjects(User.named(user), ProjectRole.VIEWER);
        if (where === 'preview') {
          addService(f, 'web');
          f.platform.addPreview('feature/x', { baseline: f.test, owner: User.named(user), expires: '2099-01-01', services: { web: { tag: 'sha-1' } } });
        }
        expect(errors(f.platform).some((p) => p.value === user && p.message.includes(`user ${user} belongs to tenant pay`))).toBe(true);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});

describe('the DevOps and GitOps namespaces have a baseline', () => {
  /** Every object of a platform's output, with its cluster. */
  function objectsOf(platform: Platform): { cluster: string; object: KubeObject }[] {
    const out: { cluster: string; object: KubeObject }[] = [];
    for (const [file, text] of new ManifestStack(platform).files()) {
      if (file.startsWith('_') || !file.endsWith('.yaml')) continue;
      for (const doc of parseAllDocuments(text)) out.push({ cluster: file.split('/')[0], object: doc.toJS() as KubeObject });
    }
    return out;
  }

  /** The closed baseline of every DevOps project namespace of an output: none missing. */
  function missingBaselines(objects: { cluster: string; object: KubeObject }[]): string[] {
    const devops = objects.filter((o) => o.object.kind === 'DevOpsProject');
    const missing: string[] = [];
    for (const d of devops) {
      const ns = d.object.metadata.name;
      const here = objects.filter((o) => o.cluster === d.cluster && o.object.metadata.namespace === ns);
      const quota = here.find((o) => o.object.kind === 'ResourceQuota');
      if ((quota?.object.spec as { hard?: Record<string, string> } | undefined)?.hard?.pods !== '0') missing.push(`${d.cluster}/${ns}: quota of no pods`);
      if (!here.some((o) => o.object.kind === 'LimitRange')) missing.push(`${d.cluster}/${ns}: LimitRange`);
      const deny = here.find((o) => o.object.kind === 'NetworkPolicy' && o.object.metadata.name === 'default-deny');
      if (JSON.stringify(deny?.object.spec) !== JSON.stringify({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] })) missing.push(`${d.cluster}/${ns}: default-deny`);
    }
    return missing;
  }

  it('on every DevOps project and GitOps namespace of the examples', () => {
    let devopsProjects = 0;
    for (const name of ['quickstart', 'connected-vehicle', 'ride-hailing', 'readme']) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { build } = require(`../../examples/${name}/main`) as { build: () => Platform };
      const objects = objectsOf(build());
      devopsProjects += objects.filter((o) => o.object.kind === 'DevOpsProject').length;
      expect(missingBaselines(objects)).toEqual([]);
    }
    expect(devopsProjects).toBeGreaterThanOrEqual(2);
  }, 300_000);

  it.each([Target.KUBESPHERE_V4_1, Target.KUBESPHERE_V3_4])('on %s, a tenant\'s DevOps project and the GitOps project', (target) => {
    const f = fixture(target);
    f.platform.configureDelivery({ estate: { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') }, ci: [CiSystem.KUBESPHERE_DEVOPS], gitops: GitOpsTool.KUBESPHERE });
    const approvers = f.tenant.addDepartment('release-managers', { members: ['alice'] });
    addService(f, 'api').addPipeline({
      source: { repository: 'https://gitlab.example.com/shop/api.git', credential: Credential.basicAuth('gitlab') },
      build: { image: f.registry.image('ci/maven', '3.9.9'), commands: ['mvn -B package'] },
      registryCredential: Credential.basicAuth('harbor-robot'),
      approval: { approvers },
    });
    const objects = objectsOf(f.platform);

    expect(objects.filter((o) => o.object.kind === 'DevOpsProject').map((o) => o.object.metadata.name).sort()).toEqual(['platform-gitops', 'shop-devops']);
    expect(missingBaselines(objects)).toEqual([]);
  });
});
