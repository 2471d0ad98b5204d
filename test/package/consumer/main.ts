/**
 * A user's estate program, in a project of its own that installs platform-cdk from the packed tarball: the
 * package test copies this folder out of the repository twice, into a CommonJS project and into an ES-module
 * project (`"type": "module"`), type-checks it there against the shipped declarations and synthesizes it with
 * `cdk8s synth` and the `platform-cdk` command line. The same file works in both: `synthesizeApp(build)` needs
 * neither `require.main` nor `import.meta`.
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

/** The result's types are part of the declarations too. */
export function objectsWritten(result: SynthResult | undefined): number {
  return result?.objectCount ?? 0;
}

objectsWritten(synthesizeApp(build));
