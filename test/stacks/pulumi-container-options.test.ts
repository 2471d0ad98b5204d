/**
 * The Pulumi output of the container options of the published applications: the Deployment registered with an added
 * NET_BIND_SERVICE, an in-memory /tmp and a sidecar's port is the one the YAML holds.
 */
import * as pulumi from '@pulumi/pulumi';
import { addService, fixture } from '../fixture';
import { recordingMocks, specsOn } from '../pulumi-mocks';
import type { Recorded } from '../pulumi-mocks';

const recorded: Recorded[] = [];
pulumi.runtime.setMocks(recordingMocks(recorded), 'platform-cdk-test', 'production', false);

it('registers the Deployment the YAML holds, with the added capability, the folder in memory and the sidecar\'s port', async () => {
  const f = fixture();
  addService(f, 'api', {
    ports: [{ port: 80 }, { port: 9090, name: 'exporter' }],
    runAsUser: 10001,
    addCapabilities: ['NET_BIND_SERVICE'],
    writablePaths: [{ path: '/tmp', medium: 'Memory', sizeLimitMiB: 64 }],
    sidecars: [{ name: 'exporter', image: f.registry.image('shop/exporter', '1.0.0'), ports: [{ name: 'exporter', containerPort: 9090 }] }],
  });
  const yaml = specsOn(f.platform, 'host') as Map<string, any>;
  pulumi.runtime.setAllConfig({ 'platform-cdk:context-host': 'host' }, []);
  const { PulumiStack } = await import('platform-cdk/pulumi');
  const stack = new PulumiStack(f.platform);
  await new Promise((resolve) => (stack.objects.get('host/apps/v1/Deployment/storefront/api')?.resource.urn as pulumi.Output<string>).apply(resolve));
  await pulumi.runtime.disconnect();

  const spec = yaml.get('Deployment/api');
  expect(spec.template.spec.containers[0].securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
  expect(spec.template.spec.volumes[0]).toEqual({ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
  expect(spec.template.spec.containers[1].ports).toEqual([{ name: 'exporter', containerPort: 9090, protocol: 'TCP' }]);
  const registered = recorded.find((r) => r.type === 'kubernetes:apps/v1:Deployment' && r.name === 'host/storefront/api');
  expect(registered?.inputs.spec).toEqual(spec);
});
