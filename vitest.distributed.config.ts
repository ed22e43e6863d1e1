import { defineConfig } from 'vitest/config';

// The tests that need a real Postgres (DATABASE_URL): `npm run test:distributed`.
// One file at a time, since they share the database and may start processes.
export default defineConfig({
  test: {
    include: ['test/distributed/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
