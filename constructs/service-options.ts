/**
 * The options of an app service beyond its image and ports: configuration, scaling and availability, extra
 * containers, observability, and the waivers that relax a production default.
 */
import type { Duration } from 'cdk8s';
import type { ContainerPort } from './container-ports';
import type { Image } from './image';
import type { ContainerCapabilities, ContainerIdentity } from './pod-options';
import type { Resources } from './resources';
import type { WritablePathOption } from './writable-paths';
import type { SecretRef } from './secrets';

/** A configuration value: written to the service's ConfigMap as text. */
export type ConfigValue = string | number | boolean;

/**
 * Configuration of a service, written to a ConfigMap named `<service>-config`. Values become environment
 * variables; files are mounted read-only under `mountPath`. The pods carry a hash of the content, so a change
 * of configuration rolls them.
 */
export interface ConfigOptions {
  /**
   * Values given to the container as environment variables (the key is the variable's name).
   * @default - none
   */
  readonly values?: Record<string, ConfigValue>;
  /**
   * Files mounted into the container, by file name (e.g. `application.yaml`).
   * @default - none
   */
  readonly files?: Record<string, string>;
  /**
   * Where the files are mounted.
   * @default "/etc/<service>"
   */
  readonly mountPath?: string;
}

/** Horizontal pod autoscaling: the replica count follows CPU or memory use. */
export interface AutoscalingOptions {
  /** The fewest replicas. */
  readonly minReplicas: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU use, in percent of the request.
   * @default 70 when no memory target is given
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory use, in percent of the request.
   * @default - none
   */
  readonly memoryUtilization?: number;
}

/** A pod disruption budget: how many pods voluntary disruptions (node drains, upgrades) may take at once. */
export interface DisruptionBudgetOptions {
  /**
   * The most pods that may be unavailable. Give this or `minAvailable`.
   * @default 1 (when neither is given)
   */
  readonly maxUnavailable?: number;
  /**
   * The fewest pods that must stay available.
   * @default - none
   */
  readonly minAvailable?: number;
}

/** Spreading of a service's pods over the cluster. */
export interface SpreadOptions {
  /**
   * Spread over nodes (`kubernetes.io/hostname`; a node takes at most one pod more than another).
   * @default true
   */
  readonly nodes?: boolean;
  /**
   * Spread over zones (`topology.kubernetes.io/zone`; preferred, so single-zone clusters still schedule).
   * @default true
   */
  readonly zones?: boolean;
}

/**
 * Reasons for relaxing a production default, by rule. Each one is written on the Deployment as the annotation
 * `waiver.platform-cdk.io/<rule>`, so that a reviewer sees it in the output.
 */
export interface Waivers {
  /** Why the service runs fewer than 2 replicas (rule `production-replicas`). */
  readonly replicas?: string;
  /** Why the service has no disruption budget (rule `production-disruption-budget`). */
  readonly disruptionBudget?: string;
  /** Why the service's pods are not spread over nodes and zones (rule `production-spread`). */
  readonly spread?: string;
}

/** The rule ids of the production defaults, as written in waiver annotations. */
export const ProductionRules = {
  /** At least 2 replicas (or an autoscaler minimum of 2). */
  REPLICAS: 'production-replicas',
  /** A pod disruption budget. */
  DISRUPTION_BUDGET: 'production-disruption-budget',
  /** Spread over nodes and zones. */
  SPREAD: 'production-spread',
} as const;

/** How a Deployment replaces its pods with a new version. */
export enum RolloutStrategy {
  /** Start new pods before stopping old ones (Kubernetes' default surge of 25%). */
  ROLLING_UPDATE = 'RollingUpdate',
  /** Stop every old pod, then start the new ones (for singletons that must never run twice). */
  RECREATE = 'Recreate',
}

/** A container that runs beside the service's own: an init container or a sidecar. */
export interface ContainerOptions extends ContainerIdentity, ContainerCapabilities {
  /** The container's name, unique in the pod. */
  readonly name: string;
  /** Its image, from a named registry at a fixed version. */
  readonly image: Image;
  /**
   * Entry point.
   * @default - the image's
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's
   */
  readonly args?: string[];
  /**
   * Environment variables with literal values.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Environment variables read from secrets.
   * @default - none
   */
  readonly secrets?: Record<string, SecretRef>;
  /**
   * Resources.
   * @default - the platform's and environment's defaults
   */
  readonly resources?: Resources;
  /**
   * Folders the container writes to (an empty volume each, on the node's disk or in memory; the root file system is
   * read-only). `/tmp`, shared with the pod's other containers, always is.
   * @default - none
   */
  readonly writablePaths?: WritablePathOption[];
  /**
   * The ports a sidecar listens on (not an init container's), named and unique in the pod. A port of the service
   * (`ports`) with the same name is this sidecar's: the Service, its network policies and the metrics reach the
   * sidecar through it, and the service's own container does not declare it.
   * @default - none
   */
  readonly ports?: ContainerPort[];
}

/** Prometheus scraping of a service. */
export interface MetricsOptions {
  /**
   * The port serving metrics: a port name or Service port number of the service.
   * @default - the service's first port
   */
  readonly port?: string | number;
  /**
   * The path.
   * @default "/metrics"
   */
  readonly path?: string;
  /**
   * Time between scrapes.
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
}

/** The standard alert rules of a service (a PrometheusRule named `<service>-alerts`). */
export interface AlertOptions {
  /**
   * Alert when replicas are unavailable for 10 minutes.
   * @default true
   */
  readonly unavailableReplicas?: boolean;
  /**
   * Alert when containers restart more than this many times in 15 minutes (0 turns the rule off).
   * @default 3
   */
  readonly restarts?: number;
  /**
   * Alert when the share of failed requests is above a threshold over 5 minutes (needs `metrics`).
   * @default - no error-rate rule
   */
  readonly errorRate?: ErrorRateOptions;
}

/** An error-rate alert over a request counter. */
export interface ErrorRateOptions {
  /** The share of failed requests that fires the alert, from 0 to 1 (e.g. 0.05). */
  readonly threshold: number;
  /**
   * The request counter.
   * @default "http_server_requests_seconds_count"
   */
  readonly metric?: string;
  /**
   * The counter's status-code label, and its values that count as failures (a regular expression).
   * @default { label: "status", failures: "5.." }
   */
  readonly status?: {
    /** The status-code label, e.g. `status`. */
    readonly label: string;
    /** The label values that count as failures, as a regular expression, e.g. `5..`. */
    readonly failures: string;
  };
}

/** How the service's logs are written, so that the cluster's log collector parses them. */
export enum LogFormat {
  /** One JSON object per line. */
  JSON = 'json',
  /** Plain text lines. */
  TEXT = 'text',
}

/**
 * Log collection. Every pod carries the labels tenant (`platform-cdk.io/tenant`), project
 * (`app.kubernetes.io/part-of`), service (`app.kubernetes.io/name`) and environment (`platform-cdk.io/environment`),
 * which KubeSphere logging and Filebeat/Fluent Bit add to every log record; these options add the collectors'
 * annotations.
 */
export interface LogOptions {
  /**
   * The log format (annotations `fluentbit.io/parser` and `co.elastic.logs/json.*` for JSON).
   * @default LogFormat.TEXT
   */
  readonly format?: LogFormat;
  /**
   * Whether the logs are collected at all (`false` writes `fluentbit.io/exclude` and `co.elastic.logs/enabled: "false"`).
   * @default true
   */
  readonly collect?: boolean;
  /**
   * A regular expression matching the first line of a multi-line record (e.g. a Java stack trace starts with a
   * date): the following lines join it.
   * @default - every line is a record
   */
  readonly multilineStart?: string;
}

/** Options of a dependency on another service. */
export interface ConnectOptions {
  /**
   * The target's port: a port name or Service port number.
   * @default - the target's first port
   */
  readonly port?: string | number;
  /**
   * The prefix of the environment variables that carry the address (`<PREFIX>_HOST`, `<PREFIX>_PORT`).
   * @default - the target's name in upper case with "_" for "-" (e.g. `ORDERS_DB`)
   */
  readonly envPrefix?: string;
  /**
   * Variables in the caller's own format, by name: each value is a template of the address, with the placeholders
   * `{host}` (`<target>.<namespace>.svc.cluster.local`), `{shortHost}` (`<target>` when the target runs in the
   * caller's namespace, else `<target>.<namespace>`), `{port}` (the Service port) and `{namespace}`; `{{` and `}}`
   * are literal braces. E.g. `{ ORDERS_ADDR: '{host}:{port}' }` or `{ CATALOGUE_URL: 'http://{shortHost}' }`. The
   * network policies and the Pulumi ordering of the connection are the same as with `<PREFIX>_HOST`/`<PREFIX>_PORT`.
   * @default - none
   */
  readonly env?: Record<string, string>;
  /**
   * Whether the container also gets `<PREFIX>_HOST` and `<PREFIX>_PORT`.
   * @default - true without `env`, false with it
   */
  readonly hostAndPort?: boolean;
}
