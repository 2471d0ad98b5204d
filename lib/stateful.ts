/**
 * Renders stateful services. Either way consumers connect to the Service `<name>` on the engine's port:
 * outside the cluster it points at the machines (EndpointSlice or ExternalName); in the cluster it selects the
 * StatefulSet's pods.
 */
import { DEFAULT_ENGINE_PROBES, s3EndpointPort, StatefulMode, StatefulService } from '../constructs/stateful-service';
import type { ProjectPlacement } from '../constructs/project';
import { renderResources } from '../constructs/resources';
import { SecretRef } from '../constructs/secrets';
import { TenantNetwork } from '../constructs/tenant';
import { backupPodName } from './connections';
import { serviceAddress } from '../constructs/connection';
import { KubeObject, LabelKeys } from './manifest';
import { containerSecurityContext, engineIdentity, externalSecrets, podSecurityContext, secretEnv, TMP_VOLUME, writableVolumes } from './pod';
import { endpointSlice, selectorOf, workloadLabels } from './workloads';
import type { JsonObject } from './yaml';

/** The variable that carries a stateful service's credentials in its backup job. */
const BACKUP_PASSWORD_ENV = 'DB_PASSWORD';

/**
 * The objects of one stateful service in one namespace.
 * @param stateful the service
 * @param placement the namespace, environment and cluster
 */
export function renderStatefulService(stateful: StatefulService, placement: ProjectPlacement): KubeObject[] {
  const { environment: env, namespace, cluster } = placement;
  const s = stateful.settingsFor(env);
  const labels = { ...workloadLabels(stateful.name, placement), 'platform-cdk.io/engine': stateful.engine.name };
  const ports = stateful.ports;
  const out: KubeObject[] = [];

  if (s.mode === StatefulMode.EXTERNAL) {
    const x = s.external;
    if (!x) return out;
    if (x.host !== undefined) {
      out.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: stateful.name, namespace, labels },
        spec: { type: 'ExternalName', externalName: x.host, ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol })) },
      });
    } else {
      out.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: stateful.name, namespace, labels },
        spec: { type: 'ClusterIP', ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: stateful.externalPort(x, p), protocol: p.protocol })) },
      });
      out.push(endpointSlice(stateful.name, namespace, labels, x.addresses ?? [], ports.map((p) => ({ name: p.name, port: stateful.externalPort(x, p), protocol: p.protocol }))));
    }
    return out;
  }

  const c = s.inCluster;
  if (!c) return out;
  const engine = stateful.engine;
  const selector = selectorOf(stateful);
  const podLabels = c.image.tag !== undefined && /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(c.image.tag) ? { ...labels, [LabelKeys.VERSION]: c.image.tag } : labels;
  const credentials: [string, SecretRef][] = c.credentials && engine.credentialEnv ? [[engine.credentialEnv, c.credentials]] : [];
  out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: stateful.name, namespace, labels }, automountServiceAccountToken: false });
  out.push(...externalSecrets(stateful.name, namespace, labels, credentials));
  const servicePorts = ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol }));
  out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: stateful.name, namespace, labels }, spec: { type: 'ClusterIP', selector, ports: servicePorts } });
  out.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `${stateful.name}-headless`, namespace, labels },
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector, ports: servicePorts },
  });
  const writable = writableVolumes('', engine.writablePaths);
  const identity = engineIdentity(engine.runAsUser, c);
  const containerPortOf = (ref: string | number): number | undefined => (typeof ref === 'number' ? ref : ports.find((p) => p.name === ref)?.containerPort);
  const replicas = c.replicas ?? 1;
  out.push({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: stateful.name, namespace, labels: podLabels },
    spec: {
      serviceName: `${stateful.name}-headless`,
      replicas,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate' },
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: stateful.name,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext(identity),
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } },
              ],
            },
          },
          containers: [
            {
              name: engine.name,
              image: c.image.reference,
              imagePullPolicy: 'IfNotPresent',
              args: engine.argsFor(credentials.length > 0),
              ports: ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })),
              env: credentials.length > 0 ? credentials.map(([name, ref]) => secretEnv(stateful.name, name, ref)) : undefined,
              resources: renderResources(s.resources),
              readinessProbe: (c.readiness ?? DEFAULT_ENGINE_PROBES.readiness)._render(ports[0].name, containerPortOf),
              livenessProbe: (c.liveness ?? DEFAULT_ENGINE_PROBES.liveness)._render(ports[0].name, containerPortOf),
              startupProbe: c.startup?._render(ports[0].name, containerPortOf),
              securityContext: containerSecurityContext(),
              volumeMounts: [{ name: 'data', mountPath: engine.dataPath }, { name: TMP_VOLUME, mountPath: '/tmp' }, ...writable.mounts],
            },
          ],
          volumes: [{ name: TMP_VOLUME, emptyDir: {} }, ...writable.volumes],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: selector },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: c.storageClassName ?? cluster.storageClassName,
            resources: { requests: { storage: c.storage } },
          },
        },
      ],
    },
  });
  if (replicas > 1 && stateful.project.tenant.network === TenantNetwork.DECLARED_PATHS_ONLY) {
    // Replicas of an engine that replicates talk to each other; only declared paths are open in this tenant.
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `allow-peers-${stateful.name}`, namespace, labels },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: selector } }] }],
        egress: [{ to: [{ podSelector: { matchLabels: selector } }] }],
      },
    });
  }
  out.push({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: stateful.name, namespace, labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  });
  const b = c.backup;
  if (b) {
    const name = backupPodName(stateful);
    const jobLabels = { ...workloadLabels(name, placement), 'platform-cdk.io/engine': engine.name };
    const command = b.command ?? (b.target.kind === 'volume' ? engine.defaultBackupCommand(credentials.length > 0) : undefined) ?? [];
    const vars: JsonObject[] = [
      { name: 'DB_HOST', value: serviceAddress(stateful.name, namespace) },
      { name: 'DB_PORT', value: String((stateful.findPort(b.port) ?? ports[0]).port) },
      { name: 'DB_NAME', value: stateful.name },
      // Read from the key the server's variable reads (the ExternalSecret has no DB_PASSWORD key), named for the job.
      ...credentials.map(([name, ref]) => ({ ...secretEnv(stateful.name, name, ref), name: BACKUP_PASSWORD_ENV })),
    ];
    const volumes: JsonObject[] = [{ name: TMP_VOLUME, emptyDir: {} }];
    const mounts: JsonObject[] = [{ name: TMP_VOLUME, mountPath: '/tmp' }];
    if (b.target.kind === 'volume') {
      volumes.push({ name: 'backup', persistentVolumeClaim: { claimName: b.target.claimName } });
      mounts.push({ name: 'backup', mountPath: '/backup' });
    } else if (b.target.s3) {
      vars.push({ name: 'BACKUP_S3_BUCKET', value: b.target.s3.bucket });
      if (b.target.s3.endpoint !== undefined) vars.push({ name: 'BACKUP_S3_ENDPOINT', value: b.target.s3.endpoint });
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) vars.push({ name: key, valueFrom: { secretKeyRef: { name: b.target.s3.credentials.name, key } } });
    }
    if (b.target.kind === 's3' && b.target.s3) {
      // The backup job's way out to the bucket; its way to the database is a declared path (see connections).
      out.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `egress-to-s3.${name}`, namespace, labels: jobLabels },
        spec: {
          podSelector: { matchLabels: selectorOf({ name }) },
          policyTypes: ['Egress'],
          egress: [{ to: (b.target.s3.cidrs?.length ? [...b.target.s3.cidrs].sort() : ['0.0.0.0/0']).map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: s3EndpointPort(b.target.s3.endpoint) }] }],
        },
      });
    }
    out.push({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name, namespace, labels: jobLabels },
      spec: {
        schedule: b.schedule,
        timeZone: b.timeZone,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: jobLabels },
          spec: {
            backoffLimit: 2,
            template: {
              metadata: { labels: jobLabels },
              spec: {
                restartPolicy: 'OnFailure',
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: podSecurityContext(identity),
                containers: [
                  {
                    name: 'backup',
                    image: (b.image ?? c.image).reference,
                    imagePullPolicy: 'IfNotPresent',
                    command,
                    env: vars,
                    resources: renderResources(stateful.backupResourcesIn(env)),
                    securityContext: containerSecurityContext(),
                    volumeMounts: mounts,
                  },
                ],
                volumes,
              },
            },
          },
        },
      },
    });
  }
  return out;
}

