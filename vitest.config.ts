import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'server/**/*.test.ts', 'sfu/**/*.test.ts', 'recordings/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Media tests share 2 cores; run files one after another so timings stay meaningful.
    fileParallelism: false,
    reporters: ['default'],
  },
});
