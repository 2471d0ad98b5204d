/**
 * Renders alert routing (constructs/alerting.ts). A tenant's routes only ever match its own namespaces' alerts:
 *
 * - KubeSphere targets (3.4 and 4.1): KubeSphere's notification manager, `notification.kubesphere.io/v2beta2`, on
 *   the host (4.1: the notification extension runs there only) or on every cluster that runs the tenant's projects in
 *   a routed environment (3.4): a `Config` per receiver that needs one (SMTP server, WeCom application, Slack token),
 *   a `Receiver` per receiver, and a `Router` per route, named `<tenant>-<environment>-…`. Routers and receivers
 *   select alerts whose `namespace` label is one of the tenant's namespaces of that environment and whose
 *   `environment` label (set by the library's alert rules) is that environment. Receivers are labelled `type: tenant` with no `user`, so the
 *   notification manager sends them only what a router routes to them (no global or per-user delivery).
 *   Credentials are `valueFrom.secretKeyRef`s into the routing's secret namespace.
 * - Plain Kubernetes: a prometheus-operator `AlertmanagerConfig` (`monitoring.coreos.com/v1alpha1`) named
 *   `alerts-<routing>` in each of the tenant's namespaces of a routed environment; its top route matches that
 *   namespace (as the operator also enforces), its sub-routes send to the receivers. Credentials are Secret key
 *   references in the namespace.
 *
 * References to a secret store become an ExternalSecret beside the objects (external-secrets.io), as for workloads.
 */
import { AlertRouting, AlertSeverity, Channel, EmailChannelOptions, UNROUTED_RECEIVER } from '../constructs/alerting';
import type { DingTalkChannelOptions, SlackChannelOptions, WebhookChannelOptions, WeComChannelOptions } from '../constructs/alerting';
import type { Environment } from '../constructs/environment';
import { Target, Platform } from '../constructs/platform';
import type { ProjectPlacement } from '../constructs/project';
import type { SecretRef } from '../constructs/secrets';
import type { Tenant } from '../constructs/tenant';
import { KubeObject, LabelKeys, MANAGED_BY } from './manifest';
import type { ClusterPlan } from './plan';
import { externalSecretName, externalSecrets } from './pod';
import type { JsonObject } from './yaml';

/** The API version of KubeSphere's notification manager objects (notification-manager 2.3+, KubeSphere 3.4 and 4.1). */
export const NOTIFICATION_API = 'notification.kubesphere.io/v2beta2';

/** The label that ties a notification manager `Config` to its `Receiver`. */
export const RECEIVER_LABEL = 'platform-cdk.io/alert-receiver';

/** The alert label that holds the namespace an alert comes from. */
const NAMESPACE_LABEL = 'namespace';

/** The routing of a tenant that covers an environment, if any (never a preview's). */
export function routingFor(tenant: Tenant, environment: Environment): AlertRouting | undefined {
  return AlertRouting.forTenant(tenant).find((r) => r.environments.includes(environment));
}

function labelsOf(tenant: Tenant, environment: Environment): Record<string, string> {
  return { [LabelKeys.MANAGED_BY]: MANAGED_BY, [LabelKeys.TENANT]: tenant.name, [LabelKeys.ENVIRONMENT]: environment.name };
}

/** The secret references of a routing's receivers, each with the key it gets in the generated Secret. */
function secretVars(routing: AlertRouting): (readonly [string, SecretRef])[] {
  const out: (readonly [string, SecretRef])[] = [];
  for (const [name, channel] of routing.receivers) for (const [field, ref] of channel.secrets) if (ref) out.push([`${name}.${field}`, ref]);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Where a secret reference's value is: an existing Secret's key, or the key of the ExternalSecret's Secret. */
function secretKey(workload: string, key: string, ref: SecretRef): { name: string; key: string } {
  const s = ref.source;
  return s.kind === 'existing' ? { name: s.secretName, key: s.key } : { name: externalSecretName(workload, s.store), key };
}

// ---------------------------------------------------------------------------------------------------------------
// Plain Kubernetes: AlertmanagerConfig

/**
 * The alert routing objects of one namespace (plain Kubernetes target): the AlertmanagerConfig, and the
 * ExternalSecrets of its store references; none on KubeSphere targets or where no routing covers the environment.
 * @param placement the namespace
 * @param labels the labels of the project's objects there
 */
export function alertRoutingNamespaceObjects(placement: ProjectPlacement, labels: Record<string, string>): KubeObject[] {
  const tenant = placement.project.tenant;
  if (Platform.of(tenant).target !== Target.KUBERNETES) return [];
  const routing = routingFor(tenant, placement.environment);
  if (!routing) return [];
  const namespace = placement.namespace;
  const name = `alerts-${routing.name}`;
  const vars = secretVars(routing);
  const ref = (receiver: string, field: string): JsonObject | undefined => {
    const found = vars.find(([k]) => k === `${receiver}.${field}`);
    return found ? secretKey(name, found[0], found[1]) : undefined;
  };
  const receivers: JsonObject[] = [{ name: UNROUTED_RECEIVER }];
  for (const [receiver, channel] of routing.receivers) receivers.push({ name: receiver, ...alertmanagerReceiver(receiver, channel, ref) });
  const routes: JsonObject[] = [];
  for (const route of routing.routes) {
    for (const receiver of route.receivers) {
      routes.push({ receiver, continue: true, ...(route.severities ? { matchers: [severityMatcher(route.severities)] } : {}) });
    }
  }
  const repeat = routing.props.repeatInterval?.toMinutes() ?? 240;
  return [
    ...externalSecrets(name, namespace, labels, vars),
    {
      apiVersion: 'monitoring.coreos.com/v1alpha1',
      kind: 'AlertmanagerConfig',
      metadata: { name, namespace, labels },
      spec: {
        route: {
          receiver: UNROUTED_RECEIVER,
          matchers: [{ name: NAMESPACE_LABEL, value: namespace, matchType: '=' }],
          groupBy: ['alertname', 'service'],
          groupWait: '30s',
          groupInterval: '5m',
          repeatInterval: `${repeat}m`,
          routes,
        },
        receivers,
      },
    },
  ];
}

function severityMatcher(severities: readonly AlertSeverity[]): JsonObject {
  const sorted = [...new Set(severities)].sort();
  return sorted.length === 1 ? { name: 'severity', value: sorted[0], matchType: '=' } : { name: 'severity', value: `^(?:${sorted.join('|')})$`, matchType: '=~' };
}

function alertmanagerReceiver(receiver: string, channel: Channel, ref: (receiver: string, field: string) => JsonObject | undefined): JsonObject {
  switch (channel.kind) {
    case 'email': {
      const o = channel.options as EmailChannelOptions;
      const password = ref(receiver, 'password');
      return { emailConfigs: [{ sendResolved: true, to: o.to.join(', '), from: o.from, smarthost: `${o.smtp.host}:${o.smtp.port ?? 587}`, requireTLS: o.requireTls ?? true, ...(o.username !== undefined ? { authUsername: o.username } : {}), ...(password ? { authPassword: password } : {}) }] };
    }
    case 'wecom': {
      const o = channel.options as WeComChannelOptions;
      const lists = { toUser: o.toUser, toParty: o.toParty, toTag: o.toTag };
      const to = Object.fromEntries(Object.entries(lists).filter(([, v]) => v && v.length > 0).map(([k, v]) => [k, (v as string[]).join('|')]));
      return { wechatConfigs: [{ sendResolved: true, corpID: o.corpId, agentID: o.agentId, apiSecret: ref(receiver, 'apiSecret') as JsonObject, ...to }] };
    }
    case 'slack': {
      const o = channel.options as SlackChannelOptions;
      return { slackConfigs: [{ sendResolved: true, apiURL: ref(receiver, 'credentials') as JsonObject, channel: o.channel }] };
    }
    case 'webhook': {
      const o = channel.options as WebhookChannelOptions;
      const token = ref(receiver, 'bearerToken');
      return { webhookConfigs: [{ sendResolved: true, url: o.url, ...(token ? { httpConfig: { authorization: { type: 'Bearer', credentials: token } } } : {}) }] };
    }
    default:
      // DingTalk is refused on this target by the model check.
      return {};
  }
}

// ---------------------------------------------------------------------------------------------------------------
// KubeSphere: notification manager

/**
 * The notification manager objects of one cluster (KubeSphere targets): for each tenant and routed environment
 * with namespaces on the cluster, its Configs, Receivers and Routers, and the ExternalSecrets of its store
 * references in the routing's secret namespace; none on plain Kubernetes.
 * @param plan the cluster's plan
 * @returns the objects, each with the tenant it belongs to
 */
export function alertRoutingClusterObjects(plan: ClusterPlan): { object: KubeObject; tenant: Tenant }[] {
  const platform = Platform.of(plan.cluster);
  if (platform.target === Target.KUBERNETES) return [];
  // KubeSphere 4.1's notification extension runs on the host only, and receives the alerts of every cluster;
  // KubeSphere 3.4 runs a notification manager on each cluster.
  const placements = platform.target === Target.KUBESPHERE_V4_1 ? (plan.cluster.isHost ? platform.tenants.flatMap((t) => t.projects.flatMap((p) => p.placements)) : []) : plan.placements;
  const groups = new Map<string, { routing: AlertRouting; environment: Environment; namespaces: Set<string> }>();
  for (const p of placements) {
    const routing = routingFor(p.project.tenant, p.environment);
    if (!routing) continue;
    const key = `${p.project.tenant.name}/${p.environment.name}`;
    const g = groups.get(key) ?? { routing, environment: p.environment, namespaces: new Set<string>() };
    g.namespaces.add(p.namespace);
    groups.set(key, g);
  }
  const out: { object: KubeObject; tenant: Tenant }[] = [];
  for (const key of [...groups.keys()].sort()) {
    const { routing, environment, namespaces } = groups.get(key) as { routing: AlertRouting; environment: Environment; namespaces: Set<string> };
    for (const object of notificationObjects(routing, environment, [...namespaces].sort())) out.push({ object, tenant: routing.tenant });
  }
  return out;
}

/** A notification manager credential read from a Secret. */
function credential(namespace: string, at: { name: string; key: string }): JsonObject {
  return { valueFrom: { secretKeyRef: { namespace, name: at.name, key: at.key } } };
}

function notificationObjects(routing: AlertRouting, environment: Environment, namespaces: string[]): KubeObject[] {
  const tenant = routing.tenant;
  const prefix = `${tenant.name}-${environment.name}`;
  const labels = labelsOf(tenant, environment);
  const secretNamespace = routing.secretNamespace;
  const workload = `${prefix}-alerts`;
  const vars = secretVars(routing);
  const cred = (receiver: string, field: string): JsonObject | undefined => {
    const found = vars.find(([k]) => k === `${receiver}.${field}`);
    return found ? credential(secretNamespace, secretKey(workload, found[0], found[1])) : undefined;
  };
  // The tenant's namespaces, and the environment (the same namespace name may run another environment on another cluster).
  const ofTenant: JsonObject = { matchExpressions: [{ key: NAMESPACE_LABEL, operator: 'In', values: namespaces }, { key: 'environment', operator: 'In', values: [environment.name] }] };
  const out: KubeObject[] = [...externalSecrets(workload, secretNamespace, labels, vars)];
  const objectName = (receiver: string): string => `${prefix}-${receiver}`;
  for (const [receiver, channel] of routing.receivers) {
    const name = objectName(receiver);
    const own = { ...labels, type: 'tenant', [RECEIVER_LABEL]: name };
    const { config, spec } = notificationChannel(channel, receiver, cred);
    const kind = channel.kind === 'wecom' ? 'wechat' : channel.kind;
    if (config) out.push({ apiVersion: NOTIFICATION_API, kind: 'Config', metadata: { name, labels: own }, spec: { [kind]: config } });
    out.push({
      apiVersion: NOTIFICATION_API,
      kind: 'Receiver',
      metadata: { name, labels: own },
      spec: { [kind]: { enabled: true, alertSelector: ofTenant, ...(config ? { [`${kind}ConfigSelector`]: { matchLabels: { [RECEIVER_LABEL]: name } } } : {}), ...spec } },
    });
  }
  routing.routes.forEach((route, i) => {
    const severities = route.severities ? [...new Set(route.severities)].sort() : undefined;
    out.push({
      apiVersion: NOTIFICATION_API,
      kind: 'Router',
      metadata: { name: routing.routes.length === 1 ? prefix : `${prefix}-${i + 1}`, labels },
      spec: {
        alertSelector: { matchExpressions: [...(ofTenant.matchExpressions as JsonObject[]), ...(severities ? [{ key: 'severity', operator: 'In', values: severities }] : [])] },
        receivers: { name: [...new Set(route.receivers)].sort().map(objectName) },
      },
    });
  });
  return out;
}

/** A channel's Config spec (when it needs one) and Receiver spec, in the notification manager's terms. */
function notificationChannel(channel: Channel, receiver: string, cred: (receiver: string, field: string) => JsonObject | undefined): { config?: JsonObject; spec: JsonObject } {
  switch (channel.kind) {
    case 'email': {
      const o = channel.options as EmailChannelOptions;
      const password = cred(receiver, 'password');
      return {
        config: { from: o.from, smartHost: { host: o.smtp.host, port: o.smtp.port ?? 587 }, requireTLS: o.requireTls ?? true, ...(o.username !== undefined ? { authUsername: o.username } : {}), ...(password ? { authPassword: password } : {}) },
        spec: { to: [...o.to] },
      };
    }
    case 'wecom': {
      const o = channel.options as WeComChannelOptions;
      const to = Object.fromEntries(Object.entries({ toUser: o.toUser, toParty: o.toParty, toTag: o.toTag }).filter(([, v]) => v && v.length > 0).map(([k, v]) => [k, [...(v as string[])]]));
      return { config: { wechatApiCorpId: o.corpId, wechatApiAgentId: o.agentId, wechatApiSecret: cred(receiver, 'apiSecret') as JsonObject }, spec: to };
    }
    case 'slack': {
      const o = channel.options as SlackChannelOptions;
      return { config: { slackTokenSecret: cred(receiver, 'credentials') as JsonObject }, spec: { channels: [o.channel] } };
    }
    case 'dingtalk': {
      const o = channel.options as DingTalkChannelOptions;
      const secret = cred(receiver, 'signingSecret');
      return { spec: { chatbot: { webhook: cred(receiver, 'webhook') as JsonObject, ...(secret ? { secret } : {}), ...(o.keywords && o.keywords.length > 0 ? { keywords: [...o.keywords] } : {}) } } };
    }
    default: {
      const o = channel.options as WebhookChannelOptions;
      const token = cred(receiver, 'bearerToken');
      return { spec: { url: o.url, ...(token ? { httpConfig: { bearerToken: token } } : {}) } };
    }
  }
}
