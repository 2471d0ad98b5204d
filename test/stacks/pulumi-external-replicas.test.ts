/**
 * Replicas set elsewhere in the Pulumi output, under Pulumi's mocks: the Deployment is registered without
 * `replicas` and with `ignoreChanges: ['spec.replicas']`, like the YAML output (no replicas written), and the other
 * objects ignore nothing more.
 */
import * as pulumi from '@pulumi/pulumi';
import { Replicas } from 'platform-cdk';
import { addService, fixture } from '../fixture';
import { recordingMocks, usePulumiMocks } from '../pulumi-mocks';
import type { Recorded } from '../pulumi-mocks';

const recorded: Recorded[] = [];
const pulumiModule = usePulumiMocks(recordingMocks(recorded));

it('registers the production Deployment without replicas, ignoring changes to spec.replicas', async () => {
  const f = fixture();
  addService(f, 'api', { perEnvironment: { production: { replicas: Replicas.external({ min: 2, max: 6 }) } } });
  addService(f, 'web');
  pulumi.runtime.setAllConfig({ 'platform-cdk:context-host': 'host' }, []);
  const stack = new (pulumiModule().PulumiStack)(f.platform);
  for (const o of stack.objects.values()) await new Promise((resolve) => o.resource.urn.apply(resolve));
  expect(stack.objects.get('host/apps/v1/Deployment/storefront/api')?.ignoreChanges).toEqual(['spec.replicas']);
  expect(stack.objects.get('host/apps/v1/Deployment/storefront/web')?.ignoreChanges).toEqual([]);
  const api = recorded.find((r) => r.type === 'kubernetes:apps/v1:Deployment' && (r.inputs.metadata as { name: string }).name === 'api');
  expect((api?.inputs.spec as { replicas?: number }).replicas).toBeUndefined();
  const web = recorded.find((r) => r.type === 'kubernetes:apps/v1:Deployment' && (r.inputs.metadata as { name: string }).name === 'web');
  expect((web?.inputs.spec as { replicas?: number }).replicas).toBe(2);
});
