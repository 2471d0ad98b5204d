/** Jest runs the TypeScript sources through ts-jest; `npm test` type-checks the whole project with tsc first. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Pins the date previews expire against (PLATFORM_CDK_NOW), unless already set, so that snapshots hold.
  setupFiles: ['<rootDir>/test/setup-now.ts'],
  moduleNameMapper: { '^platform-cdk$': '<rootDir>/index.ts', '^platform-cdk/pulumi$': '<rootDir>/pulumi.ts' },
  snapshotFormat: { escapeString: false },
};
