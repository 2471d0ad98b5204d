/**
 * What `platform-cdk import` recognises in an export, before it is written as a program: clusters, environments,
 * tenants, projects and their services, with the values common to every environment of a service kept apart from
 * the differences, and the objects carried over through escape hatches. The writer (lib/import/writer.ts) turns
 * it into TypeScript; the report (lib/import/report.ts) says what became of each object.
 */
import type { KubeObject } from '../manifest';
import type { Code } from './code';

/** A cluster of the estate. */
export interface ImportedCluster {
  /** Its name (the export's folder). */
  readonly name: string;
  /** Host or member. */
  readonly role: 'host' | 'member';
  /** Its labels (without those platform-cdk writes itself). */
  readonly labels: Record<string, string>;
  /** The ingress class its Ingresses name. */
  readonly ingressClassName?: string;
}

/** An environment: a name, its clusters. */
export interface ImportedEnvironment {
  /** Its name. */
  readonly name: string;
  /** Its clusters, by name. */
  readonly clusters: string[];
  /** Whether it is production (2 replicas and a disruption budget by default). */
  readonly production: boolean;
  /** The cert-manager issuer its Ingresses' certificates come from. */
  tlsIssuer?: { readonly kind: 'ClusterIssuer' | 'Issuer'; readonly name: string };
  /** What its namespaces add to the project's name, e.g. `-test`. */
  namespaceSuffix?: string;
  /** Its container defaults (millicores, MiB), where its projects' LimitRanges differ from the library's. */
  resources?: Record<string, number>;
}

/** A probe of a container, as the typed model says it. */
export type ImportedProbe =
  | { readonly kind: 'http'; readonly path: string; readonly port?: string | number; readonly options: ProbeTimings }
  | { readonly kind: 'tcp'; readonly port?: string | number; readonly options: ProbeTimings }
  | { readonly kind: 'exec'; readonly command: string[]; readonly options: ProbeTimings };

/** A probe's timings, only where they differ from Kubernetes' defaults (seconds, counts). */
export interface ProbeTimings {
  /** Seconds before the first check. */
  readonly initialDelay?: number;
  /** Seconds between checks. */
  readonly period?: number;
  /** Seconds before a check times out. */
  readonly timeout?: number;
  /** Failures before the container counts as failed. */
  readonly failureThreshold?: number;
}

/** A port of a service. */
export interface ImportedPort {
  /** The port callers use (the Service's). */
  readonly port: number;
  /** Its name, when not the default. */
  readonly name?: string;
  /** The container's port, when it differs. */
  readonly containerPort?: number;
}

/** The fields of a service in one environment; every one optional (absent: the library's default). */
export interface ServiceFields {
  /** The image: registry host, repository, tag. */
  image?: { readonly registry: string; readonly repository: string; readonly tag: string };
  /** Ports. */
  ports?: ImportedPort[];
  /** Plain environment variables. */
  env?: Record<string, string>;
  /** Variables read from Secrets: `VAR → [secret, key]` (a credential given as a value in the export becomes one). */
  secrets?: Record<string, [string, string]>;
  /** Variables read from a secret store through an ExternalSecret the library writes: `VAR → the store's key`. */
  storeSecrets?: Record<string, StoreKey>;
  /** Resources in millicores and MiB. */
  resources?: Record<string, number>;
  /** Replicas. */
  replicas?: number;
  /** The pod's user id. */
  runAsUser?: number;
  /** Readiness probe. */
  readiness?: ImportedProbe;
  /** Liveness probe. */
  liveness?: ImportedProbe;
  /** Command. */
  command?: string[];
  /** Arguments. */
  args?: string[];
  /** The node selector. */
  nodeSelector?: Record<string, string>;
  /** Sidecar containers: name, image, command, arguments, variables. */
  sidecars?: { name: string; image: { registry: string; repository: string; tag: string }; command?: string[]; args?: string[]; env?: Record<string, string> }[];
  /** Folders the container writes to besides /tmp (its emptyDir volumes). */
  writablePaths?: string[];
  /** Reasons for relaxing a production default, by waiver (`replicas`, `disruptionBudget`, `spread`). */
  waivers?: Record<string, string>;
  /** The container's name, when not the service's. */
  containerName?: string;
  /** Prometheus scraping: the port (name or number) and path, from the Service's `prometheus.io/*` annotations. */
  metrics?: { port?: string | number; path?: string };
  /** How the Service is reached from outside the cluster (NodePort, LoadBalancer), with its node ports. */
  network?: { type: 'NodePort' | 'LoadBalancer'; from: string[]; ports: { port: string | number; nodePort?: number }[] };
  /** Labels of the pods beyond those the library writes. */
  podLabels?: Record<string, string>;
  /** Annotations of the pods. */
  podAnnotations?: Record<string, string>;
  /**
   * Props a recogniser of lib/import/passes.ts writes as they are (values or `Code`), by prop name; merged across
   * environments prop by prop (the same value everywhere is written once, a difference as an override). Code here
   * must not refer to other services (they may not exist yet where the props are written): use `ImportedService.calls`.
   */
  extra?: Record<string, unknown>;
}

/** A key of an external secret store (External Secrets Operator). */
export interface StoreKey {
  /** The store's name. */
  readonly store: string;
  /** Whether it is a ClusterSecretStore (else a namespaced SecretStore). */
  readonly cluster: boolean;
  /** The key's name in the store. */
  readonly remoteKey: string;
  /** The property of the key, if one. */
  readonly property?: string;
}

/** A service: its common fields and its per-environment differences. */
export interface ImportedService {
  /** Its name (Deployment, Service, container). */
  readonly name: string;
  /** What every environment shares. */
  common: ServiceFields;
  /** What differs, by environment. */
  perEnvironment: Record<string, ServiceFields>;
  /** Ingress hosts, by environment. */
  hosts: Record<string, string>;
  /** Comments to write above it (TODOs: secrets it reads, fields not carried). */
  notes: string[];
  /** Statements written once every service of the estate exists, e.g. `<service>.connectsTo(<other>)`. */
  calls?: Code[];
}

/** Objects carried through `addManifests`, with why. */
export interface ImportedHatch {
  /** The environment (undefined: every environment of the project, or the cluster's objects). */
  readonly environment?: string;
  /** The objects (namespace removed for a project's). */
  readonly objects: KubeObject[];
  /** Why they are not typed. */
  readonly reason: string;
}

/** A project: a namespace per environment. */
export interface ImportedProject {
  /** Its name. */
  readonly name: string;
  /** Its environments, in the estate's order. */
  environments: string[];
  /** The namespace by environment, where it is not the project's name. */
  namespaces: Record<string, string>;
  /** The namespace's base name (before an environment's suffix), where it is not the project's name. */
  namespace?: string;
  /** The namespace's description. */
  description?: string;
  /** Its quota (millicores, MiB, pods), where not the library's default. */
  quota?: Record<string, number>;
  /** Its services. */
  services: ImportedService[];
  /** Objects carried through escape hatches. */
  hatches: ImportedHatch[];
  /** Statements written after its services, e.g. `<project>.grant(...)`. */
  statements?: Code[];
  /**
   * Its stateful services (`addStatefulService`), declared before its app services: name and props (values or
   * `Code`, written as they are). Code refers to one as `Ref.service(tenant, project, name)`.
   */
  stateful?: { name: string; props: Record<string, unknown> }[];
}

/** A tenant (workspace). */
export interface ImportedTenant {
  /** Its name. */
  readonly name: string;
  /** Its manager. */
  manager?: string;
  /** Its display name. */
  displayName?: string;
  /** Its departments (KubeSphere groups): name, display name, members, and the department it is inside, if any. */
  departments?: { name: string; displayName?: string; members: string[]; parent?: string }[];
  /** Its workspace grants: a department or a user, and a built-in workspace role (`admin`, `regular` …). */
  grants?: { department?: string; user?: string; role: string }[];
  /** Its workspace quota (millicores, MiB, pods). */
  quota?: Record<string, number>;
  /** Its projects. */
  projects: ImportedProject[];
}

/** The estate recognised in an export. */
export interface ImportedEstate {
  /** The platform's name. */
  readonly platform: string;
  /** Whether the export holds KubeSphere objects (else the plain Kubernetes target). */
  readonly kubesphere: boolean;
  /** Clusters. */
  readonly clusters: ImportedCluster[];
  /** Environments. */
  readonly environments: ImportedEnvironment[];
  /** Tenants. */
  readonly tenants: ImportedTenant[];
  /** Cluster-level objects carried through `cluster.addManifests`, by cluster. */
  readonly clusterHatches: Record<string, ImportedHatch[]>;
  /** Statements written last, once every part of the estate exists (e.g. release pipelines). */
  statements?: Code[];
}

/** What became of one object. */
export type Outcome = 'typed' | 'generated' | 'hatch' | 'left-out';

/** One line of the import report. */
export interface ReportEntry {
  /** The cluster. */
  readonly cluster: string;
  /** `<Kind> <namespace>/<name>`. */
  readonly object: string;
  /** typed: it became typed model; generated: the library writes it by default; hatch: carried through an escape hatch; left-out: not in the program. */
  readonly outcome: Outcome;
  /** What it became, or why. */
  readonly detail: string;
}
