import { Cluster, ClusterRole, ContainerRuntime, LoadBalancerKind, NetworkPlugin, NodeRole, validatePlatform } from 'platform-cdk';
import type { FeatureSwitches, NodePlan, NodeSpec, Problem } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthObjects, validationErrors } from '../fixture';

describe('Cluster', () => {
  it('is a host or a member, as its role says', () => {
    const f = fixture();

    expect(f.host.role).toBe(ClusterRole.HOST);
    expect(f.host.isHost).toBe(true);
    expect(f.member.role).toBe(ClusterRole.MEMBER);
    expect(f.member.isHost).toBe(false);
  });

  it('takes its name from its construct id', () => {
    const f = fixture();

    expect(f.host.name).toBe('host');
    expect(f.member.name).toBe('member-test');
  });

  it('keeps its labels and description, and copies the labels it is given', () => {
    const f = fixture();
    const labels: Record<string, string> = { region: 'eu-1', 'example.com/partner': 'acme' };
    const edge = f.platform.addCluster('edge', { role: ClusterRole.MEMBER, labels, description: 'Runs the edge caches' });
    labels.region = 'us-1';

    expect(edge.labels).toEqual({ region: 'eu-1', 'example.com/partner': 'acme' });
    expect(edge.description).toBe('Runs the edge caches');
  });

  it('has no labels when none are given', () => {
    const f = fixture();

    expect(f.member.labels).toEqual({});
    expect(f.member.ingressClassName).toBeUndefined();
  });

  it('is recognised by isCluster', () => {
    const f = fixture();

    expect(Cluster.isCluster(f.host)).toBe(true);
    expect(Cluster.isCluster(f.test)).toBe(false);
    expect(Cluster.isCluster(undefined)).toBe(false);
  });

  it('gets its own output folder holding what is placed on it', () => {
    const f = fixture();
    addService(f, 'web');

    const keys = [...synthObjects(f.platform).keys()];
    expect(keys.filter((k) => k.startsWith('host/'))).toEqual(
      expect.arrayContaining(['host/Namespace/-/storefront', 'host/Deployment/storefront/web']),
    );
    expect(keys.filter((k) => k.startsWith('member-test/'))).toEqual(
      expect.arrayContaining(['member-test/Namespace/-/storefront', 'member-test/Deployment/storefront/web']),
    );
    expect(keys.every((k) => k.startsWith('host/') || k.startsWith('member-test/'))).toBe(true);
  });

  it('passes its ingressClassName into the Ingress of every service exposed on it', () => {
    const f = fixture();
    addService(f, 'web').expose();

    const objects = synthObjects(f.platform);
    expect((objectAt(objects, 'host/Ingress/storefront/web') as any).spec.ingressClassName).toBe('nginx');
  });

  it('leaves ingressClassName out of the Ingress when it sets none, so the default class serves it', () => {
    const f = fixture();
    addService(f, 'web').expose();

    const ingress = objectAt(synthObjects(f.platform), 'member-test/Ingress/storefront/web') as any;
    expect(ingress.spec).not.toHaveProperty('ingressClassName');
  });
});

describe('a cluster\'s node plan', () => {
  /** A valid plan: three control-plane nodes with etcd behind haproxy, two workers. */
  function plan(over: Partial<NodePlan> = {}): NodePlan {
    return {
      nodes: [
        { name: 'cp1', address: '192.168.1.11', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD] },
        { name: 'cp2', address: '192.168.1.12', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD] },
        { name: 'cp3', address: '192.168.1.13', roles: [NodeRole.CONTROL_PLANE, NodeRole.ETCD] },
        { name: 'w1', address: '192.168.1.21', roles: [NodeRole.WORKER] },
        { name: 'w2', address: '192.168.1.22', roles: [NodeRole.WORKER] },
      ],
      controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.HAPROXY },
      kubernetesVersion: 'v1.27.16',
      ...over,
    };
  }
  const PATH = 'acme/Clusters/built';

  function errorsOf(nodePlan: NodePlan): string[] {
    const f = fixture();
    f.platform.addCluster('built', { role: ClusterRole.MEMBER, nodePlan });
    return validationErrors(f.platform);
  }

  function problemsOf(nodePlan: NodePlan): Problem[] {
    const f = fixture();
    f.platform.addCluster('built', { role: ClusterRole.MEMBER, nodePlan });
    return validatePlatform(f.platform).filter((p) => p.path === PATH);
  }

  it('is kept on the cluster, and a valid one raises no problem', () => {
    const f = fixture();
    const c = f.platform.addCluster('built', { role: ClusterRole.MEMBER, nodePlan: plan() });

    expect(c.nodePlan?.nodes.map((n) => n.name)).toEqual(['cp1', 'cp2', 'cp3', 'w1', 'w2']);
    expect(validatePlatform(f.platform).filter((p) => p.path === PATH)).toEqual([]);
  });

  it('warns that an even number of etcd members tolerates no more failures than one fewer', () => {
    const problems = problemsOf(plan({ nodes: plan().nodes.filter((n) => n.name !== 'cp3') }));

    expect(problems).toEqual([
      expect.objectContaining({ severity: 'warning', property: 'nodePlan.nodes', value: ['cp1', 'cp2'], message: '2 etcd members tolerate no failure, no more than 1 member would (a quorum is 2 of 2)' }),
    ]);
  });

  it('refuses haproxy with an address, as KubeKey does', () => {
    const line = lineFor(errorsOf(plan({ controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.HAPROXY, address: '192.168.1.100' } })), PATH, 'nodePlan.controlPlaneEndpoint.address');

    expect(line).toContain('KubeKey refuses an address with its internal haproxy load balancer');
    expect(line).toContain('Fix: remove the address');
  });

  it('refuses kube-vip without its VIP, and a VIP that a node has', () => {
    expect(lineFor(errorsOf(plan({ controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.KUBE_VIP } })), PATH, 'nodePlan.controlPlaneEndpoint.address')).toContain('kube-vip needs the virtual IP');
    expect(lineFor(errorsOf(plan({ controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.KUBE_VIP, address: '192.168.1.11' } })), PATH, 'nodePlan.controlPlaneEndpoint.address')).toContain('node cp1 has this address, and a VIP must be free');
  });

  it('refuses overlapping pod and service ranges, and ranges that hold a node', () => {
    expect(lineFor(errorsOf(plan({ podCidr: '10.0.0.0/8', serviceCidr: '10.96.0.0/12' })), PATH, 'nodePlan.serviceCidr')).toContain('it overlaps the pod CIDR 10.0.0.0/8');
    expect(lineFor(errorsOf(plan({ podCidr: '192.168.0.0/16' })), PATH, 'nodePlan.podCidr')).toContain('it contains the address 192.168.1.11 of node cp1');
    expect(lineFor(errorsOf(plan({ serviceCidr: '10.233.0.1/18' })), PATH, 'nodePlan.serviceCidr')).toContain('not an IPv4 CIDR');
  });

  it('refuses a node in no role', () => {
    const nodes = [...plan().nodes, { name: 'idle', address: '192.168.1.30', roles: [] }];

    expect(lineFor(errorsOf(plan({ nodes })), PATH, 'nodePlan.nodes[5].roles')).toContain('node idle has no role, so KubeKey would install nothing on it');
  });

  it('refuses duplicate node names and addresses', () => {
    const nodes = [...plan().nodes, { name: 'w1', address: '192.168.1.40', roles: [NodeRole.WORKER] }, { name: 'w3', address: '192.168.1.21', roles: [NodeRole.WORKER] }];
    const lines = errorsOf(plan({ nodes }));

    expect(lineFor(lines, PATH, 'nodePlan.nodes[5].name')).toContain('nodePlan.nodes[3] has this name already');
    expect(lineFor(lines, PATH, 'nodePlan.nodes[6].address')).toContain('node w1 has this address already');
  });

  it('refuses two or more control-plane nodes without an endpoint', () => {
    const line = lineFor(errorsOf(plan({ controlPlaneEndpoint: undefined })), PATH, 'nodePlan.controlPlaneEndpoint');

    expect(line).toContain('the plan has 3 control-plane nodes (cp1, cp2, cp3) and no endpoint');
    expect(line).toContain('Fix: set controlPlaneEndpoint: { loadBalancer: LoadBalancerKind.HAPROXY }');
  });

  it('refuses a plan without a control plane or etcd, and one without nodes', () => {
    const workers = plan({ nodes: plan().nodes.filter((n) => n.roles.includes(NodeRole.WORKER)), controlPlaneEndpoint: undefined });
    const lines = errorsOf(workers).filter((l) => l.startsWith(`[${PATH}] nodePlan.nodes: `));

    expect(lines).toEqual([expect.stringContaining('no node has the control-plane role'), expect.stringContaining('no node has the etcd role')]);
    expect(lineFor(errorsOf(plan({ nodes: [] })), PATH, 'nodePlan.nodes')).toContain('a node plan needs at least one node');
  });

  it('refuses a private key\'s content, a password and other secrets, and never repeats them', () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    const withPassword = { name: 'w9', address: '192.168.1.29', roles: [NodeRole.WORKER], password: 'hunter2' } as NodeSpec;
    const lines = errorsOf(plan({ privateKeyPath: key, nodes: [...plan().nodes, withPassword] }));

    expect(lineFor(lines, PATH, 'nodePlan.privateKeyPath')).toContain('this looks like the content of a private key');
    expect(lineFor(lines, PATH, 'nodePlan.nodes[5].password')).toContain('passwords, keys and other secrets are never written');
    expect(lines.join('\n')).not.toContain('BEGIN OPENSSH');
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('refuses registry credentials given by value instead of by variable name', () => {
    const lines = errorsOf(plan({ registry: { auths: [{ registry: 'harbor.example.com', usernameEnv: 'robot$ci', passwordEnv: 'Harbor12345' }] } }));

    expect(lineFor(lines, PATH, 'nodePlan.registry.auths[0].usernameEnv')).toContain('never by value');
    expect(lineFor(lines, PATH, 'nodePlan.registry.auths[0].passwordEnv')).toContain('never by value');
  });

  it('refuses bad versions, addresses, names, runtimes and networks, all at once', () => {
    const bad = plan({
      kubernetesVersion: '1.27',
      containerRuntime: 'rkt' as ContainerRuntime,
      networkPlugin: 'weave' as NetworkPlugin,
      nodes: [...plan().nodes, { name: 'Bad_Name', address: '300.1.1.1', roles: [NodeRole.WORKER], port: 70000 }],
    });
    const lines = errorsOf(bad).filter((l) => l.startsWith(`[${PATH}]`));

    expect(lines.map((l) => l.slice(PATH.length + 3).split(':')[0]).sort()).toEqual([
      'nodePlan.containerRuntime',
      'nodePlan.kubernetesVersion',
      'nodePlan.networkPlugin',
      'nodePlan.nodes[5].address',
      'nodePlan.nodes[5].name',
      'nodePlan.nodes[5].port',
    ]);
  });

  it('refuses feature switches that are not features', () => {
    const f = fixture();
    f.platform.addCluster('built', { role: ClusterRole.MEMBER, features: { telepathy: true } as FeatureSwitches });

    expect(lineFor(validationErrors(f.platform), PATH, 'features["telepathy"]')).toContain('not a KubeSphere feature');
  });
});

describe('the ingress and monitoring namespaces of a cluster', () => {
  it('may not be a tenant\'s namespace, nor default or an estate namespace, and may be a system namespace', () => {
    const f = fixture();
    f.platform.addCluster('a', { role: ClusterRole.MEMBER, ingressNamespace: 'storefront', monitoringNamespace: 'default' });
    f.platform.addCluster('b', { role: ClusterRole.MEMBER, ingressNamespace: 'platform-gitops', monitoringNamespace: 'shop-devops' });
    f.platform.addCluster('c', { role: ClusterRole.MEMBER, ingressNamespace: 'kube-system', monitoringNamespace: 'istio-system' });
    const lines = validationErrors(f.platform);

    expect(lineFor(lines, 'acme/Clusters/a', 'ingressNamespace')).toContain('it is the namespace of project acme/shop/storefront of tenant shop in environment test');
    expect(lineFor(lines, 'acme/Clusters/a', 'monitoringNamespace')).toContain('namespace default is reserved (default: where objects without a namespace land) and is not where Prometheus runs');
    expect(lineFor(lines, 'acme/Clusters/b', 'ingressNamespace')).toContain('namespace platform-gitops is the KubeSphere DevOps project of the GitOps applications');
    expect(lineFor(lines, 'acme/Clusters/b', 'monitoringNamespace')).toContain('namespace shop-devops is the KubeSphere DevOps project of tenant shop');
    expect(lines.filter((l) => l.startsWith('[acme/Clusters/c]'))).toEqual([]);
  });

  it('are reserved for the cluster: a project there is reported once, at the cluster', () => {
    const f = fixture();
    f.tenant.addProject('ingress-nginx', { environments: [f.test] });
    f.platform.addCluster('edge', { role: ClusterRole.MEMBER, ingressNamespace: 'ingress-nginx' });
    const lines = validationErrors(f.platform);

    expect(lines).toHaveLength(1);
    expect(lineFor(lines, 'acme/Clusters/edge', 'ingressNamespace')).toContain('it is the namespace of project acme/shop/ingress-nginx');
  });
});
