/**
 * Variant b: the bench estate as a user would write it by hand without platform-cdk, with `cdk8s` and
 * `cdk8s-plus-27`: one `Chart` per cluster; a `WorkspaceTemplate` per tenant, a KubeSphere `Cluster` per member
 * cluster, and per project and environment a `Namespace` with its `ResourceQuota`, `LimitRange` and
 * `NetworkPolicy`s, all as plain `ApiObject`s; and per service and environment a `kplus.ServiceAccount`, a
 * `kplus.ConfigMap`, a `kplus.Deployment` running as it and reading the ConfigMap's values, exposed with
 * `exposeViaService`, a `kplus.Ingress` to that Service, a `kplus.HorizontalPodAutoscaler` and a
 * `PodDisruptionBudget` (cdk8s-plus-27 has no construct for it: the generated `k8s` class); with TLS a
 * cert-manager `Certificate` (an `ApiObject`) and the Ingress's TLS section. What cdk8s-plus cannot express
 * (seccomp profiles, dropping ALL capabilities, revision history, service links, topology spread constraints) is
 * added with JSON patches, cdk8s's escape hatch. It reads only the plain data of `estate-spec.ts`, never the
 * library, and writes cdk8s's own YAML (`app.synth()`, one file per chart).
 */
import { createHash } from 'crypto';
import { ApiObject, App, Chart, Duration, JsonPatch, Size, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { benchEstateSpec, BenchEnvironment, BenchEstateSpec, BenchProject, BenchService } from './estate-spec';

const MANAGED_BY = 'platform-cdk';
const RESTRICTED = 'restricted';
const RUNTIME_DEFAULT = { type: 'RuntimeDefault' };

/** The settings of one service in one environment. */
interface ServiceProps {
  readonly spec: BenchEstateSpec;
  readonly service: BenchService;
  readonly namespace: string;
  readonly environment: BenchEnvironment;
  readonly projectLabels: Readonly<Record<string, string>>;
}

/**
 * What a user would write once and reuse: a ServiceAccount without token, a ConfigMap of the configuration, a
 * Deployment running as it with the restricted pod security profile and the ConfigMap's values as environment
 * variables (the hash of its data as a pod annotation, so that a change rolls the pods), a ClusterIP Service for
 * its port, an Ingress for its host, an autoscaler and a disruption budget; in production pods spread over nodes
 * and zones; with TLS a certificate for the host.
 */
class ExposedService extends Construct {
  constructor(scope: Construct, props: ServiceProps) {
    const { spec, service: s, namespace, environment: e } = props;
    super(scope, s.name);
    const labels = { ...props.projectLabels, 'app.kubernetes.io/name': s.name, 'app.kubernetes.io/instance': `${s.name}-${e.name}` };
    const podLabels = { ...labels, 'app.kubernetes.io/version': spec.imageTag };
    const autoscaling = e.name === spec.productionEnvironment ? spec.productionAutoscaling : spec.autoscaling;
    const probe = kplus.Probe.fromTcpSocket({
      port: spec.port,
      periodSeconds: Duration.seconds(10),
      timeoutSeconds: Duration.seconds(1),
      failureThreshold: 3,
    });
    const data: Record<string, string> = {};
    for (const k of Object.keys(spec.config).sort()) data[k] = spec.config[k];
    const configHash = createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
    const configMap = new kplus.ConfigMap(this, 'ConfigMap', { metadata: { name: `${s.name}-config`, namespace, labels }, data });
    const envVariables: Record<string, kplus.EnvValue> = {};
    for (const name of Object.keys(data)) envVariables[name] = kplus.EnvValue.fromConfigMap(configMap, name);
    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp');
    const selector = { 'app.kubernetes.io/name': s.name };
    const host = `${s.name}.${e.domain}`;
    const tlsSecret = `${s.name}-tls`;

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: s.name, namespace, labels },
      automountToken: false,
    });

    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: s.name, namespace, labels: podLabels },
      podMetadata: { labels: podLabels, annotations: { 'platform-cdk.io/config-hash': configHash } },
      serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true },
      containers: [
        {
          name: s.name,
          image: `${spec.registry}/${s.repository}:${spec.imageTag}`,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ name: 'http', number: spec.port, protocol: kplus.Protocol.TCP }],
          envVariables,
          resources: {
            cpu: { request: kplus.Cpu.millis(spec.resources.cpuRequestMillis), limit: kplus.Cpu.millis(spec.resources.cpuLimitMillis) },
            memory: { request: Size.mebibytes(spec.resources.memoryRequestMiB), limit: Size.mebibytes(spec.resources.memoryLimitMiB) },
          },
          readiness: probe,
          liveness: probe,
          securityContext: { ensureNonRoot: true, privileged: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
          volumeMounts: [{ volume: tmp, path: '/tmp' }],
        },
      ],
    });
    // The escape hatch for what cdk8s-plus-27 has no property for.
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add('/spec/revisionHistoryLimit', 5),
      JsonPatch.add('/spec/template/spec/enableServiceLinks', false),
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', RUNTIME_DEFAULT),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/seccompProfile', RUNTIME_DEFAULT),
    );
    if (e.production) {
      // cdk8s-plus-27's `scheduling.spread` writes pod anti-affinity, not topology spread constraints.
      ApiObject.of(deployment).addJsonPatch(
        JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
          {
            labelSelector: { matchLabels: selector },
            maxSkew: 1,
            nodeAffinityPolicy: 'Honor',
            nodeTaintsPolicy: 'Honor',
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'DoNotSchedule',
          },
          { labelSelector: { matchLabels: selector }, maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
        ]),
      );
    }
    new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: { name: s.name, namespace, labels },
      target: deployment,
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(autoscaling.cpuUtilization))],
    });
    new kplus.k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: { name: s.name, namespace, labels },
      spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(spec.maxUnavailable), selector: { matchLabels: selector } },
    });

    const service = deployment.exposeViaService({
      name: s.name,
      serviceType: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: spec.port, targetPort: spec.port, protocol: kplus.Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(labels)) service.metadata.addLabel(key, value);

    const ingress = new kplus.Ingress(this, 'Ingress', {
      metadata: { name: s.name, namespace, labels },
      className: spec.ingressClassName,
      rules: [
        {
          host,
          path: '/',
          pathType: kplus.HttpIngressPathType.PREFIX,
          backend: kplus.IngressBackend.fromService(service),
        },
      ],
    });
    if (e.tlsClusterIssuer !== undefined) {
      ingress.addTls([{ hosts: [host], secret: kplus.Secret.fromSecretName(this, 'TlsSecret', tlsSecret) }]);
      new ApiObject(this, 'Certificate', {
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
  }
}

/** The settings of one project namespace. */
interface NamespaceProps {
  readonly spec: BenchEstateSpec;
  readonly project: BenchProject;
  readonly tenant: string;
  readonly namespace: string;
  readonly projectLabels: Readonly<Record<string, string>>;
  readonly environment: BenchEnvironment;
}

/**
 * What a user would write once and reuse: the quota, default container resources and network policies of a
 * project namespace (deny all but DNS, traffic inside the tenant and the ingress controller to the services and,
 * where hosts get cert-manager certificates, to cert-manager's HTTP-01 solver pods).
 */
class NamespaceBaseline extends Construct {
  constructor(scope: Construct, props: NamespaceProps) {
    super(scope, 'Baseline');
    const { spec, project: p, tenant, namespace } = props;
    const metadata = (name: string) => ({ name, namespace, labels: { ...props.projectLabels } });
    const q = spec.projectQuota;
    const r = spec.resources;
    const tenantSelector = { matchLabels: { 'platform-cdk.io/tenant': tenant } };
    new ApiObject(this, 'ResourceQuota', {
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
    });
    new ApiObject(this, 'LimitRange', {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: metadata('project-limits'),
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: `${r.cpuRequestMillis}m`, memory: `${r.memoryRequestMiB}Mi` },
            default: { cpu: `${r.cpuLimitMillis}m`, memory: `${r.memoryLimitMiB}Mi` },
          },
        ],
      },
    });
    const policy = (name: string, policySpec: Record<string, unknown>): ApiObject =>
      new ApiObject(this, `NetworkPolicy-${name}`, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(name), spec: policySpec });
    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    policy('allow-same-tenant', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: tenantSelector }] }],
      egress: [{ to: [{ namespaceSelector: tenantSelector }] }],
    });
    const ingressController = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': spec.ingressNamespace } } };
    policy('allow-ingress-controller', {
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: p.services.map((s) => s.name).sort() }] },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [ingressController],
          ports: [{ protocol: 'TCP', port: spec.port }],
        },
      ],
    });
    if (props.environment.tlsClusterIssuer !== undefined) {
      policy('allow-acme-http01-solver', {
        podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [ingressController], ports: [{ protocol: 'TCP', port: 8089 }] }],
      });
    }
  }
}

/**
 * Builds the bench estate of `n` services as a cdk8s app by hand: one chart per cluster (named after it), the
 * tenants' WorkspaceTemplates and the member clusters in the host cluster's chart, and per project and
 * environment a Namespace, its baseline and the project's services. Call `synth()` on the result to write
 * `<outdir>/<cluster>.k8s.yaml`.
 * @param n the number of services, a positive multiple of 10
 * @param outdir the output folder of the app
 */
export function buildHandwrittenApp(n: number, outdir: string): App {
  const spec = benchEstateSpec(n);
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const charts = new Map<string, Chart>();
  for (const c of spec.clusters) charts.set(c.name, new Chart(app, c.name));
  const host = spec.clusters.find((c) => c.host);
  if (!host) throw new Error('the bench estate has no host cluster');
  const hostChart = charts.get(host.name) as Chart;
  const placement = spec.clusters.map((c) => c.name).sort().map((name) => ({ name }));

  const clusterLabels = (name: string): Record<string, string> => {
    const served = spec.environments.filter((e) => e.cluster === name).map((e) => e.name);
    return served.length === 1 ? { 'app.kubernetes.io/managed-by': MANAGED_BY, 'cluster.platform-cdk.io/environment': served[0] } : { 'app.kubernetes.io/managed-by': MANAGED_BY };
  };
  for (const c of spec.clusters.filter((m) => !m.host)) {
    new ApiObject(hostChart, `cluster-${c.name}`, {
      apiVersion: 'cluster.kubesphere.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: c.name, labels: clusterLabels(c.name) },
      spec: { connection: { type: 'proxy' } },
    });
  }

  for (const t of spec.tenants) {
    const tenantLabels = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'platform-cdk.io/tenant': t.name };
    const annotations = { 'kubesphere.io/alias-name': t.displayName };
    new ApiObject(hostChart, `workspace-${t.name}`, {
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
        const chart = charts.get(e.cluster);
        if (!chart) throw new Error(`the environment ${e.name} names no cluster of the estate: ${e.cluster}`);
        const namespace = p.name;
        const scope = new Construct(chart, namespace);
        const projectLabels = {
          'app.kubernetes.io/managed-by': MANAGED_BY,
          'app.kubernetes.io/part-of': p.name,
          'platform-cdk.io/tenant': t.name,
          'platform-cdk.io/environment': e.name,
        };
        new ApiObject(scope, 'Namespace', {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: namespace,
            labels: {
              ...projectLabels,
              'kubesphere.io/workspace': t.name,
              'kubesphere.io/managed': 'true',
              'pod-security.kubernetes.io/enforce': RESTRICTED,
              'pod-security.kubernetes.io/audit': RESTRICTED,
              'pod-security.kubernetes.io/warn': RESTRICTED,
            },
            annotations: { 'kubesphere.io/description': p.description },
          },
        });
        new NamespaceBaseline(scope, { spec, project: p, tenant: t.name, namespace, projectLabels, environment: e });
        for (const s of p.services) new ExposedService(scope, { spec, service: s, namespace, environment: e, projectLabels });
      }
    }
  }
  return app;
}

/**
 * The number of Kubernetes objects an app writes: its `ApiObject`s.
 * @param app the app
 */
export function countApiObjects(app: App): number {
  return app.node.findAll().filter((c) => c instanceof ApiObject).length;
}
