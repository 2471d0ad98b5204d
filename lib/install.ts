/**
 * KubeSphere's installation, per cluster, from the model: which optional features each cluster needs, and the files
 * that install them — for 4.1 the `ks-core` Helm chart's values and one `InstallPlan` per extension on the host; for
 * 3.4 the `ClusterConfiguration` of `ks-installer` (embedded in the KubeKey file when the cluster has a node plan).
 *
 * The files go to `_install/<cluster>/` of the output, beside `_gitlab-ci/` and outside every cluster's folder: they
 * are not objects of the cluster's GitOps sync (Flux applies a folder recursively), and they must be applied before
 * it (the host's DevOps objects need the DevOps extension's CRDs). Secrets are never written: the files carry
 * `${VARIABLE}` placeholders that the installing pipeline fills in (docs/install.md).
 */
import type { Cluster } from '../constructs/cluster';
import { CiSystem, GitOpsTool } from '../constructs/delivery';
import { Feature } from '../constructs/features';
import { NodeRole, nodesWithRole, resolveNodePlan } from '../constructs/node-plan';
import { Platform, Target } from '../constructs/platform';
import { ciSystems, gitopsTool, pipelinesOf } from './delivery';
import { KubeObject, LabelKeys, MANAGED_BY } from './manifest';
import { ClusterPlan, planPlatform } from './plan';
import { toYamlDocument, toYamlStream } from './yaml';
import type { JsonObject } from './yaml';

/** The folder of the output that holds the installation files, one subfolder per cluster (no cluster can have this name). */
export const INSTALL_FOLDER = '_install';

/** The environment variables the installation files refer to, as `${NAME}` placeholders, instead of secret values. */
export const INSTALL_SECRETS = {
  /** The password of KubeSphere's `admin` user. */
  adminPassword: 'KUBESPHERE_ADMIN_PASSWORD',
  /** The secret that signs KubeSphere's tokens: the same on the host and every member. */
  jwtSecret: 'KUBESPHERE_JWT_SECRET',
  /** The user of the log search engine (3.4's OpenSearch or Elasticsearch). */
  searchUsername: 'KUBESPHERE_SEARCH_USERNAME',
  /** The password of the log search engine. */
  searchPassword: 'KUBESPHERE_SEARCH_PASSWORD',
} as const;

/** A `${NAME}` placeholder that `envsubst` replaces at install time. */
export function placeholder(variable: string): string {
  return `\${${variable}}`;
}

/** The KubeSphere release installed when `InstallOptions.kubesphereVersion` does not say. */
export const DEFAULT_KUBESPHERE_VERSION: Readonly<Record<Target.KUBESPHERE_V4_1 | Target.KUBESPHERE_V3_4, string>> = {
  [Target.KUBESPHERE_V4_1]: 'v4.1.3',
  [Target.KUBESPHERE_V3_4]: 'v3.4.1',
};

/** One KubeSphere 4.1 extension: its name, pinned version and the features that need it. */
export interface ExtensionSpec {
  /** The extension's name (the InstallPlan's name too). */
  readonly name: string;
  /** The version installed unless `InstallOptions.extensionVersions` says otherwise. */
  readonly version: string;
  /** The features that need it: it is placed on every cluster that has one of them. */
  readonly features: readonly Feature[];
  /** Installed on the host only (installation mode HostOnly): its InstallPlan has no cluster scheduling. */
  readonly hostOnly?: boolean;
}

/**
 * The KubeSphere 4.1 extensions, in install order (dependencies first), with the versions of KubeSphere 4.1's
 * upgrade configuration. `kubectl get extensionversions -l kubesphere.io/extension-ref=<name>` lists what an
 * estate's extension repository offers; `InstallOptions.extensionVersions` pins others.
 */
export const EXTENSIONS: readonly ExtensionSpec[] = [
  { name: 'whizard-telemetry', version: '1.2.2', features: [Feature.LOGGING, Feature.EVENTS, Feature.AUDITING, Feature.MONITORING, Feature.ALERTING, Feature.NOTIFICATION], hostOnly: true },
  { name: 'vector', version: '1.0.4', features: [Feature.LOGGING, Feature.EVENTS, Feature.AUDITING] },
  { name: 'opensearch', version: '2.11.1', features: [Feature.LOGGING, Feature.EVENTS, Feature.AUDITING] },
  { name: 'metrics-server', version: '0.7.0', features: [Feature.METRICS_SERVER] },
  { name: 'whizard-monitoring', version: '1.1.0', features: [Feature.MONITORING] },
  { name: 'whizard-alerting', version: '1.0.3', features: [Feature.ALERTING] },
  { name: 'whizard-notification', version: '2.5.9', features: [Feature.NOTIFICATION], hostOnly: true },
  { name: 'whizard-logging', version: '1.2.2', features: [Feature.LOGGING] },
  { name: 'whizard-events', version: '1.2.0', features: [Feature.EVENTS] },
  { name: 'whizard-auditing', version: '1.2.0', features: [Feature.AUDITING] },
  { name: 'devops', version: '1.1.1', features: [Feature.DEVOPS] },
  { name: 'gateway', version: '1.0.2', features: [Feature.GATEWAY] },
  { name: 'network', version: '1.1.0', features: [Feature.NETWORK] },
  { name: 'kubefed', version: '1.0.0', features: [Feature.MULTI_CLUSTER_PROJECTS] },
];

/** The namespace KubeSphere runs its own gateways in: exposure through it needs the gateway feature. */
const KUBESPHERE_GATEWAY_NAMESPACE = 'kubesphere-controls-system';

/** Why a feature is on a cluster: derived from the model, or switched on explicitly. */
export interface FeatureReason {
  /** The feature. */
  readonly feature: Feature;
  /** `model` when the model needs it, `switch` when a platform or cluster switch turned it on. */
  readonly source: 'model' | 'switch';
  /** In words, e.g. `12 services collect logs`. */
  readonly why: string;
}

/** Whether a platform's target installs KubeSphere (plain Kubernetes has nothing to install). */
export function installsKubeSphere(platform: Platform): platform is Platform & { target: Target.KUBESPHERE_V4_1 | Target.KUBESPHERE_V3_4 } {
  return platform.target === Target.KUBESPHERE_V4_1 || platform.target === Target.KUBESPHERE_V3_4;
}

/**
 * The features each cluster needs, with the reason for each, in the order of the {@link Feature} enum: what the model
 * needs, then the platform's switches, then the cluster's own (a `false` removes a feature the model would want).
 * Alerting brings monitoring (alert rules are evaluated by Prometheus).
 * @param platform the platform
 * @param plans its per-cluster plan, when the caller has it already
 */
export function clusterFeatures(platform: Platform, plans: readonly ClusterPlan[] = planPlatform(platform)): Map<Cluster, FeatureReason[]> {
  const out = new Map<Cluster, FeatureReason[]>();
  for (const plan of plans) {
    const cluster = plan.cluster;
    const reasons = new Map<Feature, FeatureReason>();
    const model = (feature: Feature, why: string): void => {
      if (!reasons.has(feature)) reasons.set(feature, { feature, source: 'model', why });
    };
    const services = plan.placements.flatMap((p) => p.project.servicesIn(p.environment).map((service) => ({ service, environment: p.environment })));
    const count = (n: number, what: string): string => `${n} ${n === 1 ? 'service' : 'services'} ${what}`;
    const logs = services.filter((s) => s.service.logs.collect !== false).length;
    if (logs > 0) model(Feature.LOGGING, count(logs, logs === 1 ? 'collects logs' : 'collect logs'));
    const alerts = services.filter((s) => s.service.alerts !== undefined).length;
    const metrics = services.filter((s) => s.service.metrics !== undefined || s.service.alerts !== undefined).length;
    if (metrics > 0) model(Feature.MONITORING, count(metrics, metrics === 1 ? 'declares metrics or alerts' : 'declare metrics or alerts'));
    const scaling = services.filter((s) => s.service.settingsFor(s.environment).autoscaling !== undefined).length;
    if (scaling > 0) model(Feature.METRICS_SERVER, count(scaling, scaling === 1 ? 'autoscales (a HorizontalPodAutoscaler reads resource metrics)' : 'autoscale (a HorizontalPodAutoscaler reads resource metrics)'));
    if (alerts > 0) {
      model(Feature.ALERTING, count(alerts, alerts === 1 ? 'declares alerts' : 'declare alerts'));
      model(Feature.NOTIFICATION, count(alerts, alerts === 1 ? 'declares alerts' : 'declare alerts'));
    }
    const exposed = services.filter((s) => s.service.exposures.some((x) => x.routesIn(s.environment).length > 0)).length;
    if (exposed > 0 && cluster.ingressNamespace === KUBESPHERE_GATEWAY_NAMESPACE) {
      model(Feature.GATEWAY, `${count(exposed, exposed === 1 ? 'is exposed' : 'are exposed')} through KubeSphere's gateway (${KUBESPHERE_GATEWAY_NAMESPACE})`);
    }
    if (cluster.isHost) {
      const pipelines = ciSystems(platform).includes(CiSystem.KUBESPHERE_DEVOPS) ? pipelinesOf(platform).length : 0;
      if (pipelines > 0) model(Feature.DEVOPS, `${pipelines} release ${pipelines === 1 ? 'pipeline runs' : 'pipelines run'} in KubeSphere DevOps`);
      else if (gitopsTool(platform) === GitOpsTool.KUBESPHERE) model(Feature.DEVOPS, 'KubeSphere GitOps syncs the clusters');
    }
    if (platform.target === Target.KUBESPHERE_V3_4 && plan.placements.length > 0) {
      model(Feature.NETWORK, 'the workspaces of its projects switch network isolation on');
    }
    for (const [source, switches] of [['platform', platform.features], ['cluster', cluster.features]] as const) {
      for (const feature of Object.values(Feature)) {
        const on = switches[feature];
        if (on === true) reasons.set(feature, { feature, source: 'switch', why: `switched on in the ${source}'s features` });
        else if (on === false) reasons.delete(feature);
      }
    }
    if (reasons.has(Feature.ALERTING) && !reasons.has(Feature.MONITORING) && cluster.features[Feature.MONITORING] !== false && platform.features[Feature.MONITORING] !== false) {
      reasons.set(Feature.MONITORING, { feature: Feature.MONITORING, source: 'model', why: 'alerting evaluates its rules with Prometheus' });
    }
    out.set(cluster, Object.values(Feature).filter((f) => reasons.has(f)).map((f) => reasons.get(f) as FeatureReason));
  }
  return out;
}

function labels(): Record<string, string> {
  return { [LabelKeys.MANAGED_BY]: MANAGED_BY };
}

/**
 * The KubeSphere 4.1 `InstallPlan`s of the host: one per extension some cluster needs, placed on those clusters
 * (host-only extensions have no placement). Empty on other targets.
 * @param platform the platform
 * @param features the features of each cluster, when the caller has them already
 */
export function installPlans(platform: Platform, features: Map<Cluster, FeatureReason[]> = clusterFeatures(platform)): KubeObject[] {
  if (platform.target !== Target.KUBESPHERE_V4_1) return [];
  const versions = platform.install?.extensionVersions ?? {};
  const out: KubeObject[] = [];
  for (const ext of EXTENSIONS) {
    const clusters = [...features.entries()].filter(([, reasons]) => reasons.some((r) => ext.features.includes(r.feature))).map(([c]) => c.name).sort();
    if (clusters.length === 0) continue;
    const spec: JsonObject = {
      enabled: true,
      extension: { name: ext.name, version: versions[ext.name] ?? ext.version },
      upgradeStrategy: 'Manual',
    };
    if (!ext.hostOnly) spec.clusterScheduling = { placement: { clusters } };
    out.push({ apiVersion: 'kubesphere.io/v1alpha1', kind: 'InstallPlan', metadata: { name: ext.name, labels: labels() }, spec });
  }
  return out;
}

/** The number of control-plane nodes of a cluster's node plan (0 without a plan). */
function controlPlaneCount(cluster: Cluster): number {
  return cluster.nodePlan ? nodesWithRole(resolveNodePlan(cluster.nodePlan), NodeRole.CONTROL_PLANE).length : 0;
}

/**
 * The values of the `ks-core` Helm chart (KubeSphere 4.1) for one cluster: its multi-cluster role, the host's name,
 * the image registry, high availability when it has several control-plane nodes, telemetry off unless asked for;
 * the admin password and JWT secret as placeholders.
 * @param platform the platform
 * @param cluster the cluster
 */
export function ksCoreValues(platform: Platform, cluster: Cluster): JsonObject {
  const ha = controlPlaneCount(cluster) >= 2;
  const registry = cluster.nodePlan?.registry?.privateRegistry;
  const host = platform.hostCluster;
  return {
    global: { imageRegistry: registry ?? 'docker.io' },
    multicluster: { role: cluster.isHost ? 'host' : 'member', hostClusterName: host?.name ?? cluster.name },
    authentication: {
      adminPassword: cluster.isHost ? placeholder(INSTALL_SECRETS.adminPassword) : undefined,
      issuer: { jwtSecret: placeholder(INSTALL_SECRETS.jwtSecret) },
    },
    telemetry: { enabled: platform.install?.telemetry === true },
    ha: { enabled: ha },
    redisHA: { enabled: ha },
  };
}

/**
 * The `ClusterConfiguration` of `ks-installer` (KubeSphere 3.4) for one cluster: the features as switches,
 * `multicluster.clusterRole`, etcd's endpoints from the node plan; the admin password, JWT secret and search-engine
 * credentials as placeholders.
 * @param platform the platform
 * @param cluster the cluster
 * @param features the cluster's features
 */
export function clusterConfiguration(platform: Platform, cluster: Cluster, features: readonly FeatureReason[]): KubeObject {
  const on = (f: Feature): boolean => features.some((r) => r.feature === f);
  const plan = cluster.nodePlan ? resolveNodePlan(cluster.nodePlan) : undefined;
  const etcd = plan ? nodesWithRole(plan, NodeRole.ETCD).map((n) => n.internalAddress) : [];
  const multiCluster = platform.clusters.length > 1;
  const search = on(Feature.LOGGING) || on(Feature.EVENTS) || on(Feature.AUDITING);
  const version = platform.install?.kubesphereVersion ?? DEFAULT_KUBESPHERE_VERSION[Target.KUBESPHERE_V3_4];
  return {
    apiVersion: 'installer.kubesphere.io/v1alpha1',
    kind: 'ClusterConfiguration',
    metadata: { name: 'ks-installer', namespace: 'kubesphere-system', labels: { version } },
    spec: {
      persistence: { storageClass: cluster.storageClassName ?? '' },
      authentication: {
        adminPassword: cluster.isHost || !multiCluster ? placeholder(INSTALL_SECRETS.adminPassword) : undefined,
        jwtSecret: placeholder(INSTALL_SECRETS.jwtSecret),
      },
      local_registry: plan?.registry.privateRegistry ?? '',
      namespace_override: plan?.registry.namespaceOverride ?? '',
      etcd: { monitoring: false, endpointIps: etcd.length > 0 ? etcd.join(',') : 'localhost', port: 2379, tlsEnable: true },
      common: {
        core: { console: { enableMultiLogin: true, port: 30880, type: 'NodePort' } },
        redis: { enabled: (plan ? nodesWithRole(plan, NodeRole.CONTROL_PLANE).length : 0) >= 2 },
        openldap: { enabled: false },
        opensearch: {
          enabled: search,
          logMaxAge: 7,
          opensearchPrefix: 'whizard',
          basicAuth: { enabled: true, username: placeholder(INSTALL_SECRETS.searchUsername), password: placeholder(INSTALL_SECRETS.searchPassword) },
        },
      },
      alerting: { enabled: on(Feature.ALERTING) },
      auditing: { enabled: on(Feature.AUDITING) },
      devops: { enabled: on(Feature.DEVOPS) },
      events: { enabled: on(Feature.EVENTS) },
      logging: { enabled: on(Feature.LOGGING), logsidecar: { enabled: on(Feature.LOGGING), replicas: 2 } },
      metrics_server: { enabled: on(Feature.METRICS_SERVER) },
      monitoring: { storageClass: cluster.storageClassName ?? '' },
      multicluster: { clusterRole: !multiCluster ? 'none' : cluster.isHost ? 'host' : 'member' },
      network: { networkpolicy: { enabled: on(Feature.NETWORK) }, ippool: { type: on(Feature.NETWORK) && plan?.networkPlugin === 'calico' ? 'calico' : 'none' }, topology: { type: 'none' } },
      openpitrix: { store: { enabled: false } },
      servicemesh: { enabled: false },
      edgeruntime: { enabled: false },
      gatekeeper: { enabled: false },
      terminal: { timeout: 600 },
    },
  };
}

/** The first lines of every installation file: what it is and how its placeholders are filled. */
function header(what: string, variables: readonly string[]): string {
  const lines = [`# ${what}`, '# Written by platform-cdk from the estate model; do not edit (change the model and synthesize again).'];
  if (variables.length > 0) {
    lines.push(`# Secrets are placeholders filled at install time: envsubst '${variables.map((v) => `$${v}`).join(' ')}' < this-file > /tmp/filled.yaml (docs/install.md).`);
  }
  return `${lines.join('\n')}\n`;
}

/** The placeholders a text carries, sorted. */
function variablesIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]))].sort();
}

/**
 * The installation files of a platform, by path in the output (`_install/<cluster>/…`), when it asks for them (its
 * `install` options are set, or a cluster has a node plan): for every cluster with a
 * node plan its KubeKey file (`kubekey.yaml`, with the `ClusterConfiguration` on 3.4); on 4.1 each cluster's
 * `ks-core-values.yaml` and the host's `extensions.yaml` (its InstallPlans); on 3.4 the `cluster-configuration.yaml`
 * of clusters without a node plan. Nothing for the plain Kubernetes target.
 * @param platform the platform
 * @param plans its per-cluster plan, when the caller has it already
 */
export function installFiles(platform: Platform, plans: readonly ClusterPlan[] = planPlatform(platform)): Map<string, string> {
  const out = new Map<string, string>();
  if (!installsKubeSphere(platform)) return out;
  if (platform.install === undefined && !platform.clusters.some((c) => c.nodePlan !== undefined)) return out;
  // Loaded here: lib/kubekey embeds this module's ClusterConfiguration.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { kubekeyFile } = require('./kubekey') as typeof import('./kubekey');
  const features = clusterFeatures(platform, plans);
  const version = platform.install?.kubesphereVersion ?? DEFAULT_KUBESPHERE_VERSION[platform.target];
  const add = (file: string, what: string, body: string): void => {
    out.set(file, header(what, variablesIn(body)) + body);
  };
  for (const cluster of [...platform.clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const dir = `${INSTALL_FOLDER}/${cluster.name}`;
    const reasons = features.get(cluster) ?? [];
    if (cluster.nodePlan) add(`${dir}/kubekey.yaml`, `KubeKey cluster file of ${cluster.name}: kk create cluster -f kubekey.yaml`, kubekeyFile(platform, cluster, reasons));
    if (platform.target === Target.KUBESPHERE_V4_1) {
      add(`${dir}/ks-core-values.yaml`, `Values of the ks-core Helm chart (KubeSphere ${version}) for ${cluster.name}: helm upgrade --install ks-core … -f ks-core-values.yaml`, toYamlDocument(ksCoreValues(platform, cluster)));
      if (cluster.isHost || platform.clusters.length === 1) {
        const plans41 = installPlans(platform, features);
        if (plans41.length > 0) add(`${dir}/extensions.yaml`, `KubeSphere extensions of the estate (InstallPlans of the host ${cluster.name}): kubectl apply -f extensions.yaml`, toYamlStream(plans41));
      }
    } else if (!cluster.nodePlan) {
      add(`${dir}/cluster-configuration.yaml`, `ks-installer ClusterConfiguration (KubeSphere ${version}) of ${cluster.name}: kubectl apply -f cluster-configuration.yaml`, toYamlDocument(clusterConfiguration(platform, cluster, reasons)));
    }
  }
  return out;
}
