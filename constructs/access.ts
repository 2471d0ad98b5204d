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

/** Options of a grant in projects. */
export interface ProjectGrantOptions {
  /**
   * The environments the role is granted in, e.g. operator in development and test, viewer in production.
   * @default - every environment of the project
   */
  readonly environments?: readonly (Environment | string)[];
}

/** A role granted to a subject in a project (or in every project of a tenant). */
export interface ProjectGrant extends ProjectGrantOptions {
  /** Who. */
  readonly subject: ISubject;
  /** Which role. */
  readonly role: ProjectRole;
}
