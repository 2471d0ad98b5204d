/**
 * Versions of a service: one Service over several Deployments that run side by side (`<service>-<version>`), each
 * with its own image, variables, resources or replicas, as Istio's Bookinfo runs reviews v1, v2 and v3. Every
 * version's pods carry the service's name label, so the Service, the network policies of its connections, its
 * metrics and its ordering select them all; each version's pods add the label `version: <version>`, which Istio's
 * routing rules read, and its Deployment selects on it.
 */
import { checkDns1123Label, checkEnvVarName, checkWholeNumber } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import type { Image } from './image';
import { checkResources, mergeResources, Resources } from './resources';
import { checkNoLiteralSecret } from './secrets';

/** The pod label that names a version (Istio's routing rules read it). */
export const VERSION_LABEL = 'version';

/** What one version of a service changes; everything else is the service's. */
export interface ServiceVersionOptions {
  /**
   * The version's image.
   * @default - the service's image
   */
  readonly image?: Image;
  /**
   * Environment variables with literal values, over the service's.
   * @default - the service's
   */
  readonly env?: Record<string, string>;
  /**
   * Container resources, over the service's.
   * @default - the service's
   */
  readonly resources?: Resources;
  /**
   * The version's replicas (a fixed count).
   * @default - the service's
   */
  readonly replicas?: number;
}

/** The `versions` option of a service. */
export interface VersionsOptions {
  /**
   * Versions that run side by side behind the service's one Service, keyed by version name (a DNS label such as
   * `v1`): one Deployment `<service>-<version>` each, whose pods add the label `version: <version>`. Only for
   * Deployments, without autoscaling or a release pipeline, outside previews.
   * @default - one Deployment named like the service
   */
  readonly versions?: Record<string, ServiceVersionOptions>;
}

/** The parts of a service's settings that a version changes. */
interface VersionedSettings {
  readonly image: Image;
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly resources: ReturnType<typeof mergeResources>;
  readonly replicas: number;
  readonly maxReplicas: number;
}

/** One workload of a service: its name suffix, settings and the pod labels it adds. */
export interface VersionedWorkload<S> {
  /** The name suffix: `''`, or `-<version>`. */
  readonly suffix: string;
  /** The settings of the version. */
  readonly settings: S;
  /** The labels the version adds to its pods and selector. */
  readonly labels: Record<string, string>;
}

/**
 * The workloads of a service: one with its settings when it has no versions, else one per version (sorted by
 * name) with the version's image, variables, resources and replicas over the service's.
 * @param versions the service's versions, if any
 * @param settings the service's settings in an environment
 */
export function versionedWorkloads<S extends VersionedSettings>(versions: Record<string, ServiceVersionOptions> | undefined, settings: S): VersionedWorkload<S>[] {
  if (versions === undefined || !isRecord(versions)) return [{ suffix: '', settings, labels: {} }];
  return Object.keys(versions).sort().map((name) => {
    const v: ServiceVersionOptions = isRecord(versions[name]) ? versions[name] : {};
    const env = new Map(settings.env);
    if (isRecord(v.env)) for (const [k, value] of Object.entries(v.env)) env.set(k, value);
    const replicas = typeof v.replicas === 'number' && Number.isInteger(v.replicas) ? { replicas: v.replicas, maxReplicas: v.replicas, externalReplicas: undefined } : {};
    const versioned: S = {
      ...settings,
      image: v.image ?? settings.image,
      env: [...env].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      resources: v.resources ? mergeResources(settings.resources, v.resources) : settings.resources,
      ...replicas,
    };
    return { suffix: `-${name}`, settings: versioned, labels: { [VERSION_LABEL]: name } };
  });
}

/** What the checks need to know of the service. */
export interface VersionsContext {
  /** The service's name. */
  readonly name: string;
  /** The workload kind. */
  readonly workloadKind: string;
  /** Whether the service autoscales anywhere. */
  readonly autoscales: boolean;
  /** Whether the service has a release pipeline. */
  readonly hasPipeline: boolean;
  /** The previews that run the service, by name. */
  readonly previews: readonly string[];
  /** The other names of workloads in the project (other services' Deployments and versions). */
  readonly otherNames: ReadonlySet<string>;
  /** Pod labels the service declares. */
  readonly podLabels?: Record<string, string>;
  /** Whether some environment of the service is production and which, with its waiver of replicas. */
  readonly production: ReadonlyArray<{ readonly environment: string; readonly waived: boolean }>;
}

/**
 * Checks a service's versions: names (DNS labels, `<service>-<version>` at most 63 characters and unique in the
 * project), each version's image, variables, resources and replicas, and what does not combine with versions.
 * @param problems where problems go
 * @param path the service's construct path
 * @param versions the `versions` option
 * @param c the service
 */
export function checkVersions(problems: ProblemCollector, path: string, versions: unknown, c: VersionsContext): void {
  if (versions === undefined) return;
  const property = 'versions';
  if (!isRecord(versions)) {
    problems.error({ path, property, value: versions, message: 'versions are an object keyed by version name', fix: 'set versions: { v1: {}, v2: { image: … } }' });
    return;
  }
  const names = Object.keys(versions);
  if (names.length === 0) problems.error({ path, property, value: versions, message: 'a service with versions has at least one', fix: 'name a version, e.g. versions: { v1: {} }, or remove versions' });
  const refuse = (value: unknown, message: string, fix: string): void => problems.error({ path, property, value, message, fix });
  if (c.workloadKind !== 'Deployment') refuse(c.workloadKind, `versions run as Deployments; this service runs as a ${c.workloadKind}`, 'remove versions, or run the service as a Deployment');
  if (c.autoscales) refuse(names, 'a service with versions does not autoscale (one autoscaler cannot scale several Deployments)', 'remove autoscaling and give each version its replicas');
  if (c.hasPipeline) refuse(names, 'a service with versions has no release pipeline (the pipeline pins one image)', 'remove the pipeline, or give the versions their images');
  if (c.previews.length > 0) refuse(c.previews, 'a service with versions does not run in previews', 'leave the service out of previews, or remove versions');
  if (c.podLabels && VERSION_LABEL in c.podLabels) {
    problems.error({ path, property: `podLabels.${VERSION_LABEL}`, value: c.podLabels[VERSION_LABEL], message: `each version sets the pod label ${VERSION_LABEL} to its name`, fix: `remove podLabels.${VERSION_LABEL}` });
  }
  for (const name of names) {
    const p = `versions[${JSON.stringify(name)}]`;
    const bad = checkDns1123Label(name);
    if (bad) {
      problems.error({ path, property: p, value: name, message: `a version's name is a DNS label: ${bad}`, fix: 'name versions like "v1" or "canary"' });
      continue;
    }
    const workload = `${c.name}-${name}`;
    if (workload.length > 63) problems.error({ path, property: p, value: name, message: `the Deployment ${workload} would have ${workload.length} characters, above the limit of 63`, fix: `shorten the version name to at most ${Math.max(0, 62 - c.name.length)} characters` });
    if (c.otherNames.has(workload)) problems.error({ path, property: p, value: name, message: `the Deployment ${workload} would have the name of another workload of the project`, fix: 'rename the version or the other service' });
    const v = versions[name];
    if (!isRecord(v)) {
      problems.error({ path, property: p, value: v, message: 'a version is an object', fix: 'set e.g. { image: registry.image("team/app", "2.0.0") }, or {} for the service\'s own' });
      continue;
    }
    if (v.image !== undefined) {
      const image = v.image as Partial<Image>;
      if (typeof image._check === 'function') image._check(problems, path, `${p}.image`);
      else problems.error({ path, property: `${p}.image`, value: v.image, message: 'an image comes from a registry', fix: 'set image: registry.image("team/app", "1.0.0")' });
    }
    if (v.env !== undefined) {
      if (!isRecord(v.env)) problems.error({ path, property: `${p}.env`, value: v.env, message: 'variables are an object of names to texts', fix: 'set env: { NAME: "value" }' });
      else {
        for (const [k, value] of Object.entries(v.env)) {
          const e = checkEnvVarName(k);
          if (e) problems.error({ path, property: `${p}.env`, value: k, message: e, fix: 'name variables like LOG_LEVEL' });
          if (typeof value !== 'string') problems.error({ path, property: `${p}.env.${k}`, value, message: 'a variable\'s value is a text', fix: 'quote the value' });
          else checkNoLiteralSecret(problems, path, `${p}.env.${k}`, value, `read it from a secret: secrets: { ${k}: SecretStore.cluster("vault").key("…") }`, k);
        }
      }
    }
    if (v.resources !== undefined) checkResources(problems, path, `${p}.resources`, v.resources as Resources);
    if (v.replicas !== undefined) {
      const r = checkWholeNumber(v.replicas, 0);
      if (r) problems.error({ path, property: `${p}.replicas`, value: v.replicas, message: r, fix: 'set replicas to 0 or more' });
      else for (const e of c.production) {
        if (!e.waived && (v.replicas as number) < 2) {
          problems.error({ path, property: `${p}.replicas (in ${e.environment})`, value: v.replicas, message: `environment ${e.environment} is production, where a service runs at least 2 replicas so that one pod can fail or move`, fix: 'run 2 or more replicas there, or give a reason: waivers: { replicas: "…" } (rule production-replicas)' });
        }
      }
    }
  }
}

/** The names of a service's workloads: its name, or `<service>-<version>` for each version. */
export function workloadNames(name: string, versions: Record<string, ServiceVersionOptions> | undefined): string[] {
  return versions === undefined || !isRecord(versions) ? [name] : Object.keys(versions).map((v) => `${name}-${v}`);
}

/**
 * The PromQL matcher of a service's Deployments: `deployment="<service>"`, or `deployment=~"<service>-(v1|v2)"` over
 * its versions (version names are DNS labels, so they need no escaping).
 * @param name the service's name
 * @param versions its versions, if any
 */
export function deploymentMatcher(name: string, versions: Record<string, ServiceVersionOptions> | undefined): string {
  if (versions === undefined || !isRecord(versions) || Object.keys(versions).length === 0) return `deployment="${name}"`;
  return `deployment=~"${name}-(${Object.keys(versions).sort().join('|')})"`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
