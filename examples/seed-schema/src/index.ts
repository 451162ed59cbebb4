import { definePlugin } from '@hotstandby/core';
import { seedOptions, type SeedOptions } from './seed-options.js';
import { planSeed } from './seed-plan.js';

export { seedOptions, type SeedOptions, type SeedTable } from './seed-options.js';

// seed-schema: a schema, its tables and their rows on the primary, created before base-backup copies the primary
// so every standby starts with them (rows added later reach the standbys by streaming). Idempotent: only what is
// missing is planned (rows are identified by their key column), so a second run plans nothing.
export default definePlugin<SeedOptions>({
  name: 'seed-schema',
  description: 'Create a schema, tables and rows on the primary before the standbys are copied.',
  scope: 'primary',
  options: seedOptions,
  before: ['base-backup'],
  plan: planSeed,
});
