import { defineConfig } from 'vitest/config';

// Three projects, by file name: `*.unit.test.ts` (no services), `*.browser.test.ts` (Debian
// Chromium), everything else integration (real Redis, worker, ffmpeg, GStreamer). Run one with
// `npx vitest run --project unit`.
const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // Media tests share 2 cores; run files one after another so timings stay meaningful.
  fileParallelism: false,
  // expect.poll waits for evidence; vitest's 1 s default fails on a loaded box, not on a defect.
  expect: { poll: { timeout: 10_000 } },
};
// Redis, PostgreSQL and the worker build: not for the unit project, which needs none of them.
const services = { ...shared, globalSetup: ['test/support/global-setup.ts'] };
const roots = ['test', 'server', 'sfu', 'recordings', 'client-web'];
const glob = (suffix: string) => roots.map((r) => `${r}/**/*${suffix}`);

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { ...shared, name: 'unit', include: glob('.unit.test.ts') } },
      {
        test: {
          ...services,
          name: 'integration',
          include: glob('.test.ts'),
          exclude: [...glob('.unit.test.ts'), ...glob('.browser.test.ts'), '**/node_modules/**'],
        },
      },
      { test: { ...services, name: 'browser', include: glob('.browser.test.ts') } },
    ],
  },
});
