/**
 * Alert routing: who receives the alerts of a tenant's services (the PrometheusRules `alerts` writes), per
 * environment, through e-mail, WeCom, DingTalk, Slack or a webhook. On KubeSphere targets it becomes KubeSphere's
 * notification manager objects (`notification.kubesphere.io/v2beta2` Receiver, Config and Router); on plain
 * Kubernetes, a prometheus-operator `AlertmanagerConfig` (`monitoring.coreos.com/v1alpha1`) in each namespace.
 * Credentials are secret references only. Rendering: lib/alerting.ts; guide: docs/alerts.md.
 */
import type { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { checkDns1123Label, checkWholeNumber } from '../lib/names';
import type { ProblemCollector } from '../lib/problems';
import { checkTextLine } from '../lib/values';
import type { Environment } from './environment';
import { assertObjectArgument, Platform, Target } from './platform';
import { PreviewEnvironment } from './preview';
import type { EnvironmentRef } from './project';
import { checkNoLiteralSecret, SecretRef } from './secrets';
import type { Tenant } from './tenant';

/** The severities the library's alert rules carry (label `severity`). */
export enum AlertSeverity {
  /** Something degrades (replicas unavailable, restarts). */
  WARNING = 'warning',
  /** Something fails (the error rate is above its threshold). */
  CRITICAL = 'critical',
}

/** E-mail through an SMTP server. */
export interface EmailChannelOptions {
  /** The addresses that receive the alerts. */
  readonly to: string[];
  /** The sender's address. */
  readonly from: string;
  /** The SMTP server. */
  readonly smtp: {
    /** Its host name. */
    readonly host: string;
    /**
     * Its port.
     * @default 587
     */
    readonly port?: number;
  };
  /**
   * The SMTP user name.
   * @default - no authentication
   */
  readonly username?: string;
  /**
   * The SMTP password: a secret reference, never a value.
   * @default - no authentication
   */
  readonly password?: SecretRef;
  /**
   * Whether the server must offer STARTTLS.
   * @default true
   */
  readonly requireTls?: boolean;
}

/** WeCom (WeChat Work) application messages. */
export interface WeComChannelOptions {
  /** The corporation's id. */
  readonly corpId: string;
  /** The application's agent id. */
  readonly agentId: string;
  /** The application's secret: a secret reference. */
  readonly apiSecret: SecretRef;
  /**
   * Users that receive the alerts.
   * @default - none (give users, parties or tags)
   */
  readonly toUser?: string[];
  /**
   * Departments (parties) that receive the alerts.
   * @default - none
   */
  readonly toParty?: string[];
  /**
   * Tags whose members receive the alerts.
   * @default - none
   */
  readonly toTag?: string[];
}

/** A DingTalk group robot (KubeSphere targets only: Alertmanager has no DingTalk integration). */
export interface DingTalkChannelOptions {
  /** The robot's webhook URL (it carries the access token): a secret reference. */
  readonly webhook: SecretRef;
  /**
   * The robot's signing secret, when signatures are turned on.
   * @default - unsigned
   */
  readonly signingSecret?: SecretRef;
  /**
   * Keywords the robot requires in every message.
   * @default - none
   */
  readonly keywords?: string[];
}

/** Slack. */
export interface SlackChannelOptions {
  /** The channel, e.g. `#ride-oncall`. */
  readonly channel: string;
  /**
   * The credential: on KubeSphere targets the bot token (`xoxb-…`), on plain Kubernetes the incoming webhook URL.
   * A secret reference.
   */
  readonly credentials: SecretRef;
}

/** A generic webhook that receives the alerts as JSON. */
export interface WebhookChannelOptions {
  /** The URL (no credentials in it: use `bearerToken`). */
  readonly url: string;
  /**
   * A bearer token sent with each call: a secret reference.
   * @default - none
   */
  readonly bearerToken?: SecretRef;
}

/** The kind of a channel. */
export type ChannelKind = 'email' | 'wecom' | 'dingtalk' | 'slack' | 'webhook';

/** The options of each kind of channel. */
export interface ChannelOptionsByKind {
  /** E-mail. */
  readonly email: EmailChannelOptions;
  /** WeCom. */
  readonly wecom: WeComChannelOptions;
  /** DingTalk. */
  readonly dingtalk: DingTalkChannelOptions;
  /** Slack. */
  readonly slack: SlackChannelOptions;
  /** Webhook. */
  readonly webhook: WebhookChannelOptions;
}

const CHANNEL = Symbol.for('platform-cdk.Channel');

/** A channel alerts are sent through: e-mail, WeCom, DingTalk, Slack or a webhook. */
export class Channel<K extends ChannelKind = ChannelKind> {
  /** E-mail through an SMTP server. */
  public static email(options: EmailChannelOptions): Channel<'email'> {
    return new Channel('email', options);
  }

  /** WeCom (WeChat Work) application messages. */
  public static weCom(options: WeComChannelOptions): Channel<'wecom'> {
    return new Channel('wecom', options);
  }

  /** A DingTalk group robot (KubeSphere targets). */
  public static dingTalk(options: DingTalkChannelOptions): Channel<'dingtalk'> {
    return new Channel('dingtalk', options);
  }

  /** Slack. */
  public static slack(options: SlackChannelOptions): Channel<'slack'> {
    return new Channel('slack', options);
  }

  /** A generic webhook. */
  public static webhook(options: WebhookChannelOptions): Channel<'webhook'> {
    return new Channel('webhook', options);
  }

  /** Whether a value is a Channel. */
  public static isChannel(this: void, x: unknown): x is Channel {
    return typeof x === 'object' && x !== null && CHANNEL in x;
  }

  private constructor(
    /** The kind. */
    public readonly kind: K,
    /** The options, as given. */
    public readonly options: ChannelOptionsByKind[K],
  ) {
    Object.defineProperty(this, CHANNEL, { value: true });
  }

  /** The secret references of the channel, by field name. */
  public get secrets(): [string, SecretRef | undefined][] {
    const o = this.options as Partial<EmailChannelOptions & WeComChannelOptions & DingTalkChannelOptions & SlackChannelOptions & WebhookChannelOptions>;
    switch (this.kind) {
      case 'email':
        return [['password', o.password]];
      case 'wecom':
        return [['apiSecret', o.apiSecret]];
      case 'dingtalk':
        return [['webhook', o.webhook], ['signingSecret', o.signingSecret]];
      case 'slack':
        return [['credentials', o.credentials]];
      default:
        return [['bearerToken', o.bearerToken]];
    }
  }
}

/** Which alerts go to which receivers. */
export interface AlertRoute {
  /** The receivers, by name. */
  readonly receivers: string[];
  /**
   * The severities routed.
   * @default - every severity
   */
  readonly severities?: AlertSeverity[];
}

/** Properties of an {@link AlertRouting}. */
export interface AlertRoutingProps {
  /** The receivers, by name (a DNS label, e.g. `oncall`): one channel each. */
  readonly receivers: Record<string, Channel>;
  /**
   * The routes.
   * @default - every alert to every receiver
   */
  readonly routes?: AlertRoute[];
  /**
   * The environments whose alerts are routed (previews are not: their alerts reach their owner through the console).
   * @default - every environment the tenant's projects are placed in
   */
  readonly environments?: EnvironmentRef[];
  /**
   * How long a firing alert waits before it is sent again (Alertmanager's `repeatInterval`; on KubeSphere targets the
   * cluster's Alertmanager settings decide).
   * @default Duration.hours(4)
   */
  readonly repeatInterval?: Duration;
  /**
   * On KubeSphere targets, the namespace of the Secrets the notification manager reads credentials from (existing
   * Secrets are looked for there; ExternalSecrets of store references are written there).
   * @default "kubesphere-monitoring-federated"
   */
  readonly secretNamespace?: string;
}

/** The default namespace of the notification manager's Secrets on KubeSphere. */
export const NOTIFICATION_SECRET_NAMESPACE = 'kubesphere-monitoring-federated';

/** A name kept for the receiver of alerts no route takes (Alertmanager needs one on the top route). */
export const UNROUTED_RECEIVER = 'unrouted';

const ALERT_ROUTING = Symbol.for('platform-cdk.AlertRouting');

/**
 * Routes the alerts of a tenant's services in some environments to receivers. A tenant's routes only ever match
 * alerts of its own namespaces.
 *
 * @example
 * new AlertRouting(rides, 'oncall', {
 *   environments: ['production'],
 *   receivers: {
 *     oncall: Channel.weCom({ corpId: 'ww1234', agentId: '1000002', apiSecret: vault.key('alerting/wecom'), toParty: ['12'] }),
 *     mail: Channel.email({ to: ['rides-oncall@example.com'], from: 'alerts@example.com', smtp: { host: 'smtp.example.com' }, username: 'alerts', password: vault.key('alerting/smtp') }),
 *   },
 *   routes: [{ receivers: ['oncall'], severities: [AlertSeverity.CRITICAL] }, { receivers: ['mail'] }],
 * });
 */
export class AlertRouting extends Construct {
  /** Whether a value is an AlertRouting. */
  public static isAlertRouting(this: void, x: unknown): x is AlertRouting {
    return typeof x === 'object' && x !== null && ALERT_ROUTING in x;
  }

  /**
   * The alert routings of a tenant.
   * @param tenant the tenant
   */
  public static forTenant(tenant: Tenant): AlertRouting[] {
    return tenant.node.children.filter(AlertRouting.isAlertRouting);
  }

  /** The tenant. */
  public readonly tenant: Tenant;
  /** Its name (the construct id), part of the objects' names. */
  public readonly name: string;
  /** The properties, as given. */
  public readonly props: AlertRoutingProps;

  /**
   * @param tenant the tenant whose alerts are routed
   * @param id the routing's name (a DNS label)
   * @param props receivers, routes and environments
   */
  constructor(tenant: Tenant, id: string, props: AlertRoutingProps) {
    super(tenant, id);
    Object.defineProperty(this, ALERT_ROUTING, { value: true });
    assertObjectArgument(this, 'props', props, 'give the routing as an object: { receivers: { … } }');
    this.tenant = tenant;
    this.name = id;
    this.props = props;
  }

  /** The environments routed: those named, else every (non-preview) environment of the tenant's projects. */
  public get environments(): Environment[] {
    const platform = Platform.of(this);
    if (this.props.environments !== undefined) {
      const out: Environment[] = [];
      for (const ref of this.props.environments ?? []) {
        const e = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
        if (e && !out.includes(e) && !PreviewEnvironment.isPreview(e)) out.push(e);
      }
      return out;
    }
    return platform.environments.filter((e) => !PreviewEnvironment.isPreview(e) && this.tenant.projects.some((p) => p.isPlacedIn(e)));
  }

  /** The receivers by name, sorted. */
  public get receivers(): [string, Channel][] {
    return Object.entries(this.props.receivers ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The routes: those given, else one route of every alert to every receiver. */
  public get routes(): AlertRoute[] {
    return this.props.routes ?? [{ receivers: this.receivers.map(([n]) => n) }];
  }

  /** The namespace of the notification manager's Secrets on KubeSphere targets. */
  public get secretNamespace(): string {
    return this.props.secretNamespace ?? NOTIFICATION_SECRET_NAMESPACE;
  }

  /** @internal */
  public _checkModel(problems: ProblemCollector): void {
    const path = this.node.path;
    const platform = Platform.of(this);
    const n = checkDns1123Label(this.name);
    if (n) problems.error({ path, property: 'name', value: this.name, message: n, fix: 'name the routing like "oncall"' });
    const receivers = this.props.receivers;
    if (typeof receivers !== 'object' || receivers === null || Object.keys(receivers).length === 0) {
      problems.error({ path, property: 'receivers', value: receivers, message: 'a routing needs at least one receiver', fix: 'give receivers: { oncall: Channel.email({ … }) }' });
    }
    for (const [name, channel] of this.receivers) checkReceiver(problems, path, `receivers[${JSON.stringify(name)}]`, name, channel, platform.target);
    const known = new Set(this.receivers.map(([r]) => r));
    if (!Array.isArray(this.routes)) problems.error({ path, property: 'routes', value: this.routes, message: 'the routes are a list', fix: 'give routes: [{ receivers: ["oncall"] }]' });
    else {
      this.routes.forEach((route, i) => {
        const property = `routes[${i}]`;
        if (!Array.isArray(route?.receivers) || route.receivers.length === 0) problems.error({ path, property: `${property}.receivers`, value: route?.receivers, message: 'a route names at least one receiver', fix: `name receivers of the routing (${[...known].join(', ') || 'none'})` });
        else route.receivers.forEach((r, j) => {
          if (!known.has(r)) problems.error({ path, property: `${property}.receivers[${j}]`, value: r, message: `the routing has no receiver of this name (receivers: ${[...known].join(', ') || 'none'})`, fix: 'name a receiver of the routing' });
        });
        (route?.severities ?? []).forEach((s, j) => {
          if (s !== AlertSeverity.WARNING && s !== AlertSeverity.CRITICAL) problems.error({ path, property: `${property}.severities[${j}]`, value: s, message: 'the severities are warning and critical', fix: 'use AlertSeverity.WARNING or AlertSeverity.CRITICAL' });
        });
      });
    }
    (this.props.environments ?? []).forEach((ref, i) => {
      const e = typeof ref === 'string' ? platform.findEnvironment(ref) : ref;
      if (!e || e.node.root !== platform) problems.error({ path, property: `environments[${i}]`, value: typeof ref === 'string' ? ref : ref?.node?.path, message: `no environment of the platform has this name (environments: ${platform.environments.map((x) => x.name).join(', ')})`, fix: 'name an environment of the platform' });
      else if (!this.tenant.projects.some((p) => p.isPlacedIn(e))) problems.error({ path, property: `environments[${i}]`, value: e.name, message: `no project of tenant ${this.tenant.name} is placed in this environment, so it has no alerts to route`, fix: 'route the environments the tenant\'s projects are placed in' });
    });
    for (const other of AlertRouting.forTenant(this.tenant)) {
      if (other === this) break;
      const shared = this.environments.filter((e) => other.environments.includes(e));
      if (shared.length > 0) problems.error({ path, property: 'environments', value: shared.map((e) => e.name), message: `${other.node.path} routes the alerts of these environments already; each alert of a tenant's environment has one routing`, fix: 'give each routing of the tenant its own environments' });
    }
    if (this.props.repeatInterval !== undefined) {
      let minutes: number | undefined;
      try {
        minutes = this.props.repeatInterval.toMinutes();
      } catch {
        minutes = undefined;
      }
      if (minutes === undefined || checkWholeNumber(minutes, 1)) problems.error({ path, property: 'repeatInterval', value: this.props.repeatInterval?.toHumanString?.(), message: 'the repeat interval is a whole number of minutes, at least 1', fix: 'use e.g. Duration.hours(4)' });
    }
    const ns = checkDns1123Label(this.secretNamespace);
    if (ns) problems.error({ path, property: 'secretNamespace', value: this.secretNamespace, message: ns, fix: `use the notification manager's namespace, e.g. "${NOTIFICATION_SECRET_NAMESPACE}"` });
  }
}

const SECRET_FIX = 'pass a secret reference: SecretStore.cluster("vault").key("…") or ExistingSecret.named("…").key("…")';
const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

/** Checks one receiver: its name, its channel's fields, its secret references, and that the target supports it. */
function checkReceiver(problems: ProblemCollector, path: string, property: string, name: string, channel: Channel, target: Target): void {
  const n = checkDns1123Label(name);
  if (n) problems.error({ path, property, value: name, message: `a receiver's name is part of object names: ${n}`, fix: 'name the receiver like "oncall"' });
  else if (name === UNROUTED_RECEIVER) problems.error({ path, property, value: name, message: `"${UNROUTED_RECEIVER}" is the receiver of the alerts no route takes`, fix: 'give the receiver another name' });
  if (!Channel.isChannel(channel)) {
    problems.error({ path, property, value: channel, message: 'a receiver is a channel', fix: 'use Channel.email, Channel.weCom, Channel.dingTalk, Channel.slack or Channel.webhook' });
    return;
  }
  for (const [field, ref] of channel.secrets) {
    const required = !['password', 'signingSecret', 'bearerToken'].includes(field);
    if (ref === undefined) {
      if (required) problems.error({ path, property: `${property}.${field}`, value: undefined, message: `a ${channel.kind} channel needs its ${field}`, fix: SECRET_FIX });
      continue;
    }
    if (!SecretRef.isSecretRef(ref)) {
      const literal = typeof ref === 'string' && checkNoLiteralSecret(problems, path, `${property}.${field}`, ref, SECRET_FIX, field);
      if (!literal) problems.error({ path, property: `${property}.${field}`, value: '<not a reference>', message: 'a credential must be a secret reference, never a value', fix: SECRET_FIX });
    } else ref._check(problems, path, `${property}.${field}`);
  }
  const line = (field: string, value: unknown, max: number, fix: string): void => {
    const e = checkTextLine(value, max);
    if (e) problems.error({ path, property: `${property}.${field}`, value, message: e, fix });
    else checkNoLiteralSecret(problems, path, `${property}.${field}`, value, SECRET_FIX, field);
  };
  const list = (field: string, values: unknown, check: (v: unknown) => string | undefined, fix: string, required: boolean): void => {
    if (values === undefined && !required) return;
    if (!Array.isArray(values) || (required && values.length === 0)) {
      problems.error({ path, property: `${property}.${field}`, value: values, message: required ? 'a list of at least one value' : 'a list of values', fix });
      return;
    }
    values.forEach((v, i) => {
      const e = check(v);
      if (e) problems.error({ path, property: `${property}.${field}[${i}]`, value: v, message: e, fix });
    });
  };
  const o = channel.options as Partial<EmailChannelOptions & WeComChannelOptions & DingTalkChannelOptions & SlackChannelOptions & WebhookChannelOptions>;
  switch (channel.kind) {
    case 'email': {
      const address = (v: unknown): string | undefined => checkTextLine(v, 254) ?? (EMAIL.test(v as string) ? undefined : 'not an e-mail address');
      list('to', o.to, address, 'give addresses like "oncall@example.com"', true);
      const from = address(o.from);
      if (from) problems.error({ path, property: `${property}.from`, value: o.from, message: from, fix: 'give the sender like "alerts@example.com"' });
      const host = o.smtp?.host === undefined ? 'the SMTP server needs a host' : checkTextLine(o.smtp.host, 253) ?? (/^[A-Za-z0-9.-]+$/.test(o.smtp.host) ? undefined : 'not a host name');
      if (host) problems.error({ path, property: `${property}.smtp.host`, value: o.smtp?.host, message: host, fix: 'give the server\'s host name, e.g. "smtp.example.com"' });
      if (o.smtp?.port !== undefined && (!Number.isInteger(o.smtp.port) || o.smtp.port < 1 || o.smtp.port > 65535)) problems.error({ path, property: `${property}.smtp.port`, value: o.smtp.port, message: 'a port is between 1 and 65535', fix: 'use e.g. 587 or 465' });
      if (o.username !== undefined) line('username', o.username, 256, 'give the SMTP user name');
      if ((o.username === undefined) !== (o.password === undefined)) problems.error({ path, property: `${property}.${o.username === undefined ? 'username' : 'password'}`, value: o.username, message: 'SMTP authentication needs both a user name and a password', fix: 'give both username and password, or neither' });
      break;
    }
    case 'wecom': {
      line('corpId', o.corpId, 64, 'give the corporation id, e.g. "ww1234567890abcdef"');
      line('agentId', o.agentId, 32, 'give the application\'s agent id, e.g. "1000002"');
      const id = (v: unknown): string | undefined => checkTextLine(v, 64) ?? (/^[A-Za-z0-9_.@-]+$/.test(v as string) ? undefined : 'an id is letters, digits, "_", ".", "@" and "-"');
      for (const field of ['toUser', 'toParty', 'toTag'] as const) list(field, o[field], id, `give ${field} as a list of ids`, false);
      if ((o.toUser?.length ?? 0) + (o.toParty?.length ?? 0) + (o.toTag?.length ?? 0) === 0) problems.error({ path, property: `${property}.toUser`, value: undefined, message: 'a WeCom channel needs users, parties or tags to send to', fix: 'give toUser, toParty or toTag' });
      break;
    }
    case 'dingtalk':
      if (target === Target.KUBERNETES) problems.error({ path, property, value: 'dingtalk', message: 'Alertmanager (the plain Kubernetes target) has no DingTalk integration', fix: 'send through a DingTalk bridge (e.g. prometheus-webhook-dingtalk) with Channel.webhook, or use a KubeSphere target' });
      list('keywords', o.keywords, (v) => checkTextLine(v, 64), 'give keywords as a list of words', false);
      break;
    case 'slack':
      line('channel', o.channel, 80, 'give the channel like "#oncall"');
      break;
    case 'webhook': {
      const e = checkTextLine(o.url, 2048) ?? (/^https?:\/\/[^\s/]+/.test(o.url as string) ? undefined : 'a webhook URL starts with http:// or https:// and a host');
      if (e) problems.error({ path, property: `${property}.url`, value: o.url, message: e, fix: 'give the URL like "https://hooks.example.com/alerts"' });
      else checkNoLiteralSecret(problems, path, `${property}.url`, o.url, 'keep the credential out of the URL: pass it as bearerToken, a secret reference');
      break;
    }
    default:
      problems.error({ path, property, value: (channel as Channel).kind, message: 'not a channel kind', fix: 'use Channel.email, Channel.weCom, Channel.dingTalk, Channel.slack or Channel.webhook' });
  }
}
