import { appGlobalSetup } from './vitest-global-setup.js';

// The setup for other options, from this (bundled, quick to load) entry: export default appGlobalSetup({ replicas: 1 }).
export { appGlobalSetup };

// The default vitest global setup, 1 primary + 2 replicas for the run: re-export it from your globalSetup file.
export default appGlobalSetup();
