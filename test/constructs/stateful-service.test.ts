/**
 * Stateful services (MySQL, Redis, ClickHouse, any engine) with one switch: outside the cluster (a Service
 * without selector and an EndpointSlice, or an ExternalName Service) or in it (a StatefulSet with its volumes,
 * headless Service, disruption budget, anti-affinity, credentials from a store and a backup CronJob). The switch
 * changes none of the consumers' objects.
 */
import { BackupTarget, ClusterRole, Engine, ExistingSecret, SecretStore, StatefulMode, toYamlDocument, validatePlatform } from 'platform-cdk';
import type { KubeObject, StatefulServiceProps } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';
import type { Fixture } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
/** The keys of the objects of one stateful service (by its name label) on a cluster, sorted. */
const objectsOf = (objects: Map<string, KubeObject>, cluster: string, name: string): string[] =>
  [...objects].filter(([k, o]) => k.startsWith(`${cluster}/`) && [name, `${name}-backup`].includes(o.metadata.labels?.['app.kubernetes.io/name'] ?? '') && o.kind !== 'NetworkPolicy').map(([k]) => k).sort();

const DB = 'acme/shop/storefront/orders-db';
const vault = SecretStore.cluster('vault');

/** A MySQL that runs in the cluster, with credentials from Vault and a nightly backup to a volume. */
function mysqlInCluster(f: Fixture, extra: Partial<StatefulServiceProps> = {}) {
  return f.project.addStatefulService('orders-db', {
    engine: Engine.mysql(),
    inCluster: {
      image: f.registry.image('library/mysql', '8.0.36'),
      storage: '50Gi',
      credentials: vault.key('shop/mysql', { property: 'root' }),
      backup: { schedule: '0 3 * * *', target: BackupTarget.volume('backups'), timeZone: 'Asia/Shanghai' },
    },
    ...extra,
  });
}

describe('stateful services', () => {
  describe('outside the cluster', () => {
    it('point a Service without selector at the machines\' addresses through an EndpointSlice', () => {
      const f = fixture();
      f.project.addStatefulService('orders-db', { engine: Engine.mysql(), external: { addresses: ['10.0.8.22', '10.0.8.21'] } });

      const objects = synth(f.platform);
      expect(objectsOf(objects, 'host', 'orders-db')).toEqual(['host/EndpointSlice/storefront/orders-db', 'host/Service/storefront/orders-db']);
      const service = at(objects, 'host/Service/storefront/orders-db');
      expect(service.spec).toEqual({ type: 'ClusterIP', ports: [{ name: 'mysql', port: 3306, targetPort: 3306, protocol: 'TCP' }] });
      expect(service.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'orders-db', 'platform-cdk.io/engine': 'mysql' });
      const slice = at(objects, 'host/EndpointSlice/storefront/orders-db');
      expect(slice.metadata.labels).toMatchObject({ 'kubernetes.io/service-name': 'orders-db', 'endpointslice.kubernetes.io/managed-by': 'platform-cdk.io' });
      expect(slice.addressType).toBe('IPv4');
      expect(slice.endpoints).toEqual([{ addresses: ['10.0.8.21'], conditions: { ready: true } }, { addresses: ['10.0.8.22'], conditions: { ready: true } }]);
      expect(slice.ports).toEqual([{ name: 'mysql', port: 3306, protocol: 'TCP' }]);
    });

    it('map the engine\'s port to the port the machines listen on, so consumers keep the engine\'s', () => {
      const f = fixture();
      const db = f.project.addStatefulService('orders-db', { engine: Engine.mysql(), external: { addresses: ['10.0.8.21'], port: 13306 } });
      addService(f, 'api').connectsTo(db);

      const objects = synth(f.platform);
      expect(at(objects, 'host/Service/storefront/orders-db').spec.ports).toEqual([{ name: 'mysql', port: 3306, targetPort: 13306, protocol: 'TCP' }]);
      expect(at(objects, 'host/EndpointSlice/storefront/orders-db').ports).toEqual([{ name: 'mysql', port: 13306, protocol: 'TCP' }]);
      expect(at(objects, 'host/Deployment/storefront/api').spec.template.spec.containers[0].env).toContainEqual({ name: 'ORDERS_DB_PORT', value: '3306' });
    });

    it('point an ExternalName Service at a DNS name, with every port of the engine', () => {
      const f = fixture();
      f.project.addStatefulService('events', { engine: Engine.clickhouse(), external: { host: 'ch.corp.example.com', cidrs: ['10.0.7.0/24'] } });

      const objects = synth(f.platform);
      expect(objectsOf(objects, 'host', 'events')).toEqual(['host/Service/storefront/events']);
      expect(at(objects, 'host/Service/storefront/events').spec).toEqual({
        type: 'ExternalName',
        externalName: 'ch.corp.example.com',
        ports: [{ name: 'http', port: 8123, targetPort: 8123, protocol: 'TCP' }, { name: 'native', port: 9000, targetPort: 9000, protocol: 'TCP' }],
      });
    });
  });

  describe('in the cluster', () => {
    it('run as a StatefulSet with its ServiceAccount, credentials, Services, disruption budget and backup', () => {
      const f = fixture();
      mysqlInCluster(f);

      const objects = synth(f.platform);
      expect(objectsOf(objects, 'host', 'orders-db')).toEqual([
        'host/CronJob/storefront/orders-db-backup',
        'host/ExternalSecret/storefront/orders-db-vault',
        'host/PodDisruptionBudget/storefront/orders-db',
        'host/Service/storefront/orders-db',
        'host/Service/storefront/orders-db-headless',
        'host/ServiceAccount/storefront/orders-db',
        'host/StatefulSet/storefront/orders-db',
      ]);
      const selector = { 'app.kubernetes.io/name': 'orders-db' };
      expect(at(objects, 'host/Service/storefront/orders-db').spec).toEqual({ type: 'ClusterIP', selector, ports: [{ name: 'mysql', port: 3306, targetPort: 'mysql', protocol: 'TCP' }] });
      expect(at(objects, 'host/Service/storefront/orders-db-headless').spec).toEqual({ clusterIP: 'None', publishNotReadyAddresses: true, selector, ports: [{ name: 'mysql', port: 3306, targetPort: 'mysql', protocol: 'TCP' }] });
      expect(at(objects, 'host/PodDisruptionBudget/storefront/orders-db').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selector } });
      expect(at(objects, 'host/ExternalSecret/storefront/orders-db-vault').spec).toMatchObject({
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
        data: [{ secretKey: 'MYSQL_ROOT_PASSWORD', remoteRef: { key: 'shop/mysql', property: 'root' } }],
      });

      const sts = at(objects, 'host/StatefulSet/storefront/orders-db');
      expect(sts.metadata.labels['app.kubernetes.io/version']).toBe('8.0.36');
      expect(sts.spec).toMatchObject({ serviceName: 'orders-db-headless', replicas: 1, podManagementPolicy: 'OrderedReady', selector: { matchLabels: selector } });
      expect(sts.spec.volumeClaimTemplates).toEqual([{ metadata: { name: 'data', labels: selector }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } }]);
      const pod = sts.spec.template.spec;
      expect(pod.affinity).toEqual({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } }] } });
      const c = pod.containers[0];
      expect(c).toMatchObject({ name: 'mysql', image: 'harbor.example.com/library/mysql:8.0.36', ports: [{ name: 'mysql', containerPort: 3306, protocol: 'TCP' }] });
      expect(c.env).toEqual([{ name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: 'orders-db-vault', key: 'MYSQL_ROOT_PASSWORD' } } }]);
      expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/mysql' }, { name: 'tmp', mountPath: '/tmp' }, { name: 'writable-0', mountPath: '/var/run/mysqld' }]);
      expect(c.readinessProbe.tcpSocket).toEqual({ port: 'mysql' });
    });

    it('take the storage class from the stateful service, else from the cluster, else the cluster\'s default', () => {
      const f = fixture();
      const fast = f.platform.addCluster('member-fast', { role: ClusterRole.MEMBER, storageClassName: 'local-path' });
      const staging = f.platform.addEnvironment('staging', { clusters: [fast], domain: 'staging.example.com' });
      f.project.placeIn(staging);
      mysqlInCluster(f);
      f.project.addStatefulService('cache', { engine: Engine.redis(), inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi', storageClassName: 'ssd', credentials: ExistingSecret.named('redis').key('password') } });

      const objects = synth(f.platform);
      const storageClass = (key: string): unknown => at(objects, key).spec.volumeClaimTemplates[0].spec.storageClassName;
      expect(storageClass('member-fast/StatefulSet/storefront/orders-db')).toBe('local-path');
      expect(storageClass('host/StatefulSet/storefront/orders-db')).toBeUndefined();
      expect(storageClass('member-fast/StatefulSet/storefront/cache')).toBe('ssd');
      expect(storageClass('host/StatefulSet/storefront/cache')).toBe('ssd');
    });

    it('give Redis its password on the command line and ClickHouse both ports, from an existing Secret or none', () => {
      const f = fixture();
      f.project.addStatefulService('cache', { engine: Engine.redis(), inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi', credentials: ExistingSecret.named('redis').key('password'), replicas: 3 } });
      f.project.addStatefulService('events', { engine: Engine.clickhouse(), inCluster: { image: f.registry.image('clickhouse/clickhouse-server', '24.3'), storage: '100Gi', credentials: ExistingSecret.named('clickhouse').key('password') } });

      const objects = synth(f.platform);
      const redis = at(objects, 'host/StatefulSet/storefront/cache');
      expect(redis.spec.replicas).toBe(3);
      expect(redis.spec.template.spec.containers[0].args).toEqual(['redis-server', '--requirepass', '$(REDIS_PASSWORD)']);
      expect(redis.spec.template.spec.containers[0].env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } }]);
      expect(objects.has('host/ExternalSecret/storefront/cache-vault')).toBe(false);
      const ch = at(objects, 'host/StatefulSet/storefront/events').spec.template.spec.containers[0];
      expect(ch.ports).toEqual([{ name: 'http', containerPort: 8123, protocol: 'TCP' }, { name: 'native', containerPort: 9000, protocol: 'TCP' }]);
      expect(ch.env).toEqual([{ name: 'CLICKHOUSE_PASSWORD', valueFrom: { secretKeyRef: { name: 'clickhouse', key: 'password' } } }]);
    });

    it('run any engine described by its ports, data folder, user and credentials variable', () => {
      const f = fixture();
      f.project.addStatefulService('pg', {
        engine: Engine.generic({ name: 'postgres', ports: [{ port: 5432, name: 'pg' }], dataPath: '/var/lib/postgresql/data', runAsUser: 70, credentialEnv: 'POSTGRES_PASSWORD', writablePaths: ['/var/run/postgresql'] }),
        inCluster: { image: f.registry.image('library/postgres', '16.2'), storage: '20Gi', credentials: vault.key('shop/pg') },
      });

      const sts = at(synth(f.platform), 'host/StatefulSet/storefront/pg');
      const pod = sts.spec.template.spec;
      expect(pod.securityContext.runAsUser).toBe(70);
      expect(pod.containers[0]).toMatchObject({ name: 'postgres', env: [{ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'pg-vault', key: 'POSTGRES_PASSWORD' } } }] });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
    });

    it('warn about a missing backup in production and missing credentials of an engine that takes them', () => {
      const f = fixture();
      f.project.addStatefulService('cache', { engine: Engine.redis(), inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi' } });

      const warnings = validatePlatform(f.platform).filter((p) => p.severity === 'warning').map((p) => `${p.path} ${p.property}`);
      expect(warnings).toEqual([
        'acme/shop/storefront/cache inCluster (in production).backup',
        'acme/shop/storefront/cache inCluster (in production).credentials',
        'acme/shop/storefront/cache inCluster (in test).credentials',
      ]);
    });
  });

  describe('backups', () => {
    it('run the engine\'s dump to the named volume on the schedule, one at a time, with the credentials the server has', () => {
      const f = fixture();
      mysqlInCluster(f);

      const objects = synth(f.platform);
      const cron = at(objects, 'host/CronJob/storefront/orders-db-backup');
      expect(cron.apiVersion).toBe('batch/v1');
      expect(cron.spec).toMatchObject({ schedule: '0 3 * * *', timeZone: 'Asia/Shanghai', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
      const pod = cron.spec.jobTemplate.spec.template.spec;
      expect(pod.restartPolicy).toBe('OnFailure');
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }, { name: 'backup', persistentVolumeClaim: { claimName: 'backups' } }]);
      const c = pod.containers[0];
      expect(c.image).toBe('harbor.example.com/library/mysql:8.0.36');
      expect(c.command.join(' ')).toContain('mysqldump');
      expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'backup', mountPath: '/backup' }]);
      // The password comes from the key the ExternalSecret writes (the server's variable), under the job's name for it.
      const es = at(objects, 'host/ExternalSecret/storefront/orders-db-vault');
      expect(c.env).toEqual([
        { name: 'DB_HOST', value: 'orders-db.storefront.svc.cluster.local' },
        { name: 'DB_PORT', value: '3306' },
        { name: 'DB_NAME', value: 'orders-db' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: es.spec.target.name, key: es.spec.data[0].secretKey } } },
      ]);
      expect(cron.metadata.labels['app.kubernetes.io/name']).toBe('orders-db-backup');
    });

    it('read an existing Secret\'s key for the password, and write to S3 with its own image and command', () => {
      const f = fixture();
      f.project.addStatefulService('cache', {
        engine: Engine.redis(),
        inCluster: {
          image: f.registry.image('library/redis', '7.2.4'),
          storage: '1Gi',
          credentials: ExistingSecret.named('redis').key('password'),
          backup: { schedule: '@hourly', target: BackupTarget.s3({ bucket: 'redis-backups', endpoint: 'https://s3.example.com', credentials: ExistingSecret.named('s3-backup') }), image: f.registry.image('tools/rdb-s3', '1.2.0'), command: ['/backup-to-s3'] },
        },
      });

      const pod = at(synth(f.platform), 'host/CronJob/storefront/cache-backup').spec.jobTemplate.spec.template.spec;
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
      const c = pod.containers[0];
      expect(c).toMatchObject({ image: 'harbor.example.com/tools/rdb-s3:1.2.0', command: ['/backup-to-s3'] });
      expect(c.env).toEqual([
        { name: 'DB_HOST', value: 'cache.storefront.svc.cluster.local' },
        { name: 'DB_PORT', value: '6379' },
        { name: 'DB_NAME', value: 'cache' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis', key: 'password' } } },
        { name: 'BACKUP_S3_BUCKET', value: 'redis-backups' },
        { name: 'BACKUP_S3_ENDPOINT', value: 'https://s3.example.com' },
        { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 's3-backup', key: 'AWS_ACCESS_KEY_ID' } } },
        { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3-backup', key: 'AWS_SECRET_ACCESS_KEY' } } },
      ]);
    });
  });

  describe('backup network paths', () => {
    const s3Cache = (f: Fixture, s3: Partial<Parameters<typeof BackupTarget.s3>[0]>) =>
      f.project.addStatefulService('cache', {
        engine: Engine.redis(),
        inCluster: {
          image: f.registry.image('library/redis', '7.2.4'),
          storage: '1Gi',
          credentials: ExistingSecret.named('redis').key('password'),
          backup: { schedule: '@hourly', target: BackupTarget.s3({ bucket: 'redis-backups', credentials: ExistingSecret.named('s3-backup'), ...s3 }), command: ['/backup-to-s3'] },
        },
      });

    it('let the job reach the database like a declared consumer, and nothing else for a volume target', () => {
      const f = fixture();
      mysqlInCluster(f);

      const objects = synth(f.platform);
      expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-orders-db').spec.podSelector).toEqual({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['orders-db-backup'] }] });
      expect(at(objects, 'host/NetworkPolicy/storefront/ingress-to-orders-db').spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders-db-backup' } } }]);
      expect([...objects.keys()].filter((k) => k.includes('egress-to-s3'))).toEqual([]);
    });

    it('let an S3 backup reach the endpoint\'s networks on HTTPS, or anywhere with a warning', () => {
      const f = fixture();
      s3Cache(f, { endpoint: 'https://s3.example.com', cidrs: ['10.0.50.0/24', '10.0.40.0/24'] });
      const objects = synth(f.platform);
      expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-s3.cache-backup').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cache-backup' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.40.0/24' } }, { ipBlock: { cidr: '10.0.50.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
      });

      const g = fixture();
      s3Cache(g, {});
      expect(at(synth(g.platform), 'host/NetworkPolicy/storefront/egress-to-s3.cache-backup').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
      const warning = validatePlatform(g.platform).find((p) => p.property === 'inCluster (in production).backup.target.cidrs');
      expect(warning?.severity).toBe('warning');
    });

    it('let an S3 backup reach an endpoint on the port its URL names', () => {
      const f = fixture();
      s3Cache(f, { endpoint: 'http://minio.corp.example.com:9000', cidrs: ['10.0.50.0/24'] });
      const objects = synth(f.platform);
      expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-s3.cache-backup').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);

      const g = fixture();
      s3Cache(g, { endpoint: 'http://minio.corp.example.com', cidrs: ['10.0.50.0/24'] });
      expect(at(synth(g.platform), 'host/NetworkPolicy/storefront/egress-to-s3.cache-backup').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 80 }]);
    });

    it('refuse an S3 endpoint that is not an http(s) URL', () => {
      const f = fixture();
      s3Cache(f, { endpoint: 'minio:9000', cidrs: ['10.0.50.0/24'] });

      const line = lineFor(validationErrors(f.platform), 'acme/shop/storefront/cache', 'inCluster (in production).backup.target.endpoint');
      expect(line).toContain('got "minio:9000";');
      expect(line).toMatch(/\. Fix: .+\.$/);
    });
  });

  describe('the switch', () => {
    it('runs outside or inside per environment', () => {
      const f = fixture();
      mysqlInCluster(f, { external: { addresses: ['10.0.8.21'] }, perEnvironment: { test: { mode: StatefulMode.IN_CLUSTER } } });

      const objects = synth(f.platform);
      expect(objectsOf(objects, 'host', 'orders-db')).toEqual(['host/EndpointSlice/storefront/orders-db', 'host/Service/storefront/orders-db']);
      expect(objects.has('member-test/StatefulSet/storefront/orders-db')).toBe(true);
      expect(objects.has('member-test/EndpointSlice/storefront/orders-db')).toBe(false);
    });

    it('leaves every object of the consumers byte-identical when a stateful service moves into the cluster', () => {
      const build = (mode: StatefulMode): Map<string, KubeObject> => {
        const f = fixture();
        f.project.quotaIn('production', { cpuLimitMillis: 20000, memoryLimitMiB: 20000 });
        const db = mysqlInCluster(f, { external: { addresses: ['10.0.8.21', '10.0.8.22'] }, mode });
        const cache = f.project.addStatefulService('cache', {
          engine: Engine.redis(),
          external: { host: 'redis.corp.example.com', cidrs: ['10.0.9.0/24'] },
          inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi', credentials: vault.key('shop/redis') },
          mode,
        });
        const api = addService(f, 'api', {
          config: { values: { LOG_LEVEL: 'info' }, files: { 'app.yaml': 'db: ${ORDERS_DB_HOST}\n' } },
          secrets: { DB_PASSWORD: vault.key('shop/mysql', { property: 'app' }) },
          autoscaling: { minReplicas: 2, maxReplicas: 4 },
        });
        api.connectsTo(db);
        api.connectsTo(cache);
        api.expose();
        const checkout = f.tenant.addProject('checkout', { environments: [f.test, f.production] });
        checkout.addService('pay', { image: f.registry.image('shop/pay', '1.0.0'), ports: [{ port: 8080 }] }).connectsTo(db);
        return synth(f.platform);
      };
      const external = build(StatefulMode.EXTERNAL);
      const inCluster = build(StatefulMode.IN_CLUSTER);
      // The consumers' own objects: everything labelled with their names (their network policies open the new path).
      const consumers = (objects: Map<string, KubeObject>): Map<string, string> =>
        new Map([...objects].filter(([, o]) => ['api', 'pay'].includes(o.metadata.labels?.['app.kubernetes.io/name'] ?? '')).map(([k, o]) => [k, toYamlDocument(o)]));
      const a = consumers(external);
      const b = consumers(inCluster);
      expect([...a.keys()].filter((k) => k.startsWith('host/')).sort()).toEqual([
        'host/Certificate/storefront/api-tls',
        'host/ConfigMap/storefront/api-config',
        'host/Deployment/checkout/pay',
        'host/Deployment/storefront/api',
        'host/ExternalSecret/storefront/api-vault',
        'host/HorizontalPodAutoscaler/storefront/api',
        'host/Ingress/storefront/api',
        'host/PodDisruptionBudget/checkout/pay',
        'host/PodDisruptionBudget/storefront/api',
        'host/Service/checkout/pay',
        'host/Service/storefront/api',
        'host/ServiceAccount/checkout/pay',
        'host/ServiceAccount/storefront/api',
      ]);
      expect(b).toEqual(a);
      // What consumers connect to keeps its name and port.
      for (const objects of [external, inCluster]) {
        expect(at(objects, 'host/Service/storefront/orders-db').spec.ports[0]).toMatchObject({ name: 'mysql', port: 3306 });
        expect(at(objects, 'host/Service/storefront/cache').spec.ports[0]).toMatchObject({ name: 'redis', port: 6379 });
      }
      // Only the paths in the network policies change: to the machines before, to the pods after.
      expect(at(external, 'host/NetworkPolicy/storefront/egress-to-orders-db').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.0.8.21/32' } }, { ipBlock: { cidr: '10.0.8.22/32' } }]);
      expect(at(inCluster, 'host/NetworkPolicy/storefront/egress-to-orders-db').spec.egress[0].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders-db' } } }]);
    });
  });

  describe('bad stateful services', () => {
    it('refuse one with neither hosts nor in-cluster settings, in each environment', () => {
      const f = fixture();
      f.project.addStatefulService('orders-db', { engine: Engine.mysql() });
      f.project.addStatefulService('cache', { engine: Engine.redis(), mode: StatefulMode.EXTERNAL });

      const lines = validationErrors(f.platform);
      for (const env of ['production', 'test']) {
        const line = lineFor(lines, DB, `inCluster (in ${env})`);
        expect(line).toContain(`got nothing; the service has neither hosts outside the cluster nor in-cluster settings in ${env}`);
        expect(line).toContain('Fix: give external: { addresses: [...] } (runs outside) or inCluster: { image, storage } (runs in the cluster).');
      }
      expect(lineFor(lines, 'acme/shop/storefront/cache', 'external (in production)')).toContain('no hosts are given');
    });

    it('refuse a backup schedule that is not valid cron, with the fix', () => {
      const schedules: [string, string][] = [
        ['0 3 * *', 'a schedule has 5 fields'],
        ['61 * * * *', 'the minute field "61" is not valid'],
        ['@fortnightly', 'unknown macro'],
        ['CRON_TZ=UTC 0 3 * * *', 'a time zone is not part of the schedule'],
        ['', 'a schedule must be a non-empty string'],
      ];
      for (const [schedule, message] of schedules) {
        const f = fixture();
        mysqlInCluster(f, { inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '1Gi', credentials: vault.key('m'), backup: { schedule, target: BackupTarget.volume('backups') } } });
        const line = lineFor(validationErrors(f.platform), DB, 'inCluster (in production).backup.schedule');
        expect(line).toContain(`got ${JSON.stringify(schedule)}; not a valid cron schedule: ${message}`);
        expect(line).toContain('Fix: use five fields like "0 3 * * *" (03:00 every day) or a macro like "@daily".');
      }
    });

    it('report every problem of outside and inside settings at once, with path, property, value and fix', () => {
      const f = fixture();
      f.project.addStatefulService('orders-db', {
        engine: Engine.mysql(),
        external: { addresses: ['10.0.8.300'], cidrs: ['10.0.0.0/33'] },
        inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '50GB!', replicas: 0, storageClassName: 'Fast_SSD', credentials: vault.key('m'), backup: { schedule: '0 3 * * *', target: BackupTarget.s3({ bucket: 'B', credentials: ExistingSecret.named('s3') }), timeZone: 'not a zone' } },
        perEnvironment: { test: { mode: StatefulMode.IN_CLUSTER }, staging: { mode: StatefulMode.EXTERNAL } },
      });
      f.project.addStatefulService('cache', { engine: Engine.redis(), external: { addresses: ['10.0.0.1'], host: 'redis.example.com' } });
      f.project.addStatefulService('events', { engine: Engine.clickhouse(), external: { host: 'ch.example.com', port: 19000 } });
      f.project.addStatefulService('search', {
        engine: Engine.generic({ name: 'opensearch', ports: [{ port: 9200 }], dataPath: 'data', runAsUser: 0 }),
        inCluster: { image: f.registry.image('opensearch/opensearch', '2.13.0'), storage: '1Gi', credentials: vault.key('os'), backup: { schedule: '@daily', target: BackupTarget.volume('backups') } },
      });

      const lines = validationErrors(f.platform);
      const expectations: [string, string, string][] = [
        [DB, 'external (in production).addresses[0]', '"10.0.8.300"'],
        [DB, 'external (in production).cidrs[0]', '"10.0.0.0/33"'],
        [DB, 'inCluster (in test).storage', '"50GB!"'],
        [DB, 'inCluster (in test).replicas', '0'],
        [DB, 'inCluster (in test).storageClassName', '"Fast_SSD"'],
        [DB, 'inCluster (in test).backup.target.bucket', '"B"'],
        [DB, 'inCluster (in test).backup.timeZone', '"not a zone"'],
        [DB, 'inCluster (in test).backup.command', 'nothing'],
        [DB, 'perEnvironment["staging"]', '"staging"'],
        ['acme/shop/storefront/cache', 'external (in production)', '{"addresses":["10.0.0.1"],"host":"redis.example.com"}'],
        ['acme/shop/storefront/events', 'external (in production).port', '19000'],
        ['acme/shop/storefront/search', 'engine.dataPath', '"data"'],
        ['acme/shop/storefront/search', 'engine.runAsUser', '0'],
        ['acme/shop/storefront/search', 'inCluster (in production).credentials', '"ClusterSecretStore vault: os"'],
        ['acme/shop/storefront/search', 'inCluster (in production).backup.command', 'nothing'],
      ];
      for (const [path, property, value] of expectations) {
        const line = lineFor(lines, path, property);
        expect(line).toContain(`got ${value};`);
        expect(line).toMatch(/\. Fix: .+\.$/);
      }
    });
  });
});

describe('backup port and resources', () => {
  /** A ClickHouse in the cluster whose backup connects to `port`, with a consumer on the HTTP port. */
  function clickhouse(f: Fixture, backup: Partial<NonNullable<StatefulServiceProps['inCluster']>['backup']> = {}, extra: Partial<StatefulServiceProps> = {}) {
    return f.project.addStatefulService('events', {
      engine: Engine.clickhouse(),
      inCluster: {
        image: f.registry.image('clickhouse/clickhouse-server', '24.3'),
        storage: '100Gi',
        credentials: vault.key('shop/clickhouse'),
        backup: { schedule: '0 2 * * *', target: BackupTarget.volume('backups'), command: ['/backup.sh'], ...backup },
      },
      ...extra,
    });
  }
  const jobOf = (objects: Map<string, KubeObject>, key: string): any => at(objects, key).spec.jobTemplate.spec.template.spec.containers[0];
  const DEFAULTS = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } };

  it('connect the job to the port named in the backup: DB_PORT, and the job\'s path in the network policies', () => {
    const f = fixture();
    clickhouse(f, { port: 'native' });

    const objects = synth(f.platform);
    expect(jobOf(objects, 'host/CronJob/storefront/events-backup').env).toContainEqual({ name: 'DB_PORT', value: '9000' });
    expect(at(objects, 'host/NetworkPolicy/storefront/egress-to-events').spec.egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'events' } } }], ports: [{ protocol: 'TCP', port: 9000 }] }]);
    expect(at(objects, 'host/NetworkPolicy/storefront/ingress-to-events').spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storefront' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'events-backup' } } }], ports: [{ protocol: 'TCP', port: 9000 }] }]);
  });

  it('connect the job to the engine\'s first port by default, and take a port by number', () => {
    const f = fixture();
    clickhouse(f, {}, { perEnvironment: { test: { inCluster: { backup: { schedule: '0 2 * * *', target: BackupTarget.volume('backups'), command: ['/backup.sh'], port: 9000 } } } } });

    const objects = synth(f.platform);
    expect(jobOf(objects, 'host/CronJob/storefront/events-backup').env).toContainEqual({ name: 'DB_PORT', value: '8123' });
    expect(at(objects, 'host/NetworkPolicy/storefront/ingress-to-events').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8123 }]);
    expect(jobOf(objects, 'member-test/CronJob/storefront/events-backup').env).toContainEqual({ name: 'DB_PORT', value: '9000' });
    expect(at(objects, 'member-test/NetworkPolicy/storefront/ingress-to-events').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
  });

  it('refuse a backup port the engine lacks, in each environment, listing the engine\'s ports', () => {
    const f = fixture();
    clickhouse(f, { port: 'grpc' });

    const lines = validationErrors(f.platform);
    for (const env of ['production', 'test']) {
      const line = lineFor(lines, 'acme/shop/storefront/events', `inCluster (in ${env}).backup.port`);
      expect(line).toBe(`[acme/shop/storefront/events] inCluster (in ${env}).backup.port: got "grpc"; the engine has no port of this name or number (ports: http=8123, native=9000). Fix: name one of the engine's ports.`);
    }
    const g = fixture();
    clickhouse(g, { port: 9440 });
    expect(lineFor(validationErrors(g.platform), 'acme/shop/storefront/events', 'inCluster (in production).backup.port')).toContain('got 9440;');
  });

  it('give the job the platform\'s and environment\'s default resources, not the database\'s', () => {
    const f = fixture();
    f.project.quotaIn('production', { memoryLimitMiB: 20000 });
    f.project.quotaIn('test', { memoryLimitMiB: 20000 });
    const staging = f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging', domain: 'staging.example.com', resources: { cpuLimitMillis: 1000, memoryLimitMiB: 512 } });
    f.project.placeIn(staging);
    f.project.quotaIn(staging, { memoryLimitMiB: 20000 });
    mysqlInCluster(f, { inCluster: { image: f.registry.image('library/mysql', '8.0.36'), storage: '50Gi', credentials: vault.key('shop/mysql'), resources: { cpuRequestMillis: 2000, cpuLimitMillis: 4000, memoryRequestMiB: 4096, memoryLimitMiB: 8192 }, backup: { schedule: '0 3 * * *', target: BackupTarget.volume('backups') } } });

    const objects = synth(f.platform);
    expect(at(objects, 'host/StatefulSet/storefront/orders-db').spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '2000m', memory: '4096Mi' }, limits: { cpu: '4000m', memory: '8192Mi' } });
    expect(jobOf(objects, 'host/CronJob/storefront/orders-db-backup').resources).toEqual(DEFAULTS);
    expect(jobOf(objects, 'member-test/CronJob/storefront/orders-db-backup').resources).toEqual(DEFAULTS);
    expect(jobOf(objects, 'member-test/CronJob/storefront-staging/orders-db-backup').resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
  });

  it('give the job its own resources over the defaults, field by field', () => {
    const f = fixture();
    clickhouse(f, { resources: { memoryLimitMiB: 1024, memoryRequestMiB: 512 } });

    expect(jobOf(synth(f.platform), 'host/CronJob/storefront/events-backup').resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1024Mi' } });
  });

  it('count the job at its own resources in the project quota, next to the database', () => {
    const build = (memoryLimitMiB: number, backup: Partial<NonNullable<StatefulServiceProps['inCluster']>['backup']> = {}): Fixture => {
      const f = fixture();
      f.project.quotaIn('production', { memoryLimitMiB });
      clickhouse(f, backup, { inCluster: { image: f.registry.image('clickhouse/clickhouse-server', '24.3'), storage: '100Gi', credentials: vault.key('shop/clickhouse'), resources: { memoryLimitMiB: 4096 }, backup: { schedule: '0 2 * * *', target: BackupTarget.volume('backups'), command: ['/backup.sh'], ...backup } } });
      return f;
    };
    // 4096 MiB for the server + the job's default 256 MiB.
    expect(() => synth(build(4352).platform)).not.toThrow();
    const line = lineFor(validationErrors(build(4351).platform), 'acme/shop/storefront', 'quota.memoryLimitMiB (in production)');
    expect(line).toContain('got 4351; the services of project storefront need 4352 in environment production at their maximum scale (2 pods,');
    // With its own resources, the job counts at those.
    expect(() => synth(build(5120, { resources: { memoryLimitMiB: 1024 } }).platform)).not.toThrow();
    expect(lineFor(validationErrors(build(5119, { resources: { memoryLimitMiB: 1024 } }).platform), 'acme/shop/storefront', 'quota.memoryLimitMiB (in production)')).toContain('need 5120');
  });

  it('refuse backup resources that are not positive whole numbers, or whose request is above the limit the job gets', () => {
    const f = fixture();
    clickhouse(f, { resources: { cpuLimitMillis: -1, memoryRequestMiB: 1024 } });

    const lines = validationErrors(f.platform);
    const P = 'acme/shop/storefront/events';
    expect(lineFor(lines, P, 'inCluster (in production).backup.resources.cpuLimitMillis')).toContain('got -1;');
    const request = lineFor(lines, P, 'inCluster (in production).backup.resources.memoryRequestMiB');
    expect(request).toContain('got 1024; the memory request is above the memory limit of 256 MiB');
    for (const l of lines) expect(l).toMatch(/\. Fix: .+\.$/);
  });

  it('refuse a database request above the limit it gets, like the job\'s', () => {
    const f = fixture();
    clickhouse(f, {}, { inCluster: { image: f.registry.image('clickhouse/clickhouse-server', '24.3'), storage: '100Gi', credentials: vault.key('shop/clickhouse'), resources: { cpuRequestMillis: 2000 } } });

    const line = lineFor(validationErrors(f.platform), 'acme/shop/storefront/events', 'inCluster (in production).resources.cpuRequestMillis');
    expect(line).toBe('[acme/shop/storefront/events] inCluster (in production).resources.cpuRequestMillis: got 2000; the CPU request is above the CPU limit of 500m. Fix: lower the request or raise cpuLimitMillis.');
  });
});
