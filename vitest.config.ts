import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most files wait on moto, a child exchange or a browser rather than on the CPU; vitest's default
    // (cores - 1) runs one file at a time on a 2-core CI machine, which alone took the suite past 10 minutes.
    maxWorkers: 3,
  },
});
