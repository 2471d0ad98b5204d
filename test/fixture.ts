/**
 * The one fixture helper of the test suite: a small valid platform (a host cluster running production, a
 * member running test, one tenant with one project) that a test extends, then synthesizes in memory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ClusterRole, Issuer, ManifestStack, OUTPUT_MARKER, Platform, Registry, Target, Tls, ValidationError } from 'platform-cdk';
import type { AppService, Cluster, Environment, KubeObject, Project, Tenant } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { canValidate, validator } from './schemas';

/** The parts of the fixture platform. */
export interface Fixture {
  readonly platform: Platform;
  readonly host: Cluster;
  readonly member: Cluster;
  readonly test: Environment;
  readonly production: Environment;
  readonly tenant: Tenant;
  readonly project: Project;
  readonly registry: Registry;
}

/**
 * A small valid platform: host (production, with TLS from cert-manager's `letsencrypt` ClusterIssuer) +
 * member-test (test), tenant `shop`, project `storefront`.
 * @param target the platform's target (default: KubeSphere 4.1)
 */
export function fixture(target?: Target): Fixture {
  const platform = new Platform('acme', { target });
  const host = platform.addCluster('host', { role: ClusterRole.HOST, ingressClassName: 'nginx' });
  const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER });
  const test = platform.addEnvironment('test', { clusters: [member], domain: 'test.example.com' });
  const production = platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true, tls: Tls.certManager(Issuer.cluster('letsencrypt')) });
  const tenant = platform.addTenant('shop', { manager: 'alice' });
  const project = tenant.addProject('storefront', { environments: [test, production] });
  return { platform, host, member, test, production, tenant, project, registry: Registry.at('harbor.example.com', { user: 1000 }) };
}

/** Adds a minimal valid service (`harbor.example.com/shop/<id>:1.0.0`, port 8080). */
export function addService(f: Fixture, id: string, props: Partial<Parameters<Project['addService']>[1]> = {}): AppService {
  return f.project.addService(id, { image: f.registry.image(`shop/${id}`, '1.0.0'), ports: [{ port: 8080 }], ...props });
}

/** Synthesizes in memory and returns every object of every cluster, keyed `<cluster>/<Kind>/<namespace>/<name>`. */
export function synthObjects(platform: Platform): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const [file, text] of new ManifestStack(platform).files()) {
    if (file.startsWith('_')) continue; // CI files for the modules' repositories (_gitlab-ci/) and installation files (_install/), not Kubernetes objects
    const cluster = file.split('/')[0];
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as KubeObject;
      out.set(`${cluster}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`, o);
    }
  }
  return out;
}

/** The one object with this key; fails the test when missing. */
export function objectAt(objects: Map<string, KubeObject>, key: string): KubeObject {
  const o = objects.get(key);
  if (!o) throw new Error(`no object ${key}; objects: ${[...objects.keys()].join(', ')}`);
  return o;
}

/** The validation error messages of a platform (lines), or fails when it is valid. */
export function validationErrors(platform: Platform): string[] {
  try {
    new ManifestStack(platform).files();
  } catch (e) {
    if (e instanceof ValidationError) return e.message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));
    throw e;
  }
  throw new Error('expected the platform to be invalid, and it synthesized');
}

/** Synthesizes in memory like `synthObjects` and checks every object against its schema (Kubernetes 1.27, the ecosystem and KubeSphere CRDs); fails the test on any finding. */
export function synthValid(platform: Platform): Map<string, KubeObject> {
  const objects = synthObjects(platform);
  const v = validator();
  const findings: string[] = [];
  for (const [key, o] of objects) {
    if (!canValidate(o.apiVersion)) continue;
    for (const f of v.validate(o)) findings.push(`${key} ${f.path}: ${f.message}`);
  }
  expect(findings).toEqual([]);
  return objects;
}

/** The one error line about a construct path and property; fails with every line when there is none. */
export function lineFor(lines: string[], path: string, property: string): string {
  const line = lines.find((l) => l.startsWith(`[${path}] ${property}: got `));
  if (!line) throw new Error(`no problem for [${path}] ${property}; problems:\n${lines.join('\n')}`);
  return line;
}

/**
 * Every file under a folder with its text, by path relative to the folder, in sorted order; the output marker
 * (`.platform-cdk-output`, the same bytes in every output folder) is left out.
 */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (d === dir && e.name === OUTPUT_MARKER) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}
