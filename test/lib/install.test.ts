import { clusterFeatures, ClusterRole, EXTENSIONS, Feature, INSTALL_SECRETS, installFiles, installPlans, LoadBalancerKind, ManifestStack, NodePlan, NodeRole, Platform, synthesizeApp, Target } from 'platform-cdk';
import type { JsonObject, KubeObject } from 'platform-cdk';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { addService, fixture } from '../fixture';
import type { Fixture } from '../fixture';
import { load } from '../examples/suite';
import { HAS_KUBESPHERE_V4, KUBESPHERE_V4_SKIPPED, validator, validatorV3 } from '../schemas';

/** The fixture with installation files asked for, and a service that collects logs, declares metrics and alerts, and is exposed. */
function observed(target?: Target): Fixture {
  const f = fixture(target);
  const web = addService(f, 'web', { metrics: { port: 8080 }, alerts: true });
  web.expose({ environments: [f.production], subdomain: 'shop' });
  return f;
}

function withInstall(target?: Target): Fixture {
  const f = observed(target);
  (f.platform as { install?: object }).install = {};
  return f;
}

function docs(text: string | undefined): JsonObject[] {
  if (text === undefined) throw new Error('missing file');
  return parseAllDocuments(text).map((d) => d.toJS() as JsonObject);
}

function featuresByCluster(platform: Platform): Record<string, string[]> {
  return Object.fromEntries([...clusterFeatures(platform).entries()].map(([c, rs]) => [c.name, rs.map((r) => r.feature)]));
}

const NODE_PLAN: NodePlan = {
  nodes: [
    { name: 'cp1', address: '192.168.1.11', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD] },
    { name: 'w1', address: '192.168.1.21', roles: [NodeRole.WORKER] },
  ],
  controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.HAPROXY },
  kubernetesVersion: 'v1.27.16',
};

describe('the features each cluster needs', () => {
  it('follow the model: logs, metrics, alerts and exposure through KubeSphere\'s gateway', () => {
    const f = observed();

    // The service runs in test (member) and production (host); it is exposed in production only.
    expect(featuresByCluster(f.platform)).toEqual({
      host: [Feature.LOGGING, Feature.MONITORING, Feature.ALERTING, Feature.NOTIFICATION, Feature.GATEWAY],
      'member-test': [Feature.LOGGING, Feature.MONITORING, Feature.ALERTING, Feature.NOTIFICATION],
    });
  });

  it('say why each feature is on', () => {
    const f = observed();
    const host = clusterFeatures(f.platform).get(f.host) ?? [];

    expect(host.find((r) => r.feature === Feature.LOGGING)).toEqual({ feature: Feature.LOGGING, source: 'model', why: '1 service collects logs' });
    expect(host.find((r) => r.feature === Feature.GATEWAY)?.why).toBe('1 service is exposed through KubeSphere\'s gateway (kubesphere-controls-system)');
  });

  it('leave out logging for services whose logs are not collected, and the gateway for another ingress controller', () => {
    const f = fixture();
    f.platform.addCluster('edge', { role: ClusterRole.MEMBER, ingressNamespace: 'ingress-nginx' });
    const env = f.platform.addEnvironment('edge', { clusters: ['edge'], domain: 'edge.example.com' });
    const p = f.tenant.addProject('edge-web', { environments: [env] });
    p.addService('web', { image: f.registry.image('shop/web', '1.0.0'), ports: [{ port: 8080 }], logs: { collect: false } }).expose({ subdomain: 'www' });

    expect(featuresByCluster(f.platform).edge).toEqual([]);
  });

  it('include metrics-server where a service autoscales (in that environment only)', () => {
    const f = fixture();
    addService(f, 'api', { logs: { collect: false }, perEnvironment: { production: { autoscaling: { minReplicas: 2, maxReplicas: 6 } } } });
    const host = clusterFeatures(f.platform).get(f.host) ?? [];

    expect(featuresByCluster(f.platform)).toEqual({ host: [Feature.METRICS_SERVER], 'member-test': [] });
    expect(host[0].why).toBe('1 service autoscales (a HorizontalPodAutoscaler reads resource metrics)');
  });

  it('can be switched on or off for the platform, and per cluster over it', () => {
    const f = observed();
    (f.platform as { features: object }).features = { [Feature.EVENTS]: true, [Feature.LOGGING]: false };
    (f.member as { features: object }).features = { [Feature.LOGGING]: true, [Feature.EVENTS]: false, [Feature.ALERTING]: false };

    expect(featuresByCluster(f.platform)).toEqual({
      host: [Feature.MONITORING, Feature.ALERTING, Feature.NOTIFICATION, Feature.EVENTS, Feature.GATEWAY],
      'member-test': [Feature.LOGGING, Feature.MONITORING, Feature.NOTIFICATION],
    });
  });

  it('bring monitoring with alerting, unless monitoring is switched off', () => {
    const f = fixture();
    (f.platform as { features: object }).features = { [Feature.ALERTING]: true, [Feature.LOGGING]: false };

    expect(featuresByCluster(f.platform).host).toEqual([Feature.MONITORING, Feature.ALERTING]);
  });

  it('include DevOps on the host when pipelines run in KubeSphere DevOps (Case A)', () => {
    const platform = load('connected-vehicle')();
    const byCluster = featuresByCluster(platform);

    expect(byCluster['kp-prod']).toContain(Feature.DEVOPS);
    expect(byCluster['kp-test']).not.toContain(Feature.DEVOPS);
  });
});

describe('KubeSphere 4.1 installation', () => {
  it('writes nothing for an estate that asks for no installation (no install options, no node plan)', () => {
    expect([...installFiles(observed().platform).keys()]).toEqual([]);
  });

  it('writes the ks-core values of each cluster and the host\'s InstallPlans under _install/, outside the clusters\' folders', () => {
    const files = [...new ManifestStack(withInstall().platform).files().keys()];

    expect(files.filter((f) => f.startsWith('_install/'))).toEqual(['_install/host/ks-core-values.yaml', '_install/host/extensions.yaml', '_install/member-test/ks-core-values.yaml']);
    expect(files.filter((f) => f.includes('/_install') || f.startsWith('host/install') || f.startsWith('member-test/install'))).toEqual([]);
  });

  it('gives each cluster its multi-cluster role, and the secrets as placeholders', () => {
    const files = new ManifestStack(withInstall().platform).files();
    const [host] = docs(files.get('_install/host/ks-core-values.yaml'));
    const [member] = docs(files.get('_install/member-test/ks-core-values.yaml'));

    expect(host).toEqual({
      global: { imageRegistry: 'docker.io' },
      multicluster: { role: 'host', hostClusterName: 'host' },
      authentication: { adminPassword: '${KUBESPHERE_ADMIN_PASSWORD}', issuer: { jwtSecret: '${KUBESPHERE_JWT_SECRET}' } },
      telemetry: { enabled: false },
      ha: { enabled: false },
      redisHA: { enabled: false },
    });
    expect(member).toMatchObject({ multicluster: { role: 'member', hostClusterName: 'host' }, authentication: { issuer: { jwtSecret: '${KUBESPHERE_JWT_SECRET}' } } });
    expect((member.authentication as JsonObject).adminPassword).toBeUndefined();
  });

  it('writes one InstallPlan per extension needed, named after it, placed on the clusters that need it', () => {
    const plans = installPlans(observed().platform);

    expect(plans.map((p) => [p.metadata.name, (p.spec as { clusterScheduling?: { placement: { clusters: string[] } } }).clusterScheduling?.placement.clusters])).toEqual([
      ['whizard-telemetry', undefined],
      ['vector', ['host', 'member-test']],
      ['opensearch', ['host', 'member-test']],
      ['whizard-monitoring', ['host', 'member-test']],
      ['whizard-alerting', ['host', 'member-test']],
      ['whizard-notification', undefined],
      ['whizard-logging', ['host', 'member-test']],
      ['gateway', ['host']],
    ]);
    for (const p of plans) {
      expect(p.spec).toMatchObject({ enabled: true, extension: { name: p.metadata.name }, upgradeStrategy: 'Manual' });
      expect((p.spec as { extension: { version: string } }).extension.version).toBe(EXTENSIONS.find((e) => e.name === p.metadata.name)?.version);
    }
  });

  it('takes extension versions and the KubeSphere release from the install options', () => {
    const f = observed();
    (f.platform as { install?: object }).install = { extensionVersions: { gateway: '1.0.5' }, kubesphereVersion: 'v4.1.2', telemetry: true };
    const files = installFiles(f.platform);

    expect(installPlans(f.platform).find((p) => p.metadata.name === 'gateway')?.spec).toMatchObject({ extension: { name: 'gateway', version: '1.0.5' } });
    expect(files.get('_install/host/ks-core-values.yaml')).toContain('(KubeSphere v4.1.2)');
    expect(docs(files.get('_install/host/ks-core-values.yaml'))[0].telemetry).toEqual({ enabled: true });
  });

  it('turns high availability on for a cluster with two or more control-plane nodes', () => {
    const platform = new Platform('acme');
    const nodes = [...NODE_PLAN.nodes, { name: 'cp2', address: '192.168.1.12', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD] }, { name: 'cp3', address: '192.168.1.13', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD] }];
    platform.addCluster('prod', { role: ClusterRole.HOST, nodePlan: { ...NODE_PLAN, nodes, registry: { privateRegistry: 'harbor.example.com' } } });
    const [values] = docs(installFiles(platform).get('_install/prod/ks-core-values.yaml'));

    expect(values).toMatchObject({ ha: { enabled: true }, redisHA: { enabled: true }, global: { imageRegistry: 'harbor.example.com' } });
  });

  it('writes InstallPlans that are valid against the KubeSphere 4.1 InstallPlan CRD', () => {
    if (!HAS_KUBESPHERE_V4) {
      console.warn(KUBESPHERE_V4_SKIPPED);
      return;
    }
    const f = observed();
    (f.platform as { features: object }).features = Object.fromEntries(Object.values(Feature).map((x) => [x, true]));
    const plans = docs(installFiles(withInstallOf(f.platform)).get('_install/host/extensions.yaml')) as unknown as KubeObject[];

    expect(plans.map((p) => p.metadata.name)).toEqual(EXTENSIONS.map((e) => e.name));
    const v = validator();
    expect(plans.flatMap((p) => v.validate(p).map((x) => `${p.metadata.name} ${x.path}: ${x.message}`))).toEqual([]);
  });

  it('is mentioned in the summary of a synthesis', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pcdk-install-'));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      synthesizeApp(withInstall().platform, { outdir: out });
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toContain('_install/  3 installation files for 2 clusters');
    } finally {
      write.mockRestore();
    }
    expect(fs.readdirSync(path.join(out, '_install')).sort()).toEqual(['host', 'member-test']);
  });
});

function withInstallOf(platform: Platform): Platform {
  (platform as { install?: object }).install = {};
  return platform;
}

describe('KubeSphere 3.4 installation', () => {
  function configurationOf(f: Fixture, cluster: string): KubeObject {
    const [cc] = docs(installFiles(withInstallOf(f.platform)).get(`_install/${cluster}/cluster-configuration.yaml`));
    return cc as unknown as KubeObject;
  }

  it('writes the ks-installer ClusterConfiguration of each cluster, with the version label', () => {
    const cc = configurationOf(observed(Target.KUBESPHERE_V3_4), 'host');

    expect(cc.apiVersion).toBe('installer.kubesphere.io/v1alpha1');
    expect(cc.kind).toBe('ClusterConfiguration');
    expect(cc.metadata).toEqual({ name: 'ks-installer', namespace: 'kubesphere-system', labels: { version: 'v3.4.1' } });
  });

  it('switches the features on where the model needs them, and sets the multi-cluster role', () => {
    const f = observed(Target.KUBESPHERE_V3_4);
    const host = configurationOf(f, 'host').spec as Record<string, JsonObject>;
    const member = configurationOf(f, 'member-test').spec as Record<string, JsonObject>;

    expect(host.multicluster).toEqual({ clusterRole: 'host' });
    expect(member.multicluster).toEqual({ clusterRole: 'member' });
    expect(host.logging).toEqual({ enabled: true, logsidecar: { enabled: true, replicas: 2 } });
    expect(host.alerting).toEqual({ enabled: true });
    expect(host.devops).toEqual({ enabled: false });
    expect(host.events).toEqual({ enabled: false });
    expect(host.network).toMatchObject({ networkpolicy: { enabled: true } });
  });

  it('says "none" for a platform of one cluster', () => {
    const platform = new Platform('solo', { target: Target.KUBESPHERE_V3_4, install: {} });
    platform.addCluster('solo', { role: ClusterRole.HOST });
    const [cc] = docs(installFiles(platform).get('_install/solo/cluster-configuration.yaml'));

    expect((cc.spec as Record<string, JsonObject>).multicluster).toEqual({ clusterRole: 'none' });
  });

  it('writes ClusterConfigurations that are valid against the 3.4 CRD', () => {
    // ks-installer's CRD declares only spec and status; the API server accepts apiVersion, kind and metadata on
    // every object whatever its schema says, so the strict validator's findings about those three are left out.
    const findings = (o: KubeObject): string[] =>
      validatorV3().validate(o).filter((x) => !(x.path === '/' && /^unknown field "(apiVersion|kind|metadata)"$/.test(x.message))).map((x) => `${x.path}: ${x.message}`);
    const f = observed(Target.KUBESPHERE_V3_4);
    for (const cluster of ['host', 'member-test']) expect(findings(configurationOf(f, cluster))).toEqual([]);
    const platform = new Platform('acme', { target: Target.KUBESPHERE_V3_4 });
    platform.addCluster('prod', { role: ClusterRole.HOST, nodePlan: NODE_PLAN });
    const [, cc] = docs(installFiles(platform).get('_install/prod/kubekey.yaml'));
    expect(findings(cc as unknown as KubeObject)).toEqual([]);
    expect(findings({ ...(cc as unknown as KubeObject), spec: 'not an object' } as unknown as KubeObject)).not.toEqual([]);
  });
});

describe('secrets of the installation', () => {
  /** Every install file of estates of both KubeSphere targets, with every feature on and registry credentials. */
  function everyInstallFile(): Map<string, string> {
    const out = new Map<string, string>();
    for (const target of [Target.KUBESPHERE_V4_1, Target.KUBESPHERE_V3_4]) {
      const platform = new Platform('acme', { target, install: {}, features: Object.fromEntries(Object.values(Feature).map((x) => [x, true])) });
      platform.addCluster('prod', { role: ClusterRole.HOST, nodePlan: { ...NODE_PLAN, registry: { auths: [{ registry: 'harbor.example.com', usernameEnv: 'HARBOR_USERNAME', passwordEnv: 'HARBOR_PASSWORD' }] } } });
      platform.addCluster('edge', { role: ClusterRole.MEMBER });
      for (const [f, text] of installFiles(platform)) out.set(`${target}/${f}`, text);
    }
    for (const [f, text] of new ManifestStack(load('connected-vehicle')()).files()) if (f.startsWith('_install/')) out.set(f, text);
    return out;
  }

  it('are never written: every secret field holds a ${VARIABLE} placeholder', () => {
    const files = everyInstallFile();
    const secretField = /^\s*(password|adminPassword|jwtSecret|username|secretAccessKey|accessKeyID|privateKey|token):\s*(.*)$/gm;
    const found: string[] = [];
    for (const [file, text] of files) {
      for (const m of text.matchAll(secretField)) {
        if (!/^"\$\{[A-Z_][A-Z0-9_]*\}"$/.test(m[2])) found.push(`${file}: ${m[0].trim()}`);
      }
    }

    expect(files.size).toBeGreaterThanOrEqual(8);
    expect(found).toEqual([]);
  });

  it('are named in each file\'s header with the envsubst line that fills them', () => {
    const text = [...everyInstallFile().entries()].find(([f]) => f.endsWith('kubesphere-v3.4/_install/prod/kubekey.yaml'))?.[1] as string;
    const names = Object.values(INSTALL_SECRETS).map((v) => `$${v}`);

    for (const n of [...names, '$HARBOR_PASSWORD', '$HARBOR_USERNAME']) expect(text.split('\n')[2]).toContain(n);
    expect(text).not.toMatch(/P@88w0rd|admin\/admin|password: admin/);
  });
});

describe('where the installation files go', () => {
  it('is outside every folder a GitOps tool syncs: Argo CD and KubeSphere GitOps read dist/<cluster> without recursion, Flux reads dist/<cluster> recursively', () => {
    const files = new ManifestStack(load('connected-vehicle')()).files();
    const apps = [...files.entries()].filter(([f]) => !f.startsWith('_')).flatMap(([, text]) => docs(text)).filter((o) => o.kind === 'Application' || o.kind === 'Kustomization');

    expect(apps.length).toBeGreaterThan(0);
    for (const app of apps) expect(JSON.stringify(app)).not.toContain('_install');
    expect([...files.keys()].filter((f) => f.startsWith('_install/')).every((f) => f.split('/').length === 3)).toBe(true);
  });
});
