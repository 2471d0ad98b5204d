import type { IConstruct } from 'constructs';
import type { Environment } from './environment';
import { checkDns1123Label } from '../lib/names';

/**
 * Someone a role can be granted to: a user of the identity provider, or a department (a KubeSphere group).
 */
export interface ISubject {
  /** `User` or `Group`, as in a role binding's subject. */
  readonly subjectKind: 'User' | 'Group';
  /** The user's name, or the group's (for a department, `<tenant>-<department>`). */
  readonly subjectName: string;
  /** The department construct, for groups (to check that it belongs to the tenant). */
  readonly department?: IConstruct;
  /** For a department named in a grant (`DepartmentRef.named`), the name given. */
  readonly departmentName?: string;
}

/**
 * A department of the granting tenant, by name, for estates generated from tables. It is resolved when the
 * platform is checked; a name that matches no department of the tenant is reported.
 *
 * @example
 * project.grant(DepartmentRef.named('backend'), ProjectRole.OPERATOR);
 */
export class DepartmentRef implements ISubject {
  /**
   * A department by name.
   * @param name the department's name in the tenant that grants the role
   */
  public static named(name: string): DepartmentRef {
    return new DepartmentRef(name);
  }

  /** Always `Group`. */
  public readonly subjectKind = 'Group' as const;

  private constructor(
    /** The department's name. */
    public readonly departmentName: string,
  ) {}

  /** Unknown until the reference is bound to a tenant. */
  public get subjectName(): string {
    return this.departmentName;
  }
}

/** A named department bound to the tenant that grants the role: it resolves to that tenant's department. */
export class BoundDepartmentRef implements ISubject {
  /** Always `Group`. */
  public readonly subjectKind = 'Group' as const;

  /**
   * @param departments the granting tenant's departments, looked up when needed
   * @param tenantName the granting tenant's name
   * @param departmentName the name given
   */
  constructor(
    private readonly departments: () => readonly (IConstruct & { readonly name: string; readonly subjectName: string })[],
    private readonly tenantName: string,
    /** The name given. */
    public readonly departmentName: string,
  ) {}

  /** The department, if the tenant has one of this name. */
  public get department():
    | (IConstruct & {
        /** The department's name. */
        readonly name: string;
        /** The department's group name in KubeSphere. */
        readonly subjectName: string;
      })
    | undefined {
    return this.departments().find((d) => d.name === this.departmentName);
  }

  /** The department's group name. */
  public get subjectName(): string {
    return this.department?.subjectName ?? `${this.tenantName}-${this.departmentName}`;
  }
}

/**
 * A user, by name. Users come from the identity provider (LDAP, OIDC …) that KubeSphere is connected to;
 * platform-cdk never creates them and never writes a password.
 *
 * @example
 * tenant.grant(User.named('alice'), WorkspaceRole.ADMIN);
 */
export class User implements ISubject {
  /**
   * A user by their KubeSphere user name.
   * @param name the user name, e.g. `alice`
   */
  public static named(name: string): User {
    return new User(name);
  }

  /** Always `User`. */
  public readonly subjectKind = 'User' as const;

  private constructor(
    /** The user name. */
    public readonly subjectName: string,
  ) {}
}

/** The scope a role applies in. */
export type RoleScope = 'workspace' | 'project';

/** The names of the roles KubeSphere creates itself, per scope. */
const BUILT_IN_NAMES: Record<RoleScope, readonly string[]> = {
  workspace: ['admin', 'regular', 'viewer', 'self-provisioner'],
  project: ['admin', 'operator', 'viewer'],
};

/** A role, built in or composed from KubeSphere role templates. */
abstract class Role {
  protected constructor(
    /** The role's name: `admin`, `operator`, a custom role's name … */
    public readonly name: string,
    /** For a custom role, the role templates it is composed of; empty for a built-in role. */
    public readonly templates: readonly string[],
    private readonly custom: boolean,
  ) {}

  /** Whether KubeSphere creates this role itself (the library then only binds to it). */
  public get builtIn(): boolean {
    return !this.custom;
  }

  /** The scope of the role. */
  public abstract get scope(): RoleScope;

  /**
   * What is wrong with the role's name and templates, if anything (the target checks that the templates exist).
   * @internal
   */
  public _problem(): string | undefined {
    const n = checkDns1123Label(this.name);
    if (n) return `a role name must be a DNS-1123 label (${n})`;
    if (this.custom && this.templates.length === 0) return 'a custom role needs at least one role template';
    if (this.custom && BUILT_IN_NAMES[this.scope].includes(this.name)) {
      return `${this.name} is the name of a built-in ${this.scope} role, which KubeSphere creates and a custom role must not replace`;
    }
    return undefined;
  }
}

/** Options of a custom role. */
export interface CustomRoleOptions {
  /** The KubeSphere role templates the role is composed of (KubeSphere fills the role's rules from them). */
  readonly templates: readonly string[];
}

/**
 * A role in a tenant's workspace. KubeSphere creates the four built-in roles of every workspace
 * (`<workspace>-admin`, `-regular`, `-viewer`, `-self-provisioner`); a custom role is composed from
 * workspace role templates.
 */
export class WorkspaceRole extends Role {
  /** Manages the workspace: members, projects, settings. */
  public static readonly ADMIN = new WorkspaceRole('admin', [], false);
  /** Works in the projects they are invited to. */
  public static readonly REGULAR = new WorkspaceRole('regular', [], false);
  /** Sees everything in the workspace, changes nothing. */
  public static readonly VIEWER = new WorkspaceRole('viewer', [], false);
  /** May create projects of their own (in development, for previews). */
  public static readonly SELF_PROVISIONER = new WorkspaceRole('self-provisioner', [], false);

  /**
   * A workspace role composed from role templates: in KubeSphere 4.1 e.g. `workspace-view-projects`,
   * `workspace-view-members`; in 3.4 e.g. `role-template-view-projects`.
   * @param name the role's name inside the workspace (the WorkspaceRole is `<workspace>-<name>`)
   * @param options its role templates
   */
  public static custom(name: string, options: CustomRoleOptions): WorkspaceRole {
    return new WorkspaceRole(name, [...options.templates], true);
  }

  /** Always `workspace`. */
  public get scope(): RoleScope {
    return 'workspace';
  }
}

/**
 * A role in a project namespace. KubeSphere creates `admin`, `operator` and `viewer` in every project; a custom
 * role is composed from namespace role templates.
 */
export class ProjectRole extends Role {
  /** Manages the project, its members and its settings. */
  public static readonly ADMIN = new ProjectRole('admin', [], false);
  /** Manages the project's workloads and configuration. */
  public static readonly OPERATOR = new ProjectRole('operator', [], false);
  /** Sees the project's resources, changes nothing. */
  public static readonly VIEWER = new ProjectRole('viewer', [], false);

  /**
   * A project role composed from role templates: in KubeSphere 4.1 e.g. `namespace-view-app-workloads`; in
   * 3.4 e.g. `role-template-view-app-workloads`.
   * @param name the role's name in each namespace
   * @param options its role templates
   */
  public static custom(name: string, options: CustomRoleOptions): ProjectRole {
    return new ProjectRole(name, [...options.templates], true);
  }

  /** Always `project`. */
  public get scope(): RoleScope {
    return 'project';
  }
}

/** A role granted to a subject in a tenant's workspace. */
export interface WorkspaceGrant {
  /** Who. */
  readonly subject: ISubject;
  /** Which role. */
  readonly role: WorkspaceRole;
}

/**
 * Every environment of one kind, for grants that follow the environments as they are added: a role in every
 * production environment (the partner clusters' too), or in every other one.
 *
 * @example
 * tenant.grantInProjects(auditors, ProjectRole.VIEWER, { environments: [EnvironmentSelector.PRODUCTION] });
 */
export class EnvironmentSelector {
  /** Every environment with `production: true`. */
  public static readonly PRODUCTION = new EnvironmentSelector('every production environment', true);
  /** Every environment without `production: true` (previews are granted to their owner only, whatever the grants). */
  public static readonly NON_PRODUCTION = new EnvironmentSelector('every non-production environment', false);

  /** Whether a value is an environment selector. */
  public static isEnvironmentSelector(this: void, x: unknown): x is EnvironmentSelector {
    return x instanceof EnvironmentSelector;
  }

  private constructor(
    /** What it selects, in words (as reports show it). */
    public readonly name: string,
    private readonly production: boolean,
  ) {}

  /**
   * Whether the selector takes an environment.
   * @param environment the environment
   */
  public matches(environment: { readonly production: boolean }): boolean {
    return environment.production === this.production;
  }
}

/** An environment named in a grant: the environment, its name, or every environment of a kind. */
export type GrantEnvironment = Environment | string | EnvironmentSelector;

/**
 * Whether an environment named in a grant is a given environment.
 * @param ref the environment named in the grant
 * @param environment the environment
 * @param find looks an environment up by name
 */
export function grantEnvironmentMatches(ref: GrantEnvironment, environment: Environment, find: (name: string) => Environment | undefined): boolean {
  if (EnvironmentSelector.isEnvironmentSelector(ref)) return ref.matches(environment);
  return (typeof ref === 'string' ? find(ref) : ref) === environment;
}

/** Options of a grant in projects. */
export interface ProjectGrantOptions {
  /**
   * The environments the role is granted in, e.g. operator in development and test, viewer in production:
   * environments, their names, or `EnvironmentSelector.PRODUCTION` / `NON_PRODUCTION` for every environment of a kind.
   * @default - every environment of the project
   */
  readonly environments?: readonly GrantEnvironment[];
}

/** A role granted to a subject in a project (or in every project of a tenant). */
export interface ProjectGrant extends ProjectGrantOptions {
  /** Who. */
  readonly subject: ISubject;
  /** Which role. */
  readonly role: ProjectRole;
}

/**
 * Where one user is given a role in a tenant's namespaces (a RoleBinding in the output).
 * @internal
 */
export interface UserBinding {
  /** The user. */
  readonly user: string;
  /** The tenant whose namespaces the binding lands in. */
  readonly tenant: string;
  /** The construct path of the grant. */
  readonly path: string;
  /** The property of the grant, e.g. `grant[0]`, `grantInProjects[1]` or `owner`. */
  readonly property: string;
  /** A grant, or the ownership of a preview (admin in its namespaces). */
  readonly kind: 'grant' | 'owner';
}

/** The parts of a tenant the membership rules read (a structural view, so that this module imports no construct). */
interface TenantView {
  readonly name: string;
  readonly manager: string;
  readonly node: { readonly path: string };
  readonly workspaceGrants: readonly WorkspaceGrant[];
  readonly projectGrants: readonly ProjectGrant[];
  readonly selfProvisioningGrants: readonly { readonly subject: ISubject }[];
  readonly departments: readonly { readonly name: string; readonly members: readonly string[] }[];
  readonly projects: readonly { readonly node: { readonly path: string }; readonly grants: readonly ProjectGrant[] }[];
}

/**
 * What the membership rules read of a platform.
 * @internal
 */
export interface MembershipView {
  /** Whether the target is plain Kubernetes (no workspace objects: nothing makes a user a tenant's member). */
  readonly plainKubernetes: boolean;
  /** The tenants. */
  readonly tenants: readonly TenantView[];
  /** The previews that are written, with their tenant and owner. */
  readonly previews: readonly { readonly path: string; readonly property: string; readonly tenant?: string; readonly owner?: ISubject }[];
}

/**
 * Which tenants each user belongs to, and how: its manager, a workspace role (or self-provisioning), a member of
 * a department. These are what KubeSphere writes at the workspace level (the WorkspaceTemplate's manager, a
 * WorkspaceRoleBinding, a GroupBinding).
 * @param view the platform's tenants
 * @internal
 */
export function userMemberships(view: MembershipView): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const join = (user: unknown, tenant: string, how: string): void => {
    if (typeof user !== 'string') return;
    const m = out.get(user) ?? new Map<string, string>();
    if (!m.has(tenant)) m.set(tenant, how);
    out.set(user, m);
  };
  for (const t of view.tenants) {
    join(t.manager, t.name, 'its manager');
    for (const g of t.workspaceGrants) if (g?.subject?.subjectKind === 'User') join(g.subject.subjectName, t.name, `workspace role ${g.role?.name}`);
    for (const g of t.selfProvisioningGrants) if (g?.subject?.subjectKind === 'User') join(g.subject.subjectName, t.name, 'self-provisioning');
    for (const d of t.departments) for (const m of d.members) join(m, t.name, `a member of department ${d.name}`);
  }
  return out;
}

/**
 * Every place a user (not a department) is bound in a tenant's namespaces: project grants, grants in every
 * project, preview owners, and on plain Kubernetes workspace roles (written as RoleBindings in each namespace).
 * @param view the platform's tenants and previews
 * @internal
 */
export function userBindings(view: MembershipView): UserBinding[] {
  const out: UserBinding[] = [];
  const add = (subject: ISubject | undefined, tenant: string, path: string, property: string, kind: 'grant' | 'owner' = 'grant'): void => {
    if (subject?.subjectKind === 'User' && typeof subject.subjectName === 'string') out.push({ user: subject.subjectName, tenant, path, property, kind });
  };
  for (const t of view.tenants) {
    if (view.plainKubernetes) t.workspaceGrants.forEach((g, i) => add(g?.subject, t.name, t.node.path, `grant[${i}]`));
    t.projectGrants.forEach((g, i) => add(g?.subject, t.name, t.node.path, `grantInProjects[${i}]`));
    for (const p of t.projects) p.grants.forEach((g, i) => add(g?.subject, t.name, p.node.path, `grant[${i}]`));
  }
  for (const p of view.previews) if (p.tenant !== undefined) add(p.owner, p.tenant, p.path, p.property, 'owner');
  return out;
}

/**
 * A cross-tenant binding of a user, as a model problem's fields.
 * @internal
 */
export interface CrossTenantBinding {
  /** The binding. */
  readonly binding: UserBinding;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * The user bindings that cross tenants, as `checkIsolation` would find them in the output: a user who belongs to
 * other tenants (manager, workspace role, department member) and not to the binding's; a user who belongs to no
 * tenant and is bound in several (KubeSphere targets); on plain Kubernetes, where nothing in the output makes a
 * user a member of several tenants, any user bound in more than one tenant.
 * @param view the platform's tenants and previews
 * @internal
 */
export function crossTenantBindings(view: MembershipView): CrossTenantBinding[] {
  const members = userMemberships(view);
  const bindings = userBindings(view);
  const tenantsOf = new Map<string, Set<string>>();
  for (const b of bindings) tenantsOf.set(b.user, (tenantsOf.get(b.user) ?? new Set<string>()).add(b.tenant));
  const out: CrossTenantBinding[] = [];
  for (const b of bindings) {
    const of = members.get(b.user);
    const bound = [...(tenantsOf.get(b.user) ?? [])].filter((t) => t !== b.tenant).sort();
    const memberOf = of ? [...of.keys()].sort() : [];
    if (memberOf.length > 0 && !memberOf.includes(b.tenant)) {
      const how = memberOf.map((t) => `${t} (${of?.get(t)})`).join(', ');
      const what = b.kind === 'owner' ? `owning the preview would give another tenant's user admin rights in its namespaces of ${b.tenant}` : `this would give another tenant's user rights in ${b.tenant}'s namespaces`;
      const instead = b.kind === 'owner' ? `make a department of tenant ${b.tenant} the owner` : `grant the role to a department of tenant ${b.tenant}`;
      out.push({
        binding: b,
        message: `user ${b.user} belongs to tenant ${how} and not to tenant ${b.tenant}, so ${what}`,
        fix: view.plainKubernetes
          ? `${instead}, or one of its own users`
          : `${instead}, or make the user a member of ${b.tenant} first (${b.tenant}.grant(User.named(${JSON.stringify(b.user)}), WorkspaceRole.REGULAR))`,
      });
    } else if (bound.length > 0 && (view.plainKubernetes || memberOf.length === 0)) {
      out.push({
        binding: b,
        message: view.plainKubernetes
          ? `user ${b.user} is bound in tenant ${b.tenant} and in tenant ${bound.join(', ')}, and on plain Kubernetes nothing in the output makes a user a member of several tenants`
          : `user ${b.user} is bound in tenant ${b.tenant} and in tenant ${bound.join(', ')}, and is a member of neither workspace`,
        fix: view.plainKubernetes
          ? 'bind the user in one tenant only, and grant departments (groups of the identity provider) in the others'
          : `make the user a member of each tenant's workspace (tenant.grant(User.named(${JSON.stringify(b.user)}), WorkspaceRole.REGULAR)), or grant departments instead`,
      });
    }
  }
  return out;
}
