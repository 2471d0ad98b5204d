/**
 * The quick start: a host and a member cluster, a test and a production environment, one tenant with one
 * project of three services, one of them exposed at a domain.
 *
 *   npm run synth      # writes dist/host/ and dist/member-test/
 */
import { ClusterRole, Duration, Issuer, Platform, Probe, Registry, synthesizeApp, Tls } from 'platform-cdk';

/** Builds the quick-start estate. */
export function build(): Platform {
  const platform = new Platform('quickstart');

  // The host cluster runs KubeSphere's control plane and production; the member runs test.
  const host = platform.addCluster('host', { role: ClusterRole.HOST, labels: { region: 'eu-1' }, ingressClassName: 'nginx' });
  const member = platform.addCluster('member-test', { role: ClusterRole.MEMBER, labels: { region: 'eu-1' }, ingressClassName: 'nginx' });

  const test = platform.addEnvironment('test', { clusters: [member], domain: 'test.shop.example.com' });
  // Production serves its hosts over HTTPS, with certificates from cert-manager's Let's Encrypt ClusterIssuer.
  const production = platform.addEnvironment('production', {
    clusters: [host],
    domain: 'shop.example.com',
    production: true,
    tls: Tls.certManager(Issuer.cluster('letsencrypt')),
  });

  const harbor = Registry.at('harbor.example.com');
  const shop = platform.addTenant('shop', { manager: 'alice', displayName: 'Online shop' });
  const storefront = shop.addProject('storefront', { environments: [test, production], description: 'What customers see' });

  const web = storefront.addService('web', {
    image: harbor.image('shop/web', '1.4.2'),
    runAsUser: 1000,
    ports: [{ port: 8080 }],
    readiness: Probe.http('/healthz', { period: Duration.seconds(5) }),
    env: { LOG_LEVEL: 'info' },
    perEnvironment: { production: { replicas: 3, env: { LOG_LEVEL: 'warn' } } },
  });
  web.expose({ hosts: { production: 'www.shop.example.com' } });

  storefront.addService('cart', {
    image: harbor.image('shop/cart', '2.0.1'),
    runAsUser: 1000,
    ports: [{ port: 8080 }, { port: 9090, name: 'metrics' }],
    env: { CART_TTL_MINUTES: '30' },
    resources: { cpuRequestMillis: 200, memoryRequestMiB: 256, memoryLimitMiB: 512 },
  });

  storefront.addService('mailer', {
    image: harbor.image('shop/mailer', '0.9.0'),
    runAsUser: 1000,
    liveness: Probe.exec(['/app/healthcheck']),
    perEnvironment: { production: { resources: { cpuLimitMillis: 1000 } } },
  });

  return platform;
}

synthesizeApp(build);
