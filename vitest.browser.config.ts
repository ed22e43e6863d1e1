import { defineConfig } from 'vitest/config';

/** The dashboard's browser tests: headless Chromium (playwright-core) against a built `warden serve`. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
