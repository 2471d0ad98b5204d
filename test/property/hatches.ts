/**
 * Random escape hatches for the property tests (docs/escape-hatches.md), added to a random valid estate
 * (`buildEstate`): user constructs of a mix of mechanisms per project, tenant and cluster — cdk8s `ApiObject`,
 * cdk8s-plus-27 ConfigMap, Service, Job, CronJob, NetworkPolicy and Deployment, a `cdk8s import`ed class, and in the
 * full tier `Include` and `Helm` (each runs a process per placement) — overrides and JSON patches on generated
 * Deployments, and a platform-wide transform. `buildWithHatches` returns the platform and what its output must hold.
 */
import * as path from 'path';
import * as fc from 'fast-check';
import { ApiObject, Cron, Helm, Include, JsonPatch } from 'cdk8s';
import type { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { KubeObject, Platform } from 'platform-cdk';
import { ReportSchedule } from '../fixtures/escape-hatches/imports/reports.example.com';
import { FULL } from '../tier';
import { buildEstate, EstateSpec } from './estate';

/** The mechanisms a project's user construct is drawn from. */
const PROJECT_KINDS = ['api-configmap', 'plus-configmap', 'plus-service', 'plus-job', 'plus-cronjob', 'plus-network-policy', 'plus-deployment', 'imported-crd'] as const;
/** The mechanisms a cluster's user construct is drawn from (`Include` and `Helm` in the full tier only). */
const CLUSTER_KINDS = FULL ? (['api-cluster-role', 'api-ops-configmap', 'api-cluster-custom', 'include', 'helm'] as const) : (['api-cluster-role', 'api-ops-configmap', 'api-cluster-custom'] as const);

/** The escape hatches added to an estate, by index into its projects, tenants, clusters and services. */
export interface HatchSpec {
  readonly projectObjects: readonly { readonly project: number; readonly kind: (typeof PROJECT_KINDS)[number]; readonly name: string; readonly value: string; readonly firstEnvironmentOnly: boolean }[];
  readonly tenantObjects: readonly { readonly tenant: number; readonly name: string }[];
  readonly clusterObjects: readonly { readonly cluster: number; readonly kind: (typeof CLUSTER_KINDS)[number]; readonly name: string }[];
  readonly overrides: readonly { readonly service: number; readonly grace: number; readonly history: number | null }[];
  readonly transform: boolean;
}

const name = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).map((s) => `user-${s}`);

/** Random escape hatches. */
export const hatchSpec: fc.Arbitrary<HatchSpec> = fc.record({
  projectObjects: fc.array(fc.record({ project: fc.nat(), kind: fc.constantFrom(...PROJECT_KINDS), name, value: fc.string({ maxLength: 12 }), firstEnvironmentOnly: fc.boolean() }), { maxLength: 6 }),
  tenantObjects: fc.array(fc.record({ tenant: fc.nat(), name }), { maxLength: 3 }),
  clusterObjects: fc.array(fc.record({ cluster: fc.nat(), kind: fc.constantFrom(...CLUSTER_KINDS), name }), { maxLength: 3 }),
  overrides: fc.array(fc.record({ service: fc.nat(), grace: fc.integer({ min: 1, max: 600 }), history: fc.option(fc.integer({ min: 0, max: 20 })) }), { maxLength: 4 }),
  transform: fc.boolean(),
});

/** What the output must hold: `<cluster>/<Kind>/<namespace or ->/<name>` → a check of the object. */
export type Expectations = Map<string, (o: KubeObject) => boolean>;

/** What restricted pods need and cdk8s-plus-27 does not say: seccomp and dropped capabilities, patched on its object. */
function restrict(object: ApiObject, spec: string): void {
  object.addJsonPatch(JsonPatch.add(`${spec}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }), JsonPatch.add(`${spec}/containers/0/securityContext/capabilities`, { drop: ['ALL'] }));
}

/**
 * Adds one project object of a mechanism to a chart, named `name`; returns its kind, or `undefined` when it is not
 * added in this environment (a Deployment only outside production, where it would need a disruption budget and spread).
 */
function addProjectObject(chart: Chart, kind: (typeof PROJECT_KINDS)[number], name: string, value: string, production: boolean): string | undefined {
  const container = { image: 'harbor.example.com/user/app:1.0.0', portNumber: 8080, securityContext: { user: 1000, group: 1000 } };
  switch (kind) {
    case 'api-configmap':
      new ApiObject(chart, 'object', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value } });
      return 'ConfigMap';
    case 'plus-configmap':
      new kplus.ConfigMap(chart, 'object', { metadata: { name }, data: { value } });
      return 'ConfigMap';
    case 'plus-service':
      new kplus.Service(chart, 'object', { metadata: { name }, selector: kplus.Pods.select(chart, 'pods', { labels: { 'example.com/app': name } }), ports: [{ port: 80, targetPort: 8080 }] });
      return 'Service';
    case 'plus-job':
      restrict(ApiObject.of(new kplus.Job(chart, 'object', { metadata: { name }, containers: [container] })), '/spec/template/spec');
      return 'Job';
    case 'plus-cronjob':
      restrict(ApiObject.of(new kplus.CronJob(chart, 'object', { metadata: { name }, schedule: Cron.daily(), containers: [container] })), '/spec/jobTemplate/spec/template/spec');
      return 'CronJob';
    case 'plus-network-policy':
      new kplus.NetworkPolicy(chart, 'object', { metadata: { name }, selector: kplus.Pods.select(chart, 'pods', { labels: { 'example.com/app': name } }), ingress: { rules: [{ peer: kplus.Pods.all(chart, 'peers'), ports: [kplus.NetworkPolicyPort.tcp(8080)] }] } });
      return 'NetworkPolicy';
    case 'plus-deployment': {
      if (production) return undefined;
      const probe = kplus.Probe.fromTcpSocket({ port: 8080 });
      restrict(ApiObject.of(new kplus.Deployment(chart, 'object', { metadata: { name }, containers: [{ ...container, readiness: probe, liveness: probe }] })), '/spec/template/spec');
      return 'Deployment';
    }
    case 'imported-crd':
      new ReportSchedule(chart, 'object', { metadata: { name }, spec: { schedule: '0 2 * * *', report: value } });
      return 'ReportSchedule';
  }
}

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'escape-hatches');

/**
 * Builds the estate with its escape hatches; names that repeat in one place are declared once.
 * @param spec the estate
 * @param hatches its escape hatches
 */
export function buildWithHatches(spec: EstateSpec, hatches: HatchSpec): { platform: Platform; expected: Expectations } {
  const built = buildEstate(spec);
  const { platform } = built;
  const expected: Expectations = new Map();
  const projects = [...built.projects.values()];
  const tenants = [...built.tenants.values()];
  // The services that run as a Deployment (the others are Jobs, CronJobs or DaemonSets): those the overrides patch.
  const deployments = new Set(spec.tenants.flatMap((t) => t.projects.flatMap((p) => p.services.filter((x) => x.workload === undefined).map((x) => `${t.name}/${p.name}/${x.name}`))));
  const services = [...built.services].filter(([key]) => deployments.has(key)).map(([, service]) => service);
  const used = new Set<string>();
  hatches.projectObjects.forEach((h, i) => {
    if (projects.length === 0) return;
    const project = projects[h.project % projects.length];
    if (used.has(`${project.tenant.name}/${h.name}`)) return;
    used.add(`${project.tenant.name}/${h.name}`);
    const environment = h.firstEnvironmentOnly ? project.environments[0]?.name : undefined;
    project.addManifests(`objects-${i}`, (chart, where) => void addProjectObject(chart, h.kind, h.name, h.value, where.environment?.production === true), { environment });
    for (const p of project.placements) {
      if (environment !== undefined && p.environment.name !== environment) continue;
      if (h.kind === 'plus-deployment' && p.environment.production) continue;
      const kind = { 'api-configmap': 'ConfigMap', 'plus-configmap': 'ConfigMap', 'plus-service': 'Service', 'plus-job': 'Job', 'plus-cronjob': 'CronJob', 'plus-network-policy': 'NetworkPolicy', 'plus-deployment': 'Deployment', 'imported-crd': 'ReportSchedule' }[h.kind];
      // (cdk8s-plus-27 leaves an empty string out of a ConfigMap's data.)
      expected.set(`${p.cluster.name}/${kind}/${p.namespace}/${h.name}`, (o) => o.metadata.labels?.['platform-cdk.io/environment'] === p.environment.name && (!h.kind.endsWith('configmap') || ((o.data as Record<string, string> | undefined)?.value ?? '') === h.value));
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
    // Include and Helm write fixed objects: once per cluster.
    const key = h.kind === 'include' || h.kind === 'helm' ? h.kind : h.name;
    if (used.has(`${cluster.name}//${key}`)) return;
    used.add(`${cluster.name}//${key}`);
    cluster.addManifests(`objects-${i}`, (chart) => {
      if (h.kind === 'api-cluster-role') new ApiObject(chart, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: h.name }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
      else if (h.kind === 'api-ops-configmap') new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: h.name, namespace: 'platform-ops' } });
      // A custom resource without a namespace: cluster-scoped.
      else if (h.kind === 'api-cluster-custom') new ApiObject(chart, 'profile', { apiVersion: 'config.koordinator.sh/v1alpha1', kind: 'ClusterColocationProfile', metadata: { name: h.name }, spec: { qosClass: 'BE' } });
      else if (h.kind === 'include') new Include(chart, 'vendor', { url: path.join(FIXTURES, 'vendor.yaml') });
      else new Helm(chart, 'exporter', { chart: 'example/exporter', releaseName: 'exporter', namespace: 'monitoring', helmExecutable: path.join(FIXTURES, 'bin', 'helm') });
    });
    const managed = (o: KubeObject): boolean => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'platform-cdk';
    if (h.kind === 'api-cluster-role') expected.set(`${cluster.name}/ClusterRole/-/${h.name}`, managed);
    else if (h.kind === 'api-ops-configmap') expected.set(`${cluster.name}/ConfigMap/platform-ops/${h.name}`, managed);
    else if (h.kind === 'api-cluster-custom') expected.set(`${cluster.name}/ClusterColocationProfile/-/${h.name}`, managed);
    else if (h.kind === 'include') expected.set(`${cluster.name}/ConfigMap/vendor-system/vendor-config`, managed);
    else expected.set(`${cluster.name}/ServiceAccount/monitoring/exporter`, managed);
  });
  const patched = new Map<string, { grace: number; history?: number }>();
  // Overrides on the Deployments named after their service (a generated service may run as a Job, CronJob or
  // DaemonSet, or as versions, each a Deployment of its own).
  const generated = services.filter((s) => s.workload.kind === 'Deployment' && s.versions === undefined);
  for (const h of hatches.overrides) {
    if (generated.length === 0) break;
    const service = generated[h.service % generated.length];
    service.addOverride('Deployment', 'spec.template.spec.terminationGracePeriodSeconds', h.grace);
    const before = patched.get(service.node.path);
    let history = before?.history;
    if (h.history !== null) {
      service.addJsonPatch('Deployment', JsonPatch.add('/spec/revisionHistoryLimit', h.history));
      history = h.history;
    }
    patched.set(service.node.path, { grace: h.grace, history });
  }
  for (const service of services) {
    const want = patched.get(service.node.path);
    if (want === undefined) continue;
    for (const p of service.project.placements) {
      if (!service.project.servicesIn(p.environment).includes(service)) continue;
      expected.set(`${p.cluster.name}/Deployment/${p.namespace}/${service.name}`, (o) => {
        const s = o.spec as { revisionHistoryLimit?: number; template: { spec: { terminationGracePeriodSeconds?: number } } };
        return s.template.spec.terminationGracePeriodSeconds === want.grace && (want.history === undefined || s.revisionHistoryLimit === want.history);
      });
    }
  }
  if (hatches.transform) platform.addTransform((o) => void (o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'example.com/seen': 'yes' }));
  return { platform, expected };
}
