#!/usr/bin/env node
// The platform-cdk command line. Installed from the package, it runs the compiled command line (build/);
// in a checkout of the repository that has not been built, it runs the TypeScript sources. Either way tsx is
// registered first, because the command line loads the user's estate program, which is TypeScript.
const fs = require('fs');
const path = require('path');

require('tsx/cjs');
const compiled = path.join(__dirname, '..', 'build', 'cli', 'main.js');
const source = path.join(__dirname, '..', 'cli', 'main.ts');
// In the repository the sources win, so that a stale build/ is never run by mistake.
process.exitCode = require(fs.existsSync(source) ? source : compiled).main(process.argv);
