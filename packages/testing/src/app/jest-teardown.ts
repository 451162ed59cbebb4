import { jestGlobalTeardown } from './jest-global-setup.js';

// jest's `globalTeardown: '@hotstandby/testing/jest-teardown'`: stops and removes what jest-setup started.
export default jestGlobalTeardown;
