// A primary and two read replicas for the whole run, started before the first test file and removed after the
// last (also when the run is interrupted): the two lines a project adds.
module.exports = {
  globalSetup: '@hotstandby/testing/jest-setup',
  globalTeardown: '@hotstandby/testing/jest-teardown',
  testEnvironment: 'node',
  testTimeout: 60_000,
};
