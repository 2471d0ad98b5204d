/**
 * Random invalid changes to a valid estate, made through the public API after the estate is built: each names
 * the construct it breaks, whose path the validation error must name.
 */
import * as fc from 'fast-check';
import { BackupTarget, Channel, Duration, Engine, ExistingSecret, Probe, ProjectRole, Replicas, ServiceType, StatefulMode, User, Workload } from 'platform-cdk';
import type { AppService, Project, Tenant } from 'platform-cdk';
import { BuiltEstate, EstateSpec, REGISTRY } from './estate';

/** The kinds of invalid change. */
export const CHANGE_KINDS = [
  'bad-tenant-name',
  'bad-service-name',
  'dangling-environment',
  'dangling-cluster',
  'environment-without-clusters',
  'port-clash',
  'port-out-of-range',
  'quota-too-small',
  'dependency-cycle',
  'self-dependency',
  'duplicate-host',
  'bad-cron',
  'latest-tag',
  'request-above-limit',
  'undeclared-cross-tenant',
  'bad-env-name',
  'secret-literal',
  'preview-of-unknown-service',
  'grant-in-unplaced-environment',
  'host-of-another-tenant',
  'duplicate-service-id',
  'duplicate-namespace',
  'bad-manager-name',
  'bad-domain',
  'autoscaling-min-above-max',
  'production-preview',
  'department-of-another-tenant',
  // --- workload kinds and network exposure ---
  'bad-cron-job-schedule',
  'replicas-on-job',
  'node-port-out-of-range',
  'bad-network-cidr',
  // --- end ---
  // --- placement and external scaling ---
  'call-into-absent-environment',
  'cluster-outside-environment',
  'quota-on-unknown-cluster',
  'external-replicas-min-above-max',
  'external-replicas-and-autoscaling',
  // --- end placement and external scaling ---
  // --- connections in the caller's format and alert routing ---
  'bad-connection-template',
  'alert-credential-literal',
  'alert-route-to-unknown-receiver',
  // --- end ---
  // Pod options: root user, a reserved pod label, a readiness probe with a grace period, a moving tag in production.
  'root-user',
  'reserved-pod-label',
  'readiness-grace-period',
  'moving-tag-in-production',
] as const;

/** One invalid change: its kind and where in the estate it is made. */
export interface InvalidChange {
  readonly kind: (typeof CHANGE_KINDS)[number];
  readonly at: number;
}

/** Random invalid changes. */
export const invalidChange: fc.Arbitrary<InvalidChange> = fc.record({ kind: fc.constantFrom(...CHANGE_KINDS), at: fc.nat() });

/**
 * Makes the change on a built estate.
 * @param built the estate built from `spec`
 * @param spec its description
 * @param change the change
 * @param declare told the paths before a change that throws at once (a duplicate id) is made
 * @returns the path of the construct the validation error must name (or the paths, one of which it must name)
 */
export function applyChange(built: BuiltEstate, spec: EstateSpec, change: InvalidChange, declare: (paths: string[]) => void = () => undefined): string | string[] {
  const { platform } = built;
  const projects = [...built.projects.values()];
  const project: Project = projects[change.at % projects.length];
  const tenant: Tenant = project.tenant;
  const service = (p: Project, id: string, props: Partial<Parameters<Project['addService']>[1]> = {}): AppService =>
    p.addService(id, { image: REGISTRY.image(`${p.tenant.name}/${id}`, '1.0.0'), ports: [{ port: 8080 }], ...props });
  const env = project.environments[0];
  switch (change.kind) {
    case 'bad-tenant-name':
      return platform.addTenant('Bad_Tenant', { manager: 'someone' }).node.path;
    case 'bad-service-name':
      return service(project, 'Api_Gateway').node.path;
    case 'dangling-environment':
      return tenant.addProject(`${tenant.name}-orphan`, { environments: ['nowhere'] }).node.path;
    case 'dangling-cluster':
      return platform.addEnvironment('extra', { clusters: ['nowhere'], domain: 'extra.example.com' }).node.path;
    case 'environment-without-clusters':
      return platform.addEnvironment('extra', { clusters: [], domain: 'extra.example.com' }).node.path;
    case 'port-clash':
      return service(project, 'clash', { ports: [{ port: 8080 }, { port: 8080, name: 'again' }] }).node.path;
    case 'port-out-of-range':
      return service(project, 'far', { ports: [{ port: 70000 }] }).node.path;
    case 'quota-too-small':
      service(project, 'hungry', { resources: { cpuRequestMillis: 200, cpuLimitMillis: 400, memoryRequestMiB: 256, memoryLimitMiB: 512 } });
      project.quotaIn(env, { cpuRequestMillis: 100, cpuLimitMillis: 100, memoryRequestMiB: 64, memoryLimitMiB: 64, pods: 1 });
      return project.node.path;
    case 'dependency-cycle': {
      const a = service(project, 'ping');
      const b = service(project, 'pong');
      a.connectsTo(b);
      b.connectsTo(a);
      return project.node.path;
    }
    case 'self-dependency': {
      const a = service(project, 'narcissus');
      a.connectsTo(a);
      return a.node.path;
    }
    case 'duplicate-host':
      service(project, 'first').expose({ subdomain: 'same' });
      service(project, 'second').expose({ subdomain: 'same' });
      return project.node.path;
    case 'bad-cron':
      return project.addStatefulService('nightly', {
        engine: Engine.mysql(),
        mode: StatefulMode.IN_CLUSTER,
        inCluster: { image: REGISTRY.image('library/mysql', '8.0.36'), storage: '10Gi', credentials: ExistingSecret.named('nightly').key('password'), backup: { schedule: 'every night at 3', target: BackupTarget.volume('backups') } },
      }).node.path;
    case 'latest-tag':
      return project.addService('moving', { image: REGISTRY.image(`${tenant.name}/moving`, 'latest'), ports: [{ port: 8080 }] }).node.path;
    case 'root-user':
      return service(project, 'as-root', { runAsUser: 0 }).node.path;
    case 'reserved-pod-label':
      return service(project, 'relabelled', { podLabels: { 'app.kubernetes.io/name': 'other' } }).node.path;
    case 'readiness-grace-period':
      return service(project, 'graceful', { readiness: Probe.tcp({ terminationGracePeriod: Duration.seconds(5) }) }).node.path;
    case 'moving-tag-in-production': {
      // A project placed in a production environment, else any (then the change is a root user instead).
      const placed = projects.find((p) => p.environments.some((e) => e.production));
      if (!placed) return service(project, 'moving-root', { runAsUser: 0 }).node.path;
      return placed.addService('moving', { image: REGISTRY.image(`${placed.tenant.name}/moving`, 'alpine'), ports: [{ port: 8080 }] }).node.path;
    }
    case 'request-above-limit':
      return service(project, 'upside-down', { resources: { cpuRequestMillis: 900, cpuLimitMillis: 100 } }).node.path;
    case 'undeclared-cross-tenant': {
      const other = platform.addTenant('stranger', { manager: 'stranger.admin' });
      const theirs = service(other.addProject('stranger-app', { environments: project.environments }), 'vault');
      const mine = service(project, 'curious');
      mine.connectsTo(theirs);
      return mine.node.path;
    }
    case 'bad-env-name':
      return service(project, 'shouty', { env: { '1-BAD NAME': 'x' } }).node.path;
    case 'secret-literal':
      return service(project, 'leaky', { env: { DB_PASSWORD: 'hunter2' } }).node.path;
    case 'preview-of-unknown-service': {
      const baseline = spec.environments.find((e) => !e.production) ?? spec.environments[0];
      return platform.addPreview('feature/ghost', { baseline: baseline.name, owner: User.named(tenant.manager), expires: '2099-12-31', services: { 'no-such-service': { tag: '2.0.0' } } }).node.path;
    }
    case 'grant-in-unplaced-environment': {
      const unplaced = platform.addEnvironment('elsewhere', { clusters: ['host'], domain: 'elsewhere.example.com', namespaceSuffix: '-elsewhere' });
      project.grant(User.named(`${tenant.name}.auditor`), ProjectRole.VIEWER, { environments: [unplaced] });
      return project.node.path;
    }
    case 'host-of-another-tenant': {
      // The same public host, claimed by two tenants, in environments that may run on different clusters.
      const last = spec.environments[spec.environments.length - 1].name;
      const rival = platform.addTenant('rival', { manager: 'rival.admin' });
      const theirs = service(rival.addProject('rival-app', { environments: [last] }), 'squatter');
      theirs.expose({ hosts: { [last]: 'www.example.org' } });
      const mine = service(project, 'home');
      mine.expose({ hosts: { [env.name]: 'www.example.org' }, environments: [env.name] });
      return [mine.node.path, theirs.node.path];
    }
    case 'duplicate-service-id': {
      const first = [...built.services.values()].find((s) => s.project === project);
      const id = first?.name ?? 'twice';
      if (!first) service(project, id);
      declare([project.node.path]);
      service(project, id);
      return project.node.path;
    }
    case 'duplicate-namespace': {
      const copy = tenant.addProject(`${tenant.name}-copy`, { environments: project.environments.filter((e) => !('baseline' in e && e.baseline)), namespace: project.namespace });
      return [copy.node.path, project.node.path];
    }
    case 'bad-manager-name':
      return platform.addTenant('managed', { manager: 'Not A User!' }).node.path;
    case 'bad-domain':
      return platform.addEnvironment('extra', { clusters: ['host'], domain: 'not a domain', namespaceSuffix: '-extra' }).node.path;
    case 'autoscaling-min-above-max':
      return service(project, 'elastic', { autoscaling: { minReplicas: 5, maxReplicas: 2, cpuUtilization: 70 } }).node.path;
    case 'production-preview': {
      const live = platform.addEnvironment('live', { clusters: ['host'], production: true, domain: 'live.example.com', namespaceSuffix: '-live' });
      const p = tenant.addProject(`${tenant.name}-live`, { environments: [live] });
      service(p, 'shop');
      return platform.addPreview('feature/in-production', { baseline: live, owner: User.named(tenant.manager), expires: '2099-12-31', services: { [`${tenant.name}/${p.name}/shop`]: { tag: '2.0.0' } } }).node.path;
    }
    // --- workload kinds and network exposure ---
    case 'bad-cron-job-schedule':
      return service(project, 'nightly-job', { ports: [], workload: Workload.cronJob({ schedule: '0 25 * * *', timeZone: 'Nowhere/Special' }) }).node.path;
    case 'replicas-on-job':
      return service(project, 'one-off', { ports: [], replicas: 2, workload: Workload.job() }).node.path;
    case 'node-port-out-of-range': {
      const s = service(project, 'edge');
      s.exposeNetwork({ type: ServiceType.NODE_PORT, from: ['10.20.0.0/16'], ports: [{ port: 8080, nodePort: 8080 }] });
      return s.node.path;
    }
    case 'bad-network-cidr': {
      const s = service(project, 'edge');
      s.exposeNetwork({ from: ['10.20.0.1/16'] });
      return s.node.path;
    }
    // --- end ---
    // --- placement and external scaling ---
    case 'call-into-absent-environment': {
      // A second environment of the project, where the target does not run and its caller does.
      const other = project.environments.find((e) => e !== env) ?? platform.addEnvironment('extra', { clusters: ['host'], domain: 'extra.example.com', namespaceSuffix: '-extra' });
      if (!project.environments.includes(other)) {
        project.placeIn(other);
        project.quotaIn(other, { cpuRequestMillis: 64000, cpuLimitMillis: 256000, memoryRequestMiB: 131072, memoryLimitMiB: 524288, pods: 500 });
      }
      const stub = service(project, 'stub', { environments: [env] });
      const caller = service(project, 'prober');
      caller.connectsTo(stub);
      return caller.node.path;
    }
    case 'cluster-outside-environment': {
      project.placeOnClusters(env, ['nowhere']);
      return project.node.path;
    }
    case 'quota-on-unknown-cluster':
      tenant.quotaOn('nowhere', { pods: 10 });
      return tenant.node.path;
    case 'external-replicas-min-above-max':
      return service(project, 'owned', { replicas: Replicas.external({ min: 4, max: 2 }) }).node.path;
    case 'external-replicas-and-autoscaling':
      return service(project, 'contested', { replicas: Replicas.external(), autoscaling: { minReplicas: 2, maxReplicas: 4, cpuUtilization: 70 } }).node.path;
    // --- end placement and external scaling ---
    // --- connections in the caller's format and alert routing ---
    case 'bad-connection-template': {
      const target = service(project, 'called');
      const caller = service(project, 'caller');
      caller.connectsTo(target, { env: { CALLED_ADDR: ['{hostname}:{port}', 'http://{host', 'no placeholder', 'http://u:p4ssw0rd@{host}'][change.at % 4] } });
      return caller.node.path;
    }
    case 'alert-credential-literal':
      return tenant.routeAlerts('leaky-alerts', { environments: [env], receivers: { chat: Channel.slack({ channel: '#x', credentials: 'https://hooks.slack.com/services/T0000000/B0000000/abcdefghijklmnopqrstuvwx' as never }) } }).node.path;
    case 'alert-route-to-unknown-receiver':
      return tenant.routeAlerts('lost-alerts', { environments: [env], receivers: { mail: Channel.webhook({ url: 'https://pager.example.com/x' }) }, routes: [{ receivers: ['nobody'] }] }).node.path;
    // --- end ---
    case 'department-of-another-tenant': {
      const other = platform.addTenant('outsiders', { manager: 'outsiders.admin' });
      const dept = other.addDepartment('crew', { members: ['outsiders.crew0'] });
      project.grant(dept, ProjectRole.OPERATOR, { environments: [env] });
      return project.node.path;
    }
  }
}
