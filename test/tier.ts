/**
 * The test tiers. `npm test` runs the quick tier (jest.config.js): every behaviour, on small estates and few
 * property cases, in about two minutes. `npm run test:full` runs the full tier (jest.full.config.js): the same
 * files with the full counts (every Pulumi stack, every property case, every example through every entry point)
 * and the `*.full.test.ts` files. A test file reads `FULL` to scale itself; a new test file is in the quick tier.
 */

/** Whether this run is the full tier (`npm run test:full`, or `PLATFORM_CDK_FULL_TESTS=1`). */
export const FULL = (globalThis as { PLATFORM_CDK_FULL_TESTS?: boolean }).PLATFORM_CDK_FULL_TESTS === true || process.env.PLATFORM_CDK_FULL_TESTS === '1';

/** A number of cases or items: `quick` in the quick tier, `full` in the full tier. */
export function tiered(quick: number, full: number): number {
  return FULL ? full : quick;
}
