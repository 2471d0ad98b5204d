/**
 * The round trip of `platform-cdk import` on published applications' plain manifests (no KubeSphere objects):
 * Sock Shop and Bookinfo. The import gives a one-tenant, one-project estate on the plain Kubernetes target, and its
 * output reproduces the upstream objects in every field the comparison of test/examples/upstream.ts reads, except
 * what the library changes on purpose (listed below, each with its reason).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestStack } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { importEstate } from '../../../lib/import';
import type { ImportResult } from '../../../lib/import';
import { compare, explain, readUpstream } from '../../examples/upstream';
import type { Allowance } from '../../examples/upstream';
import { loadProgram, ROOT } from './roundtrip';

/** What the library does on purpose, to every imported application. */
const INTENDED: Allowance[] = [
  { object: /.*/, field: /securityContext|runAsNonRoot|seccomp|readOnlyRootFilesystem|allowPrivilegeEscalation|capabilities/, reason: 'the restricted Pod Security profile' },
  { object: /.*/, field: /writable|volume|tmp/, reason: 'a writable /tmp on a read-only root file system' },
  { object: /.*/, field: /pod label|selector/, reason: 'the library labels and selects pods by app.kubernetes.io/name' },
  { object: /.*/, field: /resources/, reason: 'every container gets requests and limits (the environment defaults where upstream sets none)' },
  { object: /.*/, field: /readiness|liveness/, reason: 'a service with ports gets TCP probes where upstream has none' },
  { object: /^ServiceAccount\//, field: /.*/, reason: 'a ServiceAccount per service' },
  { object: /.*/, field: /serviceAccount|automount/, reason: 'each service runs as its own ServiceAccount, without a token' },
  { object: /.*/, field: /^object$/, reason: 'objects only one side has: the library adds quota, limits, network policies; upstream ServiceAccounts are replaced by the library\'s' },
  { object: /^Deployment\//, field: /^container [a-z0-9-]+: port \d+$/, reason: 'every container port is named ("http" for the first), so that Services and probes name it' },
  { object: /^Service\//, field: /^port \d+: (name|protocol|targetPort)$/, reason: 'every Service port is named after its container port, and every declared port is a Service port' },
  { object: /^Service\//, field: /^annotation prometheus\.io\/(scrape|port)$/, reason: 'scraping is imported as `metrics`: a ServiceMonitor, not prometheus.io annotations' },
  { object: /^Service\//, field: /^(type|port \d+: nodePort)$/, reason: 'a node port is imported as exposeNetwork: a Service of its own, <service>-external, while the service\'s own stays ClusterIP' },
  { object: /^Deployment\//, field: /: image$/, output: (v: unknown) => String(v).endsWith(':TODO-pin-latest'), reason: 'the typed model refuses `latest` (it moves): the import writes a placeholder for the version that runs' },
  { object: /^Deployment\//, field: /: imagePullPolicy$/, output: 'IfNotPresent', reason: 'a fixed version is pulled once' },
  { object: /^Deployment\//, field: /: env [A-Z_]*PASSWORD$/, output: (v: unknown) => String(v).startsWith('<secret '), reason: 'a credential is a reference to a Secret, never a value in the code' },
  { object: /^Deployment\//, field: /: port 9090$/, reason: 'a sidecar declares no ports in the typed model: the exporter\'s port is declared on the service (the pod shares one network)' },
  { object: /^Service\//, field: 'selects', reason: 'a service is named like its Service (what callers use), and its Deployment with it (upstream: <name>-v1)' },
];

function imported(file: string, platform: string): { result: ImportResult; output: KubeObject[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-published-'));
  fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', file), path.join(dir, 'app.yaml'));
  const result = importEstate(dir, { platform, cluster: 'demo' });
  const files = new ManifestStack(loadProgram(result.program, platform)).files();
  const output = [...files].filter(([f]) => f.endsWith('.yaml')).flatMap(([, t]) => parseAllDocuments(t).map((d) => d.toJS() as KubeObject)).filter((o) => o !== null);
  return { result, output };
}

describe.each([
  ['sock-shop/complete-demo.yaml', 'sock-shop'],
  ['bookinfo/bookinfo.yaml', 'bookinfo'],
])('import round trip: %s', (file, name) => {
  const { result, output } = imported(file, name);

  test('one tenant, one project, on the plain Kubernetes target', () => {
    expect(result.program).toContain('target: Target.KUBERNETES');
    expect(result.program.match(/\.addTenant\(/g)).toHaveLength(1);
    expect(result.program.match(/\.addProject\(/g)).toHaveLength(1);
  });

  test('its output reproduces the upstream objects in every modelled field', () => {
    const diffs = compare(readUpstream(file), output);
    const { unexplained } = explain(diffs, INTENDED);
    expect(unexplained).toEqual([]);
  });
});
