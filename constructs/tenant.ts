import { Construct, IConstruct } from 'constructs';
import { checkDns1123Label, checkDns1123Subdomain } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import type { Cluster } from './cluster';
import { assertNewChild, Platform } from './platform';
import { Project, ProjectProps } from './project';

/** Properties of a {@link Tenant}. */
export interface TenantProps {
  /**
   * The user who manages the workspace, by user name in KubeSphere (users come from the identity provider;
   * platform-cdk never creates them or their passwords).
   */
  readonly manager: string;
  /**
   * A human name shown in the KubeSphere console (`kubesphere.io/alias-name`).
   * @default - none
   */
  readonly displayName?: string;
  /**
   * A sentence on the business domain (`kubesphere.io/description`).
   * @default - none
   */
  readonly description?: string;
}

const TENANT = Symbol.for('platform-cdk.Tenant');

/**
 * A tenant: one KubeSphere workspace, usually one business domain. Its placement on clusters is derived
 * from where its projects land, so it is never placed where it has nothing.
 */
export class Tenant extends Construct {
  /** Whether a value is a Tenant. */
  public static isTenant(this: void, x: unknown): x is Tenant {
    return typeof x === 'object' && x !== null && TENANT in x;
  }

  /**
   * The tenant a construct is defined in.
   * @param construct a project, a service, or the tenant itself
   */
  public static of(construct: IConstruct): Tenant {
    const t = construct.node.scopes.reverse().find(Tenant.isTenant);
    if (!t) throw new Error(`[${construct.node.path}] is not inside a Tenant`);
    return t;
  }

  /** The workspace name (the construct id). */
  public readonly name: string;
  /** The user who manages the workspace. */
  public readonly manager: string;
  /** The console name, if set. */
  public readonly displayName?: string;
  /** The description, if set. */
  public readonly description?: string;

  /**
   * @param scope the platform
   * @param id the workspace name (DNS-1123 label)
   * @param props the manager and console texts
   */
  constructor(scope: Construct, id: string, props: TenantProps) {
    super(scope, id);
    Object.defineProperty(this, TENANT, { value: true });
    Platform.of(this)._register(this);
    this.name = id;
    this.manager = props.manager;
    this.displayName = props.displayName;
    this.description = props.description;
  }

  /**
   * Adds a project (a namespace of this tenant, placed in environments).
   * @param id the project's name; its namespace unless `namespace` says otherwise
   * @param props the environments it is placed in
   */
  public addProject(id: string, props: ProjectProps): Project {
    assertNewChild(this, id, 'project');
    return new Project(this, id, props);
  }

  /** The tenant's projects, in the order they were added. */
  public get projects(): Project[] {
    return this.node.children.filter(Project.isProject);
  }

  /** The clusters where the tenant has at least one project, sorted by name: the workspace's placement. */
  public get clusters(): Cluster[] {
    const byName = new Map<string, Cluster>();
    for (const project of this.projects) {
      for (const env of project.environments) for (const c of env.clusters) byName.set(c.name, c);
    }
    return [...byName.keys()].sort().map((n) => byName.get(n) as Cluster);
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const p = checkDns1123Label(this.name);
    if (p) problems.error({ path, property: 'name', value: this.name, message: p, fix: 'name the tenant after its business domain, e.g. "payments"' });
    const m = checkDns1123Subdomain(this.manager);
    if (m) problems.error({ path, property: 'manager', value: this.manager, message: `a manager is a KubeSphere user name: ${m.replace('a domain name', 'a user name')}`, fix: 'name an existing user, e.g. "alice"' });
    if (this.projects.length === 0) {
      problems.warning({ path, property: 'projects', value: [], message: 'the tenant has no project, so its workspace is placed on no cluster', fix: 'add a project with tenant.addProject(), or remove the tenant' });
    }
  }
}
