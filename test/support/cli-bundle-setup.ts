import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error: a plain ES module of the repository's scripts, without type declarations.
import { bundleCli } from '../../scripts/bundle-cli.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    // The `hotstandby` command the e2e tests run (test/support/cli.ts): bundled from the sources for this run.
    hotstandbyCliBin: string;
  }
}

// Global setup of the e2e tests: bundles the CLI from the current sources into a temporary directory once per
// test run (so no test runs stale code or depends on `pnpm build`), and removes it when the run ends. Starting
// the bundle takes a fraction of the time the TypeScript launcher (packages/cli/bin) spends compiling.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-e2e-cli-'));
  try {
    project.provide('hotstandbyCliBin', await bundleCli({ outdir, mode: 'sources' }));
  } catch (error) {
    await rm(outdir, { recursive: true, force: true });
    throw error;
  }
  return () => rm(outdir, { recursive: true, force: true });
}
