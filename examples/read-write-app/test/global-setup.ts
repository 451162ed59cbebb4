// vitest's globalSetup takes file paths, not package names: this one line re-exports the package's setup
// (1 primary + 2 replicas for the run; for other options: export default appGlobalSetup({ replicas: 1 })).
export { default } from '@hotstandby/testing/vitest-setup';
