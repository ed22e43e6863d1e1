import { defineConfig } from 'vitest/config';

/** Tests that measure time on the real clock, and so the machine as well: they run last, one at a time. */
const TIMING = ['test/retention-event-loop.test.ts'];

/**
 * The lifecycle suites that run on whichever store WARDEN_TEST_STORE names (test/helpers/testStore.ts).
 * `npm test` runs them on memory and again on SQLite, the default store; `npm run test:parity`
 * runs them on Postgres.
 */
export const STORE_SUITES = ['src/lifecycle/Engine.test.ts', 'src/runs/RunLifecycle.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/distributed/**', 'test/browser/**', 'node_modules/**', ...TIMING],
        },
      },
      { extends: true, test: { name: 'sqlite', include: STORE_SUITES, env: { WARDEN_TEST_STORE: 'sqlite' } } },
      {
        extends: true,
        test: { name: 'timing', include: TIMING, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
