/**
 * The pod options of app services: the user and groups they run as (and the warning when no numeric user is
 * known), the termination grace period, pod labels and annotations, the container's name, the priority class, node
 * selection per environment, local-disk resources, and moving image tags in production.
 */
import * as fc from 'fast-check';
import { Duration, Engine, Registry, TaintEffect, validatePlatform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const API = 'acme/shop/storefront/api';
const PROD = 'host/Deployment/storefront/api';
const TEST = 'member-test/Deployment/storefront/api';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const SEED = 20261206;
const warnings = (f: ReturnType<typeof fixture>): string[] => validatePlatform(f.platform).filter((p) => p.severity === 'warning').map((p) => `${p.path} ${p.property}: ${p.message}`);

describe('pod and container identity', () => {
  it('writes the service\'s user, group, volume group and supplemental groups on the pod', () => {
    const f = fixture();
    addService(f, 'api', { runAsUser: 1001, runAsGroup: 2001, fsGroup: 3001, supplementalGroups: [4001, 4002] });

    const pod = at(synth(f.platform), PROD).spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1001, runAsGroup: 2001, fsGroup: 3001, supplementalGroups: [4001, 4002], seccompProfile: { type: 'RuntimeDefault' } });
    // The pod's user wins over the image's: the container repeats none.
    expect(pod.containers[0].securityContext.runAsUser).toBeUndefined();
    expect(pod.containers[0].securityContext.runAsNonRoot).toBe(true);
  });

  it('writes an image\'s declared user on its container, and an init container\'s or sidecar\'s own user and group', () => {
    const f = fixture();
    const plain = Registry.at('registry.example.com');
    addService(f, 'api', {
      image: plain.image('shop/api', '1.0.0', { user: 101 }),
      initContainers: [{ name: 'migrate', image: plain.image('shop/migrate', '1.0.0'), runAsUser: 2000, runAsGroup: 2000 }],
      sidecars: [{ name: 'proxy', image: plain.image('shop/proxy', '1.0.0', { user: 1337 }) }],
    });

    const pod = at(synth(f.platform), TEST).spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext.runAsUser).toBe(101);
    expect(pod.initContainers[0].securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 2000, runAsNonRoot: true });
    expect(pod.containers[1].securityContext.runAsUser).toBe(1337);
    expect(warnings(f)).toEqual([]);
  });

  it('warns once per service when a container has no numeric user, naming every such container and the fix', () => {
    const f = fixture();
    const plain = Registry.at('registry.example.com');
    addService(f, 'api', { image: plain.image('shop/api', '1.0.0'), sidecars: [{ name: 'proxy', image: plain.image('shop/proxy', '1.0.0') }] });
    addService(f, 'web', { image: plain.image('shop/web', '1.0.0'), runAsUser: 1000 });

    const problems = validatePlatform(f.platform).filter((p) => p.severity === 'warning');
    expect(problems).toEqual([
      expect.objectContaining({ path: API, property: 'runAsUser', message: expect.stringContaining('the containers api, proxy') }),
    ]);
    expect(problems[0].message).toContain('runAsNonRoot: true');
    expect(problems[0].fix).toContain('runAsUser: 1000');
    expect(problems[0].fix).toContain('{ user: 1000 }');
  });

  it('refuses user 0 on the service, a container and an image, and ids that are not whole numbers', () => {
    const f = fixture();
    addService(f, 'api', {
      runAsUser: 0,
      runAsGroup: -1,
      fsGroup: 1.5,
      supplementalGroups: [NaN],
      initContainers: [{ name: 'migrate', image: f.registry.image('shop/migrate', '1.0.0'), runAsUser: 0 }],
    });
    addService(f, 'web', { image: Registry.at('registry.example.com').image('shop/web', '1.0.0', { user: 0 }) });

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, API, 'runAsUser')).toContain('user 0 is root');
    expect(lineFor(lines, API, 'runAsUser')).toMatch(/Fix: run as a non-root user id, e\.g\. runAsUser: 1000/);
    expect(lineFor(lines, API, 'initContainers[0].runAsUser')).toContain('user 0 is root');
    expect(lineFor(lines, API, 'runAsGroup')).toContain('got -1;');
    expect(lineFor(lines, API, 'fsGroup')).toContain('got 1.5;');
    expect(lineFor(lines, API, 'supplementalGroups[0]')).toContain('got NaN;');
    expect(lineFor(lines, 'acme/shop/storefront/web', 'image.user')).toContain('runs as root');
  });
});

describe('pod details', () => {
  it('writes the grace period, the priority class, pod labels and annotations, and the container\'s own name', () => {
    const f = fixture();
    addService(f, 'api', {
      terminationGracePeriod: Duration.seconds(90),
      priorityClassName: 'business-critical',
      podLabels: { 'example.com/team': 'checkout', tier: 'backend' },
      podAnnotations: { 'sidecar.istio.io/inject': 'true' },
      containerName: 'server',
      config: { values: { LOG_LEVEL: 'info' } },
      alerts: true,
    });

    const objects = synth(f.platform);
    const d = at(objects, PROD);
    const pod = d.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(90);
    expect(pod.priorityClassName).toBe('business-critical');
    expect(pod.containers[0].name).toBe('server');
    expect(d.spec.template.metadata.labels).toMatchObject({ 'example.com/team': 'checkout', tier: 'backend', 'app.kubernetes.io/name': 'api' });
    expect(d.metadata.labels['example.com/team']).toBeUndefined();
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'api' });
    expect(d.spec.template.metadata.annotations).toMatchObject({ 'sidecar.istio.io/inject': 'true', 'platform-cdk.io/config-hash': expect.any(String) });
    // The restart alert names the container by its own name.
    const rules = at(objects, 'host/PrometheusRule/storefront/api-alerts').spec.groups[0].rules;
    expect(rules.find((r: any) => r.alert === 'ServiceRestartingOften').expr).toContain('container="server"');
  });

  it('refuses label and annotation keys platform-cdk owns or that have a reserved prefix, and bad keys and values', () => {
    const f = fixture();
    addService(f, 'api', {
      podLabels: { 'app.kubernetes.io/name': 'x', 'node.kubernetes.io/pool': 'a', 'team.platform-cdk.io/x': 'y', 'bad key': 'v', ok: 'not a value!' },
      podAnnotations: { 'platform-cdk.io/config-hash': 'x', 'fluentbit.io/parser': 'json', 'k8s.io/x': 'y', 'example.com/token': 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' },
    });

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, API, 'podLabels["app.kubernetes.io/name"]')).toContain('platform-cdk writes this label');
    expect(lineFor(lines, API, 'podLabels["node.kubernetes.io/pool"]')).toContain('prefix kubernetes.io/');
    expect(lineFor(lines, API, 'podLabels["team.platform-cdk.io/x"]')).toContain('reserved for platform-cdk');
    expect(lineFor(lines, API, 'podLabels["bad key"]')).toContain('label key');
    expect(lineFor(lines, API, 'podLabels["ok"]')).toContain('label value');
    expect(lineFor(lines, API, 'podAnnotations["platform-cdk.io/config-hash"]')).toContain('platform-cdk writes this annotation');
    expect(lineFor(lines, API, 'podAnnotations["fluentbit.io/parser"]')).toContain('use the service option');
    expect(lineFor(lines, API, 'podAnnotations["k8s.io/x"]')).toContain('reserved for Kubernetes');
    const secret = lineFor(lines, API, 'podAnnotations["example.com/token"]');
    expect(secret).not.toContain('ghp_0123456789');
  });

  it('refuses a container name that another container has, a bad grace period, and system priority classes', () => {
    const f = fixture();
    addService(f, 'api', {
      containerName: 'proxy',
      sidecars: [{ name: 'proxy', image: f.registry.image('shop/proxy', '1.0.0') }],
      terminationGracePeriod: Duration.millis(1500),
      priorityClassName: 'system-cluster-critical',
    });
    addService(f, 'web', { containerName: 'Web_1' });

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, API, 'sidecars[0].name')).toContain('the service\'s own container has this name already');
    expect(lineFor(lines, API, 'terminationGracePeriod')).toContain('whole seconds');
    expect(lineFor(lines, API, 'priorityClassName')).toContain('kube-system only');
    expect(lineFor(lines, 'acme/shop/storefront/web', 'containerName')).toContain('got "Web_1"');
  });

  it('adds local-disk requests and limits to the container and checks them like CPU and memory', () => {
    const f = fixture();
    addService(f, 'api', { resources: { ephemeralStorageRequestMiB: 256 }, perEnvironment: { production: { resources: { ephemeralStorageLimitMiB: 1024 } } } });

    const objects = synth(f.platform);
    expect(at(objects, PROD).spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '256Mi' },
      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '1024Mi' },
    });
    expect(at(objects, TEST).spec.template.spec.containers[0].resources.limits['ephemeral-storage']).toBeUndefined();

    const g = fixture();
    addService(g, 'api', { resources: { ephemeralStorageRequestMiB: 2048, ephemeralStorageLimitMiB: 1024 } });
    addService(g, 'web', { resources: { ephemeralStorageLimitMiB: -5 } });
    const lines = validationErrors(g.platform);
    expect(lineFor(lines, API, 'resources (in test).ephemeralStorageRequestMiB')).toContain('above the local-disk limit of 1024 MiB');
    expect(lineFor(lines, 'acme/shop/storefront/web', 'resources.ephemeralStorageLimitMiB')).toContain('positive whole numbers');
  });
});

describe('node selection per environment', () => {
  const scheduling = {
    nodeSelector: { 'example.com/pool': 'general', 'kubernetes.io/arch': 'amd64' },
    tolerations: [{ key: 'dedicated', value: 'shop', effect: TaintEffect.NO_SCHEDULE }, { key: 'node.kubernetes.io/unreachable', exists: true, effect: TaintEffect.NO_EXECUTE, tolerationSeconds: 60 }],
    requiredNodes: [[{ key: 'topology.kubernetes.io/zone', operator: 'In' as const, values: ['a', 'b'] }]],
    preferredNodes: [{ weight: 50, conditions: [{ key: 'example.com/disk', operator: 'Exists' as const }] }],
  };

  it('writes the node selector, tolerations and node affinity, and lets an environment replace or drop them', () => {
    const f = fixture();
    addService(f, 'api', { scheduling, priorityClassName: 'standard', perEnvironment: { production: { scheduling: { nodeSelector: { 'example.com/pool': 'production' } }, priorityClassName: 'business-critical' }, test: { scheduling: false } } });

    const objects = synth(f.platform);
    const prod = at(objects, PROD).spec.template.spec;
    expect(prod.nodeSelector).toEqual({ 'example.com/pool': 'production' });
    expect(prod.tolerations).toBeUndefined();
    expect(prod.priorityClassName).toBe('business-critical');
    const test = at(objects, TEST).spec.template.spec;
    expect(test.nodeSelector).toBeUndefined();
    expect(test.priorityClassName).toBe('standard');

    const g = fixture();
    addService(g, 'api', { scheduling });
    const pod = at(synth(g.platform), TEST).spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'example.com/pool': 'general', 'kubernetes.io/arch': 'amd64' });
    expect(pod.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
    ]);
    expect(pod.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a', 'b'] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'example.com/disk', operator: 'Exists' }] } }],
      },
    });
  });

  it('takes an environment\'s pod defaults where the service says nothing, and checks them', () => {
    const f = fixture();
    const staging = f.platform.addEnvironment('staging', {
      clusters: [f.member],
      namespaceSuffix: '-staging',
      podScheduling: { nodeSelector: { 'example.com/pool': 'staging' } },
      podPriorityClassName: 'staging-default',
    });
    const project = f.tenant.addProject('batch', { environments: [staging] });
    project.addService('plain', { image: f.registry.image('shop/plain', '1.0.0'), ports: [{ port: 8080 }] });
    project.addService('own', { image: f.registry.image('shop/own', '1.0.0'), ports: [{ port: 8080 }], scheduling: { nodeSelector: { 'example.com/pool': 'gpu' } }, priorityClassName: 'gpu-jobs' });

    const objects = synth(f.platform);
    const plain = at(objects, 'member-test/Deployment/batch-staging/plain').spec.template.spec;
    expect(plain.nodeSelector).toEqual({ 'example.com/pool': 'staging' });
    expect(plain.priorityClassName).toBe('staging-default');
    const own = at(objects, 'member-test/Deployment/batch-staging/own').spec.template.spec;
    expect(own.nodeSelector).toEqual({ 'example.com/pool': 'gpu' });
    expect(own.priorityClassName).toBe('gpu-jobs');

    const g = fixture();
    g.platform.addEnvironment('staging', { clusters: [g.member], namespaceSuffix: '-staging', podScheduling: { tolerations: [{ exists: false }] }, podPriorityClassName: 'system-node-critical' });
    const lines = validationErrors(g.platform);
    expect(lineFor(lines, 'acme/Environments/staging', 'podScheduling.tolerations[0].key')).toContain('needs exists: true');
    expect(lineFor(lines, 'acme/Environments/staging', 'podPriorityClassName')).toContain('kube-system only');
  });

  it('refuses bad selectors, tolerations and conditions, on the service and per environment', () => {
    const f = fixture();
    addService(f, 'api', {
      scheduling: {
        nodeSelector: { 'bad key!': 'x' },
        tolerations: [{ value: 'x' }, { key: 'k', exists: true, value: 'v' }, { key: 'k', tolerationSeconds: 5 }],
        requiredNodes: [[], [{ key: 'k', operator: 'Gt', values: ['x'] }]],
        preferredNodes: [{ weight: 0, conditions: [{ key: 'k', operator: 'Exists', values: ['v'] }] }],
      },
      perEnvironment: { production: { scheduling: { requiredNodes: [[{ key: 'k', operator: 'In' }]] }, priorityClassName: 'Not_A_Name' } },
    });

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, API, 'scheduling.nodeSelector["bad key!"]')).toContain('label key');
    expect(lineFor(lines, API, 'scheduling.tolerations[0].key')).toContain('needs exists: true');
    expect(lineFor(lines, API, 'scheduling.tolerations[1].value')).toContain('takes none');
    expect(lineFor(lines, API, 'scheduling.tolerations[2].tolerationSeconds')).toContain('NoExecute');
    expect(lineFor(lines, API, 'scheduling.requiredNodes[0]')).toContain('not empty');
    expect(lineFor(lines, API, 'scheduling.requiredNodes[1][0].values')).toContain('one whole number');
    expect(lineFor(lines, API, 'scheduling.preferredNodes[0].weight')).toContain('1 to 100');
    expect(lineFor(lines, API, 'scheduling.preferredNodes[0].conditions[0].values')).toContain('takes no values');
    expect(lineFor(lines, API, 'perEnvironment["production"].scheduling.requiredNodes[0][0].values')).toContain('one or more values');
    expect(lineFor(lines, API, 'perEnvironment["production"].priorityClassName')).toContain('got "Not_A_Name"');
  });
});

describe('hostile pod options', () => {
  it('refuses values of the wrong shape at their field instead of failing', () => {
    const f = fixture();
    addService(f, 'api', { scheduling: { tolerations: 'all' as never, requiredNodes: {} as never, nodeSelector: 'x' as never }, podLabels: [] as never, supplementalGroups: 5 as never });
    const lines = validationErrors(f.platform);
    expect(lineFor(lines, API, 'scheduling.tolerations')).toContain('are a list');
    expect(lineFor(lines, API, 'scheduling.requiredNodes')).toContain('are a list');
    expect(lineFor(lines, API, 'scheduling.nodeSelector')).toContain('map of node labels');
    expect(lineFor(lines, API, 'podLabels')).toContain('map of keys');
  });

  it('as a property: any JSON given as scheduling, pod labels or a toleration is refused naming the field, or written schema-valid', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(fc.constantFrom('scheduling', 'podLabels', 'toleration', 'condition'), json, (where, value) => {
        const f = fixture();
        const props =
          where === 'scheduling' ? { scheduling: value as never }
            : where === 'podLabels' ? { podLabels: value as never }
              : where === 'toleration' ? { scheduling: { tolerations: [value as never] } }
                : { scheduling: { requiredNodes: [[value as never]] } };
        addService(f, 'api', props);
        const errors = validatePlatform(f.platform).filter((p) => p.severity === 'error');
        if (errors.length === 0) {
          synth(f.platform);
          return;
        }
        for (const e of errors) expect(e.property.startsWith(where === 'podLabels' ? 'podLabels' : 'scheduling')).toBe(true);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});

describe('moving image tags', () => {
  it('refuses a tag without a version number in production, and accepts it elsewhere', () => {
    for (const tag of ['alpine', 'stable', 'main', 'lts', 'edge']) {
      const f = fixture();
      addService(f, 'api', { image: f.registry.image('library/redis', tag) });
      const line = lineFor(validationErrors(f.platform), API, 'image.tag (in production)');
      expect(line).toContain(`the tag "${tag}" moves`);
      expect(line).toContain('rule production-moving-tag');
    }
    const f = fixture();
    addService(f, 'api', { image: f.registry.image('library/redis', '7.2.4'), perEnvironment: { test: { image: f.registry.image('library/redis', 'alpine') } } });
    expect(synth(f.platform).size).toBeGreaterThan(0);
  });

  it('accepts a moving tag pinned by digest, or waived with a reason written on the pods', () => {
    const f = fixture();
    addService(f, 'api', { image: f.registry.image('library/redis', { tag: 'alpine', digest: DIGEST }) });
    addService(f, 'web', { image: f.registry.image('library/nginx', 'stable', { waivers: { movingTag: 'the vendor publishes the stable channel only' } }) });

    const objects = synth(f.platform);
    expect(at(objects, 'host/Deployment/storefront/web').spec.template.metadata.annotations).toEqual({ 'waiver.platform-cdk.io/production-moving-tag': 'the vendor publishes the stable channel only' });
    expect(at(objects, 'member-test/Deployment/storefront/web').spec.template.metadata.annotations).toBeUndefined();
    expect(at(objects, PROD).spec.template.spec.containers[0].image).toBe(`harbor.example.com/library/redis:alpine@${DIGEST}`);
  });

  it('refuses a moving tag of a sidecar and of an in-cluster engine in production, and an empty waiver', () => {
    const f = fixture();
    addService(f, 'api', { sidecars: [{ name: 'proxy', image: f.registry.image('shop/proxy', 'main') }] });
    addService(f, 'web', { image: f.registry.image('library/nginx', 'stable', { waivers: { movingTag: ' ' } }) });
    f.project.addStatefulService('cache', { engine: Engine.redis(), inCluster: { image: f.registry.image('library/redis', 'alpine'), storage: '1Gi' } });

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, API, 'sidecars[0].image.tag (in production)')).toContain('"main" moves');
    expect(lineFor(lines, 'acme/shop/storefront/web', 'image.waivers.movingTag')).toContain('needs a reason');
    expect(lineFor(lines, 'acme/shop/storefront/cache', 'inCluster.image.tag (in production)')).toContain('"alpine" moves');
  });

  it('as a property: a tag is refused in production exactly when it has no digit and no digest', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/), fc.boolean(), (tag, pinned) => {
        const f = fixture();
        addService(f, 'api', { image: f.registry.image('shop/api', pinned ? { tag, digest: DIGEST } : tag) });
        const moving = tag !== 'latest' && !/[0-9]/.test(tag) && !pinned;
        const refused = validatePlatform(f.platform).some((p) => p.severity === 'error' && p.property === 'image.tag (in production)');
        expect(refused).toBe(moving);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});
