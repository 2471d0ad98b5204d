/**
 * examples/bookinfo: Istio's Bookinfo re-expressed with the typed API, compared object by object with its published
 * manifest (test/fixtures/bookinfo/bookinfo.yaml). Every difference on the fields that decide what runs is explained
 * below: what the library does on purpose (INTENDED), what the typed model cannot say and no one is adding (GAPS),
 * and fields being added to the typed model (PENDING, which shrinks as they land). The example's synthesis,
 * schemas, checks, isolation and Pulumi parity are tested with every other example's.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { KubeObject } from 'platform-cdk';
import { build } from '../../examples/bookinfo/main';
import { synthObjects } from '../fixture';
import { Allowance, compare, Correspondence, escapeHatchesIn, explain, readUpstream } from './upstream';

const UPSTREAM = 'bookinfo/bookinfo.yaml';
const NAMESPACE = 'bookinfo';
const DEPLOYMENT = /^Deployment\//;

/** How the output's objects correspond to upstream's, where names differ. */
const CORRESPONDENCE: Correspondence = {
  names: {
    'Deployment/details-v1': 'details',
    'Deployment/ratings-v1': 'ratings',
    'Deployment/productpage-v1': 'productpage',
    'ServiceAccount/bookinfo-details': 'details',
    'ServiceAccount/bookinfo-ratings': 'ratings',
    'ServiceAccount/bookinfo-reviews': 'reviews',
    'ServiceAccount/bookinfo-productpage': 'productpage',
  },
};

/** The library's default probe: TCP on the first port, Kubernetes' default timing. */
const defaultProbe = (v: unknown): boolean => {
  const p = v as Record<string, unknown>;
  return p.kind === 'tcp' && p.port === 9080 && p.periodSeconds === 10 && p.timeoutSeconds === 1 && p.failureThreshold === 3;
};

/** What the library writes differently on purpose. */
const INTENDED: Allowance[] = [
  { object: /^Deployment\/(details|ratings|productpage)-v1$/, field: 'name', reason: 'a service\'s Deployment is named after the service (its version is the label app.kubernetes.io/version)' },
  { object: /^ServiceAccount\/bookinfo-/, field: 'name', reason: 'each service runs as its own ServiceAccount, named after it (without a token)' },
  { object: DEPLOYMENT, field: 'serviceAccountName', reason: 'each service runs as its own ServiceAccount' },
  { object: DEPLOYMENT, field: /^container [a-z]+: port 9080$/, output: 'TCP http', reason: 'every container port is named, so that Services and probes name it (upstream names the Service port only)' },
  { object: DEPLOYMENT, field: /: (readiness|liveness)Probe$/, output: defaultProbe, reason: 'a container without probes gets TCP probes on its first port' },
  { object: DEPLOYMENT, field: /: resources$/, reason: 'every container has requests and limits: the platform\'s defaults where upstream sets none' },
  { object: /^Deployment\/(details|ratings)-v1$/, field: /: writable folders$/, output: ['/tmp'], reason: 'the root file system is read-only, with /tmp always writable' },
];

/** What the typed model cannot say, and no part of the current work adds. */
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

describe('examples/bookinfo against the published Bookinfo manifest', () => {
  it('differs from upstream only as listed, and every listed difference still exists', () => {
    const result = explain(compare(readUpstream(UPSTREAM), synthesized(), CORRESPONDENCE), [...INTENDED, ...GAPS, ...PENDING]);
    expect(result.unexplained).toEqual([]);
    expect(result.unused).toEqual([]);
  });

  it('runs every upstream image at its release, behind a Service on port 9080 named http', () => {
    const images = (objects: readonly KubeObject[]): string[] =>
      objects.filter((o) => o.kind === 'Deployment').flatMap((d) => (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers.map((c) => c.image.replace(/^docker\.io\//, ''))).sort();
    expect(images(synthesized())).toEqual(images(readUpstream(UPSTREAM)));
    for (const s of synthesized().filter((o) => o.kind === 'Service')) expect((s.spec as { ports: unknown[] }).ports).toEqual([{ name: 'http', port: 9080, protocol: 'TCP', targetPort: 'http' }]);
  });

  it('lets the product page reach details and reviews, and reviews reach the ratings, through declared policies', () => {
    const policies = synthesized().filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(policies).toEqual(expect.arrayContaining(['default-deny', 'egress-to-details', 'ingress-to-details', 'egress-to-reviews', 'ingress-to-reviews', 'egress-to-ratings', 'ingress-to-ratings']));
    expect(policies).not.toContain('ingress-to-productpage');
  });

  it('uses the typed API only (no override, patch, user construct or transform), in at most a third of the upstream YAML\'s lines', () => {
    const root = path.resolve(__dirname, '..', '..');
    const program = fs.readFileSync(path.join(root, 'examples', 'bookinfo', 'main.ts'), 'utf8');
    expect(escapeHatchesIn(program)).toEqual([]);
    const lines = (text: string): number => text.split('\n').length;
    expect(lines(program) * 3).toBeLessThanOrEqual(lines(fs.readFileSync(path.join(root, 'test', 'fixtures', UPSTREAM), 'utf8')));
  });
});
