// The platform-cdk validation plugin for `cdk8s synth` (see lib/cdk8s-plugin.ts); cdk8s loads plugins as
// JavaScript, so this file registers tsx and loads the TypeScript source.
require('tsx/cjs');
module.exports = require('./lib/cdk8s-plugin.ts');
