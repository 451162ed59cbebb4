import { appClusterVariables } from './app-cluster-env.js';
import { startAppCluster, type AppClusterOptions } from './start-app-cluster.js';

// A vitest globalSetup: start the cluster once for the run, hand it to the tests through environment variables
// (the workers inherit them), and tear it down after the run; when the run is interrupted (vitest exits on Ctrl-C
// without waiting for teardowns), the cluster's watchdog process removes it.
// vitest's globalSetup takes files: one holding export { default } from '@hotstandby/testing/vitest-setup'
// (1 primary + 2 replicas), or export default appGlobalSetup({ replicas: 1 }).
export function appGlobalSetup(options: AppClusterOptions = {}): () => Promise<() => Promise<void>> {
  return async () => {
    const handle = await startAppCluster(options);
    const variables = appClusterVariables(handle.info);
    const saved = Object.fromEntries(Object.keys(variables).map((k) => [k, process.env[k]]));
    Object.assign(process.env, variables);
    if (process.env.HOTSTANDBY_APP_TIMING === '1') process.stderr.write(`hotstandby: cluster ready in ${handle.readyMs} ms\n`);
    return async () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await handle.stop();
    };
  };
}
