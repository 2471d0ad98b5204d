/**
 * KubeSphere's optional features: what the installation turns on, per cluster. By default each is on exactly
 * where the model needs it (a service that collects logs wants logging on its cluster, release pipelines want
 * DevOps on the host …); `PlatformProps.features` and `ClusterProps.features` turn one on or off explicitly.
 * KubeSphere 4.1 installs them as extensions (one `InstallPlan` each), 3.4 as switches of its `ClusterConfiguration`.
 */

/** An optional KubeSphere feature. */
export enum Feature {
  /** Pipelines and GitOps (KubeSphere DevOps): on the host when the estate has KubeSphere pipelines or GitOps. */
  DEVOPS = 'devops',
  /** Log collection and search: on clusters that run a service whose logs are collected. */
  LOGGING = 'logging',
  /** Metrics (Prometheus and its dashboards): on clusters that run a service with metrics or alerts. */
  MONITORING = 'monitoring',
  /** Resource metrics for autoscaling (metrics-server): on clusters that run a service that autoscales. */
  METRICS_SERVER = 'metrics-server',
  /** Alert rules and their evaluation: on clusters that run a service with alerts. */
  ALERTING = 'alerting',
  /** Notification of alerts (e-mail, chat …): wherever alerting is. */
  NOTIFICATION = 'notification',
  /** Kubernetes events, kept and searchable: only when turned on. */
  EVENTS = 'events',
  /** The audit log of the API: only when turned on. */
  AUDITING = 'auditing',
  /**
   * Network isolation and IP pools: on 3.4 wherever projects run (workspaces there carry the isolation switch);
   * on 4.1 only when turned on (project network policies need no extension).
   */
  NETWORK = 'network',
  /** KubeSphere's gateways (ingress controllers): on clusters that expose a service through them. */
  GATEWAY = 'gateway',
  /** Projects across clusters (kubefed federated namespaces): on 4.1 only when turned on; part of 3.4's multi-cluster. */
  MULTI_CLUSTER_PROJECTS = 'multi-cluster-projects',
}

/** Features turned on (`true`) or off (`false`) explicitly; a feature left out is on where the model needs it. */
export type FeatureSwitches = Partial<Record<Feature, boolean>>;

/** Options of the KubeSphere installation that the model cannot derive. */
export interface InstallOptions {
  /**
   * The KubeSphere release installed: the `ks-core` chart version on 4.1, the `ks-installer` version label on 3.4.
   * @default "v4.1.3" on Target.KUBESPHERE_V4_1, "v3.4.1" on Target.KUBESPHERE_V3_4
   */
  readonly kubesphereVersion?: string;
  /**
   * The version of an extension (4.1) by extension name, e.g. `{ devops: "1.1.1" }`, when it differs from the
   * library's pinned one (`EXTENSION_VERSIONS`).
   * @default - the pinned versions
   */
  readonly extensionVersions?: Record<string, string>;
  /**
   * Whether KubeSphere may send its anonymous usage telemetry (4.1).
   * @default false
   */
  readonly telemetry?: boolean;
}
