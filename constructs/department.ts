import { Construct } from 'constructs';
import { checkDns1123Label, checkDns1123Subdomain } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { assertNewChild, Platform, Target } from './platform';
import type { ISubject } from './access';
import { Tenant } from './tenant';

/** Properties of a {@link Department}. */
export interface DepartmentProps {
  /**
   * The department's name in the KubeSphere console (`kubesphere.io/alias-name`).
   * @default - none
   */
  readonly displayName?: string;
  /**
   * Its members, by user name.
   * @default - none (add with `addMember`)
   */
  readonly members?: string[];
}

const DEPARTMENT = Symbol.for('platform-cdk.Department');

/**
 * A department of a tenant: a KubeSphere group, possibly inside another department. A department can be
 * granted roles like a user, per environment, so that everyone in it gets them.
 *
 * @example
 * const backend = tenant.addDepartment('backend', { members: ['bob', 'carol'] });
 * project.grant(backend, ProjectRole.OPERATOR, { environments: [dev, test] });
 * project.grant(backend, ProjectRole.VIEWER, { environments: [production] });
 */
export class Department extends Construct implements ISubject {
  /** Whether a value is a Department. */
  public static isDepartment(this: void, x: unknown): x is Department {
    return typeof x === 'object' && x !== null && DEPARTMENT in x;
  }

  /** The department's name (its construct id), unique in its tenant. */
  public readonly name: string;
  /** The tenant it belongs to. */
  public readonly tenant: Tenant;
  /** The department it is part of, if any. */
  public readonly parent?: Department;
  /** The console name, if set. */
  public readonly displayName?: string;
  /** Always `Group`. */
  public readonly subjectKind = 'Group' as const;
  private readonly memberNames: string[] = [];

  /**
   * @param scope the tenant or the parent department
   * @param id the department's name
   * @param props console name and members
   */
  constructor(scope: Tenant | Department, id: string, props: DepartmentProps = {}) {
    super(scope, id);
    Object.defineProperty(this, DEPARTMENT, { value: true });
    this.name = id;
    this.tenant = Tenant.of(scope);
    this.parent = Department.isDepartment(scope) ? scope : undefined;
    this.displayName = props.displayName;
    for (const m of props.members ?? []) this.addMember(m);
  }

  /** The KubeSphere group's name: `<tenant>-<department>` (groups are cluster-wide). */
  public get subjectName(): string {
    return `${this.tenant.name}-${this.name}`;
  }

  /** This department, as the subject of a grant. */
  public get department(): Department {
    return this;
  }

  /**
   * Adds a department inside this one.
   * @param id its name, unique in the tenant
   * @param props console name and members
   */
  public addDepartment(id: string, props: DepartmentProps = {}): Department {
    assertNewChild(this, id, 'department', props);
    return new Department(this, id, props);
  }

  /**
   * Adds a member.
   * @param user the user's name
   */
  public addMember(user: string): void {
    this.memberNames.push(user);
  }

  /** The members, by user name, in the order they were added. */
  public get members(): readonly string[] {
    return this.memberNames;
  }

  /**
   * On plain Kubernetes a group has no object of its own: it belongs to the tenant its `<tenant>-<department>` name
   * starts with, the longest tenant name first. A department whose group name starts with another, longer tenant's
   * name and "-" (department `eu-ops` of `shop` beside a tenant `shop-eu`) would be read as that tenant's.
   */
  private checkGroupTenant(problems: ProblemCollector, path: string): void {
    const platform = Platform.of(this);
    if (platform.target !== Target.KUBERNETES) return;
    const group = this.subjectName;
    const other = platform.tenants.find((t) => t !== this.tenant && typeof t.name === 'string' && t.name.length > this.tenant.name.length && group.startsWith(`${t.name}-`));
    if (other) {
      problems.error({ path, property: 'name', value: this.name, message: `on plain Kubernetes a group belongs to the tenant its name starts with, and the group ${group} starts with the name of tenant ${other.name}, so its bindings would cross tenants`, fix: `rename the department (or tenant ${other.name}) so that ${group} does not start with "${other.name}-"` });
    }
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const n = checkDns1123Label(this.name);
    if (n) problems.error({ path, property: 'name', value: this.name, message: n, fix: 'name the department like "backend" or "risk-control"' });
    else if (this.subjectName.length > 63) {
      problems.error({ path, property: 'name', value: this.name, message: `the KubeSphere group name ${this.subjectName} (the tenant's name, "-", the department's) has ${this.subjectName.length} characters, above 63`, fix: `shorten the department name to at most ${62 - this.tenant.name.length} characters` });
    }
    else this.checkGroupTenant(problems, path);
    const seen = new Set<string>();
    this.memberNames.forEach((m, i) => {
      const u = checkUserName(m);
      if (u) problems.error({ path, property: `members[${i}]`, value: m, message: u, fix: 'name a KubeSphere user, e.g. "alice"' });
      if (seen.has(m)) problems.error({ path, property: `members[${i}]`, value: m, message: 'the user is a member already', fix: 'list each member once' });
      seen.add(m);
    });
  }
}

/** What is wrong with a KubeSphere user name, if anything (it is used in object names and labels). */
export function checkUserName(name: unknown): string | undefined {
  const p = checkDns1123Subdomain(name);
  if (p) return `a user name must be lowercase letters, digits, "-" and "." (${p.replace('a domain name', 'a user name')})`;
  if ((name as string).length > 63) return 'a user name must be at most 63 characters (it is used in labels)';
  return undefined;
}
