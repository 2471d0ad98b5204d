import { Cluster, ClusterRole } from 'platform-cdk';
import { addService, fixture, objectAt, synthObjects } from '../fixture';

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
