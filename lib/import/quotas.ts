/**
 * Project quotas per environment in `platform-cdk import`: a project's exported quotas (one ResourceQuota
 * `project-quota` per namespace) split into the values every environment shares, written once as the project's
 * `quota`, and the values that differ, written as `project.quotaIn(<environment>, { … })` — the way the hand-written
 * examples give test a smaller quota than production.
 */
import { code, Ref } from './code';
import type { Code } from './code';
import { literal, str } from './format';

/** The quota values of a project (millicores, MiB, pods) by name, as `ProjectQuota` names them. */
export type QuotaValues = Record<string, number>;

/** A project's quota split by {@link splitQuotas}. */
export interface SplitQuota {
  /** The values common to every environment that differ from the default (undefined: none). */
  readonly quota?: QuotaValues;
  /** Per environment, the values that differ between environments and from what the project's quota gives. */
  readonly perEnvironment: Record<string, QuotaValues>;
}

/**
 * Splits a project's quotas into what every environment shares and what differs.
 * @param environments the project's environments
 * @param exported per environment, the exported values that differ from the default (an environment not given has the default)
 * @param defaults the library's default quota
 */
export function splitQuotas(environments: readonly string[], exported: Readonly<Record<string, QuotaValues>>, defaults: Readonly<QuotaValues>): SplitQuota {
  const full = (env: string): QuotaValues => ({ ...defaults, ...(exported[env] ?? {}) });
  const keys = Object.keys(defaults);
  const quota: QuotaValues = {};
  const perEnvironment: Record<string, QuotaValues> = {};
  for (const k of keys) {
    const values = environments.map((env) => full(env)[k]);
    if (values.every((v) => v === values[0])) {
      if (values.length > 0 && values[0] !== defaults[k]) quota[k] = values[0];
      continue;
    }
    for (const env of environments) if (full(env)[k] !== defaults[k]) (perEnvironment[env] ??= {})[k] = full(env)[k];
  }
  return { quota: Object.keys(quota).length > 0 ? quota : undefined, perEnvironment };
}

/**
 * The statements that set a project's quota per environment: `<project>.quotaIn('test', { … })`.
 * @param tenant the project's tenant
 * @param project the project
 * @param perEnvironment what {@link splitQuotas} gave per environment
 */
export function quotaStatements(tenant: string, project: string, perEnvironment: Readonly<Record<string, QuotaValues>>): Code[] {
  return Object.entries(perEnvironment).map(([env, q]) => code()`${Ref.project(tenant, project)}.quotaIn(${str(env)}, ${literal(q)})`);
}
