import { ClusterRole, Issuer, Platform, Probe, Registry, synthesizeApp, Tls } from 'platform-cdk';

/** Builds the estate of the README. */
export function build(): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST, ingressClassName: 'nginx' });
  const member = platform.addCluster('member-1', { role: ClusterRole.MEMBER });

  const test = platform.addEnvironment('test', { clusters: [member] });
  const production = platform.addEnvironment('production', {
    clusters: [host],
    domain: 'example.com',
    production: true,
    tls: Tls.certManager(Issuer.cluster('letsencrypt')),
  });

  const payments = platform.addTenant('payments', { manager: 'alice' });
  const checkout = payments.addProject('checkout', { environments: [test, production] });

  const api = checkout.addService('api', {
    image: Registry.at('harbor.example.com').image('payments/api', '2.3.0'),
    runAsUser: 10001,
    ports: [{ port: 8080 }],
    readiness: Probe.http('/ready'),
    perEnvironment: { production: { replicas: 3, resources: { memoryLimitMiB: 512 } } },
  });
  api.expose({ environments: [production], subdomain: 'pay' });

  return platform;
}

synthesizeApp(build);
