import { definePlugin, z } from '@hotstandby/core';
import { planPassfile } from './passfile-plan.js';
import { planRole, readRole } from './role-plan.js';

const options = z.strictObject({});

// Step 1 of the recipe: a replication role (REPLICATION LOGIN, connection limit, SCRAM password) on the primary,
// and the 0600 passfile from which standbys read its password.
export default definePlugin<z.infer<typeof options>>({
  name: 'user-creation',
  description: 'Create the replication role (REPLICATION LOGIN, CONNECTION LIMIT, SCRAM password) and its passfile.',
  scope: 'primary',
  options,
  async preflight(ctx) {
    if (ctx.isPlanned(ctx.primary) || !(await ctx.primary.isRunning())) return;
    planRole(ctx, await readRole(ctx, ctx.spec.replication.user));
  },
  async plan(ctx) {
    const existing = ctx.isPlanned(ctx.primary) ? undefined : await readRole(ctx, ctx.spec.replication.user);
    const role = planRole(ctx, existing);
    const passfile = await planPassfile(ctx);
    return { actions: [...role.actions, ...passfile.actions], notes: [...(role.notes ?? []), ...passfile.notes] };
  },
});
