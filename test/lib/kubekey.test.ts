import { ClusterRole, ContainerRuntime, Feature, installFiles, kubekeyCluster, LoadBalancerKind, ManifestStack, NetworkPlugin, NodeArch, NodePlan, NodeRole, Platform, Target } from 'platform-cdk';
import type { JsonObject } from 'platform-cdk';
import { parseAllDocuments } from 'yaml';
import { load } from '../examples/suite';

/** Case A's plan (CASES.md): two control-plane nodes with etcd, four workers, haproxy in front of the API servers. */
function caseA(subnet = '192.168.10'): NodePlan {
  return {
    nodes: [
      { name: 'kp-master01', address: `${subnet}.11`, roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD] },
      { name: 'kp-master02', address: `${subnet}.12`, roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD] },
      ...['kp-node01', 'kp-node02', 'kp-node03', 'kp-node05'].map((name, i) => ({ name, address: `${subnet}.${21 + i}`, roles: [NodeRole.WORKER] })),
    ],
    controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.HAPROXY },
    kubernetesVersion: 'v1.27.16',
    sshUser: 'kubekey',
    privateKeyPath: '~/.ssh/kubekey_ed25519',
  };
}

function estate(plan: NodePlan, target?: Target): Platform {
  const platform = new Platform('acme', { target });
  platform.addCluster('prod', { role: ClusterRole.HOST, nodePlan: plan });
  return platform;
}

function kubekeyDocs(platform: Platform, cluster = 'prod'): JsonObject[] {
  const text = new ManifestStack(platform).files().get(`_install/${cluster}/kubekey.yaml`);
  if (text === undefined) throw new Error(`no _install/${cluster}/kubekey.yaml`);
  return parseAllDocuments(text).map((d) => d.toJS() as JsonObject);
}

describe('the KubeKey file', () => {
  it('renders Case A\'s plan to the expected file', () => {
    const files = new ManifestStack(estate(caseA())).files();

    expect(files.get('_install/prod/kubekey.yaml')).toMatchSnapshot();
  });

  it('writes every field the plan decides, even KubeKey\'s defaults (the container runtime would fall back to docker)', () => {
    const [cluster] = kubekeyDocs(estate(caseA()));
    const spec = cluster.spec as Record<string, Record<string, unknown>>;

    expect(cluster.apiVersion).toBe('kubekey.kubesphere.io/v1alpha2');
    expect(cluster.kind).toBe('Cluster');
    expect(spec.kubernetes).toMatchObject({ version: 'v1.27.16', containerManager: 'containerd', clusterName: 'cluster.local', autoRenewCerts: true, proxyMode: 'ipvs' });
    expect(spec.network).toMatchObject({ plugin: 'calico', kubePodsCIDR: '10.233.64.0/18', kubeServiceCIDR: '10.233.0.0/18' });
    expect(spec.controlPlaneEndpoint).toEqual({ internalLoadbalancer: 'haproxy', domain: 'lb.kubesphere.local', externalDNS: false, address: '', port: 6443 });
    expect(spec.etcd).toEqual({ type: 'kubekey', dataDir: '/var/lib/etcd' });
    expect(spec.registry).toEqual({ privateRegistry: '', namespaceOverride: '', registryMirrors: [], insecureRegistries: [] });
    expect(spec.addons).toEqual([]);
    for (const host of spec.hosts as unknown as JsonObject[]) {
      expect(Object.keys(host).sort()).toEqual(['address', 'arch', 'internalAddress', 'name', 'port', 'privateKeyPath', 'user']);
    }
  });

  it('groups the nodes by role, as KubeKey\'s roleGroups', () => {
    const [cluster] = kubekeyDocs(estate(caseA()));

    expect((cluster.spec as JsonObject).roleGroups).toEqual({
      etcd: ['kp-master01', 'kp-master02'],
      'control-plane': ['kp-master01', 'kp-master02'],
      worker: ['kp-node01', 'kp-node02', 'kp-node03', 'kp-node05'],
    });
  });

  it('writes the chosen runtime, network, ranges, architecture, labels, registry node and kube-vip endpoint', () => {
    const plan: NodePlan = {
      ...caseA(),
      nodes: [
        { name: 'cp1', address: '10.0.0.11', internalAddress: '172.16.0.11', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD, NodeRole.WORKER], arch: NodeArch.ARM64, labels: { disk: 'ssd' }, port: 2222, user: 'ubuntu' },
        { name: 'reg', address: '10.0.0.20', roles: [NodeRole.REGISTRY] },
      ],
      controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.KUBE_VIP, address: '10.0.0.100', domain: 'api.example.com' },
      containerRuntime: ContainerRuntime.CRIO,
      networkPlugin: NetworkPlugin.CILIUM,
      podCidr: '10.96.0.0/16',
      serviceCidr: '10.97.0.0/16',
      registry: { privateRegistry: 'harbor.example.com', namespaceOverride: 'kubesphereio', mirrors: ['https://mirror.example.com'], insecureRegistries: ['reg.local:5000'] },
    };
    const spec = kubekeyCluster(estate(plan).clusters[0]).spec as Record<string, JsonObject>;

    expect(spec.hosts).toEqual([
      { name: 'cp1', address: '10.0.0.11', internalAddress: '172.16.0.11', port: 2222, user: 'ubuntu', privateKeyPath: '~/.ssh/kubekey_ed25519', arch: 'arm64', labels: { disk: 'ssd' } },
      { name: 'reg', address: '10.0.0.20', internalAddress: '10.0.0.20', port: 22, user: 'kubekey', privateKeyPath: '~/.ssh/kubekey_ed25519', arch: 'amd64', labels: undefined },
    ]);
    expect(spec.roleGroups).toEqual({ etcd: ['cp1'], 'control-plane': ['cp1'], worker: ['cp1'], registry: ['reg'] });
    expect(spec.controlPlaneEndpoint).toEqual({ internalLoadbalancer: 'kube-vip', domain: 'api.example.com', externalDNS: false, address: '10.0.0.100', port: 6443, kubevip: { mode: 'ARP' } });
    expect(spec.kubernetes).toMatchObject({ containerManager: 'crio', apiserverCertExtraSans: ['api.example.com', '10.0.0.100'] });
    expect(spec.network).toMatchObject({ plugin: 'cilium', kubePodsCIDR: '10.96.0.0/16', kubeServiceCIDR: '10.97.0.0/16', calico: undefined });
    expect(spec.registry).toMatchObject({ privateRegistry: 'harbor.example.com', namespaceOverride: 'kubesphereio', registryMirrors: ['https://mirror.example.com'], insecureRegistries: ['reg.local:5000'] });
  });

  it('writes an external load balancer as no internal one, at its address', () => {
    const [cluster] = kubekeyDocs(estate({ ...caseA(), controlPlaneEndpoint: { address: '192.168.10.5' } }));

    expect((cluster.spec as JsonObject).controlPlaneEndpoint).toMatchObject({ internalLoadbalancer: '', address: '192.168.10.5' });
  });

  it('writes registry credentials as placeholders of the variables named, never values', () => {
    const plan = { ...caseA(), registry: { auths: [{ registry: 'harbor.example.com', usernameEnv: 'HARBOR_USERNAME', passwordEnv: 'HARBOR_PASSWORD', certsPath: '/etc/harbor/ca' }] } };
    const text = new ManifestStack(estate(plan)).files().get('_install/prod/kubekey.yaml') as string;

    expect(text).toContain('password: "${HARBOR_PASSWORD}"');
    expect(text).toContain('username: "${HARBOR_USERNAME}"');
    expect(text).toContain("envsubst '$HARBOR_PASSWORD $HARBOR_USERNAME'");
  });

  it('is written only for clusters with a node plan', () => {
    const platform = estate(caseA());
    platform.addCluster('edge', { role: ClusterRole.MEMBER });

    const files = [...installFiles(platform).keys()];
    expect(files).toContain('_install/prod/kubekey.yaml');
    expect(files.filter((f) => f.startsWith('_install/edge/'))).toEqual(['_install/edge/ks-core-values.yaml']);
  });

  it('carries the ks-installer ClusterConfiguration after the Cluster on KubeSphere 3.4', () => {
    const docs = kubekeyDocs(estate(caseA(), Target.KUBESPHERE_V3_4));

    expect(docs.map((d) => d.kind)).toEqual(['Cluster', 'ClusterConfiguration']);
    expect(docs[1].metadata).toEqual({ name: 'ks-installer', namespace: 'kubesphere-system', labels: { version: 'v3.4.1' } });
    expect((docs[1].spec as Record<string, JsonObject>).etcd).toMatchObject({ endpointIps: '192.168.10.11,192.168.10.12' });
  });

  it('is not written for the plain Kubernetes target, which installs no KubeSphere', () => {
    expect([...installFiles(estate(caseA(), Target.KUBERNETES)).keys()]).toEqual([]);
  });

  it('throws with the construct path when asked for a cluster without a plan', () => {
    const platform = new Platform('acme');
    const c = platform.addCluster('host', { role: ClusterRole.HOST });

    expect(() => kubekeyCluster(c)).toThrow('[acme/Clusters/host] nodePlan: got nothing');
  });
});

describe('Case A (examples/connected-vehicle)', () => {
  const files = new ManifestStack(load('connected-vehicle')()).files();

  it('writes one KubeKey file per cluster, each with the six-node plan', () => {
    for (const cluster of ['kp-prod', 'kp-test']) {
      const text = files.get(`_install/${cluster}/kubekey.yaml`) as string;
      const [doc] = parseAllDocuments(text).map((d) => d.toJS() as { spec: { hosts: { name: string }[] } });
      expect(doc.spec.hosts.map((h) => h.name)).toEqual(['kp-master01', 'kp-master02', 'kp-node01', 'kp-node02', 'kp-node03', 'kp-node05']);
    }
  });

  it('keeps test and production identical but for their names and subnets', () => {
    const normalise = (text: string, cluster: string, subnet: string): string => text.split(cluster).join('<cluster>').split(`${subnet}.`).join('<subnet>.');

    expect(normalise(files.get('_install/kp-test/kubekey.yaml') as string, 'kp-test', '192.168.10')).toBe(normalise(files.get('_install/kp-prod/kubekey.yaml') as string, 'kp-prod', '192.168.20'));
  });

  it('leaves KubeSphere\'s logging off, as the logs go to ELK', () => {
    const text = files.get('_install/kp-prod/extensions.yaml') as string;

    expect(text).not.toContain('whizard-logging');
    expect(load('connected-vehicle')().features[Feature.LOGGING]).toBe(false);
  });
});

describe('the KubeKey file of a single control-plane node without an endpoint', () => {
  it('writes no internal load balancer and no address, so KubeKey uses the node itself', () => {
    const platform = new Platform('acme');
    platform.addCluster('lab', { role: ClusterRole.HOST, nodePlan: { nodes: [{ name: 'n1', address: '10.1.0.5', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD, NodeRole.WORKER] }], kubernetesVersion: 'v1.27.16' } });

    expect((kubekeyCluster(platform.clusters[0]).spec as JsonObject).controlPlaneEndpoint).toEqual({ internalLoadbalancer: '', domain: 'lb.kubesphere.local', externalDNS: false, address: '', port: 6443 });
  });
});
