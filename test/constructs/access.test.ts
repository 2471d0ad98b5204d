import { DepartmentRef, ProjectRole, User, WorkspaceRole } from 'platform-cdk';
import { fixture, objectAt, synthObjects, validationErrors } from '../fixture';

const IAM = 'iam.kubesphere.io/v1beta1';
const SHOP_LABELS = {
  'app.kubernetes.io/managed-by': 'platform-cdk',
  'platform-cdk.io/tenant': 'shop',
  'kubesphere.io/workspace': 'shop',
};

function keysOfKind(objects: Map<string, unknown>, kind: string): string[] {
  return [...objects.keys()].filter((k) => k.split('/')[1] === kind).sort();
}

describe('workspace grants', () => {
  it('bind a user to a built-in workspace role with a WorkspaceRoleBinding <user>-<workspace>-<role> on the host', () => {
    const f = fixture();
    f.tenant.grant(User.named('bob'), WorkspaceRole.VIEWER);

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'WorkspaceRoleBinding')).toEqual(['host/WorkspaceRoleBinding/-/bob-shop-viewer']);
    expect(objectAt(objects, 'host/WorkspaceRoleBinding/-/bob-shop-viewer')).toEqual({
      apiVersion: IAM,
      kind: 'WorkspaceRoleBinding',
      metadata: {
        name: 'bob-shop-viewer',
        labels: { ...SHOP_LABELS, 'iam.kubesphere.io/user-ref': 'bob', 'iam.kubesphere.io/role-ref': 'shop-viewer' },
      },
      subjects: [{ kind: 'User', apiGroup: 'iam.kubesphere.io', name: 'bob' }],
      roleRef: { apiGroup: 'iam.kubesphere.io', kind: 'WorkspaceRole', name: 'shop-viewer' },
    });
  });

  it('bind a department as a Group, labelled with its group-ref', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend', { members: ['bob'] });
    f.tenant.grant(backend, WorkspaceRole.REGULAR);

    expect(objectAt(synthObjects(f.platform), 'host/WorkspaceRoleBinding/-/shop-backend-shop-regular')).toEqual({
      apiVersion: IAM,
      kind: 'WorkspaceRoleBinding',
      metadata: {
        name: 'shop-backend-shop-regular',
        labels: { ...SHOP_LABELS, 'iam.kubesphere.io/group-ref': 'shop-backend', 'iam.kubesphere.io/role-ref': 'shop-regular' },
      },
      subjects: [{ kind: 'Group', apiGroup: 'iam.kubesphere.io', name: 'shop-backend' }],
      roleRef: { apiGroup: 'iam.kubesphere.io', kind: 'WorkspaceRole', name: 'shop-regular' },
    });
  });

  it('never emit the built-in workspace roles, which KubeSphere creates itself', () => {
    const f = fixture();
    f.tenant.grant(User.named('bob'), WorkspaceRole.ADMIN);
    f.tenant.grant(User.named('carol'), WorkspaceRole.REGULAR);
    f.tenant.grant(User.named('dave'), WorkspaceRole.VIEWER);
    f.tenant.grant(User.named('erin'), WorkspaceRole.SELF_PROVISIONER);

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'WorkspaceRole')).toEqual([]);
    expect(keysOfKind(objects, 'WorkspaceRoleBinding')).toEqual([
      'host/WorkspaceRoleBinding/-/bob-shop-admin',
      'host/WorkspaceRoleBinding/-/carol-shop-regular',
      'host/WorkspaceRoleBinding/-/dave-shop-viewer',
      'host/WorkspaceRoleBinding/-/erin-shop-self-provisioner',
    ]);
  });

  it('emit a custom workspace role as a WorkspaceRole <workspace>-<role> composed of its templates, once however often it is granted', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend');
    const auditor = WorkspaceRole.custom('auditor', { templates: ['workspace-view-projects', 'workspace-view-members'] });
    f.tenant.grant(User.named('bob'), auditor);
    f.tenant.grant(backend, auditor);

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'WorkspaceRole')).toEqual(['host/WorkspaceRole/-/shop-auditor']);
    expect(objectAt(objects, 'host/WorkspaceRole/-/shop-auditor')).toEqual({
      apiVersion: IAM,
      kind: 'WorkspaceRole',
      metadata: { name: 'shop-auditor', labels: SHOP_LABELS },
      aggregationRoleTemplates: { templateNames: ['workspace-view-projects', 'workspace-view-members'] },
    });
    expect(keysOfKind(objects, 'WorkspaceRoleBinding')).toEqual(['host/WorkspaceRoleBinding/-/bob-shop-auditor', 'host/WorkspaceRoleBinding/-/shop-backend-shop-auditor']);
    expect(objectAt(objects, 'host/WorkspaceRoleBinding/-/shop-backend-shop-auditor').roleRef).toEqual({ apiGroup: 'iam.kubesphere.io', kind: 'WorkspaceRole', name: 'shop-auditor' });
  });

  it('give each tenant its own copy of a custom role granted in several workspaces', () => {
    const f = fixture();
    const auditor = WorkspaceRole.custom('auditor', { templates: ['workspace-view-projects'] });
    f.tenant.grant(User.named('bob'), auditor);
    const billing = f.platform.addTenant('billing', { manager: 'carol' });
    billing.addProject('ledger', { environments: [f.production] });
    billing.grant(User.named('bob'), auditor);

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'WorkspaceRole')).toEqual(['host/WorkspaceRole/-/billing-auditor', 'host/WorkspaceRole/-/shop-auditor']);
    expect(objectAt(objects, 'host/WorkspaceRoleBinding/-/bob-billing-auditor').metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'platform-cdk',
      'platform-cdk.io/tenant': 'billing',
      'kubesphere.io/workspace': 'billing',
      'iam.kubesphere.io/user-ref': 'bob',
      'iam.kubesphere.io/role-ref': 'billing-auditor',
    });
  });

  it('are listed by the tenant in the order they were made', () => {
    const f = fixture();
    const bob = User.named('bob');
    const g = f.tenant.grant(bob, WorkspaceRole.ADMIN);

    expect(g).toEqual({ subject: bob, role: WorkspaceRole.ADMIN });
    expect(f.tenant.workspaceGrants).toEqual([g]);
    expect(bob.subjectKind).toBe('User');
    expect(bob.subjectName).toBe('bob');
  });
});

describe('project grants', () => {
  it('bind a department per environment with an iam RoleBinding <subject>-<role> in the project\'s namespace on that environment\'s clusters only', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend', { members: ['bob'] });
    f.project.grant(backend, ProjectRole.OPERATOR, { environments: [f.test] });
    f.project.grant(backend, ProjectRole.VIEWER, { environments: [f.production] });

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'RoleBinding')).toEqual(['host/RoleBinding/storefront/shop-backend-viewer', 'member-test/RoleBinding/storefront/shop-backend-operator']);
    expect(objectAt(objects, 'member-test/RoleBinding/storefront/shop-backend-operator')).toEqual({
      apiVersion: IAM,
      kind: 'RoleBinding',
      metadata: {
        name: 'shop-backend-operator',
        namespace: 'storefront',
        labels: { ...SHOP_LABELS, 'iam.kubesphere.io/group-ref': 'shop-backend', 'iam.kubesphere.io/role-ref': 'operator' },
      },
      subjects: [{ kind: 'Group', apiGroup: 'iam.kubesphere.io', name: 'shop-backend' }],
      roleRef: { apiGroup: 'iam.kubesphere.io', kind: 'Role', name: 'operator' },
    });
    expect(objectAt(objects, 'host/RoleBinding/storefront/shop-backend-viewer')).toEqual({
      apiVersion: IAM,
      kind: 'RoleBinding',
      metadata: {
        name: 'shop-backend-viewer',
        namespace: 'storefront',
        labels: { ...SHOP_LABELS, 'iam.kubesphere.io/group-ref': 'shop-backend', 'iam.kubesphere.io/role-ref': 'viewer' },
      },
      subjects: [{ kind: 'Group', apiGroup: 'iam.kubesphere.io', name: 'shop-backend' }],
      roleRef: { apiGroup: 'iam.kubesphere.io', kind: 'Role', name: 'viewer' },
    });
  });

  it('bind a user in every environment of the project when no environments are named, by name or by reference', () => {
    const f = fixture();
    f.project.grant(User.named('bob'), ProjectRole.ADMIN);
    const orders = f.tenant.addProject('orders', { environments: [f.test, f.production] });
    orders.grant(User.named('carol'), ProjectRole.VIEWER, { environments: ['production'] });

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'RoleBinding')).toEqual([
      'host/RoleBinding/orders/carol-viewer',
      'host/RoleBinding/storefront/bob-admin',
      'member-test/RoleBinding/storefront/bob-admin',
    ]);
    expect(objectAt(objects, 'host/RoleBinding/storefront/bob-admin')).toEqual({
      apiVersion: IAM,
      kind: 'RoleBinding',
      metadata: { name: 'bob-admin', namespace: 'storefront', labels: { ...SHOP_LABELS, 'iam.kubesphere.io/user-ref': 'bob', 'iam.kubesphere.io/role-ref': 'admin' } },
      subjects: [{ kind: 'User', apiGroup: 'iam.kubesphere.io', name: 'bob' }],
      roleRef: { apiGroup: 'iam.kubesphere.io', kind: 'Role', name: 'admin' },
    });
  });

  it('follow the environment\'s namespace suffix and every cluster of the environment', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', { clusters: [f.host, f.member], namespaceSuffix: '-staging' });
    f.project.placeIn(staging);
    f.project.grant(User.named('bob'), ProjectRole.OPERATOR, { environments: [staging] });

    expect(keysOfKind(synthObjects(f.platform), 'RoleBinding')).toEqual([
      'host/RoleBinding/storefront-staging/bob-operator',
      'member-test/RoleBinding/storefront-staging/bob-operator',
    ]);
  });

  it('given with tenant.grantInProjects apply to every project of the tenant, those added after the grant too', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend');
    f.tenant.grantInProjects(backend, ProjectRole.VIEWER);
    f.tenant.grantInProjects(User.named('bob'), ProjectRole.OPERATOR, { environments: [f.test] });
    f.tenant.addProject('orders', { environments: [f.production] });
    f.tenant.addProject('payments', { environments: ['test'] });

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'RoleBinding')).toEqual([
      'host/RoleBinding/orders/shop-backend-viewer',
      'host/RoleBinding/storefront/shop-backend-viewer',
      'member-test/RoleBinding/payments/bob-operator',
      'member-test/RoleBinding/payments/shop-backend-viewer',
      'member-test/RoleBinding/storefront/bob-operator',
      'member-test/RoleBinding/storefront/shop-backend-viewer',
    ]);
    expect(objectAt(objects, 'host/RoleBinding/orders/shop-backend-viewer')).toEqual({
      apiVersion: IAM,
      kind: 'RoleBinding',
      metadata: {
        name: 'shop-backend-viewer',
        namespace: 'orders',
        labels: { ...SHOP_LABELS, 'iam.kubesphere.io/group-ref': 'shop-backend', 'iam.kubesphere.io/role-ref': 'viewer' },
      },
      subjects: [{ kind: 'Group', apiGroup: 'iam.kubesphere.io', name: 'shop-backend' }],
      roleRef: { apiGroup: 'iam.kubesphere.io', kind: 'Role', name: 'viewer' },
    });
  });

  it('are listed per environment by project.grantsIn, the tenant\'s grants in every project first', () => {
    const f = fixture();
    const bob = User.named('bob');
    const carol = User.named('carol');
    const own = f.project.grant(bob, ProjectRole.VIEWER, { environments: ['production'] });
    const everywhere = f.tenant.grantInProjects(carol, ProjectRole.OPERATOR);

    expect(f.project.grantsIn(f.production)).toEqual([everywhere, own]);
    expect(f.project.grantsIn(f.test)).toEqual([everywhere]);
    expect(f.project.grants).toEqual([own]);
    expect(f.tenant.projectGrants).toEqual([everywhere]);
  });

  it('never emit the built-in project roles, which KubeSphere creates in every project', () => {
    const f = fixture();
    f.project.grant(User.named('bob'), ProjectRole.ADMIN);
    f.project.grant(User.named('carol'), ProjectRole.OPERATOR);
    f.tenant.grantInProjects(User.named('dave'), ProjectRole.VIEWER);

    expect([...synthObjects(f.platform).values()].filter((o) => o.kind === 'Role')).toEqual([]);
  });

  it('emit a custom project role as a namespaced iam Role in each namespace where it is granted, and only there', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend');
    const deployer = ProjectRole.custom('deployer', { templates: ['namespace-view-app-workloads', 'namespace-manage-app-workloads'] });
    f.project.grant(User.named('bob'), deployer, { environments: [f.test] });
    f.project.grant(backend, deployer, { environments: [f.test] });
    const orders = f.tenant.addProject('orders', { environments: [f.test, f.production] });
    orders.grant(User.named('carol'), deployer, { environments: [f.production] });

    const objects = synthObjects(f.platform);
    expect(keysOfKind(objects, 'Role')).toEqual(['host/Role/orders/deployer', 'member-test/Role/storefront/deployer']);
    expect(objectAt(objects, 'member-test/Role/storefront/deployer')).toEqual({
      apiVersion: IAM,
      kind: 'Role',
      metadata: { name: 'deployer', namespace: 'storefront', labels: SHOP_LABELS },
      aggregationRoleTemplates: { templateNames: ['namespace-view-app-workloads', 'namespace-manage-app-workloads'] },
    });
    expect(keysOfKind(objects, 'RoleBinding')).toEqual([
      'host/RoleBinding/orders/carol-deployer',
      'member-test/RoleBinding/storefront/bob-deployer',
      'member-test/RoleBinding/storefront/shop-backend-deployer',
    ]);
    expect(objectAt(objects, 'member-test/RoleBinding/storefront/bob-deployer').roleRef).toEqual({ apiGroup: 'iam.kubesphere.io', kind: 'Role', name: 'deployer' });
  });

  it('emit a custom project role granted with tenant.grantInProjects in every namespace of every project', () => {
    const f = fixture();
    f.tenant.grantInProjects(User.named('bob'), ProjectRole.custom('reader', { templates: ['namespace-view-app-workloads'] }));
    f.tenant.addProject('orders', { environments: [f.production] });

    expect(keysOfKind(synthObjects(f.platform), 'Role')).toEqual(['host/Role/orders/reader', 'host/Role/storefront/reader', 'member-test/Role/storefront/reader']);
  });
});

describe('grant validation', () => {
  function billingDepartment(f: ReturnType<typeof fixture>) {
    const billing = f.platform.addTenant('billing', { manager: 'carol' });
    billing.addProject('ledger', { environments: [f.production] });
    return billing.addDepartment('finance', { members: ['dave'] });
  }

  it('reports a department of another tenant granted a role in this tenant\'s project', () => {
    const f = fixture();
    f.project.grant(billingDepartment(f), ProjectRole.VIEWER);

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] grant[0].subject: got "acme/billing/finance"; the department belongs to the tenant billing, and a tenant\'s roles go only to its own people. Fix: grant the role to a department of this tenant, or to the users themselves.',
    ]);
  });

  it('reports a department of another tenant granted a role in this tenant\'s workspace, or in all its projects', () => {
    const f = fixture();
    const finance = billingDepartment(f);
    f.tenant.grant(finance, WorkspaceRole.VIEWER);
    f.tenant.grantInProjects(finance, ProjectRole.VIEWER);

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grantInProjects[0].subject: got "acme/billing/finance"; the department belongs to the tenant billing, and a tenant\'s roles go only to its own people. Fix: grant the role to a department of this tenant, or to the users themselves.',
      '[acme/shop] grant[0].subject: got "acme/billing/finance"; the department belongs to the tenant billing, and a tenant\'s roles go only to its own people. Fix: grant the role to a department of this tenant, or to the users themselves.',
    ]);
  });

  it('reports a user name that is not a valid name, in the workspace and in a project', () => {
    const f = fixture();
    f.tenant.grant(User.named('Bob Smith'), WorkspaceRole.VIEWER);
    f.project.grant(User.named('-carol'), ProjectRole.VIEWER);

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grant[0].subject: got "Bob Smith"; a user name must be lowercase letters, digits, "-" and "." (a user name must be lowercase DNS labels (letters, digits, "-") joined by dots). Fix: name a KubeSphere user, e.g. User.named("alice").',
      '[acme/shop/storefront] grant[0].subject: got "-carol"; a user name must be lowercase letters, digits, "-" and "." (a user name must be lowercase DNS labels (letters, digits, "-") joined by dots). Fix: name a KubeSphere user, e.g. User.named("alice").',
    ]);
  });

  it('reports a user name above 63 characters (it is used in labels)', () => {
    const f = fixture();
    const name = `${'a'.repeat(40)}.${'b'.repeat(30)}`;
    f.tenant.grant(User.named(name), WorkspaceRole.VIEWER);

    expect(validationErrors(f.platform)).toEqual([
      `[acme/shop] grant[0].subject: got "${name}"; a user name must be at most 63 characters (it is used in labels). Fix: name a KubeSphere user, e.g. User.named("alice").`,
    ]);
  });

  it('reports the same user granted two workspace roles', () => {
    const f = fixture();
    f.tenant.grant(User.named('bob'), WorkspaceRole.VIEWER);
    f.tenant.grant(User.named('carol'), WorkspaceRole.VIEWER);
    f.tenant.grant(User.named('bob'), WorkspaceRole.REGULAR);

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grant[2].subject: got "bob"; grant[0] gives this user a workspace role already, and KubeSphere keeps one role per subject and workspace. Fix: grant one workspace role per user or department (a custom role can combine templates).',
    ]);
  });

  it('reports the same department granted two workspace roles', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend');
    f.tenant.grant(backend, WorkspaceRole.VIEWER);
    f.tenant.grant(backend, WorkspaceRole.custom('auditor', { templates: ['workspace-view-projects'] }));

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grant[1].subject: got "shop-backend"; grant[0] gives this department a workspace role already, and KubeSphere keeps one role per subject and workspace. Fix: grant one workspace role per user or department (a custom role can combine templates).',
    ]);
  });

  it('reports the same department granted two project roles in one environment', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend');
    f.project.grant(backend, ProjectRole.OPERATOR);
    f.project.grant(backend, ProjectRole.VIEWER, { environments: [f.production] });

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] grant: got "shop-backend"; in environment production this department is granted operator and viewer on project storefront; one subject has one role per project and environment. Fix: grant one role per subject and environment (a custom role can combine templates).',
    ]);
  });

  it('reports the same department granted two project roles in one environment through tenant.grantInProjects and project.grant', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend');
    f.tenant.grantInProjects(backend, ProjectRole.OPERATOR, { environments: ['test'] });
    f.project.grant(backend, ProjectRole.VIEWER);

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] grant: got "shop-backend"; in environment test this department is granted operator and viewer on project storefront; one subject has one role per project and environment. Fix: grant one role per subject and environment (a custom role can combine templates).',
    ]);
  });

  it('accepts one subject with different project roles in different environments', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend');
    f.tenant.grantInProjects(backend, ProjectRole.OPERATOR, { environments: ['test'] });
    f.project.grant(backend, ProjectRole.VIEWER, { environments: ['production'] });

    expect(() => synthObjects(f.platform)).not.toThrow();
  });

  it('reports a project grant in an environment the project is not placed in', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging' });
    f.project.grant(User.named('bob'), ProjectRole.VIEWER, { environments: [f.test, staging] });

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] grant[0].environments[1]: got "staging"; the project storefront is not placed in this environment (it is in: test, production). Fix: grant roles only in environments of the project.',
    ]);
  });

  it('reports a project grant naming an unknown environment, in a project and in all projects', () => {
    const f = fixture();
    f.project.grant(User.named('bob'), ProjectRole.VIEWER, { environments: ['prod'] });
    f.tenant.grantInProjects(User.named('carol'), ProjectRole.VIEWER, { environments: ['staging'] });

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grantInProjects[0].environments[0]: got "staging"; no environment of the platform has this name (environments: test, production). Fix: name an environment of the platform.',
      '[acme/shop/storefront] grant[0].environments[0]: got "prod"; no environment of the platform has this name (environments: test, production). Fix: name an environment of the platform.',
    ]);
  });

  it('reports a custom workspace role composed from a namespace role template', () => {
    const f = fixture();
    f.tenant.grant(User.named('bob'), WorkspaceRole.custom('auditor', { templates: ['workspace-view-projects', 'namespace-view-app-workloads'] }));

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grant[0].role: got "auditor"; the role template "namespace-view-app-workloads" is not a workspace role template of this KubeSphere release (they are named workspace-…, e.g. workspace-view-projects). Fix: compose the role from workspace role templates.',
    ]);
  });

  it('reports a custom project role composed from a workspace role template', () => {
    const f = fixture();
    f.project.grant(User.named('bob'), ProjectRole.custom('reader', { templates: ['workspace-view-projects'] }));

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] grant[0].role: got "reader"; the role template "workspace-view-projects" is not a project role template of this KubeSphere release (they are named namespace-…, e.g. namespace-view-app-workloads). Fix: compose the role from project role templates.',
    ]);
  });

  it('reports a custom project role of the wrong scope granted in every project, once at the tenant', () => {
    const f = fixture();
    f.tenant.grantInProjects(User.named('bob'), ProjectRole.custom('reader', { templates: ['workspace-view-projects'] }));
    f.tenant.addProject('orders', { environments: [f.production] });

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grantInProjects[0].role: got "reader"; the role template "workspace-view-projects" is not a project role template of this KubeSphere release (they are named namespace-…, e.g. namespace-view-app-workloads). Fix: compose the role from project role templates.',
    ]);
  });

  it('reports a custom role without role templates', () => {
    const f = fixture();
    f.tenant.grant(User.named('bob'), WorkspaceRole.custom('nothing', { templates: [] }));
    f.project.grant(User.named('bob'), ProjectRole.custom('nothing', { templates: [] }));

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grant[0].role: got "nothing"; a custom role needs at least one role template. Fix: name the role with lowercase letters, digits and "-", and compose it from workspace-… templates.',
      '[acme/shop/storefront] grant[0].role: got "nothing"; a custom role needs at least one role template. Fix: name the role with lowercase letters, digits and "-", and compose it from namespace-… templates.',
    ]);
  });

  it('reports a role of the wrong scope given where the types do not stop it (JavaScript callers)', () => {
    const f = fixture();
    f.tenant.grant(User.named('bob'), ProjectRole.VIEWER as unknown as WorkspaceRole);
    f.project.grant(User.named('carol'), WorkspaceRole.VIEWER as unknown as ProjectRole);

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grant[0].role: got "viewer"; a workspace grant needs a workspace role. Fix: use WorkspaceRole.ADMIN, REGULAR, VIEWER, SELF_PROVISIONER or WorkspaceRole.custom().',
      '[acme/shop/storefront] grant[0].role: got "viewer"; a project grant needs a project role. Fix: use ProjectRole.ADMIN, OPERATOR, VIEWER or ProjectRole.custom().',
    ]);
  });

  it('reports a custom role whose name is not a DNS label', () => {
    const f = fixture();
    f.tenant.grant(User.named('bob'), WorkspaceRole.custom('Auditor', { templates: ['workspace-view-projects'] }));
    f.project.grant(User.named('bob'), ProjectRole.custom('read_only', { templates: ['namespace-view-app-workloads'] }));

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] grant[0].role: got "Auditor"; a role name must be a DNS-1123 label (a name must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit). Fix: name the role with lowercase letters, digits and "-", and compose it from workspace-… templates.',
      '[acme/shop/storefront] grant[0].role: got "read_only"; a role name must be a DNS-1123 label (a name must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit). Fix: name the role with lowercase letters, digits and "-", and compose it from namespace-… templates.',
    ]);
  });

  it('reports a workspace role whose name <workspace>-<role> exceeds 63 characters, and accepts exactly 63', () => {
    const f = fixture();
    const tooLong = 'a'.repeat(59);
    f.tenant.grant(User.named('bob'), WorkspaceRole.custom(tooLong, { templates: ['workspace-view-projects'] }));
    f.tenant.grant(User.named('carol'), WorkspaceRole.custom('b'.repeat(58), { templates: ['workspace-view-projects'] }));

    expect(validationErrors(f.platform)).toEqual([
      `[acme/shop] grant[0].role: got "${tooLong}"; the workspace role name shop-${tooLong} has 64 characters, above the 63 a label value (iam.kubesphere.io/role-ref) allows. Fix: shorten the tenant or the role name.`,
    ]);
  });

  it('reports a custom role named like a built-in role', () => {
    const f = fixture();
    f.tenant.grant(User.named('bob'), WorkspaceRole.custom('admin', { templates: ['workspace-view-projects'] }));
    f.project.grant(User.named('carol'), ProjectRole.custom('viewer', { templates: ['namespace-manage-app-workloads'] }));

    expect(validationErrors(f.platform)).toEqual([
      expect.stringMatching(/^\[acme\/shop\] grant\[0\]\.role: got "admin"; /),
      expect.stringMatching(/^\[acme\/shop\/storefront\] grant\[0\]\.role: got "viewer"; /),
    ]);
  });

  it('reports two different custom roles with the same name in one workspace', () => {
    const f = fixture();
    f.tenant.grant(User.named('bob'), WorkspaceRole.custom('auditor', { templates: ['workspace-view-projects'] }));
    f.tenant.grant(User.named('carol'), WorkspaceRole.custom('auditor', { templates: ['workspace-manage-projects'] }));

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] roles: got "auditor"; two custom workspace roles of this tenant are named auditor, with different templates (workspace-view-projects and workspace-manage-projects). Fix: give each custom role its own name, or reuse one role object.',
    ]);
  });

  // Binding names are built from the model (`<subject>-<role>`), so two subjects can meet on one name: reported, not a crash.
  it('reports a user and a department whose binding names would be the same', () => {
    const f = fixture();
    f.project.grant(f.tenant.addDepartment('backend'), ProjectRole.VIEWER);
    f.project.grant(User.named('shop-backend'), ProjectRole.VIEWER);

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] RoleBinding: got "shop-backend-viewer"; on cluster host, acme/shop/storefront writes a RoleBinding of this name in namespace storefront already (names are built from the model: <subject>-<role>, <group>-<user> …). Fix: rename one of the users, departments, roles or services whose names meet here.',
      '[acme/shop/storefront] RoleBinding: got "shop-backend-viewer"; on cluster member-test, acme/shop/storefront writes a RoleBinding of this name in namespace storefront already (names are built from the model: <subject>-<role>, <group>-<user> …). Fix: rename one of the users, departments, roles or services whose names meet here.',
    ]);
  });
});

describe('DepartmentRef', () => {
  it('names a department of the granting tenant, for estates generated from tables', () => {
    const f = fixture();
    f.tenant.addDepartment('backend', { members: ['bob'] });
    f.project.grant(DepartmentRef.named('backend'), ProjectRole.OPERATOR, { environments: ['test'] });
    f.tenant.grant(DepartmentRef.named('backend'), WorkspaceRole.REGULAR);
    const objects = synthObjects(f.platform);
    expect((objectAt(objects, 'member-test/RoleBinding/storefront/shop-backend-operator').subjects as unknown[])[0]).toEqual({ kind: 'Group', apiGroup: 'iam.kubesphere.io', name: 'shop-backend' });
    objectAt(objects, 'host/WorkspaceRoleBinding/-/shop-backend-shop-regular');
  });

  it('reports a name that matches no department of the tenant', () => {
    const f = fixture();
    f.tenant.addDepartment('backend');
    f.project.grant(DepartmentRef.named('frontend'), ProjectRole.VIEWER);
    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] grant[0].subject: got "frontend"; the tenant shop has no department of this name (departments: backend). Fix: name a department added with tenant.addDepartment(), or add it.',
    ]);
  });
});

describe('grants across tenants', () => {
  it('refuse a user who belongs to another tenant, in a project and in every project of a tenant', () => {
    const f = fixture();
    f.platform.addTenant('pay', { manager: 'bob' }).addProject('api', { environments: [f.test] });
    f.project.grant(User.named('bob'), ProjectRole.VIEWER, { environments: [f.test] });
    f.tenant.grantInProjects(User.named('bob'), ProjectRole.VIEWER, { environments: [f.production] });
    
    const lines = validationErrors(f.platform);

    expect(lines).toEqual([
      '[acme/shop] grantInProjects[0].subject: got "bob"; user bob belongs to tenant pay (its manager) and not to tenant shop, so this would give another tenant\'s user rights in shop\'s namespaces. Fix: grant the role to a department of tenant shop, or make the user a member of shop first (shop.grant(User.named("bob"), WorkspaceRole.REGULAR)).',
      '[acme/shop/storefront] grant[0].subject: got "bob"; user bob belongs to tenant pay (its manager) and not to tenant shop, so this would give another tenant\'s user rights in shop\'s namespaces. Fix: grant the role to a department of tenant shop, or make the user a member of shop first (shop.grant(User.named("bob"), WorkspaceRole.REGULAR)).',
    ]);
  });

  it('accept a user who is a member of both tenants on KubeSphere', () => {
    const f = fixture();
    f.platform.addTenant('pay', { manager: 'bob' }).addProject('api', { environments: [f.test] });
    f.tenant.grant(User.named('bob'), WorkspaceRole.VIEWER);
    f.project.grant(User.named('bob'), ProjectRole.OPERATOR);

    expect(() => synthObjects(f.platform)).not.toThrow();
  });
});
