// The platform-cdk validation plugin for `cdk8s synth` (see cli/cdk8s-plugin.ts). cdk8s loads plugins as
// JavaScript: installed from the package, this file loads the compiled plugin (build/); in a checkout of the
// repository it loads the TypeScript source, so that a stale build/ is never run by mistake. Either way tsx is
// registered first, because the plugin loads the user's estate program, which is TypeScript.
const fs = require('fs');
const path = require('path');

require('tsx/cjs');
const source = path.join(__dirname, 'cli', 'cdk8s-plugin.ts');
module.exports = require(fs.existsSync(source) ? source : path.join(__dirname, 'build', 'cli', 'cdk8s-plugin.js'));
