/**
 * examples/quickstart: synthesized, validated, snapshotted, and run with the command line; `cdk8s synth` runs it
 * through cdk8s.yaml in ./examples.test.ts (and here too in the full tier).
 */
import { describeExample } from './suite';

describeExample('quickstart', { snapshot: 'whole', quickTier: ['cli'] });
