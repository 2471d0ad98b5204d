/**
 * Checking synthesized output: every object against its schema (strict, like kubeconform: Kubernetes 1.27, the
 * KubeSphere CRDs of the target, and the ecosystem CRDs the output uses), and the policy rules of its
 * environment's profile. The schemas are compiled once per kind and per process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Platform, Target } from '../constructs/platform';
import type { ManifestObject } from './manifest';
import { CheckedObject, checkPolicies, describeObject, Finding } from './policy';
import type { RenderedPlatform } from './render';
import { SchemaValidator } from './schema';
import type { KubeObject } from './manifest';

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
 * The validator of a target with extra CRD folders, built once per process.
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
    for (const o of rc.objects) out.push(checkedObject(platform, rc.cluster.name, o));
  }
  return out;
}

function checkedObject(platform: Platform, cluster: string, o: ManifestObject): CheckedObject {
  const origin = o.origin;
  const source = (origin.service ?? origin.placement?.project ?? origin.tenant)?.node.path;
  const env = origin.placement?.environment ?? (o.manifest.metadata.labels?.['platform-cdk.io/environment'] ? platform.findEnvironment(o.manifest.metadata.labels['platform-cdk.io/environment']) : undefined);
  return { cluster, object: o.toJson(), source, production: env?.production ?? false };
}

/**
 * Checks objects against their schemas and the policy rules.
 * @param objects the objects, with cluster, source and profile
 * @param validator the schema validator
 */
export function checkObjects(objects: readonly CheckedObject[], validator: SchemaValidator): CheckResult {
  const findings: Finding[] = [];
  const unvalidated = new Set<string>();
  for (const c of objects) {
    const o = c.object;
    if (!validator.hasSchema(o.apiVersion, o.kind)) {
      unvalidated.add(`${o.apiVersion} ${o.kind}`);
      continue;
    }
    for (const f of validator.validate(o)) {
      findings.push({ rule: 'schema', severity: 'error', cluster: c.cluster, object: describeObject(o), source: c.source ?? '-', at: f.path, message: f.message, fix: 'correct the field (see the schema of the kind); if it comes from a JSON patch, fix the patch' });
    }
  }
  for (const kind of [...unvalidated].sort()) {
    findings.push({ rule: 'schema-missing', severity: 'warning', cluster: '-', object: kind, source: '-', at: '', message: `objects of ${kind} were not validated: no schema is loaded for the kind`, fix: 'pass the folder of its CRD with --crds (e.g. the KubeSphere 4.1 CRDs)' });
  }
  findings.push(...checkPolicies(objects));
  return { findings: sortFindings(findings), objects: objects.length, unvalidated: [...unvalidated].sort() };
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
