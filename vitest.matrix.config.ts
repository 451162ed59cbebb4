import { defineConfig } from 'vitest/config';

// `pnpm test:matrix`: a real primary + standby for every PostgreSQL major from 10 to 18 (embedded binaries,
// the low-level copy), plus pg_basebackup with every system installation found; two majors at a time.
export default defineConfig({
  test: {
    name: 'matrix',
    include: ['test/matrix/**/*.test.ts'],
    pool: 'forks',
    maxConcurrency: 2,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
