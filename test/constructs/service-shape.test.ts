/**
 * The shape of the pods: the restricted Pod Security profile on every container (the service's, init containers,
 * sidecars, stateful services and their backup jobs), probes (HTTP, TCP, command), init containers and sidecars, a
 * ServiceAccount per service without a token unless asked, resources with per-environment overrides, and the
 * image and probe mistakes reported with path, value and fix.
 */
import { BackupTarget, Duration, Engine, ExistingSecret, Probe, Protocol, Registry, SecretStore, validatePlatform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const API = 'acme/shop/storefront/api';

/** The pod spec of a workload, if it has one. */
function podSpecOf(o: any): any {
  if (o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet' || o.kind === 'Job') return o.spec.template.spec;
  if (o.kind === 'CronJob') return o.spec.jobTemplate.spec.template.spec;
  return undefined;
}

/** Volume types the restricted profile allows. */
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/**
 * What a pod spec breaks of the Kubernetes "restricted" Pod Security Standard, and of the platform's own baseline
 * (read-only root file system, requests and limits on every container).
 */
function podSecurityViolations(where: string, pod: any): string[] {
  const out: string[] = [];
  const podSc = pod.securityContext ?? {};
  for (const k of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[k]) out.push(`${where}: ${k}`);
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!RESTRICTED_VOLUMES.includes(type ?? '')) out.push(`${where}: volume ${v.name} of type ${type}`);
  }
  if (podSc.runAsUser === 0) out.push(`${where}: pod runs as root`);
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];
  if (containers.length === 0) out.push(`${where}: no containers`);
  for (const c of containers) {
    const at = `${where} container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (sc.privileged !== false && sc.privileged !== undefined) out.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${at}: capabilities not dropped`);
    if ((sc.capabilities?.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE')) out.push(`${at}: capabilities added`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${at}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push(`${at}: runs as root`);
    if (!['RuntimeDefault', 'Localhost'].includes((sc.seccompProfile ?? podSc.seccompProfile)?.type)) out.push(`${at}: no seccomp profile`);
    if ((c.ports ?? []).some((p: any) => p.hostPort !== undefined)) out.push(`${at}: hostPort`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${at}: writable root file system`);
    for (const k of ['requests', 'limits']) for (const r of ['cpu', 'memory']) if (c.resources?.[k]?.[r] === undefined) out.push(`${at}: no ${k}.${r}`);
    if (!(c.volumeMounts ?? []).some((m: any) => m.mountPath === '/tmp')) out.push(`${at}: no writable /tmp`);
  }
  return out;
}

describe('pod shape', () => {
  describe('pod security', () => {
    it('holds every pod of every workload to the restricted profile: services, init containers, sidecars, stateful services and backups', () => {
      const f = fixture();
      f.project.quotaIn('production', { cpuLimitMillis: 40000, memoryLimitMiB: 40000, cpuRequestMillis: 20000, memoryRequestMiB: 20000, pods: 100 });
      f.project.quotaIn('test', { cpuLimitMillis: 40000, memoryLimitMiB: 40000, cpuRequestMillis: 20000, memoryRequestMiB: 20000, pods: 100 });
      const vault = SecretStore.cluster('vault');
      addService(f, 'api', {
        config: { files: { 'app.yaml': 'a: 1' } },
        writablePaths: ['/var/cache/api'],
        initContainers: [{ name: 'migrate', image: f.registry.image('shop/migrate', '1.0.0'), command: ['/migrate'], writablePaths: ['/work'] }],
        sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), writablePaths: ['/var/run/envoy'] }],
      });
      f.project.addStatefulService('orders-db', {
        engine: Engine.mysql(),
        inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '20Gi', credentials: vault.key('shop/mysql'), backup: { schedule: '0 3 * * *', target: BackupTarget.volume('backups') } },
      });
      f.project.addStatefulService('cache', {
        engine: Engine.redis(),
        inCluster: {
          image: f.registry.image('library/redis', '7.2.4'),
          storage: '1Gi',
          credentials: ExistingSecret.named('redis').key('password'),
          backup: { schedule: '@hourly', target: BackupTarget.s3({ bucket: 'redis-backups', credentials: ExistingSecret.named('s3') }), command: ['/backup.sh'] },
        },
      });
      f.project.addStatefulService('events', { engine: Engine.clickhouse(), inCluster: { image: f.registry.image('clickhouse/clickhouse-server', '24.3'), storage: '50Gi' } });
      f.project.addStatefulService('search', {
        engine: Engine.generic({ name: 'opensearch', ports: [{ port: 9200 }], dataPath: '/usr/share/opensearch/data', runAsUser: 1000, writablePaths: ['/usr/share/opensearch/logs'] }),
        inCluster: { image: f.registry.image('opensearchproject/opensearch', '2.13.0'), storage: '10Gi', backup: { schedule: '30 2 * * 0', target: BackupTarget.volume('backups'), command: ['/snapshot.sh'] } },
      });

      const objects = synth(f.platform);
      const pods = [...objects].filter(([, o]) => podSpecOf(o) !== undefined);
      expect(pods.map(([k]) => k).filter((k) => k.startsWith('host/')).sort()).toEqual([
        'host/CronJob/storefront/cache-backup',
        'host/CronJob/storefront/orders-db-backup',
        'host/CronJob/storefront/search-backup',
        'host/Deployment/storefront/api',
        'host/StatefulSet/storefront/cache',
        'host/StatefulSet/storefront/events',
        'host/StatefulSet/storefront/orders-db',
        'host/StatefulSet/storefront/search',
      ]);
      expect(pods.flatMap(([key, o]) => podSecurityViolations(key, podSpecOf(o)))).toEqual([]);
      // The stateful engines run as their image's user, never root.
      expect(podSpecOf(at(objects, 'host/StatefulSet/storefront/orders-db')).securityContext).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
      expect(podSpecOf(at(objects, 'host/StatefulSet/storefront/events')).securityContext.runAsUser).toBe(101);
      // Every namespace enforces the restricted profile, so the API server checks it too.
      for (const key of ['host/Namespace/-/storefront', 'member-test/Namespace/-/storefront']) {
        expect(at(objects, key).metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' });
      }
    });

    it('gives every writable folder an empty volume of its own, per container', () => {
      const f = fixture();
      addService(f, 'api', {
        writablePaths: ['/var/cache/api', '/data'],
        initContainers: [{ name: 'fetch', image: f.registry.image('shop/fetch', '1.0.0'), writablePaths: ['/out'] }],
        sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), writablePaths: ['/var/run/envoy'] }],
      });

      const pod = podSpecOf(at(synth(f.platform), 'host/Deployment/storefront/api'));
      expect(pod.volumes).toEqual([
        { name: 'tmp', emptyDir: {} },
        { name: 'writable-0', emptyDir: {} },
        { name: 'writable-1', emptyDir: {} },
        { name: 'init0-writable-0', emptyDir: {} },
        { name: 'side0-writable-0', emptyDir: {} },
      ]);
      expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'writable-0', mountPath: '/var/cache/api' }, { name: 'writable-1', mountPath: '/data' }]);
      expect(pod.initContainers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'init0-writable-0', mountPath: '/out' }]);
      expect(pod.containers[1].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'side0-writable-0', mountPath: '/var/run/envoy' }]);
    });
  });

  describe('probes', () => {
    it('probes the first TCP port by default for readiness and liveness, and has no startup probe', () => {
      const f = fixture();
      addService(f, 'api', { ports: [{ port: 5353, protocol: Protocol.UDP }, { port: 8080, name: 'web' }] });

      const c = podSpecOf(at(synth(f.platform), 'host/Deployment/storefront/api')).containers[0];
      expect(c.readinessProbe).toEqual({ tcpSocket: { port: 'web' }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 });
      expect(c.livenessProbe).toEqual(c.readinessProbe);
      expect(c.startupProbe).toBeUndefined();
    });

    it('renders HTTP, TCP and command probes with their ports and timing', () => {
      const f = fixture();
      addService(f, 'api', {
        ports: [{ port: 80, containerPort: 8080 }, { port: 8081, name: 'admin' }],
        readiness: Probe.http('/ready', { port: 'admin', initialDelay: Duration.seconds(5), period: Duration.seconds(20), timeout: Duration.seconds(3), failureThreshold: 5 }),
        liveness: Probe.tcp({ port: 8080 }),
        startup: Probe.exec(['/bin/check', '--startup'], { period: Duration.minutes(1), failureThreshold: 30 }),
      });

      const c = podSpecOf(at(synth(f.platform), 'host/Deployment/storefront/api')).containers[0];
      expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 'admin' }, initialDelaySeconds: 5, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 5 });
      expect(c.livenessProbe).toEqual({ tcpSocket: { port: 8080 }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 });
      expect(c.startupProbe).toEqual({ exec: { command: ['/bin/check', '--startup'] }, periodSeconds: 60, timeoutSeconds: 1, failureThreshold: 30 });
    });

    it('warns about a service with neither a TCP port nor a probe, and gives it no default probes', () => {
      const f = fixture();
      addService(f, 'dns', { ports: [{ port: 53, protocol: Protocol.UDP }] });

      const c = podSpecOf(at(synth(f.platform), 'host/Deployment/storefront/dns')).containers[0];
      expect(c.readinessProbe).toBeUndefined();
      expect(c.livenessProbe).toBeUndefined();
      const w = validatePlatform(f.platform).find((p) => p.path === 'acme/shop/storefront/dns' && p.property === 'readiness');
      expect(w?.severity).toBe('warning');
      expect(w?.fix).toContain('Probe.exec');
    });

    it('refuses probes on undeclared ports and timing that is not whole seconds, all at once', () => {
      const f = fixture();
      addService(f, 'api', {
        ports: [{ port: 80, containerPort: 8080 }],
        readiness: Probe.http('/ready', { port: 'admin' }),
        // 80 is the Service port; a probe names the container's.
        liveness: Probe.tcp({ port: 80, period: Duration.millis(1500), timeout: Duration.seconds(0), failureThreshold: 0 }),
        startup: Probe.exec(['/bin/check'], { initialDelay: Duration.millis(250) }),
      });
      addService(f, 'worker', { ports: [], readiness: Probe.http('/ready') });

      const lines = validationErrors(f.platform);
      const readiness = lineFor(lines, API, 'readiness.port');
      expect(readiness).toContain('got "admin";');
      expect(readiness).toContain('ports: http=8080');
      expect(readiness).toMatch(/\. Fix: .+\.$/);
      expect(lineFor(lines, API, 'liveness.port')).toContain('got 80;');
      expect(lineFor(lines, API, 'liveness.period')).toContain('got "1 second 500 millis"; the time is written in whole seconds. Fix: ');
      expect(lineFor(lines, API, 'liveness.timeout')).toContain('at least 1 second');
      expect(lineFor(lines, API, 'liveness.failureThreshold')).toContain('got 0;');
      expect(lineFor(lines, API, 'startup.initialDelay')).toContain('got "250 millis";');
      expect(lineFor(lines, 'acme/shop/storefront/worker', 'readiness')).toContain('no TCP port to default to');
    });
  });

  describe('init containers and sidecars', () => {
    it('runs init containers before the service and sidecars beside it, in the order given, each with its own image, command, variables and resources', () => {
      const f = fixture();
      addService(f, 'api', {
        initContainers: [
          { name: 'migrate', image: f.registry.image('shop/migrate', '1.0.0'), command: ['/migrate'], args: ['--up'], env: { ZONE: 'eu', MODE: 'strict' } },
          { name: 'warm', image: f.registry.image('shop/warm', '2.0.0') },
        ],
        sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), resources: { cpuLimitMillis: 200, memoryLimitMiB: 128, memoryRequestMiB: 64 } }],
      });

      const pod = podSpecOf(at(synth(f.platform), 'host/Deployment/storefront/api'));
      expect(pod.initContainers.map((c: any) => c.name)).toEqual(['migrate', 'warm']);
      expect(pod.containers.map((c: any) => c.name)).toEqual(['api', 'proxy']);
      const migrate = pod.initContainers[0];
      expect(migrate).toMatchObject({ image: 'harbor.example.com/shop/migrate:1.0.0', imagePullPolicy: 'IfNotPresent', command: ['/migrate'], args: ['--up'], env: [{ name: 'MODE', value: 'strict' }, { name: 'ZONE', value: 'eu' }] });
      expect(migrate.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
      expect(pod.containers[1].resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
      // Sidecars have no ports and no probes of their own.
      expect(pod.containers[1].readinessProbe).toBeUndefined();
    });

    it('refuses clashing names, bad images and bad writable paths of extra containers, all at once', () => {
      const f = fixture();
      addService(f, 'api', {
        initContainers: [{ name: 'api', image: f.registry.image('shop/migrate', 'latest') }, { name: 'Bad_Name', image: Registry.at('').image('shop/x', '1.0.0'), writablePaths: ['/'] }],
        sidecars: [{ name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1'), writablePaths: ['/tmp', 'relative'] }, { name: 'proxy', image: f.registry.image('infra/envoy', '1.30.1') }],
      });

      const lines = validationErrors(f.platform);
      expect(lineFor(lines, API, 'initContainers[0].name')).toContain('the service\'s own container has this name already');
      expect(lineFor(lines, API, 'initContainers[0].image.tag')).toContain('got "latest";');
      expect(lineFor(lines, API, 'initContainers[1].name')).toContain('got "Bad_Name";');
      expect(lineFor(lines, API, 'initContainers[1].image.registry')).toContain('got "";');
      expect(lineFor(lines, API, 'initContainers[1].writablePaths[0]')).toContain('got "/";');
      expect(lineFor(lines, API, 'sidecars[0].writablePaths[0]')).toContain('got "/tmp";');
      expect(lineFor(lines, API, 'sidecars[0].writablePaths[1]')).toContain('got "relative";');
      expect(lineFor(lines, API, 'sidecars[1].name')).toContain('sidecars[0] has this name already');
      for (const l of lines) expect(l).toMatch(/\. Fix: .+\.$/);
    });
  });

  describe('service account', () => {
    it('gives each service a ServiceAccount of its name, and its pods no token', () => {
      const f = fixture();
      addService(f, 'api');
      addService(f, 'web');

      const objects = synth(f.platform);
      for (const name of ['api', 'web']) {
        const sa = at(objects, `host/ServiceAccount/storefront/${name}`);
        expect(sa.automountServiceAccountToken).toBe(false);
        expect(sa.metadata.labels['app.kubernetes.io/name']).toBe(name);
        const pod = podSpecOf(at(objects, `host/Deployment/storefront/${name}`));
        expect(pod.serviceAccountName).toBe(name);
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.enableServiceLinks).toBe(false);
      }
    });

    it('mounts the token only for a service that asks for it', () => {
      const f = fixture();
      addService(f, 'operator', { automountServiceAccountToken: true });

      const objects = synth(f.platform);
      expect(at(objects, 'host/ServiceAccount/storefront/operator').automountServiceAccountToken).toBe(true);
      expect(podSpecOf(at(objects, 'host/Deployment/storefront/operator')).automountServiceAccountToken).toBe(true);
    });

    it('gives an in-cluster stateful service its own ServiceAccount without a token too', () => {
      const f = fixture();
      f.project.addStatefulService('cache', { engine: Engine.redis(), inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi', credentials: ExistingSecret.named('redis').key('password'), backup: { schedule: '@daily', target: BackupTarget.volume('backups') } } });

      const objects = synth(f.platform);
      expect(at(objects, 'host/ServiceAccount/storefront/cache').automountServiceAccountToken).toBe(false);
      expect(podSpecOf(at(objects, 'host/StatefulSet/storefront/cache'))).toMatchObject({ serviceAccountName: 'cache', automountServiceAccountToken: false });
      expect(podSpecOf(at(objects, 'host/CronJob/storefront/cache-backup')).automountServiceAccountToken).toBe(false);
    });
  });

  describe('resources', () => {
    it('merge field by field: platform defaults, environment, service, then the service\'s per-environment override', () => {
      const f = fixture();
      const staging = f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging', resources: { cpuRequestMillis: 50 } });
      f.project.placeIn(staging);
      addService(f, 'api', {
        resources: { memoryLimitMiB: 512 },
        perEnvironment: { production: { resources: { cpuLimitMillis: 1000, memoryRequestMiB: 256 } } },
      });

      const objects = synth(f.platform);
      const resources = (key: string): unknown => podSpecOf(at(objects, key)).containers[0].resources;
      expect(resources('host/Deployment/storefront/api')).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
      expect(resources('member-test/Deployment/storefront/api')).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
      expect(resources('member-test/Deployment/storefront-staging/api')).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    });

    it('refuse values that are not positive whole numbers, and a request above its limit in an environment', () => {
      const f = fixture();
      addService(f, 'api', { resources: { cpuRequestMillis: 0.5 }, perEnvironment: { production: { resources: { memoryRequestMiB: 1024 } }, test: { resources: { cpuLimitMillis: -1 } } } });

      const lines = validationErrors(f.platform);
      expect(lineFor(lines, API, 'resources.cpuRequestMillis')).toContain('got 0.5;');
      expect(lineFor(lines, API, 'perEnvironment["test"].resources.cpuLimitMillis')).toContain('got -1;');
      const over = lineFor(lines, API, 'resources (in production).memoryRequestMiB');
      expect(over).toContain('got 1024; the memory request is above the memory limit of 256 MiB');
      for (const l of lines) expect(l).toMatch(/\. Fix: .+\.$/);
    });
  });

  describe('images', () => {
    it('are pulled from the named registry at the pinned version, per environment where overridden', () => {
      const f = fixture();
      addService(f, 'api', { perEnvironment: { production: { image: f.registry.image('shop/api', { tag: '0.9.8', digest: `sha256:${'a'.repeat(64)}` }) } } });

      const objects = synth(f.platform);
      expect(podSpecOf(at(objects, 'host/Deployment/storefront/api')).containers[0].image).toBe(`harbor.example.com/shop/api:0.9.8@sha256:${'a'.repeat(64)}`);
      expect(podSpecOf(at(objects, 'member-test/Deployment/storefront/api')).containers[0].image).toBe('harbor.example.com/shop/api:1.0.0');
    });

    it('refuse a missing registry, "latest" and bad references wherever an image is given, all at once', () => {
      const f = fixture();
      addService(f, 'api', { image: Registry.at('').image('shop/api', '1.0.0'), perEnvironment: { test: { image: f.registry.image('shop/api', 'latest') } } });
      addService(f, 'web', { image: f.registry.image('Shop/Web', { digest: 'sha256:123' }) });
      f.project.addStatefulService('db', { engine: Engine.mysql(), inCluster: { image: f.registry.image('library/mysql', 'latest'), storage: '1Gi', credentials: ExistingSecret.named('db').key('root'), backup: { schedule: '@daily', target: BackupTarget.volume('b'), image: Registry.at('bad host').image('tools/dump', '1.0') } } });

      const lines = validationErrors(f.platform);
      const registry = lineFor(lines, API, 'image.registry');
      expect(registry).toContain('got "";');
      expect(registry).toContain('Fix: use Registry.at("harbor.example.com")');
      const latest = lineFor(lines, API, 'perEnvironment["test"].image.tag');
      expect(latest).toContain('got "latest"; "latest" moves');
      expect(latest).toContain('Fix: pin a version tag or a digest.');
      expect(lineFor(lines, 'acme/shop/storefront/web', 'image.repository')).toContain('got "Shop/Web";');
      expect(lineFor(lines, 'acme/shop/storefront/web', 'image.digest')).toContain('got "sha256:123";');
      expect(lineFor(lines, 'acme/shop/storefront/db', 'inCluster (in production).image.tag')).toContain('got "latest";');
      expect(lineFor(lines, 'acme/shop/storefront/db', 'inCluster (in production).backup.image.registry')).toContain('got "bad host";');
      for (const l of lines) expect(l).toMatch(/\. Fix: .+\.$/);
    });
  });
});

describe('ClickHouse in the cluster', () => {
  it('gets a writable /etc/clickhouse-server/users.d, where its entry point writes the default user\'s password, on a read-only root', () => {
    const f = fixture();
    f.project.addStatefulService('events', {
      engine: Engine.clickhouse(),
      inCluster: { image: f.registry.image('clickhouse/clickhouse-server', '24.3'), storage: '50Gi', credentials: SecretStore.cluster('vault').key('shop/clickhouse') },
    });

    const objects = synth(f.platform);
    for (const cluster of ['host', 'member-test']) {
      const pod = podSpecOf(at(objects, `${cluster}/StatefulSet/storefront/events`));
      const c = pod.containers[0];
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(c.env).toEqual([{ name: 'CLICKHOUSE_PASSWORD', valueFrom: { secretKeyRef: { name: 'events-vault', key: 'CLICKHOUSE_PASSWORD' } } }]);
      expect(c.volumeMounts).toEqual([
        { name: 'data', mountPath: '/var/lib/clickhouse' },
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'writable-0', mountPath: '/var/log/clickhouse-server' },
        { name: 'writable-1', mountPath: '/etc/clickhouse-server/users.d' },
      ]);
      // Each writable folder is an empty volume of the pod's own, never a folder of the image or the host.
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }, { name: 'writable-0', emptyDir: {} }, { name: 'writable-1', emptyDir: {} }]);
      expect(podSecurityViolations(cluster, pod)).toEqual([]);
    }
  });

  it('keeps the rest of /etc/clickhouse-server read-only, and gives MySQL and Redis no such folder', () => {
    const f = fixture();
    const vault = SecretStore.cluster('vault');
    f.project.addStatefulService('events', { engine: Engine.clickhouse(), inCluster: { image: f.registry.image('clickhouse/clickhouse-server', '24.3'), storage: '50Gi', credentials: vault.key('shop/clickhouse') } });
    f.project.addStatefulService('orders-db', { engine: Engine.mysql(), inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '20Gi', credentials: vault.key('shop/mysql') } });
    f.project.addStatefulService('cache', { engine: Engine.redis(), inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi', credentials: vault.key('shop/redis') } });

    const objects = synth(f.platform);
    const paths = (name: string): string[] => podSpecOf(at(objects, `host/StatefulSet/storefront/${name}`)).containers[0].volumeMounts.map((m: any) => m.mountPath);
    expect(paths('events').filter((p) => p.startsWith('/etc/'))).toEqual(['/etc/clickhouse-server/users.d']);
    expect(paths('orders-db').filter((p) => p.startsWith('/etc/'))).toEqual([]);
    expect(paths('cache').filter((p) => p.startsWith('/etc/'))).toEqual([]);
  });
});
