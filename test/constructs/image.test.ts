import { Image, Registry } from 'platform-cdk';
import { addService, fixture, lineFor, objectAt, synthObjects, validationErrors } from '../fixture';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('Image', () => {
  it('writes its reference as <registry>/<repository>:<tag>', () => {
    const image = Registry.at('harbor.example.com').image('shop/web', '1.4.2');

    expect(image.reference).toBe('harbor.example.com/shop/web:1.4.2');
    expect(image.tag).toBe('1.4.2');
    expect(image.digest).toBeUndefined();
    expect(image.repository).toBe('shop/web');
    expect(image.registry.host).toBe('harbor.example.com');
  });

  it('writes its reference as <registry>/<repository>@<digest> with a digest only', () => {
    const image = Registry.at('harbor.example.com').image('shop/web', { digest: DIGEST });

    expect(image.reference).toBe(`harbor.example.com/shop/web@${DIGEST}`);
    expect(image.tag).toBeUndefined();
  });

  it('writes both the tag and the digest when both are given', () => {
    const image = Registry.at('harbor.example.com').image('shop/web', { tag: '1.4.2', digest: DIGEST });

    expect(image.reference).toBe(`harbor.example.com/shop/web:1.4.2@${DIGEST}`);
  });

  it('keeps the port of a registry host in its reference', () => {
    const image = Registry.at('registry.local:5000').image('team/app', '2.0.0');

    expect(image.reference).toBe('registry.local:5000/team/app:2.0.0');
  });

  it('is built the same way by Image.fromRegistry and registry.image()', () => {
    const registry = Registry.at('harbor.example.com');

    expect(Image.fromRegistry(registry, 'shop/web', '1.4.2').reference).toBe(registry.image('shop/web', '1.4.2').reference);
  });

  it('gives the same image at another tag with withTag, dropping the digest and leaving the original alone', () => {
    const original = Registry.at('harbor.example.com').image('shop/web', { tag: '1.4.2', digest: DIGEST });
    const moved = original.withTag('1.5.0');

    expect(moved.reference).toBe('harbor.example.com/shop/web:1.5.0');
    expect(moved.digest).toBeUndefined();
    expect(moved.registry).toBe(original.registry);
    expect(original.reference).toBe(`harbor.example.com/shop/web:1.4.2@${DIGEST}`);
  });

  it('is what the container of its service runs', () => {
    const f = fixture();
    const image = f.registry.image('shop/web', { tag: '1.4.2', digest: DIGEST });
    addService(f, 'web', { image, perEnvironment: { test: { image: image.withTag('1.5.0-rc.1') } } });

    const objects = synthObjects(f.platform);
    const imageAt = (key: string): string => (objectAt(objects, key) as any).spec.template.spec.containers[0].image;
    expect(imageAt('host/Deployment/storefront/web')).toBe(`harbor.example.com/shop/web:1.4.2@${DIGEST}`);
    expect(imageAt('member-test/Deployment/storefront/web')).toBe('harbor.example.com/shop/web:1.5.0-rc.1');
  });

  it('takes a registry port from 1 to 65535 and refuses one outside, naming the registry', () => {
    const f = fixture();
    addService(f, 'ok', { image: Registry.at('registry.local:65535').image('team/ok', '1.0.0') });
    addService(f, 'high', { image: Registry.at('registry.local:99999').image('team/high', '1.0.0') });
    addService(f, 'zero', { image: Registry.at('registry.local:0').image('team/zero', '1.0.0') });

    const lines = validationErrors(f.platform);

    expect(lineFor(lines, 'acme/shop/storefront/high', 'image.registry')).toContain('got "registry.local:99999"; a registry\'s port must be between 1 and 65535 (this one is 99999)');
    expect(lineFor(lines, 'acme/shop/storefront/zero', 'image.registry')).toContain('(this one is 0)');
    expect(lines.filter((l) => l.startsWith('[acme/shop/storefront/ok]'))).toEqual([]);
  });

  it('refuses a tag that would run a shell command or move', () => {
    const f = fixture();
    addService(f, 'web', { image: f.registry.image('shop/web', '$(id)'), perEnvironment: { test: { image: f.registry.image('shop/web', 'latest') } } });

    const lines = validationErrors(f.platform);

    expect(lineFor(lines, 'acme/shop/storefront/web', 'image.tag')).toContain('got "$(id)"; a tag must be 1-128 letters');
    expect(lineFor(lines, 'acme/shop/storefront/web', 'perEnvironment["test"].image.tag')).toContain('"latest" moves');
  });
});
