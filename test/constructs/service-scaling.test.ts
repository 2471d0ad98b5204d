/**
 * Scaling and availability of app services: the HorizontalPodAutoscaler, the PodDisruptionBudget, spreading over
 * nodes and zones, the production defaults (2 replicas, a budget, spread) and the waivers that relax them, each
 * written on the Deployment as an annotation.
 */
import { ProductionRules, RolloutStrategy, validatePlatform } from 'platform-cdk';
import type { KubeObject, Platform } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const API = 'acme/shop/storefront/api';
const PROD = 'host/Deployment/storefront/api';
const TEST = 'member-test/Deployment/storefront/api';
const SPREAD = [
  { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Honor', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } },
  { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } },
];

/**
 * What the output breaks of the production rules: each Deployment of a production environment runs at least 2
 * replicas (or an autoscaler minimum of 2), has a disruption budget and spreads over nodes and zones, unless the
 * Deployment carries the waiver of that rule with a reason.
 */
function productionViolations(objects: Map<string, KubeObject>): string[] {
  const out: string[] = [];
  for (const [key, o] of objects as Map<string, any>) {
    if (o.kind !== 'Deployment' || o.metadata.labels['platform-cdk.io/environment'] !== 'production') continue;
    const [cluster] = key.split('/');
    const { name, namespace } = o.metadata;
    const waived = (rule: string): boolean => (o.metadata.annotations?.[`waiver.platform-cdk.io/${rule}`] ?? '').trim() !== '';
    const hpa = objects.get(`${cluster}/HorizontalPodAutoscaler/${namespace}/${name}`) as any;
    const replicas = hpa ? hpa.spec.minReplicas : o.spec.replicas;
    if (!(replicas >= 2) && !waived('production-replicas')) out.push(`${key}: ${replicas} replicas`);
    const pdb = objects.get(`${cluster}/PodDisruptionBudget/${namespace}/${name}`) as any;
    const selects = pdb && Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => o.spec.template.metadata.labels[k] === v);
    if (!selects && !waived('production-disruption-budget')) out.push(`${key}: no disruption budget`);
    const keys = (o.spec.template.spec.topologySpreadConstraints ?? []).map((c: any) => c.topologyKey);
    if (!(keys.includes('kubernetes.io/hostname') && keys.includes('topology.kubernetes.io/zone')) && !waived('production-spread')) out.push(`${key}: not spread`);
  }
  return out.sort();
}

describe('scaling', () => {
  describe('autoscaling', () => {
    it('writes a HorizontalPodAutoscaler on the Deployment, at 70% CPU by default, and leaves replicas to it', () => {
      const f = fixture();
      addService(f, 'api', { autoscaling: { minReplicas: 2, maxReplicas: 6 } });

      const objects = synth(f.platform);
      const hpa = at(objects, 'host/HorizontalPodAutoscaler/storefront/api');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      });
      expect(at(objects, PROD).spec.replicas).toBeUndefined();
    });

    it('targets memory alone, or CPU and memory together', () => {
      const f = fixture();
      addService(f, 'api', { autoscaling: { minReplicas: 2, maxReplicas: 4, memoryUtilization: 80 } });
      addService(f, 'web', { autoscaling: { minReplicas: 3, maxReplicas: 5, cpuUtilization: 60, memoryUtilization: 75 } });

      const objects = synth(f.platform);
      expect(at(objects, 'host/HorizontalPodAutoscaler/storefront/api').spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } }]);
      expect(at(objects, 'host/HorizontalPodAutoscaler/storefront/web').spec.metrics).toEqual([
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } },
      ]);
    });

    it('autoscales per environment, or not at all where it is switched off', () => {
      const f = fixture();
      addService(f, 'api', { autoscaling: { minReplicas: 2, maxReplicas: 6 }, perEnvironment: { test: { autoscaling: false, replicas: 1 }, production: { autoscaling: { minReplicas: 4, maxReplicas: 12 } } } });

      const objects = synth(f.platform);
      expect(at(objects, 'host/HorizontalPodAutoscaler/storefront/api').spec).toMatchObject({ minReplicas: 4, maxReplicas: 12 });
      expect(objects.has('member-test/HorizontalPodAutoscaler/storefront/api')).toBe(false);
      expect(at(objects, TEST).spec.replicas).toBe(1);
    });

    it('refuses a minimum above the maximum and targets outside 1-100, wherever they are given, all at once', () => {
      const f = fixture();
      addService(f, 'api', {
        autoscaling: { minReplicas: 5, maxReplicas: 3, cpuUtilization: 0, memoryUtilization: 101 },
        perEnvironment: { test: { autoscaling: { minReplicas: 0, maxReplicas: 2.5 } } },
      });

      const lines = validationErrors(f.platform);
      const minMax = lineFor(lines, API, 'autoscaling');
      expect(minMax).toContain('got "minReplicas 5 > maxReplicas 3"');
      expect(minMax).toContain('Fix: raise maxReplicas to at least 5 or lower minReplicas.');
      expect(lineFor(lines, API, 'autoscaling.cpuUtilization')).toContain('got 0;');
      expect(lineFor(lines, API, 'autoscaling.memoryUtilization')).toContain('got 101;');
      expect(lineFor(lines, API, 'perEnvironment["test"].autoscaling.minReplicas')).toContain('got 0;');
      expect(lineFor(lines, API, 'perEnvironment["test"].autoscaling.maxReplicas')).toContain('got 2.5;');
      for (const l of lines.filter((x) => x.includes('autoscaling'))) expect(l).toMatch(/\. Fix: .+\.$/);
    });
  });

  describe('disruption budget', () => {
    it('is one pod at a time in production by default, and none elsewhere', () => {
      const f = fixture();
      addService(f, 'api');

      const objects = synth(f.platform);
      const pdb = at(objects, 'host/PodDisruptionBudget/storefront/api');
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } });
      expect(objects.has('member-test/PodDisruptionBudget/storefront/api')).toBe(false);
    });

    it('takes maxUnavailable or minAvailable, and can be asked for outside production', () => {
      const f = fixture();
      addService(f, 'api', { disruptionBudget: { minAvailable: 2 }, replicas: 3 });
      addService(f, 'web', { disruptionBudget: { maxUnavailable: 2 }, replicas: 4 });

      const objects = synth(f.platform);
      expect(at(objects, 'host/PodDisruptionBudget/storefront/api').spec).toEqual({ minAvailable: 2, selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } });
      expect(at(objects, 'member-test/PodDisruptionBudget/storefront/api').spec.minAvailable).toBe(2);
      expect(at(objects, 'host/PodDisruptionBudget/storefront/web').spec.maxUnavailable).toBe(2);
    });

    it('refuses both bounds at once and a maxUnavailable of 0', () => {
      const f = fixture();
      addService(f, 'api', { disruptionBudget: { maxUnavailable: 1, minAvailable: 1 }, perEnvironment: { test: { disruptionBudget: { maxUnavailable: 0 } } } });

      const lines = validationErrors(f.platform);
      expect(lineFor(lines, API, 'disruptionBudget')).toContain('not both');
      expect(lineFor(lines, API, 'perEnvironment["test"].disruptionBudget.maxUnavailable')).toContain('got 0;');
      expect(lineFor(lines, API, 'perEnvironment["test"].disruptionBudget.maxUnavailable')).toContain('Fix: set maxUnavailable to 1 or more');
    });
  });

  describe('spread', () => {
    it('spreads over nodes (required) and zones (preferred) in production by default, and not elsewhere', () => {
      const f = fixture();
      addService(f, 'api');

      const objects = synth(f.platform);
      expect(at(objects, PROD).spec.template.spec.topologySpreadConstraints).toEqual(SPREAD);
      expect(at(objects, TEST).spec.template.spec.topologySpreadConstraints).toBeUndefined();
    });

    it('spreads outside production when asked, over what is asked', () => {
      const f = fixture();
      addService(f, 'api', { perEnvironment: { test: { spread: { zones: false } } } });

      expect(at(synth(f.platform), TEST).spec.template.spec.topologySpreadConstraints).toEqual([SPREAD[0]]);
    });
  });

  describe('production defaults', () => {
    it('hold on the output of a mixed project: every production Deployment meets each rule or carries its waiver', () => {
      const f = fixture();
      f.project.quotaIn('production', { cpuLimitMillis: 16000, memoryLimitMiB: 16384 });
      addService(f, 'plain');
      addService(f, 'scaled', { autoscaling: { minReplicas: 2, maxReplicas: 4 }, perEnvironment: { test: { autoscaling: false } } });
      addService(f, 'singleton', { replicas: 1, spread: false, waivers: { replicas: 'leader election not supported', spread: 'one replica' } });
      addService(f, 'batch', { disruptionBudget: false, perEnvironment: { production: { waivers: { disruptionBudget: 'jobs resume after a drain' } } } });
      addService(f, 'custom', { replicas: 3, disruptionBudget: { minAvailable: 2 }, spread: { nodes: true, zones: true } });

      const objects = synth(f.platform);
      expect([...objects.keys()].filter((k) => k.startsWith('host/Deployment/'))).toHaveLength(5);
      expect(productionViolations(objects)).toEqual([]);

      // The check sees what it looks for: without the budget and the spread, the plain service breaks both rules.
      const tampered = new Map(objects);
      tampered.delete('host/PodDisruptionBudget/storefront/plain');
      const d = JSON.parse(JSON.stringify(objects.get('host/Deployment/storefront/plain')));
      delete d.spec.template.spec.topologySpreadConstraints;
      d.spec.replicas = 1;
      tampered.set('host/Deployment/storefront/plain', d);
      expect(productionViolations(tampered)).toEqual([
        'host/Deployment/storefront/plain: 1 replicas',
        'host/Deployment/storefront/plain: no disruption budget',
        'host/Deployment/storefront/plain: not spread',
      ]);
    });

    it('run 2 replicas in production and 1 elsewhere by default', () => {
      const f = fixture();
      addService(f, 'api');

      const objects = synth(f.platform);
      expect(at(objects, PROD).spec.replicas).toBe(2);
      expect(at(objects, TEST).spec.replicas).toBe(1);
      expect(at(objects, PROD).metadata.annotations).toBeUndefined();
    });

    it('refuse fewer than 2 replicas, no budget and no or partial spread in production without waivers, all at once', () => {
      const f = fixture();
      addService(f, 'api', { replicas: 1, disruptionBudget: false, spread: { zones: false } });
      addService(f, 'web', { autoscaling: { minReplicas: 1, maxReplicas: 3 }, perEnvironment: { production: { spread: false } } });

      const lines = validationErrors(f.platform);
      const replicas = lineFor(lines, API, 'replicas (in production)');
      expect(replicas).toContain('got 1;');
      expect(replicas).toContain('at least 2 replicas');
      expect(replicas).toContain('Fix: run 2 or more replicas there, or give a reason: waivers: { replicas: "…" } (rule production-replicas).');
      expect(lineFor(lines, API, 'disruptionBudget (in production)')).toContain('got false;');
      expect(lineFor(lines, API, 'spread (in production)')).toContain('got {"nodes":true,"zones":false};');
      const web = 'acme/shop/storefront/web';
      expect(lineFor(lines, web, 'autoscaling.minReplicas (in production)')).toContain('got 1;');
      expect(lineFor(lines, web, 'spread (in production)')).toContain('got false;');
      for (const l of lines) expect(l).toMatch(/\. Fix: .+\.$/);
      // The same settings are fine in test.
      expect(lines.some((l) => l.includes('(in test)'))).toBe(false);
    });

    it('accept each relaxation with a waiver, whose reason shows on the Deployment of production only', () => {
      const f = fixture();
      addService(f, 'api', {
        replicas: 1,
        disruptionBudget: false,
        spread: false,
        waivers: { replicas: 'singleton consumer of a partitioned queue', disruptionBudget: 'one replica: a budget would block drains', spread: 'one replica' },
      });

      const objects = synth(f.platform);
      const d = at(objects, PROD);
      expect(d.spec.replicas).toBe(1);
      expect(d.metadata.annotations).toEqual({
        [`waiver.platform-cdk.io/${ProductionRules.REPLICAS}`]: 'singleton consumer of a partitioned queue',
        [`waiver.platform-cdk.io/${ProductionRules.DISRUPTION_BUDGET}`]: 'one replica: a budget would block drains',
        [`waiver.platform-cdk.io/${ProductionRules.SPREAD}`]: 'one replica',
      });
      expect(d.spec.template.spec.topologySpreadConstraints).toBeUndefined();
      expect(objects.has('host/PodDisruptionBudget/storefront/api')).toBe(false);
      // Waivers relax production rules: nothing is written where those rules do not apply.
      expect(at(objects, TEST).metadata.annotations).toBeUndefined();
    });

    it('accept a waiver given for production alone', () => {
      const f = fixture();
      addService(f, 'api', { perEnvironment: { production: { replicas: 1, waivers: { replicas: 'batch job, one at a time' } } } });

      expect(at(synth(f.platform), PROD).metadata.annotations).toEqual({ 'waiver.platform-cdk.io/production-replicas': 'batch job, one at a time' });
    });

    it('refuse a waiver without a reason or of no known rule', () => {
      const f = fixture();
      addService(f, 'api', { replicas: 1, waivers: { replicas: '  ', zones: 'x' } as never });

      const lines = validationErrors(f.platform);
      expect(lineFor(lines, API, 'waivers.replicas')).toContain('a waiver needs a reason');
      expect(lineFor(lines, API, 'waivers.zones')).toContain('no production default has this name');
      for (const l of lines) expect(l).toMatch(/\. Fix: .+\.$/);
    });
  });
});

describe('rollout', () => {
  it('replaces the pods all at once with RolloutStrategy.RECREATE, in every environment', () => {
    const f = fixture();
    addService(f, 'api', { rollout: RolloutStrategy.RECREATE });

    const objects = synth(f.platform);
    expect(at(objects, PROD).spec.strategy).toEqual({ type: 'Recreate' });
    expect(at(objects, TEST).spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('writes no strategy by default or for ROLLING_UPDATE, leaving Kubernetes\' rolling update', () => {
    const f = fixture();
    addService(f, 'api');
    addService(f, 'web', { rollout: RolloutStrategy.ROLLING_UPDATE });

    const objects = synth(f.platform);
    for (const key of [PROD, TEST, 'host/Deployment/storefront/web', 'member-test/Deployment/storefront/web']) expect(at(objects, key).spec.strategy).toBeUndefined();
  });

  it('refuses a strategy that is neither, with the fix', () => {
    const f = fixture();
    addService(f, 'api', { rollout: 'BlueGreen' as RolloutStrategy });

    const line = lineFor(validationErrors(f.platform), API, 'rollout');
    expect(line).toBe(`[${API}] rollout: got "BlueGreen"; the rollout is RollingUpdate or Recreate. Fix: use RolloutStrategy.ROLLING_UPDATE or RolloutStrategy.RECREATE.`);
  });

  it('counts no surge pod for a Recreate service in the project quota, and one per 4 replicas for a rolling one', () => {
    const fits = fixture();
    fits.project.quotaIn('production', { pods: 4 });
    addService(fits, 'api', { replicas: 4, rollout: RolloutStrategy.RECREATE });
    expect(() => synth(fits.platform)).not.toThrow();

    const over = fixture();
    over.project.quotaIn('production', { pods: 4 });
    addService(over, 'api', { replicas: 4 });
    expect(lineFor(validationErrors(over.platform), 'acme/shop/storefront', 'quota.pods (in production)')).toContain('got 4; the services of project storefront need 5 in environment production');
  });
});

describe('waivers where they relax a default', () => {
  /** The warnings of a platform, one line each: path, property, value, message and fix. */
  const warnings = (platform: Platform): string[] => validatePlatform(platform).filter((p) => p.severity === 'warning').map((p) => `[${p.path}] ${p.property}: ${p.value}; ${p.message}. Fix: ${p.fix}.`);

  it('are written only in the production environments where the default is relaxed', () => {
    const f = fixture();
    const eu = f.platform.addEnvironment('production-eu', { clusters: [f.member], namespaceSuffix: '-eu', production: true });
    f.project.placeIn(eu);
    addService(f, 'api', { replicas: 1, waivers: { replicas: 'leader election not supported' }, perEnvironment: { 'production-eu': { replicas: 2 } } });

    const objects = synth(f.platform);
    expect(at(objects, PROD).metadata.annotations).toEqual({ 'waiver.platform-cdk.io/production-replicas': 'leader election not supported' });
    expect(at(objects, 'member-test/Deployment/storefront-eu/api').spec.replicas).toBe(2);
    expect(at(objects, 'member-test/Deployment/storefront-eu/api').metadata.annotations).toBeUndefined();
    // Outside production a waiver relaxes nothing, and says nothing.
    expect(at(objects, TEST).spec.replicas).toBe(1);
    expect(at(objects, TEST).metadata.annotations).toBeUndefined();
    expect(warnings(f.platform)).toEqual([
      '[acme/shop/storefront/api] waivers (in production-eu): production-replicas; the service keeps the default of production-replicas in production-eu, so the waiver is not used there (and is not written). Fix: remove the waiver, or set it only in the environments where the default is relaxed (perEnvironment).',
    ]);
  });

  it('warn about a waiver that relaxes nothing, naming the rule, and write none of it', () => {
    const f = fixture();
    addService(f, 'api', { waivers: { replicas: 'not needed', spread: 'not needed either' } });

    const objects = synth(f.platform);
    expect(at(objects, PROD).metadata.annotations).toBeUndefined();
    const problems = validatePlatform(f.platform);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(problems.filter((p) => p.severity === 'warning').map((p) => [p.path, p.property, p.value])).toEqual([
      [API, 'waivers (in production)', ProductionRules.REPLICAS],
      [API, 'waivers (in production)', ProductionRules.SPREAD],
    ]);
    for (const w of warnings(f.platform)) expect(w).toMatch(/the service keeps the default of production-(replicas|spread) in production, .+\. Fix: .+\.$/);
  });

  it('write only the waivers that relax something, and warn about the rest', () => {
    const f = fixture();
    addService(f, 'api', { disruptionBudget: false, waivers: { disruptionBudget: 'drained by the batch scheduler', replicas: 'kept by habit' } });

    expect(at(synth(f.platform), PROD).metadata.annotations).toEqual({ 'waiver.platform-cdk.io/production-disruption-budget': 'drained by the batch scheduler' });
    expect(validatePlatform(f.platform).filter((p) => p.severity === 'warning').map((p) => p.value)).toEqual([ProductionRules.REPLICAS]);
  });

  it('count a partial spread and an autoscaler minimum of 1 as relaxed, and an autoscaler minimum of 2 as kept', () => {
    const f = fixture();
    addService(f, 'api', { spread: { zones: false }, waivers: { spread: 'single-zone cluster' } });
    addService(f, 'worker', { autoscaling: { minReplicas: 1, maxReplicas: 4 }, waivers: { replicas: 'scales to one at night' } });
    addService(f, 'web', { autoscaling: { minReplicas: 2, maxReplicas: 4 }, waivers: { replicas: 'scales to one at night' } });

    const objects = synth(f.platform);
    expect(at(objects, PROD).metadata.annotations).toEqual({ 'waiver.platform-cdk.io/production-spread': 'single-zone cluster' });
    expect(at(objects, 'host/Deployment/storefront/worker').metadata.annotations).toEqual({ 'waiver.platform-cdk.io/production-replicas': 'scales to one at night' });
    expect(at(objects, 'host/Deployment/storefront/web').metadata.annotations).toBeUndefined();
    expect(validatePlatform(f.platform).filter((p) => p.severity === 'warning').map((p) => `${p.path} ${p.value}`)).toEqual(['acme/shop/storefront/web production-replicas']);
    expect(productionViolations(objects)).toEqual([]);
  });
});
