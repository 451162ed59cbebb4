import { defineConfig } from 'vitest/config';

// What an application adds: globalSetup (test/global-setup.ts, one line) starts a primary and two replicas for the run and removes them after.
// (The conditions load the workspace packages from their TypeScript sources; a project that installs
// @hotstandby/testing from the registry needs only the globalSetup line.)
const conditions = ['source', 'module', 'node', 'development|production'];
export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  // vitest loads globalSetup files in its own environment, which needs the same conditions.
  environments: { __vitest__: { resolve: { conditions, externalConditions: ['source'] } } },
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    // Every test file shares the one cluster, and the faults one injects (pauses, switchovers) reach the others:
    // run the files one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
