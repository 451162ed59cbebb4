import { appGlobalSetup } from './vitest-global-setup.js';

// The default vitest global setup, 1 primary + 2 replicas for the run: re-export it from your globalSetup file.
export default appGlobalSetup();
