/**
 * Alert routing (`tenant.routeAlerts`, KubeSphere's notification manager objects) round-trips through
 * `platform-cdk import` (lib/import/alerting.ts); a routing the program cannot say stays an escape hatch, and no
 * credential is written as a value.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { AlertSeverity, Channel, ClusterRole, Duration, ExistingSecret, Platform, Registry, ManifestStack } from 'platform-cdk';
import { formatOutputDiff } from '../../../lib/diff';
import { importEstate } from '../../../lib/import';
import { tiered } from '../../tier';
import { roundTrip, writeExport } from './roundtrip';

/** An estate with a test and a production environment and one tenant of two projects. */
function estate(): { platform: Platform; tenant: ReturnType<Platform['addTenant']> } {
  const platform = new Platform('acme');
  platform.addCluster('host', { role: ClusterRole.HOST });
  const test = platform.addCluster('test-1', { role: ClusterRole.MEMBER });
  const prod = platform.addCluster('prod-1', { role: ClusterRole.MEMBER });
  platform.addEnvironment('test', { clusters: [test] });
  platform.addEnvironment('production', { clusters: [prod], production: true });
  const tenant = platform.addTenant('orders', { manager: 'alice' });
  for (const p of ['orders', 'billing']) {
    tenant.addProject(p, { environments: ['test', 'production'] }).addService('api', { image: Registry.at('harbor.example.com').image(`${p}/api`, '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] });
  }
  return { platform, tenant };
}

const secret = ExistingSecret.named('alerting');

test('routings of every channel, with severities and a repeat interval, round-trip as routeAlerts', () => {
  const { platform, tenant } = estate();
  tenant.routeAlerts('oncall', {
    environments: ['production'],
    receivers: {
      wecom: Channel.weCom({ corpId: 'ww5f3c', agentId: '1000017', apiSecret: secret.key('wecom'), toUser: ['bob', 'o.neil'] }),
      mail: Channel.email({ to: ['sre@example.com'], from: 'alerts@example.com', smtp: { host: 'smtp.example.com', port: 465 }, username: 'alerts', password: secret.key('smtp-password'), requireTls: false }),
      'slack-sre': Channel.slack({ channel: '#sre "oncall"', credentials: secret.key('slack') }),
    },
    routes: [{ receivers: ['wecom', 'slack-sre'], severities: [AlertSeverity.CRITICAL] }, { receivers: ['mail'] }],
  });
  tenant.routeAlerts('team', {
    environments: ['test'],
    repeatInterval: Duration.hours(12),
    receivers: { bot: Channel.dingTalk({ webhook: secret.key('dingtalk'), signingSecret: secret.key('dingtalk-sign'), keywords: ['alert'] }), hook: Channel.webhook({ url: 'https://hooks.example.com/a?b=c', bearerToken: secret.key('hook') }) },
  });
  const r = roundTrip(platform, 'alerting');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  const p = r.imported.program;
  expect(p).toContain("routes: [{ receivers: ['slack-sre', 'wecom'], severities: [AlertSeverity.CRITICAL] }, { receivers: ['mail'] }],");
  expect(p).toContain("Channel.weCom({ corpId: 'ww5f3c', agentId: '1000017', apiSecret: ExistingSecret.named('alerting').key('wecom'), toUser: ['bob', 'o.neil'] })");
  expect(p).toContain("smtp: { host: 'smtp.example.com', port: 465 }");
  expect(p).toContain('requireTls: false');
  expect(r.imported.report.filter((e) => /^(Config|Receiver|Router) /.test(e.object)).every((e) => e.outcome === 'typed')).toBe(true);
  expect(r.imported.summary.hatch).toBe(0);
});

test('environments with the same routing become one call; a receiver the model does not write stays an escape hatch', () => {
  const { platform, tenant } = estate();
  tenant.routeAlerts('all', { receivers: { mail: Channel.email({ to: ['a@example.com'], from: 'alerts@example.com', smtp: { host: 'smtp.example.com' } }) } });
  const r = roundTrip(platform, 'alerting-same');
  expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
  expect(r.imported.program).toContain("environments: ['test', 'production'],");
  expect(r.imported.program.match(/routeAlerts\(/g)).toHaveLength(1);

  const dir = writeExport(new ManifestStack(platform).files());
  try {
    const file = path.join(dir, 'host', '00-cluster.yaml');
    const list = JSON.parse(fs.readFileSync(file, 'utf8')) as { items: { kind: string; metadata: { name: string }; spec: Record<string, Record<string, unknown>> }[] };
    const receiver = list.items.find((o) => o.kind === 'Receiver' && o.metadata.name === 'orders-test-mail')!;
    receiver.spec.email.tmplText = { name: 'custom' };
    fs.writeFileSync(file, JSON.stringify(list));
    const again = importEstate(dir, { platform: 'acme' });
    expect(again.report.find((e) => e.object.includes('orders-test-mail') && e.object.startsWith('Receiver'))?.outcome).toBe('hatch');
    // The production environment's routing is still typed.
    expect(again.program).toContain("environments: ['production'],");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('whatever e-mail routing of generated addresses, hosts and ports round-trips', () => {
  const local = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/);
  let run = 0;
  fc.assert(
    fc.property(fc.array(local, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/), fc.integer({ min: 1, max: 65535 }), fc.boolean(), (to, host, port, critical) => {
      const { platform, tenant } = estate();
      tenant.routeAlerts('r', {
        receivers: { mail: Channel.email({ to: to.map((x) => `${x}@example.com`), from: 'alerts@example.com', smtp: { host: `${host}.example.com`, port } }) },
        ...(critical ? { routes: [{ receivers: ['mail'], severities: [AlertSeverity.CRITICAL] }] } : {}),
      });
      const r = roundTrip(platform, `alerting-property-${++run}`);
      expect(formatOutputDiff(r.diff).trim()).toBe('no differences');
      expect(r.imported.summary.hatch).toBe(0);
    }),
    { seed: 20261206, numRuns: tiered(3, 12) },
  );
});
