// The prelude `workloads` of the docs' code blocks (see test/docs/code-blocks.test.ts): the estate of the sections
// on network exposure and workload kinds — production and test, a tenant `fleet` with a project `access`, the
// registry `harbor` and the store `vault`, and the names those sections use.
import {
  ConcurrencyPolicy, Duration, ExternalTrafficPolicy, JobRestartPolicy, Platform, Probe, Protocol, Registry, SecretStore, ServiceType, Workload, ClusterRole,
} from 'platform-cdk';

const platform = new Platform('acme');
const host = platform.addCluster('host', { role: ClusterRole.HOST });
const test = platform.addEnvironment('test', { clusters: [host], domain: 'test.example.com', namespaceSuffix: '-test' });
const production = platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true });
const harbor = Registry.at('harbor.example.com');
const vault = SecretStore.cluster('vault');
const fleet = platform.addTenant('fleet', { manager: 'alice' });
const project = fleet.addProject('access', { environments: [test, production] });

// Every name is used once, so that the prelude type-checks on its own too (`npm test` compiles test/ with noUnusedLocals).
void [ConcurrencyPolicy, Duration, ExternalTrafficPolicy, JobRestartPolicy, Platform, Probe, Protocol, Registry, SecretStore, ServiceType, Workload, ClusterRole];
void [platform, host, test, production, harbor, vault, fleet, project];
