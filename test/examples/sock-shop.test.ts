/**
 * examples/sock-shop: Weaveworks' Sock Shop re-expressed with the typed API, compared object by object with its
 * published manifest (test/fixtures/sock-shop/complete-demo.yaml). Every difference on the fields that decide what
 * runs is explained below: what the library does on purpose (INTENDED), what the typed model cannot say and no one
 * is adding (GAPS), and fields being added to the typed model (PENDING, which shrinks as they land). The example's
 * synthesis, schemas, checks, isolation and Pulumi parity are tested with every other example's (check.test.ts,
 * isolation.test.ts, pulumi-stack.test.ts).
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import type { KubeObject } from 'platform-cdk';
import { build } from '../../examples/sock-shop/main';
import { synthObjects } from '../fixture';
import { tiered } from '../tier';
import { Allowance, compare, escapeHatchesIn, explain, normalImage, readUpstream } from './upstream';

const UPSTREAM = 'sock-shop/complete-demo.yaml';
const NAMESPACE = 'sock-shop';
const DEPLOYMENT = /^Deployment\//;
const DB_IMAGES = /^Deployment\/(carts-db|orders-db|user-db|session-db|rabbitmq)$/;

/** The library's default probe: TCP on the first port, Kubernetes' default timing. */
const defaultProbe = (v: unknown): boolean => {
  const p = v as Record<string, unknown>;
  return p.kind === 'tcp' && typeof p.port === 'number' && p.periodSeconds === 10 && p.timeoutSeconds === 1 && p.failureThreshold === 3;
};

/** What the library writes differently on purpose. */
const INTENDED: Allowance[] = [
  { object: DEPLOYMENT, field: 'pod label name', reason: 'pods carry the recommended labels (app.kubernetes.io/name …) and Services select by app.kubernetes.io/name' },
  { object: DEPLOYMENT, field: 'serviceAccountName', reason: 'each service runs as its own ServiceAccount (without a token), not the namespace\'s default' },
  { object: /^ServiceAccount\//, field: 'object', reason: 'each service runs as its own ServiceAccount' },
  { object: DEPLOYMENT, field: /^container [a-z-]+: port \d+$/, reason: 'every container port is named ("http" for the first), so that Services and probes name it' },
  { object: /^Service\//, field: /^port \d+: name$/, reason: 'every Service port is named after its container port' },
  { object: DEPLOYMENT, field: /: (readiness|liveness)Probe$/, output: defaultProbe, reason: 'a container without probes gets TCP probes on its first port' },
  { object: DEPLOYMENT, field: /: resources$/, reason: 'every container has requests and limits: the platform\'s defaults where upstream sets none' },
  { object: DEPLOYMENT, field: /: writable folders$/, reason: 'the root file system is read-only: /tmp is always writable (in memory where upstream keeps it there), and the images\' data folders (MongoDB, MySQL, RabbitMQ, Redis) are declared writablePaths' },
  { object: DB_IMAGES, field: /: capabilities\.add$/, reason: 'the restricted profile adds no capability: the database images run as their own user instead of starting as root to switch to it' },
  { object: /^Deployment\/(carts-db|orders-db|user-db|session-db|rabbitmq|catalogue-db)$/, field: /: runAsUser$/, output: 999, reason: 'pods never run as root: the database and broker images run as their own user (mongodb, mysql, redis, rabbitmq: 999), where upstream starts them as root' },
  { object: 'Deployment/queue-master', field: 'container queue-master: runAsUser', output: 10001, reason: 'pods never run as root: queue-master runs as the user of the shop\'s other images, which upstream leaves to the image' },
  { object: /^Deployment\/(carts-db|orders-db)$/, field: /: image$/, output: 'docker.io/library/mongo:4.4.0', reason: 'images run at a fixed version: mongo at the version of the project\'s own Helm chart' },
  { object: 'Deployment/rabbitmq', field: 'container rabbitmq-exporter: image', output: 'docker.io/kbudde/rabbitmq-exporter:v0.29.0', reason: 'images run at a fixed version' },
  { object: DEPLOYMENT, field: /: imagePullPolicy$/, output: 'IfNotPresent', reason: 'a fixed version is pulled once (upstream pulls "latest" every time)' },
  { object: 'Deployment/catalogue-db', field: 'container catalogue-db: env MYSQL_ROOT_PASSWORD', output: '<secret catalogue-db/root-password>', reason: 'a secret is a reference, never a value in the code' },
  { object: /^Service\//, field: /^annotation prometheus\.io\/(scrape|port)$/, reason: 'scraping is declared with `metrics`: a ServiceMonitor per scraped service, and a policy that lets the monitoring namespace in (upstream: prometheus.io annotations for an annotation-driven Prometheus)' },
  { object: 'Service/front-end', field: /^(type|port 80: nodePort)$/, reason: 'a service\'s own Service stays ClusterIP: the node port 30001 is on a Service of its own, front-end-external (exposeNetwork)' },
  { object: 'Service/front-end-external', field: 'object', reason: 'the front-end\'s NodePort Service (see the test of it below)' },
  { object: 'Service/rabbitmq', field: /^port 15672: (protocol|targetPort)$/, reason: 'every declared port is a Service port: the management UI is reachable in the cluster (upstream declares it on the container only)' },
];

/**
 * What the typed model cannot say, and no part of the current work adds. Empty: the added capability
 * (`addCapabilities`), the in-memory /tmp (`writablePaths`) and the exporter sidecar's port (`ports` on a sidecar) are
 * in the typed model.
 */
const GAPS: Allowance[] = [];

/**
 * Fields being added to the typed model, as `missing: <field> (pending)`: each line goes when its field lands and
 * the example uses it. Empty: every field this application needs has landed.
 */
const PENDING: Allowance[] = [];

let output: KubeObject[] | undefined;
/** The example's objects in its namespace, and the namespace. */
function synthesized(): KubeObject[] {
  output ??= [...synthObjects(build()).values()].filter((o) => o.metadata.namespace === NAMESPACE || (o.kind === 'Namespace' && o.metadata.name === NAMESPACE));
  return output;
}

describe('examples/sock-shop against the published Sock Shop manifest', () => {
  it('differs from upstream only as listed, and every listed difference still exists', () => {
    const result = explain(compare(readUpstream(UPSTREAM), synthesized()), [...INTENDED, ...GAPS, ...PENDING]);
    expect(result.unexplained).toEqual([]);
    expect(result.unused).toEqual([]);
  });

  it('keeps every writable folder upstream has, in the same medium (/tmp in memory where upstream keeps it there)', () => {
    const diffs = compare(readUpstream(UPSTREAM), synthesized()).filter((d) => d.field.endsWith(': writable folders'));
    expect(diffs.length).toBeGreaterThan(0);
    for (const d of diffs) expect(d.output).toEqual(expect.arrayContaining((d.upstream as string[] | undefined) ?? []));
    const tmp = synthesized().filter((o) => o.kind === 'Deployment' && (o as any).spec.template.spec.volumes.some((v: any) => v.name === 'tmp' && v.emptyDir.medium === 'Memory'));
    expect(tmp.map((o) => o.metadata.name).sort()).toEqual(['carts', 'carts-db', 'orders', 'orders-db', 'shipping', 'user-db']);
  });

  it('declares the exporter\'s port on its sidecar, and the Service reaches it there', () => {
    const d = synthesized().find((o) => o.kind === 'Deployment' && o.metadata.name === 'rabbitmq') as any;
    const [broker, exporter] = d.spec.template.spec.containers;
    expect(broker.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([5672, 15672]);
    expect(exporter.ports).toEqual([{ name: 'exporter', containerPort: 9090, protocol: 'TCP' }]);
    const svc = synthesized().find((o) => o.kind === 'Service' && o.metadata.name === 'rabbitmq') as any;
    expect(svc.spec.ports).toContainEqual(expect.objectContaining({ port: 9090, targetPort: 'exporter' }));
  });

  it('writes every upstream Deployment and Service, and the namespace', () => {
    const names = (kind: string, objects: readonly KubeObject[]): string[] => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
    const upstream = readUpstream(UPSTREAM);
    for (const kind of ['Namespace', 'Deployment']) expect(names(kind, synthesized())).toEqual(names(kind, upstream));
    // And the front-end's NodePort Service, a Service of its own.
    expect(names('Service', synthesized())).toEqual([...names('Service', upstream), 'front-end-external'].sort());
  });

  it('adds only the objects the library adds to every project, and a ServiceMonitor for each service upstream has scraped', () => {
    expect([...new Set(synthesized().map((o) => o.kind))].sort()).toEqual(['Deployment', 'LimitRange', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    const scraped = readUpstream(UPSTREAM).filter((o) => o.kind === 'Service' && o.metadata.annotations?.['prometheus.io/scrape'] === 'true').map((o) => o.metadata.name).sort();
    const monitors = synthesized().filter((o) => o.kind === 'ServiceMonitor');
    expect(monitors.map((o) => o.metadata.name).sort()).toEqual(scraped);
    const rabbitmq = monitors.find((o) => o.metadata.name === 'rabbitmq') as KubeObject;
    expect((rabbitmq.spec as { endpoints: { port: string }[] }).endpoints.map((e) => e.port)).toEqual(['exporter']);
  });

  it('opens the front-end on every node\'s port 30001, as upstream\'s front-end Service does, on a Service of its own', () => {
    // The Deployments are there for the Services' selectors: only the Service is compared.
    const frontEnd = (o: KubeObject): boolean => o.metadata.name === 'front-end' && ['Service', 'Deployment'].includes(o.kind);
    const output = synthesized().filter((o) => (o.kind === 'Service' && o.metadata.name === 'front-end-external') || (o.kind === 'Deployment' && o.metadata.name === 'front-end'));
    const diffs = compare(readUpstream(UPSTREAM).filter(frontEnd), output, { names: { 'Service/front-end': 'front-end-external' } }).filter((d) => d.object === 'Service/front-end');
    const result = explain(diffs, [
      { object: 'Service/front-end', field: 'name', output: 'front-end-external', reason: 'a network exposure is a Service of its own, named <service>-external' },
      { object: 'Service/front-end', field: 'port 80: name', output: 'http', reason: 'every Service port is named' },
      { object: 'Service/front-end', field: 'externalTrafficPolicy', output: 'Local', reason: 'the node keeps the client\'s address, so that the network policy admits clients by address' },
      { object: 'Service/front-end', field: 'annotation prometheus.io/scrape', reason: 'scraping is declared with metrics, on the service\'s own Service' },
    ]);
    expect(result).toEqual({ unexplained: [], unused: [] });
    const policies = synthesized().filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(policies.filter((p) => p.includes('external'))).not.toEqual([]);
  });

  it('hardens every container with the restricted profile (the security the upstream file leaves to each container)', () => {
    for (const d of synthesized().filter((o) => o.kind === 'Deployment')) {
      const pod = (d.spec as { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } }).template.spec;
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      }
    }
  });

  it('lets each service reach exactly the services it calls: a default-deny policy and a pair of policies per call', () => {
    const policies = synthesized().filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(policies).toContain('default-deny');
    for (const callee of ['carts', 'carts-db', 'catalogue', 'catalogue-db', 'orders', 'orders-db', 'payment', 'rabbitmq', 'session-db', 'shipping', 'user', 'user-db']) {
      expect(policies).toEqual(expect.arrayContaining([`egress-to-${callee}`, `ingress-to-${callee}`]));
    }
    // front-end is called from outside (it is the shop's entry point) and queue-master by no one.
    expect(policies).not.toContain('ingress-to-queue-master');
  });

  it('uses the typed API only (no override, patch, user construct or transform), in at most a third of the upstream YAML\'s lines', () => {
    const root = path.resolve(__dirname, '..', '..');
    const program = fs.readFileSync(path.join(root, 'examples', 'sock-shop', 'main.ts'), 'utf8');
    expect(escapeHatchesIn(program)).toEqual([]);
    const lines = (text: string): number => text.split('\n').length;
    expect(lines(program) * 3).toBeLessThanOrEqual(lines(fs.readFileSync(path.join(root, 'test', 'fixtures', UPSTREAM), 'utf8')));
  });
});

describe('the comparison with upstream (test/examples/upstream.ts)', () => {
  type Pod = { terminationGracePeriodSeconds?: number; containers: Container[] };
  type Container = { name: string; image: string; env?: { name: string; value: string }[]; securityContext?: Record<string, unknown>; readinessProbe?: Record<string, unknown>; resources?: { limits?: Record<string, string> } };
  const podOf = (d: KubeObject): Pod => (d.spec as { template: { spec: Pod } }).template.spec;
  const upstream = readUpstream(UPSTREAM);
  const copy = (): KubeObject[] => JSON.parse(JSON.stringify(upstream)) as KubeObject[];

  it('finds no difference between the upstream file and itself', () => {
    expect(compare(upstream, copy())).toEqual([]);
  });

  it('sees the escape hatches a program uses', () => {
    expect(escapeHatchesIn("svc.addOverride('Deployment', 'spec.replicas', 2);\nimport * as kplus from 'cdk8s-plus-27';\nnew ApiObject(chart, 'x', {});")).toEqual(['.addOverride(', "from 'cdk8s-plus-27'", 'new ApiObject(']);
    expect(escapeHatchesIn('project.addService(\'web\', { image });')).toEqual([]);
  });

  it('spells out Docker Hub\'s short names, so that `mongo` and `docker.io/library/mongo:latest` are one image', () => {
    expect(normalImage('mongo')).toBe('docker.io/library/mongo:latest');
    expect(normalImage('weaveworksdemos/carts:0.4.8')).toBe('docker.io/weaveworksdemos/carts:0.4.8');
    expect(normalImage('docker.io/library/redis:alpine')).toBe('docker.io/library/redis:alpine');
    expect(normalImage('registry.local:5000/a/b@sha256:00')).toBe('registry.local:5000/a/b@sha256:00');
  });

  /** One change to one field that decides what runs, and the field the comparison must name. */
  type Change = { deployment: number; kind: 'image' | 'env' | 'timeout' | 'user' | 'grace' | 'memory'; value: number };
  const change: fc.Arbitrary<Change> = fc.record({
    deployment: fc.nat(13),
    kind: fc.constantFrom('image', 'env', 'timeout', 'user', 'grace', 'memory'),
    value: fc.integer({ min: 2, max: 9999 }),
  });
  function apply(objects: KubeObject[], c: Change): { object: string; field: string } {
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    const withProbe = deployments.filter((d) => podOf(d).containers[0].readinessProbe !== undefined);
    // An image change keeps a tag upstream gave (from no tag to one, Kubernetes' default pull policy changes too).
    const tagged = deployments.filter((x) => podOf(x).containers[0].image.includes(':'));
    const d = c.kind === 'timeout' ? withProbe[c.deployment % withProbe.length] : c.kind === 'image' ? tagged[c.deployment % tagged.length] : deployments[c.deployment % deployments.length];
    const pod = podOf(d);
    const container = pod.containers[0];
    const object = `Deployment/${d.metadata.name}`;
    const p = `container ${container.name}`;
    switch (c.kind) {
      case 'image':
        container.image = `${container.image.split(':')[0]}:9.${c.value}`;
        return { object, field: `${p}: image` };
      case 'env':
        container.env = [...(container.env ?? []), { name: 'CHANGED', value: String(c.value) }];
        return { object, field: `${p}: env CHANGED` };
      case 'timeout':
        (container.readinessProbe as Record<string, unknown>).timeoutSeconds = c.value;
        return { object, field: `${p}: readinessProbe timeoutSeconds` };
      case 'user':
        container.securityContext = { ...container.securityContext, runAsUser: 20000 + c.value };
        return { object, field: `${p}: runAsUser` };
      case 'grace':
        pod.terminationGracePeriodSeconds = 30 + c.value;
        return { object, field: 'terminationGracePeriodSeconds' };
      default: {
        // A container without resources gains them: one difference, the group.
        const had = container.resources !== undefined;
        container.resources = { ...container.resources, limits: { ...container.resources?.limits, memory: `${2000 + c.value}Mi` } };
        return { object, field: had ? `${p}: resources limits.memory` : `${p}: resources` };
      }
    }
  }

  it('names the object and field of any one change to a field that decides what runs, and nothing else', () => {
    fc.assert(
      fc.property(change, (c) => {
        const changed = copy();
        const expected = apply(changed, c);
        expect(compare(upstream, changed).map((d) => ({ object: d.object, field: d.field }))).toEqual([expected]);
      }),
      { seed: 20261206, numRuns: tiered(30, 200) },
    );
  });

  it('reports a Service\'s type and node port, and an object that one side lacks', () => {
    const changed = copy();
    const frontEnd = changed.find((o) => o.kind === 'Service' && o.metadata.name === 'front-end') as KubeObject;
    (frontEnd.spec as Record<string, unknown>).type = 'LoadBalancer';
    ((frontEnd.spec as { ports: Record<string, unknown>[] }).ports[0]).nodePort = 30002;
    const fields = compare(upstream, changed.filter((o) => !(o.kind === 'Service' && o.metadata.name === 'user'))).map((d) => `${d.object} ${d.field}`);
    expect(fields).toEqual(['Service/front-end type', 'Service/front-end port 80: nodePort', 'Service/user object']);
  });
});
