import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'workers/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/setup-tfjs.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The machine has two cores; more forks only contend.
    pool: 'forks',
    maxWorkers: 2,
  },
});
