/**
 * Project grants in `platform-cdk import`: the RoleBindings of a project's namespaces (KubeSphere's
 * `iam.kubesphere.io` ones, the plain `rbac.authorization.k8s.io` ones of the Kubernetes target) back to the grants
 * the model has — `tenant.grantInProjects(subject, role, { environments })` where every project of the tenant has the
 * same grant in an environment, `project.grant(subject, role, { environments })` for the rest — with custom project
 * roles (`ProjectRole.custom`) composed of the templates their Role names; and workspace grants of custom workspace
 * roles (`WorkspaceRole.custom`). A binding is claimed only when the library writes it again as it is: named
 * `<subject>-<role>`, one subject (a department of the tenant or a user), and no labels but those the library writes.
 */
import type { KubeObject } from '../manifest';
import { Code, code, Ref } from './code';
import type { ImportedTenant } from './model';
import type { EstateContext, EstateIndex, NamespaceContext } from './passes';
import type { ExportedObject } from './read';
import { str } from './format';

/** The built-in project roles, by name, as the typed model names them. */
const PROJECT_ROLES: Readonly<Record<string, string>> = { admin: 'ADMIN', operator: 'OPERATOR', viewer: 'VIEWER' };

/** The cluster roles the Kubernetes target binds for each built-in project role. */
const CLUSTER_ROLES: Readonly<Record<string, string>> = { admin: 'admin', edit: 'operator', view: 'viewer' };

/** Label keys the library writes on a binding or a role; a binding with any other label is not claimed. */
const OWN_LABEL = /^(app\.kubernetes\.io\/managed-by|platform-cdk\.io\/(tenant|environment)|kubesphere\.io\/workspace|iam\.kubesphere\.io\/(user-ref|group-ref|role-ref))$/;

/** The annotation KubeSphere 3.x composes a role from (a JSON list of role templates). */
const AGGREGATION = 'iam.kubesphere.io/aggregation-roles';

/** Who a role is granted to. */
type Subject = { readonly department: string } | { readonly user: string };

/** One grant found in one namespace. */
interface FoundGrant {
  readonly tenant: string;
  readonly project: string;
  readonly environment: string;
  readonly subject: Subject;
  /** The role's name. */
  readonly role: string;
  /** A custom role's templates (undefined: a built-in role). */
  readonly templates?: readonly string[];
}

/** The grants found per estate, read by {@link writeProjectGrants} once every project was read. */
const FOUND = new WeakMap<EstateIndex, FoundGrant[]>();

type Binding = { subjects?: { kind?: string; name?: string }[]; roleRef?: { apiGroup?: string; kind?: string; name?: string } };

function onlyOwnLabels(o: KubeObject): boolean {
  return Object.keys(o.metadata.labels ?? {}).every((k) => OWN_LABEL.test(k));
}

/** A role's templates: KubeSphere 4's `aggregationRoleTemplates`, or 3.x's annotation. */
export function roleTemplates(role: KubeObject): string[] | undefined {
  const field = (role as unknown as { aggregationRoleTemplates?: { templateNames?: unknown } }).aggregationRoleTemplates?.templateNames;
  if (Array.isArray(field) && field.length > 0 && field.every((t) => typeof t === 'string')) return field as string[];
  const text = role.metadata.annotations?.[AGGREGATION];
  if (text === undefined) return undefined;
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) && list.length > 0 && list.every((t) => typeof t === 'string') ? (list as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The subject of a binding, as a department of the tenant or a user. */
function subjectOf(tenant: ImportedTenant, b: Binding): Subject | undefined {
  const s = b.subjects?.length === 1 ? b.subjects[0] : undefined;
  if (!s?.name) return undefined;
  if (s.kind === 'User') return { user: s.name };
  if (s.kind !== 'Group') return undefined;
  const d = tenant.departments?.find((x) => `${tenant.name}-${x.name}` === s.name);
  return d ? { department: d.name } : undefined;
}

function subjectName(tenant: string, s: Subject): string {
  return 'user' in s ? s.user : `${tenant}-${s.department}`;
}

/**
 * Claims the RoleBindings of a project's namespace that are grants of the model (and the custom Roles they bind),
 * and remembers them for {@link writeProjectGrants}.
 */
export function readProjectGrants(ctx: NamespaceContext): void {
  const tenant = ctx.tenant;
  const candidates: { e: ExportedObject; grant: FoundGrant; role?: ExportedObject }[] = [];
  for (const e of ctx.unclaimed()) {
    const o = e.object;
    if (o.kind !== 'RoleBinding' || !onlyOwnLabels(o)) continue;
    const group = o.apiVersion.split('/')[0];
    if (group !== 'iam.kubesphere.io' && group !== 'rbac.authorization.k8s.io') continue;
    const b = o as unknown as Binding;
    const subject = subjectOf(tenant, b);
    const ref = b.roleRef;
    if (!subject || !ref?.name) continue;
    let role: string | undefined;
    let templates: string[] | undefined;
    let roleObject: ExportedObject | undefined;
    if (ref.kind === 'ClusterRole' && group === 'rbac.authorization.k8s.io') role = CLUSTER_ROLES[ref.name];
    else if (ref.kind === 'Role' && PROJECT_ROLES[ref.name]) role = ref.name;
    else if (ref.kind === 'Role') {
      roleObject = ctx.objects.find((x) => x.object.kind === 'Role' && x.object.metadata.name === ref.name && x.object.apiVersion.split('/')[0] === ref.apiGroup);
      templates = roleObject && onlyOwnLabels(roleObject.object) ? roleTemplates(roleObject.object) : undefined;
      if (templates && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ref.name)) role = ref.name;
    }
    // The library names a binding `<subject>-<role>`: another name would not come back.
    if (!role || o.metadata.name !== `${subjectName(tenant.name, subject)}-${role}`) continue;
    candidates.push({ e, role: roleObject, grant: { tenant: tenant.name, project: ctx.project.name, environment: ctx.environment.name, subject, role, templates } });
  }
  // One subject has one role per project and environment: several bindings of one subject stay as they are.
  const count = new Map<string, number>();
  for (const c of candidates) count.set(subjectName(tenant.name, c.grant.subject), (count.get(subjectName(tenant.name, c.grant.subject)) ?? 0) + 1);
  const found = FOUND.get(ctx.index) ?? FOUND.set(ctx.index, []).get(ctx.index)!;
  for (const c of candidates) {
    const who = subjectName(tenant.name, c.grant.subject);
    if (count.get(who) !== 1) continue;
    found.push(c.grant);
    ctx.claim(c.e, 'typed', `grant of ${c.grant.role} in project ${ctx.project.name} to ${who} in ${ctx.environment.name}`);
    if (c.role && !ctx.isClaimed(c.role)) ctx.claim(c.role, 'generated', `custom project role ${c.grant.role}, written where it is granted`);
  }
}

function subjectCode(tenant: string, s: Subject): Code {
  return 'user' in s ? code(['User'])`User.named(${str(s.user)})` : code()`${Ref.department(tenant, s.department)}`;
}

function roleCode(scope: 'ProjectRole' | 'WorkspaceRole', role: string, templates: readonly string[] | undefined): Code {
  if (!templates) return code([scope])`${scope}.${PROJECT_ROLES[role]}`;
  return code([scope])`${scope}.custom(${str(role)}, { templates: [${templates.map(str).join(', ')}] })`;
}

function environmentsOption(envs: readonly string[], all: readonly string[]): string {
  return envs.length === all.length && all.every((e) => envs.includes(e)) ? '' : `, { environments: [${envs.map(str).join(', ')}] }`;
}

/**
 * Writes the grants {@link readProjectGrants} found: a grant every project of a tenant has in an environment (where the
 * tenant has several projects) once for the tenant, the others per project, each with the environments it is in.
 */
export function writeProjectGrants(ctx: EstateContext): void {
  const found = FOUND.get(ctx.index) ?? [];
  FOUND.delete(ctx.index);
  const byTenant = new Map<string, FoundGrant[]>();
  for (const g of found) (byTenant.get(g.tenant) ?? byTenant.set(g.tenant, []).get(g.tenant)!).push(g);
  for (const [tname, grants] of byTenant) {
    const tenant = ctx.index.tenants.get(tname);
    if (!tenant) continue;
    // The same subject and role (and templates): one grant, over projects and environments.
    const groups = new Map<string, FoundGrant[]>();
    for (const g of grants) {
      const k = JSON.stringify([subjectName(tname, g.subject), g.role, g.templates ?? null]);
      (groups.get(k) ?? groups.set(k, []).get(k)!).push(g);
    }
    const tenantEnvs = [...new Set(tenant.projects.flatMap((p) => p.environments))];
    const order = (envs: Iterable<string>): string[] => tenantEnvs.filter((e) => [...envs].includes(e));
    for (const list of groups.values()) {
      const { subject, role, templates } = list[0];
      const has = (project: string, env: string): boolean => list.some((g) => g.project === project && g.environment === env);
      const wide =
        tenant.projects.length > 1
          ? tenantEnvs.filter((env) => {
              const inEnv = tenant.projects.filter((p) => p.environments.includes(env));
              return inEnv.length > 0 && inEnv.every((p) => has(p.name, env));
            })
          : [];
      const who = subjectCode(tname, subject);
      const what = roleCode('ProjectRole', role, templates);
      if (wide.length > 0) ctx.statement(code()`${Ref.tenant(tname)}.grantInProjects(${who}, ${what}${environmentsOption(wide, tenantEnvs)})`);
      const rest = new Map<string, Set<string>>();
      for (const g of list) if (!wide.includes(g.environment)) (rest.get(g.project) ?? rest.set(g.project, new Set()).get(g.project)!).add(g.environment);
      for (const [pname, envs] of rest) {
        const project = tenant.projects.find((p) => p.name === pname);
        if (!project) continue;
        ctx.statement(code()`${Ref.project(tname, pname)}.grant(${who}, ${what}${environmentsOption(order(envs), project.environments)})`);
      }
    }
  }
  writeCustomWorkspaceGrants(ctx);
}

/**
 * Workspace grants of custom workspace roles (the built-in ones are read with the tenant): a WorkspaceRoleBinding
 * `<subject>-<workspace>-<role>` to a WorkspaceRole `<workspace>-<role>` composed of templates.
 */
function writeCustomWorkspaceGrants(ctx: EstateContext): void {
  const unclaimed = ctx.unclaimed();
  const roles = new Set<ExportedObject>();
  for (const e of unclaimed) {
    const o = e.object;
    if (o.kind !== 'WorkspaceRoleBinding' || !o.apiVersion.startsWith('iam.kubesphere.io/') || !onlyOwnLabels(o)) continue;
    const tenant = ctx.index.tenants.get(o.metadata.labels?.['kubesphere.io/workspace'] ?? '');
    const b = o as unknown as Binding;
    if (!tenant || b.roleRef?.kind !== 'WorkspaceRole' || !b.roleRef.name?.startsWith(`${tenant.name}-`)) continue;
    const name = b.roleRef.name.slice(tenant.name.length + 1);
    const roleObject = unclaimed.find((x) => x.object.kind === 'WorkspaceRole' && x.object.metadata.name === b.roleRef?.name && x.cluster === e.cluster);
    const templates = roleObject && onlyOwnLabels(roleObject.object) ? roleTemplates(roleObject.object) : undefined;
    const subject = subjectOf(tenant, b);
    if (!subject || !templates || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || o.metadata.name !== `${subjectName(tenant.name, subject)}-${b.roleRef.name}`) continue;
    // One workspace role per subject and workspace (KubeSphere keeps one).
    if ((tenant.grants ?? []).some((g) => ('user' in subject ? g.user === subject.user : g.department === subject.department))) continue;
    ctx.statement(code()`${Ref.tenant(tenant.name)}.grant(${subjectCode(tenant.name, subject)}, ${roleCode('WorkspaceRole', name, templates)})`);
    ctx.claim(e, 'typed', `a grant of tenant ${tenant.name} of the custom role ${name}`);
    if (roleObject && !roles.has(roleObject)) ctx.claim(roleObject, 'generated', `custom workspace role ${name}, written where it is granted`);
    if (roleObject) roles.add(roleObject);
  }
}
