/**
 * Workload kinds besides Deployments: a Job, a CronJob and a DaemonSet run the pod template every service gets
 * (security baseline, resources, configuration, secrets, connections), and refuse the options that do not apply.
 */
import { Cron } from 'cdk8s';
import { CiSystem, ConcurrencyPolicy, Credential, Duration, User, ExistingSecret, JobRestartPolicy, Probe, RolloutStrategy, Workload } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkPolicies } from '../../lib/policy';
import { deployScript } from '../../lib/pipelines/common';
import { deliveredWith, fullProps } from '../lib/pipelines/fixture';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const JOB = 'acme/shop/storefront/report';

describe('workload kinds', () => {
  it('runs a CronJob with the schedule, time zone and the pod template of a Deployment', () => {
    const f = fixture();
    const db = addService(f, 'db', { ports: [{ port: 5432 }] });
    const report = addService(f, 'report', {
      ports: [],
      workload: Workload.cronJob({ schedule: '30 2 * * *', timeZone: 'Asia/Shanghai', activeDeadline: Duration.hours(2) }),
      config: { values: { LOG_LEVEL: 'info' } },
      secrets: { DB_PASSWORD: ExistingSecret.named('db').key('password') },
      resources: { cpuRequestMillis: 100, cpuLimitMillis: 500 },
    });
    report.connectsTo(db);

    const objects = synth(f.platform);
    const cron = at(objects, 'host/CronJob/storefront/report');
    expect(cron.spec).toMatchObject({ schedule: '30 2 * * *', timeZone: 'Asia/Shanghai', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    const job = cron.spec.jobTemplate.spec;
    expect(job).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 7200 });
    const pod = job.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.serviceAccountName).toBe('report');
    expect(pod.topologySpreadConstraints).toBeUndefined();
    const c = pod.containers[0];
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.resources.limits.cpu).toBe('500m');
    expect(c.readinessProbe).toBeUndefined();
    expect(c.env.map((e: any) => e.name)).toEqual(expect.arrayContaining(['DB_HOST', 'DB_PORT', 'DB_PASSWORD', 'LOG_LEVEL']));
    expect(job.template.metadata.labels['app.kubernetes.io/name']).toBe('report');
    // No Deployment, Service, autoscaler or disruption budget; the egress policy selects the job's pods.
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']) expect(objects.has(`host/${kind}/storefront/report`)).toBe(false);
    expect(at(objects, 'host/ConfigMap/storefront/report-config').data).toEqual({ LOG_LEVEL: 'info' });
    expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-db').spec.podSelector.matchExpressions[0].values).toEqual(['report']);
    // The production rules of Deployments do not apply: no waiver needed for one pod.
    const host = [...objects].filter(([k]) => k.startsWith('host/')).map(([, object]) => ({ cluster: 'host', object, production: true }));
    expect(checkPolicies(host).filter((x) => x.object.endsWith('/report'))).toEqual([]);
  });

  it('takes a cdk8s Cron and every CronJob and Job option', () => {
    const f = fixture();
    addService(f, 'report', {
      ports: [],
      workload: Workload.cronJob({
        schedule: Cron.schedule({ minute: '0', hour: '3' }),
        concurrencyPolicy: ConcurrencyPolicy.REPLACE,
        startingDeadline: Duration.minutes(5),
        suspend: true,
        successfulJobsHistory: 1,
        failedJobsHistory: 2,
        backoffLimit: 0,
        parallelism: 2,
        completions: 4,
        restartPolicy: JobRestartPolicy.ON_FAILURE,
        ttlAfterFinished: Duration.days(1),
      }),
    });
    const spec = at(synth(f.platform), 'member-test/CronJob/storefront/report').spec;
    expect(spec).toMatchObject({ schedule: '0 3 * * *', concurrencyPolicy: 'Replace', startingDeadlineSeconds: 300, suspend: true, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 2 });
    expect(spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, parallelism: 2, completions: 4, ttlSecondsAfterFinished: 86400 });
    expect(spec.jobTemplate.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  it('runs a Job that GitOps tools replace when its pod template changes', () => {
    const f = fixture();
    addService(f, 'migrate', { ports: [], workload: Workload.job({ backoffLimit: 1 }) });
    const job = at(synth(f.platform), 'host/Job/storefront/migrate');
    expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Force=true,Replace=true', 'kustomize.toolkit.fluxcd.io/force': 'enabled' });
    expect(job.spec.backoffLimit).toBe(1);
    expect(job.spec.selector).toBeUndefined();
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('runs a DaemonSet with its Service and probes, and no replicas or production rules', () => {
    const f = fixture();
    addService(f, 'agent', { workload: Workload.daemonSet({ maxUnavailable: 2 }), readiness: Probe.http('/ready') });
    const objects = synth(f.platform);
    const ds = at(objects, 'host/DaemonSet/storefront/agent');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } });
    expect(ds.spec.replicas).toBeUndefined();
    expect(ds.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'agent' } });
    expect(ds.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/ready');
    expect(ds.spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(at(objects, 'host/Service/storefront/agent').spec.selector).toEqual({ 'app.kubernetes.io/name': 'agent' });
    expect(objects.has('host/PodDisruptionBudget/storefront/agent')).toBe(false);
  });

  it('refuses what a Job or CronJob does not have, every problem at once', () => {
    const f = fixture();
    const s = addService(f, 'report', {
      workload: Workload.cronJob({ schedule: '61 * * *', timeZone: 'Mars/Olympus', concurrencyPolicy: 'Sometimes' as ConcurrencyPolicy, backoffLimit: -1, startingDeadline: Duration.seconds(5), successfulJobsHistory: 1.5 }),
      replicas: 2,
      readiness: Probe.http('/ready'),
      metrics: { port: 'http' },
      alerts: true,
      autoscaling: { minReplicas: 2, maxReplicas: 3 },
      disruptionBudget: { maxUnavailable: 1 },
      spread: {},
      waivers: { replicas: 'one at a time' },
      rollout: RolloutStrategy.RECREATE,
      perEnvironment: { production: { replicas: 3 } },
    });
    s.expose();
    s.exposeNetwork({ from: ['10.0.0.0/8'] });
    const lines = validationErrors(f.platform);
    const p = (property: string): string => lineFor(lines, JOB, property);
    expect(p('ports')).toContain('a CronJob has no Service');
    expect(p('expose')).toContain('a CronJob has no Ingress');
    expect(p('exposeNetwork')).toContain('a CronJob has no Service');
    expect(p('readiness')).toContain('no readiness probe');
    expect(p('metrics')).toContain('no ServiceMonitor');
    expect(p('alerts')).toContain('no replica alerts');
    expect(p('rollout')).toContain('no rollout strategy');
    expect(p('replicas')).toContain('set parallelism');
    expect(p('perEnvironment["production"].replicas')).toContain('no replicas');
    expect(p('autoscaling')).toContain('no autoscaler');
    expect(p('disruptionBudget')).toContain('no disruption budget');
    expect(p('spread')).toContain('no spreading');
    expect(p('waivers.replicas')).toContain('no production default to waive');
    expect(p('workload.schedule')).toContain('5 fields');
    expect(p('workload.timeZone')).toContain('IANA');
    expect(p('workload.concurrencyPolicy')).toContain('Allow, Forbid or Replace');
    expect(p('workload.backoffLimit')).toContain('at least 0');
    expect(p('workload.startingDeadline')).toContain('from 10');
    expect(p('workload.successfulJobsHistory')).toContain('whole number');
  });

  it('refuses replicas, the Recreate rollout and a bad maxUnavailable on a DaemonSet, and a workload not made by a factory', () => {
    const f = fixture();
    addService(f, 'agent', { workload: Workload.daemonSet({ maxUnavailable: 0 }), replicas: 2, rollout: RolloutStrategy.RECREATE });
    addService(f, 'odd', { workload: { kind: 'Job' } as unknown as Workload });
    const lines = validationErrors(f.platform);
    expect(lineFor(lines, 'acme/shop/storefront/agent', 'replicas')).toContain('one pod runs on each node');
    expect(lineFor(lines, 'acme/shop/storefront/agent', 'rollout')).toContain('Recreate');
    expect(lineFor(lines, 'acme/shop/storefront/agent', 'workload.maxUnavailable')).toContain('at least 1');
    expect(lineFor(lines, 'acme/shop/storefront/odd', 'workload')).toContain('Workload\'s factories');
  });

  it('release pipelines wait for the kind\'s pod template and, but for a CronJob, for its rollout or completion', () => {
    const d = deliveredWith(CiSystem.KUBESPHERE_DEVOPS, 'estate', { kubeconfigs: { host: Credential.kubeconfig('host-kubeconfig'), 'member-test': Credential.kubeconfig('test-kubeconfig') } });
    const script = (id: string, workload: Workload): string => deployScript(addService(d, id, { ports: [], workload }).addPipeline(fullProps(d)), d.test).join('\n');
    const cron = script('report', Workload.cronJob({ schedule: '@daily' }));
    expect(cron).toContain("get cronjob report -o jsonpath='{.spec.jobTemplate.spec.template.spec.containers[0].image}'");
    expect(cron).not.toContain('rollout status');
    const job = script('migrate', Workload.job());
    expect(job).toContain("get job migrate -o jsonpath='{.spec.template.spec.containers[0].image}'");
    expect(job).toContain('wait --for=condition=complete job/migrate --timeout=15m');
    expect(script('agent', Workload.daemonSet())).toContain('rollout status daemonset/agent --timeout=15m');
  });

  it('refuses hostile options without throwing: no options, options that are no object, a schedule that is no string', () => {
    const f = fixture();
    addService(f, 'a', { ports: [], workload: Workload.cronJob(undefined as unknown as { schedule: string }) });
    addService(f, 'b', { ports: [], workload: Workload.cronJob({ schedule: 42 as unknown as string, timeZone: '../../etc/passwd' }) });
    addService(f, 'c', { ports: [], workload: Workload.job('fast' as unknown as object) });
    addService(f, 'd', { ports: [], workload: Workload.job({ activeDeadline: 30 as unknown as Duration, parallelism: Number.NaN }) });
    const lines = validationErrors(f.platform);
    expect(lineFor(lines, 'acme/shop/storefront/a', 'workload.schedule')).toContain('non-empty string');
    expect(lineFor(lines, 'acme/shop/storefront/b', 'workload.schedule')).toContain('non-empty string');
    expect(lineFor(lines, 'acme/shop/storefront/b', 'workload.timeZone')).toContain('IANA');
    expect(lineFor(lines, 'acme/shop/storefront/d', 'workload.activeDeadline')).toContain('cdk8s Duration');
    expect(lineFor(lines, 'acme/shop/storefront/d', 'workload.parallelism')).toContain('whole number');
    expect(lines.some((l) => l.startsWith('[acme/shop/storefront/c]'))).toBe(false);
  });

  it('the policy checks read a generated CronJob\'s pod template as they read a Deployment\'s', () => {
    const f = fixture();
    addService(f, 'report', { ports: [], workload: Workload.cronJob({ schedule: '@daily' }) });
    const cron = structuredClone(at(synth(f.platform), 'host/CronJob/storefront/report'));
    cron.spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged = true;
    cron.spec.jobTemplate.spec.template.spec.containers[0].image = 'report:latest';
    const found = checkPolicies([{ cluster: 'host', object: cron, production: true }]).map((x) => `${x.rule} ${x.at}`);
    expect(found).toEqual([
      'pod-security-restricted /spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged',
      'image-registry /spec/jobTemplate/spec/template/spec/containers/0/image',
      'image-pinned /spec/jobTemplate/spec/template/spec/containers/0/image',
    ]);
  });

  it('a preview runs a CronJob of its baseline with the preview\'s image tag', () => {
    const f = fixture();
    f.tenant.addDepartment('devs', { members: ['carol'] });
    addService(f, 'report', { ports: [], workload: Workload.cronJob({ schedule: '@daily' }) });
    f.platform.addPreview('feature/x', { baseline: f.test, owner: User.named('alice'), expires: '2099-12-31', services: { report: { tag: '2.0.0' } } });
    const cron = at(synth(f.platform), 'member-test/CronJob/storefront-pv-feature-x/report');
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].image).toBe('harbor.example.com/shop/report:2.0.0');
    expect(cron.spec.schedule).toBe('@daily');
  });
});
