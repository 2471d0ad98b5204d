/**
 * Escape hatches (docs/escape-hatches.md): user constructs placed by the model (project × environment, tenant,
 * cluster), overrides on generated objects, platform-wide transforms. Their objects are in the output, labelled,
 * ordered and checked like generated ones, the same on every entry point; an object that cannot be placed, or that is
 * added to a render outside the pipeline, is an error naming its construct path.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { parseAllDocuments } from 'yaml';
import type { Construct } from 'constructs';
import { addPlatformCharts, ChecksFailed, ClusterRole, ManifestStack, Platform, PlatformCharts, Registry, ValidationError } from 'platform-cdk';
import type { KubeObject } from 'platform-cdk';
import { checkPlatform } from '../../lib/check';
import { cli } from '../cli/run';
import { addService, fixture, objectAt, readTree, synthObjects } from '../fixture';
import { missingMechanisms } from '../fixtures/escape-hatches/mechanisms';
import { build } from '../fixtures/escape-hatches/program';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'escape-hatches');
const PATH = process.env.PATH;
beforeAll(() => {
  // A stand-in `helm` that prints a fixed manifest.
  process.env.PATH = `${path.join(FIXTURES, 'bin')}${path.delimiter}${PATH}`;
});
afterAll(() => {
  process.env.PATH = PATH;
});

/** The error a call throws. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** The fixture estate's files, as ManifestStack writes them: built once for the file. */
let built: Map<string, string> | undefined;
function expectedFiles(): Map<string, string> {
  return (built ??= new ManifestStack(build()).files());
}

/** Objects by `<cluster>/<Kind>/<namespace>/<name>`. */
function objectsOf(files: Map<string, string>): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const [file, text] of files) {
    if (file.startsWith('_')) continue;
    for (const doc of parseAllDocuments(text)) {
      const o = doc.toJS() as KubeObject;
      out.set(`${file.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`, o);
    }
  }
  return out;
}

describe('user constructs', () => {
  let objects: Map<string, KubeObject>;
  beforeAll(() => {
    objects = objectsOf(expectedFiles());
  });

  it('writes the object of every mechanism: ApiObject, cdk8s-plus-27 constructs, cdk8s import, Include, Helm, overrides, JSON patches, transforms', () => {
    expect(missingMechanisms(objects)).toEqual([]);
  });

  it('puts a project\'s ApiObject in the project\'s namespace on each cluster of each environment, with the project\'s labels', () => {
    for (const [cluster, env] of [['member-test', 'test'], ['host', 'production']]) {
      const cm = objectAt(objects, `${cluster}/ConfigMap/storefront/report-settings`);
      expect(cm.data).toEqual({ environment: env });
      expect(cm.metadata.labels).toEqual({
        'app.kubernetes.io/managed-by': 'platform-cdk',
        'app.kubernetes.io/part-of': 'storefront',
        'platform-cdk.io/environment': env,
        'platform-cdk.io/tenant': 'shop',
      });
    }
  });

  it('writes cdk8s-plus-27 constructs (with their JSON patches) and classes of cdk8s import', () => {
    const cron = objectAt(objects, 'host/CronJob/storefront/report-nightly');
    expect(cron.apiVersion).toBe('batch/v1');
    expect(JSON.stringify(cron)).toContain('"seccompProfile":{"type":"RuntimeDefault"}');
    const schedule = objectAt(objects, 'member-test/ReportSchedule/storefront/nightly');
    expect(schedule).toMatchObject({ apiVersion: 'reports.example.com/v1', spec: { schedule: '0 2 * * *', report: 'sales' } });
  });

  it('puts a tenant\'s objects in its namespaces, with the labels of the project that owns each', () => {
    const cm = objectAt(objects, 'member-test/ConfigMap/storefront/shop-contacts');
    expect(cm.metadata.labels?.['app.kubernetes.io/part-of']).toBe('storefront');
    expect(cm.metadata.labels?.['platform-cdk.io/tenant']).toBe('shop');
  });

  it('writes a cluster\'s vendor YAML (Include) and Helm chart on that cluster only', () => {
    expect(objectAt(objects, 'host/Namespace/-/vendor-system').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'platform-cdk' });
    expect(objectAt(objects, 'host/ClusterRole/-/vendor-reader').kind).toBe('ClusterRole');
    expect(objectAt(objects, 'host/ConfigMap/vendor-system/vendor-config').data).toEqual({ level: 'info' });
    expect(objectAt(objects, 'member-test/ConfigMap/monitoring/exporter-settings').data).toEqual({ scrape: '30s' });
    expect(objectAt(objects, 'member-test/ServiceAccount/monitoring/exporter').kind).toBe('ServiceAccount');
    expect(objects.has('member-test/ClusterRole/-/vendor-reader')).toBe(false);
    expect(objects.has('host/ConfigMap/monitoring/exporter-settings')).toBe(false);
  });

  it('writes user objects in install order among the generated ones', () => {
    const text = expectedFiles().get('host/10-storefront.yaml') as string;
    const kinds = parseAllDocuments(text).map((d) => (d.toJS() as KubeObject).kind);
    expect(kinds.indexOf('ConfigMap')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.indexOf('Deployment')).toBeLessThan(kinds.indexOf('CronJob'));
    expect(kinds[kinds.length - 1]).toBe('ReportSchedule');
  });

  it('builds a project\'s constructs in one environment only when asked', () => {
    const f = fixture();
    f.project.addManifests('only-test', (chart) => void new kplus.ConfigMap(chart, 'flags', { metadata: { name: 'flags' }, data: { beta: 'on' } }), { environment: 'test' });
    const out = synthObjects(f.platform);
    expect(objectAt(out, 'member-test/ConfigMap/storefront/flags').data).toEqual({ beta: 'on' });
    expect(out.has('host/ConfigMap/storefront/flags')).toBe(false);
  });
});

describe('what cannot be placed is a model error naming the construct path', () => {
  it('an object of a project in another namespace', () => {
    const f = fixture();
    f.project.addManifests('extra', (chart) => void new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } }));
    const e = thrown(() => new ManifestStack(f.platform).files());
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toContain('[acme/shop/storefront/extra/cm] metadata.namespace');
    expect(e.message).toContain('is in namespace kube-system, which is not project storefront\'s (storefront)');
  });

  it('a cluster-scoped object of a project', () => {
    const f = fixture();
    f.project.addManifests('extra', (chart) => void new ApiObject(chart, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' } }));
    expect(thrown(() => new ManifestStack(f.platform).files()).message).toContain('[acme/shop/storefront/extra/role] kind: got "ClusterRole"');
  });

  it('an object of a cluster in a project\'s namespace, and a namespaced one that names none', () => {
    const f = fixture();
    f.host.addManifests('ops', (chart) => {
      new ApiObject(chart, 'in-project', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'storefront' } });
      new ApiObject(chart, 'nowhere', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } });
    });
    const message = thrown(() => new ManifestStack(f.platform).files()).message;
    expect(message).toContain('[acme/Clusters/host/ops/in-project] metadata.namespace');
    expect(message).toContain('which is project storefront\'s (tenant shop)');
    expect(message).toContain('[acme/Clusters/host/ops/nowhere] metadata.namespace');
  });

  it('a custom resource of a cluster without a namespace is cluster-scoped (a CRD of scope Cluster); a namespaced built-in kind without one is an error', () => {
    const f = fixture();
    f.host.addManifests('colocation', (chart) => void new ApiObject(chart, 'profile', { apiVersion: 'config.koordinator.sh/v1alpha1', kind: 'ClusterColocationProfile', metadata: { name: 'colocation-batch' }, spec: { qosClass: 'BE' } }));
    const files = new ManifestStack(f.platform).files();
    expect(files.get('host/00-cluster.yaml')).toContain('kind: ClusterColocationProfile');
    const g = fixture();
    g.host.addManifests('ops', (chart) => void new ApiObject(chart, 'sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ops' } }));
    expect(thrown(() => new ManifestStack(g.platform).files()).message).toContain('[acme/Clusters/host/ops/sa] metadata.namespace: got nothing; the ServiceAccount ops names no namespace');
  });

  it('a tenant\'s object outside its namespaces', () => {
    const f = fixture();
    f.platform.addTenant('billing', { manager: 'bob' }).addProject('ledger', { environments: [f.test] });
    f.tenant.addManifests('shared', (chart) => void new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ledger' } }));
    expect(thrown(() => new ManifestStack(f.platform).files()).message).toContain('[acme/shop/shared/cm] metadata.namespace');
  });

  it('an environment the project is not placed in, a failing callback, a duplicate id', () => {
    const f = fixture();
    f.project.addManifests('later', () => undefined, { environment: 'staging' });
    f.project.addManifests('broken', () => {
      throw new Error('no chart here');
    });
    const message = thrown(() => new ManifestStack(f.platform).files()).message;
    expect(message).toContain('[acme/shop/storefront/later] environment: got "staging"');
    expect(message).toContain('[acme/shop/storefront/broken] addManifests');
    expect(message).toContain('no chart here');
    expect(() => f.project.addManifests('later', () => undefined)).toThrow('the id later is used already');
  });

  it('two objects of the same kind and name in one namespace', () => {
    const f2 = fixture();
    addService(f2, 'web');
    f2.project.addManifests('clash', (chart) => void new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } }));
    expect(thrown(() => new ManifestStack(f2.platform).files()).message).toContain('[acme/shop/storefront/clash/svc] Service: got "web"');
  });
});

describe('user objects are checked like generated ones', () => {
  it('a privileged pod in a restricted namespace is an error naming its construct path; a waiver on it works', () => {
    const pod = (annotations?: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug', annotations },
      spec: { containers: [{ name: 'main', image: 'harbor.example.com/shop/debug:1.0.0', securityContext: { privileged: true } }] },
    });
    const f = fixture();
    f.project.addManifests('debug', (chart) => void new ApiObject(chart, 'pod', pod()));
    const e = thrown(() => new ManifestStack(f.platform).files());
    expect(e).toBeInstanceOf(ChecksFailed);
    expect(e.message).toMatch(/error \[pod-security-restricted\] host: v1 Pod storefront\/debug .*\(from acme\/shop\/storefront\/debug\/pod\)/);
    const findings = checkPlatform(f.platform).findings.filter((x) => x.source === 'acme/shop/storefront/debug/pod');
    expect(findings.some((x) => x.rule === 'pod-security-restricted' && x.severity === 'error' && x.waived === undefined)).toBe(true);
    const waived = fixture();
    waived.project.addManifests('debug', (chart) => void new ApiObject(chart, 'pod', pod({ 'waiver.platform-cdk.io/pod-security-restricted': 'a debugging pod, removed after the incident' })));
    const after = checkPlatform(waived.platform).findings.filter((x) => x.source === 'acme/shop/storefront/debug/pod' && x.rule === 'pod-security-restricted');
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((x) => x.waived === 'a debugging pod, removed after the incident')).toBe(true);
  });

  it('a RoleBinding to another tenant\'s user is refused by the isolation checks', () => {
    const f = fixture();
    f.platform.addTenant('billing', { manager: 'bob' }).addProject('ledger', { environments: [f.test] });
    f.project.addManifests('access', (chart) => void new ApiObject(chart, 'bob', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'bob-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }],
    }));
    const e = thrown(() => new ManifestStack(f.platform).files());
    expect(e).toBeInstanceOf(ChecksFailed);
    expect(e.message).toContain('RoleBinding storefront/bob-edit');
    expect(e.message).toContain('(from acme/shop/storefront/access/bob)');
  });
});

describe('overrides on generated objects and platform transforms', () => {
  it('an override sets, adds and removes fields of a service\'s Deployment, Service and container, before the checks', () => {
    const f = fixture();
    const web = addService(f, 'web');
    web.addOverride('Deployment', 'spec.template.spec.terminationGracePeriodSeconds', 60);
    web.addOverride('Deployment', '/spec/template/spec/containers/0/terminationMessagePolicy', 'FallbackToLogsOnError');
    web.addOverride('Service', 'metadata.labels.example\\.com/exposed', 'yes');
    web.addJsonPatch('Deployment', JsonPatch.add('/metadata/labels/example.com~1team', 'web'));
    const out = synthObjects(f.platform);
    for (const cluster of ['host', 'member-test']) {
      const d = objectAt(out, `${cluster}/Deployment/storefront/web`) as KubeObject & { spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: { terminationMessagePolicy: string }[] } } } };
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
      expect(d.spec.template.spec.containers[0].terminationMessagePolicy).toBe('FallbackToLogsOnError');
      expect(d.metadata.labels?.['example.com/team']).toBe('web');
      expect(objectAt(out, `${cluster}/Service/storefront/web`).metadata.labels?.['example.com/exposed']).toBe('yes');
    }
  });

  it('an override the checks refuse is refused, naming the service', () => {
    const f = fixture();
    addService(f, 'web').addOverride('Deployment', 'spec.template.spec.containers.0.securityContext.privileged', true);
    const e = thrown(() => new ManifestStack(f.platform).files());
    expect(e).toBeInstanceOf(ChecksFailed);
    expect(e.message).toContain('(from acme/shop/storefront/web)');
  });

  it('an override whose kind or path the service does not generate is a model error, not a no-op', () => {
    const f = fixture();
    const web = addService(f, 'web');
    web.addOverride('Deployment', 'spec.template.spec.containres.0.image', 'x');
    web.addOverride('CronJob', 'spec.schedule', '* * * * *');
    const message = thrown(() => new ManifestStack(f.platform).files()).message;
    expect(message).toContain('[acme/shop/storefront/web] addOverride Deployment: got "spec.template.spec.containres.0.image = \\"x\\""');
    expect(message).toContain('[acme/shop/storefront/web] addOverride CronJob');
    expect(() => web.addOverride('deployment', 'spec', 1)).toThrow('a kind is a Kubernetes kind');
    // The streaming synthesis writes nothing either.
    const outdir = path.join(os.tmpdir(), `pcdk-bad-override-${process.pid}`);
    expect(thrown(() => new ManifestStack(f.platform, { outdir }).synth())).toBeInstanceOf(ValidationError);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  it('a transform sees every object once, generated and user-added, with its origin and cluster; it may not move one', () => {
    const f = fixture();
    addService(f, 'web');
    f.project.addManifests('extra', (chart) => void new kplus.ConfigMap(chart, 'cm', { metadata: { name: 'extra' } }));
    const seen: string[] = [];
    f.platform.addTransform((object, context) => {
      seen.push(`${context.cluster.name}/${object.kind}/${object.metadata.name}/${context.construct ?? context.service?.name ?? '-'}`);
      return { ...object, metadata: { ...object.metadata, annotations: { ...(object.metadata.annotations ?? {}), 'example.com/owner': context.tenant?.name ?? 'platform' } } };
    });
    const files = new ManifestStack(f.platform).files();
    const out = synthObjects(f.platform);
    expect(objectAt(out, 'host/Deployment/storefront/web').metadata.annotations?.['example.com/owner']).toBe('shop');
    expect(objectAt(out, 'host/ConfigMap/storefront/extra').metadata.annotations?.['example.com/owner']).toBe('shop');
    const count = [...files.entries()].filter(([k]) => !k.startsWith('_')).reduce((n, [, t]) => n + parseAllDocuments(t).length, 0);
    expect(seen.length).toBe(count * 2); // two renders: files() and synthObjects()
    expect(seen).toContain('host/ConfigMap/extra/acme/shop/storefront/extra/cm/Resource');
    expect(seen).toContain('member-test/Deployment/web/web');
    const g = fixture();
    g.platform.addTransform((object) => void (object.metadata.namespace = object.metadata.namespace === undefined ? undefined : 'elsewhere'));
    expect(thrown(() => new ManifestStack(g.platform).files()).message).toContain('a transform moved the object out of its namespace');
  });
});

describe('one pipeline for every entry point', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-hatches-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const PROGRAM = path.join(FIXTURES, 'program.ts');

  it('platform-cdk synth writes, and validate checks, the same objects as the program (diff, report, cdk8s synth: the full tier)', () => {
    const out = path.join(tmp, 'cli');
    const r = cli('synth', '--app', PROGRAM, '--out', out, '--quiet');
    expect(r.code).toBe(0);
    expect(readTree(out)).toEqual(Object.fromEntries([...expectedFiles()]));
    const v = cli('validate', '--app', PROGRAM, '--format', 'json');
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).ok).toBe(true);
  });

  it('files(), synth(render()) and the render\'s charts under cdk8s Testing write the same bytes (synth() streaming: the full tier)', () => {
    const files = Object.fromEntries([...expectedFiles()]);
    const b = path.join(tmp, 'b');
    const stack = new ManifestStack(build(), { outdir: b });
    const rendered = stack.render();
    stack.synth(rendered);
    expect(readTree(b)).toEqual(files);
    // What cdk8s Testing shows of the render's charts is exactly what is written.
    for (const rc of rendered.clusters) {
      const written = Object.entries(files).filter(([k]) => k.startsWith(`${rc.cluster.name}/`)).flatMap(([, t]) => parseAllDocuments(t).map((d) => d.toJS() as KubeObject));
      const key = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`;
      expect(Testing.synth(rc.chart).map((o) => key(o as KubeObject)).sort()).toEqual(written.map(key).sort());
      expect(Testing.synth(rc.chart).sort((x, y) => (key(x as KubeObject) < key(y as KubeObject) ? -1 : 1))).toEqual(written.sort((x, y) => (key(x) < key(y) ? -1 : 1)));
    }
  });

  it('the checks of every entry point see the user objects under their construct paths', () => {
    const result = checkPlatform(build());
    expect(result.findings.filter((x) => x.severity === 'error')).toEqual([]);
    expect(result.unvalidated).toContain('reports.example.com/v1 ReportSchedule');
    // With the CRD, the imported class's objects are validated against its schema.
    const bad = build();
    bad.tenants[0].projects[0].addManifests('bad-schedule', (chart) => void new ApiObject(chart, 's', { apiVersion: 'reports.example.com/v1', kind: 'ReportSchedule', metadata: { name: 'broken' }, spec: { schedule: 3 } }));
    const findings = checkPlatform(bad, { crdDirs: [path.join(FIXTURES, 'crds')] }).findings.filter((x) => x.rule === 'schema');
    expect(findings.map((x) => x.source)).toContain('acme/shop/storefront/bad-schedule/s');
  });

});

describe('nothing is dropped silently', () => {
  it('an object added to a render outside the pipeline is an error naming its construct path', () => {
    const f = fixture();
    addService(f, 'web');
    const stack = new ManifestStack(f.platform, { outdir: path.join(os.tmpdir(), 'pcdk-never-written') });
    const rendered = stack.render();
    new ApiObject(rendered.clusters[0].chart, 'late', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'storefront' } });
    new kplus.ConfigMap(rendered.clusters[1].chart, 'later', { metadata: { name: 'later' } });
    const e = thrown(() => stack.synth(rendered));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toContain('[host/late] chart: got "ConfigMap late"');
    expect(e.message).toContain('[member-test/later/Resource] chart');
    expect(e.message).toContain('declare it on the model with project.addManifests');
    expect(fs.existsSync(stack.outdir)).toBe(false);
  });

  it('JSON patches on a render\'s objects are still written and checked', () => {
    const f = fixture();
    addService(f, 'web');
    const stack = new ManifestStack(f.platform);
    const rendered = stack.render();
    const d = rendered.clusters[0].objects.find((o) => o.kind === 'Deployment') as ApiObject;
    d.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/privileged', true));
    expect(thrown(() => stack.synth(rendered))).toBeInstanceOf(ChecksFailed);
  });
});

describe('a platform in an existing cdk8s App', () => {
  /** The objects of each cluster's folder as ManifestStack writes them, in the order written (files by name). */
  function writtenByCluster(files: Map<string, string>): Map<string, KubeObject[]> {
    const out = new Map<string, KubeObject[]>();
    for (const [file, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (file.startsWith('_')) continue;
      const cluster = file.split('/')[0];
      out.set(cluster, [...(out.get(cluster) ?? []), ...parseAllDocuments(text).map((d) => d.toJS() as KubeObject)]);
    }
    return out;
  }
  /** A small platform in `app` (no Include or Helm, which run processes): one cluster, one project, one service. */
  function small(app: Construct): Platform {
    const platform = new Platform(app, 'acme');
    const host = platform.addCluster('host', { role: ClusterRole.HOST });
    const production = platform.addEnvironment('production', { clusters: [host], production: true });
    const project = platform.addTenant('shop', { manager: 'alice' }).addProject('storefront', { environments: [production] });
    project.addService('web', { image: Registry.at('harbor.example.com').image('shop/web', '1.0.0'), ports: [{ port: 8080 }] });
    return platform;
  }
  let written: Map<string, KubeObject[]>;
  beforeAll(() => {
    written = writtenByCluster(expectedFiles());
  });

  it('new Platform(app, id, props): app.synth() writes, per cluster, exactly the objects ManifestStack writes, in its order, beside the App\'s own charts', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-app-'));
    try {
      const app = new App({ outdir });
      const mine = new Chart(app, 'mine');
      new kplus.ConfigMap(mine, 'own', { metadata: { name: 'own' }, data: { mine: 'yes' } });
      const platform = build(app);
      expect(platform.node.path).toBe('acme');
      expect(PlatformCharts.of(platform)?.node.path).toBe('acme');
      app.synth();
      expect(fs.readdirSync(outdir).sort()).toEqual(['acme-host.k8s.yaml', 'acme-member-test.k8s.yaml', 'mine.k8s.yaml']);
      for (const [cluster, objects] of written) {
        const text = fs.readFileSync(path.join(outdir, `acme-${cluster}.k8s.yaml`), 'utf8');
        expect(parseAllDocuments(text).map((d) => d.toJS())).toEqual(objects);
      }
      // The App's own chart is written as it would be without the platform.
      const alone = new App({ outdir: 'unused' });
      new kplus.ConfigMap(new Chart(alone, 'mine'), 'own', { metadata: { name: 'own' }, data: { mine: 'yes' } });
      expect(parseAllDocuments(fs.readFileSync(path.join(outdir, 'mine.k8s.yaml'), 'utf8')).map((d) => d.toJS())).toEqual(Testing.synth(alone.node.findChild('mine') as Chart));
      // cdk8s Testing over the platform's charts shows exactly what is written.
      for (const chart of PlatformCharts.of(platform)?.charts ?? []) expect(Testing.synth(chart)).toEqual(written.get(chart.node.id.slice('acme-'.length)));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('the charts hold the model as it is when the App is synthesized, and cdk8s Testing of the App\'s own chart synthesizes them too', () => {
    const app = Testing.app();
    const mine = new Chart(app, 'mine');
    const platform = small(app);
    platform.tenants[0].projects[0].addManifests('late', (chart) => void new kplus.ConfigMap(chart, 'late', { metadata: { name: 'late' } }));
    Testing.synth(mine);
    const host = app.node.findChild('acme-host') as Chart;
    expect((Testing.synth(host) as KubeObject[]).some((o) => o.metadata.name === 'late')).toBe(true);
    expect(PlatformCharts.of(platform)?.charts).toEqual([host]);
  });

  it('addPlatformCharts(app, platform) adds the same charts for a platform built on its own', () => {
    const app = new App({ outdir: 'unused' });
    new kplus.ConfigMap(new Chart(app, 'mine'), 'own', { metadata: { name: 'own' } });
    const charts = addPlatformCharts(app, build());
    expect(charts.map((c) => c.node.id)).toEqual(['acme-host', 'acme-member-test']);
    for (const chart of charts) expect(Testing.synth(chart)).toEqual(written.get(chart.node.id.slice('acme-'.length)));
    expect(() => addPlatformCharts(new App({ outdir: 'unused' }), small(new App({ outdir: 'unused' })))).toThrow('created in a cdk8s App already');
  });

  it('the App\'s synthesis fails with every error finding, and writes nothing, when the checks fail', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-app-bad-'));
    try {
      const app = new App({ outdir });
      new Chart(app, 'mine');
      const platform = small(app);
      platform.tenants[0].projects[0].services[0].addOverride('Deployment', 'spec.template.spec.hostNetwork', true);
      const e = thrown(() => app.synth());
      expect(e.message).toContain('Validation failed');
      expect(e.message).toMatch(/\[acme\] error \[pod-security-restricted\] host: apps\/v1 Deployment storefront\/web .*\(from acme\/shop\/storefront\/web\)/);
      expect(fs.readdirSync(outdir)).toEqual([]);
      // A model error too.
      const other = new App({ outdir });
      small(other).tenants[0].projects[0].addManifests('elsewhere', (chart) => void new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } }));
      expect(thrown(() => other.synth()).message).toContain('[acme/shop/storefront/elsewhere/cm] metadata.namespace');
      expect(fs.readdirSync(outdir)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('an object added to a platform\'s chart outside the pipeline fails the App\'s synthesis, naming its construct path', () => {
    const app = new App({ outdir: 'unused' });
    const platform = small(app);
    const [host] = PlatformCharts.of(platform)?.charts ?? [];
    new ApiObject(host, 'late', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'storefront' } });
    expect(thrown(() => app.synthYaml()).message).toContain('[acme-host/late] chart: got "ConfigMap late"; the object was added to the platform\'s chart acme-host outside the pipeline');
    const f = fixture();
    addService(f, 'web');
    const other = new App({ outdir: 'unused' });
    const [chart] = addPlatformCharts(other, f.platform);
    new kplus.ConfigMap(chart, 'later', { metadata: { name: 'later' } });
    expect(thrown(() => other.synthYaml()).message).toContain('[acme-host/later/Resource] chart');
  });

  it('adds nothing when the checks fail, and refuses an id taken in the App', () => {
    const app = new App({ outdir: 'unused' });
    const f = fixture();
    addService(f, 'web').addOverride('Deployment', 'spec.template.spec.hostNetwork', true);
    expect(thrown(() => addPlatformCharts(app, f.platform))).toBeInstanceOf(ChecksFailed);
    expect(app.node.children).toEqual([]);
    new Chart(app, 'acme');
    expect(thrown(() => small(app))).toBeInstanceOf(ValidationError);
  });
});
