/**
 * Jest setup (`setupFiles` in jest.config.js), run before every test file: pins the date previews expire against,
 * so that the examples' snapshots do not change when the calendar moves past a preview's expiry. Child processes
 * the tests spawn inherit it. A date already set in the environment is kept (`PLATFORM_CDK_NOW=2027-01-16 npx
 * jest …` shows the estate after an expiry).
 *
 * It also clears the `PREVIEW_*` variables a CI job may set for `addPreviewFromEnvironment`: a test run inside
 * such a job must not add that job's preview to the examples. Tests of those variables set them themselves.
 */
process.env.PLATFORM_CDK_NOW ??= '2026-11-22';
for (const name of ['PREVIEW_BRANCH', 'PREVIEW_IMAGES', 'PREVIEW_OWNER', 'PREVIEW_EXPIRES', 'PREVIEW_BASELINE', 'PREVIEW_DEPENDENCIES']) {
  delete process.env[name];
}

export {};
