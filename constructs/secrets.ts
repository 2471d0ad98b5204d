import type { ProblemCollector } from '../lib/problems';
import { checkDns1123Subdomain } from '../lib/names';

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
 * Variable names that hold secrets by convention: a literal value for one of them is refused.
 * Matches names that are, or end in, PASSWORD, PASSWD, PWD, SECRET, TOKEN, API_KEY, APIKEY, PRIVATE_KEY,
 * ACCESS_KEY, SECRET_KEY, CREDENTIAL(S) or DSN (`DB_PASSWORD`, `GITLAB_TOKEN`; not `TOKEN_TTL`).
 */
export const SECRET_NAME_PATTERN = /(^|_)(PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY|SECRET_KEY|CREDENTIALS?|DSN)$/i;

/** Values that are secrets whatever their name: private keys and URLs with a password in them. */
const SECRET_VALUE_PATTERN = /-----BEGIN [A-Z ]*PRIVATE KEY-----|^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/**
 * Why a literal variable looks like a secret, or `undefined` when it does not.
 * @param name the variable's name
 * @param value its literal value
 */
export function literalSecretReason(name: string, value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '' && SECRET_NAME_PATTERN.test(name)) {
    return 'a variable named like a secret has a literal value, which would be written into the manifests in clear text';
  }
  if (typeof value === 'string' && SECRET_VALUE_PATTERN.test(value)) {
    return 'the value holds a private key or a URL with a password, which would be written into the manifests in clear text';
  }
  return undefined;
}
