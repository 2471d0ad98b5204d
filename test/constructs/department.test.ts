import { Department, ProjectRole, Target, User, WorkspaceRole } from 'platform-cdk';
import { fixture, objectAt, synthObjects, validationErrors } from '../fixture';

const IAM = 'iam.kubesphere.io/v1beta1';
const SHOP_LABELS = {
  'app.kubernetes.io/managed-by': 'platform-cdk',
  'platform-cdk.io/tenant': 'shop',
  'kubesphere.io/workspace': 'shop',
};

describe('Department', () => {
  it('renders an iam.kubesphere.io Group named <tenant>-<department> on the host cluster only, with its display name', () => {
    const f = fixture();
    f.tenant.addDepartment('backend', { displayName: 'Backend team' });

    const objects = synthObjects(f.platform);
    expect([...objects.keys()].filter((k) => k.includes('/Group/'))).toEqual(['host/Group/-/shop-backend']);
    expect(objectAt(objects, 'host/Group/-/shop-backend')).toEqual({
      apiVersion: IAM,
      kind: 'Group',
      metadata: { name: 'shop-backend', labels: SHOP_LABELS, annotations: { 'kubesphere.io/alias-name': 'Backend team' } },
      spec: {},
    });
  });

  it('writes no annotations on a Group without a display name', () => {
    const f = fixture();
    f.tenant.addDepartment('backend');

    expect(objectAt(synthObjects(f.platform), 'host/Group/-/shop-backend').metadata).toEqual({ name: 'shop-backend', labels: SHOP_LABELS });
  });

  it('labels the Group of a nested department with its parent group, at every level', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend');
    const api = backend.addDepartment('api', { displayName: 'API' });
    api.addDepartment('payments-api');

    const objects = synthObjects(f.platform);
    expect(objectAt(objects, 'host/Group/-/shop-api')).toEqual({
      apiVersion: IAM,
      kind: 'Group',
      metadata: { name: 'shop-api', labels: { ...SHOP_LABELS, 'iam.kubesphere.io/group-parent': 'shop-backend' }, annotations: { 'kubesphere.io/alias-name': 'API' } },
      spec: {},
    });
    expect(objectAt(objects, 'host/Group/-/shop-payments-api').metadata.labels).toEqual({ ...SHOP_LABELS, 'iam.kubesphere.io/group-parent': 'shop-api' });
    expect(objectAt(objects, 'host/Group/-/shop-backend').metadata.labels).toEqual(SHOP_LABELS);
  });

  it('writes one GroupBinding <group>-<user> per member, on the host cluster only', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend', { members: ['carol', 'bob'] });
    backend.addMember('dave.smith');

    const objects = synthObjects(f.platform);
    expect([...objects.keys()].filter((k) => k.includes('/GroupBinding/')).sort()).toEqual([
      'host/GroupBinding/-/shop-backend-bob',
      'host/GroupBinding/-/shop-backend-carol',
      'host/GroupBinding/-/shop-backend-dave.smith',
    ]);
    expect(objectAt(objects, 'host/GroupBinding/-/shop-backend-carol')).toEqual({
      apiVersion: IAM,
      kind: 'GroupBinding',
      metadata: {
        name: 'shop-backend-carol',
        labels: { ...SHOP_LABELS, 'iam.kubesphere.io/user-ref': 'carol', 'iam.kubesphere.io/group-ref': 'shop-backend' },
      },
      groupRef: { apiGroup: 'iam.kubesphere.io', kind: 'groups', name: 'shop-backend' },
      users: ['carol'],
    });
  });

  it('binds the members of a nested department to its own group, not its parent\'s', () => {
    const f = fixture();
    f.tenant.addDepartment('backend', { members: ['bob'] }).addDepartment('api', { members: ['dave'] });

    const objects = synthObjects(f.platform);
    expect([...objects.keys()].filter((k) => k.includes('/GroupBinding/')).sort()).toEqual(['host/GroupBinding/-/shop-api-dave', 'host/GroupBinding/-/shop-backend-bob']);
    expect(objectAt(objects, 'host/GroupBinding/-/shop-api-dave')).toEqual({
      apiVersion: IAM,
      kind: 'GroupBinding',
      metadata: { name: 'shop-api-dave', labels: { ...SHOP_LABELS, 'iam.kubesphere.io/user-ref': 'dave', 'iam.kubesphere.io/group-ref': 'shop-api' } },
      groupRef: { apiGroup: 'iam.kubesphere.io', kind: 'groups', name: 'shop-api' },
      users: ['dave'],
    });
  });

  it('writes a department without members as a Group alone', () => {
    const f = fixture();
    f.tenant.addDepartment('backend');

    const kinds = [...synthObjects(f.platform).values()].map((o) => o.kind);
    expect(kinds).toContain('Group');
    expect(kinds).not.toContain('GroupBinding');
  });

  it('knows its tenant, its parent, its group name and its members', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend', { members: ['bob'] });
    const api = backend.addDepartment('api');
    api.addMember('dave');

    expect(api.tenant).toBe(f.tenant);
    expect(api.parent).toBe(backend);
    expect(backend.parent).toBeUndefined();
    expect(api.subjectKind).toBe('Group');
    expect(api.subjectName).toBe('shop-api');
    expect(api.department).toBe(api);
    expect(api.members).toEqual(['dave']);
    expect(f.tenant.departments).toEqual([backend, api]);
    expect(Department.isDepartment(api)).toBe(true);
    expect(Department.isDepartment(f.tenant)).toBe(false);
  });

  it('throws at once when a department id is taken in the same parent', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend');
    backend.addDepartment('api');

    expect(() => f.tenant.addDepartment('backend')).toThrow('[acme/shop] id: got "backend"; a department or other construct with this id exists already here. Fix: give each department its own id.');
    expect(() => backend.addDepartment('api')).toThrow('[acme/shop/backend] id: got "api"; a department or other construct with this id exists already here. Fix: give each department its own id.');
  });
});

describe('department validation', () => {
  it('reports a member whose user name is not a valid name', () => {
    const f = fixture();
    f.tenant.addDepartment('backend', { members: ['bob', 'Carol Smith'] });

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/backend] members[1]: got "Carol Smith"; a user name must be lowercase letters, digits, "-" and "." (a user name must be lowercase DNS labels (letters, digits, "-") joined by dots). Fix: name a KubeSphere user, e.g. "alice".',
    ]);
  });

  it('reports a member listed twice, with the position of the repetition', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend', { members: ['bob', 'carol'] });
    backend.addMember('bob');

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/backend] members[2]: got "bob"; the user is a member already. Fix: list each member once.',
    ]);
  });

  it('reports a department whose group name <tenant>-<department> exceeds 63 characters, and accepts exactly 63', () => {
    const f = fixture();
    const tooLong = 'a'.repeat(59);
    f.tenant.addDepartment(tooLong);
    f.tenant.addDepartment('b'.repeat(58));

    expect(validationErrors(f.platform)).toEqual([
      `[acme/shop/${tooLong}] name: got "${tooLong}"; the KubeSphere group name shop-${tooLong} (the tenant's name, "-", the department's) has 64 characters, above 63. Fix: shorten the department name to at most 58 characters.`,
    ]);
  });

  it('reports a department name that is not a DNS label', () => {
    const f = fixture();
    f.tenant.addDepartment('Back_End');

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/Back_End] name: got "Back_End"; a name must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit. Fix: name the department like "backend" or "risk-control".',
    ]);
  });

  it('reports two departments of one tenant with the same name, even nested in different parents', () => {
    const f = fixture();
    f.tenant.addDepartment('backend').addDepartment('platform');
    f.tenant.addDepartment('frontend').addDepartment('platform');

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/frontend/platform] name: got "platform"; the department acme/shop/backend/platform has this name already, and a tenant\'s department names must be unique (each is a KubeSphere group shop-platform). Fix: give each department of a tenant its own name.',
    ]);
  });

  it('accepts departments of the same name in different tenants (their groups differ)', () => {
    const f = fixture();
    f.tenant.addDepartment('backend', { members: ['bob'] });
    const billing = f.platform.addTenant('billing', { manager: 'bob' });
    billing.addProject('ledger', { environments: [f.production] });
    billing.addDepartment('backend', { members: ['bob'] });

    const groups = [...synthObjects(f.platform).keys()].filter((k) => k.includes('/Group/')).sort();
    expect(groups).toEqual(['host/Group/-/billing-backend', 'host/Group/-/shop-backend']);
  });

  it('reports two tenants whose departments map to the same KubeSphere group name', () => {
    const f = fixture();
    f.tenant.addDepartment('eu-backend', { members: ['bob'] });
    const shopEu = f.platform.addTenant('shop-eu', { manager: 'mallory' });
    shopEu.addProject('api', { environments: [f.production] });
    shopEu.addDepartment('backend', { members: ['mallory'] });

    expect(validationErrors(f.platform)).toEqual([expect.stringMatching(/^\[acme\/shop(-eu)?\/[a-z-]+\] name: .*shop-eu-backend/)]);
  });

  // GroupBinding names are `<group>-<user>`, as KubeSphere's, so two can meet: reported before anything is written.
  it('reports departments whose <group>-<user> binding names would coincide', () => {
    const f = fixture();
    f.tenant.addDepartment('a', { members: ['b-c'] });
    f.tenant.addDepartment('a-b', { members: ['c'] });

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop] GroupBinding: got "shop-a-b-c"; on cluster host, acme/shop writes a GroupBinding of this name already (names are built from the model: <subject>-<role>, <group>-<user> …). Fix: rename one of the users, departments, roles or services whose names meet here.',
    ]);
  });

  it('can be granted roles in the workspace and in projects like a user', () => {
    const f = fixture();
    const backend = f.tenant.addDepartment('backend', { members: ['bob'] });
    f.tenant.grant(backend, WorkspaceRole.REGULAR);
    f.project.grant(backend, ProjectRole.OPERATOR);
    f.project.grant(User.named('bob'), ProjectRole.VIEWER);

    const objects = synthObjects(f.platform);
    expect(objectAt(objects, 'host/WorkspaceRoleBinding/-/shop-backend-shop-regular').subjects).toEqual([{ kind: 'Group', apiGroup: 'iam.kubesphere.io', name: 'shop-backend' }]);
    expect(objectAt(objects, 'member-test/RoleBinding/storefront/shop-backend-operator').subjects).toEqual([{ kind: 'Group', apiGroup: 'iam.kubesphere.io', name: 'shop-backend' }]);
  });
});

describe('departments on plain Kubernetes', () => {
  it('may not have a group name that reads as another, longer tenant\'s', () => {
    const f = fixture(Target.KUBERNETES);
    f.platform.addTenant('shop-eu', { manager: 'zed' }).addProject('eu', { environments: [f.test] });
    f.tenant.addDepartment('eu-ops');
    f.tenant.addDepartment('backend');

    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/eu-ops] name: got "eu-ops"; on plain Kubernetes a group belongs to the tenant its name starts with, and the group shop-eu-ops starts with the name of tenant shop-eu, so its bindings would cross tenants. Fix: rename the department (or tenant shop-eu) so that shop-eu-ops does not start with "shop-eu-".',
    ]);
  });

  it('may on KubeSphere, where the group is an object of its tenant', () => {
    const f = fixture();
    f.platform.addTenant('shop-eu', { manager: 'zed' }).addProject('eu', { environments: [f.test] });
    f.tenant.addDepartment('eu-ops');

    expect(() => synthObjects(f.platform)).not.toThrow();
  });
});
