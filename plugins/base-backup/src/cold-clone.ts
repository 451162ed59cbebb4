import { existsSync } from 'node:fs';
import { chmod, copyFile, lstat, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import {
  chownIfRoot,
  copyTreeNative,
  HotstandbyError,
  isAborted,
  isInside,
  readControlFacts,
  readSystemIdentifier,
  syncTree,
  type StepContext,
  type TaskAction,
  writeFileAtomic,
} from '@hotstandby/core';
import { backupInterrupted } from './backup-interrupted.js';
import { withPartialDirectory } from './backup-target.js';
import { copyOutsideConfig } from './outside-config.js';
import { backupAcrossHosts } from './remote-backup.js';

// Whether this standby's base may be a cold copy of its upstream, a primary this run creates: method "auto", both
// on this machine, no tablespace mapping asked for (a copy applies none), and slots that can hold the upstream's
// WAL from the copy's checkpoint on (reserved at creation, 9.6+).
function coldCloneAllowed(ctx: StepContext<{ method: string; tablespaceMapping?: unknown }>): boolean {
  if (ctx.options.method !== 'auto' || ctx.options.tablespaceMapping !== undefined || !ctx.facts.slotReservesWalAtCreation) return false;
  return !backupAcrossHosts(ctx) && !ctx.node.machine.remote && !ctx.upstream!.machine.remote;
}

// takesColdCopy: asked before the new primary's first start, for a standby the run builds from scratch.
export async function wantsColdCopy(ctx: StepContext<{ method: string }>, built: () => Promise<boolean>): Promise<boolean> {
  return coldCloneAllowed(ctx) && !(await built());
}

// The cold copy of the upstream the plan can base this standby on, if the run took (or a dry run will take) one.
export function plannedColdCopy(ctx: StepContext<{ method: string }>): string | undefined {
  return coldCloneAllowed(ctx) ? ctx.coldCopy?.() : undefined;
}

// Why the cold copy cannot be the standby's base now, or undefined when it can: it is there, cleanly shut down, of
// the upstream's system, and the standby's slot on the upstream keeps every WAL record since its checkpoint (no
// checkpoint since the upstream's first start removed any).
async function coldCopyUnusable(ctx: StepContext, dir: string): Promise<string | undefined> {
  const upstream = ctx.upstream!;
  const slot = ctx.nodeSpec.slot!;
  if (!existsSync(path.join(dir, 'global', 'pg_control'))) return `no cold copy of ${upstream.name} was taken`;
  const control = await readControlFacts(dir);
  if (control.state !== 'shut down') return `the cold copy of ${upstream.name} is "${control.state}", not cleanly shut down`;
  const row = await upstream.queryOne<{ covers: boolean | null }>('SELECT restart_lsn <= $2::pg_lsn AS covers FROM pg_replication_slots WHERE slot_name = $1', [
    slot,
    control.checkpoint,
  ]);
  if (row?.covers !== true) return `the slot ${slot} on ${upstream.name} does not keep the WAL since the cold copy's checkpoint ${control.checkpoint}`;
  const system = await upstream.queryOne<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()');
  if (system?.id !== (await readSystemIdentifier(dir))) return `the cold copy is not of ${upstream.name}'s cluster (another system identifier)`;
  // A tablespace made since (by a step of the run) would be replayed at the upstream's own path on this machine.
  const tablespaces = await upstream.queryOne<{ n: number }>("SELECT count(*)::int AS n FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global')");
  if ((tablespaces?.n ?? 0) > 0) return `${upstream.name} has tablespaces, which a copy cannot map`;
  return undefined;
}

// The base backup as a copy of the upstream's cold copy; where that cannot be used when the time comes, `fallback`
// (the usual base backup) runs instead and says why.
export function coldCloneAction(ctx: StepContext, dir: string, state: 'missing' | 'empty', fallback: TaskAction, used: { cold?: boolean }): TaskAction {
  const upstream = ctx.upstream!;
  const slot = ctx.nodeSpec.slot!;
  return {
    kind: 'task',
    changes: true,
    summary: `base backup of ${upstream.name} into ${ctx.node.dataDir}: the cold copy taken before ${upstream.name}'s first start`,
    details: [
      `give ${dir} ${upstream.name}'s top-level files as they are now (pg_hba.conf, postgresql.auto.conf, ...), as a base backup would copy them, and ${ctx.facts.standbySetup}: a copy of a running primary would have a backup_label instead, and only the tool's own copy is started as a standby without one`,
      `then move it into place as ${ctx.node.dataDir} (copied instead into a data directory that already exists, or from the run directory to one outside the state directory)${ctx.spec.durable ? ', and sync it' : ' (not synced: durable is false)'}`,
      `${ctx.node.name} replays what ${upstream.name} did since from the slot ${slot}: no checkpoint, no WAL streamed for the backup`,
      `if the copy is gone or the slot does not reach back to its checkpoint: ${fallback.summary}`,
      ...(fallback.details ?? []).map((line) => `  ${line}`),
    ],
    run: async (signal) => {
      const why = await coldCopyUnusable(ctx, dir);
      if (why) {
        ctx.log.warn(`${why}: ${fallback.summary} instead`);
        used.cold = false;
        return fallback.run(signal);
      }
      // Completed where it is, so that putting it in place is the last step: a run killed at any point leaves either
      // no standby or a whole one with its marker.
      await copyTopLevelFiles(ctx, dir);
      await markStandby(ctx, dir);
      await copyOutsideConfig(ctx, dir);
      await withPartialDirectory(ctx, state, async (target) => {
        // Moved when the standby's data directory is a new one and the copy was taken beside it (or both are inside
        // the state directory): the same file system, and the labels a directory made there gets. Copied into a
        // directory the user made, which keeps its own inode, owner and labels, or where it was taken elsewhere.
        const besideTarget = path.dirname(dir) === path.dirname(target) || (isInside(target, ctx.paths.stateDir) && isInside(dir, ctx.paths.stateDir));
        const moved = state === 'missing' && besideTarget && (await renameOverEmpty(dir, target));
        if (!moved) {
          await copyTreeNative(dir, target, signal).catch((error: unknown) => {
            if (isAborted(error)) throw backupInterrupted(`the copy for ${ctx.node.name}`, { node: ctx.node.name });
            throw new HotstandbyError('BACKUP_FAILED', `the copy of ${upstream.name}'s cold copy for ${ctx.node.name} failed; the partial copy was removed`, {
              where: { node: ctx.node.name },
              detail: (error as HotstandbyError).detail,
              fix: 'read the output above, fix the cause (space, permissions) and run up again',
              cause: error,
            });
          });
        }
        // A throwaway cluster's (durable: false) is not waited for.
        if (ctx.spec.durable) await syncTree(target, []);
      });
      used.cold = true;
    },
  };
}

// rename(2) of a directory over an empty one; false where the two are on different file systems (or the target is
// a mount point), where a copy must do.
async function renameOverEmpty(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if (['EXDEV', 'EBUSY'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
  }
}

// The copy is a standby's from the start: with its marker (standby.signal, or recovery.conf before 12) no later run
// takes it for an unexplained copy of a primary, even if this run is killed before recovery-config writes the rest.
async function markStandby(ctx: StepContext, target: string): Promise<void> {
  const owner = ctx.node.osUser;
  await writeFileAtomic(path.join(target, ctx.facts.standbySetup), ctx.facts.standbyMarkerContent, { mode: 0o600, uid: owner.uid, gid: owner.gid, exact: true });
}

// The upstream's top-level files that changed since the cold copy (pg_hba.conf with the replication rule,
// postgresql.auto.conf), copied over it: what a base backup taken now would hold. Files a base backup leaves out
// (postmaster.pid, signal files, ...) stay out.
async function copyTopLevelFiles(ctx: StepContext, target: string): Promise<void> {
  const source = ctx.upstream!.dataDir;
  const { files, prefixes } = ctx.facts.copyExclusions;
  for (const name of await readdir(source)) {
    if (files.includes(name) || prefixes.some((p) => name.startsWith(p))) continue;
    const from = path.join(source, name);
    const st = await lstat(from);
    if (!st.isFile()) continue;
    const to = path.join(target, name);
    const current = await readFile(to).catch(() => undefined);
    if (current?.equals(await readFile(from))) continue;
    await copyFile(from, to);
    await chmod(to, st.mode & 0o7777);
    await chownIfRoot(to, st.uid, st.gid);
  }
}
