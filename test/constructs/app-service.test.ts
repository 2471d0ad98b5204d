import { AppService, Duration, Probe, Protocol } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, objectAt, synthObjects } from '../fixture';

function podSpecOf(deployment: KubeObject): any {
  return (deployment as any).spec.template.spec;
}

function containerOf(deployment: KubeObject): any {
  return podSpecOf(deployment).containers[0];
}

describe('AppService', () => {
  describe('objects', () => {
    it('renders a Deployment and a Service in its namespace on every cluster of its project', () => {
      const f = fixture();
      addService(f, 'web');

      const keys = [...synthObjects(f.platform).keys()].filter((k) => /\/(Deployment|Service)\//.test(k)).sort();
      expect(keys).toEqual([
        'host/Deployment/storefront/web',
        'host/Service/storefront/web',
        'member-test/Deployment/storefront/web',
        'member-test/Service/storefront/web',
      ]);
    });

    it('renders a ClusterIP Service that selects its pods and targets its ports by name', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 80, containerPort: 8080 }, { port: 9090, name: 'metrics' }, { port: 5353, protocol: Protocol.UDP }] });

      const service = objectAt(synthObjects(f.platform), 'host/Service/storefront/web') as any;
      expect(service.spec).toEqual({
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/name': 'web' },
        ports: [
          { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
          { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' },
          { name: 'port-5353', port: 5353, targetPort: 'port-5353', protocol: 'UDP' },
        ],
      });
      expect(containerOf(objectAt(synthObjects(f.platform), 'host/Deployment/storefront/web')).ports).toEqual([
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
        { name: 'port-5353', containerPort: 5353, protocol: 'UDP' },
      ]);
    });

    it('renders no Service, no container ports and no default probes when it has no ports', () => {
      const f = fixture();
      addService(f, 'worker', { ports: [], liveness: Probe.exec(['/bin/healthcheck']) });

      const objects = synthObjects(f.platform);
      expect(objects.has('host/Service/storefront/worker')).toBe(false);
      expect(objects.has('member-test/Service/storefront/worker')).toBe(false);
      const container = containerOf(objectAt(objects, 'host/Deployment/storefront/worker'));
      expect(container).not.toHaveProperty('ports');
      expect(container).not.toHaveProperty('readinessProbe');
      expect(container.livenessProbe.exec).toEqual({ command: ['/bin/healthcheck'] });
    });

    it('uses its name prop for the Deployment, Service and container instead of its id', () => {
      const f = fixture();
      const svc = addService(f, 'frontend', { name: 'web' });

      expect(svc.name).toBe('web');
      const objects = synthObjects(f.platform);
      expect(containerOf(objectAt(objects, 'host/Deployment/storefront/web')).name).toBe('web');
      expect(objects.has('host/Service/storefront/web')).toBe(true);
      expect(objects.has('host/Deployment/storefront/frontend')).toBe(false);
    });

    it('renders its image, command, args and env variables sorted by name', () => {
      const f = fixture();
      addService(f, 'web', { command: ['/app/server'], args: ['--port', '8080'], env: { ZONE: 'eu', LOG_LEVEL: 'info' } }).addEnv('APP_MODE', 'web');

      const container = containerOf(objectAt(synthObjects(f.platform), 'host/Deployment/storefront/web'));
      expect(container.image).toBe('harbor.example.com/shop/web:1.0.0');
      expect(container.imagePullPolicy).toBe('IfNotPresent');
      expect(container.command).toEqual(['/app/server']);
      expect(container.args).toEqual(['--port', '8080']);
      expect(container.env).toEqual([
        { name: 'APP_MODE', value: 'web' },
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'ZONE', value: 'eu' },
      ]);
    });

    it('selects its pods by app.kubernetes.io/name only, so the selector stays stable across releases', () => {
      const f = fixture();
      addService(f, 'web');

      const deployment = objectAt(synthObjects(f.platform), 'host/Deployment/storefront/web') as any;
      expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'web' } });
      expect(deployment.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'web' });
    });
  });

  describe('exposure', () => {
    it('renders an Ingress only when it is exposed', () => {
      const f = fixture();
      addService(f, 'web');

      const kinds = [...synthObjects(f.platform).values()].map((o) => o.kind);
      expect(kinds).not.toContain('Ingress');
    });

    it('renders an Ingress in every environment of its project by default, routing / to its first port', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 8080 }, { port: 9090, name: 'metrics' }] }).expose();

      const objects = synthObjects(f.platform);
      expect((objectAt(objects, 'host/Ingress/storefront/web') as any).spec).toEqual({
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'web.example.com',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] },
          },
        ],
        // The fixture's production environment gives its hosts a certificate.
        tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
      });
      expect(objects.has('member-test/Ingress/storefront/web')).toBe(true);
    });

    it('renders the Ingress only in the environments it is exposed in', () => {
      const f = fixture();
      addService(f, 'web').expose({ environments: ['production'] });

      const objects = synthObjects(f.platform);
      expect(objects.has('host/Ingress/storefront/web')).toBe(true);
      expect(objects.has('member-test/Ingress/storefront/web')).toBe(false);
    });

    it('accepts the environments to expose in as objects', () => {
      const f = fixture();
      addService(f, 'web').expose({ environments: [f.test] });

      const objects = synthObjects(f.platform);
      expect(objects.has('host/Ingress/storefront/web')).toBe(false);
      expect(objects.has('member-test/Ingress/storefront/web')).toBe(true);
    });

    it('uses the given host, subdomain, path and port', () => {
      const f = fixture();
      const web = addService(f, 'web', { ports: [{ port: 8080 }, { port: 8081, name: 'admin' }] });
      web.expose({ subdomain: 'shop', path: '/api', port: 'admin', hosts: { production: 'www.example.org' } });

      const objects = synthObjects(f.platform);
      const rule = (key: string): any => (objectAt(objects, key) as any).spec.rules;
      expect(rule('host/Ingress/storefront/web')).toEqual([
        { host: 'www.example.org', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'admin' } } } }] } },
      ]);
      expect(rule('member-test/Ingress/storefront/web')[0].host).toBe('shop.test.example.com');
    });

    it('joins several exposures into one Ingress, with hosts and paths sorted', () => {
      const f = fixture();
      const web = addService(f, 'web');
      web.expose({ path: '/static' });
      web.expose({ subdomain: 'api' });
      web.expose({ path: '/' });

      const rules = (objectAt(synthObjects(f.platform), 'host/Ingress/storefront/web') as any).spec.rules;
      expect(rules.map((r: any) => [r.host, r.http.paths.map((p: any) => p.path)])).toEqual([
        ['api.example.com', ['/']],
        ['web.example.com', ['/', '/static']],
      ]);
    });
  });

  describe('perEnvironment', () => {
    it('overrides replicas, resources, env and image in one environment only', () => {
      const f = fixture();
      f.project.quotaIn('production', { cpuLimitMillis: 16000 });
      addService(f, 'web', {
        env: { LOG_LEVEL: 'info', MODE: 'shop' },
        replicas: 3,
        perEnvironment: {
          production: {
            replicas: 5,
            resources: { cpuLimitMillis: 2000 },
            env: { LOG_LEVEL: 'warn' },
            image: f.registry.image('shop/web', '0.9.0'),
          },
        },
      });

      const objects = synthObjects(f.platform);
      const prod = objectAt(objects, 'host/Deployment/storefront/web') as any;
      const test = objectAt(objects, 'member-test/Deployment/storefront/web') as any;
      expect(prod.spec.replicas).toBe(5);
      expect(test.spec.replicas).toBe(3);
      expect(containerOf(prod).resources.limits.cpu).toBe('2000m');
      expect(containerOf(test).resources.limits.cpu).toBe('500m');
      expect(containerOf(prod).env).toEqual([{ name: 'LOG_LEVEL', value: 'warn' }, { name: 'MODE', value: 'shop' }]);
      expect(containerOf(test).env).toEqual([{ name: 'LOG_LEVEL', value: 'info' }, { name: 'MODE', value: 'shop' }]);
      expect(containerOf(prod).image).toBe('harbor.example.com/shop/web:0.9.0');
      expect(containerOf(test).image).toBe('harbor.example.com/shop/web:1.0.0');
      expect(prod.metadata.labels['app.kubernetes.io/version']).toBe('0.9.0');
      expect(test.metadata.labels['app.kubernetes.io/version']).toBe('1.0.0');
    });

    it('takes overrides by Environment object through inEnvironment()', () => {
      const f = fixture();
      const web = addService(f, 'web');
      web.inEnvironment(f.production, { replicas: 4, image: f.registry.image('shop/web', '1.0.1') });

      const objects = synthObjects(f.platform);
      const prod = objectAt(objects, 'host/Deployment/storefront/web') as any;
      expect(prod.spec.replicas).toBe(4);
      expect(containerOf(prod).image).toBe('harbor.example.com/shop/web:1.0.1');
      expect((objectAt(objects, 'member-test/Deployment/storefront/web') as any).spec.replicas).toBe(1);
    });

    it('merges overrides given by name and by object for the same environment', () => {
      const f = fixture();
      const web = addService(f, 'web', { perEnvironment: { production: { replicas: 4, env: { A: '1' } } } });
      web.inEnvironment(f.production, { env: { B: '2' }, resources: { memoryLimitMiB: 1024 } });
      web.inEnvironment('production', { env: { C: '3' } });

      const settings = web.settingsFor(f.production);
      expect(settings.replicas).toBe(4);
      expect(settings.env).toEqual([['A', '1'], ['B', '2'], ['C', '3']]);
      expect(settings.resources.memoryLimitMiB).toBe(1024);
      expect(web.settingsFor(f.test).env).toEqual([]);
    });

    it('falls back to the environment replicas when neither service nor override sets them', () => {
      const f = fixture();
      const web = addService(f, 'web');

      expect(web.settingsFor(f.test).replicas).toBe(1);
      expect(web.settingsFor(f.production).replicas).toBe(2);
    });
  });

  describe('probes', () => {
    it('defaults readiness and liveness to TCP probes on the first port', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 8080, name: 'web' }, { port: 9090, name: 'metrics' }] });

      const container = containerOf(objectAt(synthObjects(f.platform), 'host/Deployment/storefront/web'));
      const tcp = { tcpSocket: { port: 'web' }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 };
      expect(container.readinessProbe).toEqual(tcp);
      expect(container.livenessProbe).toEqual(tcp);
      expect(container).not.toHaveProperty('startupProbe');
    });

    it('renders http, exec and tcp probes with their ports and timing', () => {
      const f = fixture();
      addService(f, 'web', {
        ports: [{ port: 8080 }, { port: 9090, name: 'metrics' }],
        readiness: Probe.http('/ready', { period: Duration.seconds(5), initialDelay: Duration.seconds(2) }),
        liveness: Probe.exec(['/bin/check', '--quick'], { timeout: Duration.seconds(3), failureThreshold: 5 }),
        startup: Probe.tcp({ port: 9090, period: Duration.minutes(1) }),
      });

      const container = containerOf(objectAt(synthObjects(f.platform), 'host/Deployment/storefront/web'));
      expect(container.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 'http' }, initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 });
      expect(container.livenessProbe).toEqual({ exec: { command: ['/bin/check', '--quick'] }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 5 });
      expect(container.startupProbe).toEqual({ tcpSocket: { port: 9090 }, periodSeconds: 60, timeoutSeconds: 1, failureThreshold: 3 });
    });

    it('does not put a default TCP probe on a UDP port', () => {
      const f = fixture();
      addService(f, 'dns', { ports: [{ port: 5353, name: 'dns', protocol: Protocol.UDP }] });

      const container = containerOf(objectAt(synthObjects(f.platform), 'host/Deployment/storefront/dns'));
      expect(container.readinessProbe?.tcpSocket?.port).not.toBe('dns');
      expect(container.livenessProbe?.tcpSocket?.port).not.toBe('dns');
    });

    it('probes the named port an http probe gives', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 8080 }, { port: 9090, name: 'metrics' }], readiness: Probe.http('/healthz', { port: 'metrics' }) });

      const container = containerOf(objectAt(synthObjects(f.platform), 'host/Deployment/storefront/web'));
      expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
      expect(container.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    });
  });

  describe('security and resources', () => {
    it('runs pods with the restricted security defaults', () => {
      const f = fixture();
      addService(f, 'web');

      const pod = podSpecOf(objectAt(synthObjects(f.platform), 'host/Deployment/storefront/web'));
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      // The fixture's registry declares that its images run as user 1000: written on the container.
      expect(pod.containers[0].securityContext).toEqual({
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 1000,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    it('mounts a writable emptyDir at /tmp because the root file system is read-only', () => {
      const f = fixture();
      addService(f, 'web');

      const pod = podSpecOf(objectAt(synthObjects(f.platform), 'member-test/Deployment/storefront/web'));
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
      expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    });

    it('always renders both resource requests and limits, even when only one field is set', () => {
      const f = fixture();
      addService(f, 'web', { resources: { memoryLimitMiB: 300 } });
      addService(f, 'worker', { ports: [], liveness: Probe.exec(['true']) });

      const objects = synthObjects(f.platform);
      for (const key of [...objects.keys()].filter((k) => k.includes('/Deployment/'))) {
        const resources = containerOf(objectAt(objects, key)).resources;
        expect(Object.keys(resources).sort()).toEqual(['limits', 'requests']);
        expect(Object.keys(resources.requests).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(resources.limits).sort()).toEqual(['cpu', 'memory']);
      }
      expect(containerOf(objectAt(objects, 'host/Deployment/storefront/web')).resources).toEqual({
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '500m', memory: '300Mi' },
      });
    });
  });

  describe('labels', () => {
    it('puts app.kubernetes.io/managed-by on every object of the output', () => {
      const f = fixture();
      addService(f, 'web').expose();
      addService(f, 'worker', { ports: [], liveness: Probe.exec(['true']) });

      const objects = [...synthObjects(f.platform).values()];
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('platform-cdk');
    });

    it('puts the name, instance and part-of labels on each of its objects, and the version on the Deployment and pods', () => {
      const f = fixture();
      addService(f, 'web').expose();

      const objects = synthObjects(f.platform);
      const expected = {
        'app.kubernetes.io/managed-by': 'platform-cdk',
        'app.kubernetes.io/name': 'web',
        'app.kubernetes.io/instance': 'web-production',
        'app.kubernetes.io/part-of': 'storefront',
        'platform-cdk.io/tenant': 'shop',
        'platform-cdk.io/environment': 'production',
      };
      expect(objectAt(objects, 'host/Service/storefront/web').metadata.labels).toEqual(expected);
      expect(objectAt(objects, 'host/Ingress/storefront/web').metadata.labels).toEqual(expected);
      const deployment = objectAt(objects, 'host/Deployment/storefront/web') as any;
      expect(deployment.metadata.labels).toEqual({ ...expected, 'app.kubernetes.io/version': '1.0.0' });
      expect(deployment.spec.template.metadata.labels).toEqual({ ...expected, 'app.kubernetes.io/version': '1.0.0' });
      expect(objectAt(objects, 'member-test/Service/storefront/web').metadata.labels?.['app.kubernetes.io/instance']).toBe('web-test');
    });

    it('leaves the version label out when the image has only a digest', () => {
      const f = fixture();
      addService(f, 'web', { image: f.registry.image('shop/web', { digest: `sha256:${'a'.repeat(64)}` }) });

      const deployment = objectAt(synthObjects(f.platform), 'host/Deployment/storefront/web') as any;
      expect(deployment.metadata.labels).not.toHaveProperty('app.kubernetes.io/version');
      expect(containerOf(deployment).image).toBe(`harbor.example.com/shop/web@sha256:${'a'.repeat(64)}`);
    });
  });

  describe('model', () => {
    it('applies the default port names: http for the first, port-<port> for the others', () => {
      const f = fixture();
      const web = addService(f, 'web', { ports: [{ port: 8080 }] });
      const added = web.addPort({ port: 9090 });

      expect(added).toEqual({ name: 'port-9090', port: 9090, containerPort: 9090, protocol: Protocol.TCP });
      expect(web.ports.map((p) => p.name)).toEqual(['http', 'port-9090']);
      expect(web.findPort(undefined)?.port).toBe(8080);
      expect(web.findPort('port-9090')?.port).toBe(9090);
      expect(web.findPort(9090)?.name).toBe('port-9090');
      expect(web.findPort('nope')).toBeUndefined();
    });

    it('is recognised by isAppService and knows its project', () => {
      const f = fixture();
      const web = addService(f, 'web');

      expect(AppService.isAppService(web)).toBe(true);
      expect(AppService.isAppService(f.project)).toBe(false);
      expect(web.project).toBe(f.project);
    });
  });
});
