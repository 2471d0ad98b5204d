/**
 * Weaveworks' Sock Shop (github.com/microservices-demo/microservices-demo, deploy/kubernetes/complete-demo.yaml)
 * re-expressed with the typed API only: fourteen services of one online shop — a Node.js front-end, Go and Java
 * services, MongoDB, MySQL, Redis and RabbitMQ — in one namespace of one plain Kubernetes cluster.
 *
 *   CDK8S_OUTDIR=/tmp/sock-shop npx tsx examples/sock-shop/main.ts
 *
 * How to read it: SERVICES holds every service, one line each (what the upstream YAML says in 40 lines per
 * service); CALLS holds who calls whom, which becomes each caller's network policies. Everything else — the
 * labels, the restricted security profile, a ServiceAccount per service, default-deny network policies, the
 * namespace's quota and limit range — is what the library adds to every service (README.md lists the
 * differences from the upstream YAML, and test/examples/sock-shop.test.ts checks each of them).
 */
import { Duration } from 'cdk8s';
import { ClusterRole, ExistingSecret, Platform, Probe, Registry, ServiceType, synthesizeApp, Target } from 'platform-cdk';
import type { AppService, AppServiceProps, PortOptions, Resources } from 'platform-cdk';

/** Every image comes from Docker Hub (official images under `library/`). */
const hub = Registry.at('docker.io');

/** The user the shop's own images run as. */
const SHOP_USER = 10001;
/** The shop's own services that upstream lets bind port 80 as that user (NET_BIND_SERVICE). */
const BINDS_80 = new Set(['carts', 'catalogue', 'orders', 'payment', 'shipping', 'user']);
/** The services whose /tmp upstream keeps in memory (a tmpfs, counted against the container's memory limit). */
const TMP_IN_MEMORY = new Set(['carts', 'carts-db', 'orders', 'orders-db', 'shipping', 'user-db']);
/** The user of the official database and broker images (mongodb, mysql, redis, rabbitmq). */
const DB_USER = 999;

/** Every pod runs on Linux nodes. */
const LINUX = { nodeSelector: { 'beta.kubernetes.io/os': 'linux' } };

/** The JVM options of the Java services (carts, orders, queue-master, shipping). */
const JAVA_OPTS = '-Xms64m -Xmx128m -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom -Dspring.zipkin.enabled=false';

/** One service of the shop, as one line. */
interface Svc {
  /** The service's name: its Deployment, Service and container. */
  readonly name: string;
  /** Docker Hub repository and tag. */
  readonly image: [string, string];
  /** Its ports (the first is the one callers use). */
  readonly ports: PortOptions[];
  /** CPU request/limit in millicores, memory request/limit in MiB, where upstream sets them. */
  readonly size?: [number, number, number, number];
  /** Environment variables. */
  readonly env?: Record<string, string>;
  /** The health check's path and the delays before readiness and liveness checks start, in seconds. */
  readonly health?: [string, number, number];
  /** Folders the service writes to besides /tmp (the image's volumes). */
  readonly writes?: string[];
  /** The numeric user the image runs as (default: the shop's). */
  readonly user?: number;
  /** The rest, as typed props. */
  readonly more?: Partial<AppServiceProps>;
}

const java = { JAVA_OPTS };

/** A MongoDB: the official image at the version of the project's Helm chart (upstream: `mongo`, i.e. latest). */
function mongo(name: string, image: [string, string] = ['library/mongo', '4.4.0']): Svc {
  return { name, image, ports: [{ port: 27017, name: 'mongo' }], writes: ['/data/db', '/data/configdb'], user: DB_USER };
}

/** The fourteen services, in the upstream file's order. */
const SERVICES: Svc[] = [
  { name: 'carts', image: ['weaveworksdemos/carts', '0.4.8'], ports: [{ port: 80 }], size: [100, 300, 200, 500], env: java },
  mongo('carts-db'),
  {
    name: 'catalogue', image: ['weaveworksdemos/catalogue', '0.3.5'], ports: [{ port: 80 }], size: [100, 200, 100, 200], health: ['/health', 180, 300],
    more: { command: ['/app'], args: ['-port=80'] },
  },
  {
    name: 'catalogue-db', image: ['weaveworksdemos/catalogue-db', '0.3.0'], ports: [{ port: 3306, name: 'mysql' }], env: { MYSQL_DATABASE: 'socksdb' }, writes: ['/var/lib/mysql', '/var/run/mysqld'], user: DB_USER,
    // The root password is a reference to a Secret, never a value in the code.
    more: { secrets: { MYSQL_ROOT_PASSWORD: ExistingSecret.named('catalogue-db').key('root-password') } },
  },
  { name: 'front-end', image: ['weaveworksdemos/front-end', '0.3.12'], ports: [{ port: 80, containerPort: 8079 }], size: [100, 300, 300, 1000], env: { SESSION_REDIS: 'true' }, health: ['/', 30, 300] },
  { name: 'orders', image: ['weaveworksdemos/orders', '0.4.7'], ports: [{ port: 80 }], size: [100, 500, 300, 500], env: java },
  mongo('orders-db'),
  { name: 'payment', image: ['weaveworksdemos/payment', '0.4.3'], ports: [{ port: 80 }], size: [99, 200, 100, 200], health: ['/health', 180, 300] },
  { name: 'queue-master', image: ['weaveworksdemos/queue-master', '0.3.1'], ports: [{ port: 80 }], size: [100, 300, 300, 500], env: java },
  {
    name: 'rabbitmq', image: ['library/rabbitmq', '3.6.8-management'], writes: ['/var/lib/rabbitmq'], user: DB_USER,
    // The Service's port "exporter" is the exporter sidecar's port of that name.
    ports: [{ port: 5672, name: 'rabbitmq' }, { port: 9090, name: 'exporter' }, { port: 15672, name: 'management' }],
    more: { sidecars: [{ name: 'rabbitmq-exporter', image: hub.image('kbudde/rabbitmq-exporter', 'v0.29.0'), ports: [{ name: 'exporter', containerPort: 9090 }] }], podAnnotations: { 'prometheus.io/scrape': 'false' } },
  },
  { name: 'session-db', image: ['library/redis', 'alpine'], ports: [{ port: 6379, name: 'redis' }], writes: ['/data'], user: DB_USER, more: { podAnnotations: { 'prometheus.io.scrape': 'false' } } },
  { name: 'shipping', image: ['weaveworksdemos/shipping', '0.4.8'], ports: [{ port: 80 }], size: [100, 300, 300, 500], env: { ZIPKIN: 'zipkin.jaeger.svc.cluster.local', ...java } },
  { name: 'user', image: ['weaveworksdemos/user', '0.4.7'], ports: [{ port: 80 }], size: [100, 300, 100, 200], health: ['/health', 180, 300] },
  mongo('user-db', ['weaveworksdemos/user-db', '0.3.0']),
];

/** The services Prometheus scrapes at /metrics (upstream: `prometheus.io/scrape` on their Service), by port. */
const SCRAPED: Record<string, string> = {
  carts: 'http', catalogue: 'http', 'front-end': 'http', orders: 'http', payment: 'http', 'queue-master': 'http', shipping: 'http', user: 'http',
  rabbitmq: 'exporter',
};

/**
 * Who calls whom (the caller first): each call is a pair of network policies, caller to callee. The services find
 * each other by Service name, except `user`, which reads its database's address from `mongo` (`user-db:27017`).
 */
const CALLS: [string, string[]][] = [
  ['front-end', ['carts', 'catalogue', 'orders', 'payment', 'user', 'session-db']],
  ['carts', ['carts-db']],
  ['catalogue', ['catalogue-db']],
  ['orders', ['orders-db', 'carts', 'payment', 'shipping', 'user']],
  ['shipping', ['rabbitmq']],
  ['queue-master', ['rabbitmq']],
  ['user', ['user-db']],
];
/** The variables that give a caller its callee's address in the caller's own format, by callee. */
const ADDRESS_VARIABLES: Record<string, Record<string, string>> = { 'user-db': { mongo: '{shortHost}:{port}' } };

/** The resources of a `size` column. */
function resources(size: Svc['size']): Resources | undefined {
  if (!size) return undefined;
  const [cpuRequestMillis, cpuLimitMillis, memoryRequestMiB, memoryLimitMiB] = size;
  return { cpuRequestMillis, cpuLimitMillis, memoryRequestMiB, memoryLimitMiB };
}

/** The readiness and liveness probes of a `health` column: an HTTP GET every 3 seconds after the delays. */
function probes(health: Svc['health']): Partial<AppServiceProps> {
  if (!health) return {};
  const [path, ready, live] = health;
  const period = Duration.seconds(3);
  return { readiness: Probe.http(path, { initialDelay: Duration.seconds(ready), period }), liveness: Probe.http(path, { initialDelay: Duration.seconds(live), period }) };
}

/** Builds the Sock Shop: one cluster, one environment, one tenant with the project `sock-shop`. */
export function build(): Platform {
  const platform = new Platform('sock-shop', { target: Target.KUBERNETES });
  const cluster = platform.addCluster('demo', { role: ClusterRole.HOST });
  const demo = platform.addEnvironment('demo', { clusters: [cluster] });
  const shop = platform.addTenant('weaveworks', { manager: 'shop-admin', displayName: 'Weaveworks demos' });
  const project = shop.addProject('sock-shop', {
    environments: [demo],
    description: 'The Sock Shop microservices demo',
    quota: { cpuRequestMillis: 4000, cpuLimitMillis: 12000, memoryRequestMiB: 8192, memoryLimitMiB: 16384, pods: 40 },
  });

  const services = new Map(SERVICES.map((s) => [s.name, project.addService(s.name, {
    image: hub.image(...s.image),
    ports: s.ports,
    env: s.env,
    resources: resources(s.size),
    writablePaths: [...(TMP_IN_MEMORY.has(s.name) ? [{ path: '/tmp', medium: 'Memory' as const }] : []), ...(s.writes ?? [])],
    runAsUser: s.user ?? SHOP_USER,
    addCapabilities: BINDS_80.has(s.name) ? ['NET_BIND_SERVICE'] : undefined,
    scheduling: LINUX,
    metrics: SCRAPED[s.name] !== undefined ? { port: SCRAPED[s.name] } : undefined,
    ...probes(s.health),
    ...s.more,
  })]));
  const service = (name: string): AppService => {
    const s = services.get(name);
    if (!s) throw new Error(`CALLS names ${name}, which is not in SERVICES`);
    return s;
  };
  for (const [caller, callees] of CALLS) {
    for (const callee of callees) service(caller).connectsTo(service(callee), { env: ADDRESS_VARIABLES[callee], hostAndPort: false });
  }
  // The shop's entry point: port 80 on every node's port 30001, from anywhere (a demo).
  service('front-end').exposeNetwork({ type: ServiceType.NODE_PORT, ports: [{ port: 'http', nodePort: 30001 }], from: ['0.0.0.0/0'] });
  return platform;
}

synthesizeApp(build);
