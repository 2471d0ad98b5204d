import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { AppService } from '../constructs/app-service';
import type { Cluster } from '../constructs/cluster';
import { namespaceIn } from '../lib/connections';
import type { Platform } from '../constructs/platform';
import { controllerManagedPaths } from '../lib/controller-fields';
import { checkedObjectsOf, hasErrors, platformChecker } from '../lib/check';
import type { Checker, CheckResult } from '../lib/check';
import { hatchesOf } from '../lib/escape-hatches';
import { environmentOf, kindRank, KubeObject } from '../lib/manifest';
import { ClusterPlan, planPlatform, StackScope, stackIncludes, stackNames, stackScope } from '../lib/plan';
import { Problem, ValidationError } from '../lib/problems';
import { renderClusters } from '../lib/render';
import type { RenderedObject } from '../lib/render';
import { ignoredFieldsOf } from '../lib/scaling';
import { validatePlatform } from '../lib/validate';
import { ChecksFailed } from './manifest-stack';
import { installLightPromises, withoutSourcePositions } from './pulumi-bookkeeping';
import { DEFAULT_REGISTRATION_WINDOW, registerInWindow } from './pulumi-window';

/** Properties of a {@link PulumiStack}. */
export interface PulumiStackProps {
  /**
   * The environment to deploy (or a cluster that is in no environment, such as a host cluster that only
   * runs the control plane).
   * @default - the Pulumi stack's name (`pulumi up --stack production` deploys `production`)
   */
  readonly stack?: string;
  /**
   * The configuration namespace of the cluster connections: `<namespace>:kubeconfig-<cluster>` (a secret) or
   * `<namespace>:context-<cluster>`.
   * @default "platform-cdk"
   */
  readonly configNamespace?: string;
  /**
   * The field manager of server-side apply: the name the API server records as the owner of the fields
   * platform-cdk sets.
   * @default - the configuration value `<namespace>:fieldManager`, else "platform-cdk"
   */
  readonly fieldManager?: string;
  /**
   * Whether every object of the stack's clusters is checked before anything is registered: its schema (strict),
   * the policy rules of its environment's profile, and tenant isolation (docs/checks.md), the checks of
   * `ManifestStack` and `platform-cdk synth`. An error finding throws a `ChecksFailed` listing every finding, and
   * nothing is registered. `false` skips them: the objects are registered unchecked, and a warning says so.
   * @default true
   */
  readonly checks?: boolean;
  /**
   * More CRD folders for the schema checks, e.g. the KubeSphere 4.1 CRDs (not shipped).
   * @default - none
   */
  readonly crdDirs?: readonly string[];
  /**
   * With {@link PulumiStack.create}: how many of the stack's objects the program prepares at once. The next object is
   * constructed, in the order the constructor registers them (what an object depends on first), when an earlier
   * one's registration request has been handed to the engine. It bounds the program's work in flight, not the
   * engine's: the engine works on as many requests at once as it does for any program (`pulumi up --parallel`).
   * A larger window holds more of the SDK's preparation in memory at once; under the mocks the default was as fast
   * as 4 and leaner than 16 or more (docs/performance.md, "Pulumi path"). The constructor ignores it (it starts every
   * registration at once) but refuses a bad value too.
   * @default 8
   */
  readonly registrationWindow?: number;
}


/** The component resource type tokens, so that a preview reads platform → cluster → tenant → project → service. */
export const ComponentTypes = {
  /** The platform (the stack's root component). */
  PLATFORM: 'platform-cdk:index:Platform',
  /** One cluster. */
  CLUSTER: 'platform-cdk:index:Cluster',
  /** A tenant on one cluster. */
  TENANT: 'platform-cdk:index:Tenant',
  /** A project namespace on one cluster. */
  PROJECT: 'platform-cdk:index:Project',
  /** An app service in one namespace. */
  SERVICE: 'platform-cdk:index:Service',
} as const;

/** One Kubernetes object as registered with Pulumi. */
export interface RegisteredObject {
  /** The Pulumi resource. */
  readonly resource: pulumi.CustomResource;
  /** The cluster whose provider it was given. */
  readonly cluster: string;
  /** The keys (see `objectKey`) of the objects it depends on. */
  readonly dependsOn: readonly string[];
  /** The fields ignored in diffs because a KubeSphere controller rewrites them. */
  readonly ignoreChanges: readonly string[];
}

/** The annotation through which the Kubernetes provider takes the server-side apply field manager. */
export const FIELD_MANAGER_ANNOTATION = 'pulumi.com/patchFieldManager';

type ResourceArgs = Record<string, unknown>;
type ResourceClass = new (name: string, args: ResourceArgs, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

// The core kinds (apiVersion `v1`) get the provider's typed classes: their type tokens (`kubernetes:core/v1:Service`)
// are not the `kubernetes:<apiVersion>:<kind>` of a CustomResource, and `Secret`'s class makes its data secret. Every
// other kind is a CustomResource, whose type token is the typed class's (`kubernetes:apps/v1:Deployment`), so the
// URNs are the same; it skips the typed classes' aliases to API versions this library never registered
// (`kubernetes:extensions/v1beta1:Deployment` …), which cost a tenth of the registration's time.
const TYPED: Record<string, unknown> = {
  'v1/Namespace': k8s.core.v1.Namespace,
  'v1/Service': k8s.core.v1.Service,
  'v1/ConfigMap': k8s.core.v1.ConfigMap,
  'v1/Secret': k8s.core.v1.Secret,
  'v1/ServiceAccount': k8s.core.v1.ServiceAccount,
  'v1/ResourceQuota': k8s.core.v1.ResourceQuota,
  'v1/LimitRange': k8s.core.v1.LimitRange,
  'v1/PersistentVolumeClaim': k8s.core.v1.PersistentVolumeClaim,
  'v1/Endpoints': k8s.core.v1.Endpoints,
};

/**
 * Whether a kind is registered through a typed class of the Kubernetes provider (the core kinds), otherwise as a
 * CustomResource with the same type token as the typed class (`kubernetes:apps/v1:Deployment`).
 */
export function isTypedKind(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in TYPED;
}

/**
 * Deploys one environment with Pulumi: a Kubernetes provider per cluster of the environment, and every object
 * that `ManifestStack` writes for those clusters and that environment, registered with its cluster's provider.
 * The objects come from the same render as the YAML output, so the two cannot differ.
 *
 * The environment is the Pulumi stack's name. Each cluster's connection comes from stack configuration:
 * `platform-cdk:kubeconfig-<cluster>` (a kubeconfig, set as a secret) or `platform-cdk:context-<cluster>` (a
 * context of the kubeconfig the provider finds by default). Objects are applied server-side under one field
 * manager; fields that KubeSphere's controllers rewrite are ignored in diffs.
 *
 * Objects of the cluster as a whole (the tenants' WorkspaceTemplates on the host) go with the first
 * environment that spans that cluster; a host cluster in no environment is a stack of its own, named after it.
 *
 * Only the stack's clusters are rendered, and every object of them is checked (schemas, policy rules, tenant
 * isolation: the checks of `ManifestStack`) before anything is registered; an error throws a `ChecksFailed` that
 * lists every finding.
 *
 * @example
 * // index.ts of a Pulumi project; `pulumi up --stack production` (for a large stack, prefer `PulumiStack.create`)
 * new PulumiStack(build());
 */
export class PulumiStack extends pulumi.ComponentResource {
  /** What this stack deploys: its environment and clusters. */
  public readonly scope: StackScope;
  /** The Kubernetes provider of each cluster, by cluster name. */
  public readonly providers: ReadonlyMap<string, k8s.Provider>;
  /**
   * The component resources, by `cluster/<cluster>`, `tenant/<cluster>/<tenant>`, `project/<cluster>/<namespace>`
   * and `service/<cluster>/<namespace>/<service>`: parents to attach more resources to.
   */
  public readonly components: ReadonlyMap<string, pulumi.ComponentResource>;
  /**
   * What the checks found in the stack's clusters: warnings and waived findings only, since an error stops the
   * stack. `undefined` when the checks were skipped (`checks: false`).
   */
  public readonly checks?: CheckResult;
  /** Every Kubernetes object registered, by `<cluster>/<apiVersion>/<kind>/<namespace or ->/<name>` (see `objectKey`). */
  public readonly objects: ReadonlyMap<string, RegisteredObject>;

  /**
   * @param platform the estate
   * @param props which environment, configuration namespace and field manager
   * @param opts Pulumi options of the root component
   */
  constructor(platform: Platform, props: PulumiStackProps = {}, opts?: pulumi.ComponentResourceOptions) {
    const stackName = props.stack ?? pulumi.getStack();
    registrationWindowOf(platform, props.registrationWindow); // checked here too, though only `create` uses it
    const scope = resolveScope(platform, stackName);
    const plan = planPlatform(platform);
    const problems = validatePlatform(platform, plan);
    if (problems.some((p) => p.severity === 'error')) throw new ValidationError(problems);
    if (props.checks === false) problems.push(checksSkipped(platform));
    for (const w of problems) pulumi.log.warn(`[${w.path}] ${w.property}: ${w.message}. Fix: ${w.fix}.`);
    const namespace = props.configNamespace ?? 'platform-cdk';
    const config = new pulumi.Config(namespace);
    const connections = readConnections(scope, config, namespace);
    const fieldManager = props.fieldManager ?? config.get('fieldManager') ?? 'platform-cdk';
    const { clusters, checks } = renderStack(platform, plan, scope, props);

    super(ComponentTypes.PLATFORM, platform.node.id, {}, opts);
    this.scope = scope;
    this.checks = checks;
    const providers = new Map<string, k8s.Provider>();
    const registrar = new Registrar(fieldManager);
    const work: Array<() => pulumi.CustomResource> = [];
    // The SDK's promise bookkeeping without its debugging traces, for the rest of the program (pulumi-bookkeeping.ts).
    installLightPromises();
    for (const { cluster, objects } of clusters) {
      const clusterComponent = registrar.component(ComponentTypes.CLUSTER, cluster.name, this);
      const connection = connections.get(cluster.name) as Connection;
      const provider = new k8s.Provider(cluster.name, { kubeconfig: connection.kubeconfig, context: connection.context, enableServerSideApply: true }, { parent: clusterComponent });
      providers.set(cluster.name, provider);
      for (const o of objects) if (stackIncludes(platform, scope, cluster, environmentOf(o.origin))) work.push(() => registrar.register(cluster, clusterComponent, provider, o));
    }
    this.providers = providers;
    this.objects = registrar.registered;
    this.components = registrar.components;
    const outputs = (): pulumi.Inputs => ({ stack: scope.name, clusters: scope.clusters.map((c) => c.name), objectCount: this.objects.size });
    if (deferring) {
      // PulumiStack.create registers the objects in its window, and then the outputs.
      deferring.work = work;
      deferring.finish = () => this.registerOutputs(outputs());
      return;
    }
    for (const register of work) register();
    this.registerOutputs(outputs());
  }

  /**
   * Builds the stack exactly as the constructor does (the same render, checks, objects, dependencies and components,
   * in the same order) and registers its objects {@link PulumiStackProps.registrationWindow} at a time, instead of
   * all at once: the program's memory stays bounded by the window, and a large stack registers several times
   * faster (docs/pulumi.md, "Cost"). Resolves, with every object in `objects`, once every object has its URN.
   * Validation errors and the checks' `ChecksFailed` reject it before anything is registered.
   *
   * @example
   * // index.ts of a Pulumi project; `pulumi up --stack production`
   * export = async () => {
   *   const stack = await PulumiStack.create(build());
   *   return { objectCount: stack.objects.size };
   * };
   * @param platform the estate
   * @param props which environment, configuration namespace, field manager and window
   * @param opts Pulumi options of the root component
   */
  public static async create(platform: Platform, props: PulumiStackProps = {}, opts?: pulumi.ComponentResourceOptions): Promise<PulumiStack> {
    const window = registrationWindowOf(platform, props.registrationWindow);
    const deferred: Deferred = {};
    deferring = deferred;
    let stack: PulumiStack;
    try {
      stack = new PulumiStack(platform, props, opts);
    } finally {
      deferring = undefined;
    }
    // Constructed from the window, not from the program's lines: no source positions (see withoutSourcePositions).
    await registerInWindow((deferred.work ?? []).map((register) => () => withoutSourcePositions(register, pulumi.Resource)), window);
    deferred.finish?.();
    return stack;
  }
}

/** What the constructor leaves to {@link PulumiStack.create}: the registrations, in order, and the outputs. */
interface Deferred {
  work?: ReadonlyArray<() => pulumi.CustomResource>;
  finish?: () => void;
}

/** Set while {@link PulumiStack.create} runs the constructor: the constructor then defers its registrations to it. */
let deferring: Deferred | undefined;

/** The window of `PulumiStackProps.registrationWindow`, checked: a whole number from 1. */
function registrationWindowOf(platform: Platform, given: number | undefined): number {
  if (given === undefined) return DEFAULT_REGISTRATION_WINDOW;
  if (Number.isInteger(given) && given >= 1) return given;
  throw new ValidationError([
    {
      severity: 'error',
      path: platform.node.path,
      property: 'registrationWindow',
      value: given,
      message: 'the registration window must be a whole number of objects, at least 1',
      fix: `give a whole number such as ${DEFAULT_REGISTRATION_WINDOW} (the default), or leave it out`,
    },
  ]);
}

/** One cluster of a stack, rendered: its objects in registration order. */
interface StackCluster {
  readonly cluster: Cluster;
  readonly objects: readonly RenderedObject[];
}

/**
 * Renders the stack's clusters (every cluster when the model declares overrides, so that an override that applies
 * to no object of any cluster is still an error, as in the YAML output), checks every object of them unless
 * `checks` is `false`, and returns the stack's clusters, the host first (its tenant objects must exist before the
 * namespaces of member clusters), each with its objects by install order of kind across namespaces (so that what
 * an object depends on, such as the Service of a connection's target in another namespace, is registered before
 * it). Throws a `ChecksFailed` listing every finding when a check finds an error.
 */
function renderStack(platform: Platform, plan: readonly ClusterPlan[], scope: StackScope, props: PulumiStackProps): { clusters: StackCluster[]; checks?: CheckResult } {
  const everyCluster = (hatchesOf(platform)?.overrides.size ?? 0) > 0;
  const rendered = everyCluster ? plan : plan.filter((p) => scope.clusters.includes(p.cluster));
  let checker: Checker | undefined;
  const out: StackCluster[] = [];
  renderClusters(platform, rendered, {}, (p, groups) => {
    // The cluster-scoped objects first, then each namespace's, as in the YAML output's order.
    const objects = [...groups.filter((g) => g.namespace === undefined), ...groups.filter((g) => g.namespace !== undefined)].flatMap((g) => g.objects);
    if (props.checks !== false) (checker ??= platformChecker(platform, { crdDirs: props.crdDirs })).add(checkedObjectsOf(platform, p.cluster.name, objects));
    if (!scope.clusters.includes(p.cluster)) return;
    const ordered = objects.map((o, i) => ({ o, i, rank: kindRank(o.object.kind) })).sort((a, b) => a.rank - b.rank || a.i - b.i);
    out.push({ cluster: p.cluster, objects: ordered.map(({ o }) => o) });
  });
  const result = checker?.result();
  if (result && hasErrors(result.findings)) {
    const where = [...new Set(result.findings.filter((f) => f.severity === 'error' && f.waived === undefined).map((f) => f.cluster))].sort();
    const failed = new ChecksFailed(where, result);
    failed.message = failed.message.replace('nothing was written', 'nothing was registered');
    throw failed;
  }
  return { clusters: out.sort((a, b) => Number(b.cluster.isHost) - Number(a.cluster.isHost)), checks: result };
}

/** The warning that the checks are skipped (`checks: false`), as `ManifestStack` gives it. */
function checksSkipped(platform: Platform): Problem {
  return { severity: 'warning', path: platform.node.path, property: 'checks', value: false, message: 'the schema, policy and isolation checks are skipped: the objects are registered unchecked', fix: 'remove `checks: false` so that every object is checked before it is registered' };
}

/** The key of an object in `PulumiStack.objects`. */
export function objectKey(cluster: string, o: KubeObject): string {
  return `${cluster}/${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`;
}

interface Connection {
  readonly kubeconfig?: pulumi.Output<string>;
  readonly context?: string;
}

function resolveScope(platform: Platform, stackName: string): StackScope {
  const scope = stackScope(platform, stackName);
  if (scope) return scope;
  const names = stackNames(platform);
  throw new ValidationError([
    {
      severity: 'error',
      path: platform.node.path,
      property: 'stack',
      value: stackName,
      message: `the Pulumi stack must be named after an environment of the platform (or a cluster in no environment): ${names.join(', ')}`,
      fix: `select one, e.g. \`pulumi stack select ${names[0] ?? 'production'}\`, or create it with \`pulumi stack init ${names[0] ?? 'production'}\``,
    },
  ]);
}

function readConnections(scope: StackScope, config: pulumi.Config, namespace: string): Map<string, Connection> {
  const out = new Map<string, Connection>();
  const problems: Problem[] = [];
  for (const cluster of scope.clusters) {
    const kubeconfig = config.getSecret(`kubeconfig-${cluster.name}`);
    const context = config.get(`context-${cluster.name}`);
    if (kubeconfig === undefined && context === undefined) {
      problems.push({
        severity: 'error',
        path: cluster.node.path,
        property: `config ${namespace}:kubeconfig-${cluster.name}`,
        value: undefined,
        message: `the stack ${scope.name} deploys to cluster ${cluster.name} and has no connection for it`,
        fix: `run \`pulumi config set --secret ${namespace}:kubeconfig-${cluster.name} "$(cat <kubeconfig file>)"\` or \`pulumi config set ${namespace}:context-${cluster.name} <context>\``,
      });
    }
    out.set(cluster.name, { kubeconfig, context });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return out;
}

/** Registers objects under components platform → cluster → tenant → project → service, with their dependencies. */
class Registrar {
  /** The components, by `<kind>/<name>` (see `PulumiStack.components`). */
  public readonly components = new Map<string, pulumi.ComponentResource>();
  /** What was registered, by object key. */
  public readonly registered = new Map<string, RegisteredObject>();
  /** The keys of the tenants' WorkspaceTemplates registered so far, by tenant (workspace) name. */
  private readonly workspaces = new Map<string, string[]>();

  constructor(private readonly fieldManager: string) {}

  public register(cluster: Cluster, clusterComponent: pulumi.ComponentResource, provider: k8s.Provider, o: RenderedObject): pulumi.CustomResource {
    const manifest = o.object;
    const { apiVersion, kind, metadata, ...body } = manifest;
    const ns = metadata.namespace;
    const parent = this.parentOf(cluster, clusterComponent, o);
    const dependsOn: string[] = [];
    if (ns !== undefined) dependsOn.push(`${cluster.name}/v1/Namespace/-/${ns}`);
    // The tenant's workspace exists before its projects: host objects before member objects.
    if (kind === 'Namespace' && o.origin.tenant) dependsOn.push(...(this.workspaces.get(o.origin.tenant.name) ?? []));
    if (kind === 'Ingress' && ns !== undefined) dependsOn.push(`${cluster.name}/v1/Service/${ns}/${metadata.name}`);
    const { service, placement } = o.origin;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'].includes(kind) && service && placement && AppService.isAppService(service)) {
      // A declared connection: the target's Service exists before the consumer starts.
      for (const c of service.connections) dependsOn.push(`${cluster.name}/v1/Service/${namespaceIn(c.target.project, placement.environment)}/${c.target.name}`);
    }
    const present = dependsOn.filter((key) => this.registered.has(key));
    const args: ResourceArgs = {
      ...body,
      metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), [FIELD_MANAGER_ANNOTATION]: this.fieldManager } },
    };
    const ignoreChanges = [...controllerManagedPaths(manifest), ...ignoredFieldsOf(manifest)]; // fields owned elsewhere: replicas scaled by another system (lib/scaling.ts)
    const opts: pulumi.CustomResourceOptions = {
      parent,
      provider,
      dependsOn: present.map((key) => (this.registered.get(key) as RegisteredObject).resource),
      ignoreChanges,
    };
    const name = ns === undefined ? `${cluster.name}/${metadata.name}` : `${cluster.name}/${ns}/${metadata.name}`;
    const typed = TYPED[`${apiVersion}/${kind}`] as ResourceClass | undefined;
    const resource = typed ? new typed(name, args, opts) : new k8s.apiextensions.CustomResource(name, { apiVersion, kind, ...args }, opts);
    const key = objectKey(cluster.name, manifest);
    this.registered.set(key, { resource, cluster: cluster.name, dependsOn: present, ignoreChanges });
    if (kind === 'WorkspaceTemplate' && ns === undefined) {
      const list = this.workspaces.get(metadata.name);
      if (list) list.push(key);
      else this.workspaces.set(metadata.name, [key]);
    }
    return resource;
  }

  private parentOf(cluster: Cluster, clusterComponent: pulumi.ComponentResource, o: RenderedObject): pulumi.ComponentResource {
    const { tenant, placement, service } = o.origin;
    if (!tenant) return clusterComponent;
    const tenantComponent = this.component(ComponentTypes.TENANT, `${cluster.name}/${tenant.name}`, clusterComponent);
    if (!placement) return tenantComponent;
    const projectComponent = this.component(ComponentTypes.PROJECT, `${cluster.name}/${placement.namespace}`, tenantComponent);
    if (!service) return projectComponent;
    return this.component(ComponentTypes.SERVICE, `${cluster.name}/${placement.namespace}/${service.name}`, projectComponent);
  }

  public component(type: string, name: string, parent: pulumi.ComponentResource): pulumi.ComponentResource {
    const key = `${type.slice(type.lastIndexOf(':') + 1).toLowerCase()}/${name}`;
    let c = this.components.get(key);
    if (!c) {
      c = new pulumi.ComponentResource(type, name, {}, { parent });
      this.components.set(key, c);
    }
    return c;
  }
}
