/**
 * Istio's Bookinfo (github.com/istio/istio, samples/bookinfo/platform/kube/bookinfo.yaml) re-expressed with the
 * typed API only: a product page in Python calls the book's details (Ruby) and its reviews (Java, in three
 * versions), and reviews v2 and v3 call the ratings (Node.js).
 *
 *   CDK8S_OUTDIR=/tmp/bookinfo npx tsx examples/bookinfo/main.ts
 *
 * SERVICES holds every service, one line each; `calls` become each caller's network policies. Reviews runs in three
 * versions behind its one Service `reviews` (`versions`: Deployments reviews-v1, -v2, -v3, whose pods carry the label
 * `version`, which Istio's routing rules read to split traffic between them). README.md lists every difference from
 * the upstream YAML; test/examples/bookinfo.test.ts checks each of them.
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
  /** The service's name: its Service, and the app label Istio reads. */
  readonly name: string;
  /** The versions it runs, each with its image `<name>-<version>` (more than one: a Deployment per version). */
  readonly versions: string[];
  /** Environment variables. */
  readonly env?: Record<string, string>;
  /** Folders the service writes to besides /tmp. */
  readonly writes?: string[];
  /** The services it calls, by their Service name (which is how it finds them, as upstream). */
  readonly calls?: string[];
}

/** The image of a version of a service. */
const image = (name: string, version: string) => hub.image(`istio/examples-bookinfo-${name}-${version}`, RELEASE);

const SERVICES: Svc[] = [
  { name: 'details', versions: ['v1'] },
  { name: 'ratings', versions: ['v1'] },
  { name: 'reviews', versions: ['v1', 'v2', 'v3'], env: { LOG_DIR: '/tmp/logs' }, writes: ['/opt/ibm/wlp/output'], calls: ['ratings'] },
  { name: 'productpage', versions: ['v1'], calls: ['details', 'reviews'] },
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
    const [first, ...more] = s.versions;
    services.set(s.name, project.addService(s.name, {
      image: image(s.name, first),
      containerName: s.name,
      podLabels: more.length > 0 ? { app: s.name } : { app: s.name, version: first },
      versions: more.length > 0 ? Object.fromEntries(s.versions.map((v) => [v, { image: image(s.name, v) }])) : undefined,
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
      services.get(s.name)?.connectsTo(target, { hostAndPort: false });
    }
  }
  return platform;
}

synthesizeApp(build);
