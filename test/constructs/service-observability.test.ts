/**
 * Observability of app services: a ServiceMonitor for the metrics port (with the labels the cluster's Prometheus
 * selects, and a network policy that lets only it in), the standard alert rules in a PrometheusRule, and the
 * labels and annotations the log collectors (KubeSphere logging / Fluent Bit, ELK / Filebeat) read.
 */
import { ClusterRole, Duration, LogFormat, Target } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const API = 'acme/shop/storefront/api';
const PORTS = [{ port: 80, containerPort: 8080 }, { port: 9090, name: 'metrics', containerPort: 9464 }];

describe('observability', () => {
  describe('metrics', () => {
    it('write a ServiceMonitor of the metrics port, selecting the service\'s pods in its namespace', () => {
      const f = fixture();
      addService(f, 'api', { ports: PORTS, metrics: { port: 'metrics', interval: Duration.seconds(15) } });

      const objects = synth(f.platform);
      const sm = at(objects, 'host/ServiceMonitor/storefront/api');
      expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(sm.spec).toEqual({
        selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
        namespaceSelector: { matchNames: ['storefront'] },
        endpoints: [{ port: 'metrics', path: '/metrics', interval: '15s' }],
      });
      expect(at(objects, 'member-test/ServiceMonitor/storefront/api').spec.namespaceSelector).toEqual({ matchNames: ['storefront'] });
    });

    it('scrape the first port at /metrics every 30 seconds by default, or a port given by number and another path', () => {
      const f = fixture();
      addService(f, 'api', { metrics: {} });
      addService(f, 'web', { ports: PORTS, metrics: { port: 9090, path: '/actuator/prometheus', interval: Duration.minutes(1) } });

      const objects = synth(f.platform);
      expect(at(objects, 'host/ServiceMonitor/storefront/api').spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
      expect(at(objects, 'host/ServiceMonitor/storefront/web').spec.endpoints).toEqual([{ port: 'metrics', path: '/actuator/prometheus', interval: '60s' }]);
    });

    it('carry the labels KubeSphere\'s Prometheus selects, or the cluster\'s own, or none on plain Kubernetes', () => {
      const f = fixture();
      f.platform.addCluster('member-2', { role: ClusterRole.MEMBER, monitoringLabels: { release: 'prometheus' } });
      const staging = f.platform.addEnvironment('staging', { clusters: ['member-2'], domain: 'staging.example.com' });
      f.project.placeIn(staging);
      addService(f, 'api', { ports: PORTS, metrics: { port: 'metrics' }, alerts: true });

      const objects = synth(f.platform);
      for (const kind of ['ServiceMonitor', 'PrometheusRule']) {
        const name = kind === 'ServiceMonitor' ? 'api' : 'api-alerts';
        expect(at(objects, `host/${kind}/storefront/${name}`).metadata.labels).toMatchObject({ 'app.kubernetes.io/vendor': 'kubesphere', 'app.kubernetes.io/name': 'api' });
        const custom = at(objects, `member-2/${kind}/storefront/${name}`).metadata.labels;
        expect(custom).toMatchObject({ release: 'prometheus', 'app.kubernetes.io/name': 'api' });
        expect(custom['app.kubernetes.io/vendor']).toBeUndefined();
      }

      const k = fixture(Target.KUBERNETES);
      addService(k, 'api', { ports: PORTS, metrics: { port: 'metrics' } });
      const plain = at(synth(k.platform), 'host/ServiceMonitor/storefront/api').metadata.labels;
      expect(Object.keys(plain).sort()).toEqual(['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/name', 'app.kubernetes.io/part-of', 'platform-cdk.io/environment', 'platform-cdk.io/tenant']);
    });

    it('let only the cluster\'s Prometheus reach the metrics ports, on their container ports', () => {
      const f = fixture();
      addService(f, 'api', { ports: PORTS, metrics: { port: 'metrics' } });
      addService(f, 'web', { metrics: {} });
      addService(f, 'quiet');
      const k = fixture(Target.KUBERNETES);
      addService(k, 'api', { ports: PORTS, metrics: { port: 'metrics' } });

      const policy = at(synth(f.platform), 'host/NetworkPolicy/storefront/allow-monitoring');
      expect(policy.spec).toEqual({
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api', 'web'] }] },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kubesphere-monitoring-system' } } }], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 9464 }] }],
      });
      expect(at(synth(k.platform), 'host/NetworkPolicy/storefront/allow-monitoring').spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    });

    it('write no ServiceMonitor and no monitoring policy for a service without metrics', () => {
      const f = fixture();
      addService(f, 'api');

      const keys = [...synth(f.platform).keys()];
      expect(keys.filter((k) => /ServiceMonitor|PrometheusRule|allow-monitoring/.test(k))).toEqual([]);
    });
  });

  describe('alert rules', () => {
    it('alert on unavailable replicas and restarts by default, labelled with tenant, environment and service', () => {
      const f = fixture();
      addService(f, 'api', { alerts: true });

      const rule = at(synth(f.platform), 'host/PrometheusRule/storefront/api-alerts');
      expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(rule.spec.groups).toHaveLength(1);
      const group = rule.spec.groups[0];
      expect(group.name).toBe('storefront.api');
      expect(group.rules.map((r: any) => [r.alert, r.expr, r.for])).toEqual([
        ['ServiceReplicasUnavailable', 'kube_deployment_status_replicas_unavailable{namespace="storefront",deployment="api"} > 0', '10m'],
        ['ServiceRestartingOften', 'increase(kube_pod_container_status_restarts_total{namespace="storefront",container="api"}[15m]) > 3', undefined],
      ]);
      for (const r of group.rules) expect(r.labels).toEqual({ severity: 'warning', tenant: 'shop', environment: 'production', service: 'api' });
    });

    it('alert on the error rate where one is declared, over the service\'s metrics', () => {
      const f = fixture();
      addService(f, 'api', { ports: PORTS, metrics: { port: 'metrics' }, alerts: { restarts: 5, errorRate: { threshold: 0.05 } } });
      addService(f, 'web', { metrics: {}, alerts: { unavailableReplicas: false, restarts: 0, errorRate: { threshold: 0.01, metric: 'http_requests_total', status: { label: 'code', failures: '5..|429' } } } });

      const objects = synth(f.platform);
      const api = at(objects, 'host/PrometheusRule/storefront/api-alerts').spec.groups[0].rules;
      expect(api.map((r: any) => r.alert)).toEqual(['ServiceReplicasUnavailable', 'ServiceRestartingOften', 'ServiceErrorRateHigh']);
      expect(api[1].expr).toContain('[15m]) > 5');
      expect(api[2]).toMatchObject({
        expr: 'sum(rate(http_server_requests_seconds_count{namespace="storefront",service="api",status=~"5.."}[5m])) / sum(rate(http_server_requests_seconds_count{namespace="storefront",service="api"}[5m])) > 0.05',
        for: '5m',
        labels: { severity: 'critical', tenant: 'shop', environment: 'production', service: 'api' },
      });
      const web = at(objects, 'host/PrometheusRule/storefront/web-alerts').spec.groups[0].rules;
      expect(web.map((r: any) => r.alert)).toEqual(['ServiceErrorRateHigh']);
      expect(web[0].expr).toBe('sum(rate(http_requests_total{namespace="storefront",service="web",code=~"5..|429"}[5m])) / sum(rate(http_requests_total{namespace="storefront",service="web"}[5m])) > 0.01');
      expect(at(objects, 'member-test/PrometheusRule/storefront/web-alerts').spec.groups[0].rules[0].labels.environment).toBe('test');
    });

    it('write no PrometheusRule when every rule is switched off, or none is declared', () => {
      const f = fixture();
      addService(f, 'api', { alerts: { unavailableReplicas: false, restarts: 0 } });
      addService(f, 'web');

      expect([...synth(f.platform).keys()].filter((k) => k.includes('PrometheusRule'))).toEqual([]);
    });
  });

  describe('logs', () => {
    it('label every pod with tenant, project, service and environment, which the log collectors add to each record', () => {
      const f = fixture();
      addService(f, 'api');

      const objects = synth(f.platform);
      for (const [cluster, env] of [['host', 'production'], ['member-test', 'test']]) {
        const template = at(objects, `${cluster}/Deployment/storefront/api`).spec.template;
        expect(template.metadata.labels).toMatchObject({ 'platform-cdk.io/tenant': 'shop', 'app.kubernetes.io/part-of': 'storefront', 'app.kubernetes.io/name': 'api', 'platform-cdk.io/environment': env });
        // Text logs need no collector hints.
        expect(template.metadata.annotations).toBeUndefined();
      }
    });

    it('tell Fluent Bit and Filebeat that logs are JSON, and where a multi-line record starts', () => {
      const f = fixture();
      addService(f, 'api', { logs: { format: LogFormat.JSON, multilineStart: '^\\d{4}-\\d{2}-\\d{2}' } });

      const annotations = at(synth(f.platform), 'host/Deployment/storefront/api').spec.template.metadata.annotations;
      expect(annotations).toEqual({
        'fluentbit.io/parser': 'json',
        'co.elastic.logs/json.keys_under_root': 'true',
        'co.elastic.logs/json.add_error_key': 'true',
        'co.elastic.logs/multiline.pattern': '^\\d{4}-\\d{2}-\\d{2}',
        'co.elastic.logs/multiline.negate': 'true',
        'co.elastic.logs/multiline.match': 'after',
      });
    });

    it('tell both collectors to skip a service whose logs are not collected', () => {
      const f = fixture();
      addService(f, 'api', { logs: { collect: false, format: LogFormat.JSON } });

      expect(at(synth(f.platform), 'host/Deployment/storefront/api').spec.template.metadata.annotations).toEqual({ 'fluentbit.io/exclude': 'true', 'co.elastic.logs/enabled': 'false' });
    });
  });

  describe('bad observability settings', () => {
    it('are reported all at once, with path, property, value and fix', () => {
      const f = fixture();
      addService(f, 'api', {
        ports: PORTS,
        metrics: { port: 'prometheus', path: 'metrics', interval: Duration.millis(500) },
        alerts: { restarts: -1, errorRate: { threshold: 5, metric: 'http-requests', status: { label: 'status-code', failures: '5..' } } },
        logs: { multilineStart: '^(\\d' },
      });
      addService(f, 'web', { alerts: { errorRate: { threshold: 0.1 } } });

      const lines = validationErrors(f.platform);
      const expectations: [string, string, string][] = [
        [API, 'metrics.port', '"prometheus"'],
        [API, 'metrics.path', '"metrics"'],
        [API, 'metrics.interval', '"500 millis"'],
        [API, 'alerts.restarts', '-1'],
        [API, 'alerts.errorRate.threshold', '5'],
        [API, 'alerts.errorRate.metric', '"http-requests"'],
        [API, 'alerts.errorRate.status.label', '"status-code"'],
        [API, 'logs.multilineStart', '"^(\\\\d"'],
        ['acme/shop/storefront/web', 'alerts.errorRate', '0.1'],
      ];
      for (const [path, property, value] of expectations) {
        const line = lineFor(lines, path, property);
        expect(line).toContain(`got ${value};`);
        expect(line).toMatch(/\. Fix: .+\.$/);
      }
      expect(lineFor(lines, API, 'metrics.port')).toContain('(ports: http=80, metrics=9090)');
      expect(lineFor(lines, 'acme/shop/storefront/web', 'alerts.errorRate')).toContain('an error-rate alert needs the service\'s metrics');
    });
  });
});
