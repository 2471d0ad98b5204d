/**
 * Variant b: the bench estate as a user would write it by hand without platform-cdk: a plain, idiomatic
 * `cdk8s` + `cdk8s-plus-27` program. It reads only the plain data of `estate-spec.ts`, never the library.
 *
 * Its choices, each what the cdk8s and cdk8s-plus documentation shows:
 * - **One `App` per cluster** (output folder `<outdir>/<cluster>/`), as a cdk8s app targets one cluster; each
 *   app is built, then `app.synth()` writes it, one after the other (so one cluster's constructs are held at a time).
 * - **One `Chart` per namespace** (`new Chart(app, namespace, { namespace })`, one file each: cdk8s's default
 *   `FILE_PER_CHART`), and a `cluster` chart for the cluster-scoped objects (Namespaces, the host's
 *   WorkspaceTemplates and member Clusters).
 * - **cdk8s-plus-27 constructs where it has them**: per service and environment a `ServiceAccount` (no token), a
 *   `ConfigMap` read whole with `envFrom` (`Env.fromConfigMap`), a `Deployment` with its probes, resources and
 *   the restricted container security context (non-root, read-only root filesystem, no privilege escalation) and
 *   an `emptyDir` on `/tmp`, exposed with `exposeViaService`, an
 *   `Ingress` to that Service and a `HorizontalPodAutoscaler`; in production `scheduling.spread` over nodes.
 * - **Generated `k8s` classes or `ApiObject`s for the rest**: the `PodDisruptionBudget` (cdk8s-plus-27 has no
 *   construct for it), the namespace's `ResourceQuota`, `LimitRange` and `NetworkPolicy`s, KubeSphere's kinds
 *   and cert-manager's `Certificate`.
 * - **Two JSON patches**, the pod's `seccompProfile: RuntimeDefault` and the container's `capabilities.drop: [ALL]`,
 *   which the namespaces' `restricted` pod security level requires and cdk8s-plus-27 cannot say. platform-cdk's other hardening (revision history, no
 *   service links, topology spread constraints) is left out: a plain program would not write it, and patches
 *   cost (each is applied to a deep copy of the object).
 *
 * The objects are the same as platform-cdk's (by cluster, kind, namespace and name; the bench checks it), their
 * contents are not (cdk8s-plus-27 writes its own defaults). An earlier version of this baseline wrote the whole
 * estate into one app with one chart per cluster, read the ConfigMap one variable at a time and patched three more
 * fields per Deployment (four in production); at N = 600 it took 1.5 times the CPU time and 2.8 times the memory of
 * this one (docs/performance.md), and it grew faster than the estate, so it was replaced.
 */
import { createHash } from 'crypto';
import * as path from 'path';
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
    const { spec, service: s, environment: e } = props;
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
    const configMap = new kplus.ConfigMap(this, 'ConfigMap', { metadata: { name: `${s.name}-config`, labels }, data });
    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp');
    const host = `${s.name}.${e.domain}`;
    const tlsSecret = `${s.name}-tls`;

    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: s.name, labels },
      automountToken: false,
    });

    const deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: s.name, labels: podLabels },
      podMetadata: { labels: podLabels, annotations: { 'platform-cdk.io/config-hash': configHash } },
      serviceAccount,
      automountServiceAccountToken: false,
      securityContext: { ensureNonRoot: true, user: 1000 },
      containers: [
        {
          name: s.name,
          image: `${spec.registry}/${s.repository}:${spec.imageTag}`,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: [{ name: 'http', number: spec.port, protocol: kplus.Protocol.TCP }],
          envFrom: [kplus.Env.fromConfigMap(configMap)],
          resources: {
            cpu: { request: kplus.Cpu.millis(spec.resources.cpuRequestMillis), limit: kplus.Cpu.millis(spec.resources.cpuLimitMillis) },
            memory: { request: Size.mebibytes(spec.resources.memoryRequestMiB), limit: Size.mebibytes(spec.resources.memoryLimitMiB) },
          },
          readiness: probe,
          liveness: probe,
          securityContext: {
            ensureNonRoot: true,
            privileged: false,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
          },
          volumeMounts: [{ volume: tmp, path: '/tmp' }],
        },
      ],
    });
    // What the restricted pod security level requires and cdk8s-plus-27 cannot say (its Capability enum has no ALL).
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', RUNTIME_DEFAULT),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
    );
    if (e.production) deployment.scheduling.spread({ topology: kplus.Topology.HOSTNAME });
    new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: { name: s.name, labels },
      target: deployment,
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(autoscaling.cpuUtilization))],
    });
    new kplus.k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: { name: s.name, labels },
      spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(spec.maxUnavailable), selector: { matchLabels: { 'app.kubernetes.io/name': s.name } } },
    });

    const service = deployment.exposeViaService({
      name: s.name,
      serviceType: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'http', port: spec.port, targetPort: spec.port, protocol: kplus.Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(labels)) service.metadata.addLabel(key, value);

    const ingress = new kplus.Ingress(this, 'Ingress', {
      metadata: { name: s.name, labels },
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
        metadata: { name: tlsSecret, labels },
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
    const { spec, project: p, tenant } = props;
    const metadata = (name: string) => ({ name, labels: { ...props.projectLabels } });
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
 * Builds the bench estate of `n` services as cdk8s apps by hand, one per cluster, and synthesizes each as soon as
 * it is built (`<outdir>/<cluster>/<chart>.k8s.yaml`): a `cluster` chart with the cluster-scoped objects (the
 * project Namespaces; on the host the tenants' WorkspaceTemplates and the member clusters) and, per project
 * placed on the cluster, a chart of its namespace with its baseline and its services.
 * @param n the number of services, a positive multiple of 10
 * @param outdir the output folder
 * @returns the number of objects written
 */
export function synthHandwritten(n: number, outdir: string): number {
  const spec = benchEstateSpec(n);
  const placement = spec.clusters.map((c) => c.name).sort().map((name) => ({ name }));
  let objects = 0;
  for (const cluster of spec.clusters) {
    const app = new App({ outdir: path.join(outdir, cluster.name), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const clusterChart = new Chart(app, 'cluster');
    if (cluster.host) {
      for (const c of spec.clusters.filter((m) => !m.host)) {
        const served = spec.environments.filter((e) => e.cluster === c.name).map((e) => e.name);
        const labels: Record<string, string> = { 'app.kubernetes.io/managed-by': MANAGED_BY };
        if (served.length === 1) labels['cluster.platform-cdk.io/environment'] = served[0];
        new ApiObject(clusterChart, `cluster-${c.name}`, {
          apiVersion: 'cluster.kubesphere.io/v1alpha1',
          kind: 'Cluster',
          metadata: { name: c.name, labels },
          spec: { connection: { type: 'proxy' } },
        });
      }
    }
    for (const t of spec.tenants) {
      if (cluster.host) {
        const tenantLabels = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'platform-cdk.io/tenant': t.name };
        const annotations = { 'kubesphere.io/alias-name': t.displayName };
        new ApiObject(clusterChart, `workspace-${t.name}`, {
          apiVersion: 'tenant.kubesphere.io/v1beta1',
          kind: 'WorkspaceTemplate',
          metadata: { name: t.name, labels: tenantLabels, annotations },
          spec: {
            placement: { clusters: placement },
            template: { metadata: { labels: tenantLabels, annotations }, spec: { manager: t.manager } },
          },
        });
      }
      for (const p of t.projects) {
        for (const e of spec.environments.filter((env) => env.cluster === cluster.name)) {
          const namespace = p.name;
          const projectLabels = {
            'app.kubernetes.io/managed-by': MANAGED_BY,
            'app.kubernetes.io/part-of': p.name,
            'platform-cdk.io/tenant': t.name,
            'platform-cdk.io/environment': e.name,
          };
          new ApiObject(clusterChart, `namespace-${namespace}`, {
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
          const chart = new Chart(app, namespace, { namespace });
          new NamespaceBaseline(chart, { spec, project: p, tenant: t.name, projectLabels, environment: e });
          for (const s of p.services) new ExposedService(chart, { spec, service: s, environment: e, projectLabels });
        }
      }
    }
    app.synth();
    objects += countApiObjects(app);
  }
  return objects;
}

/**
 * The number of Kubernetes objects an app writes: its `ApiObject`s.
 * @param app the app
 */
export function countApiObjects(app: App): number {
  return app.node.findAll().filter((c) => c instanceof ApiObject).length;
}
