/**
 * The full tier (`npm run test:full`): every test file, `*.full.test.ts` included, each at its full size (every
 * Pulumi stack, every property case, every example through every entry point; see test/tier.ts).
 */
const quick = require('./jest.config');

module.exports = {
  ...quick,
  testPathIgnorePatterns: ['/node_modules/'],
  globals: { ...quick.globals, PLATFORM_CDK_FULL_TESTS: true },
  // The full tier's files run for minutes each.
  testTimeout: 600_000,
};
