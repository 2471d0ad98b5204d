import type { ProblemCollector } from '../lib/problems';
import { checkDns1123Subdomain } from '../lib/names';
import { findSecret, findSecretIn, withheld } from '../lib/secret-rules';
import type { SecretMatch } from '../lib/secret-rules';

export { ENTROPY_MIN_LENGTH, ENTROPY_MIN_RUN, ENTROPY_THRESHOLD, EXEMPT_NAME_SUFFIXES, findSecret, SECRET_RULES } from '../lib/secret-rules';
export type { FindSecretOptions, SecretMatch, SecretRuleInfo } from '../lib/secret-rules';

const SECRET_REF = Symbol.for('platform-cdk.SecretRef');

/** Where a secret value lives: a key of an external store, or a key of a Secret that exists in the namespace. */
export type SecretSource =
  | {
      /** A key of an external store. */
      readonly kind: 'store';
      /** The store. */
      readonly store: SecretStore;
      /** The key in the store. */
      readonly remoteKey: string;
      /** The property of the key's value (for stores that hold JSON objects), if one. */
      readonly property?: string;
      /** The version of the key, if not the latest. */
      readonly version?: string;
    }
  | {
      /** A key of a Secret that exists in the namespace. */
      readonly kind: 'existing';
      /** The Secret's name. */
      readonly secretName: string;
      /** The key in the Secret. */
      readonly key: string;
    };

/**
 * A reference to one secret value. There is no way to make one from a literal value: a secret is always read,
 * in the cluster, from an external store (through an external-secrets.io `ExternalSecret`) or from a Secret that
 * an operator created.
 *
 * @example
 * const vault = SecretStore.cluster('vault');
 * api.addSecret('DB_PASSWORD', vault.key('orders/mysql', { property: 'password' }));
 * api.addSecret('SMS_TOKEN', ExistingSecret.named('sms-gateway').key('token'));
 */
export class SecretRef {
  /** Whether a value is a SecretRef (and not, say, a string passed where a reference belongs). */
  public static isSecretRef(this: void, x: unknown): x is SecretRef {
    return typeof x === 'object' && x !== null && SECRET_REF in x;
  }

  /** @internal */
  public static _of(source: SecretSource): SecretRef {
    return new SecretRef(source);
  }

  private constructor(
    /** Where the value lives. */
    public readonly source: SecretSource,
  ) {
    Object.defineProperty(this, SECRET_REF, { value: true });
  }

  /** A short description for messages and docs, e.g. `ClusterSecretStore vault: orders/mysql#password`. */
  public toString(): string {
    const s = this.source;
    if (s.kind === 'existing') return `Secret ${s.secretName}: ${s.key}`;
    return `${s.store.kind} ${s.store.name}: ${s.remoteKey}${s.property !== undefined ? `#${s.property}` : ''}`;
  }

  /** @internal */
  public _check(problems: ProblemCollector, path: string, property: string): void {
    const s = this.source;
    if (s.kind === 'existing') {
      const n = checkDns1123Subdomain(s.secretName);
      if (n) problems.error({ path, property, value: s.secretName, message: `the Secret name is invalid: ${n}`, fix: 'name an existing Secret like "sms-gateway"' });
      if (typeof s.key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(s.key)) {
        problems.error({ path, property, value: s.key, message: 'a Secret key is letters, digits, "-", "_" and "."', fix: 'name a key of the Secret like "token"' });
      }
      return;
    }
    const n = checkDns1123Subdomain(s.store.name);
    if (n) problems.error({ path, property, value: s.store.name, message: `the secret store name is invalid: ${n}`, fix: 'name the store like "vault"' });
    if (typeof s.remoteKey !== 'string' || s.remoteKey.trim() === '') {
      problems.error({ path, property, value: s.remoteKey, message: 'the key in the store is empty', fix: 'name the key, e.g. vault.key("orders/mysql", { property: "password" })' });
    }
  }
}

/** The kind of an external-secrets.io store. */
export enum SecretStoreKind {
  /** A `ClusterSecretStore`, usable from every namespace. */
  CLUSTER = 'ClusterSecretStore',
  /** A `SecretStore` in the namespace of the service. */
  NAMESPACED = 'SecretStore',
}

/** Options of a key read from an external store. */
export interface StoreKeyOptions {
  /**
   * The property of the key's value (for stores that hold JSON objects, such as Vault KV).
   * @default - the whole value
   */
  readonly property?: string;
  /**
   * The version of the key.
   * @default - the latest
   */
  readonly version?: string;
}

/**
 * An external-secrets.io store (Vault, a cloud secret manager …) that an operator installed in the cluster.
 * platform-cdk writes `ExternalSecret`s that read from it; it never writes the store itself.
 */
export class SecretStore {
  /**
   * A `ClusterSecretStore`.
   * @param name its name
   */
  public static cluster(name: string): SecretStore {
    return new SecretStore(name, SecretStoreKind.CLUSTER);
  }

  /**
   * A `SecretStore` in the namespace of each service that uses it.
   * @param name its name
   */
  public static namespaced(name: string): SecretStore {
    return new SecretStore(name, SecretStoreKind.NAMESPACED);
  }

  private constructor(
    /** The store's name. */
    public readonly name: string,
    /** Cluster-wide or namespaced. */
    public readonly kind: SecretStoreKind,
  ) {}

  /**
   * A key of the store.
   * @param remoteKey the key's name in the store, e.g. `orders/mysql`
   * @param options property and version
   */
  public key(remoteKey: string, options: StoreKeyOptions = {}): SecretRef {
    return SecretRef._of({ kind: 'store', store: this, remoteKey, property: options.property, version: options.version });
  }
}

/** A Secret that an operator created in the namespace (platform-cdk references it and never writes it). */
export class ExistingSecret {
  /**
   * The Secret of this name in the namespace of each service that uses it.
   * @param name the Secret's name
   */
  public static named(name: string): ExistingSecret {
    return new ExistingSecret(name);
  }

  private constructor(
    /** The Secret's name. */
    public readonly name: string,
  ) {}

  /**
   * One key of the Secret.
   * @param key the key
   */
  public key(key: string): SecretRef {
    return SecretRef._of({ kind: 'existing', secretName: this.name, key });
  }
}

/**
 * Why a literal value looks like a secret, or `undefined` when it does not. The reason names the rule of
 * `SECRET_RULES` that matched and never holds the value.
 * @param name the name the value is given under (a variable's or key's), or `''` for none
 * @param value its literal value
 */
export function literalSecretReason(name: string, value: unknown): string | undefined {
  const found = findSecret(value, name === '' ? {} : { name });
  return found ? secretMessage(found) : undefined;
}

/** The message of a problem for a value that looks like a secret (the value is never part of it). */
function secretMessage(found: SecretMatch): string {
  return `the value looks like ${found.description} (rule ${found.rule}) and would be written into the output in clear text`;
}

/**
 * Records an error when a value a user gave looks like a secret: the problem names the field and the rule, and
 * withholds the value.
 * @param problems where problems go
 * @param path the construct path
 * @param property the field
 * @param value the value (a string, or the strings of a command or of a list)
 * @param fix how to pass the secret instead
 * @param name the name the value is given under, if any
 * @returns whether the value looks like a secret
 * @internal
 */
export function checkNoLiteralSecret(problems: ProblemCollector, path: string, property: string, value: unknown, fix: string, name?: string): boolean {
  const found = Array.isArray(value) ? findSecretIn(value) : findSecret(value, name === undefined ? {} : { name });
  if (!found) return false;
  problems.error({ path, property, value: withheld(found), message: secretMessage(found), fix });
  return true;
}

/** How to keep a secret out of a configuration file. */
const FILE_FIX = 'keep the secret out of the file: read it from a secret (secrets: { … }) and refer to it as ${VAR}, or mount a Secret filled from a SecretStore';

/**
 * Records an error for each configuration value or file that looks like a secret (values are judged with their
 * names, files line by line).
 * @param problems where problems go
 * @param path the construct path
 * @param property the configuration's property, e.g. `config`
 * @param config the values and files
 * @internal
 */
export function checkConfigLiterals(problems: ProblemCollector, path: string, property: string, config: { readonly values?: Readonly<Record<string, unknown>>; readonly files?: Readonly<Record<string, unknown>> } | undefined): void {
  if (typeof config !== 'object' || config === null) return;
  for (const [k, v] of Object.entries(config.values ?? {})) {
    checkNoLiteralSecret(problems, path, `${property}.values[${JSON.stringify(k)}]`, v, `read it from a secret: secrets: { ${k}: SecretStore.cluster("vault").key("…") }`, k);
  }
  for (const [k, v] of Object.entries(config.files ?? {})) {
    checkNoLiteralSecret(problems, path, `${property}.files[${JSON.stringify(k)}]`, v, FILE_FIX);
  }
}
