import { jestGlobalSetup } from './jest-global-setup.js';

// jest's `globalSetup: '@hotstandby/testing/jest-setup'`: 1 primary + 2 replicas for the run.
export default jestGlobalSetup();
