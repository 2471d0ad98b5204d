/**
 * Istio's Bookinfo (github.com/istio/istio, samples/bookinfo/platform/kube/bookinfo.yaml) re-expressed with the
 * typed API only: a product page in Python calls the book's details (Ruby) and its reviews (Java, in three
 * versions), and reviews v2 and v3 call the ratings (Node.js).
 *
 *   CDK8S_OUTDIR=/tmp/bookinfo npx tsx examples/bookinfo/main.ts
 *
 * SERVICES holds every service, one line each; `calls` become each caller's network policies. The three versions
 * of reviews are three services (reviews-v1, -v2, -v3), each with its own Service: the typed model has no Service
 * over several services, which upstream's `reviews` is (Istio's routing rules then split traffic between the
 * versions). The product page reads reviews-v1, where Istio's request-routing task starts. README.md lists every
 * difference from the upstream YAML; test/examples/bookinfo.test.ts checks each of them.
 */
import { ClusterRole, Platform, Registry, synthesizeApp, Target } from 'platform-cdk';
import type { AppService } from 'platform-cdk';

/** Istio's sample images on Docker Hub, all at one release. */
const hub = Registry.at('docker.io');
const RELEASE = '1.17.0';
/** The samples' images run as user 1000. */
const USER = 1000;

/** One service of Bookinfo. */
interface Svc {
  /** The service's name: its Deployment and Service. */
  readonly name: string;
  /** The app and its version, as Istio reads them (labels `app`, `version`; the image is `<app>-<version>`). */
  readonly app: [string, string];
  /** Environment variables. */
  readonly env?: Record<string, string>;
  /** Folders the service writes to besides /tmp. */
  readonly writes?: string[];
  /** The services it calls, by their Service name. */
  readonly calls?: string[];
  /** The variables that give it a callee's address, by callee (the others it finds by Service name). */
  readonly addresses?: Record<string, Record<string, string>>;
}

/** Reviews, in its three versions: v1 shows no stars, v2 black ones, v3 red ones (both read the ratings). */
const reviews = (version: string): Svc => ({
  name: `reviews-${version}`,
  app: ['reviews', version],
  env: { LOG_DIR: '/tmp/logs' },
  writes: ['/opt/ibm/wlp/output'],
  calls: version === 'v1' ? [] : ['ratings'],
});

const SERVICES: Svc[] = [
  { name: 'details', app: ['details', 'v1'] },
  { name: 'ratings', app: ['ratings', 'v1'] },
  reviews('v1'),
  reviews('v2'),
  reviews('v3'),
  { name: 'productpage', app: ['productpage', 'v1'], calls: ['details', 'reviews-v1'], addresses: { 'reviews-v1': { REVIEWS_HOSTNAME: '{shortHost}' } } },
];

/** Builds Bookinfo: one cluster, one environment, one tenant with the project `bookinfo`. */
export function build(): Platform {
  const platform = new Platform('bookinfo', { target: Target.KUBERNETES });
  const cluster = platform.addCluster('demo', { role: ClusterRole.HOST });
  const demo = platform.addEnvironment('demo', { clusters: [cluster] });
  const samples = platform.addTenant('istio-samples', { manager: 'mesh-admin', displayName: 'Istio samples' });
  const project = samples.addProject('bookinfo', { environments: [demo], description: 'The Bookinfo sample of Istio' });

  const services = new Map<string, AppService>();
  for (const s of SERVICES) {
    const [app, version] = s.app;
    services.set(s.name, project.addService(s.name, {
      image: hub.image(`istio/examples-bookinfo-${app}-${version}`, RELEASE),
      containerName: app,
      podLabels: { app, version },
      runAsUser: USER,
      ports: [{ port: 9080 }],
      env: s.env,
      writablePaths: s.writes,
    }));
  }
  for (const s of SERVICES) {
    for (const callee of s.calls ?? []) {
      const target = services.get(callee);
      if (!target) throw new Error(`${s.name} calls ${callee}, which is not in SERVICES`);
      services.get(s.name)?.connectsTo(target, { env: s.addresses?.[callee], hostAndPort: false });
    }
  }
  return platform;
}

synthesizeApp(build);
