#!/usr/bin/env node
// The platform-cdk command line: runs cli/main.ts through tsx (the library ships TypeScript sources).
require('tsx/cjs');
process.exitCode = require('../cli/main.ts').main(process.argv);
