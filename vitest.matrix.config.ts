import { defineConfig } from 'vitest/config';

// `pnpm test:matrix`: a real primary + standby for every PostgreSQL major from 10 to 18 (embedded binaries,
// the low-level copy), plus pg_basebackup with every system installation found; two majors at a time.
const SOURCE_CONDITIONS = ['source', 'module', 'node', 'development|production'];

export default defineConfig({
  // Workspace packages load from their TypeScript sources (the "source" export condition), so tests need no
  // build; the other conditions are Vite's defaults for code that runs in Node.
  resolve: { conditions: SOURCE_CONDITIONS },
  ssr: { resolve: { conditions: SOURCE_CONDITIONS, externalConditions: ['source'] } },
  test: {
    name: 'matrix',
    include: ['test/matrix/**/*.test.ts'],
    pool: 'forks',
    maxConcurrency: 2,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
