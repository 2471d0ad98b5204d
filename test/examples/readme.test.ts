/** examples/readme: synthesized, validated, snapshotted, and run with `cdk8s synth` and the command line. */
import { describeExample } from './suite';

describeExample('readme', { snapshot: 'whole' });
