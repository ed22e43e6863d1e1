import { defineConfig } from 'vitest/config';

/** Tests that measure time on the real clock, and so the machine as well: they run last, one at a time. */
const TIMING = ['test/retention-event-loop.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'warden',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/distributed/**', 'test/browser/**', 'node_modules/**', ...TIMING],
        },
      },
      {
        extends: true,
        test: { name: 'timing', include: TIMING, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
