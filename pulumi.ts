/**
 * platform-cdk's Pulumi output. A separate entry point from `platform-cdk`, so that programs that only write
 * YAML never load Pulumi: `import { PulumiStack } from 'platform-cdk/pulumi'`.
 */
export * from './stacks/pulumi-stack';
export { DEFAULT_REGISTRATION_WINDOW, registerInWindow } from './stacks/pulumi-window';
