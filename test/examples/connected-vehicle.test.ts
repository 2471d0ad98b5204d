/** examples/connected-vehicle: synthesized, validated, counted and snapshotted by kind, and (in the full tier) run with `cdk8s synth` and the command line. */
import { describeExample } from './suite';

describeExample('connected-vehicle', { snapshot: 'representatives', quickTier: [] });
