import { HotstandbyError, type ConnectionEnv } from '@hotstandby/core';

// The environment variable the global setup hands the cluster to the tests in (JSON; no password in it).
export const APP_CLUSTER_ENV = 'HOTSTANDBY_APP_CLUSTER';

// What the global setup hands the tests: env's connection settings and where the cluster's config is.
export interface AppClusterInfo {
  // The hotstandby config the cluster was built from (a generated one in the run's temporary directory, or yours).
  configFile: string;
  // env's settings: node URLs, multi-host URLs, the passfile (PGPASSFILE) that holds the superuser password.
  env: ConnectionEnv;
  // Each node's server log size when the setup was done: write checks start there by default, so what earlier
  // runs (or the setup) logged does not count.
  logOffsets?: Record<string, number>;
}

// The environment variables the global setup sets: the cluster for the helpers, and what `hotstandby env` exports.
export function appClusterVariables(info: AppClusterInfo): Record<string, string> {
  return {
    [APP_CLUSTER_ENV]: JSON.stringify(info),
    PGPASSFILE: info.env.passfile,
    DATABASE_URL: info.env.readWriteUrl,
    DATABASE_READ_ONLY_URL: info.env.readOnlyUrl,
    DATABASE_PREFER_STANDBY_URL: info.env.preferStandbyUrl,
  };
}

// The cluster the global setup started, from the environment; one clear error when no global setup ran.
export function readAppClusterInfo(env: NodeJS.ProcessEnv = process.env): AppClusterInfo {
  const raw = env[APP_CLUSTER_ENV];
  if (!raw) {
    throw new HotstandbyError('CONFIG_INVALID', `${APP_CLUSTER_ENV} is not set: no hotstandby cluster was started for this test run`, {
      fix: "add a globalSetup file to your vitest config holding export { default } from '@hotstandby/testing/vitest-setup' (jest: globalSetup '@hotstandby/testing/jest-setup' and globalTeardown '@hotstandby/testing/jest-teardown'); see docs/app-testing.md",
    });
  }
  return JSON.parse(raw) as AppClusterInfo;
}
