import type { Construct } from 'constructs';
import { checkDns1123Label, checkLabelValue } from '../lib/names';
import { ProblemCollector, ProblemDetails } from '../lib/problems';
import { estateNamespaces, namespaceReservation, reservationMessage } from '../lib/reserved';
import type { ISubject } from './access';
import { crossTenantBindings, ProjectRole } from './access';
import type { AppService } from './app-service';
import type { ClusterRef } from './environment';
import { Environment } from './environment';
import { Platform } from './platform';
import { membershipView } from './tenant';
import type { EnvironmentRef, Project } from './project';
import { checkProjectQuota, ProjectQuota } from './resources';
import { checkConfigLiterals, checkNoLiteralSecret } from './secrets';
import type { ConfigOptions } from './service-options';
import { isCalendarDate, previewSlug, SLUG_MAX } from './preview-name';

export { previewSlug };

/** What a preview changes in one service. */
export interface PreviewOverride {
  /**
   * The image tag the preview runs (the branch's build).
   * @default - the baseline's image
   */
  readonly tag?: string;
  /**
   * Configuration values and files over the baseline's.
   * @default - the baseline's configuration
   */
  readonly config?: ConfigOptions;
}

/** Where a preview's services find the services they call that the preview does not override. */
export enum PreviewDependencies {
  /** They call the baseline's services (consumers get the baseline's addresses). */
  BASELINE = 'baseline',
  /** The services they call (in the same tenant) are cloned into the preview too, recursively. */
  CLONE = 'clone',
}

/** Properties of a {@link PreviewEnvironment}. */
export interface PreviewProps {
  /** The baseline environment it derives from (a development environment; never production). */
  readonly baseline: EnvironmentRef;
  /** Who owns it: a department or user of the services' tenant; it gets admin on the preview's namespaces. */
  readonly owner: ISubject;
  /** The last day it runs, `YYYY-MM-DD` (given explicitly, so that the output stays deterministic). */
  readonly expires: string;
  /**
   * The services it overrides, by `<tenant>/<project>/<service>`, `<project>/<service>` or `<service>` (when the
   * name is unique), with what changes.
   */
  readonly services: Record<string, PreviewOverride>;
  /**
   * Where the overridden services find the services they call.
   * @default PreviewDependencies.BASELINE
   */
  readonly dependencies?: PreviewDependencies;
  /**
   * The cluster it runs on.
   * @default - the baseline's first cluster
   */
  readonly cluster?: ClusterRef;
  /**
   * Replicas of each service.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * The quota of each of its namespaces.
   * @default - half of the baseline project's quota
   */
  readonly quota?: ProjectQuota;
  /**
   * Where it was declared (set by `addPreviewFromEnvironment` and `loadPreviews`).
   * @default - in code
   */
  readonly source?: PreviewSource;
}

/** Where a preview was declared, and what was wrong with the declaration. */
export interface PreviewSource {
  /** In code, in a CI job's environment (`PREVIEW_*` variables) or in a previews file. */
  readonly kind: 'code' | 'environment' | 'file';
  /** The file, for a previews file. */
  readonly file?: string;
  /** Problems of the declaration, by the variable or field they concern. */
  readonly problems?: readonly {
    /** The variable or field concerned. */
    readonly property: string;
    /** The value received. */
    readonly value: unknown;
    /** What is wrong. */
    readonly message: string;
    /** How to fix it. */
    readonly fix: string;
  }[];
}

const PREVIEW = Symbol.for('platform-cdk.PreviewEnvironment');

/** The label and annotation keys of preview objects. */
export const PreviewLabels = {
  /** The preview's slug. */
  PREVIEW: 'platform-cdk.io/preview',
  /** Its owner (a user or department group name). */
  OWNER: 'platform-cdk.io/preview-owner',
  /** Its last day, `YYYY-MM-DD`. */
  EXPIRES: 'platform-cdk.io/preview-expires',
  /** The branch (an annotation: branch names are not label values). */
  BRANCH: 'platform-cdk.io/preview-branch',
} as const;

/**
 * A self-service, non-baseline environment for one branch: the services it overrides (and, with
 * `PreviewDependencies.CLONE`, those they call) run in their own namespaces `<project>-pv-<slug>` on the
 * baseline's development cluster, smaller than the baseline, owned by a department or user, labelled with
 * branch, owner and expiry, and left out of synthesis once expired (so that GitOps prunes it).
 *
 * @example
 * platform.addPreview('feature/login', {
 *   baseline: 'development',
 *   owner: passengerDevelopers,
 *   expires: '2026-12-15',
 *   services: { 'rider-bff': { tag: 'sha-4f2a91c' } },
 * });
 */
export class PreviewEnvironment extends Environment {
  /** Whether a value is a PreviewEnvironment. */
  public static isPreview(this: void, x: unknown): x is PreviewEnvironment {
    return typeof x === 'object' && x !== null && PREVIEW in x;
  }

  /** The branch. */
  public readonly branch: string;
  /** The branch as a DNS label (see `previewSlug`). */
  public readonly slug: string;
  /** The owner. */
  public readonly owner: ISubject;
  /** The last day it runs, `YYYY-MM-DD`. */
  public readonly expires: string;
  /** Where its services find the services they call. */
  public readonly dependencies: PreviewDependencies;
  /** The properties as given. */
  public readonly previewProps: PreviewProps;
  /** Where it was declared: in code, in a CI job's environment variables, or in a previews file. */
  public readonly source: PreviewSource;

  /**
   * @param scope the platform's environments scope
   * @param branch the Git branch
   * @param props baseline, owner, expiry and services
   */
  constructor(scope: Construct, branch: string, props: PreviewProps) {
    const slug = previewSlug(String(branch));
    const platform = Platform.of(scope);
    const baseline = typeof props.baseline === 'string' ? platform.findEnvironment(props.baseline) : props.baseline;
    const cluster = props.cluster ?? baseline?.clusters[0]?.name ?? '';
    super(scope, `pv-${slug}`, {
      clusters: [cluster],
      domain: baseline?.domain !== undefined ? `${slug}.${baseline.domain}` : undefined,
      replicas: props.replicas ?? 1,
      resources: baseline?.resources,
      namespaceSuffix: `-pv-${slug}`,
      tls: baseline?.tls,
    });
    Object.defineProperty(this, PREVIEW, { value: true });
    platform._registerPreview(this);
    this.branch = branch;
    this.slug = slug;
    this.owner = props.owner;
    this.expires = props.expires;
    this.dependencies = props.dependencies ?? PreviewDependencies.BASELINE;
    this.previewProps = props;
    this.source = props.source ?? { kind: 'code' };
  }

  /** The baseline environment (undefined when the reference names none; validation reports it). */
  public get baseline(): Environment | undefined {
    const ref = this.previewProps.baseline;
    const e = typeof ref === 'string' ? Platform.of(this).findEnvironment(ref) : ref;
    return e && !PreviewEnvironment.isPreview(e) ? e : undefined;
  }

  /** The services it overrides, resolved (references that name no service are left out; validation reports them). */
  public get overridden(): Map<AppService, PreviewOverride> {
    const out = new Map<AppService, PreviewOverride>();
    for (const [ref, o] of Object.entries(this.previewProps.services ?? {})) {
      const found = findServices(Platform.of(this), ref);
      if (found.length === 1) out.set(found[0], o ?? {});
    }
    return out;
  }

  /** Every service that runs in the preview: the overridden ones and, when cloning, those they call in their tenant. */
  public get services(): AppService[] {
    const overridden = [...this.overridden.keys()];
    const out = new Set<AppService>(overridden);
    if (this.dependencies === PreviewDependencies.CLONE) {
      const queue = [...overridden];
      while (queue.length > 0) {
        const s = queue.shift() as AppService;
        for (const c of s.connections) {
          const t = c.target as AppService;
          if (typeof (t as { settingsFor?: unknown }).settingsFor === 'function' && 'exposures' in t && t.project.tenant === s.project.tenant && !out.has(t)) {
            out.add(t);
            queue.push(t);
          }
        }
      }
    }
    return [...out];
  }

  /** The projects it has namespaces for. */
  public get projects(): Project[] {
    return [...new Set(this.services.map((s) => s.project))];
  }

  /** The owner's name as KubeSphere knows it (a department is `<tenant>-<department>`). */
  public get ownerName(): string {
    const tenant = this.services[0]?.project.tenant;
    const owner = tenant && this.owner ? tenant._bind(this.owner) : this.owner;
    return owner?.subjectName;
  }

  /** Whether a service runs in the preview. */
  public runs(service: AppService): boolean {
    return this.services.includes(service);
  }

  /** Whether it is past its last day on a date (`YYYY-MM-DD`). */
  public expiredOn(today: string): boolean {
    return this.expires < today;
  }

  /** The grants of its namespaces: the owner is admin, and nobody else is granted anything. */
  public get ownerRole(): ProjectRole {
    return ProjectRole.ADMIN;
  }

  /** @internal */
  public override _checkModel(problems: ProblemCollector): void {
    // The environment's own checks, with its cluster named as the preview's `cluster` (and not reported when it
    // only stems from a baseline that names no environment).
    const own = new ProblemCollector();
    super._checkModel(own);
    for (const p of own.problems) {
      if (!p.property.startsWith('clusters')) problems[p.severity](p);
      else if (this.baseline || this.previewProps.cluster !== undefined) problems[p.severity]({ ...p, property: 'cluster' });
    }
    const path = this.node.path;
    const platform = Platform.of(this);
    // Problems of what a CI job's environment or a previews file declared name the variable or the file's field.
    const error = (d: ProblemDetails): void => problems.error({ ...d, property: this.declaredAs(d.property) });
    const warning = (d: ProblemDetails): void => problems.warning({ ...d, property: this.declaredAs(d.property) });
    const clean = this.branch
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
    if (clean === '') error({ path, property: 'branch', value: this.branch, message: 'the branch name has no letter or digit to name the preview after', fix: 'name the branch like "feature/login"' });
    // A field the declaration already reported as missing or malformed is not reported twice.
    const declared = new Set((this.source.problems ?? []).map((p) => p.property.replace(/^PREVIEW_|^.*: /, '').toLowerCase()));
    const base = this.baseline;
    const ref = this.previewProps.baseline;
    if (!base) {
      if (!declared.has('baseline')) error({ path, property: 'baseline', value: typeof ref === 'string' ? ref : ref?.node?.path, message: `no baseline environment of the platform has this name (environments: ${platform.environments.filter((e) => !PreviewEnvironment.isPreview(e)).map((e) => e.name).join(', ')})`, fix: 'name the development environment the preview derives from' });
    } else {
      if (base.production) error({ path, property: 'baseline', value: base.name, message: 'a preview of a production environment would run unreleased code beside production', fix: 'derive previews from a development environment' });
      const c = this.clusters[0];
      const production = platform.environments.filter((e) => e.production && c !== undefined && e.clusters.includes(c)).map((e) => e.name);
      if (c && !base.clusters.includes(c)) error({ path, property: 'cluster', value: c.name, message: `the cluster is not one of the baseline's (${base.clusters.map((x) => x.name).join(', ')})`, fix: 'run the preview on a cluster of its baseline environment' });
      else if (c && production.length > 0 && !base.production) error({ path, property: 'cluster', value: c.name, message: `the cluster also runs ${production.join(', ')}, and a preview would run unreleased code beside production`, fix: 'run previews on a development cluster (choose one of the baseline\'s with cluster, or derive them from an environment of its own clusters)' });
    }
    if (declared.has('expires')) {
      // reported with the variable's name
    } else if (!isCalendarDate(this.expires)) {
      error({ path, property: 'expires', value: this.expires, message: 'the expiry is a date, YYYY-MM-DD', fix: 'give the last day the preview runs, e.g. "2026-12-15"' });
    } else if (this.expiredOn(platform.today) && this.source.kind === 'environment') {
      error({ path, property: 'expires', value: this.expires, message: `the expiry is before today (${platform.today})`, fix: 'give a later date' });
    } else if (this.expiredOn(platform.today)) {
      warning({ path, property: 'expires', value: this.expires, message: `the preview of branch ${this.branch} expired before ${platform.today} and is left out of the output (GitOps prunes it)`, fix: 'remove the preview, or give it a later expiry' });
    }
    for (const p of this.source.problems ?? []) problems.error({ path, ...p });
    checkProjectQuota(problems, path, 'quota', this.previewProps.quota);
    const services = Object.entries(this.previewProps.services ?? {});
    if (services.length === 0 && !declared.has('images')) error({ path, property: 'services', value: {}, message: 'a preview overrides at least one service', fix: 'name the services the branch changes, e.g. { "rider-bff": { tag: "sha-4f2a91c" } }' });
    const tenants = new Set<string>();
    for (const [key, o] of services) {
      const property = `services[${JSON.stringify(key)}]`;
      const found = findServices(platform, key);
      if (found.length === 0) error({ path, property, value: key, message: 'no service of the platform has this name', fix: 'name a service as <tenant>/<project>/<service>, <project>/<service> or <service>' });
      else if (found.length > 1) error({ path, property, value: key, message: `several services have this name (${found.map((s) => s.releaseKey).join(', ')})`, fix: 'name it as <tenant>/<project>/<service>' });
      else {
        const s = found[0];
        tenants.add(s.project.tenant.name);
        if (base && !s.project.isPlacedIn(base)) error({ path, property, value: key, message: `the service does not exist in the baseline ${base.name} (its project ${s.project.name} is not placed there)`, fix: 'preview services of the baseline environment' });
      }
      if (o?.tag !== undefined && (typeof o.tag !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(o.tag) || o.tag === 'latest')) {
        error({ path, property: `${property}.tag`, value: o.tag, message: 'not an image tag (or "latest", which moves)', fix: 'give the branch build\'s tag, e.g. "sha-4f2a91c"' });
      }
    }
    this.checkLiteralSecrets(error);
    if (tenants.size > 1) error({ path, property: 'services', value: [...tenants].sort().join(', '), message: 'a preview belongs to one tenant, and these services belong to several', fix: 'make one preview per tenant' });
    const owner = this.owner;
    if (declared.has('owner')) {
      // reported with the variable's name
    } else if (!owner || typeof owner.subjectName !== 'string' || owner.subjectName === '') error({ path, property: 'owner', value: owner, message: 'a preview needs an owner', fix: 'give owner: User.named("alice") or a department' });
    else {
      const v = checkLabelValue(owner.subjectName);
      if (v) error({ path, property: 'owner', value: owner.subjectName, message: v, fix: 'name an owner whose name is a valid label value' });
    }
    const tenant = this.services[0]?.project.tenant;
    if (tenant && owner && owner.subjectKind === 'Group' && !tenant.departments.some((d) => d.subjectName === this.ownerName)) {
      error({ path, property: 'owner', value: owner.subjectName, message: `no department of tenant ${tenant.name} has this name`, fix: `name a department of tenant ${tenant.name}, or a user` });
    }
    if (tenant && owner?.subjectKind === 'User' && !declared.has('owner')) {
      // A user of another tenant may not own a preview of this one (its RoleBinding would cross tenants).
      for (const c of crossTenantBindings(membershipView(platform))) {
        if (c.binding.path === path) error({ path, property: 'owner', value: c.binding.user, message: c.message, fix: c.fix });
      }
    }
    this.checkReservedNamespaces(error, path, platform);
    const dns = checkDns1123Label(this.name);
    if (dns) error({ path, property: 'branch', value: this.branch, message: `the preview's name ${this.name} is invalid: ${dns}`, fix: 'shorten the branch name' });
    if (this.dependencies !== PreviewDependencies.BASELINE && this.dependencies !== PreviewDependencies.CLONE) {
      error({ path, property: 'dependencies', value: this.dependencies, message: 'the dependencies are baseline or clone', fix: 'use PreviewDependencies.BASELINE or PreviewDependencies.CLONE' });
    }
    if (clean !== '' && clean !== this.slug) {
      warning({ path, property: 'branch', value: this.branch, message: `the branch name is longer than ${SLUG_MAX} characters as a DNS label; the preview is named ${this.name} and its namespaces end in -pv-${this.slug}`, fix: 'nothing to do, unless you want a shorter name: use a shorter branch name' });
    }
  }

  /**
   * Its namespaces (`<project namespace>-pv-<slug>`) may not be reserved names (lib/reserved.ts); a cluster's
   * ingress or monitoring namespace is reported by the cluster.
   */
  private checkReservedNamespaces(error: (d: ProblemDetails) => void, path: string, platform: Platform): void {
    const estate = estateNamespaces(platform);
    for (const project of this.projects) {
      const ns = `${project.namespace}${this.namespaceSuffix}`;
      const r = checkDns1123Label(ns) ? undefined : namespaceReservation(platform, ns, estate);
      if (r && r.cluster === undefined) error({ path, property: 'branch', value: this.branch, message: `the preview's namespace for project ${project.name} would be ${ns}: ${reservationMessage(ns, r)}`, fix: 'name the branch differently, or rename the project' });
    }
  }

  /**
   * The overrides' configuration values and files, tags and the branch (an annotation) are written as they are:
   * none may hold a secret.
   */
  private checkLiteralSecrets(error: (d: ProblemDetails) => void): void {
    const found = new ProblemCollector();
    const path = this.node.path;
    checkNoLiteralSecret(found, path, 'branch', this.branch, 'name the branch without credentials');
    for (const [key, o] of Object.entries(this.previewProps.services ?? {})) {
      const property = `services[${JSON.stringify(key)}]`;
      checkNoLiteralSecret(found, path, `${property}.tag`, o?.tag, 'give the branch build\'s tag, e.g. "sha-4f2a91c"');
      checkConfigLiterals(found, path, `${property}.config`, o?.config);
    }
    for (const p of found.problems) error(p);
  }

  /**
   * A property as the declaration names it: the variable of a CI job's environment (`services["api"].tag` is
   * `PREVIEW_IMAGES["api"].tag`), or the field of a previews file; properties given in code stay as they are.
   */
  private declaredAs(property: string): string {
    const field = /^[a-z]+/.exec(property)?.[0] ?? '';
    if (!['branch', 'baseline', 'owner', 'expires', 'services', 'dependencies'].includes(field)) return property;
    if (this.source.kind === 'environment') return `PREVIEW_${field === 'services' ? 'IMAGES' : field.toUpperCase()}${property.slice(field.length)}`;
    if (this.source.kind === 'file' && this.source.file !== undefined) return `${this.source.file}: ${property}`;
    return property;
  }
}

/**
 * The services a reference names: `<tenant>/<project>/<service>`, `<project>/<service>` or `<service>`.
 * @param platform the platform
 * @param ref the reference
 */
export function findServices(platform: Platform, ref: string): AppService[] {
  const parts = String(ref).split('/');
  const all = platform.tenants.flatMap((t) => t.projects.flatMap((p) => p.services));
  return all.filter((s) => {
    if (parts.length === 3) return s.project.tenant.name === parts[0] && s.project.name === parts[1] && s.name === parts[2];
    if (parts.length === 2) return s.project.name === parts[0] && s.name === parts[1];
    return s.name === parts[0];
  });
}
