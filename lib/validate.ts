/**
 * Model validation: every construct's own checks, then the checks that need the whole estate. Every problem
 * is collected; nothing stops at the first.
 */
import type { IConstruct } from 'constructs';
import type { Platform } from '../constructs/platform';
import { connectionCycles } from './connections';
import { whileModelFrozen } from './frozen-model';
import { ClusterPlan, planPlatform } from './plan';
import { emitterOf } from './render';
import { Problem, ProblemCollector } from './problems';
import { ALIAS_NAME_ANNOTATION, DESCRIPTION_ANNOTATION } from './emitters/kubesphere';
import { checkAnnotations } from './values';
import { AnnotationKeys } from './workloads';

interface ModelCheck {
  _checkModel(problems: ProblemCollector): void;
}

function hasModelCheck(c: IConstruct): c is IConstruct & ModelCheck {
  return typeof (c as Partial<ModelCheck>)._checkModel === 'function';
}

/**
 * Checks a platform model and returns every problem found, errors and warnings, sorted by construct path.
 * Validations added with `node.addValidation()` are run too and reported as errors.
 * @param platform the platform
 * @param plan its per-cluster plan, when the caller has it already
 */
export function validatePlatform(platform: Platform, plan: readonly ClusterPlan[] = planPlatform(platform)): Problem[] {
  return whileModelFrozen(() => checkPlatform(platform, plan));
}

function checkPlatform(platform: Platform, plan: readonly ClusterPlan[]): Problem[] {
  const problems = new ProblemCollector();
  for (const c of platform.node.findAll()) {
    try {
      if (hasModelCheck(c)) c._checkModel(problems);
      for (const message of c.node.validate()) {
        problems.error({ path: c.node.path, property: '-', value: undefined, message, fix: 'see the validation added to this construct' });
      }
    } catch (e) {
      problems.error({ path: c.node.path, property: '-', value: undefined, message: `checking this construct failed: ${(e as Error).message}`, fix: 'check the values given to this construct' });
    }
  }
  checkPlacements(plan, problems);
  checkCycles(platform, problems);
  checkAcceptedTenants(platform, problems);
  checkAnnotationText(platform, problems);
  try {
    emitterOf(platform).checkTarget(platform, problems);
  } catch (e) {
    problems.error({ path: platform.node.path, property: 'target', value: platform.target, message: (e as Error).message, fix: `use one of the targets of the Target enum` });
  }
  return problems.problems;
}

/** Declared connections may not form a cycle: each is reported once, spelled out. */
function checkCycles(platform: Platform, problems: ProblemCollector): void {
  for (const cycle of connectionCycles(platform)) {
    const first = cycle[0];
    problems.error({
      path: first.node.path,
      property: 'connectsTo',
      value: cycle.map((s) => s.node.path).join(' → '),
      message: 'these services connect to each other in a cycle, so none of them can be created first',
      fix: 'remove one of the connections of the cycle (a callback is often better as an event or a queue)',
    });
  }
}

/**
 * Text a user gives that is written as annotations (the console's display names and descriptions of tenants,
 * departments and projects, the reasons of a service's waivers in each environment): each a string, and together
 * within Kubernetes' limit of 256 KiB per object, so that the API server never refuses an object the model wrote.
 * (A preview's branch is checked by the platform.)
 */
function checkAnnotationText(platform: Platform, problems: ProblemCollector): void {
  const report = (c: IConstruct, annotations: Record<string, unknown>, property: (key: string) => string): boolean => {
    const found = checkAnnotations(annotations);
    for (const a of found) {
      // The whole is too large: name the longest text, the one to shorten.
      const key = a.key ?? Object.keys(annotations).sort((x, y) => String(annotations[y]).length - String(annotations[x]).length)[0];
      const text = typeof annotations[key] === 'string';
      problems.error({ path: c.node.path, property: property(key), value: annotations[key], message: `the text is written as the annotation ${key}: ${a.message}`, fix: text ? 'shorten the text (a description is a sentence or two; a waiver\'s reason one line)' : 'give the text as a string' });
    }
    return found.length > 0;
  };
  const consoleText = (c: IConstruct & { readonly displayName?: unknown; readonly description?: unknown }): void => {
    const annotations: Record<string, unknown> = {};
    if (c.displayName !== undefined) annotations[ALIAS_NAME_ANNOTATION] = c.displayName;
    if (c.description !== undefined) annotations[DESCRIPTION_ANNOTATION] = c.description;
    report(c, annotations, (k) => (k === ALIAS_NAME_ANNOTATION ? 'displayName' : 'description'));
  };
  for (const tenant of platform.tenants) {
    consoleText(tenant);
    for (const d of tenant.departments) consoleText(d);
    for (const project of tenant.projects) {
      consoleText(project);
      for (const service of project.services) {
        for (const env of service.environments) {
          let waivers: readonly (readonly [string, unknown])[];
          try {
            waivers = service.settingsFor(env).waivers;
          } catch {
            continue; // reported by the service's own checks
          }
          const annotations: Record<string, unknown> = {};
          for (const [rule, reason] of waivers) annotations[`${AnnotationKeys.WAIVER_PREFIX}${rule}`] = reason;
          // Once per service: the waivers are the same text in every environment that relaxes a default.
          if (report(service, annotations, (k) => `waivers.${k.slice(AnnotationKeys.WAIVER_PREFIX.length).replace(/^production-/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())} (in ${env.name})`)) break;
        }
      }
    }
  }
}

/**
 * A service accepts connections only from tenants of its own platform: a tenant of another `Platform` root is
 * another estate, whose namespaces and users this one knows nothing of.
 */
function checkAcceptedTenants(platform: Platform, problems: ProblemCollector): void {
  const tenants = new Set(platform.tenants);
  for (const tenant of platform.tenants) {
    for (const project of tenant.projects) {
      for (const service of [...project.services, ...project.statefulServices]) {
        (service.acceptedTenants ?? []).forEach((t, i) => {
          if (tenants.has(t)) return;
          const where = t?.node?.path;
          problems.error({
            path: service.node.path,
            property: `acceptFrom[${i}]`,
            value: where ?? t,
            message: where === undefined ? 'this is not a tenant' : `the tenant belongs to another platform (${t.node.root.node.id}), and a service admits only tenants of its own platform`,
            fix: `accept a tenant of platform ${platform.node.id} (platform.addTenant(…)), or declare both estates in one Platform`,
          });
        });
      }
    }
  }
}

/**
 * Namespaces must be unique per cluster; an ingress host and path belong to one service per cluster, and a
 * host to one tenant in the whole estate (two tenants' Ingresses for one public name, even on different
 * clusters, would route it to whichever DNS points at).
 */
function checkPlacements(plans: readonly ClusterPlan[], problems: ProblemCollector): void {
  const hosts = new Map<string, { tenant: string; service: IConstruct; cluster: string }>();
  for (const plan of plans) {
    const namespaces = new Map<string, { project: IConstruct; environment: string }>();
    const routes = new Map<string, { service: IConstruct; namespace: string }>();
    for (const placement of plan.placements) {
      const first = namespaces.get(placement.namespace);
      if (first) {
        problems.error({
          path: placement.project.node.path,
          property: 'namespace',
          value: placement.namespace,
          message: `on cluster ${plan.cluster.name}, ${first.project.node.path} (environment ${first.environment}) has this namespace already (environment ${placement.environment.name})`,
          fix: first.project === placement.project
            ? `give the environments that share cluster ${plan.cluster.name} different namespaceSuffix values, or place them on different clusters`
            : 'give one of the projects another name or `namespace`',
        });
        continue;
      }
      namespaces.set(placement.namespace, { project: placement.project, environment: placement.environment.name });
      const tenant = placement.project.tenant.name;
      for (const service of placement.project.servicesIn(placement.environment)) {
        // Every host an exposure routes: during a pending cut-over also the service's own host beside the public one.
        for (const exposure of service.exposures) for (const { host } of exposure.routesIn(placement.environment)) {
          const claim = hosts.get(host);
          if (claim && claim.tenant !== tenant) {
            problems.error({ path: service.node.path, property: 'expose', value: host, message: `on cluster ${claim.cluster}, ${claim.service.node.path} of tenant ${claim.tenant} claims this host already; a host belongs to one tenant`, fix: 'give the service a host of its own tenant\'s domain' });
          } else if (!claim) hosts.set(host, { tenant, service, cluster: plan.cluster.name });
          const key = `${host}${exposure.path}`;
          const owner = routes.get(key);
          if (owner) {
            const where = owner.service === service ? `this service (in namespace ${owner.namespace})` : `${owner.service.node.path} (in namespace ${owner.namespace})`;
            problems.error({ path: service.node.path, property: 'expose', value: key, message: `on cluster ${plan.cluster.name}, ${where} is exposed at this host and path already`, fix: 'give each exposure its own subdomain, host or path' });
          } else routes.set(key, { service, namespace: placement.namespace });
        }
      }
    }
  }
}
