import { jestGlobalTeardown } from './jest-global-setup.js';

// The teardown under its own name, for a globalTeardown file of your own.
export { jestGlobalTeardown };

// jest's `globalTeardown: '@hotstandby/testing/jest-teardown'`: stops and removes what jest-setup started.
export default jestGlobalTeardown;
