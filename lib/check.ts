/**
 * Checking synthesized output: every object against its schema (strict, like kubeconform: Kubernetes 1.27, the
 * KubeSphere CRDs of the target, and the ecosystem CRDs the output uses), the policy rules of its environment's
 * profile, and tenant isolation (lib/isolation.ts; its findings are errors and cannot be waived). The schemas are
 * compiled once per kind and per process.
 *
 * One {@link Checker} does all three for every entry point: `ManifestStack.synth()` and `files()` (so
 * `synthesizeApp`, `npm run synth`, `cdk8s synth` and `platform-cdk synth`), `platform-cdk validate` and `report`
 * (`checkPlatform`, `checkRendered`), and the cdk8s validation plugin (`checkObjects`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Platform, Target } from '../constructs/platform';
import { CheckedObject, checkPolicies, describeObject, Finding } from './policy';
import { planPlatform } from './plan';
import { renderClusters } from './render';
import type { RenderedObject, RenderedPlatform, RenderOptions } from './render';
import { SchemaValidator } from './schema';
import { isKubeSphereGroup, rememberedSchemas } from './schema-store';
import type { KubeObject, ManifestOrigin } from './manifest';
import { checkIsolation, declaredPaths, isIsolationObject, IsolationCheck } from './isolation';
import type { DeclaredPath, IsolationFinding, IsolationObject } from './isolation';

/** The schema folders shipped with platform-cdk. */
export const SCHEMA_DIRS = {
  /** The ecosystem CRDs (cert-manager, external-secrets, prometheus-operator, Argo CD, Flux). */
  ECOSYSTEM: path.join(__dirname, '..', 'schemas', 'ecosystem'),
  /** The KubeSphere DevOps and GitOps CRDs. */
  KUBESPHERE_DEVOPS: path.join(__dirname, '..', 'schemas', 'kubesphere', 'devops'),
  /** The alert routing CRDs (AlertmanagerConfig; the notification manager's Receiver, Config and Router): excerpts. */
  ALERTING: path.join(__dirname, '..', 'schemas', 'alerting'),
  /** The KubeSphere 3.4 CRDs. */
  KUBESPHERE_V3: path.join(__dirname, '..', 'schemas', 'kubesphere', 'v3'),
} as const;

/** Options of a check. */
export interface CheckOptions {
  /**
   * More CRD folders, e.g. the KubeSphere 4.1 CRDs (not shipped: their licence has commercial-use conditions).
   * @default - none
   */
  readonly crdDirs?: readonly string[];
  /**
   * The network paths the model declares (see `declaredPaths`): a path across tenants, or from a preview to its
   * baseline, that none of them covers is an isolation finding.
   * @default - the platform's, when the check is given one; else none
   */
  readonly declaredPaths?: readonly DeclaredPath[];
}

/** What a check found. */
export interface CheckResult {
  /** Every finding, errors and warnings, waived ones included (with their reason). */
  readonly findings: readonly Finding[];
  /** How many objects were checked. */
  readonly objects: number;
  /** The kinds that had no schema (not validated), as `<apiVersion> <kind>`. */
  readonly unvalidated: readonly string[];
}

const validators = new Map<string, SchemaValidator>();

/**
 * The validator of a target with extra CRD folders, built once per process. Each kind's schema is compiled on its
 * first object, and the compiled code is kept between runs (see `SchemaCache`), so that a run compiles only the
 * kinds no earlier run with the same schemas has met.
 * @param target the platform's target
 * @param crdDirs more CRD folders
 */
export function validatorFor(target: Target, crdDirs: readonly string[] = []): SchemaValidator {
  // The project's own schemas come first: the KubeSphere 4.1 CRDs `platform-cdk schemas fetch` stored, its Kubernetes version.
  const project = rememberedSchemas(target);
  crdDirs = [...project.crdDirs, ...crdDirs];
  const key = `${target}|${project.kubernetesDefinitions}|${crdDirs.join('|')}`;
  let v = validators.get(key);
  if (!v) {
    v = SchemaValidator.create({ kubernetesDefinitions: project.kubernetesDefinitions });
    v.addCrdFolder(SCHEMA_DIRS.ECOSYSTEM);
    v.addCrdFolder(SCHEMA_DIRS.KUBESPHERE_DEVOPS);
    v.addCrdFolder(SCHEMA_DIRS.ALERTING);
    if (target === Target.KUBESPHERE_V3_4) v.addCrdFolder(SCHEMA_DIRS.KUBESPHERE_V3);
    for (const d of crdDirs) {
      if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new Error(`the CRD folder ${d} does not exist`);
      v.addCrdFolder(d);
    }
    validators.set(key, v);
  }
  return v;
}

/** The objects of a render, with their cluster, construct path and profile. */
export function checkedObjects(platform: Platform, rendered: RenderedPlatform): CheckedObject[] {
  const out: CheckedObject[] = [];
  for (const rc of rendered.clusters) {
    for (const o of rc.objects) out.push(checkedObject(platform, rc.cluster.name, o.toJson(), o.origin));
  }
  return out;
}

/**
 * One cluster's rendered objects, with their construct path and profile, as `ManifestStack`'s `inspect` hook
 * receives them.
 * @param platform the platform
 * @param cluster the cluster's name
 * @param objects its objects
 */
export function checkedObjectsOf(platform: Platform, cluster: string, objects: readonly RenderedObject[]): CheckedObject[] {
  return objects.map((r) => checkedObject(platform, cluster, r.object, r.origin));
}

function checkedObject(platform: Platform, cluster: string, object: KubeObject, origin: ManifestOrigin): CheckedObject {
  const source = origin.construct ?? (origin.service ?? origin.placement?.project ?? origin.tenant)?.node.path;
  const envName = object.metadata.labels?.['platform-cdk.io/environment'];
  const env = origin.placement?.environment ?? (envName ? platform.findEnvironment(envName) : undefined);
  return { cluster, object, source, production: env?.production ?? false };
}

/** The rule id of an isolation check's findings: `isolation-<check>`, e.g. `isolation-tenant-access`. */
export function isolationRule(check: IsolationCheck): string {
  return `isolation-${check}`;
}

/** How to fix what each isolation check finds. */
const ISOLATION_FIXES: Record<IsolationCheck, string> = {
  [IsolationCheck.TENANT_ACCESS]: 'bind only the tenant\'s own users, departments and service accounts in its namespaces and workspace (a person who works for two tenants is granted in each tenant\'s code); if the binding comes from a JSON patch or an inspection, fix that',
  [IsolationCheck.TENANT_NETWORK]: 'declare the path in the model: connectsTo the service, accepted by its tenant with acceptFrom; or remove the rule that opens it',
  [IsolationCheck.INGRESS_HOST]: 'give each tenant host names of its own',
  [IsolationCheck.PREVIEW_ACCESS]: 'grant the preview\'s owner in the preview\'s own namespaces only',
  [IsolationCheck.PREVIEW_NETWORK]: 'declare the dependency in the model (connectsTo, and the preview\'s dependencies), or remove the rule that opens the path',
};

/**
 * A check made in parts: objects are added a cluster at a time (the policy rules look at one cluster's objects
 * together) and the result is the same as one check of them all, so that a synthesis can check each cluster as it
 * is rendered instead of holding the whole estate. The isolation checks need the whole estate: of each cluster,
 * the checker keeps the few objects they read (namespaces, bindings, groups, network policies, Ingresses; see
 * `isIsolationObject`) and checks them in {@link Checker.result}.
 */
export class Checker {
  private readonly findings: Finding[] = [];
  private readonly unvalidated = new Set<string>();
  private readonly isolation: IsolationObject[] = [];
  private readonly isolationSources = new Map<string, CheckedObject>();
  private readonly declaredPaths: readonly DeclaredPath[];
  private objects = 0;

  /**
   * @param validator the schema validator
   * @param options the network paths the model declares, for the isolation checks
   */
  constructor(
    private readonly validator: SchemaValidator,
    options: Pick<CheckOptions, 'declaredPaths'> = {},
  ) {
    this.declaredPaths = options.declaredPaths ?? [];
  }

  /**
   * Checks objects against their schemas and the policy rules, and keeps what the isolation checks need.
   * @param objects every object of one or more whole clusters
   * @returns whether they gave no schema or policy error (waived findings and warnings aside); isolation findings
   *   are known once every cluster is added (see {@link Checker.result})
   */
  public add(objects: readonly CheckedObject[]): boolean {
    const before = this.findings.length;
    this.objects += objects.length;
    for (const c of objects) {
      const o = c.object;
      if (isIsolationObject(o)) {
        this.isolation.push({ cluster: c.cluster, object: o });
        this.isolationSources.set(`${c.cluster}|${isolationName(o)}`, c);
      }
      if (!this.validator.hasSchema(o.apiVersion, o.kind)) {
        this.unvalidated.add(`${o.apiVersion} ${o.kind}`);
        continue;
      }
      for (const f of this.validator.validate(o)) {
        this.findings.push({ rule: 'schema', severity: 'error', cluster: c.cluster, object: describeObject(o), source: c.source ?? '-', at: f.path, message: f.message, fix: 'correct the field (see the schema of the kind); if it comes from a JSON patch, fix the patch' });
      }
    }
    this.findings.push(...checkPolicies(objects));
    return !hasErrors(this.findings.slice(before));
  }

  /** Everything found so far, the isolation checks of every object added included, sorted, with a warning per kind that had no schema. */
  public result(): CheckResult {
    const findings = [...this.findings];
    for (const f of checkIsolation(this.isolation, { declaredPaths: this.declaredPaths })) findings.push(this.isolationFinding(f));
    const unvalidated = [...this.unvalidated].sort();
    for (const kind of unvalidated) {
      findings.push({ rule: 'schema-missing', severity: 'warning', cluster: '-', object: kind, source: '-', at: '', message: `objects of ${kind} were not validated: no schema is loaded for the kind`, fix: schemaMissingFix(kind) });
    }
    return { findings: sortFindings(findings), objects: this.objects, unvalidated };
  }

  /** An isolation finding as a finding of the check: an error, named like the other findings, never waived. */
  private isolationFinding(f: IsolationFinding): Finding {
    const c = this.isolationSources.get(`${f.cluster}|${f.object}`);
    return { rule: isolationRule(f.check), severity: 'error', cluster: f.cluster, object: c ? describeObject(c.object) : f.object, source: c?.source ?? '-', at: '', message: f.reason, fix: ISOLATION_FIXES[f.check] };
  }
}

/** An object as the isolation findings name it: `<Kind> <namespace>/<name>`, or `<Kind> <name>`. */
function isolationName(o: KubeObject): string {
  return o.metadata.namespace === undefined ? `${o.kind} ${o.metadata.name}` : `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;
}

/**
 * How to get the schema of a kind that had none: KubeSphere's kinds from `platform-cdk schemas fetch`, others
 * from a CRD folder given with `--crds`.
 * @param kind `<apiVersion> <kind>`
 */
export function schemaMissingFix(kind: string): string {
  const apiVersion = kind.split(' ')[0];
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return isKubeSphereGroup(group)
    ? 'fetch the KubeSphere 4.1 CRDs into the project once: `platform-cdk schemas fetch --from <folder of the CRD files>` or `platform-cdk schemas fetch --from-cluster` (docs/schemas.md)'
    : 'pass the folder of its CRD with --crds';
}

/**
 * The checker of a platform: the schema validator of its target (with more CRD folders) and the network paths its
 * model declares. What `ManifestStack` and `platform-cdk validate` check with.
 * @param platform the platform
 * @param options more CRD folders; the declared paths, when not the platform's
 */
export function platformChecker(platform: Platform, options: CheckOptions = {}): Checker {
  return new Checker(validatorFor(platform.target, options.crdDirs), { declaredPaths: options.declaredPaths ?? declaredPaths(platform) });
}

/**
 * Checks objects against their schemas, the policy rules and tenant isolation.
 * @param objects the objects, with cluster, source and profile
 * @param validator the schema validator
 * @param options the network paths the model declares (isolation)
 */
export function checkObjects(objects: readonly CheckedObject[], validator: SchemaValidator, options: Pick<CheckOptions, 'declaredPaths'> = {}): CheckResult {
  const checker = new Checker(validator, options);
  checker.add(objects);
  return checker.result();
}

/**
 * Renders a platform and checks it a cluster at a time (schemas, policy rules, isolation), each cluster's objects
 * released once checked (what `platform-cdk validate` runs): the same findings as `checkRendered` of a whole render, in the memory of one
 * cluster. Throws a `ValidationError` when two rendered objects collide (see `renderPlatform`).
 * @param platform the platform (valid: see `validatePlatform`)
 * @param options more CRD folders, and progress output
 */
export function checkPlatform(platform: Platform, options: CheckOptions & RenderOptions = {}): CheckResult {
  const checker = platformChecker(platform, options);
  renderClusters(platform, planPlatform(platform), options, (cluster, groups) => void checker.add(checkedObjectsOf(platform, cluster.cluster.name, groups.flatMap((g) => g.objects))));
  return checker.result();
}

/**
 * Checks a rendered platform (schemas, policy rules, isolation with the paths its model declares).
 * @param platform the platform
 * @param rendered its render
 * @param options more CRD folders
 */
export function checkRendered(platform: Platform, rendered: RenderedPlatform, options: CheckOptions = {}): CheckResult {
  const checker = platformChecker(platform, options);
  checker.add(checkedObjects(platform, rendered));
  return checker.result();
}

/**
 * The objects of synthesized files (`<cluster>/<file>.yaml`), with the construct paths and profiles a render of
 * the same platform gives them, when one is given.
 * @param files file texts by path relative to the output folder
 * @param platform the platform that wrote them, if known
 * @param rendered its render, if known
 */
export function objectsOfFiles(files: ReadonlyMap<string, string>, platform?: Platform, rendered?: RenderedPlatform): CheckedObject[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof import('yaml');
  const known = new Map<string, CheckedObject>();
  if (platform && rendered) for (const c of checkedObjects(platform, rendered)) known.set(`${c.cluster}|${describeObject(c.object)}`, c);
  const out: CheckedObject[] = [];
  for (const [file, text] of files) {
    if (!/\.ya?ml$/.test(file) || file.startsWith('_')) continue;
    const cluster = file.split('/')[0];
    for (const doc of yaml.parseAllDocuments(text)) {
      const object = doc.toJS() as KubeObject;
      if (!object || typeof object !== 'object' || !object.kind) continue;
      const k = known.get(`${cluster}|${describeObject(object)}`);
      const envName = object.metadata?.labels?.['platform-cdk.io/environment'];
      out.push({ cluster, object, source: k?.source, production: k?.production ?? (envName !== undefined && platform?.findEnvironment(envName)?.production === true) });
    }
  }
  return out;
}

/** Orders findings: errors first, then by cluster, object, rule and place. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding): number => (f.waived !== undefined ? 2 : f.severity === 'error' ? 0 : 1);
  return [...findings].sort((a, b) => rank(a) - rank(b) || cmp(a.cluster, b.cluster) || cmp(a.object, b.object) || cmp(a.rule, b.rule) || cmp(a.at, b.at));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether findings hold an error that is not waived. */
export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error' && f.waived === undefined);
}

/** A finding as one line: `error [rule] cluster: object at: message. Fix: fix. (source: path)`. */
export function formatFinding(f: Finding): string {
  const status = f.waived !== undefined ? `waived (${f.waived})` : f.severity;
  return `${status} [${f.rule}] ${f.cluster}: ${f.object}${f.at ? ` ${f.at}` : ''}: ${f.message}. Fix: ${f.fix}. (from ${f.source})`;
}
