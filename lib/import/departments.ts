/**
 * What a tenant's departments may do beyond their workspace role: self-provisioning (`tenant.allowSelfProvisioning`),
 * KubeSphere's `<workspace>-self-provisioner` role bound on the member clusters of the environments where members may
 * create projects themselves. A binding on the host is a workspace grant like any other (lib/import/recognise.ts).
 */
import { code, Ref } from './code';
import type { Code } from './code';
import type { EstatePass } from './passes';
import type { ExportedObject } from './read';
import { str } from './writer';

type Binding = { roleRef?: { name?: string }; subjects?: { kind?: string; name?: string }[] };

/**
 * Self-provisioning: for each department or user of a tenant bound to its self-provisioner role on member clusters,
 * the environments whose every cluster has the binding (and that are not production, as the model requires) become
 * `tenant.allowSelfProvisioning(subject, [environments])`. Bindings on clusters of no such environment stay unclaimed.
 */
export const selfProvisioningPass: EstatePass = (ctx) => {
  const hosts = new Set(ctx.index.clusters.filter((c) => c.role === 'host').map((c) => c.name));
  // tenant → subject (`Group:name` / `User:name`) → bindings by cluster
  const found = new Map<string, Map<string, Map<string, ExportedObject>>>();
  for (const e of ctx.unclaimed()) {
    if (e.object.kind !== 'WorkspaceRoleBinding' || !e.object.apiVersion.startsWith('iam.kubesphere.io/') || hosts.has(e.cluster)) continue;
    const tenant = e.object.metadata.labels?.['kubesphere.io/workspace'] ?? '';
    const b = e.object as unknown as Binding;
    const subject = b.subjects?.length === 1 ? b.subjects[0] : undefined;
    if (!ctx.index.tenants.has(tenant) || b.roleRef?.name !== `${tenant}-self-provisioner` || !subject?.name || (subject.kind !== 'Group' && subject.kind !== 'User')) continue;
    const byTenant = found.get(tenant) ?? found.set(tenant, new Map()).get(tenant)!;
    const key = `${subject.kind}:${subject.name}`;
    (byTenant.get(key) ?? byTenant.set(key, new Map()).get(key)!).set(e.cluster, e);
  }
  for (const [tenant, subjects] of found) {
    const t = ctx.index.tenants.get(tenant)!;
    for (const [key, byCluster] of subjects) {
      const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      const department = kind === 'Group' ? (t.departments ?? []).find((d) => `${tenant}-${d.name}` === name) : undefined;
      if (kind === 'Group' && !department) continue;
      // An environment qualifies when every one of its clusters has the binding and it is the only environment there.
      const envs = [...ctx.index.environments.values()].filter(
        (env) =>
          !env.production &&
          env.clusters.length > 0 &&
          env.clusters.every((c) => byCluster.has(c) && [...ctx.index.environments.values()].filter((x) => x.clusters.includes(c)).length === 1),
      );
      const covered = new Set(envs.flatMap((env) => env.clusters));
      if (envs.length === 0 || [...byCluster.keys()].some((c) => !covered.has(c))) continue;
      const subject: Code = department ? code()`${Ref.department(tenant, department.name)}` : code(['User'])`User.named(${str(name)})`;
      ctx.statement(code()`${Ref.tenant(tenant)}.allowSelfProvisioning(${subject}, [${envs.map((env) => str(env.name)).join(', ')}])`);
      for (const [, e] of byCluster) ctx.claim(e, 'typed', `self-provisioning of ${name} in tenant ${tenant}`);
    }
  }
};
