/**
 * Placement finer than a project's environments: a service (app or stateful) present in only some of its project's
 * environments, and the checks that keep connections to such services, and to projects placed on some of an
 * environment's clusters, from pointing at nothing (docs/tenancy.md, "Placement").
 */
import type { IConstruct } from 'constructs';
import type { ProblemCollector } from '../lib/problems';
import type { Cluster } from './cluster';
import type { IConnectable } from './connection';
import { Environment } from './environment';
import { Platform } from './platform';
import type { EnvironmentRef } from './project';


/** The placement option of a service (`AppServiceProps`, `StatefulServiceProps`). */
export interface ServicePlacementOptions {
  /**
   * The environments of its project the service runs in, e.g. a load generator in `test` only. A service that
   * calls it from an environment where it does not run is a model error.
   * @default - every environment of its project
   */
  readonly environments?: readonly EnvironmentRef[];
}

/** What a project exposes to the placement checks (a structural view: this module imports no project). */
interface ProjectView {
  readonly name: string;
  readonly environments: Environment[];
  isPlacedIn(environment: Environment): boolean;
  clustersIn(environment: Environment): Cluster[];
}

/** A service as the placement checks see it. */
interface ServiceView extends IConstruct {
  readonly name: string;
  readonly project: ProjectView;
}

const DECLARED = new WeakMap<IConstruct, readonly EnvironmentRef[]>();

function isPreview(environment: Environment): boolean {
  return Symbol.for('platform-cdk.PreviewEnvironment') in environment;
}

/**
 * Records the environments a service was declared in (from its props).
 * @param service the service
 * @param environments the environments given, if any
 * @internal
 */
export function declareServiceEnvironments(service: IConstruct, environments: readonly EnvironmentRef[] | undefined): void {
  if (environments !== undefined) DECLARED.set(service, Array.isArray(environments) ? [...environments] : (environments as unknown as EnvironmentRef[]));
}

/**
 * The environments a service was declared in, as given; `undefined` when it runs in all of its project's.
 * @param service the service
 */
export function declaredServiceEnvironments(service: IConstruct): readonly EnvironmentRef[] | undefined {
  return DECLARED.get(service);
}

/**
 * Whether a service's own declaration lets it run in an environment of its project. A preview is decided by the
 * preview (it runs the services it names).
 * @param service the service
 * @param environment an environment of its project
 */
export function declaredIn(service: IConstruct, environment: Environment): boolean {
  const refs = DECLARED.get(service);
  if (!refs || isPreview(environment) || !Array.isArray(refs)) return true;
  return refs.some((ref) => (typeof ref === 'string' ? ref === environment.name : ref === environment));
}

/** The environments a service runs in, in words, for messages. */
function describeEnvironments(service: IConstruct & { readonly project: ProjectView }): string {
  return service.project.environments.filter((e) => !isPreview(e) && declaredIn(service, e)).map((e) => e.name).join(', ') || 'none';
}

/**
 * Reports `environments` of a service that are not a list of its project's environments.
 * @param problems where problems go
 * @param service the service
 * @internal
 */
export function checkServiceEnvironments(problems: ProblemCollector, service: ServiceView): void {
  const refs = DECLARED.get(service);
  if (refs === undefined) return;
  const path = service.node.path;
  if (!Array.isArray(refs)) {
    problems.error({ path, property: 'environments', value: refs, message: 'the environments of a service are a list', fix: 'list environments of the project, e.g. environments: ["test"]' });
    return;
  }
  if (refs.length === 0) {
    problems.error({ path, property: 'environments', value: [], message: 'a service listed in no environment runs nowhere', fix: 'list at least one environment of the project, or remove the service' });
  }
  const platform = Platform.of(service);
  const seen = new Set<Environment>();
  refs.forEach((ref, i) => {
    const property = `environments[${i}]`;
    const env = typeof ref === 'string' ? platform.findEnvironment(ref) : Environment.isEnvironment(ref) ? ref : undefined;
    const label = typeof ref === 'string' ? ref : Environment.isEnvironment(ref) ? ref.name : ref;
    if (!env || env.node.root !== platform) {
      problems.error({ path, property, value: label, message: `no environment of the platform has this name (environments: ${platform.environments.map((e) => e.name).join(', ') || 'none'})`, fix: 'name an environment of the project' });
    } else if (!service.project.isPlacedIn(env)) {
      problems.error({ path, property, value: label, message: `the project ${service.project.name} is not placed in this environment (it is in: ${service.project.environments.filter((e) => !isPreview(e)).map((e) => e.name).join(', ') || 'none'})`, fix: 'name an environment of the project, or place the project in it' });
    } else if (seen.has(env)) {
      problems.warning({ path, property, value: label, message: 'the environment is listed twice', fix: 'list each environment once' });
    } else seen.add(env);
  });
}

/**
 * Reports a preview that runs a service that does not run in the preview's baseline environment (a preview is a
 * copy of its baseline, changed; there is nothing of that service to copy).
 * @param problems where problems go
 * @param preview the preview's construct and baseline
 * @param services the services of one project that the preview runs
 * @internal
 */
export function checkPreviewPlacement(problems: ProblemCollector, preview: IConstruct & { readonly baseline?: Environment }, services: readonly ServiceView[]): void {
  const base = preview.baseline;
  if (!base) return;
  for (const s of services) {
    if (!s.project.isPlacedIn(base) || declaredIn(s, base)) continue;
    problems.error({
      path: preview.node.path,
      property: 'services',
      value: s.node.path,
      message: `the preview runs ${s.node.path}, which does not run in its baseline environment ${base.name} (it runs in: ${describeEnvironments(s)})`,
      fix: `preview services that run in ${base.name}, or add ${base.name} to the environments of ${s.name}`,
    });
  }
}

/**
 * Reports connections whose target does not run where the caller does: in an environment where the caller runs, the
 * target's project is placed but the target is declared in other environments only; or the target's project is on
 * none of the clusters where the caller's project runs in that environment (a Service name resolves on its own
 * cluster only). The problem names both services.
 * @param problems where problems go
 * @param caller the calling service
 * @param connections its connections, in the order declared
 * @param environments the environments where the caller runs
 * @param reachedIn the environment whose instance of a target the caller reaches from an environment
 * @internal
 */
export function checkConnectionPlacement(
  problems: ProblemCollector,
  caller: ServiceView,
  connections: readonly { readonly target: IConnectable }[],
  environments: readonly Environment[],
  reachedIn: (target: IConnectable, environment: Environment) => Environment | undefined,
): void {
  const path = caller.node.path;
  connections.forEach((c, i) => {
    const t = c.target as IConnectable & Partial<ServiceView>;
    if (!t || !t.node || !t.project || typeof t.project.isPlacedIn !== 'function') return; // reported by the caller's own checks
    const target = t as IConnectable & ServiceView;
    for (const env of environments) {
      const reached = reachedIn(target, env);
      if (!reached || !target.project.isPlacedIn(reached)) continue; // the project's absence is reported by the caller
      if (!declaredIn(target, reached)) {
        problems.error({
          path,
          property: `connectsTo[${i}]`,
          value: target.node.path,
          message: `${path} runs in environment ${reached.name} and calls ${target.node.path}, which does not run there (it runs in: ${describeEnvironments(target)})`,
          fix: `add ${reached.name} to the environments of ${target.name}, or list the environments of ${caller.name} without ${reached.name}`,
        });
        continue;
      }
      if (isPreview(env)) continue; // a preview runs on its own cluster and reaches its baseline's instances there
      const mine = caller.project.clustersIn(env);
      const theirs = target.project.clustersIn(reached);
      const missing = mine.filter((x) => !theirs.includes(x));
      if (missing.length > 0) {
        problems.error({
          path,
          property: `connectsTo[${i}]`,
          value: target.node.path,
          message: `in environment ${env.name} ${path} runs on cluster ${missing.map((x) => x.name).join(', ')}, where the project ${target.project.name} of ${target.node.path} is not placed (it is on ${theirs.map((x) => x.name).join(', ') || 'no cluster'}), and a Service name resolves on its own cluster only`,
          fix: `place project ${target.project.name} on ${missing.map((x) => x.name).join(', ')} in ${env.name} too, or project ${caller.project.name} on its clusters only`,
        });
      }
    }
  });
}
