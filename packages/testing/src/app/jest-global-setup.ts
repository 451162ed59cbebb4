import { appClusterVariables } from './app-cluster-env.js';
import { startAppCluster, type AppClusterHandle, type AppClusterOptions } from './start-app-cluster.js';

// Jest runs globalSetup and globalTeardown as two modules in one process: the running cluster is kept here.
const RUNNING = Symbol.for('hotstandby.appCluster');
type Running = { handle: AppClusterHandle };
const slot = globalThis as typeof globalThis & { [RUNNING]?: Running };

// A jest globalSetup: start the cluster and hand it to the tests through environment variables (jest's workers
// inherit them). Pair it with jestGlobalTeardown. In jest.config: globalSetup: '@hotstandby/testing/jest-setup',
// globalTeardown: '@hotstandby/testing/jest-teardown'.
export function jestGlobalSetup(options: AppClusterOptions = {}): () => Promise<void> {
  return async () => {
    const handle = await startAppCluster(options);
    slot[RUNNING] = { handle };
    Object.assign(process.env, appClusterVariables(handle.info));
  };
}

// A jest globalTeardown: stop and remove the cluster jestGlobalSetup started.
export async function jestGlobalTeardown(): Promise<void> {
  const running = slot[RUNNING];
  if (!running) return;
  delete slot[RUNNING];
  await running.handle.stop();
}
