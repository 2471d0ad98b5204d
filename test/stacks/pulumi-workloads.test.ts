/**
 * The Pulumi output of the workload kinds and network exposures: the CronJob, DaemonSet and LoadBalancer Service
 * registered are the objects the YAML holds, as typed resources of the provider, and a CronJob is created after the
 * Service it connects to.
 */
import * as pulumi from '@pulumi/pulumi';
import { Workload } from 'platform-cdk';
import { addService, fixture } from '../fixture';
import { recordingMocks, specsOn } from '../pulumi-mocks';
import type { Recorded } from '../pulumi-mocks';

const recorded: Recorded[] = [];
const mocks = recordingMocks(recorded);
pulumi.runtime.setMocks(mocks, 'platform-cdk-test', 'production', false);

it('registers the CronJob, DaemonSet and LoadBalancer Service the YAML holds, the CronJob after its target\'s Service', async () => {
  const f = fixture();
  const db = addService(f, 'db', { ports: [{ port: 5432 }] });
  addService(f, 'report', { ports: [], workload: Workload.cronJob({ schedule: '@daily' }) }).connectsTo(db);
  addService(f, 'agent', { workload: Workload.daemonSet() });
  addService(f, 'gateway', { ports: [{ port: 1883, name: 'mqtt' }] }).exposeNetwork({ from: ['10.20.0.0/16'] });
  const yaml = specsOn(f.platform, 'host');

  pulumi.runtime.setAllConfig({ 'platform-cdk:context-host': 'host' }, []);
  const { PulumiStack } = await import('platform-cdk/pulumi');
  const stack = new PulumiStack(f.platform);
  await new Promise((resolve) => (stack.objects.get('host/batch/v1/CronJob/storefront/report')?.resource.urn as pulumi.Output<string>).apply(resolve));
  await pulumi.runtime.disconnect();

  for (const k of ['CronJob/report', 'DaemonSet/agent', 'Service/gateway-external', 'NetworkPolicy/ingress-to-gateway-external']) expect(yaml.get(k)).toBeDefined();
  const byName = (type: string, name: string): Recorded | undefined => recorded.find((r) => r.type === type && r.name === `host/storefront/${name}`);
  expect(byName('kubernetes:batch/v1:CronJob', 'report')?.inputs.spec).toEqual(yaml.get('CronJob/report'));
  expect(byName('kubernetes:apps/v1:DaemonSet', 'agent')?.inputs.spec).toEqual(yaml.get('DaemonSet/agent'));
  expect(byName('kubernetes:core/v1:Service', 'gateway-external')?.inputs.spec).toEqual(yaml.get('Service/gateway-external'));
  expect(byName('kubernetes:networking.k8s.io/v1:NetworkPolicy', 'ingress-to-gateway-external')?.inputs.spec).toEqual(yaml.get('NetworkPolicy/ingress-to-gateway-external'));
  expect(stack.objects.get('host/batch/v1/CronJob/storefront/report')?.dependsOn).toEqual(['host/v1/Namespace/-/storefront', 'host/v1/Service/storefront/db']);
});
