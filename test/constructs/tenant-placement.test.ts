import { ClusterRole, Platform, TenantPlacement } from 'platform-cdk';
import { objectAt, synthObjects, validationErrors } from '../fixture';

function estate(): Platform {
  const platform = new Platform('acme');
  const host = platform.addCluster('host', { role: ClusterRole.HOST });
  platform.addCluster('partner-a', { role: ClusterRole.MEMBER, labels: { partner: 'yes', region: 'east' } });
  platform.addCluster('partner-b', { role: ClusterRole.MEMBER, labels: { partner: 'yes', region: 'west' } });
  platform.addEnvironment('production', { clusters: [host] });
  return platform;
}

const placementOf = (platform: Platform, tenant: string): unknown =>
  (objectAt(synthObjects(platform), `host/WorkspaceTemplate/-/${tenant}`).spec as { placement: unknown }).placement;

describe('TenantPlacement', () => {
  it('adds named clusters to those where the tenant\'s projects land', () => {
    const platform = estate();
    platform.addTenant('rides', { manager: 'alice', placement: TenantPlacement.clusters('partner-b') }).addProject('api', { environments: ['production'] });
    expect(placementOf(platform, 'rides')).toEqual({ clusters: [{ name: 'host' }, { name: 'partner-b' }] });
  });

  it('adds every cluster a label selector matches, written as a list', () => {
    const platform = estate();
    platform.addTenant('rides', { manager: 'alice', placement: TenantPlacement.selector({ partner: 'yes' }) });
    expect(placementOf(platform, 'rides')).toEqual({ clusters: [{ name: 'partner-a' }, { name: 'partner-b' }] });
  });

  it('reports an unknown cluster and a selector that matches no cluster', () => {
    const platform = estate();
    platform.addTenant('rides', { manager: 'alice', placement: TenantPlacement.clusters('partner-c') }).addProject('api', { environments: ['production'] });
    platform.addTenant('trips', { manager: 'bob', placement: TenantPlacement.selector({ partner: 'no' }) }).addProject('web', { environments: ['production'] });
    expect(validationErrors(platform)).toEqual([
      '[acme/rides] placement.clusters[0]: got "partner-c"; no cluster of the platform has this name (clusters: host, partner-a, partner-b). Fix: name a cluster of the platform.',
      '[acme/trips] placement.selector: got {"partner":"no"}; the selector matches no cluster of the platform. Fix: label the clusters the workspace belongs on, or fix the selector.',
    ]);
  });
});
