/**
 * platform-cdk: typed constructs for KubeSphere-managed Kubernetes estates, synthesized to YAML per cluster.
 */
export * from './constructs/platform';
export * from './constructs/cluster';
export * from './constructs/environment';
export * from './constructs/tenant';
export * from './constructs/project';
export * from './constructs/department';
export * from './constructs/access';
export * from './constructs/app-service';
export * from './constructs/connection';
export * from './constructs/delivery';
export * from './constructs/pipeline';
export * from './constructs/preview';
export * from './constructs/preview-sources';
export * from './constructs/exposure';
export * from './constructs/secrets';
export * from './constructs/service-options';
export * from './constructs/stateful-service';
export * from './constructs/image';
export * from './constructs/probe';
export * from './constructs/resources';
export * from './stacks/manifest-stack';
export { ValidationError, formatProblem } from './lib/problems';
export type { Problem, Severity } from './lib/problems';
export { validatePlatform } from './lib/validate';
export { renderPlatform } from './lib/render';
export type { RenderedCluster, RenderedPlatform } from './lib/render';
export { clusterOwner, planPlatform, stackNames, stackScope } from './lib/plan';
export type { ClusterPlan, StackScope } from './lib/plan';
export { LabelKeys, ManifestObject } from './lib/manifest';
export type { KubeObject, KubeMetadata } from './lib/manifest';
export { SchemaValidator } from './lib/schema';
export type { SchemaFinding } from './lib/schema';
export { toYamlDocument, toYamlStream } from './lib/yaml';
export type { JsonObject, JsonValue } from './lib/yaml';
export { Duration } from 'cdk8s';
