/**
 * Checking synthesized output: every object against its schema (strict, like kubeconform: Kubernetes 1.27, the
 * KubeSphere CRDs of the target, and the ecosystem CRDs the output uses), and the policy rules of its
 * environment's profile. The schemas are compiled once per kind and per process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Platform, Target } from '../constructs/platform';
import { CheckedObject, checkPolicies, describeObject, Finding } from './policy';
import { planPlatform } from './plan';
import { renderClusters } from './render';
import type { RenderedObject, RenderedPlatform, RenderOptions } from './render';
import { SchemaValidator } from './schema';
import type { KubeObject, ManifestOrigin } from './manifest';

/** The schema folders shipped with platform-cdk. */
export const SCHEMA_DIRS = {
  /** The ecosystem CRDs (cert-manager, external-secrets, prometheus-operator, Argo CD, Flux). */
  ECOSYSTEM: path.join(__dirname, '..', 'schemas', 'ecosystem'),
  /** The KubeSphere DevOps and GitOps CRDs. */
  KUBESPHERE_DEVOPS: path.join(__dirname, '..', 'schemas', 'kubesphere', 'devops'),
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
  const key = `${target}|${crdDirs.join('|')}`;
  let v = validators.get(key);
  if (!v) {
    v = SchemaValidator.create();
    v.addCrdFolder(SCHEMA_DIRS.ECOSYSTEM);
    v.addCrdFolder(SCHEMA_DIRS.KUBESPHERE_DEVOPS);
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
  const source = (origin.service ?? origin.placement?.project ?? origin.tenant)?.node.path;
  const envName = object.metadata.labels?.['platform-cdk.io/environment'];
  const env = origin.placement?.environment ?? (envName ? platform.findEnvironment(envName) : undefined);
  return { cluster, object, source, production: env?.production ?? false };
}

/**
 * A check made in parts: objects are added a cluster at a time (the policy rules look at one cluster's objects
 * together) and the result is the same as one check of them all, so that a synthesis can check each cluster as it
 * is rendered instead of holding the whole estate.
 */
export class Checker {
  private readonly findings: Finding[] = [];
  private readonly unvalidated = new Set<string>();
  private objects = 0;

  /** @param validator the schema validator */
  constructor(private readonly validator: SchemaValidator) {}

  /**
   * Checks objects against their schemas and the policy rules.
   * @param objects every object of one or more whole clusters
   * @returns whether they gave no error (waived findings and warnings aside)
   */
  public add(objects: readonly CheckedObject[]): boolean {
    const before = this.findings.length;
    this.objects += objects.length;
    for (const c of objects) {
      const o = c.object;
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

  /** Everything found so far, sorted, with a warning per kind that had no schema. */
  public result(): CheckResult {
    const findings = [...this.findings];
    const unvalidated = [...this.unvalidated].sort();
    for (const kind of unvalidated) {
      findings.push({ rule: 'schema-missing', severity: 'warning', cluster: '-', object: kind, source: '-', at: '', message: `objects of ${kind} were not validated: no schema is loaded for the kind`, fix: 'pass the folder of its CRD with --crds (e.g. the KubeSphere 4.1 CRDs)' });
    }
    return { findings: sortFindings(findings), objects: this.objects, unvalidated };
  }
}

/**
 * Checks objects against their schemas and the policy rules.
 * @param objects the objects, with cluster, source and profile
 * @param validator the schema validator
 */
export function checkObjects(objects: readonly CheckedObject[], validator: SchemaValidator): CheckResult {
  const checker = new Checker(validator);
  checker.add(objects);
  return checker.result();
}

/**
 * Renders a platform and checks it a cluster at a time, each cluster's objects released once checked (what
 * `platform-cdk validate` runs): the same findings as `checkRendered` of a whole render, in the memory of one
 * cluster. Throws a `ValidationError` when two rendered objects collide (see `renderPlatform`).
 * @param platform the platform (valid: see `validatePlatform`)
 * @param options more CRD folders, and progress output
 */
export function checkPlatform(platform: Platform, options: CheckOptions & RenderOptions = {}): CheckResult {
  const checker = new Checker(validatorFor(platform.target, options.crdDirs));
  renderClusters(platform, planPlatform(platform), options, (cluster, groups) => void checker.add(checkedObjectsOf(platform, cluster.cluster.name, groups.flatMap((g) => g.objects))));
  return checker.result();
}

/**
 * Checks a rendered platform.
 * @param platform the platform
 * @param rendered its render
 * @param options more CRD folders
 */
export function checkRendered(platform: Platform, rendered: RenderedPlatform, options: CheckOptions = {}): CheckResult {
  return checkObjects(checkedObjects(platform, rendered), validatorFor(platform.target, options.crdDirs));
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
