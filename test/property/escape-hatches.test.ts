/**
 * Property tests of the escape hatches (docs/escape-hatches.md): random valid estates with random user constructs
 * (per project, tenant and cluster), overrides and a transform synthesize to schema-valid, policy-clean,
 * deterministic and isolated output in which every user object and override is found where it was declared.
 */
import * as fc from 'fast-check';
import { ApiObject } from 'cdk8s';
import { checkIsolation, declaredPaths, formatIsolationFinding, isolationObjectsOfRender, ManifestStack } from 'platform-cdk';
import type { KubeObject, Platform } from 'platform-cdk';
import { checkRendered, formatFinding } from '../../lib/check';
import { buildEstate, EstateSpec, validEstate } from './estate';

const SEED = 20261206;

/** The escape hatches added to an estate, by index into its projects, tenants, clusters and services. */
interface HatchSpec {
  readonly projectObjects: readonly { readonly project: number; readonly name: string; readonly value: string; readonly firstEnvironmentOnly: boolean }[];
  readonly tenantObjects: readonly { readonly tenant: number; readonly name: string }[];
  readonly clusterObjects: readonly { readonly cluster: number; readonly name: string }[];
  readonly overrides: readonly { readonly service: number; readonly grace: number }[];
  readonly transform: boolean;
}

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).map((s) => `user-${s}`);
const hatchSpec: fc.Arbitrary<HatchSpec> = fc.record({
  projectObjects: fc.array(fc.record({ project: fc.nat(), name, value: fc.string({ maxLength: 12 }), firstEnvironmentOnly: fc.boolean() }), { maxLength: 6 }),
  tenantObjects: fc.array(fc.record({ tenant: fc.nat(), name }), { maxLength: 3 }),
  clusterObjects: fc.array(fc.record({ cluster: fc.nat(), name }), { maxLength: 3 }),
  overrides: fc.array(fc.record({ service: fc.nat(), grace: fc.integer({ min: 1, max: 600 }) }), { maxLength: 4 }),
  transform: fc.boolean(),
});

/** What the output must hold: `<cluster>/<Kind>/<namespace>/<name>` → a check of the object. */
type Expectations = Map<string, (o: KubeObject) => boolean>;

/** Builds the estate with its escape hatches; names that repeat in one place are declared once. */
function build(spec: EstateSpec, hatches: HatchSpec): { platform: Platform; expected: Expectations } {
  const built = buildEstate(spec);
  const { platform } = built;
  const expected: Expectations = new Map();
  const projects = [...built.projects.values()];
  const tenants = [...built.tenants.values()];
  const services = [...built.services.values()];
  const used = new Set<string>();
  hatches.projectObjects.forEach((h, i) => {
    if (projects.length === 0) return;
    const project = projects[h.project % projects.length];
    if (used.has(`${project.tenant.name}/${h.name}`)) return;
    used.add(`${project.tenant.name}/${h.name}`);
    const environment = h.firstEnvironmentOnly ? project.environments[0]?.name : undefined;
    project.addManifests(`objects-${i}`, (chart) => void new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: h.name }, data: { value: h.value } }), { environment });
    for (const p of project.placements) {
      if (environment === undefined || p.environment.name === environment) expected.set(`${p.cluster.name}/ConfigMap/${p.namespace}/${h.name}`, (o) => (o.data as Record<string, string>).value === h.value);
    }
  });
  hatches.tenantObjects.forEach((h, i) => {
    if (tenants.length === 0) return;
    const tenant = tenants[h.tenant % tenants.length];
    if (used.has(`${tenant.name}/${h.name}`)) return;
    used.add(`${tenant.name}/${h.name}`);
    tenant.addManifests(`objects-${i}`, (chart, where) => {
      for (const ns of where.namespaces) new ApiObject(chart, `cm-${ns}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: h.name, namespace: ns } });
    });
    for (const project of tenant.projects) for (const p of project.placements) expected.set(`${p.cluster.name}/ConfigMap/${p.namespace}/${h.name}`, (o) => o.metadata.labels?.['platform-cdk.io/tenant'] === tenant.name);
  });
  hatches.clusterObjects.forEach((h, i) => {
    const cluster = platform.clusters[h.cluster % platform.clusters.length];
    if (used.has(`${cluster.name}//${h.name}`)) return;
    used.add(`${cluster.name}//${h.name}`);
    cluster.addManifests(`objects-${i}`, (chart) => void new ApiObject(chart, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: h.name }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] }));
    expected.set(`${cluster.name}/ClusterRole/-/${h.name}`, () => true);
  });
  const grace = new Map<string, number>();
  for (const h of hatches.overrides) {
    if (services.length === 0) break;
    const service = services[h.service % services.length];
    // The service's own kind (a generated service may run as a Job, CronJob or DaemonSet), at its pod template.
    service.addOverride(service.workload.kind, `spec.${service.workload.kind === 'CronJob' ? 'jobTemplate.spec.' : ''}template.spec.terminationGracePeriodSeconds`, h.grace);
    grace.set(service.node.path, h.grace);
  }
  for (const service of services) {
    const g = grace.get(service.node.path);
    if (g === undefined) continue;
    for (const p of service.project.placements) {
      if (!service.project.servicesIn(p.environment).includes(service)) continue;
      expected.set(`${p.cluster.name}/${service.workload.kind}/${p.namespace}/${service.name}`, (o) => JSON.stringify(o.spec).includes(`"terminationGracePeriodSeconds":${g}`));
    }
  }
  if (hatches.transform) platform.addTransform((o) => void (o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'example.com/seen': 'yes' }));
  return { platform, expected };
}

function problems(spec: EstateSpec, hatches: HatchSpec): string[] {
  const { platform, expected } = build(spec, hatches);
  const stack = new ManifestStack(platform);
  let files: Map<string, string>;
  const out: string[] = [];
  try {
    const rendered = stack.render();
    const result = checkRendered(platform, rendered);
    out.push(...result.findings.filter((f) => f.severity === 'error' && f.waived === undefined).map(formatFinding));
    out.push(...checkIsolation(isolationObjectsOfRender(rendered), { declaredPaths: declaredPaths(platform) }).map(formatIsolationFinding));
    files = stack.files();
  } catch (e) {
    return [`synthesis failed: ${e instanceof Error ? e.message : String(e)}`];
  }
  const again = new ManifestStack(build(spec, hatches).platform).files();
  if ([...again.keys()].join('\n') !== [...files.keys()].join('\n')) out.push('a second build wrote other files');
  for (const [f, text] of files) if (again.get(f) !== text) out.push(`a second build wrote ${f} differently`);
  const objects = new Map<string, KubeObject>();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof import('yaml');
  for (const [file, text] of files) {
    if (file.startsWith('_')) continue;
    for (const doc of yaml.parseAllDocuments(text)) {
      const o = doc.toJS() as KubeObject;
      objects.set(`${file.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`, o);
      if (hatches.transform && o.metadata.annotations?.['example.com/seen'] !== 'yes') out.push(`the transform did not see ${o.kind} ${o.metadata.name}`);
    }
  }
  for (const [key, ok] of expected) {
    const o = objects.get(key);
    if (!o) out.push(`missing ${key}`);
    else if (!ok(o)) out.push(`${key} is not as declared`);
  }
  return out;
}

describe('random valid estates with random escape hatches', () => {
  it('synthesize to schema-valid, policy-clean, deterministic, isolated output holding every user object and override where declared', () => {
    fc.assert(
      fc.property(validEstate, hatchSpec, (spec, hatches) => {
        expect(problems(spec, hatches)).toEqual([]);
      }),
      { seed: SEED, numRuns: 15 },
    );
  });
});
