/**
 * Grants to every environment of a kind (`EnvironmentSelector.PRODUCTION`, `NON_PRODUCTION`): they follow the
 * environments as they are added, and a project grant that selects none of the project's environments is reported.
 */
import { ClusterRole, EnvironmentSelector, ProjectRole, User } from 'platform-cdk';
import { fixture, synthObjects, validationErrors } from '../fixture';
import { validatePlatform } from 'platform-cdk';

function roleBindings(objects: Map<string, unknown>): string[] {
  return [...objects.keys()].filter((k) => k.split('/')[1] === 'RoleBinding').sort();
}

describe('grants to every environment of a kind', () => {
  it('bind in every production environment, those added later included, and nowhere else', () => {
    const f = fixture();
    const auditors = f.tenant.addDepartment('audit', { members: ['erin'] });
    const developers = f.tenant.addDepartment('backend', { members: ['bob'] });
    f.tenant.grantInProjects(auditors, ProjectRole.VIEWER, { environments: [EnvironmentSelector.PRODUCTION] });
    f.tenant.grantInProjects(developers, ProjectRole.OPERATOR, { environments: [EnvironmentSelector.NON_PRODUCTION] });
    const partner = f.platform.addCluster('partner', { role: ClusterRole.MEMBER });
    f.platform.addEnvironment('partner', { clusters: [partner], production: true, domain: 'partner.example.com' });
    f.project.placeIn('partner');
    expect(roleBindings(synthObjects(f.platform))).toEqual([
      'host/RoleBinding/storefront/shop-audit-viewer',
      'member-test/RoleBinding/storefront/shop-backend-operator',
      'partner/RoleBinding/storefront/shop-audit-viewer',
    ]);
  });

  it('mix with named environments in one grant', () => {
    const f = fixture();
    f.project.grant(User.named('alice'), ProjectRole.VIEWER, { environments: ['test', EnvironmentSelector.PRODUCTION] });
    expect(roleBindings(synthObjects(f.platform))).toEqual(['host/RoleBinding/storefront/alice-viewer', 'member-test/RoleBinding/storefront/alice-viewer']);
  });

  it('warn when a project grant selects none of the project\'s environments', () => {
    const f = fixture();
    const only = f.tenant.addProject('tools', { environments: ['test'] });
    only.grant(User.named('alice'), ProjectRole.VIEWER, { environments: [EnvironmentSelector.PRODUCTION] });
    const warnings = validatePlatform(f.platform).filter((p) => p.severity === 'warning' && p.path === 'acme/shop/tools');
    expect(warnings).toEqual([
      {
        severity: 'warning',
        path: 'acme/shop/tools',
        property: 'grant[0].environments[0]',
        value: 'every production environment',
        message: 'the project tools is placed in no such environment (it is in: test), so the grant gives nothing yet',
        fix: 'place the project in such an environment, or remove the grant',
      },
    ]);
  });

  it('refuse something that is neither an environment, its name nor a selector', () => {
    const f = fixture();
    f.project.grant(User.named('alice'), ProjectRole.VIEWER, { environments: [42 as unknown as string] });
    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] grant[0].environments[0]: got 42; a grant names environments, their names, or EnvironmentSelector.PRODUCTION / NON_PRODUCTION. Fix: name an environment of the platform.',
    ]);
  });
});
