/**
 * platform-cdk: typed constructs for KubeSphere-managed Kubernetes estates, synthesized to YAML per cluster.
 */
export * from './constructs/platform';
export * from './constructs/cluster';
export * from './constructs/environment';
export * from './constructs/tenant';
export * from './constructs/project';
export * from './constructs/app-service';
export * from './constructs/image';
export * from './constructs/probe';
export * from './constructs/resources';
export * from './stacks/manifest-stack';
export { Problem, Severity, ValidationError, formatProblem } from './lib/problems';
export { validatePlatform } from './lib/validate';
export { renderPlatform, RenderedCluster, RenderedPlatform } from './lib/render';
export { ClusterPlan, planPlatform } from './lib/plan';
export { KubeObject, KubeMetadata, LabelKeys, ManifestObject } from './lib/manifest';
export { toYamlDocument, toYamlStream } from './lib/yaml';
export { Duration } from 'cdk8s';
