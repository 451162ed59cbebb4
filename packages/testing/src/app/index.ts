// @hotstandby/testing/app: a primary and read replicas for an application's test suite (docs/app-testing.md).
export { appCluster, WritesOnReplicaError, type AppCluster, type LogMark } from './app-cluster.js';
export { APP_CLUSTER_ENV, readAppClusterInfo, appClusterVariables, type AppClusterInfo } from './app-cluster-env.js';
export { startAppCluster, type AppClusterOptions, type AppClusterHandle } from './start-app-cluster.js';
export { appGlobalSetup } from './vitest-global-setup.js';
export { jestGlobalSetup, jestGlobalTeardown } from './jest-global-setup.js';
export { writeAttemptsIn, type WriteAttempt } from './write-attempts.js';
