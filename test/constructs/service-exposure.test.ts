/**
 * Exposure of app services: a host per environment (the environment's domain by default), TLS from cert-manager
 * or an existing Secret, path rules, the cluster's ingress class, the domain cut-over from a legacy backend, and
 * hosts claimed once per cluster (and by one tenant).
 */
import { Issuer, PathType, Tls, validatePlatform } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthValid as synth, validationErrors } from '../fixture';

const at = (objects: Map<string, KubeObject>, key: string): any => objectAt(objects, key);
const WEB = 'acme/shop/storefront/web';

describe('exposure', () => {
  describe('hosts and ingress class', () => {
    it('routes <service>.<domain> of each environment to the first port, with the ingress class of the cluster', () => {
      const f = fixture();
      addService(f, 'web').expose();

      const objects = synth(f.platform);
      const prod = at(objects, 'host/Ingress/storefront/web');
      expect(prod.spec).toEqual({
        ingressClassName: 'nginx',
        rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
        tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
      });
      // The member cluster names no ingress class: its default class serves the Ingress; test has no TLS.
      const test = at(objects, 'member-test/Ingress/storefront/web');
      expect(test.spec.ingressClassName).toBeUndefined();
      expect(test.spec.tls).toBeUndefined();
      expect(test.spec.rules.map((r: any) => r.host)).toEqual(['web.test.example.com']);
    });

    it('takes a subdomain, and an exact host per environment where one is given', () => {
      const f = fixture();
      addService(f, 'web').expose({ subdomain: 'shop', hosts: { production: 'www.example.com' } });

      const objects = synth(f.platform);
      expect(at(objects, 'host/Ingress/storefront/web').spec.rules.map((r: any) => r.host)).toEqual(['www.example.com']);
      expect(at(objects, 'member-test/Ingress/storefront/web').spec.rules.map((r: any) => r.host)).toEqual(['shop.test.example.com']);
    });

    it('exposes only in the environments listed, and opens the ingress controller\'s way only there', () => {
      const f = fixture();
      addService(f, 'web').expose({ environments: [f.production] });

      const objects = synth(f.platform);
      expect(objects.has('host/Ingress/storefront/web')).toBe(true);
      expect(objects.has('member-test/Ingress/storefront/web')).toBe(false);
      expect(objects.has('host/NetworkPolicy/storefront/allow-ingress-controller')).toBe(true);
      expect(objects.has('member-test/NetworkPolicy/storefront/allow-ingress-controller')).toBe(false);
    });

    it('lets the ingress controller reach exactly the container ports of the exposed ports of exposed services', () => {
      const f = fixture();
      addService(f, 'web', { ports: [{ port: 80, containerPort: 8080 }, { port: 9090, name: 'metrics' }] }).expose();
      addService(f, 'admin', { ports: [{ port: 80, containerPort: 3000 }] }).expose({ path: '/admin', subdomain: 'web' });
      addService(f, 'internal');

      const policy = at(synth(f.platform), 'host/NetworkPolicy/storefront/allow-ingress-controller');
      expect(policy.spec).toEqual({
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['admin', 'web'] }] },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kubesphere-controls-system' } } }], ports: [{ protocol: 'TCP', port: 3000 }, { protocol: 'TCP', port: 8080 }] }],
      });
    });
  });

  describe('TLS', () => {
    it('asks cert-manager for a Certificate of the hosts from a ClusterIssuer, and serves it from <service>-tls', () => {
      const f = fixture();
      addService(f, 'web').expose({ hosts: { production: 'www.example.com' }, tls: Tls.certManager(Issuer.cluster('letsencrypt')) });

      const objects = synth(f.platform);
      const cert = at(objects, 'host/Certificate/storefront/web-tls');
      expect(cert.apiVersion).toBe('cert-manager.io/v1');
      expect(cert.spec).toEqual({
        secretName: 'web-tls',
        dnsNames: ['www.example.com'],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      });
      expect(at(objects, 'host/Ingress/storefront/web').spec.tls).toEqual([{ hosts: ['www.example.com'], secretName: 'web-tls' }]);
      expect(at(objects, 'member-test/Certificate/storefront/web-tls').spec.dnsNames).toEqual(['web.test.example.com']);
    });

    it('names a namespaced Issuer as an Issuer', () => {
      const f = fixture();
      addService(f, 'web').expose({ tls: Tls.certManager(Issuer.namespaced('team-ca')) });

      expect(at(synth(f.platform), 'host/Certificate/storefront/web-tls').spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'Issuer', name: 'team-ca' });
    });

    it('uses the environment\'s TLS for exposures that name none, and an exposure\'s own over it', () => {
      const f = fixture();
      // The fixture's production takes its certificates from the ClusterIssuer letsencrypt.
      addService(f, 'web').expose();
      addService(f, 'api').expose({ tls: Tls.existingSecret('wildcard-example-com') });
      addService(f, 'admin').expose({ tls: Tls.certManager(Issuer.namespaced('team-ca')) });

      const objects = synth(f.platform);
      expect(at(objects, 'host/Certificate/storefront/web-tls').spec).toMatchObject({ dnsNames: ['web.example.com'], issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt' } });
      expect(at(objects, 'host/Ingress/storefront/web').spec.tls).toEqual([{ hosts: ['web.example.com'], secretName: 'web-tls' }]);
      expect(objects.has('host/Certificate/storefront/api-tls')).toBe(false);
      expect(at(objects, 'host/Ingress/storefront/api').spec.tls).toEqual([{ hosts: ['api.example.com'], secretName: 'wildcard-example-com' }]);
      expect(at(objects, 'host/Certificate/storefront/admin-tls').spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'Issuer', name: 'team-ca' });
      // The test environment has no TLS: plain HTTP there.
      expect(at(objects, 'member-test/Ingress/storefront/web').spec.tls).toBeUndefined();
      expect(objects.has('member-test/Certificate/storefront/web-tls')).toBe(false);
    });

    it('serves an existing TLS Secret and writes no Certificate for it', () => {
      const f = fixture();
      addService(f, 'web').expose({ tls: Tls.existingSecret('wildcard-example-com') });

      const objects = synth(f.platform);
      expect([...objects.keys()].filter((k) => k.includes('/Certificate/'))).toEqual([]);
      expect(at(objects, 'host/Ingress/storefront/web').spec.tls).toEqual([{ hosts: ['web.example.com'], secretName: 'wildcard-example-com' }]);
    });

    it('warns when a production host is served over plain HTTP, and not when it has TLS', () => {
      const f = fixture();
      const live = f.platform.addEnvironment('live', { clusters: [f.host], domain: 'live.example.com', production: true, namespaceSuffix: '-live' });
      f.project.placeIn(live);
      addService(f, 'web').expose();
      addService(f, 'api').expose({ tls: Tls.existingSecret('wildcard') });

      const warnings = validatePlatform(f.platform).filter((p) => p.severity === 'warning');
      expect(warnings.map((w) => [w.path, w.property, w.value])).toEqual([[WEB, 'expose[0].tls', 'web.live.example.com']]);
      expect(warnings[0].fix).toContain('Tls.certManager');
    });
  });

  describe('path rules', () => {
    it('puts the paths of one service\'s exposures on a host into one Ingress, sorted, each to its port', () => {
      const f = fixture();
      const web = addService(f, 'web', { ports: [{ port: 8080 }, { port: 8081, name: 'admin' }] });
      web.expose({ path: '/' });
      web.expose({ path: '/admin', pathType: PathType.EXACT, port: 'admin' });
      web.expose({ path: '/api', port: 8080 });

      const ingress = at(synth(f.platform), 'host/Ingress/storefront/web');
      expect(ingress.spec.rules).toEqual([
        {
          host: 'web.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } },
              { path: '/admin', pathType: 'Exact', backend: { service: { name: 'web', port: { name: 'admin' } } } },
              { path: '/api', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } },
            ],
          },
        },
      ]);
    });

    it('lets two services of a tenant share a host on different paths', () => {
      const f = fixture();
      addService(f, 'web').expose({ subdomain: 'shop' });
      addService(f, 'api').expose({ subdomain: 'shop', path: '/api' });

      const objects = synth(f.platform);
      expect(at(objects, 'host/Ingress/storefront/web').spec.rules[0]).toMatchObject({ host: 'shop.example.com', http: { paths: [{ path: '/' }] } });
      expect(at(objects, 'host/Ingress/storefront/api').spec.rules[0]).toMatchObject({ host: 'shop.example.com', http: { paths: [{ path: '/api' }] } });
    });
  });

  describe('domain cut-over', () => {
    const legacy = { addresses: ['192.168.1.11', '192.168.1.10'], port: 8443 };

    it('points the public host at the legacy backend while pending, and keeps the service reachable at its own host', () => {
      const f = fixture();
      addService(f, 'web').expose({ hosts: { production: 'www.example.com' }, tls: Tls.certManager(Issuer.cluster('letsencrypt')), cutOver: { production: { legacy, done: false } } });

      const objects = synth(f.platform);
      const ingress = at(objects, 'host/Ingress/storefront/web');
      expect(ingress.metadata.annotations).toEqual({ 'platform-cdk.io/cut-over': 'pending' });
      expect(ingress.spec.rules).toEqual([
        { host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } },
        { host: 'www.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-legacy', port: { number: 8443 } } } }] } },
      ]);
      expect(at(objects, 'host/Certificate/storefront/web-tls').spec.dnsNames).toEqual(['web.example.com', 'www.example.com']);
      const service = at(objects, 'host/Service/storefront/web-legacy');
      expect(service.spec).toEqual({ type: 'ClusterIP', ports: [{ name: 'http', port: 8443, targetPort: 8443, protocol: 'TCP' }] });
      const slice = at(objects, 'host/EndpointSlice/storefront/web-legacy');
      expect(slice.metadata.labels['kubernetes.io/service-name']).toBe('web-legacy');
      expect(slice.endpoints).toEqual([{ addresses: ['192.168.1.10'], conditions: { ready: true } }, { addresses: ['192.168.1.11'], conditions: { ready: true } }]);
      expect(slice.ports).toEqual([{ name: 'http', port: 8443, protocol: 'TCP' }]);
      // The test environment has no cut-over.
      expect(at(objects, 'member-test/Ingress/storefront/web').metadata.annotations).toBeUndefined();
      expect(objects.has('member-test/Service/storefront/web-legacy')).toBe(false);
    });

    it('points at a legacy DNS name through an ExternalName Service', () => {
      const f = fixture();
      addService(f, 'web').expose({ hosts: { production: 'www.example.com' }, cutOver: { production: { legacy: { host: 'old-www.corp.example.com', port: 80 }, done: false } } });

      const objects = synth(f.platform);
      expect(at(objects, 'host/Service/storefront/web-legacy').spec).toEqual({ type: 'ExternalName', externalName: 'old-www.corp.example.com', ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] });
      expect(objects.has('host/EndpointSlice/storefront/web-legacy')).toBe(false);
    });

    it('moves the public host to the service with the one switch, and writes no legacy objects after it', () => {
      const f = fixture();
      addService(f, 'web').expose({ hosts: { production: 'www.example.com' }, cutOver: { production: { legacy, done: true } } });

      const objects = synth(f.platform);
      const ingress = at(objects, 'host/Ingress/storefront/web');
      expect(ingress.metadata.annotations).toBeUndefined();
      expect(ingress.spec.rules).toEqual([{ host: 'www.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }]);
      expect([...objects.keys()].filter((k) => k.includes('web-legacy'))).toEqual([]);
    });

    it('changes nothing but the exposure\'s objects when the switch is thrown', () => {
      const build = (done: boolean): Map<string, KubeObject> => {
        const f = fixture();
        addService(f, 'web').expose({ hosts: { production: 'www.example.com' }, cutOver: { production: { legacy, done } } });
        return synth(f.platform);
      };
      const before = build(false);
      const after = build(true);
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => JSON.stringify(before.get(k)) !== JSON.stringify(after.get(k))).sort();
      // The Certificate drops the service's own host, which only the pending cut-over routed.
      expect(changed).toEqual(['host/Certificate/storefront/web-tls', 'host/EndpointSlice/storefront/web-legacy', 'host/Ingress/storefront/web', 'host/Service/storefront/web-legacy']);
    });
  });

  describe('hosts claimed on a cluster', () => {
    it('refuses a host and path claimed by two services of a tenant, naming the first one', () => {
      const f = fixture();
      addService(f, 'web').expose({ hosts: { production: 'www.example.com' }, environments: ['production'] });
      addService(f, 'shop').expose({ hosts: { production: 'www.example.com' }, environments: ['production'] });

      const line = lineFor(validationErrors(f.platform), 'acme/shop/storefront/shop', 'expose');
      expect(line).toContain('got "www.example.com/"');
      expect(line).toContain(`on cluster host, ${WEB} (in namespace storefront) is exposed at this host and path already`);
      expect(line).toMatch(/\. Fix: .+\.$/);
    });

    it('refuses a host claimed by two tenants on a cluster, even on different paths', () => {
      const f = fixture();
      addService(f, 'web').expose({ hosts: { production: 'www.example.com' }, environments: ['production'] });
      const other = f.platform.addTenant('ads', { manager: 'bob' });
      other.addProject('banners', { environments: [f.production] }).addService('banner', { image: f.registry.image('ads/banner', '2.0.0'), ports: [{ port: 8080 }] }).expose({ hosts: { production: 'www.example.com' }, path: '/ads' });

      // Whichever namespace comes second on the cluster is reported, naming the other tenant's service.
      const lines = validationErrors(f.platform).filter((l) => l.includes('a host belongs to one tenant'));
      expect(lines).toHaveLength(1);
      expect([
        `[acme/ads/banners/banner] expose: got "www.example.com"; on cluster host, ${WEB} of tenant shop claims this host already`,
        `[${WEB}] expose: got "www.example.com"; on cluster host, acme/ads/banners/banner of tenant ads claims this host already`,
      ].some((start) => lines[0].startsWith(start))).toBe(true);
      expect(lines[0]).toMatch(/\. Fix: .+\.$/);
    });

    it('refuses a host that a pending cut-over keeps for the service while another service claims it', () => {
      const f = fixture();
      // During the cut-over web stays reachable at web.example.com …
      addService(f, 'web').expose({ hosts: { production: 'www.example.com' }, cutOver: { production: { legacy: { addresses: ['10.1.1.1'], port: 80 }, done: false } } });
      // … which another service claims in production.
      addService(f, 'other').expose({ subdomain: 'web', environments: ['production'] });

      const line = lineFor(validationErrors(f.platform), 'acme/shop/storefront/other', 'expose');
      expect(line).toContain('got "web.example.com/"');
      expect(line).toContain('on cluster host');
    });

    it('lets the same host be used on different clusters', () => {
      const f = fixture();
      addService(f, 'web').expose({ hosts: { production: 'www.example.com', test: 'www.example.com' } });

      const objects = synth(f.platform);
      expect(at(objects, 'host/Ingress/storefront/web').spec.rules[0].host).toBe('www.example.com');
      expect(at(objects, 'member-test/Ingress/storefront/web').spec.rules[0].host).toBe('www.example.com');
    });
  });

  describe('bad exposures', () => {
    it('reports every problem at once, with path, property, value and fix', () => {
      const f = fixture();
      const staging = f.platform.addEnvironment('staging', { clusters: [f.member], namespaceSuffix: '-staging' });
      f.project.placeIn(staging);
      const web = addService(f, 'web');
      web.expose({ path: 'api', port: 'grpc', subdomain: 'Shop_1', hosts: { prod: 'www.example.com', test: 'not a host' } });
      web.expose({ path: '/b', tls: Tls.existingSecret('Bad_Secret'), environments: ['nowhere'] });
      web.expose({
        path: '/c',
        environments: ['production'],
        cutOver: {
          production: { legacy: { addresses: ['10.0.0.300'], port: 70000 }, done: 'no' as unknown as boolean },
          test: { legacy: { addresses: ['10.0.0.1'], host: 'old.example.com', port: 80 }, done: false },
        },
      });

      const lines = validationErrors(f.platform);
      const expectations: [string, string][] = [
        ['expose[0].path', '"api"'],
        ['expose[0].port', '"grpc"'],
        ['expose[0].subdomain', '"Shop_1"'],
        ['expose[0].hosts["prod"]', '"prod"'],
        ['expose[0].hosts["test"]', '"not a host"'],
        ['expose[0].hosts["staging"]', 'nothing'],
        ['expose[1].tls', '"Bad_Secret"'],
        ['expose[1].environments[0]', '"nowhere"'],
        ['expose[2].cutOver["production"].done', '"no"'],
        ['expose[2].cutOver["production"].legacy.port', '70000'],
        ['expose[2].cutOver["production"].legacy.addresses[0]', '"10.0.0.300"'],
        ['expose[2].cutOver["test"].legacy', '{"addresses":["10.0.0.1"],"host":"old.example.com","port":80}'],
      ];
      for (const [property, value] of expectations) {
        const line = lineFor(lines, WEB, property);
        expect(line).toContain(`got ${value};`);
        expect(line).toMatch(/\. Fix: .+\.$/);
      }
      expect(lineFor(lines, WEB, 'expose[0].hosts["staging"]')).toContain('the environment staging has no domain');
    });

    it('refuses a cut-over in an environment the exposure does not cover', () => {
      const f = fixture();
      addService(f, 'web').expose({ environments: ['production'], cutOver: { test: { legacy: { host: 'old.example.com', port: 80 }, done: false } } });

      expect(lineFor(validationErrors(f.platform), WEB, 'expose[0].cutOver["test"]')).toContain('the service is not exposed in environment test');
    });

    it('refuses two cert-manager issuers for one service in one environment', () => {
      const f = fixture();
      const web = addService(f, 'web');
      web.expose({ tls: Tls.certManager(Issuer.cluster('letsencrypt')) });
      web.expose({ path: '/x', subdomain: 'www', tls: Tls.certManager(Issuer.cluster('company-ca')) });

      const line = lineFor(validationErrors(f.platform), WEB, 'expose');
      expect(line).toContain('ClusterIssuer company-ca');
      expect(line).toContain('ClusterIssuer letsencrypt');
    });

    it('refuses to expose a service without ports', () => {
      const f = fixture();
      addService(f, 'worker', { ports: [] }).expose();

      expect(lineFor(validationErrors(f.platform), 'acme/shop/storefront/worker', 'expose[0].port')).toContain('an exposed service needs a port');
    });
  });
});
