import { jestGlobalSetup } from './jest-global-setup.js';

// The setup for other options, from this (bundled, quick to load) entry: module.exports = jestGlobalSetup({ replicas: 1 }).
export { jestGlobalSetup };

// jest's `globalSetup: '@hotstandby/testing/jest-setup'`: 1 primary + 2 replicas for the run.
export default jestGlobalSetup();
