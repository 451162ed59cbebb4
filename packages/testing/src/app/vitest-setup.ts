import { appGlobalSetup } from './vitest-global-setup.js';

// `globalSetup: ['@hotstandby/testing/vitest-setup']`: 1 primary + 2 replicas for the run (see appGlobalSetup).
export default appGlobalSetup();
