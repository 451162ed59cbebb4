// @hotstandby/testing: real PostgreSQL for plugin authors and hotstandby's own tests.
export { createTestPrimary, type TestPrimary, type TestPrimaryOptions } from './test-primary.js';
export { createTestCluster, type TestCluster, type TestClusterOptions } from './test-cluster.js';
export { asLoadedPlugins, type TestPluginInput } from './test-plugins.js';
// The six built-in steps (user-creation … verify), for a test cluster whose standbys tc.up() builds:
// createTestCluster({ plugins: [...BUILTIN_PLUGINS, myStep] }).
export { BUILTIN_PLUGINS } from '@hotstandby/builtin-steps';
export { freePort } from './free-port.js';
export { testBinaries } from './test-binaries.js';
export { makeTempDir, removeTempDir, keepData } from './temp-dir.js';
export { runStep, planStep, type RunStepOptions, type StepRun } from './run-step.js';
export { expectPlanned, PlanAssertionError, type PlanExpectation } from './expect-planned.js';
export { rejectionOf } from './rejection-of.js';
