/**
 * Probes: gRPC probes, HTTP headers and scheme, every timing field with the limits Kubernetes sets per role, and
 * the probes of in-cluster stateful services (defaults, and overrides per service and per environment).
 */
import * as fc from 'fast-check';
import { Duration, Engine, Probe, ProbeScheme } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const API = 'acme/shop/storefront/api';
const TEST = 'member-test/Deployment/storefront/api';
const DB = 'acme/shop/storefront/orders-db';
const SEED = 20261206;

describe('probes of app services', () => {
  it('writes a gRPC probe on the container port of a named port, with its health service name', () => {
    const f = fixture();
    addService(f, 'api', {
      ports: [{ port: 8080 }, { port: 9090, containerPort: 50051, name: 'grpc' }],
      readiness: Probe.grpc('grpc', { service: 'orders.v1.Orders' }),
      liveness: Probe.grpc(50051, { period: Duration.seconds(20) }),
    });

    const c = at(synth(f.platform), TEST).spec.template.spec.containers[0];
    expect(c.readinessProbe).toEqual({ grpc: { port: 50051, service: 'orders.v1.Orders' }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ grpc: { port: 50051 }, periodSeconds: 20, timeoutSeconds: 1, failureThreshold: 3 });
  });

  it('writes HTTP headers (sorted by name) and the HTTPS scheme, and every timing field', () => {
    const f = fixture();
    addService(f, 'api', {
      readiness: Probe.http('/ready', { scheme: ProbeScheme.HTTPS, headers: { 'X-Probe': 'kubelet', Host: 'shop.example.com' }, successThreshold: 2, initialDelay: Duration.seconds(5), timeout: Duration.seconds(3) }),
      liveness: Probe.http('/live', { terminationGracePeriod: Duration.seconds(10), failureThreshold: 5 }),
      startup: Probe.tcp({ period: Duration.seconds(2), failureThreshold: 60 }),
    });

    const c = at(synth(f.platform), TEST).spec.template.spec.containers[0];
    expect(c.readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 'http', scheme: 'HTTPS', httpHeaders: [{ name: 'Host', value: 'shop.example.com' }, { name: 'X-Probe', value: 'kubelet' }] },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 3,
      successThreshold: 2,
      failureThreshold: 3,
    });
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/live', port: 'http' }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 5, terminationGracePeriodSeconds: 10 });
    expect(c.startupProbe).toEqual({ tcpSocket: { port: 'http' }, periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 60 });
  });

  it('refuses what Kubernetes refuses per role, bad headers, and a credential in a header', () => {
    const f = fixture();
    addService(f, 'api', {
      readiness: Probe.http('/ready', { terminationGracePeriod: Duration.seconds(5), headers: { 'Bad Header': 'x', 'X-Two': 'a\r\nb' } }),
      liveness: Probe.tcp({ successThreshold: 2, headers: { A: 'b' } } as never),
      startup: Probe.grpc('nope', { service: 'a\u0000b', successThreshold: 0 }),
    });
    addService(f, 'web', { readiness: Probe.http('/ready', { headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' } }) });

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, API, 'readiness.terminationGracePeriod')).toContain('refuses a termination grace period on readiness probes');
    expect(lineFor(lines, API, 'readiness.headers["Bad Header"]')).toContain('not an HTTP header name');
    expect(lineFor(lines, API, 'readiness.headers["X-Two"]')).toContain('on one line');
    expect(lineFor(lines, API, 'liveness.successThreshold')).toContain('success threshold of 1 only on liveness probes');
    expect(lineFor(lines, API, 'liveness.headers')).toContain('only HTTP probes send headers');
    expect(lineFor(lines, API, 'startup.service')).toContain('control characters');
    expect(lineFor(lines, API, 'startup.successThreshold')).toContain('whole number from 1');
    expect(lineFor(lines, API, 'startup.port')).toContain('no port of this name');
    const secret = lineFor(lines, 'acme/shop/storefront/web', 'readiness.headers["Authorization"]');
    expect(secret).not.toContain('eyJhbGci');
  });

  it('as a property: any header name and value is refused naming the header, or written schema-valid', () => {
    const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('Host', 'X-Probe', 'a b', 'x\r\ny', '', 'Bearer abc'));
    fc.assert(
      fc.property(text, text, (name, value) => {
        const f = fixture();
        addService(f, 'api', { readiness: Probe.http('/ready', { headers: { [name]: value } }) });
        const lines = (() => {
          try {
            synth(f.platform);
            return undefined;
          } catch {
            return validationErrors(f.platform);
          }
        })();
        if (lines === undefined) return;
        expect(lines.some((l) => l.startsWith(`[${API}] readiness.headers[`))).toBe(true);
        for (const l of lines) expect(l).toMatch(/\. Fix: .+\.$/s);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it('as a property: every timing field is written as given when valid, and refused at its own field otherwise', () => {
    const seconds = fc.oneof(fc.integer({ min: 0, max: 600 }), fc.constantFrom(0.5, NaN));
    fc.assert(
      fc.property(seconds, seconds, fc.integer({ min: -1, max: 5 }), (period, timeout, failures) => {
        const f = fixture();
        addService(f, 'api', { liveness: Probe.tcp({ period: Duration.seconds(period), timeout: Duration.seconds(timeout), failureThreshold: failures }) });
        const ok = (n: number): boolean => Number.isInteger(n) && n >= 1;
        if (ok(period) && ok(timeout) && failures >= 1) {
          const probe = at(synth(f.platform), TEST).spec.template.spec.containers[0].livenessProbe;
          expect(probe).toEqual({ tcpSocket: { port: 'http' }, periodSeconds: period, timeoutSeconds: timeout, failureThreshold: failures });
          return;
        }
        const lines = validationErrors(f.platform);
        if (!ok(period)) expect(lineFor(lines, API, 'liveness.period')).toMatch(/Fix: /);
        if (!ok(timeout)) expect(lineFor(lines, API, 'liveness.timeout')).toMatch(/Fix: /);
        if (failures < 1) expect(lineFor(lines, API, 'liveness.failureThreshold')).toMatch(/Fix: /);
      }),
      { seed: SEED, numRuns: 20 },
    );
  });
});

describe('probes and identity of in-cluster stateful services', () => {
  const inCluster = (f: ReturnType<typeof fixture>) => ({ image: f.registry.image('library/mysql', '8.0.36'), storage: '10Gi' });

  it('keep the engine\'s default probes and user unless the service gives its own, per service and per environment', () => {
    const f = fixture();
    f.project.addStatefulService('orders-db', {
      engine: Engine.mysql(),
      inCluster: { ...inCluster(f), readiness: Probe.exec(['mysqladmin', 'ping'], { period: Duration.seconds(5) }), startup: Probe.tcp({ failureThreshold: 30 }), runAsUser: 1001, fsGroup: 2001 },
      perEnvironment: { production: { inCluster: { liveness: Probe.tcp({ initialDelay: Duration.seconds(120), timeout: Duration.seconds(5) }) } } },
    });
    f.project.addStatefulService('cache', { engine: Engine.redis(), inCluster: { image: f.registry.image('library/redis', '7.2.4'), storage: '1Gi' } });

    const objects = synth(f.platform);
    const test = at(objects, 'member-test/StatefulSet/storefront/orders-db').spec.template.spec;
    expect(test.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1001, fsGroup: 2001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(test.containers[0].readinessProbe).toEqual({ exec: { command: ['mysqladmin', 'ping'] }, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 });
    expect(test.containers[0].livenessProbe).toEqual({ tcpSocket: { port: 'mysql' }, initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 6 });
    expect(test.containers[0].startupProbe).toEqual({ tcpSocket: { port: 'mysql' }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 30 });
    const prod = at(objects, 'host/StatefulSet/storefront/orders-db').spec.template.spec;
    expect(prod.containers[0].livenessProbe).toEqual({ tcpSocket: { port: 'mysql' }, initialDelaySeconds: 120, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
    // Without settings: the engine's user, and the default probes as before.
    const cache = at(objects, 'host/StatefulSet/storefront/cache').spec.template.spec;
    expect(cache.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    expect(cache.containers[0].readinessProbe).toEqual({ tcpSocket: { port: 'redis' }, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 });
  });

  it('refuse a probe on a port the engine does not have, bad timings, user 0 and bad groups', () => {
    const f = fixture();
    f.project.addStatefulService('orders-db', {
      engine: Engine.mysql(),
      inCluster: { ...inCluster(f), readiness: Probe.tcp({ port: 'http' }), liveness: Probe.tcp({ successThreshold: 3 }), runAsUser: 0, fsGroup: -1, supplementalGroups: [1.5] },
    });

    const lines = validationErrors(f.platform);
    expect(lineFor(lines, DB, 'inCluster (in test).readiness.port')).toContain('the engine has no port of this name');
    expect(lineFor(lines, DB, 'inCluster (in test).liveness.successThreshold')).toContain('only on liveness probes');
    expect(lineFor(lines, DB, 'inCluster (in test).runAsUser')).toContain('user 0 is root');
    expect(lineFor(lines, DB, 'inCluster (in test).fsGroup')).toContain('got -1;');
    expect(lineFor(lines, DB, 'inCluster (in test).supplementalGroups')).toContain('group ids');
  });
});
