import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ClusterRole, ManifestStack, Platform, Registry } from 'platform-cdk';
import { build } from '../../examples/quickstart/main';
import { diffEnvironments, diffOutputs, formatEnvironmentDiff, formatOutputDiff, readGitRevision, readOutputFolder } from '../../lib/diff';
import type { OutputDiff } from '../../lib/diff';
import { toYamlDocument } from '../../lib/yaml';
import type { JsonObject } from '../../lib/yaml';
import { cli } from '../cli/run';
import { addService, fixture } from '../fixture';

/** The files a platform synthesizes to, in memory. */
const filesOf = (platform: Platform): Map<string, string> => new ManifestStack(platform).files();

/** The quick start with one more service in the storefront project. */
function quickstartWithSearch(): Platform {
  const platform = build();
  platform.tenants[0].projects[0].addService('search', { image: Registry.at('harbor.example.com').image('shop/search', '1.0.0'), ports: [{ port: 8080 }] });
  return platform;
}

/** A fixture platform with one service `api` of some replicas. */
function fixtureWithReplicas(replicas: number): Platform {
  const f = fixture();
  addService(f, 'api', { replicas });
  return f.platform;
}

const tmpDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cdk-diff-'));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('diffOutputs', () => {
  it('finds no differences between two syntheses of the same program', () => {
    const d = diffOutputs(filesOf(build()), filesOf(build()));
    expect(d).toEqual({ clusters: [], identical: true });
    expect(formatOutputDiff(d)).toBe('no differences\n');
  });

  it('lists the objects of an added service as added on every cluster of its project', () => {
    const d = diffOutputs(filesOf(build()), filesOf(quickstartWithSearch()));
    expect(d.identical).toBe(false);
    expect(d.clusters).toEqual([
      {
        cluster: 'host',
        added: ['v1 ServiceAccount storefront/search', 'v1 Service storefront/search', 'apps/v1 Deployment storefront/search', 'policy/v1 PodDisruptionBudget storefront/search'],
        removed: [],
        changed: [],
      },
      { cluster: 'member-test', added: ['v1 ServiceAccount storefront/search', 'v1 Service storefront/search', 'apps/v1 Deployment storefront/search'], removed: [], changed: [] },
    ]);
  });

  it('lists the objects of a removed project namespace as removed, the ones pruning deletes', () => {
    const withAdmin = build();
    withAdmin.tenants[0].addProject('admin', { environments: [withAdmin.environments[0]] });
    const d = diffOutputs(filesOf(withAdmin), filesOf(build()));
    expect(d.clusters).toEqual([
      {
        cluster: 'member-test',
        added: [],
        removed: [
          'v1 Namespace admin',
          'v1 ResourceQuota admin/project-quota',
          'v1 LimitRange admin/project-limits',
          'networking.k8s.io/v1 NetworkPolicy admin/allow-dns',
          'networking.k8s.io/v1 NetworkPolicy admin/allow-same-tenant',
          'networking.k8s.io/v1 NetworkPolicy admin/default-deny',
        ],
        changed: [],
      },
    ]);
  });

  it('reports a changed replica count as a field change of the Deployment on each cluster', () => {
    const d = diffOutputs(filesOf(fixtureWithReplicas(2)), filesOf(fixtureWithReplicas(3)));
    const change = { object: 'apps/v1 Deployment storefront/api', fields: [{ path: '/spec/replicas', before: 2, after: 3 }] };
    expect(d.clusters).toEqual([
      { cluster: 'host', added: [], removed: [], changed: [change] },
      { cluster: 'member-test', added: [], removed: [], changed: [change] },
    ]);
  });

  it('does not count an object that moved to another file, nor the order of its keys', () => {
    const before = filesOf(build());
    const after = new Map(before);
    const docs = (before.get('host/10-storefront.yaml') as string).split('---\n');
    const web = docs.findIndex((doc) => doc.startsWith('apiVersion: apps/v1\nkind: Deployment\n') && doc.includes('\n  name: web\n'));
    expect(web).toBeGreaterThanOrEqual(0);
    const moved = docs[web].split('\n');
    after.set('host/10-storefront.yaml', docs.filter((_, i) => i !== web).join('---\n'));
    after.set('host/20-moved.yaml', [moved[1], moved[0], ...moved.slice(2)].join('\n'));
    expect(diffOutputs(before, after)).toEqual({ clusters: [], identical: true });
  });

  it('shows every object of a cluster folder that was added or removed', () => {
    const all = filesOf(build());
    const hostOnly = new Map([...all].filter(([file]) => file.startsWith('host/')));
    const memberObjects = [...all].filter(([file]) => file.startsWith('member-test/')).reduce((n, [, text]) => n + text.split('---\n').length, 0);
    const added = diffOutputs(hostOnly, all);
    expect(added.clusters.map((c) => [c.cluster, c.added.length, c.removed.length, c.changed.length])).toEqual([['member-test', memberObjects, 0, 0]]);
    const removed = diffOutputs(all, hostOnly);
    expect(removed.clusters.map((c) => [c.cluster, c.added.length, c.removed.length, c.changed.length])).toEqual([['member-test', 0, memberObjects, 0]]);
  });

  it('ignores files that are not YAML, files outside a cluster folder and folders starting with _', () => {
    const before = filesOf(build());
    const after = new Map(before);
    after.set('_gitlab-ci/shop.yaml', 'stages: [build]\n');
    after.set('host/README.md', '# notes\n');
    after.set('kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n');
    expect(diffOutputs(before, after).identical).toBe(true);
  });

  it('names the file of a document that is not valid YAML', () => {
    const files = new Map([['host/00-cluster.yaml', 'apiVersion: v1\nkind: [Namespace\n']]);
    expect(() => diffOutputs(files, new Map())).toThrow(/^before output, host\/00-cluster\.yaml: not valid YAML: .*Fix: repair the file or synthesize it again\.$/);
  });

  describe('field-level changes', () => {
    const deployment = (spec: string): Map<string, string> =>
      new Map([['c1/10-ns.yaml', `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ns\n${spec}`]]);
    const fieldsOf = (d: OutputDiff): unknown => d.clusters[0]?.changed[0]?.fields;

    it('matches containers and env entries by name, with the pointer of the index after the change', () => {
      const before = deployment(
        'spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n        env:\n        - name: A\n          value: "1"\n        - name: C\n          value: "3"\n      - name: proxy\n        image: proxy:1\n',
      );
      const after = deployment(
        'spec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:2\n        env:\n        - name: A\n          value: "1"\n        - name: B\n          value: "2"\n        - name: C\n          value: "4"\n',
      );
      expect(fieldsOf(diffOutputs(before, after))).toEqual([
        { path: '/spec/template/spec/containers/0/env/1', after: { name: 'B', value: '2' } },
        { path: '/spec/template/spec/containers/0/env/2/value', before: '3', after: '4' },
        { path: '/spec/template/spec/containers/0/image', before: 'app:1', after: 'app:2' },
        { path: '/spec/template/spec/containers/1', before: { name: 'proxy', image: 'proxy:1' } },
      ]);
    });

    it('reports a reordering of named items once, at the array, as the names before and after', () => {
      const before = deployment('spec:\n  containers:\n  - name: a\n  - name: b\n');
      const after = deployment('spec:\n  containers:\n  - name: b\n  - name: a\n');
      expect(fieldsOf(diffOutputs(before, after))).toEqual([{ path: '/spec/containers', before: ['a', 'b'], after: ['b', 'a'] }]);
    });

    it('compares other arrays by index', () => {
      const before = deployment('spec:\n  args: [a, b, c]\n');
      const after = deployment('spec:\n  args: [a, x]\n');
      expect(fieldsOf(diffOutputs(before, after))).toEqual([
        { path: '/spec/args/1', before: 'b', after: 'x' },
        { path: '/spec/args/2', before: 'c' },
      ]);
    });

    it('escapes / and ~ in keys as JSON pointers do, and reports a changed type as one change', () => {
      const before = deployment('  labels:\n    app.kubernetes.io/name: web\n    a~b: x\nspec:\n  replicas: 1\n').get('c1/10-ns.yaml') as string;
      const after = before.replace('app.kubernetes.io/name: web', 'app.kubernetes.io/name: api').replace('a~b: x', 'a~b: y').replace('replicas: 1', 'replicas: "1"');
      expect(fieldsOf(diffOutputs(new Map([['c1/a.yaml', before]]), new Map([['c1/a.yaml', after]])))).toEqual([
        { path: '/metadata/labels/app.kubernetes.io~1name', before: 'web', after: 'api' },
        { path: '/metadata/labels/a~0b', before: 'x', after: 'y' },
        { path: '/spec/replicas', before: 1, after: '1' },
      ]);
    });
  });
});

describe('readOutputFolder', () => {
  it('reads every YAML file of a folder that ManifestStack wrote, as files() returns them', () => {
    const outdir = path.join(tempDir(), 'dist');
    new ManifestStack(build(), { outdir }).synth();
    fs.writeFileSync(path.join(outdir, 'host', 'notes.txt'), 'not yaml');
    const read = readOutputFolder(outdir);
    const files = filesOf(build());
    expect([...read.keys()]).toEqual([...files.keys()].filter((f) => f.endsWith('.yaml')).sort());
    for (const [file, text] of read) expect(text).toBe(files.get(file));
    expect(diffOutputs(read, files).identical).toBe(true);
  });

  it('says that a missing folder does not exist and how to fix it', () => {
    const missing = path.join(tempDir(), 'nope');
    expect(() => readOutputFolder(missing)).toThrow(`output folder ${JSON.stringify(missing)} does not exist (resolved to ${missing}). Fix: pass the folder an earlier synthesis wrote (e.g. dist), or synthesize into it first.`);
  });
});

const hasGit = spawnSync('git', ['--version']).status === 0;
const describeWithGit = hasGit ? describe : describe.skip;
if (!hasGit) process.stderr.write('test/lib/diff.test.ts: git is not installed; the readGitRevision tests are skipped\n');

describeWithGit(`readGitRevision${hasGit ? '' : ' (skipped: git is not installed)'}`, () => {
  const env = { ...process.env, GIT_CONFIG_GLOBAL: os.devNull, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.com' };
  const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  let repo: string;
  beforeAll(() => {
    repo = tempDir();
    git(repo, 'init', '-q');
    new ManifestStack(fixtureWithReplicas(2), { outdir: path.join(repo, 'dist') }).synth();
    git(repo, 'add', 'dist');
    git(repo, 'commit', '-q', '-m', 'synth');
    new ManifestStack(fixtureWithReplicas(3), { outdir: path.join(repo, 'dist') }).synth();
  });

  it('reads the output folder as committed, so that it compares with the working copy', () => {
    const committed = readGitRevision('HEAD', 'dist', repo);
    // Folders starting with `_` (installation values, GitLab CI files) are read too, and left out of the comparison.
    expect([...committed.keys()].filter((k) => !k.startsWith('_'))).toEqual(['host/00-cluster.yaml', 'host/10-storefront.yaml', 'member-test/00-cluster.yaml', 'member-test/10-storefront.yaml']);
    expect(committed).toEqual(filesOf(fixtureWithReplicas(2)));
    const d = diffOutputs(committed, readOutputFolder(path.join(repo, 'dist')));
    expect(d.clusters.map((c) => [c.cluster, c.changed])).toEqual([
      ['host', [{ object: 'apps/v1 Deployment storefront/api', fields: [{ path: '/spec/replicas', before: 2, after: 3 }] }]],
      ['member-test', [{ object: 'apps/v1 Deployment storefront/api', fields: [{ path: '/spec/replicas', before: 2, after: 3 }] }]],
    ]);
  });

  it('takes the folder relative to the repository root, also from a subfolder', () => {
    expect(readGitRevision('HEAD', './dist/', path.join(repo, 'dist', 'host'))).toEqual(readGitRevision('HEAD', 'dist', repo));
  });

  it('says that a revision is unknown and how to fix it', () => {
    expect(() => readGitRevision('no-such-branch', 'dist', repo)).toThrow(
      `unknown git revision "no-such-branch" in ${repo}. Fix: pass a commit, branch or tag that exists there, e.g. HEAD~1 or main (git log --oneline lists the commits).`,
    );
  });

  it('says that a folder holds no output at the revision', () => {
    expect(() => readGitRevision('HEAD', 'out', repo)).toThrow(/^folder "out" holds no \.yaml file at revision HEAD \([0-9a-f]{12}\)\. Fix: pass the output folder's path/);
  });

  it('says that a folder is not in a git repository', () => {
    const outside = tempDir();
    expect(() => readGitRevision('HEAD', 'dist', outside)).toThrow(new RegExp(`^${outside.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not inside a git repository, so revision HEAD cannot be read \\(.*\\)\\. Fix: run the diff inside the repository`));
  });
});

describe('diffEnvironments', () => {
  /** A fixture where production runs api with 3 replicas and a host of its own, test with the defaults and no host. */
  function estate(): Platform {
    const f = fixture();
    const api = addService(f, 'api', { perEnvironment: { production: { replicas: 3 } } });
    api.expose({ environments: [f.production], subdomain: 'shop' });
    addService(f, 'web', { replicas: 2 }).expose({});
    return f.platform;
  }

  it('lists, per service, the fields and the objects that differ, leaving out namespace, environment label and instance', () => {
    const d = diffEnvironments(new ManifestStack(estate()).render(), 'test', 'production');
    expect(d.environment).toBe('test');
    expect(d.against).toBe('production');
    expect(d.services.map((s) => [s.service, s.kind, s.name, s.fields.map((c) => c.path)])).toEqual([
      ['acme/shop/storefront/api', 'Deployment', 'api', ['/spec/replicas', '/spec/template/spec/topologySpreadConstraints']],
      ['acme/shop/storefront/api', 'PodDisruptionBudget', 'api', ['']],
      ['acme/shop/storefront/api', 'Certificate', 'api-tls', ['']],
      ['acme/shop/storefront/api', 'Ingress', 'api', ['']],
      ['acme/shop/storefront/web', 'Deployment', 'web', ['/spec/template/spec/topologySpreadConstraints']],
      ['acme/shop/storefront/web', 'PodDisruptionBudget', 'web', ['']],
      ['acme/shop/storefront/web', 'Certificate', 'web-tls', ['']],
      ['acme/shop/storefront/web', 'Ingress', 'web', ['/spec/ingressClassName', '/spec/rules/0/host', '/spec/tls']],
    ]);
    const replicas = d.services[0].fields[0];
    expect(replicas).toEqual({ path: '/spec/replicas', before: 3, after: 1 });
    const ingress = d.services[3].fields[0];
    expect(ingress.after).toBeUndefined();
    expect(ingress.before).toMatchObject({ kind: 'Ingress', spec: { rules: [{ host: 'shop.example.com' }] } });
    const webHost = d.services[7].fields.find((c) => c.path === '/spec/rules/0/host');
    expect(webHost).toEqual({ path: '/spec/rules/0/host', before: 'web.example.com', after: 'web.test.example.com' });
  });

  it('finds no differences between environments that differ only in namespace, environment and instance, also in selectors and alerts', () => {
    const platform = new Platform('acme');
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    const blue = platform.addEnvironment('blue', { clusters: [host], namespaceSuffix: '-blue', replicas: 2 });
    const green = platform.addEnvironment('green', { clusters: [host], namespaceSuffix: '-green', replicas: 2 });
    const project = platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: [blue, green] });
    const db = project.addService('db', { image: Registry.at('harbor.example.com').image('shop/db', '1.0.0'), ports: [{ port: 5432 }] });
    const api = project.addService('api', { image: Registry.at('harbor.example.com').image('shop/api', '1.0.0'), ports: [{ port: 8080 }], metrics: { port: 8080 }, alerts: {} });
    api.connectsTo(db);
    const d = diffEnvironments(new ManifestStack(platform).render(), 'green', 'blue');
    expect(d).toEqual({ environment: 'green', against: 'blue', services: [] });
    expect(formatEnvironmentDiff(d)).toBe('green against blue: no differences\n');
  });

  it('takes an object from the first cluster by name when an environment spans several', () => {
    const f = fixture();
    const second = f.platform.addCluster('member-a', { role: ClusterRole.MEMBER, ingressClassName: 'traefik' });
    const staging = f.platform.addEnvironment('staging', { clusters: [f.member, second], domain: 'staging.example.com', namespaceSuffix: '-staging' });
    const project = f.tenant.addProject('orders', { environments: [staging, f.test] });
    project.addService('api', { image: f.registry.image('shop/api', '1.0.0'), ports: [{ port: 8080 }] }).expose({});
    const d = diffEnvironments(new ManifestStack(f.platform).render(), 'staging', 'test');
    expect(d.services).toEqual([
      {
        service: 'acme/shop/orders/api',
        kind: 'Ingress',
        name: 'api',
        fields: [
          { path: '/spec/ingressClassName', after: 'traefik' },
          { path: '/spec/rules/0/host', before: 'api.test.example.com', after: 'api.staging.example.com' },
        ],
      },
    ]);
  });

  it('says that an environment is not in the platform and names the ones that are', () => {
    const rendered = new ManifestStack(estate()).render();
    expect(() => diffEnvironments(rendered, 'staging', 'production')).toThrow('environment: got "staging"; the platform has no such environment. Fix: use one of "test", "production".');
  });
});

describe('the text of a diff', () => {
  it('shows added, removed (pruned) and changed objects per cluster, with field changes', () => {
    const d: OutputDiff = {
      identical: false,
      clusters: [
        {
          cluster: 'host',
          added: ['v1 Service storefront/search'],
          removed: ['v1 Namespace admin'],
          changed: [
            {
              object: 'apps/v1 Deployment storefront/web',
              fields: [
                { path: '/spec/replicas', before: 2, after: 3 },
                { path: '/metadata/labels/team', after: 'web' },
                { path: '/spec/template/spec/containers/0/args', before: ['--a-very-long-argument-number-one', '--a-very-long-argument-number-two', '--three'] },
              ],
            },
          ],
        },
      ],
    };
    expect(formatOutputDiff(d)).toBe(
      [
        'host: 1 added, 1 removed, 1 changed',
        '  + v1 Service storefront/search',
        '  - v1 Namespace admin (pruned)',
        '  ~ apps/v1 Deployment storefront/web',
        '      /spec/replicas: 2 → 3',
        '      /metadata/labels/team: (absent) → "web"',
        '      /spec/template/spec/containers/0/args: ["--a-very-long-argument-number-one","--a-very-long-argument-number-two","--thr… → (absent)',
        '',
      ].join('\n'),
    );
  });

  it('shows an environment diff per service, with objects only in one environment', () => {
    const text = formatEnvironmentDiff(diffEnvironments(new ManifestStack(fixtureWithReplicasIn()).render(), 'test', 'production'));
    expect(text).toBe(
      [
        'test against production (values: production → test)',
        'acme/shop/storefront/api',
        '  ~ Deployment api',
        '      /spec/replicas: 3 → 1',
        '      /spec/template/spec/topologySpreadConstraints: [{"maxSkew":1,"topologyKey":"kubernetes.io/hostname","whenUnsatisfiable":"DoNot… → (absent)',
        '  - PodDisruptionBudget api (only in production)',
        '',
      ].join('\n'),
    );
    const reversed = formatEnvironmentDiff(diffEnvironments(new ManifestStack(fixtureWithReplicasIn()).render(), 'production', 'test'));
    expect(reversed.split('\n').slice(0, 4)).toEqual(['production against test (values: test → production)', 'acme/shop/storefront/api', '  ~ Deployment api', '      /spec/replicas: 1 → 3']);
    expect(reversed).toContain('\n  + PodDisruptionBudget api (only in production)\n');
  });
});

/** A fixture where api runs 3 replicas in production and the default 1 in test. */
function fixtureWithReplicasIn(): Platform {
  const f = fixture();
  addService(f, 'api', { perEnvironment: { production: { replicas: 3 } } });
  return f.platform;
}

/**
 * The quick start's output as `kubectl get … -o yaml` exports it from the clusters: one `List` per cluster, each
 * object with the fields the API server fills in (status, uid, resourceVersion, managed fields, defaults, kubectl's
 * last-applied annotation), and the objects controllers create beside them.
 */
function liveExport(files: ReadonlyMap<string, string>, change: (o: JsonObject) => void = () => undefined): Map<string, string> {
  const perCluster = new Map<string, JsonObject[]>();
  for (const [file, text] of files) {
    const cluster = file.split('/')[0];
    if (cluster.startsWith('_') || !file.endsWith('.yaml')) continue;
    const items = perCluster.get(cluster) ?? [];
    perCluster.set(cluster, items);
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as JsonObject;
      const metadata = o.metadata as JsonObject;
      const live: JsonObject = {
        ...o,
        metadata: { ...metadata, uid: '6f1c…', resourceVersion: '48213', generation: 2, creationTimestamp: '2026-11-02T09:14:03Z', managedFields: [{ manager: 'kubectl', operation: 'Apply' }], annotations: { ...((metadata.annotations as JsonObject) ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(o) } },
        status: { observedGeneration: 2 },
      };
      if (o.kind === 'Deployment') {
        const spec = live.spec as JsonObject;
        live.spec = { ...spec, progressDeadlineSeconds: 600 };
        (live.metadata as JsonObject).annotations = { ...((live.metadata as JsonObject).annotations as JsonObject), 'deployment.kubernetes.io/revision': '3' };
        items.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${metadata.name as string}-7d9f`, namespace: metadata.namespace as string, ownerReferences: [{ kind: 'Deployment', name: metadata.name as string }] }, spec: {} });
      }
      if (o.kind === 'Namespace') {
        items.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: metadata.name as string } });
        items.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: metadata.name as string }, data: { 'ca.crt': '…' } });
      }
      if (o.kind === 'Service') items.push({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: metadata.name as string, namespace: metadata.namespace as string } });
      change(live);
      items.push(live);
    }
  }
  const out = new Map<string, string>();
  for (const [cluster, items] of perCluster) out.set(`${cluster}/exported.yaml`, toYamlDocument({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items }));
  return out;
}

describe('diffOutputs against live objects', () => {
  it('finds no differences when the clusters run what the model declares, whatever the server and the controllers added', () => {
    const files = filesOf(build());
    expect(diffOutputs(liveExport(files), files, { live: true })).toEqual({ clusters: [], identical: true, live: true });
    // Without `live`, the same export differs in every object.
    expect(diffOutputs(liveExport(files), files).identical).toBe(false);
  });

  it('reports what differs, what the model adds and what runs only in the cluster', () => {
    const files = filesOf(build());
    const live = liveExport(files, (o) => {
      const metadata = o.metadata as JsonObject;
      if (o.kind === 'Deployment' && metadata.name === 'web') (o.spec as JsonObject).replicas = 5;
    });
    // One Deployment was made in the console and is not in the model; one object of the model is not running yet.
    const host = live.get('host/exported.yaml') as string;
    live.set('host/console.yaml', toYamlDocument({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'legacy-admin', namespace: 'storefront', uid: 'x' }, spec: { replicas: 1 }, status: {} }));
    live.set('host/exported.yaml', host.replace(/kind: PodDisruptionBudget/, 'kind: PodDisruptionBudgetGone'));
    const d = diffOutputs(live, files, { live: true });
    const hostDiff = d.clusters.find((c) => c.cluster === 'host');
    expect(hostDiff?.added).toEqual(['policy/v1 PodDisruptionBudget storefront/cart']);
    expect(hostDiff?.removed).toEqual(['apps/v1 Deployment storefront/legacy-admin', 'policy/v1 PodDisruptionBudgetGone storefront/cart']);
    expect(hostDiff?.changed).toEqual([{ object: 'apps/v1 Deployment storefront/web', fields: [{ path: '/spec/replicas', before: 5, after: 3 }] }]);
    const text = formatOutputDiff(d);
    expect(text).toContain('host: 1 added, 2 only in the cluster, 1 changed\n');
    expect(text).toContain('  - apps/v1 Deployment storefront/legacy-admin (only in the cluster)\n');
    expect(text).toContain('      /spec/replicas: 5 → 3\n');
  });

  it('compares with a folder of exported objects from the command line (diff --live)', () => {
    const dir = tempDir();
    for (const [file, text] of liveExport(filesOf(build()))) {
      fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    const app = path.join(__dirname, '..', '..', 'examples', 'quickstart', 'main.ts');
    const same = cli('diff', '--app', app, '--against', dir, '--live', '--exit-code');
    expect([same.code, same.stdout]).toEqual([0, 'no differences\n']);
    const usage = cli('diff', '--app', app, '--against', 'HEAD', '--live');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--live: --against "HEAD" is not a folder');
  });
});
