/**
 * Alert routing in an export (`tenant.routeAlerts`): KubeSphere's notification manager objects the library writes per
 * tenant and environment — a `Config` and a `Receiver` per receiver (`<tenant>-<environment>-<receiver>`), a `Router`
 * per route (`<tenant>-<environment>` or `<tenant>-<environment>-<n>`), each selecting the alerts of the tenant's
 * namespaces in that environment. The environments whose routing is the same become one `routeAlerts` call. Only what
 * the program reproduces exactly is claimed: a field the reading does not know, credentials that are not plain Secret
 * references, or a selector that is not the tenant's namespaces leave the objects unclaimed (an escape hatch).
 */
import { NOTIFICATION_SECRET_NAMESPACE } from '../../constructs/alerting';
import type { KubeObject } from '../manifest';
import { code, Code, Ref } from './code';
import type { EstateContext, EstatePass } from './passes';
import type { ExportedObject } from './read';
import { literal, str } from './format';
import { obj } from './json';
import type { Obj } from './json';

const NOTIFICATION_API = 'notification.kubesphere.io/';
const RECEIVER_LABEL = 'platform-cdk.io/alert-receiver';
const TENANT_LABEL = 'platform-cdk.io/tenant';
const ENVIRONMENT_LABEL = 'platform-cdk.io/environment';

function strings(x: unknown): string[] | undefined {
  return Array.isArray(x) && x.every((v) => typeof v === 'string') ? (x as string[]) : undefined;
}

/** Whether an object has only the given keys. */
function only(o: Obj, keys: readonly string[]): boolean {
  return Object.keys(o).every((k) => keys.includes(k));
}

/** One environment's routing of one tenant, as read. */
interface ReadRouting {
  /** The receivers' channels, by receiver name (code). */
  readonly receivers: [string, Code][];
  /** The routes (omitted when the one default route takes every receiver). */
  readonly routes?: { receivers: string[]; severities?: string[] }[];
  /** The namespace of the Secrets its credentials are read from. */
  readonly secretNamespace: string;
  /** What makes two environments' routings the same. */
  readonly key: string;
  /** Its objects. */
  readonly objects: ExportedObject[];
}

/**
 * Reads one tenant's notification objects in one environment as a routing, or says why it cannot.
 * @param ctx the estate
 * @param tenant the tenant
 * @param environment the environment
 * @param objects its Config, Receiver and Router objects
 */
export function readRouting(ctx: EstateContext, tenant: string, environment: string, objects: readonly ExportedObject[]): ReadRouting | string {
  const prefix = `${tenant}-${environment}`;
  const places = ctx.index.places.filter((p) => p.tenant === tenant && p.environment === environment);
  const clusters = new Set(objects.map((e) => e.cluster));
  if (clusters.size !== 1) return 'the routing is on several clusters';
  const [cluster] = [...clusters];
  const host = ctx.index.clusters.find((c) => c.name === cluster)?.role === 'host';
  const namespaces = [...new Set(places.filter((p) => host || p.cluster === cluster).map((p) => p.namespace))].sort();
  if (namespaces.length === 0) return `tenant ${tenant} has no project in ${environment}`;
  const selector = JSON.stringify([
    { key: 'namespace', operator: 'In', values: namespaces },
    { key: 'environment', operator: 'In', values: [environment] },
  ]);
  const expressions = (x: unknown): Obj[] => (Array.isArray(obj(x).matchExpressions) ? (obj(x).matchExpressions as Obj[]) : []);
  let secretNamespace: string | undefined;
  // A credential: a plain Secret's key, every one in the same namespace (a store's Secret is not read here).
  const secret = (x: unknown): Code | string => {
    const ref = obj(obj(obj(x).valueFrom).secretKeyRef);
    if (!only(obj(x), ['valueFrom']) || typeof ref.name !== 'string' || typeof ref.key !== 'string' || typeof ref.namespace !== 'string') return 'a credential that is not a Secret reference';
    if (ctx.index.exported.objects.some((e) => e.object.kind === 'ExternalSecret' && e.object.metadata.namespace === ref.namespace && ((obj(obj((e.object as unknown as Obj).spec).target).name ?? e.object.metadata.name) === ref.name))) return 'a credential from a secret store';
    if (secretNamespace !== undefined && secretNamespace !== ref.namespace) return 'credentials in several namespaces';
    secretNamespace = ref.namespace;
    return code(['ExistingSecret'])`ExistingSecret.named(${str(ref.name)}).key(${str(ref.key)})`;
  };
  const receivers: [string, Code][] = [];
  const byObjectName = new Map<string, string>();
  for (const e of objects.filter((x) => x.object.kind === 'Receiver')) {
    const name = e.object.metadata.name;
    if (!name.startsWith(`${prefix}-`) || e.object.metadata.labels?.[RECEIVER_LABEL] !== name) return `the receiver ${name} is not named after its tenant and environment`;
    const receiver = name.slice(prefix.length + 1);
    const spec = obj((e.object as unknown as Obj).spec);
    const kinds = Object.keys(spec);
    if (kinds.length !== 1) return `the receiver ${name} has ${kinds.length} channels`;
    const kind = kinds[0];
    const r = obj(spec[kind]);
    if (r.enabled !== true || JSON.stringify(expressions(r.alertSelector)) !== selector || Object.keys(obj(r.alertSelector)).length !== 1) return `the receiver ${name} does not select the tenant's alerts in ${environment}`;
    const configObject = objects.find((x) => x.object.kind === 'Config' && x.object.metadata.name === name);
    const config = obj(obj((configObject?.object as unknown as Obj | undefined)?.spec)[kind]);
    if (configObject && (Object.keys(obj((configObject.object as unknown as Obj).spec)).length !== 1 || configObject.object.metadata.labels?.[RECEIVER_LABEL] !== name)) return `the configuration of ${name} is not the receiver's`;
    const selectorKey = `${kind}ConfigSelector`;
    if (configObject && JSON.stringify(r[selectorKey]) !== JSON.stringify({ matchLabels: { [RECEIVER_LABEL]: name } })) return `the receiver ${name} does not select its configuration`;
    const rest: Obj = Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'enabled' && k !== 'alertSelector' && k !== selectorKey));
    let channel: Code | string;
    const fail = (what: string): string => `the ${what} of ${name} is not one the model writes`;
    if (kind === 'email') {
      const smart = obj(config.smartHost);
      const to = strings(rest.to);
      if (!configObject || !only(rest, ['to']) || !to || !only(config, ['from', 'smartHost', 'requireTLS', 'authUsername', 'authPassword']) || typeof config.from !== 'string' || typeof smart.host !== 'string' || typeof smart.port !== 'number' || !only(smart, ['host', 'port']) || typeof config.requireTLS !== 'boolean') return fail('e-mail channel');
      if (config.authUsername !== undefined && typeof config.authUsername !== 'string') return fail('e-mail user');
      const password = config.authPassword === undefined ? undefined : secret(config.authPassword);
      if (typeof password === 'string') return password;
      const parts: (Code | string)[] = [`to: ${literal(to)}`, `from: ${str(config.from)}`, `smtp: ${literal(smart.port === 587 ? { host: smart.host } : { host: smart.host, port: smart.port })}`];
      if (config.authUsername !== undefined) parts.push(`username: ${str(config.authUsername as string)}`);
      if (password) parts.push(code()`password: ${password}`);
      if (config.requireTLS === false) parts.push('requireTls: false');
      channel = call('email', parts);
    } else if (kind === 'wechat') {
      if (!configObject || !only(rest, ['toUser', 'toParty', 'toTag']) || !only(config, ['wechatApiCorpId', 'wechatApiAgentId', 'wechatApiSecret']) || typeof config.wechatApiCorpId !== 'string' || typeof config.wechatApiAgentId !== 'string') return fail('WeCom channel');
      const apiSecret = secret(config.wechatApiSecret);
      if (typeof apiSecret === 'string') return apiSecret;
      const parts: (Code | string)[] = [`corpId: ${str(config.wechatApiCorpId)}`, `agentId: ${str(config.wechatApiAgentId)}`, code()`apiSecret: ${apiSecret}`];
      for (const k of ['toUser', 'toParty', 'toTag']) {
        if (rest[k] === undefined) continue;
        const v = strings(rest[k]);
        if (!v || v.length === 0) return fail('WeCom recipients');
        parts.push(`${k}: ${literal(v)}`);
      }
      channel = call('weCom', parts);
    } else if (kind === 'slack') {
      const channels = strings(rest.channels);
      if (!configObject || !only(rest, ['channels']) || !channels || channels.length !== 1 || !only(config, ['slackTokenSecret'])) return fail('Slack channel');
      const credentials = secret(config.slackTokenSecret);
      if (typeof credentials === 'string') return credentials;
      channel = call('slack', [`channel: ${str(channels[0])}`, code()`credentials: ${credentials}`]);
    } else if (kind === 'dingtalk') {
      const bot = obj(rest.chatbot);
      if (configObject || !only(rest, ['chatbot']) || !only(bot, ['webhook', 'secret', 'keywords'])) return fail('DingTalk channel');
      const webhook = secret(bot.webhook);
      if (typeof webhook === 'string') return webhook;
      const parts: (Code | string)[] = [code()`webhook: ${webhook}`];
      if (bot.secret !== undefined) {
        const signing = secret(bot.secret);
        if (typeof signing === 'string') return signing;
        parts.push(code()`signingSecret: ${signing}`);
      }
      if (bot.keywords !== undefined) {
        const k = strings(bot.keywords);
        if (!k || k.length === 0) return fail('DingTalk keywords');
        parts.push(`keywords: ${literal(k)}`);
      }
      channel = call('dingTalk', parts);
    } else if (kind === 'webhook') {
      const http = obj(rest.httpConfig);
      if (configObject || !only(rest, ['url', 'httpConfig']) || typeof rest.url !== 'string' || !only(http, ['bearerToken'])) return fail('webhook channel');
      const parts: (Code | string)[] = [`url: ${str(rest.url)}`];
      if (http.bearerToken !== undefined) {
        const token = secret(http.bearerToken);
        if (typeof token === 'string') return token;
        parts.push(code()`bearerToken: ${token}`);
      }
      channel = call('webhook', parts);
    } else {
      return `the receiver ${name} has a channel the model does not write (${kind})`;
    }
    receivers.push([receiver, channel]);
    byObjectName.set(name, receiver);
  }
  if (receivers.length === 0) return 'no receiver';
  const configs = objects.filter((x) => x.object.kind === 'Config');
  if (configs.some((c) => !byObjectName.has(c.object.metadata.name))) return 'a configuration of no receiver';
  // Routes: `<prefix>` alone, or `<prefix>-1` … `<prefix>-n`.
  const routers = objects.filter((x) => x.object.kind === 'Router');
  const numbered = routers.length === 1 ? [routers[0].object.metadata.name === prefix ? routers[0] : undefined] : routers.map((_, i) => routers.find((x) => x.object.metadata.name === `${prefix}-${i + 1}`));
  if (routers.length === 0 || numbered.some((x) => x === undefined)) return 'the routers are not named after their tenant and environment';
  const routes: { receivers: string[]; severities?: string[] }[] = [];
  for (const e of numbered as ExportedObject[]) {
    const spec = obj((e.object as unknown as Obj).spec);
    const exprs = expressions(spec.alertSelector);
    if (!only(spec, ['alertSelector', 'receivers']) || !only(obj(spec.receivers), ['name']) || Object.keys(obj(spec.alertSelector)).length !== 1) return `the router ${e.object.metadata.name} is not one the model writes`;
    if (JSON.stringify(exprs.slice(0, 2)) !== selector || exprs.length > 3) return `the router ${e.object.metadata.name} does not select the tenant's alerts in ${environment}`;
    const severity = exprs[2];
    let severities: string[] | undefined;
    if (severity !== undefined) {
      severities = strings(severity.values);
      if (severity.key !== 'severity' || severity.operator !== 'In' || !only(severity, ['key', 'operator', 'values']) || !severities || severities.some((s) => s !== 'warning' && s !== 'critical')) return `the router ${e.object.metadata.name} selects severities the model does not name`;
    }
    const names = strings(obj(spec.receivers).name) ?? [];
    const rs = names.map((n) => byObjectName.get(n));
    if (rs.length === 0 || rs.some((r) => r === undefined)) return `the router ${e.object.metadata.name} names a receiver that is not the routing's`;
    routes.push({ receivers: rs as string[], ...(severities ? { severities } : {}) });
  }
  const all = receivers.map(([n]) => n).sort();
  const isDefault = routes.length === 1 && routes[0].severities === undefined && JSON.stringify([...routes[0].receivers].sort()) === JSON.stringify(all);
  const sn = secretNamespace ?? NOTIFICATION_SECRET_NAMESPACE;
  const text = (c: Code): string => c.render((r) => r.key);
  const key = JSON.stringify([receivers.map(([n, c]) => [n, text(c)]), isDefault ? undefined : routes, sn]);
  return { receivers, ...(isDefault ? {} : { routes }), secretNamespace: sn, key, objects: [...objects] };
}

/** `Channel.<factory>({ … })`, from its properties' code. */
function call(factory: string, parts: readonly (Code | string)[]): Code {
  const out: Code[] = [];
  parts.forEach((p, i) => out.push(typeof p === 'string' ? new Code(p) : p, new Code(i < parts.length - 1 ? ', ' : '')));
  return code(['Channel'])`Channel.${factory}({ ${join(out)} })`;
}

function join(codes: readonly Code[]): Code {
  return new Code(codes.flatMap((c) => c.parts), [...new Set(codes.flatMap((c) => c.names))]);
}

/**
 * The tenants' alert routing: each tenant's notification objects, environment by environment; the environments
 * whose routing is the same become one `tenant.routeAlerts(name, { environments, receivers, routes })`.
 */
export const alertRoutingPass: EstatePass = (ctx) => {
  const groups = new Map<string, ExportedObject[]>();
  for (const e of ctx.unclaimed()) {
    const o: KubeObject = e.object;
    if (!o.apiVersion.startsWith(NOTIFICATION_API) || !['Config', 'Receiver', 'Router'].includes(o.kind)) continue;
    const tenant = o.metadata.labels?.[TENANT_LABEL];
    const environment = o.metadata.labels?.[ENVIRONMENT_LABEL];
    if (!tenant || !environment || !ctx.index.tenants.has(tenant) || !ctx.index.environments.has(environment)) continue;
    const key = `${tenant}\0${environment}\0${e.cluster}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(e);
  }
  // tenant → routing key → environments and their readings
  const byTenant = new Map<string, Map<string, { environments: string[]; read: ReadRouting[] }>>();
  for (const [key, objects] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [tenant, environment] = key.split('\0');
    const read = readRouting(ctx, tenant, environment, objects);
    if (typeof read === 'string') continue;
    const routings = byTenant.get(tenant) ?? byTenant.set(tenant, new Map()).get(tenant)!;
    const same = routings.get(read.key) ?? routings.set(read.key, { environments: [], read: [] }).get(read.key)!;
    if (!same.environments.includes(environment)) same.environments.push(environment);
    same.read.push(read);
  }
  const order = [...ctx.index.environments.keys()];
  for (const [tenant, routings] of byTenant) {
    let n = 0;
    for (const { environments, read } of routings.values()) {
      const r = read[0];
      const envs = [...environments].sort((a, b) => order.indexOf(a) - order.indexOf(b));
      const props: Code[] = [new Code(`environments: ${literal(envs)}`)];
      const receivers: Code[] = [new Code('receivers: { ')];
      r.receivers.forEach(([name, channel], i) => receivers.push(new Code(`${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : str(name)}: `), channel, new Code(i < r.receivers.length - 1 ? ', ' : ' }')));
      props.push(join(receivers));
      if (r.routes) {
        const routes = r.routes.map((x) => `{ receivers: ${literal(x.receivers)}${x.severities ? `, severities: [${x.severities.map((s) => `AlertSeverity.${s.toUpperCase()}`).join(', ')}]` : ''} }`);
        props.push(new Code(`routes: [${routes.join(', ')}]`, r.routes.some((x) => x.severities) ? ['AlertSeverity'] : []));
      }
      if (r.secretNamespace !== NOTIFICATION_SECRET_NAMESPACE) props.push(new Code(`secretNamespace: ${str(r.secretNamespace)}`));
      const name = routings.size === 1 ? 'alerts' : `alerts-${++n}`;
      const body: Code[] = [];
      props.forEach((p, i) => body.push(new Code('    '), p, new Code(i < props.length - 1 ? ',\n' : ',\n')));
      ctx.statement(code()`${Ref.tenant(tenant)}.routeAlerts(${str(name)}, {\n${join(body)}  })`);
      for (const x of read) for (const e of x.objects) ctx.claim(e, 'typed', `alert routing ${name} of tenant ${tenant}`);
    }
  }
};
