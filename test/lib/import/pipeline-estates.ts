/**
 * Small estates with release pipelines, for the import's pipeline tests (pipelines.test.ts, pipelines.full.test.ts).
 */
import { ClusterRole, Credential, DeployMethod, Platform, Registry } from 'platform-cdk';
import type { Department, PipelineProps, Project } from 'platform-cdk';

/** The registry of the estates. */
export const harbor = Registry.at('harbor.example.com');
/** A Maven builder. */
export const MAVEN = harbor.image('ci/maven', '3.9.9');
/** A Node.js builder. */
export const NODE = harbor.image('ci/node', '20.19.5');

/** A small estate with delivery and a release department; `pipelines` adds the pipelines. */
export function estate(pipelines: (add: (service: string, props: Omit<PipelineProps, 'source' | 'registryCredential'> & Partial<PipelineProps>) => void, parts: { release: Department; developers: Department; project: Project }) => void, options: { deployMethod?: DeployMethod } = {}): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  const member = platform.addCluster('member-1', { role: ClusterRole.MEMBER });
  const test = platform.addEnvironment('test', { clusters: [member] });
  const production = platform.addEnvironment('production', { clusters: [host], production: true });
  platform.configureDelivery({
    estate: { repository: 'https://git.example.com/platform/estate.git', credential: Credential.basicAuth('estate-git') },
    ...(options.deployMethod ? { deployMethod: options.deployMethod, kubeconfigs: { host: Credential.kubeconfig('host-kube'), 'member-1': Credential.kubeconfig('member-kube') } } : {}),
  });
  const tenant = platform.addTenant('orders', { manager: 'alice' });
  const developers = tenant.addDepartment('developers', { members: ['bob', 'carol'] });
  const release = tenant.addDepartment('release', { members: ['dave'] });
  const project = tenant.addProject('orders', { environments: [test, production] });
  const services = new Map(['api', 'web', 'worker'].map((n) => [n, project.addService(n, { image: harbor.image(`orders/${n}`, '1.0.0'), runAsUser: 1000, ports: [{ port: 8080 }] })]));
  pipelines(
    (name, props) =>
      services.get(name)!.addPipeline({
        source: { repository: `https://git.example.com/orders/${name}.git`, branch: 'main', credential: Credential.basicAuth('gitlab') },
        registryCredential: Credential.basicAuth('harbor-robot'),
        approval: { approvers: release },
        operators: [developers],
        ...props,
      } as PipelineProps),
    { release, developers, project },
  );
  return platform;
}

