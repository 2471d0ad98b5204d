import { Construct } from 'constructs';
import { checkDns1123Label, checkDns1123Subdomain, checkLabelKey, checkLabelValue } from '../lib/names';
import { declareManifests } from '../lib/escape-hatches';
import type { ManifestsBuilder } from '../lib/escape-hatches';
import type { ProblemCollector } from '../lib/problems';
import { estateNamespaces, reservedNamespace } from '../lib/reserved';
import type { FeatureSwitches } from './features';
import { checkNodePlan, NodePlan } from './node-plan';
import { checkFeatureSwitches, Platform, Target } from './platform';

/** A cluster's place in a KubeSphere multi-cluster estate. */
export enum ClusterRole {
  /** The host cluster: runs the KubeSphere control plane, holds tenants and IAM, and manages the members. */
  HOST = 'host',
  /** A member cluster: managed from the host; runs workloads. */
  MEMBER = 'member',
}

/** Properties of a {@link Cluster}. */
export interface ClusterProps {
  /** Host or member. A platform has exactly one host; members need it. */
  readonly role: ClusterRole;
  /**
   * Labels of the cluster in KubeSphere (environment, region, partner …).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * The cluster group shown in the KubeSphere console (`cluster.kubesphere.io/group`), e.g. `production`.
   * @default - none
   */
  readonly group?: string;
  /**
   * The business partner a cluster serves, for clusters dedicated to third parties (`platform-cdk.io/partner`).
   * @default - none
   */
  readonly partner?: string;
  /**
   * The ingress class that serves exposed services on this cluster.
   * @default - none: the cluster's default ingress class
   */
  readonly ingressClassName?: string;
  /**
   * The namespace of the cluster's ingress controller (gateway). Project network policies let it, and only
   * it, reach the ports of exposed services.
   * @default "kubesphere-controls-system" (where KubeSphere runs its gateways); "ingress-nginx" for the plain
   * Kubernetes target
   */
  readonly ingressNamespace?: string;
  /**
   * The storage class of the volumes of in-cluster stateful services.
   * @default - the cluster's default storage class
   */
  readonly storageClassName?: string;
  /**
   * The namespace of the cluster's Prometheus. Project network policies let it, and only it, reach the metrics
   * ports of services that declare one.
   * @default "kubesphere-monitoring-system"; "monitoring" for the plain Kubernetes target
   */
  readonly monitoringNamespace?: string;
  /**
   * Labels the cluster's Prometheus selects ServiceMonitors and PrometheusRules by.
   * @default - `app.kubernetes.io/vendor: kubesphere` on KubeSphere targets (what KubeSphere's monitoring
   * selects), none for plain Kubernetes
   */
  readonly monitoringLabels?: Record<string, string>;
  /**
   * A sentence on what the cluster is for.
   * @default - none
   */
  readonly description?: string;
  /**
   * The machines the cluster is built on and how (roles, control-plane endpoint, Kubernetes version, runtime,
   * network, registry): written as the KubeKey file `kk create cluster -f` takes. See docs/install.md.
   * @default - none: the cluster exists already, and no KubeKey file is written
   */
  readonly nodePlan?: NodePlan;
  /**
   * KubeSphere features turned on or off on this cluster, over the platform's `features`. A feature left out is on
   * where the model needs it.
   * @default - the platform's switches
   */
  readonly features?: FeatureSwitches;
}

const CLUSTER = Symbol.for('platform-cdk.Cluster');
/** The label of a cluster's group in the KubeSphere console. */
const CLUSTER_GROUP_LABEL = 'cluster.kubesphere.io/group';
/** The label of the partner a cluster serves. */
const PARTNER_LABEL = 'platform-cdk.io/partner';
/**
 * The label of the environment a cluster serves (not `platform-cdk.io/environment`, which says which environment
 * an object belongs to: a member's Cluster object belongs to the host).
 */
const ENVIRONMENT_LABEL = 'cluster.platform-cdk.io/environment';

/** A Kubernetes cluster managed by KubeSphere. Synthesis writes one folder per cluster. */
export class Cluster extends Construct {
  /** Whether a value is a Cluster. */
  public static isCluster(this: void, x: unknown): x is Cluster {
    return typeof x === 'object' && x !== null && CLUSTER in x;
  }

  /** The cluster's name (its construct id), as KubeSphere knows it and as its output folder is called. */
  public readonly name: string;
  /** Host or member. */
  public readonly role: ClusterRole;
  /** Labels of the cluster. */
  public readonly labels: Readonly<Record<string, string>>;
  /** The cluster group, if set. */
  public readonly group?: string;
  /** The partner the cluster serves, if set. */
  public readonly partner?: string;
  /** The ingress class for exposed services, if set. */
  public readonly ingressClassName?: string;
  /** The namespace of the cluster's ingress controller. */
  public readonly ingressNamespace: string;
  /** What the cluster is for. */
  public readonly description?: string;
  /** The storage class of stateful services' volumes, if set. */
  public readonly storageClassName?: string;
  /** The namespace of the cluster's Prometheus. */
  public readonly monitoringNamespace: string;
  /** The labels the cluster's Prometheus selects monitoring objects by. */
  public readonly monitoringLabels: Readonly<Record<string, string>>;
  /** The node plan the cluster is built from, if recorded. */
  public readonly nodePlan?: NodePlan;
  /** KubeSphere features turned on or off on this cluster explicitly. */
  public readonly features: Readonly<FeatureSwitches>;

  /**
   * @param scope the platform (or a construct inside it)
   * @param id the cluster's name
   * @param props role, labels, ingress class
   */
  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    Object.defineProperty(this, CLUSTER, { value: true });
    Platform.of(this)._register(this);
    this.name = id;
    this.role = props.role;
    this.labels = { ...(props.labels ?? {}) };
    this.ingressClassName = props.ingressClassName;
    this.group = props.group;
    this.partner = props.partner;
    this.ingressNamespace = props.ingressNamespace ?? (Platform.of(this).target === Target.KUBERNETES ? 'ingress-nginx' : 'kubesphere-controls-system');
    this.description = props.description;
    this.storageClassName = props.storageClassName;
    const plain = Platform.of(this).target === Target.KUBERNETES;
    this.monitoringNamespace = props.monitoringNamespace ?? (plain ? 'monitoring' : 'kubesphere-monitoring-system');
    this.monitoringLabels = { ...(props.monitoringLabels ?? (plain ? {} : { 'app.kubernetes.io/vendor': 'kubesphere' })) };
    this.nodePlan = props.nodePlan;
    this.features = { ...(props.features ?? {}) };
  }

  /**
   * Every label of the cluster: its group, partner and environment (`cluster.platform-cdk.io/environment`, when it
   * is in exactly one), then the labels given. Tenant placement selectors match these.
   */
  public get allLabels(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.group !== undefined) out[CLUSTER_GROUP_LABEL] = this.group;
    if (this.partner !== undefined) out[PARTNER_LABEL] = this.partner;
    // Previews share their baseline's cluster and do not count.
    const environments = Platform.of(this).environments.filter((e) => e.clusters.includes(this) && !(Symbol.for('platform-cdk.PreviewEnvironment') in e));
    if (environments.length === 1) out[ENVIRONMENT_LABEL] = environments[0].name;
    return { ...out, ...this.labels };
  }

  /**
   * Adds your own cdk8s constructs to the cluster (an escape hatch: docs/escape-hatches.md): cluster-scoped objects,
   * and objects in the platform team's namespaces (a vendor's YAML with `Include`, a `Helm` chart). At render time
   * `build` is called once with a fresh cdk8s `Chart`. A namespaced object must name its namespace, and not a
   * project's (use `project.addManifests` for that).
   * @param id names the constructs (unique on the cluster)
   * @param build adds constructs to the cluster's chart
   */
  public addManifests(id: string, build: ManifestsBuilder): void {
    declareManifests(this, id, build);
  }

  /** Whether this is the host cluster. */
  public get isHost(): boolean {
    return this.role === ClusterRole.HOST;
  }

  /**
   * The ingress and monitoring namespaces are admitted by every tenant's network policies: they may not be a
   * tenant's namespace (whose pods would then reach every tenant's services), nor a namespace where no cluster
   * service belongs (`default`, the estate's DevOps and GitOps namespaces, the GitOps tools').
   */
  private checkServiceNamespaces(problems: ProblemCollector, path: string): void {
    const platform = Platform.of(this);
    const projects = new Map<string, string>();
    for (const tenant of platform.tenants) {
      for (const project of tenant.projects) {
        for (const x of project.placements) if (!projects.has(x.namespace)) projects.set(x.namespace, `the namespace of project ${project.node.path} of tenant ${tenant.name} in environment ${x.environment.name}`);
      }
    }
    const estate = estateNamespaces(platform);
    for (const property of ['ingressNamespace', 'monitoringNamespace'] as const) {
      const ns = this[property];
      const what = property === 'ingressNamespace' ? 'the ingress controller' : 'Prometheus';
      const admitted = property === 'ingressNamespace' ? 'every tenant\'s exposed ports' : 'every tenant\'s metrics ports';
      const fix = `set ${property} to the namespace where ${what} of the cluster runs (default ${property === 'ingressNamespace' ? '"kubesphere-controls-system"; "ingress-nginx" on plain Kubernetes' : '"kubesphere-monitoring-system"; "monitoring" on plain Kubernetes'})`;
      const owner = projects.get(ns);
      const fixed = reservedNamespace(ns);
      const own = estate.get(ns);
      if (owner !== undefined) {
        problems.error({ path, property, value: ns, message: `it is ${owner}: every tenant's network policies admit the pods of ${what}'s namespace to ${admitted}, so that tenant's pods would reach them`, fix: `${fix}, or give the project another namespace` });
      } else if (fixed && !fixed.clusterServices) {
        problems.error({ path, property, value: ns, message: `namespace ${ns} is reserved (${fixed.name}: ${fixed.purpose}) and is not where ${what} runs: its pods would be admitted to ${admitted}`, fix });
      } else if (!fixed && own && own.cluster === undefined) {
        problems.error({ path, property, value: ns, message: `namespace ${ns} is ${own.entry.purpose}, and not where ${what} runs: its pods would be admitted to ${admitted}`, fix });
      }
    }
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const nameProblem = checkDns1123Label(this.name);
    if (nameProblem) problems.error({ path, property: 'name', value: this.name, message: nameProblem, fix: 'name the cluster like "prod-east" or "member-1"' });
    if (this.role !== ClusterRole.HOST && this.role !== ClusterRole.MEMBER) {
      problems.error({ path, property: 'role', value: this.role, message: 'a cluster is a host or a member', fix: 'set role to ClusterRole.HOST or ClusterRole.MEMBER' });
    }
    for (const [k, v] of Object.entries(this.labels)) {
      const keyProblem = checkLabelKey(k);
      if (keyProblem) problems.error({ path, property: `labels[${JSON.stringify(k)}]`, value: k, message: keyProblem, fix: 'use a key like "region" or "example.com/partner"' });
      const valueProblem = checkLabelValue(v);
      if (valueProblem) problems.error({ path, property: `labels[${JSON.stringify(k)}]`, value: v, message: valueProblem, fix: 'use a value like "eu-1"' });
    }
    for (const [property, value] of [['group', this.group], ['partner', this.partner]] as const) {
      const p = value === undefined ? undefined : checkLabelValue(value);
      if (p) problems.error({ path, property, value, message: p, fix: `use a ${property} like "production" or "acme-travel"` });
    }
    const ns = checkDns1123Label(this.ingressNamespace);
    if (ns) problems.error({ path, property: 'ingressNamespace', value: this.ingressNamespace, message: ns, fix: 'name the namespace of the ingress controller, e.g. "ingress-nginx"' });
    const mns = checkDns1123Label(this.monitoringNamespace);
    if (mns) problems.error({ path, property: 'monitoringNamespace', value: this.monitoringNamespace, message: mns, fix: 'name the namespace of the cluster\'s Prometheus, e.g. "monitoring"' });
    if (!ns && !mns) this.checkServiceNamespaces(problems, path);
    if (this.storageClassName !== undefined) {
      const sc = checkDns1123Subdomain(this.storageClassName);
      if (sc) problems.error({ path, property: 'storageClassName', value: this.storageClassName, message: sc, fix: 'name a StorageClass of the cluster, e.g. "local-path"' });
    }
    for (const [k, v] of Object.entries(this.monitoringLabels)) {
      const kp = checkLabelKey(k) ?? checkLabelValue(v);
      if (kp) problems.error({ path, property: `monitoringLabels[${JSON.stringify(k)}]`, value: v, message: kp, fix: 'use a label like "release: prometheus"' });
    }
    if (this.nodePlan !== undefined) checkNodePlan(problems, path, this.nodePlan);
    checkFeatureSwitches(problems, path, 'features', this.features);
    if (this.ingressClassName !== undefined) {
      const p = checkDns1123Subdomain(this.ingressClassName);
      if (p) problems.error({ path, property: 'ingressClassName', value: this.ingressClassName, message: p.replace('a domain name', 'an IngressClass name'), fix: 'name an IngressClass of the cluster, e.g. "nginx"' });
    }
  }
}
