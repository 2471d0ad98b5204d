import type { ProblemCollector } from '../lib/problems';
import { checkImageTag, checkRegistryHost } from '../lib/values';

const REPOSITORY = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * A container registry, such as a Harbor instance. Images are always pulled from a named registry, so the
 * output says where every image comes from.
 *
 * @example
 * const harbor = Registry.at('harbor.example.com');
 * const image = harbor.image('shop/web', '1.4.2');
 */
export class Registry {
  /**
   * A registry by its host name, with an optional port (`harbor.example.com`, `registry.local:5000`).
   * @param host the registry's host name as it appears in image references
   */
  public static at(host: string): Registry {
    return new Registry(host);
  }

  private constructor(
    /** The host name, e.g. `harbor.example.com`. */
    public readonly host: string,
  ) {}

  /**
   * An image in this registry.
   * @param repository the repository path inside the registry, e.g. `shop/web` (a Harbor project and repository)
   * @param version the tag (`1.4.2`), or a tag and/or digest
   */
  public image(repository: string, version: string | ImageVersion): Image {
    return Image.fromRegistry(this, repository, version);
  }
}

/** Which build of an image to run: a tag, a digest, or both (the digest wins when the image is pulled). */
export interface ImageVersion {
  /**
   * The tag, e.g. `1.4.2` or `sha-3f2c1d9`. Never `latest`: a moving tag makes the output say nothing about
   * what runs.
   * @default - no tag; then `digest` is required
   */
  readonly tag?: string;
  /**
   * The content digest, e.g. `sha256:…` (64 hex digits).
   * @default - no digest
   */
  readonly digest?: string;
}

/** A container image, pulled from a named registry at a fixed version. */
export class Image {
  /**
   * An image from a registry.
   * @param registry the registry that serves it
   * @param repository the repository path inside the registry, e.g. `shop/web`
   * @param version the tag, or a tag and/or digest
   */
  public static fromRegistry(registry: Registry, repository: string, version: string | ImageVersion): Image {
    const v: ImageVersion = typeof version === 'string' ? { tag: version } : version;
    return new Image(registry, repository, v.tag, v.digest);
  }

  private constructor(
    /** The registry the image is pulled from. */
    public readonly registry: Registry,
    /** The repository path inside the registry. */
    public readonly repository: string,
    /** The tag, if any. */
    public readonly tag: string | undefined,
    /** The digest, if any. */
    public readonly digest: string | undefined,
  ) {}

  /** The full reference as written in a pod spec, e.g. `harbor.example.com/shop/web:1.4.2`. */
  public get reference(): string {
    return `${this.registry.host}/${this.repository}${this.tag ? `:${this.tag}` : ''}${this.digest ? `@${this.digest}` : ''}`;
  }

  /** The same image at another tag (a release pipeline's build, a per-environment pin). */
  public withTag(tag: string): Image {
    return new Image(this.registry, this.repository, tag, undefined);
  }

  /**
   * Reports what is wrong with this reference.
   * @internal
   */
  public _check(problems: ProblemCollector, path: string, property: string): void {
    const host = this.registry?.host;
    const h = checkRegistryHost(host);
    if (h) {
      problems.error({ path, property: `${property}.registry`, value: host, message: h, fix: 'use Registry.at("harbor.example.com") or Registry.at("registry.local:5000")' });
    }
    if (typeof this.repository !== 'string' || !REPOSITORY.test(this.repository)) {
      problems.error({ path, property: `${property}.repository`, value: this.repository, message: 'a repository must be lowercase path components (letters, digits, ".", "_", "-") separated by "/"', fix: 'use a repository path such as "shop/web"' });
    }
    if (this.tag === undefined && this.digest === undefined) {
      problems.error({ path, property: `${property}.tag`, value: this.tag, message: 'an image needs a tag or a digest', fix: 'give the version, e.g. registry.image("shop/web", "1.4.2")' });
    }
    const t = this.tag === undefined ? undefined : checkImageTag(this.tag);
    if (t) {
      problems.error({ path, property: `${property}.tag`, value: this.tag, message: t, fix: this.tag === 'latest' ? 'pin a version tag or a digest' : 'use a tag such as "1.4.2"' });
    }
    if (this.digest !== undefined && (typeof this.digest !== 'string' || !DIGEST.test(this.digest))) {
      problems.error({ path, property: `${property}.digest`, value: this.digest, message: 'a digest must be "sha256:" and 64 lowercase hex digits', fix: 'copy the digest from the registry' });
    }
  }
}
