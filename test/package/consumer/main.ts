/**
 * A user's estate program, in a project of its own that installs platform-cdk from the packed tarball: the
 * package test copies this folder out of the repository, type-checks it against the shipped declarations and
 * synthesizes it with `cdk8s synth` and the `platform-cdk` command line.
 */
import { ClusterRole, Platform, Probe, Registry, synthesizeApp } from 'platform-cdk';
import type { SynthResult } from 'platform-cdk';

/** Builds the consumer's estate. */
export function build(): Platform {
  const platform = new Platform('consumer');
  const host = platform.addCluster('host', { role: ClusterRole.HOST, ingressClassName: 'nginx' });
  const member = platform.addCluster('member-1', { role: ClusterRole.MEMBER });
  const test = platform.addEnvironment('test', { clusters: [member], domain: 'test.example.com' });
  const production = platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true });
  const team = platform.addTenant('team', { manager: 'alice' });
  const app = team.addProject('app', { environments: [test, production] });
  const api = app.addService('api', {
    image: Registry.at('harbor.example.com').image('team/api', '1.0.0'),
    ports: [{ port: 8080 }],
    readiness: Probe.http('/ready'),
    perEnvironment: { production: { replicas: 2 } },
  });
  api.expose({ environments: [test], subdomain: 'api' });
  return platform;
}

if (require.main === module) {
  const result: SynthResult | undefined = synthesizeApp(build());
  if (!result) process.exitCode = 1;
}
