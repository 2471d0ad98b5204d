/**
 * The quick tier (`npm test`): every test file except `*.full.test.ts` and the package test (which packs, builds and
 * installs the package into fresh projects; it runs in the full tier), each at its quick size (see test/tier.ts).
 * Jest runs the TypeScript sources through ts-jest (transpiled only); test/typecheck.test.ts type-checks the project.
 * The full tier is jest.full.config.js (`npm run test:full`).
 */
module.exports = {
  testEnvironment: 'node',
  // Two workers: jest's default on a 2-core machine is one (cores - 1), which runs every file in turn.
  maxWorkers: 2,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.full\\.test\\.ts$', '<rootDir>/test/package/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Pins the date previews expire against (PLATFORM_CDK_NOW), unless already set, so that snapshots hold.
  setupFiles: ['<rootDir>/test/setup-now.ts'],
  moduleNameMapper: { '^platform-cdk$': '<rootDir>/index.ts', '^platform-cdk/pulumi$': '<rootDir>/pulumi.ts' },
  snapshotFormat: { escapeString: false },
  globals: { PLATFORM_CDK_FULL_TESTS: false },
};
