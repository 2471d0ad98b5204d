// The prelude `estate` of the docs' code blocks (see test/docs/code-blocks.test.ts): what a fragment in a guide
// may use without declaring it. A small estate: a host and a member cluster; development, test and production;
// a tenant `payments` with a project `checkout`, a department and a few services.
import {
  AppService, BackupTarget, CiSystem, ClusterRole, Credential, DeployMethod, DepartmentRef, Duration, Engine,
  ExistingSecret, GitOpsTool, Issuer, LogFormat, ManifestStack, Platform, PreviewDependencies, Probe, ProbeScheme, ProjectRole,
  Registry, Replicas, SecretStore, StatefulMode, synthesizeApp, TaintEffect, Target, TenantNetwork, TenantPlacement, Tls, User,
  WorkspaceRole,
} from 'platform-cdk';

const platform = new Platform('acme');
const host = platform.addCluster('host', { role: ClusterRole.HOST, ingressClassName: 'nginx' });
const member = platform.addCluster('member-1', { role: ClusterRole.MEMBER, ingressClassName: 'nginx' });
const development = platform.addEnvironment('development', { clusters: [member], domain: 'dev.example.com', namespaceSuffix: '-dev' });
const dev = development;
const test = platform.addEnvironment('test', { clusters: [member], domain: 'test.example.com' });
const production = platform.addEnvironment('production', { clusters: [host], domain: 'example.com', production: true });
const harbor = Registry.at('harbor.example.com');
const vault = SecretStore.cluster('vault');
const payments = platform.addTenant('payments', { manager: 'alice' });
const tenant = payments;
const checkout = payments.addProject('checkout', { environments: [development, test, production] });
const project = checkout;
const riderDevelopers = payments.addDepartment('rider-developers', { members: ['bob'] });
const portal = checkout.addService('portal', { image: harbor.image('payments/portal', '1.0.0'), ports: [{ port: 8080 }] });
const tripService = checkout.addService('trip-service', { image: harbor.image('payments/trip-service', '1.0.0'), ports: [{ port: 8080 }] });

// Every name is used once, so that the prelude type-checks on its own too (`npm test` compiles test/ with noUnusedLocals).
void [AppService, BackupTarget, CiSystem, ClusterRole, Credential, DeployMethod, DepartmentRef, Duration, Engine, ExistingSecret, GitOpsTool, Issuer, LogFormat, ManifestStack, Platform, PreviewDependencies, Probe, ProbeScheme, ProjectRole, Registry, Replicas, SecretStore, StatefulMode, synthesizeApp, TaintEffect, Target, TenantNetwork, TenantPlacement, Tls, User, WorkspaceRole];
void [platform, host, member, development, dev, test, production, harbor, vault, payments, tenant, checkout, project, riderDevelopers, portal, tripService];
