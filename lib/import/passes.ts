/**
 * The recognisers of `platform-cdk import` beyond the estate's skeleton. lib/import/recognise.ts finds clusters,
 * environments, tenants, projects and each service's Deployment and Service; then every pass listed here looks at
 * what is still unclaimed and claims what it understands, turning it into typed model:
 *
 * - a {@link NamespacePass} runs for each project's namespace in each environment, after its services were read:
 *   it may add fields to a service (`fields.extra` for props, `ctx.call` for statements once every service exists),
 *   add a service, or add statements to the project;
 * - an {@link EstatePass} runs once after every project (before the rest is carried through escape hatches or left
 *   out): objects outside projects' namespaces, such as DevOps projects and pipelines.
 *
 * What no pass claims is carried through an escape hatch with its reason, as before. A pass claims an object only
 * when the program's output reproduces it (the round trip in test/lib/import/ is the measure).
 */
import type { KubeObject } from '../manifest';
import { configMergePass, configPass } from './config';
import { observabilityMergePass, observabilityPass } from './observability';
import { scalingPass } from './scaling';
import type { Code } from './code';
import type { ImportedCluster, ImportedEnvironment, ImportedProject, ImportedService, ImportedTenant, Outcome, ServiceFields } from './model';
import type { ExportedEstate, ExportedObject } from './read';
import { readProjectGrants, writeProjectGrants } from './grants';
import { readLimitRange, writeEnvironmentResources } from './limits';
import { readVersions, sameVersionsEverywhere } from './versions';
import { readWorkloads } from './workloads';
import { recognisePipelines } from './pipelines';
import { connectionsEstatePass, connectionsPass } from './connections';
import { statefulPass } from './stateful';
import { alertRoutingPass } from './alerting';
import { selfProvisioningPass } from './departments';
import { previewPass } from './previews';
import { cutOverPass, networkExposurePass } from './exposure';

/** Where a namespace of a cluster belongs. */
export interface NamespacePlace {
  /** Its cluster. */
  readonly cluster: string;
  /** Its name. */
  readonly namespace: string;
  /** Its environment. */
  readonly environment: string;
  /** Its project. */
  readonly project: string;
  /** Its tenant. */
  readonly tenant: string;
}

/** What every pass may look up in the estate. */
export interface EstateIndex {
  /** The whole export (cleaned). */
  readonly exported: ExportedEstate;
  /** Where a namespace of a cluster belongs, if it is a project's. */
  place(cluster: string, namespace: string): NamespacePlace | undefined;
  /** Every project namespace. */
  readonly places: readonly NamespacePlace[];
  /** Environments by name. */
  readonly environments: ReadonlyMap<string, ImportedEnvironment>;
  /** Clusters. */
  readonly clusters: readonly ImportedCluster[];
  /** Tenants by name (their projects fill in as projects are read). */
  readonly tenants: ReadonlyMap<string, ImportedTenant>;
}

/** What a {@link NamespacePass} sees: one project's namespace in one environment. */
export interface NamespaceContext {
  /** The estate. */
  readonly index: EstateIndex;
  /** The tenant. */
  readonly tenant: ImportedTenant;
  /** The project (its services are merged across environments only after every namespace). */
  readonly project: ImportedProject;
  /** The environment. */
  readonly environment: ImportedEnvironment;
  /** The cluster. */
  readonly cluster: string;
  /** The namespace. */
  readonly namespace: string;
  /** Every object of the namespace, claimed or not. */
  readonly objects: readonly ExportedObject[];
  /** The objects nothing has claimed yet. */
  unclaimed(): ExportedObject[];
  /** Whether an object is claimed. */
  isClaimed(e: ExportedObject): boolean;
  /** Claims an object: it is reported with this outcome and detail, and not carried through an escape hatch. */
  claim(e: ExportedObject, outcome: Outcome, detail: string): void;
  /**
   * The fields of each service read in this namespace, by service name. A pass adds to them (they are merged across
   * environments afterwards) or sets a new service.
   */
  readonly services: Map<string, ServiceFields>;
  /**
   * The Deployment each service was read from, and its Service. A pass that adds a service sets its source (a CronJob's
   * pod template in a Deployment's shape), so that the passes after it read it like any other.
   */
  readonly sources: Map<string, { readonly deployment?: KubeObject; readonly service?: KubeObject }>;
  /** A comment above a service in the program (a TODO, a field not carried). */
  note(service: string, text: string): void;
  /** Drops the note `not carried: <text>` of a service (readService's), once a pass carries what it says. */
  carried(service: string, text: string): void;
  /**
   * A statement about a service, written once every service exists (`<service>.connectsTo(<other>)`). `key` makes it
   * one statement however many environments give it.
   */
  call(service: string, key: string, statement: Code): void;
  /** A statement written after the project's services, once per `key`. */
  statement(key: string, statement: Code): void;
}

/** A recogniser of one project's namespace in one environment. */
export type NamespacePass = (ctx: NamespaceContext) => void;

/** What an {@link EstatePass} sees: the estate after every project was read. */
export interface EstateContext {
  /** The estate. */
  readonly index: EstateIndex;
  /** The objects nothing has claimed yet. */
  unclaimed(): ExportedObject[];
  /** Claims an object. */
  claim(e: ExportedObject, outcome: Outcome, detail: string): void;
  /** A service of a project, once merged across environments. */
  service(tenant: string, project: string, name: string): ImportedService | undefined;
  /** A statement written last, once every part of the estate exists. */
  statement(statement: Code): void;
  /** The platform's name (the root of every construct path). */
  readonly platform: string;
}

/** A recogniser of the estate as a whole. */
export type EstatePass = (ctx: EstateContext) => void;

/** The namespace passes, in the order they run (a pass sees what the ones before it left unclaimed). */
export const NAMESPACE_PASSES: NamespacePass[] = [
  readWorkloads,
  readVersions,
  readLimitRange,
  configPass,
  scalingPass,
  observabilityPass,
  readProjectGrants,
  // Network exposures and pending cut-overs: Services beyond a service's own (before the stateful ones, which have no selector).
  networkExposurePass,
  cutOverPass,
  // External stateful services, then the connections to them and between services (after every pass that adds a service).
  statefulPass,
  connectionsPass,
];

/** The estate passes, in the order they run. */
export const ESTATE_PASSES: EstatePass[] = [
  sameVersionsEverywhere,
  writeEnvironmentResources,
  configMergePass,
  observabilityMergePass,
  writeProjectGrants,
  recognisePipelines,
  connectionsEstatePass,
  selfProvisioningPass,
  alertRoutingPass,
  previewPass,
];
