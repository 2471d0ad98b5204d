import type { ProblemCollector } from '../lib/problems';
import { checkImageTag, checkRegistryHost } from '../lib/values';
import { checkNoLiteralSecret } from './secrets';

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
   * @param options what its images declare (e.g. the user an estate's base images run as)
   */
  public static at(host: string, options: RegistryOptions = {}): Registry {
    return new Registry(host, options ?? {});
  }

  private constructor(
    /** The host name, e.g. `harbor.example.com`. */
    public readonly host: string,
    /** What the registry's images declare. */
    public readonly options: RegistryOptions = {},
  ) {}

  /**
   * An image in this registry.
   * @param repository the repository path inside the registry, e.g. `shop/web` (a Harbor project and repository)
   * @param version the tag (`1.4.2`), or a tag and/or digest
   * @param options what the image declares (its user) and its waivers
   */
  public image(repository: string, version: string | ImageVersion, options: ImageOptions = {}): Image {
    return Image.fromRegistry(this, repository, version, options);
  }
}

/** What the images of a registry declare. */
export interface RegistryOptions {
  /**
   * The numeric user id the registry's images run as, when the estate builds every image from base images with
   * a fixed numeric `USER` (an image may declare another with its own `user`). Leave it out for registries of
   * public images, whose users differ.
   * @default - not declared
   */
  readonly user?: number;
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

/**
 * Reasons for running an image in production against a rule, by rule. Each one is written on the workloads that
 * run the image in production as the annotation `waiver.platform-cdk.io/<rule>`.
 */
export interface ImageWaivers {
  /**
   * Why production runs a moving tag (`alpine`, `stable`, `main` …) without a digest (rule
   * `production-moving-tag`).
   */
  readonly movingTag?: string;
}

/** The rule ids of the image rules, as written in waiver annotations. */
export const ImageRules = {
  /** Production runs no moving tag (a tag without a version number, or `latest`) unless pinned by digest. */
  MOVING_TAG: 'production-moving-tag',
} as const;

/** What an image declares, and the rules it is excused from. */
export interface ImageOptions {
  /**
   * The numeric user id the image runs as (its `USER`). The pods of platform-cdk run with `runAsNonRoot: true`,
   * which the kubelet can only verify for a numeric user: an image whose `USER` is a name or missing does not
   * start unless a user id is given here or on the service (`runAsUser`). The id is written on the container's
   * security context when neither the container nor its pod names a user.
   * @default - not declared: the service should set `runAsUser` (synthesis warns otherwise)
   */
  readonly user?: number;
  /**
   * Reasons for relaxing image rules.
   * @default - none
   */
  readonly waivers?: ImageWaivers;
}

/**
 * Whether a tag moves: `latest`, or any tag without a digit (`alpine`, `stable`, `main`, `lts`, `edge`,
 * `bookworm` …), which names a channel rather than a version.
 * @param tag the tag
 */
export function isMovingTag(tag: string | undefined): boolean {
  return tag !== undefined && (tag === 'latest' || !/[0-9]/.test(tag));
}

/** A container image, pulled from a named registry at a fixed version. */
export class Image {
  /**
   * An image from a registry.
   * @param registry the registry that serves it
   * @param repository the repository path inside the registry, e.g. `shop/web`
   * @param version the tag, or a tag and/or digest
   * @param options what the image declares (its user) and its waivers
   */
  public static fromRegistry(registry: Registry, repository: string, version: string | ImageVersion, options: ImageOptions = {}): Image {
    const v: ImageVersion = typeof version === 'string' ? { tag: version } : version;
    return new Image(registry, repository, v.tag, v.digest, options ?? {});
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
    /** What the image declares, and its waivers. */
    public readonly options: ImageOptions = {},
  ) {}

  /** The numeric user id the image declares, if any. */
  public get user(): number | undefined {
    return this.options?.user ?? this.registry?.options?.user;
  }

  /** Whether the image runs a moving tag without a digest (refused in production unless waived). */
  public get moves(): boolean {
    return this.digest === undefined && isMovingTag(this.tag);
  }

  /** The full reference as written in a pod spec, e.g. `harbor.example.com/shop/web:1.4.2`. */
  public get reference(): string {
    return `${this.registry.host}/${this.repository}${this.tag ? `:${this.tag}` : ''}${this.digest ? `@${this.digest}` : ''}`;
  }

  /** The same image at another tag (a release pipeline's build, a per-environment pin). */
  public withTag(tag: string): Image {
    return new Image(this.registry, this.repository, tag, undefined, this.options);
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
    const o = this.options ?? {};
    const user = this.user;
    const where = o.user !== undefined ? `${property}.user` : `${property}.registry.user`;
    if (user !== undefined && (typeof user !== 'number' || !Number.isInteger(user) || user < 0 || user > 2147483647)) {
      problems.error({ path, property: where, value: user, message: 'a user id is a whole number from 1 to 2147483647', fix: 'give the numeric id of the image\'s USER, e.g. user: 1000' });
    } else if (user === 0) {
      problems.error({ path, property: where, value: 0, message: 'the image runs as root (user 0), which the restricted Pod Security profile forbids (runAsNonRoot)', fix: 'run the service as a non-root user: set runAsUser: 1000 on the service, or use an image built with a non-root USER' });
    }
    const reason = o.waivers?.movingTag;
    if (reason !== undefined && (typeof reason !== 'string' || reason.trim() === '')) {
      problems.error({ path, property: `${property}.waivers.movingTag`, value: reason, message: 'a waiver needs a reason', fix: 'say why production runs a moving tag, e.g. "vendor publishes only the stable channel"' });
    } else if (reason !== undefined) {
      checkNoLiteralSecret(problems, path, `${property}.waivers.movingTag`, reason, 'say why the rule is relaxed, without credentials (the reason is written as an annotation)');
    }
  }

  /**
   * Reports a moving tag in a production environment, unless pinned by digest or waived.
   * @param environment the production environment's name
   * @internal
   */
  public _checkProduction(problems: ProblemCollector, path: string, property: string, environment: string): void {
    // `latest` is refused everywhere (see `_check`).
    if (!this.moves || this.tag === 'latest' || typeof this.options?.waivers?.movingTag === 'string') return;
    problems.error({
      path,
      property: `${property}.tag (in ${environment})`,
      value: this.reference,
      message: `environment ${environment} is production, where an image runs at a version: the tag "${this.tag}" moves (it names a channel, not a version), so the output would not say what runs`,
      fix: `pin a version tag (e.g. "7.2.4-alpine") or a digest ({ tag: "${this.tag}", digest: "sha256:…" }), or give a reason: registry.image("${this.repository}", "${this.tag}", { waivers: { movingTag: "…" } }) (rule ${ImageRules.MOVING_TAG})`,
    });
  }
}
