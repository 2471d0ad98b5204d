/**
 * Scaling owned elsewhere (`Replicas.external()`): no `replicas` on the Deployment, no autoscaler, the owner's
 * bounds written as annotations, Argo CD and Pulumi told to leave the count alone, and the production and quota
 * rules reading the owner's bounds.
 */
import { Credential, GitOpsTool, ignoredFieldsOf, renderPlatform, Replicas, Target } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkPolicies } from '../../lib/policy';
import { addService, fixture, objectAt, synthValid as synth, validationErrors } from '../fixture';

const ESTATE = { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') };
const PROD = 'host/Deployment/storefront/api';
const TEST = 'member-test/Deployment/storefront/api';
const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);

describe('replicas set elsewhere', () => {
  it('writes no replicas and no autoscaler, and says on the Deployment who owns the count and within which bounds', () => {
    const f = fixture();
    addService(f, 'api', { replicas: Replicas.external({ min: 3, max: 12, owner: 'the DevOps platform' }) });
    const objects = synth(f.platform);
    const prod = at(objects, PROD);
    expect(prod.spec.replicas).toBeUndefined();
    expect(prod.metadata.annotations).toEqual({
      'scaling.platform-cdk.io/replicas': 'external',
      'scaling.platform-cdk.io/min-replicas': '3',
      'scaling.platform-cdk.io/max-replicas': '12',
      'scaling.platform-cdk.io/owner': 'the DevOps platform',
    });
    expect([...objects.keys()].filter((k) => k.includes('HorizontalPodAutoscaler'))).toEqual([]);
  });

  it('applies per environment: a number elsewhere, the environment\'s replicas as the default minimum', () => {
    const f = fixture();
    addService(f, 'api', { replicas: 2, perEnvironment: { production: { replicas: Replicas.external() } } });
    const objects = synth(f.platform);
    expect(at(objects, TEST).spec.replicas).toBe(2);
    expect(at(objects, TEST).metadata.annotations).toBeUndefined();
    expect(at(objects, PROD).spec.replicas).toBeUndefined();
    expect(at(objects, PROD).metadata.annotations['scaling.platform-cdk.io/min-replicas']).toBe('2');
    expect(at(objects, PROD).metadata.annotations['scaling.platform-cdk.io/max-replicas']).toBe('2');
  });

  it('holds the production rule to the owner\'s minimum, waivable like any replica count', () => {
    const f = fixture();
    addService(f, 'api', { replicas: Replicas.external({ min: 1 }) });
    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront/api] replicas (in production): got 1; environment production is production, where a service runs at least 2 replicas so that one pod can fail or move. Fix: run 2 or more replicas there, or give a reason: waivers: { replicas: "…" } (rule production-replicas).',
    ]);
    const g = fixture();
    addService(g, 'api', { replicas: Replicas.external({ min: 1 }), waivers: { replicas: 'a singleton consumer; the scheduler keeps one' } });
    const objects = synth(g.platform);
    expect(at(objects, PROD).metadata.annotations['waiver.platform-cdk.io/production-replicas']).toBe('a singleton consumer; the scheduler keeps one');
  });

  it('has the output check count the owner\'s minimum written on the Deployment, not Kubernetes\' default of 1', () => {
    const f = fixture();
    addService(f, 'api', { replicas: Replicas.external({ min: 2 }) });
    const objects = renderPlatform(f.platform).clusters.flatMap((c) => c.objects.map((o) => o.toJson()));
    const checked = (list: KubeObject[]) => list.map((object) => ({ cluster: 'host', object, production: object.metadata.labels?.['platform-cdk.io/environment'] === 'production' }));
    expect(checkPolicies(checked(objects)).filter((x) => x.rule === 'production-replicas')).toEqual([]);
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.labels?.['platform-cdk.io/environment'] === 'production') as KubeObject;
    const lowered = { ...deployment, metadata: { ...deployment.metadata, annotations: { ...deployment.metadata.annotations, 'scaling.platform-cdk.io/min-replicas': '1' } } };
    const again = checkPolicies(checked(objects.map((o) => (o === deployment ? lowered : o))));
    expect(again.filter((x) => x.rule === 'production-replicas').map((x) => x.message)).toEqual(['the Deployment runs 1 replica in production']);
  });

  it('counts the owner\'s maximum in the project quota', () => {
    const f = fixture();
    f.project.quotaIn('production', { pods: 10 });
    addService(f, 'api', { replicas: Replicas.external({ min: 2, max: 9 }) });
    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront] quota.pods (in production): got 10; the services of project storefront need 12 in environment production at their maximum scale (12 pods, counting one rolling-update surge pod per 4 replicas), above the quota of 10. Fix: raise pods to at least 12 (project quota, quotaIn("production") or the environment\'s projectQuota), or lower the services\' replicas or resources.',
    ]);
  });

  it('refuses an autoscaler beside an owner elsewhere, and bounds that are not whole numbers or out of order', () => {
    const f = fixture();
    addService(f, 'api', { replicas: Replicas.external(), autoscaling: { minReplicas: 2, maxReplicas: 4 } });
    addService(f, 'web', { replicas: Replicas.external({ min: 5, max: 3 }) });
    addService(f, 'job', { perEnvironment: { test: { replicas: Replicas.external({ min: -1, max: 0.5, owner: ' ' }) } } });
    expect(validationErrors(f.platform).sort()).toEqual([
      '[acme/shop/storefront/api] replicas (in production): got "Replicas.external()"; in environment production the service autoscales and its replicas are set elsewhere, and only one of them can own the count (an autoscaler would fight the owner). Fix: set autoscaling: false in perEnvironment["production"], or give a number of replicas there.',
      '[acme/shop/storefront/api] replicas (in test): got "Replicas.external()"; in environment test the service autoscales and its replicas are set elsewhere, and only one of them can own the count (an autoscaler would fight the owner). Fix: set autoscaling: false in perEnvironment["test"], or give a number of replicas there.',
      '[acme/shop/storefront/job] perEnvironment["test"].replicas.max: got 0.5; the value must be a whole number of at least 1. Fix: give the most replicas the owner may run, 1 or more.',
      '[acme/shop/storefront/job] perEnvironment["test"].replicas.min: got -1; the value must be a whole number of at least 0. Fix: give the fewest replicas the owner keeps, 0 or more.',
      '[acme/shop/storefront/job] perEnvironment["test"].replicas.owner: got " "; the owner is a short text on one line (at most 253 characters). Fix: name who sets the count, e.g. "the DevOps platform", or leave it out.',
      '[acme/shop/storefront/web] replicas: got "min 5 > max 3"; the fewest replicas the owner keeps is above the most it may run. Fix: raise max to at least 5 or lower min.',
    ]);
  });

  it('refuses a replica count that is neither a number nor Replicas.external()', () => {
    const f = fixture();
    addService(f, 'api', { replicas: 'external' as unknown as number });
    expect(validationErrors(f.platform)).toEqual([
      '[acme/shop/storefront/api] replicas: got "external"; the value must be a whole number of at least 0, or Replicas.external() when the count is set elsewhere. Fix: set replicas to 0 or more.',
    ]);
  });

  it('tells Argo CD to ignore the replicas of exactly those Deployments, on their own cluster\'s Application', () => {
    const f = fixture(Target.KUBERNETES);
    f.platform.configureDelivery({ estate: ESTATE, gitops: GitOpsTool.ARGO_CD });
    addService(f, 'api', { perEnvironment: { production: { replicas: Replicas.external() } } });
    addService(f, 'web');
    const objects = synth(f.platform);
    const host = at(objects, 'host/Application/argocd/platform-host');
    expect(host.spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', namespace: 'storefront', name: 'api', jsonPointers: ['/spec/replicas'] }]);
    expect(host.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    expect(at(objects, 'member-test/Application/argocd/platform-member-test').spec.ignoreDifferences).toBeUndefined();
  });

  it('adds them to the fields KubeSphere\'s controllers own on KubeSphere GitOps applications', () => {
    const f = fixture();
    f.platform.configureDelivery({ estate: ESTATE });
    addService(f, 'api', { replicas: Replicas.external() });
    const objects = synth(f.platform);
    const app = at(objects, 'host/Application/platform-gitops/member-test');
    const differences = app.spec.argoApp.spec.ignoreDifferences as { kind: string; name?: string }[];
    expect(differences.map((d) => d.kind)).toContain('WorkspaceTemplate');
    expect(differences.filter((d) => d.kind === 'Deployment')).toEqual([{ group: 'apps', kind: 'Deployment', namespace: 'storefront', name: 'api', jsonPointers: ['/spec/replicas'] }]);
  });

  it('has Pulumi ignore spec.replicas of those Deployments and nothing of the others', () => {
    const f = fixture();
    addService(f, 'api', { perEnvironment: { production: { replicas: Replicas.external() } } });
    const objects = renderPlatform(f.platform).clusters.flatMap((c) => c.objects.map((o) => o.toJson()));
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((o) => [o.metadata.labels?.['platform-cdk.io/environment'], ignoredFieldsOf(o)])).toEqual([
      ['production', ['spec.replicas']],
      ['test', []],
    ]);
    for (const o of objects.filter((x) => x.kind !== 'Deployment')) expect(ignoredFieldsOf(o)).toEqual([]);
  });

  it('leaves a preview of the service at the preview\'s replicas', () => {
    const f = fixture();
    addService(f, 'api', { replicas: Replicas.external() });
    f.platform.addPreview('feature/x', { baseline: 'test', owner: f.tenant.addDepartment('dev', { members: ['alice'] }), expires: '2999-01-01', services: { api: { tag: 'sha-1' } } });
    const objects = synth(f.platform);
    const preview = [...objects.entries()].find(([k]) => k.startsWith('member-test/Deployment/storefront-pv-'));
    expect(preview?.[1]).toBeDefined();
    expect((preview?.[1] as any).spec.replicas).toBe(1);
    expect((preview?.[1] as any).metadata.annotations?.['scaling.platform-cdk.io/replicas']).toBeUndefined();
  });
});
