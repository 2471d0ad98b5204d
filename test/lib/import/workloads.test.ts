/**
 * Workload kinds and versions in `platform-cdk import`: the CronJobs, Jobs and DaemonSets the library writes come back
 * as services with their `workload`, a user's CronJob stays an escape hatch, and the Deployments of a service's
 * versions fold back into one service with `versions`.
 */
import { ApiObject, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import { ClusterRole, ConcurrencyPolicy, JobRestartPolicy, Platform, Registry, SecretStore, Workload } from 'platform-cdk';
import type { Project } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { readWorkload } from '../../../lib/import/workloads';
import { importChanged, roundTrip } from './roundtrip';

const SEED = 22;
const harbor = Registry.at('harbor.example.com');

/** One project in test and production. */
function estate(): { platform: Platform; project: Project } {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member', { role: ClusterRole.MEMBER });
  platform.addEnvironment('test', { clusters: [member] });
  platform.addEnvironment('production', { clusters: [host], production: true });
  const project = platform.addTenant('analytics', { manager: 'alice' }).addProject('batch', { environments: ['test', 'production'] });
  return { platform, project };
}

describe('workload kinds', () => {
  test('a CronJob, a Job and a DaemonSet come back as services with their workload and options', () => {
    const { platform, project } = estate();
    const vault = SecretStore.cluster('vault');
    project.addService('mileage-rollup', {
      image: harbor.image('batch/mileage', '1.0.2'),
      runAsUser: 1000,
      workload: Workload.cronJob({
        schedule: '10 0 * * *',
        timeZone: 'Asia/Shanghai',
        concurrencyPolicy: ConcurrencyPolicy.REPLACE,
        startingDeadline: Duration.minutes(5),
        successfulJobsHistory: 5,
        backoffLimit: 2,
        activeDeadline: Duration.hours(2),
        restartPolicy: JobRestartPolicy.ON_FAILURE,
      }),
      secrets: { CLICKHOUSE_PASSWORD: vault.key('batch/clickhouse', { property: 'password' }) },
      perEnvironment: { production: { env: { MODE: 'live' } } },
    });
    project.addService('migrate', { image: harbor.image('batch/migrate', '2.0.0'), runAsUser: 1000, workload: Workload.job({ backoffLimit: 1, ttlAfterFinished: Duration.seconds(90) }) });
    project.addService('node-agent', { image: harbor.image('ops/agent', '0.9.1'), runAsUser: 1000, ports: [{ port: 9100 }], workload: Workload.daemonSet({ maxUnavailable: 2 }) });
    const r = roundTrip(platform, 'workloads');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.summary.hatch).toBe(0);
    expect(r.imported.program).toContain(
      "workload: Workload.cronJob({ schedule: '10 0 * * *', timeZone: 'Asia/Shanghai', concurrencyPolicy: ConcurrencyPolicy.REPLACE, startingDeadline: Duration.minutes(5), successfulJobsHistory: 5, backoffLimit: 2, activeDeadline: Duration.hours(2), restartPolicy: JobRestartPolicy.ON_FAILURE })",
    );
    expect(r.imported.program).toContain('workload: Workload.job({ backoffLimit: 1, ttlAfterFinished: Duration.seconds(90) })');
    expect(r.imported.program).toContain('workload: Workload.daemonSet({ maxUnavailable: 2 })');
    expect(r.imported.report.filter((e) => e.object.startsWith('ExternalSecret ')).map((e) => e.outcome)).toEqual(['generated', 'generated']);
  });

  test('a CronJob written by a user\'s construct stays an escape hatch, and a credential in a CronJob is never written', () => {
    const { platform, project } = estate();
    project.addManifests('report', (chart) => {
      new ApiObject(chart, 'nightly', {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly-report' },
        spec: {
          schedule: '30 2 * * *',
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  restartPolicy: 'Never',
                  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
                  containers: [{
                    name: 'trigger',
                    image: 'harbor.example.com/library/curl:8.7.1',
                    resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
                  }],
                },
              },
            },
          },
        },
      });
    });
    const r = roundTrip(platform, 'user-cronjob');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.report.filter((e) => e.object === 'CronJob batch/nightly-report').map((e) => e.outcome)).toEqual(['hatch', 'hatch']);
    expect(r.imported.program).not.toContain('Workload.cronJob');

    // A library CronJob whose pod was given a password as a value: it becomes a Secret reference to create.
    const { platform: other, project: batch } = estate();
    batch.addService('rollup', { image: harbor.image('batch/rollup', '1.0.0'), runAsUser: 1000, workload: Workload.cronJob({ schedule: '0 1 * * *' }) });
    const imported = importChanged(other, (o) => {
      if (o.kind !== 'CronJob') return;
      const c = (o as { spec: { jobTemplate: { spec: { template: { spec: { containers: { env?: unknown[] }[] } } } } } }).spec.jobTemplate.spec.template.spec.containers[0];
      c.env = [{ name: 'DB_PASSWORD', value: "s3cr3t'); process.exit(1); ('" }];
    });
    expect(imported.program).toContain('Workload.cronJob');
    expect(imported.program).not.toContain('s3cr3t');
    expect(imported.program).toContain('TODO: DB_PASSWORD reads key db-password of the Secret rollup');
  });

  test('a workload with a field the options cannot say is not read as the library\'s', () => {
    const base = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x' } };
    const template = { metadata: { labels: { 'app.kubernetes.io/name': 'x' } }, spec: { serviceAccountName: 'x', containers: [] } };
    expect(readWorkload({ ...base, spec: { schedule: '@daily', jobTemplate: { spec: { template } } } } as never)).toBeDefined();
    expect(readWorkload({ ...base, spec: { schedule: '@daily', jobTemplate: { spec: { template, podFailurePolicy: {} } } } } as never)).toBeUndefined();
    expect(readWorkload({ ...base, spec: { schedule: '@daily', concurrencyPolicy: 'Sometimes', jobTemplate: { spec: { template } } } } as never)).toBeUndefined();
    expect(readWorkload({ ...base, spec: { schedule: '@daily', jobTemplate: { spec: { template: { ...template, spec: { containers: [] } } } } } } as never)).toBeUndefined();
    expect(readWorkload({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x' }, spec: { template, updateStrategy: { type: 'OnDelete' } } } as never)).toBeUndefined();
  });

  test('whatever CronJob options a service gives, they round-trip', () => {
    const seconds = fc.constantFrom(30, 120, 3600, 5400);
    const options = fc.record(
      {
        timeZone: fc.constantFrom('UTC', 'Asia/Shanghai'),
        concurrencyPolicy: fc.constantFrom(ConcurrencyPolicy.ALLOW, ConcurrencyPolicy.FORBID, ConcurrencyPolicy.REPLACE),
        startingDeadline: seconds,
        suspend: fc.boolean(),
        successfulJobsHistory: fc.nat({ max: 5 }),
        failedJobsHistory: fc.nat({ max: 5 }),
        backoffLimit: fc.nat({ max: 6 }),
        activeDeadline: seconds,
        parallelism: fc.integer({ min: 1, max: 3 }),
        ttlAfterFinished: seconds,
      },
      { requiredKeys: [] },
    );
    let run = 0;
    fc.assert(
      fc.property(options, (o) => {
        const { platform, project } = estate();
        const duration = (s: number | undefined): Duration | undefined => (s === undefined ? undefined : Duration.seconds(s));
        project.addService('job', {
          image: harbor.image('batch/job', '1.0.0'),
          runAsUser: 1000,
          workload: Workload.cronJob({ ...o, schedule: '*/5 * * * *', startingDeadline: duration(o.startingDeadline), activeDeadline: duration(o.activeDeadline), ttlAfterFinished: duration(o.ttlAfterFinished) }),
        });
        const r = roundTrip(platform, `cron-property-${run++}`);
        expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
        expect(r.imported.summary.hatch).toBe(0);
      }),
      { seed: SEED, numRuns: 5 },
    );
  });
});

describe('versions', () => {
  test('the Deployments of a service\'s versions fold back into one service with versions', () => {
    const { platform, project } = estate();
    project.addService('reviews', {
      image: harbor.image('shop/reviews', 'v1'),
      runAsUser: 1000,
      ports: [{ port: 9080 }],
      env: { LOG_DIR: '/tmp/logs' },
      versions: {
        v1: {},
        v2: { image: harbor.image('shop/reviews', 'v2'), env: { STARS: 'black' } },
        v3: { image: Registry.at('quay.io').image('shop/reviews', 'v3'), resources: { cpuLimitMillis: 1000 }, replicas: 3 },
      },
    });
    const r = roundTrip(platform, 'versions');
    expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
    expect(r.imported.summary.hatch).toBe(0);
    expect(r.imported.program).toContain("v2: { image: HARBOR_EXAMPLE_COM.image('shop/reviews', 'v2'), env: { STARS: 'black' } }");
    expect(r.imported.program).toMatch(/v3: \{\s*image: Registry\.at\('quay\.io'\)\.image\('shop\/reviews', 'v3'\),\s*resources: \{ cpuLimitMillis: 1000 \},\s*replicas: 3,?\s*\}/);
    expect(r.imported.program).not.toContain("addService('reviews-v1'");
  });

  test('whatever versions a service runs, they fold back and round-trip', () => {
    const version = fc.record(
      {
        tag: fc.constantFrom('v1', 'v2'),
        env: fc.dictionary(fc.constantFrom('A', 'B'), fc.constantFrom('1', "2'\n")),
        cpuLimitMillis: fc.constantFrom(500, 800),
        replicas: fc.integer({ min: 2, max: 3 }),
      },
      { requiredKeys: ['tag'] },
    );
    let run = 0;
    fc.assert(
      fc.property(fc.array(version, { minLength: 1, maxLength: 3 }), (list) => {
        const { platform, project } = estate();
        const versions = Object.fromEntries(list.map((v, i) => [`v${i + 1}`, {
          image: harbor.image('shop/reviews', v.tag),
          env: v.env,
          resources: v.cpuLimitMillis === undefined ? undefined : { cpuLimitMillis: v.cpuLimitMillis },
          replicas: v.replicas,
        }]));
        project.addService('reviews', { image: harbor.image('shop/reviews', 'v1'), runAsUser: 1000, ports: [{ port: 9080 }], versions });
        const r = roundTrip(platform, `versions-property-${run++}`);
        expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
        expect(r.imported.summary.hatch).toBe(0);
      }),
      { seed: SEED, numRuns: 5 },
    );
  });
});
