// @hotstandby/testing/app: a primary and read replicas for an application's test suite (docs/app-testing.md).
export { appCluster, WritesOnReplicaError, type AppCluster, type LogMark } from './app-cluster.js';
export { APP_CLUSTER_ENV, readAppClusterInfo, appClusterVariables, type AppClusterInfo } from './app-cluster-env.js';
export { startAppCluster, type AppClusterOptions, type AppClusterHandle } from './start-app-cluster.js';
export { appGlobalSetup } from './vitest-global-setup.js';
export { jestGlobalSetup, jestGlobalTeardown } from './jest-global-setup.js';
export { writeAttemptsIn, type WriteAttempt } from './write-attempts.js';
// What a test needs to connect beside the helpers, so a project that installed only @hotstandby/testing has it: the
// password lookup in env's passfile, and one client library's settings.
export { passwordFromPassfile, driverSettings, type PassfileTarget, type DriverFormat } from '@hotstandby/core';
