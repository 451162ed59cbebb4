import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { definePlugin, emptyDir, HotstandbyError, isAborted, runProgram, staleTempFiles, z, type Action, type StepContext, type TaskAction } from '@hotstandby/core';
import { stalePartials, targetState, withPartialDirectory } from './backup-target.js';
import { backupInterrupted } from './backup-interrupted.js';
import { waitForUpstreamRole } from './upstream-role.js';
import { coldCloneAction, plannedColdCopy, wantsColdCopy } from './cold-clone.js';
import { copyBackup } from './copy-backup.js';
import { checkPerNodeSettings, copyOutsideConfig } from './outside-config.js';
import { pgBasebackupArgs } from './pg-basebackup.js';
import { releaseSlotOfFailedBackup } from './release-slot.js';
import { isSlotCreation, planOrphanSlots, planSlot } from './slot-plan.js';
import { checkUpstreamCapacity } from './upstream-capacity.js';
import { checkTablespaceTargets, leftoverTablespaceDirs, mappedTablespaces } from './upstream-tablespaces.js';
import { tablespaceMappingOption, type MappedTablespace } from './tablespace-mapping.js';
import { checkBackupSpace } from './backup-space.js';
import { acrossHostsNote, backupAcrossHosts, checkAcrossHosts, planBackupAcrossHosts } from './remote-backup.js';

const options = z.strictObject({
  method: z.enum(['auto', 'pg_basebackup', 'copy'], { error: 'must be "auto", "pg_basebackup" or "copy"' }).default('auto'),
  checkpoint: z.enum(['fast', 'spread']).default('fast'),
  maxRate: z
    .string()
    .regex(/^\d+[kM]?$/, { error: 'must be a rate pg_basebackup accepts, such as 32k or 10M' })
    .optional(),
  tablespaceMapping: tablespaceMappingOption,
});
type Options = z.infer<typeof options>;

// What apply needs by name: the base backup itself, absent when the standby already has one (then the plan only
// puts its slot in place).
interface BackupParts {
  backup?: TaskAction;
  // Whether the backup was the upstream's cold copy (set when it ran).
  used?: { cold?: boolean };
}

// "auto" takes pg_basebackup when it exists next to the server programs, the low-level copy otherwise.
// Between hosts it is always pg_basebackup (preflight refuses "copy" there).
export function chooseMethod(ctx: StepContext<Options>): 'pg_basebackup' | 'copy' {
  if (backupAcrossHosts(ctx)) return 'pg_basebackup';
  if (ctx.options.method !== 'auto') return ctx.options.method;
  return ctx.primary.binaries.has('pg_basebackup') ? 'pg_basebackup' : 'copy';
}

function backupCommand(ctx: StepContext<Options>, target: string, tablespaces: readonly MappedTablespace[]): { command: string; args: string[] } {
  return { command: ctx.primary.binaries.path('pg_basebackup'), args: pgBasebackupArgs(ctx, target, ctx.options, tablespaces) };
}

// Empty the standby's tablespace directories after a failed backup (its partial data directory goes too).
async function emptyTablespaceDirs(tablespaces: readonly MappedTablespace[]): Promise<void> {
  for (const ts of tablespaces) await emptyDir(ts.location);
}

// The standby's missing tablespace directories, created for pg_basebackup by the server user (journaled, so
// rebuild, remove-standby --purge and down --purge remove them with the standby).
function tablespaceDirActions(ctx: StepContext<Options>, tablespaces: readonly MappedTablespace[]): Action[] {
  return tablespaces
    .filter((ts) => !existsSync(ts.location))
    .map((ts) => ({ kind: 'mkdir', path: ts.location, owner: 'server', mode: 0o700, summary: `create ${ts.location} for tablespace ${ts.name} of ${ctx.node.name}` }));
}

function backupAction(ctx: StepContext<Options>, state: 'missing' | 'empty', tablespaces: readonly MappedTablespace[]): TaskAction {
  const method = chooseMethod(ctx);
  const upstream = ctx.upstream!;
  if (method === 'copy') {
    const api = ctx.facts.backup;
    return {
      kind: 'task',
      changes: true,
      summary: `base backup of ${upstream.name} into ${ctx.node.dataDir} (low-level API: start, copy, stop)`,
      details: [
        `[${upstream.name}] SQL: ${api.startSql.replace('$1', `'hotstandby base backup for ${ctx.node.name}'`)}`,
        `copy ${upstream.dataDir} leaving out ${[...ctx.facts.copyExclusions.files.slice(0, 3), '...'].join(', ')}; empty ${ctx.facts.copyExclusions.emptyDirs.join(', ')}`,
        `[${upstream.name}] SQL (same session): ${api.stopSql}`,
        'write backup_label (and a non-empty tablespace_map) from the stop call into the copy',
      ],
      run: (signal) =>
        withPartialDirectory(ctx, state, async (dir) => {
          await copyBackup(ctx, dir, signal);
          await copyOutsideConfig(ctx, dir);
        }),
    };
  }
  const shown = backupCommand(ctx, ctx.node.dataDir, tablespaces);
  return {
    kind: 'task',
    changes: true,
    summary: `pg_basebackup from ${upstream.name} into ${ctx.node.dataDir}`,
    details: [
      `run as ${ctx.serverUser.name}: PGPASSFILE=${ctx.paths.replicationPassfile} ${shown.command} ${shown.args.join(' ')}`,
      '(into a hidden partial directory, renamed into place when complete)',
    ],
    run: (signal) =>
      withPartialDirectory(ctx, state, async (dir) => {
        const { command, args } = backupCommand(ctx, dir, tablespaces);
        await runProgram(command, args, {
          user: ctx.serverUser,
          env: { PGPASSFILE: ctx.paths.replicationPassfile, PGAPPNAME: `hotstandby-${ctx.node.name}` },
          signal,
          purpose: `pg_basebackup for ${ctx.node.name}`,
        }).catch((error: unknown) => {
          if (isAborted(error)) {
            throw backupInterrupted(`pg_basebackup for ${ctx.node.name}`, { node: ctx.node.name });
          }
          throw new HotstandbyError('BACKUP_FAILED', `pg_basebackup for ${ctx.node.name} failed; the partial copy was removed`, {
            where: { node: ctx.node.name },
            detail: (error as HotstandbyError).detail,
            fix: 'read the pg_basebackup output above, fix the cause and run up again',
            cause: error,
          });
        });
        await copyOutsideConfig(ctx, dir);
      }).catch(async (error: unknown) => {
        // The data directory's partial copy is gone; what pg_basebackup wrote into tablespace directories goes too.
        await emptyTablespaceDirs(tablespaces);
        throw error;
      }),
  };
}

// Step 4 of the recipe: a base backup of the upstream into the standby's data directory, through the standby's
// own slot, created first so the WAL the backup needs cannot be removed. pg_basebackup, or where it is absent
// the recipe's low-level API (start backup, copy the data directory, stop backup).
export default definePlugin<Options, BackupParts>({
  name: 'base-backup',
  description: 'Copy the upstream into the standby data directory (pg_basebackup, or start/copy/stop backup), through a slot created first.',
  scope: 'standby',
  options,
  takesColdCopy: (ctx) => wantsColdCopy(ctx, async () => (await targetState(ctx)) === 'done'),
  async preflight(ctx) {
    if (backupAcrossHosts(ctx)) {
      await checkAcrossHosts(ctx);
      await checkUpstreamCapacity(ctx, 'pg_basebackup');
      if ((await targetState(ctx)) !== 'done' && !ctx.isPlanned(ctx.upstream!) && (await ctx.upstream!.isRunning())) await checkPerNodeSettings(ctx);
      return;
    }
    if (chooseMethod(ctx) === 'pg_basebackup' && !ctx.primary.binaries.has('pg_basebackup')) {
      throw new HotstandbyError('BINARY_MISSING', `steps.base-backup.method is "pg_basebackup", but pg_basebackup is not in ${ctx.primary.binaries.binDir}`, {
        where: { step: 'base-backup', key: 'steps.base-backup.method' },
        fix: 'use method "auto" or "copy", install the PostgreSQL client programs (Debian: apt install postgresql-client), or point postgres.binDir at a full installation',
      });
    }
    const state = await targetState(ctx);
    await checkUpstreamCapacity(ctx, chooseMethod(ctx));
    if (state !== 'done') {
      await checkTablespaceTargets(ctx, await mappedTablespaces(ctx), chooseMethod(ctx));
      await checkBackupSpace(ctx);
    }
    if (state !== 'done' && !ctx.isPlanned(ctx.upstream!) && (await ctx.upstream!.isRunning())) await checkPerNodeSettings(ctx);
  },
  async plan(ctx) {
    const state = await targetState(ctx);
    if (state !== 'done' && !ctx.isPlanned(ctx.upstream!) && (await ctx.upstream!.isRunning())) await checkPerNodeSettings(ctx);
    if (state === 'done') {
      // Already backed up: make sure its slot exists where it streams from now (after a promotion, say).
      const slot = ctx.isPlanned(ctx.node) ? { actions: [], notes: [] } : await planSlot(ctx);
      return { actions: [...slot.actions, ...(await planOrphanSlots(ctx))], notes: slot.notes };
    }
    const slot = await planSlot(ctx);
    if (backupAcrossHosts(ctx)) {
      const across = await planBackupAcrossHosts(ctx, state);
      return { actions: [...slot.actions, ...across.actions], notes: [...slot.notes, acrossHostsNote(ctx)], parts: { backup: across.backup } };
    }
    const actions: Action[] = [...slot.actions];
    for (const stale of await stalePartials(ctx.node.dataDir)) {
      actions.push({ kind: 'task', changes: true, summary: `remove ${stale}, left by an interrupted backup`, details: [], run: () => rm(stale, { recursive: true, force: true }) });
    }
    // A temp file a killed run left in the upstream's data directory (root-owned, say) would fail the backup.
    if (!ctx.isPlanned(ctx.upstream!)) {
      for (const stale of await staleTempFiles(ctx.upstream!.dataDir)) {
        actions.push({ kind: 'task', changes: true, summary: `remove ${stale}, a temp file left by an interrupted run`, details: [], run: () => rm(stale, { force: true }) });
      }
    }
    const parent = path.dirname(ctx.node.dataDir);
    if (!existsSync(parent)) actions.push({ kind: 'mkdir', path: parent, owner: 'invoker', mode: 0o755, summary: `create ${parent}` });
    const tablespaces = await mappedTablespaces(ctx);
    // Checked again here: preflight could not look at an upstream that was not running yet (a standby built
    // earlier in this run), and a failed backup empties these directories, so each must be fit to receive it.
    await checkTablespaceTargets(ctx, tablespaces, chooseMethod(ctx));
    for (const leftover of await leftoverTablespaceDirs(ctx, tablespaces)) {
      actions.push({
        kind: 'task',
        changes: true,
        summary: `empty ${leftover}, which hotstandby made and an interrupted backup left files in`,
        details: [],
        run: () => emptyTablespaceDirs(tablespaces.filter((ts) => ts.location === leftover)),
      });
    }
    actions.push(...tablespaceDirActions(ctx, tablespaces));
    // A cold copy of a primary this run created, when there is one; the usual base backup otherwise.
    const cold = plannedColdCopy(ctx);
    const used: { cold?: boolean } = {};
    const backup = cold ? coldCloneAction(ctx, cold, state, backupAction(ctx, state, tablespaces), used) : backupAction(ctx, state, tablespaces);
    actions.push(backup);
    return { actions, notes: slot.notes, parts: { backup, used } };
  },
  async apply(ctx, plan) {
    if (plan.actions.length === 0) return { summary: 'already has a base backup' };
    // A slot made for this standby (now, or by an earlier run that never handed it over) goes when the backup fails.
    const backup = plan.parts?.backup;
    let slotToRelease = backup !== undefined && ctx.state.slotCreatedByTool(ctx.upstream!.name, ctx.nodeSpec.slot!);
    try {
      if (backup) await waitForUpstreamRole(ctx);
      for (const action of plan.actions) {
        await ctx.run([action]);
        if (isSlotCreation(action)) slotToRelease = true;
      }
    } catch (error) {
      throw slotToRelease ? await releaseSlotOfFailedBackup(ctx, error) : error;
    }
    if (!backup) return { summary: `already has a base backup; slot ${ctx.nodeSpec.slot} on ${ctx.upstream!.name} in place` };
    if (plan.parts?.used?.cold) return { summary: `cold copy of ${ctx.upstream!.name} through slot ${ctx.nodeSpec.slot}` };
    return { summary: `${chooseMethod(ctx) === 'copy' ? 'copied (low-level API)' : 'pg_basebackup'} from ${ctx.upstream!.name} through slot ${ctx.nodeSpec.slot}` };
  },
});
