import { rm } from 'node:fs/promises';
import { definePlugin, HotstandbyError, runProgram, z, type Action, type StepContext } from '@hotstandby/core';
import { pgBasebackupArgs } from './pg-basebackup.js';
import { planSlot } from './slot-plan.js';
import { stalePartials, targetState, withPartialDirectory } from './backup-target.js';
import path from 'node:path';
import { existsSync } from 'node:fs';

const options = z.strictObject({
  method: z.enum(['auto', 'pg_basebackup'], { error: 'must be "auto" or "pg_basebackup"' }).default('auto'),
  checkpoint: z.enum(['fast', 'spread']).default('fast'),
  maxRate: z.string().regex(/^\d+[kM]?$/, { error: 'must be a rate pg_basebackup accepts, such as 32k or 10M' }).optional(),
});
type Options = z.infer<typeof options>;

function backupCommand(ctx: StepContext<Options>, target: string): { command: string; args: string[] } {
  return { command: ctx.primary.binaries.path('pg_basebackup'), args: pgBasebackupArgs(ctx, target, ctx.options) };
}

// Step 4 of the recipe: a base backup of the upstream into the standby's data directory, through the standby's
// own slot (created first, so the WAL the backup needs cannot be removed).
export default definePlugin<Options>({
  name: 'base-backup',
  description: 'Copy the primary into the standby data directory with pg_basebackup, through a slot created first.',
  scope: 'standby',
  options,
  async preflight(ctx) {
    if (!ctx.primary.binaries.has('pg_basebackup')) {
      throw new HotstandbyError('BINARY_MISSING', `pg_basebackup is not in ${ctx.primary.binaries.binDir}`, {
        where: { step: 'base-backup', key: 'steps.base-backup.method' },
        fix: 'install the PostgreSQL client programs (Debian: apt install postgresql-client) or point postgres.binDir at a full installation',
      });
    }
    await targetState(ctx);
  },
  async plan(ctx) {
    const state = await targetState(ctx);
    if (state === 'done') return { actions: [] };
    const slot = await planSlot(ctx);
    const actions: Action[] = [...slot.actions];
    for (const stale of await stalePartials(ctx.node.dataDir)) {
      actions.push({ kind: 'task', changes: true, summary: `remove ${stale}, left by an interrupted backup`, details: [], run: () => rm(stale, { recursive: true, force: true }) });
    }
    const parent = path.dirname(ctx.node.dataDir);
    if (!existsSync(parent)) actions.push({ kind: 'mkdir', path: parent, owner: 'invoker', mode: 0o755, summary: `create ${parent}` });
    const shown = backupCommand(ctx, ctx.node.dataDir);
    actions.push({
      kind: 'task',
      changes: true,
      summary: `pg_basebackup from ${ctx.upstream!.name} into ${ctx.node.dataDir}`,
      details: [`run as ${ctx.serverUser.name}: PGPASSFILE=${ctx.paths.replicationPassfile} ${shown.command} ${shown.args.join(' ')}`, '(into a hidden partial directory, renamed into place when complete)'],
      run: async (signal) =>
        withPartialDirectory(ctx, state, async (dir) => {
          const { command, args } = backupCommand(ctx, dir);
          await runProgram(command, args, {
            user: ctx.serverUser,
            env: { PGPASSFILE: ctx.paths.replicationPassfile, PGAPPNAME: `hotstandby-${ctx.node.name}` },
            signal,
            purpose: `pg_basebackup for ${ctx.node.name}`,
          }).catch((error: unknown) => {
            throw new HotstandbyError('BACKUP_FAILED', `pg_basebackup for ${ctx.node.name} failed; the partial copy was removed`, {
              where: { node: ctx.node.name },
              detail: (error as HotstandbyError).detail,
              fix: 'read the pg_basebackup output above, fix the cause and run up again',
              cause: error,
            });
          });
        }),
    });
    return { actions, notes: slot.notes };
  },
  async apply(ctx, plan) {
    if (plan.actions.length === 0) return { summary: 'already has a base backup' };
    await ctx.run(plan.actions);
    return { summary: `backed up from ${ctx.upstream!.name} through slot ${ctx.nodeSpec.slot}` };
  },
});
