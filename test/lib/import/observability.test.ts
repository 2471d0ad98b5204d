/**
 * The import of a service's observability (lib/import/observability.ts): the log collectors' pod annotations back to
 * `logs`, the ServiceMonitor back to `metrics`, the PrometheusRule back to `alerts`.
 */
import * as fs from 'fs';
import * as fc from 'fast-check';
import { ClusterRole, Duration, LogFormat, ManifestStack, Platform, Registry } from 'platform-cdk';
import type { AlertOptions, KubeObject, LogOptions, MetricsOptions } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { formatOutputDiff } from '../../../lib/diff';
import { importEstate } from '../../../lib/import';
import type { EstateContext } from '../../../lib/import';
import type { ImportedService } from '../../../lib/import/model';
import { logAnnotationsOf, observabilityMergePass, readAlerts, readLogs, readMetrics } from '../../../lib/import/observability';
import type { ReadLogs } from '../../../lib/import/observability';
import { loadProgram, roundTrip, writeExport } from './roundtrip';

const SEED = 22;
const image = Registry.at('harbor.example.com').image('orders/api', '1.2.3');

interface Observed {
  readonly logs?: LogOptions;
  readonly metrics?: MetricsOptions;
  readonly alerts?: AlertOptions | true;
}

/** An estate of services in test and production, with the options given. */
function estate(services: Record<string, Observed>): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const test = platform.addEnvironment('test', { clusters: [host], namespaceSuffix: '-test' });
  const production = platform.addEnvironment('production', { clusters: [host], production: true });
  const project = platform.addTenant('orders', { manager: 'alice' }).addProject('orders', { environments: [test, production] });
  for (const [name, s] of Object.entries(services)) {
    project.addService(name, { image, runAsUser: 1000, ports: [{ port: 8080 }, { port: 8081, name: 'management' }], ...s });
  }
  return platform;
}

function objects(platform: Platform): KubeObject[] {
  return [...new ManifestStack(platform).files()].filter(([f]) => f.endsWith('.yaml')).flatMap(([, t]) => parseAllDocuments(t).map((d) => d.toJS() as KubeObject)).filter((o) => o !== null);
}

function find(all: readonly KubeObject[], kind: string, namespace: string, name: string): KubeObject {
  const o = all.find((x) => x.kind === kind && x.metadata.namespace === namespace && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${namespace}/${name}`);
  return o;
}

test('logs, metrics and alerts round-trip as the service\'s options, the defaults left out', () => {
  const r = roundTrip(
    estate({
      api: { logs: { format: LogFormat.JSON }, metrics: { port: 'management', path: '/actuator/prometheus' }, alerts: { errorRate: { threshold: 0.05 } } },
      quiet: { logs: { collect: false }, alerts: { unavailableReplicas: false, restarts: 5 } },
      java: { logs: { multilineStart: '^\\d{4}-\'"`${x}' }, metrics: { interval: Duration.seconds(15) }, alerts: true },
      custom: { metrics: {}, alerts: { restarts: 0, errorRate: { threshold: 0.1, metric: 'grpc_server_handled_total', status: { label: 'grpc_code', failures: 'Internal|Unavailable' } } } },
    }),
    'observability-basic',
  );
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  const p = r.imported.program;
  expect(p).toContain('logs: { format: LogFormat.JSON }');
  expect(p).toContain("metrics: { port: 'management', path: '/actuator/prometheus' }");
  expect(p).toContain('alerts: { errorRate: { threshold: 0.05 } }');
  expect(p).toContain('logs: { collect: false }');
  expect(p).toContain('alerts: { unavailableReplicas: false, restarts: 5 }');
  expect(p).toContain('metrics: { interval: Duration.seconds(15) }');
  expect(p).toContain('alerts: true');
  expect(p).not.toContain('not carried: the pod annotation');
  expect(r.imported.summary.hatch).toBe(0);
  for (const kind of ['ServiceMonitor', 'PrometheusRule']) expect(r.imported.report.filter((e) => e.object.startsWith(`${kind} `)).every((e) => e.outcome === 'typed')).toBe(true);
});

test('a ServiceMonitor or PrometheusRule edited beyond what the library writes stays as it is (carried through a hatch)', () => {
  const all = objects(estate({ api: { metrics: { port: 'management' }, alerts: true } }));
  const monitor = find(all, 'ServiceMonitor', 'orders', 'api') as unknown as { spec: { endpoints: object[] } };
  expect(readMetrics(monitor as unknown as KubeObject, 'api', 'orders', ['http', 'management'])).toEqual({ port: 'management' });
  expect(readMetrics({ ...monitor, spec: { ...monitor.spec, endpoints: [{ port: 'management', path: '/metrics', interval: '30s', scheme: 'https' }] } } as unknown as KubeObject, 'api', 'orders', ['http', 'management'])).toBeUndefined();
  expect(readMetrics(monitor as unknown as KubeObject, 'api', 'orders', ['http'])).toBeUndefined();
  // A preview's labels are the library's too; a label of the team's is not.
  const labelled = (labels: Record<string, string>): KubeObject => ({ ...monitor, metadata: { ...(monitor as unknown as KubeObject).metadata, labels: { ...(monitor as unknown as KubeObject).metadata.labels, ...labels } } }) as unknown as KubeObject;
  expect(readMetrics(labelled({ 'platform-cdk.io/preview': 'feature-x', 'platform-cdk.io/preview-owner': 'bob', 'platform-cdk.io/preview-expires': '2026-12-31' }), 'api', 'orders', ['http', 'management'])).toEqual({ port: 'management' });
  expect(readMetrics(labelled({ release: 'prometheus' }), 'api', 'orders', ['http', 'management'])).toBeUndefined();
  const rule = find(all, 'PrometheusRule', 'orders', 'api-alerts') as unknown as { spec: { groups: { name: string; rules: object[] }[] } };
  const at = { service: 'api', container: 'api', namespace: 'orders', tenant: 'orders', environment: 'production' };
  expect(readAlerts(rule as unknown as KubeObject, at, true)).toEqual({});
  const group = rule.spec.groups[0];
  const extra = { ...rule, spec: { groups: [{ ...group, rules: [...group.rules, { alert: 'Mine', expr: 'up == 0' }] }] } };
  expect(readAlerts(extra as unknown as KubeObject, at, true)).toBeUndefined();
  expect(readAlerts(rule as unknown as KubeObject, { ...at, environment: 'test' }, true)).toBeUndefined();
});

test('log annotations that are not what the library writes for some options are not read as options', () => {
  expect(readLogs({})).toEqual({});
  expect(readLogs({ 'fluentbit.io/parser': 'json' })).toBeUndefined();
  expect(readLogs({ 'fluentbit.io/parser': 'nginx' })).toBeUndefined();
  expect(readLogs({ ...logAnnotationsOf({ format: LogFormat.JSON }), 'co.elastic.logs/enabled': 'false' })).toBeUndefined();
});

test('property: any log options read back from the annotations the library writes', () => {
  const logs = fc.oneof(
    fc.constant<ReadLogs>({ collect: false }),
    fc.record({ format: fc.option(fc.constant(LogFormat.JSON), { nil: undefined }), multilineStart: fc.option(fc.string({ minLength: 1, unit: 'grapheme' }), { nil: undefined }) }).map((l): ReadLogs => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined))),
  );
  fc.assert(
    fc.property(logs, (l) => {
      expect(readLogs({ 'other.io/x': 'y', ...logAnnotationsOf(l) })).toEqual(l);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test('property: any observability of a service round-trips', () => {
  const options = fc.record({
    logs: fc.option(fc.constantFrom<LogOptions>({ format: LogFormat.JSON }, { collect: false }, { multilineStart: "^['\\d]" }), { nil: undefined }),
    metrics: fc.option(fc.record({ port: fc.constantFrom('http', 'management'), path: fc.constantFrom('/metrics', '/x"y'), interval: fc.integer({ min: 1, max: 120 }).map((n) => Duration.seconds(n)) }), { nil: undefined }),
    alerts: fc.option(fc.oneof(fc.constant<true>(true), fc.record({ restarts: fc.integer({ min: 0, max: 9 }), unavailableReplicas: fc.boolean(), errorRate: fc.record({ threshold: fc.double({ min: 0.001, max: 1, noNaN: true }) }) })), { nil: undefined }),
  });
  let run = 0;
  fc.assert(
    fc.property(options, (o) => {
      const r = roundTrip(estate({ api: o }), `observability-prop-${run++}`);
      expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    }),
    { seed: SEED, numRuns: 4 },
  );
});

test('a ServiceMonitor the library would not write as it is comes back as exported, and the project\'s policy is written once', () => {
  const files = new Map(new ManifestStack(estate({ api: { metrics: {} }, web: { metrics: {} } })).files());
  let edited = 0;
  for (const [file, text] of files) {
    const docs = text.split(/^---$/m).map((d) => (d.includes('kind: ServiceMonitor') && d.includes('name: web\n') ? (edited++, d.replace('    path: /metrics\n', '    path: /metrics\n    scheme: https\n')) : d));
    files.set(file, docs.join('---'));
  }
  expect(edited).toBe(2);
  const dir = writeExport(files);
  try {
    const imported = importEstate(dir, { platform: 'acme' });
    expect(imported.report.find((e) => e.object === 'ServiceMonitor orders/web')?.outcome).toBe('hatch');
    expect(imported.report.find((e) => e.object === 'NetworkPolicy orders/allow-monitoring')?.outcome).toBe('generated');
    const again = new ManifestStack(loadProgram(imported.program, 'observability-edited')).files();
    const monitors = [...again.values()].join('\n---\n').split(/^---$/m).filter((d) => d.includes('kind: ServiceMonitor'));
    expect(monitors.filter((d) => d.includes('scheme: https'))).toHaveLength(2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('logs, metrics and alerts that differ between environments are kept once, with a note', () => {
  const s: ImportedService = { name: 'api', common: { extra: { metrics: {} } }, perEnvironment: { production: { extra: { metrics: { path: '/x' } } } }, hosts: {}, notes: [] };
  const tenants = new Map([['orders', { name: 'orders', projects: [{ name: 'orders', environments: ['test', 'production'], namespaces: {}, services: [s], hatches: [] }] }]]);
  observabilityMergePass({ index: { tenants } } as unknown as EstateContext);
  expect(s.perEnvironment).toEqual({});
  expect(s.common.extra).toEqual({ metrics: {} });
  expect(s.notes.join('\n')).toMatch(/TODO: the metrics of production differ/);
});
