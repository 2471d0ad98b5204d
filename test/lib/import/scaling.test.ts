/**
 * The import of a service's scaling and availability (lib/import/scaling.ts): HorizontalPodAutoscalers back to
 * `autoscaling`, PodDisruptionBudgets back to `disruptionBudget` (or the production default), and Deployments scaled
 * elsewhere back to `Replicas.external()`.
 */
import * as fs from 'fs';
import * as fc from 'fast-check';
import { ClusterRole, ManifestStack, Platform, Registry, Replicas } from 'platform-cdk';
import type { AutoscalingOptions, DisruptionBudgetOptions, EnvironmentOverrides, KubeObject } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { importEstate } from '../../../lib/import';
import { readAutoscaler, readDisruptionBudget, readExternalReplicas } from '../../../lib/import/scaling';
import { loadProgram, roundTrip, writeExport } from './roundtrip';

const SEED = 22;
const image = Registry.at('harbor.example.com').image('orders/api', '1.2.3');

/** An estate of services in test and production. */
function estate(services: Record<string, { autoscaling?: AutoscalingOptions; disruptionBudget?: DisruptionBudgetOptions | false; test?: EnvironmentOverrides; production?: EnvironmentOverrides }>): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const test = platform.addEnvironment('test', { clusters: [host], namespaceSuffix: '-test' });
  const production = platform.addEnvironment('production', { clusters: [host], production: true });
  const project = platform.addTenant('orders', { manager: 'alice' }).addProject('orders', { environments: [test, production], quota: { cpuRequestMillis: 16000, cpuLimitMillis: 64000, memoryRequestMiB: 32768, memoryLimitMiB: 65536, pods: 100 } });
  for (const [name, s] of Object.entries(services)) {
    project.addService(name, { image, runAsUser: 1000, ports: [{ port: 8080 }], autoscaling: s.autoscaling, disruptionBudget: s.disruptionBudget, perEnvironment: { test: s.test ?? {}, production: s.production ?? {} } });
  }
  return platform;
}

test('autoscalers, disruption budgets and replicas set elsewhere round-trip as the service\'s options', () => {
  const r = roundTrip(
    estate({
      api: { production: { autoscaling: { minReplicas: 4, maxReplicas: 12, cpuUtilization: 70 } } },
      worker: { autoscaling: { minReplicas: 2, maxReplicas: 6, memoryUtilization: 80 }, test: { autoscaling: false } },
      both: { autoscaling: { minReplicas: 2, maxReplicas: 5, cpuUtilization: 60, memoryUtilization: 75 } },
      budget: { disruptionBudget: { minAvailable: 1 }, production: { disruptionBudget: { maxUnavailable: 2 } } },
      none: { production: { disruptionBudget: false, waivers: { disruptionBudget: 'a batch consumer: a drain only delays it' } } },
      dispatch: { production: { replicas: Replicas.external({ min: 4, max: 24, owner: 'the "DevOps" platform\'s scaler' }) }, test: { replicas: Replicas.external() } },
    }),
    'scaling-basic',
  );
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  const p = r.imported.program;
  // CPU at 70% is the default: not repeated.
  expect(p).toContain('autoscaling: { minReplicas: 4, maxReplicas: 12 }');
  expect(p).toContain("replicas: Replicas.external({ min: 4, max: 24, owner: 'the \"DevOps\" platform\\'s scaler' })");
  expect(p).toContain('replicas: Replicas.external()');
  expect(p).toContain('disruptionBudget: false');
  expect(r.imported.summary.hatch).toBe(0);
  const outcomes = (kind: string): string[] => r.imported.report.filter((e) => e.object.startsWith(`${kind} `)).map((e) => e.outcome);
  expect(outcomes('HorizontalPodAutoscaler').every((o) => o === 'typed')).toBe(true);
  expect(outcomes('PodDisruptionBudget').sort()).toEqual(['generated', 'generated', 'generated', 'generated', 'typed', 'typed']);
});

function objectNamed(platform: Platform, kind: string, namespace: string, name: string): KubeObject {
  for (const [, text] of new ManifestStack(platform).files()) {
    for (const doc of text.split(/^---$/m)) {
      if (doc.includes(`kind: ${kind}\n`) && doc.includes(`name: ${name}\n`) && doc.includes(`namespace: ${namespace}\n`)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return (require('yaml') as typeof import('yaml')).parse(doc) as KubeObject;
      }
    }
  }
  throw new Error(`no ${kind} ${namespace}/${name}`);
}

test('an autoscaler or a budget edited beyond what the library writes is not typed (it stays, carried through a hatch)', () => {
  const platform = estate({ api: { autoscaling: { minReplicas: 2, maxReplicas: 4 }, disruptionBudget: { maxUnavailable: 1 } } });
  const hpa = objectNamed(platform, 'HorizontalPodAutoscaler', 'orders', 'api') as unknown as { spec: Record<string, unknown> };
  expect(readAutoscaler(hpa as unknown as KubeObject, 'api')).toEqual({ minReplicas: 2, maxReplicas: 4 });
  expect(readAutoscaler({ ...hpa, spec: { ...hpa.spec, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } } as unknown as KubeObject, 'api')).toBeUndefined();
  expect(readAutoscaler({ ...hpa, spec: { ...hpa.spec, minReplicas: 5, maxReplicas: 3 } } as unknown as KubeObject, 'api')).toBeUndefined();
  expect(readAutoscaler(hpa as unknown as KubeObject, 'other')).toBeUndefined();
  const pdb = objectNamed(platform, 'PodDisruptionBudget', 'orders', 'api') as unknown as { spec: Record<string, unknown> };
  expect(readDisruptionBudget(pdb as unknown as KubeObject, 'api')).toEqual({ maxUnavailable: 1 });
  expect(readDisruptionBudget({ ...pdb, spec: { ...pdb.spec, maxUnavailable: '25%' } } as unknown as KubeObject, 'api')).toBeUndefined();
  expect(readDisruptionBudget({ ...pdb, spec: { ...pdb.spec, selector: { matchLabels: { app: 'x' } } } } as unknown as KubeObject, 'api')).toBeUndefined();
});

test('replica annotations that do not say a sound count are not read as Replicas.external()', () => {
  const d = (annotations: Record<string, string>, replicas?: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', annotations }, spec: { replicas } }) as unknown as KubeObject;
  const base = { 'scaling.platform-cdk.io/replicas': 'external', 'scaling.platform-cdk.io/min-replicas': '2', 'scaling.platform-cdk.io/max-replicas': '2' };
  expect(readExternalReplicas(d(base), 2)).toEqual({});
  expect(readExternalReplicas(d(base), 1)).toEqual({ min: 2 });
  expect(readExternalReplicas(d(base, 3), 2)).toBeUndefined();
  expect(readExternalReplicas(d({ ...base, 'scaling.platform-cdk.io/min-replicas': '5' }), 2)).toBeUndefined();
  expect(readExternalReplicas(d({ ...base, 'scaling.platform-cdk.io/max-replicas': '-1' }), 2)).toBeUndefined();
  expect(readExternalReplicas(d({ ...base, 'scaling.platform-cdk.io/owner': 'a\nb' }), 2)).toBeUndefined();
});

test('property: any autoscaling the library writes reads back as the same options', () => {
  const options = fc
    .record({ min: fc.integer({ min: 2, max: 20 }), extra: fc.integer({ min: 0, max: 20 }), cpu: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }), memory: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }) })
    .map(({ min, extra, cpu, memory }): AutoscalingOptions => ({ minReplicas: min, maxReplicas: min + extra, cpuUtilization: cpu, memoryUtilization: memory }));
  fc.assert(
    fc.property(options, (a) => {
      const platform = estate({ api: { autoscaling: a } });
      const read = readAutoscaler(objectNamed(platform, 'HorizontalPodAutoscaler', 'orders', 'api'), 'api');
      const cpu = a.cpuUtilization ?? (a.memoryUtilization === undefined ? 70 : undefined);
      expect(read).toEqual({
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        ...(cpu !== undefined && !(cpu === 70 && a.memoryUtilization === undefined) ? { cpuUtilization: cpu } : {}),
        ...(a.memoryUtilization !== undefined ? { memoryUtilization: a.memoryUtilization } : {}),
      });
    }),
    { seed: SEED, numRuns: 40 },
  );
});

test('property: any scaling of two environments round-trips', () => {
  const scaling = fc.oneof(
    fc.constant<EnvironmentOverrides>({}),
    fc.record({ min: fc.integer({ min: 2, max: 5 }), max: fc.integer({ min: 5, max: 9 }) }).map(({ min, max }): EnvironmentOverrides => ({ autoscaling: { minReplicas: min, maxReplicas: max } })),
    fc.integer({ min: 2, max: 4 }).map((n): EnvironmentOverrides => ({ replicas: Replicas.external({ min: n, owner: 'ops' }) })),
    fc.integer({ min: 0, max: 2 }).map((n): EnvironmentOverrides => ({ disruptionBudget: { minAvailable: n } })),
  );
  let run = 0;
  fc.assert(
    fc.property(scaling, scaling, (test, production) => {
      const r = roundTrip(estate({ api: { test, production } }), `scaling-prop-${run++}`);
      expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    }),
    { seed: SEED, numRuns: 4 },
  );
});

test('a production budget the library would not write as it is comes back as exported, with no second one beside it', () => {
  const files = new Map(new ManifestStack(estate({ api: {} })).files());
  let edited = 0;
  for (const [file, text] of files) {
    if (!text.includes('kind: PodDisruptionBudget')) continue;
    files.set(file, text.replace(/maxUnavailable: 1\n/g, () => (edited++, "maxUnavailable: '25%'\n")));
  }
  expect(edited).toBe(1);
  const dir = writeExport(files);
  try {
    const imported = importEstate(dir, { platform: 'acme' });
    expect(imported.report.find((e) => e.object === 'PodDisruptionBudget orders/api')?.outcome).toBe('hatch');
    const again = new ManifestStack(loadProgram(imported.program, 'scaling-edited')).files();
    const pdbs = [...again.values()].join('\n---\n').split(/^---$/m).filter((d) => d.includes('kind: PodDisruptionBudget'));
    expect(pdbs).toHaveLength(1);
    expect(pdbs[0]).toContain('25%');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
