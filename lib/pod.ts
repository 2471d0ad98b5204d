/**
 * The pieces every pod platform-cdk writes is made of: the restricted Pod Security profile, a writable `/tmp`
 * on a read-only root, and environment variables read from secrets.
 */
import type { ContainerCapabilities, ContainerIdentity, PodIdentity } from '../constructs/pod-options';
import type { SecretRef, SecretStore } from '../constructs/secrets';
import { emptyDirOf, writableFoldersOf } from '../constructs/writable-paths';
import type { WritablePathOption } from '../constructs/writable-paths';
import type { KubeObject } from './manifest';
import type { JsonObject } from './yaml';

/** The volume mounted at `/tmp`. */
export const TMP_VOLUME = 'tmp';

/**
 * The security context of every container: the restricted profile.
 * @param identity the user and group the container runs as, when it names them, and the capabilities it adds
 */
export function containerSecurityContext(identity: ContainerIdentity & ContainerCapabilities = {}): JsonObject {
  const add = identity.addCapabilities ?? [];
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: identity.runAsUser,
    runAsGroup: identity.runAsGroup,
    capabilities: { add: add.length > 0 ? [...new Set(add)].sort() : undefined, drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The security context of every pod.
 * @param identity the user, groups and volume group of the pod, when it names them
 */
export function podSecurityContext(identity: PodIdentity = {}): JsonObject {
  const groups = identity.supplementalGroups ?? [];
  return {
    runAsNonRoot: true,
    runAsUser: identity.runAsUser,
    runAsGroup: identity.runAsGroup,
    fsGroup: identity.fsGroup,
    supplementalGroups: groups.length > 0 ? [...groups] : undefined,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The identity of an engine's pod: its user, group and volume group are the engine's user unless given.
 * @param user the engine's user id
 * @param given the stateful service's own identity settings
 */
export function engineIdentity(user: number, given: PodIdentity = {}): PodIdentity {
  return {
    runAsUser: given.runAsUser ?? user,
    runAsGroup: given.runAsGroup ?? given.runAsUser ?? user,
    fsGroup: given.fsGroup ?? given.runAsGroup ?? given.runAsUser ?? user,
    supplementalGroups: given.supplementalGroups,
  };
}

/**
 * The writable folders of a container besides `/tmp`, each on an empty volume (on the node's disk, or with the
 * medium and size limit given); an entry for `/tmp` is left out (the pod's `/tmp` volume is written apart).
 * @param prefix the prefix of the volume names (unique per container in the pod)
 * @param paths the folders
 */
export function writableVolumes(prefix: string, paths: readonly WritablePathOption[]): { mounts: JsonObject[]; volumes: JsonObject[] } {
  const mounts: JsonObject[] = [];
  const volumes: JsonObject[] = [];
  writableFoldersOf(paths).folders.forEach((f, i) => {
    const name = `${prefix}writable-${i}`;
    mounts.push({ name, mountPath: f.path });
    volumes.push({ name, emptyDir: emptyDirOf(f) });
  });
  return { mounts, volumes };
}

/**
 * The pod's `/tmp` volume: on the node's disk, or with the medium and size the service's writable paths give it.
 * @param paths the service's own writable paths
 */
export function tmpVolume(paths: readonly WritablePathOption[] = []): JsonObject {
  return { name: TMP_VOLUME, emptyDir: emptyDirOf(writableFoldersOf(paths).tmp) };
}

/** The name of the Secret an ExternalSecret of a workload creates for one store. */
export function externalSecretName(workload: string, store: SecretStore): string {
  return `${workload}-${store.name}`;
}

/**
 * An environment variable read from a secret.
 * @param workload the workload whose ExternalSecrets hold store keys
 * @param name the variable's name
 * @param ref where the value is
 */
export function secretEnv(workload: string, name: string, ref: SecretRef): JsonObject {
  const s = ref.source;
  if (s.kind === 'existing') return { name, valueFrom: { secretKeyRef: { name: s.secretName, key: s.key } } };
  return { name, valueFrom: { secretKeyRef: { name: externalSecretName(workload, s.store), key: name } } };
}

/**
 * The ExternalSecrets of a workload: one per store its variables read from, creating a Secret of the same name
 * whose keys are the variables' names.
 * @param workload the workload's name
 * @param namespace its namespace
 * @param labels the labels of the objects
 * @param vars the variables read from secrets, sorted by name
 */
export function externalSecrets(workload: string, namespace: string, labels: Record<string, string>, vars: readonly (readonly [string, SecretRef])[]): KubeObject[] {
  const byStore = new Map<string, { store: SecretStore; data: JsonObject[] }>();
  for (const [name, ref] of vars) {
    const s = ref.source;
    if (s.kind !== 'store') continue;
    const key = `${s.store.kind}/${s.store.name}`;
    const entry = byStore.get(key) ?? { store: s.store, data: [] };
    entry.data.push({ secretKey: name, remoteRef: { key: s.remoteKey, property: s.property, version: s.version } });
    byStore.set(key, entry);
  }
  return [...byStore.keys()].sort().map((key) => {
    const { store, data } = byStore.get(key) as { store: SecretStore; data: JsonObject[] };
    const name = externalSecretName(workload, store);
    return {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, namespace, labels },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: store.kind, name: store.name },
        target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data,
      },
    };
  });
}
