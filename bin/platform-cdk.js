#!/usr/bin/env node
// The platform-cdk command line. Installed from the package, it runs the compiled command line (build/);
// in a checkout of the repository that has not been built, it runs the TypeScript sources. Either way tsx is
// registered first, because the command line loads the user's estate program, which is TypeScript.
const fs = require('fs');
const path = require('path');

// `platform-cdk --help | head -1`: a reader that closes the pipe early ends the command quietly, with the exit
// code decided so far, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw e;
  });
}

const debug = process.argv.includes('--debug') || /^(1|true|yes)$/i.test(process.env.PLATFORM_CDK_DEBUG || '');
try {
  require('tsx/cjs');
  const compiled = path.join(__dirname, '..', 'build', 'cli', 'main.js');
  const source = path.join(__dirname, '..', 'cli', 'main.ts');
  // In the repository the sources win, so that a stale build/ is never run by mistake.
  process.exitCode = require(fs.existsSync(source) ? source : compiled).main(process.argv);
} catch (e) {
  // main() reports every error itself; this is platform-cdk failing to start (a broken install).
  process.stderr.write(`error: internal fault in platform-cdk (${e && e.message ? String(e.message).split('\n')[0] : String(e)}). Fix: reinstall platform-cdk (npm install); if it persists, please report it with the output of the same command with --debug\n`);
  if (debug && e && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 3;
}
