import { defineConfig } from 'vitest/config';

// Workspace packages load from their TypeScript sources (the "source" export condition), so tests need no build;
// the other conditions are Vite's defaults for code that runs in Node. Each project below repeats it (projects do
// not inherit the root config).
const SOURCE_CONDITIONS = ['source', 'module', 'node', 'development|production'];
const fromSources = {
  resolve: { conditions: SOURCE_CONDITIONS },
  ssr: { resolve: { conditions: SOURCE_CONDITIONS, externalConditions: ['source'] } },
};

// Three depths of tests: pure logic (unit), each plugin and core against a real PostgreSQL (integration),
// and the CLI as a user runs it (e2e).
export default defineConfig({
  test: {
    pool: 'forks',
    // Most of a test's time is spent waiting on PostgreSQL processes, so two workers keep both cores busy
    // (ports come from freePort(), which gives each worker its own range).
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        ...fromSources,
        test: {
          name: 'unit',
          include: ['packages/*/test/unit/**/*.test.ts', 'plugins/*/test/unit/**/*.test.ts', 'test/golden/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        ...fromSources,
        test: {
          name: 'integration',
          include: ['packages/*/test/integration/**/*.test.ts', 'plugins/*/test/**/*.integration.test.ts', 'examples/*/test/**/*.test.ts'],
          // The application example runs with its own vitest config (its globalSetup starts the cluster): pnpm test:app-example.
          exclude: ['examples/read-write-app/**', '**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The public types (expectTypeOf in *.test-d.ts), checked by tsc; nothing runs.
        test: {
          name: 'types',
          include: [],
          typecheck: { enabled: true, only: true, include: ['packages/*/test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        ...fromSources,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          // Bundles the CLI from the current sources once per run: the tests start it hundreds of times.
          globalSetup: ['test/support/cli-bundle-setup.ts'],
          exclude: ['test/golden/**', 'test/matrix/**'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
