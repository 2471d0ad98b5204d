/**
 * Alert routing (`tenant.routeAlerts(...)`): KubeSphere's notification manager objects on KubeSphere targets, an
 * AlertmanagerConfig per namespace on plain Kubernetes; each schema-valid, per tenant and environment, matching
 * only the tenant's own namespaces, with credentials as secret references only.
 */
import * as fc from 'fast-check';
import * as pulumi from '@pulumi/pulumi';
import { AlertSeverity, Channel, Duration, ExistingSecret, SecretStore, Target, validatePlatform } from 'platform-cdk';
import type { KubeObject, Platform } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthObjects, synthValid as synth, validationErrors } from '../fixture';
import { HAS_KUBESPHERE_V4, KUBESPHERE_V4_DIR, validator, validatorV3 } from '../schemas';
import { checkPlatform } from '../../lib/check';
import type { Fixture } from '../fixture';
import { echoMocks, usePulumiMocks } from '../pulumi-mocks';

const vault = SecretStore.cluster('vault');
const smtp = ExistingSecret.named('smtp').key('password');

/** A routing with one receiver of each channel kind (DingTalk only where the target has it). */
function routeAll(f: Fixture, dingTalk = true) {
  addService(f, 'web', { alerts: true });
  return f.tenant.routeAlerts('oncall', {
    receivers: {
      mail: Channel.email({ to: ['shop-oncall@example.com'], from: 'alerts@example.com', smtp: { host: 'smtp.example.com' }, username: 'alerts', password: smtp }),
      wecom: Channel.weCom({ corpId: 'ww1234567890', agentId: '1000002', apiSecret: vault.key('alerting/wecom', { property: 'secret' }), toParty: ['12', '13'] }),
      slack: Channel.slack({ channel: '#shop-oncall', credentials: vault.key('alerting/slack') }),
      hook: Channel.webhook({ url: 'https://pager.example.com/alerts', bearerToken: ExistingSecret.named('pager').key('token') }),
      ...(dingTalk ? { ding: Channel.dingTalk({ webhook: vault.key('alerting/dingtalk'), keywords: ['alert'] }) } : {}),
    },
    routes: [{ receivers: ['wecom', 'hook'], severities: [AlertSeverity.CRITICAL] }, { receivers: ['mail', 'slack', ...(dingTalk ? ['ding'] : [])] }],
  });
}

const keysOf = (objects: Map<string, KubeObject>, part: string): string[] => [...objects.keys()].filter((k) => k.includes(part)).sort();

describe('alert routing on KubeSphere targets', () => {
  it.each([Target.KUBESPHERE_V4_1, Target.KUBESPHERE_V3_4])('writes the notification manager\'s Configs, Receivers and Routers on each cluster of the tenant (%s), schema-valid', (target) => {
    const f = fixture(target);
    routeAll(f);
    const objects = target === Target.KUBESPHERE_V4_1 ? synth(f.platform) : synthObjects(f.platform);
    if (target === Target.KUBESPHERE_V3_4) {
      const v3 = validatorV3();
      const routing = [...objects].filter(([k]) => /\/(Router|Receiver|Config|ExternalSecret)\//.test(k));
      expect(routing.length).toBeGreaterThan(10);
      expect(routing.flatMap(([k, o]) => v3.validate(o).map((x) => `${k} ${x.path}: ${x.message}`))).toEqual([]);
    }
    expect(keysOf(objects, 'host/Router/-/shop-production')).toEqual(['host/Router/-/shop-production-1', 'host/Router/-/shop-production-2']);
    // KubeSphere 4.1's notification extension runs on the host, 3.4's notification manager on every cluster.
    const testCluster = target === Target.KUBESPHERE_V4_1 ? 'host' : 'member-test';
    expect(keysOf(objects, 'member-test/Receiver/').length).toBe(target === Target.KUBESPHERE_V4_1 ? 0 : 5);
    expect(keysOf(objects, `${testCluster}/Receiver/-/shop-test`)).toEqual(['ding', 'hook', 'mail', 'slack', 'wecom'].map((r) => `${testCluster}/Receiver/-/shop-test-${r}`));
    expect(keysOf(objects, `${testCluster}/Config/-/shop-test`)).toEqual(['mail', 'slack', 'wecom'].map((r) => `${testCluster}/Config/-/shop-test-${r}`));

    const router = objectAt(objects, 'host/Router/-/shop-production-1') as any;
    expect(router.apiVersion).toBe('notification.kubesphere.io/v2beta2');
    expect(router.spec).toEqual({
      alertSelector: { matchExpressions: [{ key: 'namespace', operator: 'In', values: ['storefront'] }, { key: 'environment', operator: 'In', values: ['production'] }, { key: 'severity', operator: 'In', values: ['critical'] }] },
      receivers: { name: ['shop-production-hook', 'shop-production-wecom'] },
    });
    const mail = objectAt(objects, 'host/Receiver/-/shop-production-mail') as any;
    expect(mail.metadata.labels).toMatchObject({ type: 'tenant', 'platform-cdk.io/alert-receiver': 'shop-production-mail', 'platform-cdk.io/tenant': 'shop', 'platform-cdk.io/environment': 'production' });
    expect(mail.metadata.labels.user).toBeUndefined();
    expect(mail.spec).toEqual({ email: { enabled: true, to: ['shop-oncall@example.com'], alertSelector: { matchExpressions: [{ key: 'namespace', operator: 'In', values: ['storefront'] }, { key: 'environment', operator: 'In', values: ['production'] }] }, emailConfigSelector: { matchLabels: { 'platform-cdk.io/alert-receiver': 'shop-production-mail' } } } });
    expect((objectAt(objects, 'host/Config/-/shop-production-mail') as any).spec.email).toEqual({
      from: 'alerts@example.com', smartHost: { host: 'smtp.example.com', port: 587 }, requireTLS: true, authUsername: 'alerts',
      authPassword: { valueFrom: { secretKeyRef: { namespace: 'kubesphere-monitoring-federated', name: 'smtp', key: 'password' } } },
    });
    // Store references: one ExternalSecret in the notification manager's namespace, keyed by receiver and field.
    const es = objectAt(objects, 'host/ExternalSecret/kubesphere-monitoring-federated/shop-production-alerts-vault') as any;
    expect(es.spec.data.map((d: any) => d.secretKey)).toEqual(['ding.webhook', 'slack.credentials', 'wecom.apiSecret']);
    expect((objectAt(objects, 'host/Config/-/shop-production-wecom') as any).spec.wechat.wechatApiSecret).toEqual({ valueFrom: { secretKeyRef: { namespace: 'kubesphere-monitoring-federated', name: 'shop-production-alerts-vault', key: 'wecom.apiSecret' } } });
    expect((objectAt(objects, 'host/Receiver/-/shop-production-ding') as any).spec.dingtalk.chatbot).toEqual({ webhook: { valueFrom: { secretKeyRef: { namespace: 'kubesphere-monitoring-federated', name: 'shop-production-alerts-vault', key: 'ding.webhook' } } }, keywords: ['alert'] });
    expect((objectAt(objects, 'host/Receiver/-/shop-production-hook') as any).spec.webhook).toMatchObject({ url: 'https://pager.example.com/alerts', httpConfig: { bearerToken: { valueFrom: { secretKeyRef: { name: 'pager', key: 'token' } } } } });
    // No AlertmanagerConfig on KubeSphere targets.
    expect(keysOf(objects, '/AlertmanagerConfig/')).toEqual([]);
  });

  it('keeps tenants apart: a tenant\'s routers and receivers select only its own namespaces, on a cluster they share', () => {
    const f = fixture();
    routeAll(f);
    const ads = f.platform.addTenant('ads', { manager: 'bob' });
    ads.addProject('banners', { environments: [f.test, f.production] }).addService('banner', { image: f.registry.image('ads/banner', '1.0.0'), ports: [{ port: 8080 }], alerts: true });
    ads.addProject('tracking', { environments: [f.production] });
    ads.routeAlerts('team', { receivers: { mail: Channel.email({ to: ['ads@example.com'], from: 'alerts@example.com', smtp: { host: 'smtp.example.com', port: 465 } }) } });
    const objects = synth(f.platform);
    const selected = (key: string): unknown => (objectAt(objects, key) as any).spec.alertSelector.matchExpressions[0].values;
    expect(selected('host/Router/-/ads-production')).toEqual(['banners', 'tracking']);
    expect(selected('host/Router/-/shop-production-2')).toEqual(['storefront']);
    expect((objectAt(objects, 'host/Receiver/-/ads-production-mail') as any).spec.email.alertSelector.matchExpressions[0].values).toEqual(['banners', 'tracking']);
    expect((objectAt(objects, 'host/Router/-/ads-test') as any).spec.receivers).toEqual({ name: ['ads-test-mail'] });
    expect((objectAt(objects, 'host/Router/-/ads-test') as any).spec.alertSelector.matchExpressions[1]).toEqual({ key: 'environment', operator: 'In', values: ['test'] });
  });

  it('routes per environment: a routing covers only its environments, previews never', () => {
    const f = fixture();
    addService(f, 'web', { alerts: true });
    f.tenant.routeAlerts('production', { environments: ['production'], receivers: { pager: Channel.webhook({ url: 'https://pager.example.com/shop' }) } });
    f.tenant.routeAlerts('test', { environments: [f.test], repeatInterval: Duration.hours(12), receivers: { mail: Channel.email({ to: ['dev@example.com'], from: 'alerts@example.com', smtp: { host: 'smtp.example.com' } }) } });
    f.platform.addPreview('feature-x', { baseline: 'test', owner: f.tenant.addDepartment('devs', { members: ['carol'] }), expires: '2026-12-15', services: { web: {} } });
    const objects = synth(f.platform);
    expect(keysOf(objects, '/Receiver/')).toEqual(['host/Receiver/-/shop-production-pager', 'host/Receiver/-/shop-test-mail']);
    // The preview's namespace is not among the test environment's.
    expect((objectAt(objects, 'host/Router/-/shop-test') as any).spec.alertSelector.matchExpressions[0].values).toEqual(['storefront']);
  });
});

describe('alert routing on plain Kubernetes', () => {
  it('writes an AlertmanagerConfig in each namespace of the tenant, matching that namespace, schema-valid', () => {
    const f = fixture(Target.KUBERNETES);
    routeAll(f, false);
    const objects = synth(f.platform);
    expect(keysOf(objects, '/AlertmanagerConfig/')).toEqual(['host/AlertmanagerConfig/storefront/alerts-oncall', 'member-test/AlertmanagerConfig/storefront/alerts-oncall']);
    const amc = objectAt(objects, 'host/AlertmanagerConfig/storefront/alerts-oncall') as any;
    expect(amc.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
    expect(amc.spec.route).toEqual({
      receiver: 'unrouted',
      matchers: [{ name: 'namespace', value: 'storefront', matchType: '=' }],
      groupBy: ['alertname', 'service'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '240m',
      routes: [
        { receiver: 'wecom', continue: true, matchers: [{ name: 'severity', value: 'critical', matchType: '=' }] },
        { receiver: 'hook', continue: true, matchers: [{ name: 'severity', value: 'critical', matchType: '=' }] },
        { receiver: 'mail', continue: true },
        { receiver: 'slack', continue: true },
      ],
    });
    const byName = Object.fromEntries(amc.spec.receivers.map((r: any) => [r.name, r]));
    expect(byName.unrouted).toEqual({ name: 'unrouted' });
    expect(byName.mail.emailConfigs[0]).toEqual({ sendResolved: true, to: 'shop-oncall@example.com', from: 'alerts@example.com', smarthost: 'smtp.example.com:587', requireTLS: true, authUsername: 'alerts', authPassword: { name: 'smtp', key: 'password' } });
    expect(byName.wecom.wechatConfigs[0]).toEqual({ sendResolved: true, corpID: 'ww1234567890', agentID: '1000002', apiSecret: { name: 'alerts-oncall-vault', key: 'wecom.apiSecret' }, toParty: '12|13' });
    expect(byName.slack.slackConfigs[0]).toEqual({ sendResolved: true, apiURL: { name: 'alerts-oncall-vault', key: 'slack.credentials' }, channel: '#shop-oncall' });
    expect(byName.hook.webhookConfigs[0]).toEqual({ sendResolved: true, url: 'https://pager.example.com/alerts', httpConfig: { authorization: { type: 'Bearer', credentials: { name: 'pager', key: 'token' } } } });
    expect((objectAt(objects, 'host/ExternalSecret/storefront/alerts-oncall-vault') as any).spec.data.map((d: any) => d.secretKey)).toEqual(['slack.credentials', 'wecom.apiSecret']);
    expect(keysOf(objects, '/Router/')).toEqual([]);
  });

  it('refuses DingTalk, which Alertmanager cannot send to, with the bridge as the fix', () => {
    const f = fixture(Target.KUBERNETES);
    routeAll(f);
    expect(lineFor(validationErrors(f.platform), 'acme/shop/oncall', 'receivers["ding"]')).toContain('no DingTalk integration');
  });
});

describe('alert routing checks', () => {
  const errorsOf = (platform: Platform): string[] => validationErrors(platform);

  it('refuse literal credentials, withholding them, whatever the field', () => {
    const f = fixture();
    f.tenant.routeAlerts('oncall', {
      receivers: {
        slack: Channel.slack({ channel: '#x', credentials: 'xoxb-1234567890-abcdefghijkl' as never }),
        mail: Channel.email({ to: ['a@example.com'], from: 'b@example.com', smtp: { host: 'smtp.example.com' }, username: 'u', password: 'hunter22' as never }),
        hook: Channel.webhook({ url: 'https://hooks.slack.com/services/T0000000/B0000000/abcdefghijklmnopqrstuvwx' }),
        robot: Channel.webhook({ url: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123' }),
        feishu: Channel.webhook({ url: 'https://open.feishu.cn/open-apis/bot/v2/hook/0f8c1d2e-3a4b-5c6d-7e8f-9a0b1c2d3e4f' }),
      },
    });
    const lines = errorsOf(f.platform);
    const text = lines.join('\n');
    for (const secret of ['xoxb-1234567890', 'hunter22', 'abcdefghijklmnopqrstuvwx', '0123456789abcdef0123', '0f8c1d2e-3a4b']) expect(text).not.toContain(secret);
    expect(lineFor(lines, 'acme/shop/oncall', 'receivers["slack"].credentials')).toContain('value withheld');
    expect(lineFor(lines, 'acme/shop/oncall', 'receivers["mail"].password')).toContain('(rule secret-name)');
    expect(lineFor(lines, 'acme/shop/oncall', 'receivers["hook"].url')).toContain('rule slack-token');
    expect(lineFor(lines, 'acme/shop/oncall', 'receivers["robot"].url')).toContain('value withheld');
    expect(lineFor(lines, 'acme/shop/oncall', 'receivers["feishu"].url')).toContain('rule chat-webhook');
  });

  it('refuse bad receivers, routes and environments, each with the path, property, value and fix', () => {
    const f = fixture();
    f.tenant.routeAlerts('Bad_Name', {
      environments: ['nowhere'],
      receivers: {
        unrouted: Channel.webhook({ url: 'ftp://x' }),
        mail: Channel.email({ to: ['not-an-address'], from: 'alerts@example.com', smtp: { host: 'smtp example', port: 70000 }, username: 'u' }),
        wecom: Channel.weCom({ corpId: 'ww1', agentId: '1', apiSecret: vault.key('w') }),
        'Not A Name': Channel.slack({ channel: '#x\nInjected', credentials: vault.key('s') }),
      },
      routes: [{ receivers: ['ghost'], severities: ['page' as AlertSeverity] }, { receivers: [] }],
    });
    const lines = errorsOf(f.platform);
    const at = (property: string): string => lineFor(lines, 'acme/shop/Bad_Name', property);
    expect(at('name')).toContain('Fix: name the routing like "oncall"');
    expect(at('environments[0]')).toContain('got "nowhere"');
    expect(at('receivers["unrouted"]')).toContain('the receiver of the alerts no route takes');
    expect(at('receivers["unrouted"].url')).toContain('http:// or https://');
    expect(at('receivers["mail"].to[0]')).toContain('not an e-mail address');
    expect(at('receivers["mail"].smtp.host')).toContain('not a host name');
    expect(at('receivers["mail"].smtp.port')).toContain('between 1 and 65535');
    expect(at('receivers["mail"].password')).toContain('both a user name and a password');
    expect(at('receivers["wecom"].toUser')).toContain('users, parties or tags');
    expect(at('receivers["Not A Name"]')).toContain('part of object names');
    expect(at('receivers["Not A Name"].channel')).toContain('control characters');
    expect(at('routes[0].receivers[0]')).toContain('no receiver of this name');
    expect(at('routes[0].severities[0]')).toContain('warning and critical');
    expect(at('routes[1].receivers')).toContain('at least one receiver');
  });

  it('refuse two routings of one tenant for the same environment, and a routing without receivers', () => {
    const f = fixture();
    f.tenant.routeAlerts('a', { receivers: { hook: Channel.webhook({ url: 'https://a.example.com' }) } });
    f.tenant.routeAlerts('b', { environments: ['production'], receivers: {} });
    const lines = errorsOf(f.platform);
    expect(lineFor(lines, 'acme/shop/b', 'environments')).toContain('acme/shop/a routes the alerts of these environments already');
    expect(lineFor(lines, 'acme/shop/b', 'receivers')).toContain('at least one receiver');
  });

  it.each([Target.KUBESPHERE_V4_1, Target.KUBESPHERE_V3_4, Target.KUBERNETES])('pass the checks: schemas, policy rules and tenant isolation (%s)', (target) => {
    const f = fixture(target);
    routeAll(f, target !== Target.KUBERNETES);
    const result = checkPlatform(f.platform, { crdDirs: target === Target.KUBESPHERE_V4_1 && HAS_KUBESPHERE_V4 ? [KUBESPHERE_V4_DIR] : [] });
    expect(result.findings.filter((x) => x.severity === 'error' || /Router|Receiver|Config|AlertmanagerConfig|ExternalSecret/.test(x.object)).map((x) => `${x.rule} ${x.object}: ${x.message}`)).toEqual([]);
  });

  it('the excerpted schemas are strict: an unknown field or a wrong type is a finding', () => {
    const v = validator();
    const router = { apiVersion: 'notification.kubesphere.io/v2beta2', kind: 'Router', metadata: { name: 'x' }, spec: { alertSelector: {}, receivers: { name: ['a'], nmae: ['b'] } } };
    expect(v.validate(router).map((x) => x.message)).toEqual(['unknown field "nmae"']);
    const amc = { apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'AlertmanagerConfig', metadata: { name: 'x', namespace: 'y' }, spec: { route: { receiver: 'a', matchers: [{ name: 'namespace', matchType: '==' }] }, receivers: [{ name: 'a', emailConfigs: [{ to: ['not a string'] }] }] } };
    expect(v.validate(amc).length).toBeGreaterThanOrEqual(2);
  });

  it('accept a valid routing without problems', () => {
    const f = fixture();
    routeAll(f);
    expect(validatePlatform(f.platform).filter((p) => p.severity === 'error')).toEqual([]);
  });
});

describe('alert routing checks as properties', () => {
  const hostile = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('a@b.example.com\nBcc: x@evil.example.com', '#ops\r\n', '', ' ', 'https://hooks.slack.com/services/T0000000/B0000000/abcdefghijklmnopqrstuvwx', 'xoxb-1234567890-abcdefghijkl', 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123', 'ftp://x', 'javascript:alert(1)'),
  );
  const SECRETS = ['abcdefghijklmnopqrstuvwx', 'xoxb-1234567890', '0123456789abcdef0123'];

  it('hostile text in any field is refused or written as one line, never echoing a credential, never throwing', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (to, channel, url, corp) => {
        const f = fixture();
        addService(f, 'web', { alerts: true });
        f.tenant.routeAlerts('oncall', {
          receivers: {
            mail: Channel.email({ to: [to], from: 'alerts@example.com', smtp: { host: 'smtp.example.com' } }),
            slack: Channel.slack({ channel, credentials: vault.key('s') }),
            hook: Channel.webhook({ url }),
            wecom: Channel.weCom({ corpId: corp, agentId: '1', apiSecret: vault.key('w'), toUser: ['ops'] }),
          },
        });
        const problems = validatePlatform(f.platform).filter((p) => p.severity === 'error');
        const text = problems.map((p) => JSON.stringify(p.value) + p.message).join('\n');
        for (const secret of SECRETS) expect(text).not.toContain(secret);
        if (problems.length === 0) {
          const objects = synthObjects(f.platform);
          for (const o of objects.values()) expect(JSON.stringify(o)).not.toMatch(/\\[nr]|\\u0000/);
        }
      }),
      { seed: 20261208, numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The Pulumi output registers the same objects, on the cluster that runs them.

const mocks = echoMocks;
const pulumiModule = usePulumiMocks(mocks);

describe('alert routing in the Pulumi output', () => {
  it.each([Target.KUBESPHERE_V4_1, Target.KUBERNETES])('registers the routing objects on their cluster (%s): the host\'s stack holds the notification extension\'s, each namespace\'s its AlertmanagerConfig', async (target) => {
    const f = fixture(target);
    routeAll(f, target !== Target.KUBERNETES);
    pulumi.runtime.setMocks(mocks, 'platform-cdk-test', 'production', false);
    pulumi.runtime.setAllConfig({ 'platform-cdk:context-host': 'host' }, []);
    const stack = new (pulumiModule().PulumiStack)(f.platform);
    for (const o of stack.objects.values()) await new Promise((resolve) => o.resource.urn.apply(resolve));
    const keys = [...stack.objects.keys()].filter((k) => /Router|Receiver|Config\/|AlertmanagerConfig/.test(k) && !k.includes('ConfigMap')).sort();
    expect(keys).toEqual(
      target === Target.KUBERNETES
        ? ['host/monitoring.coreos.com/v1alpha1/AlertmanagerConfig/storefront/alerts-oncall']
        : ['host/notification.kubesphere.io/v2beta2/Config/-/shop-production-mail', 'host/notification.kubesphere.io/v2beta2/Config/-/shop-production-slack', 'host/notification.kubesphere.io/v2beta2/Config/-/shop-production-wecom',
          ...['ding', 'hook', 'mail', 'slack', 'wecom'].map((r) => `host/notification.kubesphere.io/v2beta2/Receiver/-/shop-production-${r}`),
          'host/notification.kubesphere.io/v2beta2/Router/-/shop-production-1', 'host/notification.kubesphere.io/v2beta2/Router/-/shop-production-2'].flatMap((k) => [k, k.replace('shop-production', 'shop-test')]).sort(),
    );
  });
});
