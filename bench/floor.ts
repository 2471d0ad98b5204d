/**
 * The floor: the objects platform-cdk writes for the bench estate, built as plain JavaScript values and
 * written with `JSON.stringify`, in the same folder layout. No construct tree, no validation, no renderer, no
 * YAML writer: what any generator has to pay at least to write these objects.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { BenchEnvironment, benchEstateSpec, BenchEstateSpec, BenchProject, BenchResources, BenchService } from './estate-spec';

/** A plain Kubernetes object. */
export type PlainObject = Record<string, unknown>;

/** What the floor wrote. */
export interface FloorResult {
  /** Objects written. */
  readonly objectCount: number;
  /** Files written. */
  readonly fileCount: number;
}

const MANAGED_BY = 'platform-cdk';
const RESTRICTED = 'restricted';

/**
 * The floor's files for the bench estate: objects by path relative to the output folder
 * (`<cluster>/00-cluster.yaml`, `<cluster>/10-<namespace>.yaml`).
 * @param n the number of services, a positive multiple of 10
 */
export function buildFloorFiles(n: number): Map<string, PlainObject[]> {
  const spec = benchEstateSpec(n);
  const files = new Map<string, PlainObject[]>();
  const clusterFile = (cluster: string): PlainObject[] => {
    const file = `${cluster}/00-cluster.yaml`;
    let list = files.get(file);
    if (!list) files.set(file, (list = []));
    return list;
  };
  const host = spec.clusters.find((c) => c.host);
  if (!host) throw new Error('the bench estate has no host cluster');
  const placement = spec.clusters.map((c) => c.name).sort().map((name) => ({ name }));

  // The host registers every member cluster (a proxy connection: the member's agent dials the host).
  for (const name of spec.clusters.filter((c) => !c.host).map((c) => c.name).sort()) {
    // A cluster that serves exactly one environment is labelled with it.
    const served = spec.environments.filter((e) => e.cluster === name).map((e) => e.name);
    const labels: Record<string, string> = { 'app.kubernetes.io/managed-by': MANAGED_BY };
    if (served.length === 1) labels['cluster.platform-cdk.io/environment'] = served[0];
    clusterFile(host.name).push({
      apiVersion: 'cluster.kubesphere.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name, labels },
      spec: { connection: { type: 'proxy' } },
    });
  }

  for (const t of spec.tenants) {
    const tenantLabels = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'platform-cdk.io/tenant': t.name };
    const annotations = { 'kubesphere.io/alias-name': t.displayName };
    clusterFile(host.name).push({
      apiVersion: 'tenant.kubesphere.io/v1beta1',
      kind: 'WorkspaceTemplate',
      metadata: { name: t.name, labels: tenantLabels, annotations },
      spec: {
        placement: { clusters: placement },
        template: { metadata: { labels: tenantLabels, annotations }, spec: { manager: t.manager } },
      },
    });
    for (const p of t.projects) {
      for (const e of spec.environments) {
        const namespace = p.name;
        const labels = {
          'app.kubernetes.io/managed-by': MANAGED_BY,
          'app.kubernetes.io/part-of': p.name,
          'platform-cdk.io/tenant': t.name,
          'platform-cdk.io/environment': e.name,
        };
        clusterFile(e.cluster).push({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: namespace,
            labels: {
              ...labels,
              'kubesphere.io/workspace': t.name,
              'kubesphere.io/managed': 'true',
              'pod-security.kubernetes.io/enforce': RESTRICTED,
              'pod-security.kubernetes.io/audit': RESTRICTED,
              'pod-security.kubernetes.io/warn': RESTRICTED,
            },
            annotations: { 'kubesphere.io/description': p.description },
          },
        });
        const objects: PlainObject[] = baselineObjects(spec, p, namespace, labels, t.name, e);
        for (const s of p.services) objects.push(...serviceObjects(spec, s, namespace, labels, e));
        files.set(`${e.cluster}/10-${namespace}.yaml`, objects);
      }
    }
  }
  return files;
}

/**
 * The quota, limit range and network policies of one project namespace (every service is exposed; where the
 * environment's hosts get cert-manager certificates, the ingress controller may also reach cert-manager's
 * HTTP-01 solver pods).
 */
function baselineObjects(spec: BenchEstateSpec, p: BenchProject, namespace: string, labels: Record<string, string>, tenant: string, e: BenchEnvironment): PlainObject[] {
  const metadata = (name: string): PlainObject => ({ name, namespace, labels });
  const q = spec.projectQuota;
  const d = spec.resources;
  // The tenant's baseline namespaces, never a preview's (preview namespaces carry the tenant label too).
  const tenantSelector = { matchLabels: { 'platform-cdk.io/tenant': tenant }, matchExpressions: [{ key: 'platform-cdk.io/preview', operator: 'DoesNotExist' }] };
  const ingressController = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': spec.ingressNamespace } } };
  const acmeSolver: PlainObject[] = e.tlsClusterIssuer === undefined ? [] : [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata('allow-acme-http01-solver'),
      spec: {
        podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [ingressController], ports: [{ protocol: 'TCP', port: 8089 }] }],
      },
    },
  ];
  return [
    ...acmeSolver,
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: metadata('project-quota'),
      spec: {
        hard: {
          'requests.cpu': `${q.cpuRequestMillis}m`,
          'limits.cpu': `${q.cpuLimitMillis}m`,
          'requests.memory': `${q.memoryRequestMiB}Mi`,
          'limits.memory': `${q.memoryLimitMiB}Mi`,
          pods: String(q.pods),
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: metadata('project-limits'),
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: `${d.cpuRequestMillis}m`, memory: `${d.memoryRequestMiB}Mi` },
            default: { cpu: `${d.cpuLimitMillis}m`, memory: `${d.memoryLimitMiB}Mi` },
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata('allow-dns'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata('allow-ingress-controller'),
      spec: {
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: p.services.map((s) => s.name).sort() }] },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [ingressController],
            ports: [{ protocol: 'TCP', port: spec.port }],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata('allow-same-tenant'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: tenantSelector }] }],
        egress: [{ to: [{ namespaceSelector: tenantSelector }] }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: metadata('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
  ];
}

/** A container's `resources`. */
function containerResources(r: BenchResources): PlainObject {
  return {
    requests: { cpu: `${r.cpuRequestMillis}m`, memory: `${r.memoryRequestMiB}Mi` },
    limits: { cpu: `${r.cpuLimitMillis}m`, memory: `${r.memoryLimitMiB}Mi` },
  };
}

/**
 * The objects of one service in one environment: its ServiceAccount, ConfigMap, Service, Deployment (reading
 * the ConfigMap's values as environment variables, with the hash of its data as a pod annotation so that a
 * change rolls the pods), Ingress, HorizontalPodAutoscaler and PodDisruptionBudget; in production pods spread
 * over nodes and zones; with TLS a cert-manager Certificate.
 */
function serviceObjects(spec: BenchEstateSpec, s: BenchService, namespace: string, projectLabels: Record<string, string>, e: BenchEnvironment): PlainObject[] {
  const labels = { ...projectLabels, 'app.kubernetes.io/name': s.name, 'app.kubernetes.io/instance': `${s.name}-${e.name}` };
  const podLabels = { ...labels, 'app.kubernetes.io/version': spec.imageTag };
  const selector = { 'app.kubernetes.io/name': s.name };
  const probe = { tcpSocket: { port: 'http' }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };
  const host = `${s.name}.${e.domain}`;
  const tlsSecret = `${s.name}-tls`;
  const configName = `${s.name}-config`;
  const configKeys = Object.keys(spec.config).sort();
  const data: Record<string, string> = {};
  for (const k of configKeys) data[k] = spec.config[k];
  const configHash = createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
  const autoscaling = e.name === spec.productionEnvironment ? spec.productionAutoscaling : spec.autoscaling;
  const serviceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: s.name, namespace, labels },
    automountServiceAccountToken: false,
  };
  // Production: spread over nodes (strictly) and zones (preferred, so single-zone clusters still schedule).
  const topologySpreadConstraints = e.production
    ? [
        {
          labelSelector: { matchLabels: selector },
          maxSkew: 1,
          nodeAffinityPolicy: 'Honor',
          nodeTaintsPolicy: 'Honor',
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
        },
        { labelSelector: { matchLabels: selector }, maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
      ]
    : undefined;
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: s.name, namespace, labels: podLabels },
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: podLabels, annotations: { 'platform-cdk.io/config-hash': configHash } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: s.name,
              image: `${spec.registry}/${s.repository}:${spec.imageTag}`,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: spec.port, protocol: 'TCP' }],
              env: configKeys.map((name) => ({ name, valueFrom: { configMapKeyRef: { name: configName, key: name } } })),
              resources: containerResources(spec.resources),
              readinessProbe: probe,
              livenessProbe: probe,
              securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
          serviceAccountName: s.name,
          topologySpreadConstraints,
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace, labels },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: spec.port, targetPort: 'http', protocol: 'TCP' }] },
  };
  const ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: s.name, namespace, labels },
    spec: {
      ingressClassName: spec.ingressClassName,
      rules: [
        {
          host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: s.name, port: { name: 'http' } } } }] },
        },
      ],
      tls: e.tlsClusterIssuer === undefined ? undefined : [{ hosts: [host], secretName: tlsSecret }],
    },
  };
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: configName, namespace, labels }, data };
  const autoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: s.name, namespace, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: s.name },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.cpuUtilization } } }],
    },
  };
  const disruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: s.name, namespace, labels },
    spec: { maxUnavailable: spec.maxUnavailable, selector: { matchLabels: selector } },
  };
  const objects: PlainObject[] = [serviceAccount, configMap, deployment, service, ingress, autoscaler, disruptionBudget];
  if (e.tlsClusterIssuer !== undefined) {
    objects.push({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: tlsSecret, namespace, labels },
      spec: {
        secretName: tlsSecret,
        dnsNames: [host],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: e.tlsClusterIssuer },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      },
    });
  }
  return objects;
}

/**
 * Builds the floor's objects and writes them under `outdir`, one JSON document per line.
 * @param n the number of services
 * @param outdir the output folder; it should not exist yet
 */
export function writeFloor(n: number, outdir: string): FloorResult {
  return writeFloorFiles(buildFloorFiles(n), outdir);
}

/**
 * Writes objects already built under `outdir`, one JSON document per line: the strict floor's timed work.
 * @param files the objects by file (`buildFloorFiles`)
 * @param outdir the output folder; it should not exist yet
 */
export function writeFloorFiles(files: ReadonlyMap<string, readonly PlainObject[]>, outdir: string): FloorResult {
  let objectCount = 0;
  const made = new Set<string>();
  for (const [rel, objects] of files) {
    const file = path.join(outdir, rel);
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    fs.writeFileSync(file, objects.map((o) => JSON.stringify(o)).join('\n'));
    objectCount += objects.length;
  }
  return { objectCount, fileCount: files.size };
}
