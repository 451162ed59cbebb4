import path from 'node:path';
import {
  hostSeenFrom,
  HotstandbyError,
  isAborted,
  planNodeTlsMaterial,
  replicationPassfileOf,
  stillRunsThere,
  tlsConninfoParams,
  type Action,
  type StepContext,
  type TaskAction,
} from '@hotstandby/core';
import { backupInterrupted } from './backup-interrupted.js';
import { stalePartials, withPartialDirectory } from './backup-target.js';
import { copyOutsideConfig } from './outside-config.js';
import { pgBasebackupArgs } from './pg-basebackup.js';

type BackupOptions = { method: 'auto' | 'pg_basebackup' | 'copy'; checkpoint: 'fast' | 'spread'; maxRate?: string };

// True when the standby or its upstream lives on another host: the backup is then pg_basebackup run on the
// standby's machine, pulling from the upstream over the replication protocol (the low-level copy, the template
// cache and other shortcuts read and write this machine's files, so they serve only nodes that all live here).
export function backupAcrossHosts(ctx: StepContext): boolean {
  return ctx.node.machine.remote || ctx.upstream!.machine.remote;
}

// Why the plan takes pg_basebackup (for the plan's notes).
export function acrossHostsNote(ctx: StepContext): string {
  return `pg_basebackup on ${ctx.node.name}'s machine (${ctx.node.machine.label}): ${whyAcrossHosts(ctx)}`;
}

// Which node lives on another host, so that only pg_basebackup copies.
function whyAcrossHosts(ctx: StepContext): string {
  const where = ctx.node.machine.remote ? `${ctx.node.name} lives on ${ctx.node.machine.label}` : `its upstream ${ctx.upstream!.name} lives on ${ctx.upstream!.machine.label}`;
  return `${where}, and only pg_basebackup copies between hosts`;
}

// Refuse, before the first change, what a backup between hosts cannot do yet: the low-level copy, and tablespaces.
export async function checkAcrossHosts(ctx: StepContext<BackupOptions>): Promise<void> {
  if (ctx.options.method === 'copy') {
    throw new HotstandbyError('CONFIG_INVALID', `steps.base-backup.method is "copy", but ${whyAcrossHosts(ctx)}`, {
      where: { step: 'base-backup', key: 'steps.base-backup.method', node: ctx.node.name },
      fix: 'use method "auto" or "pg_basebackup" (the low-level copy works only for nodes on this machine)',
    });
  }
  if (!ctx.node.binaries.has('pg_basebackup')) {
    throw new HotstandbyError('BINARY_MISSING', `${acrossHostsNote(ctx)}, but pg_basebackup is not in ${ctx.node.binaries.binDir}`, {
      where: { step: 'base-backup', node: ctx.node.name },
      fix: 'install the PostgreSQL client programs of the same major on every host (Debian: apt install postgresql-client)',
    });
  }
  const upstream = ctx.upstream!;
  const tablespaces =
    ctx.isPlanned(upstream) || !(await upstream.isRunning())
      ? 0
      : Number((await upstream.queryOne<{ n: string }>("SELECT count(*)::text AS n FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global')"))?.n ?? 0);
  if (tablespaces > 0) {
    throw new HotstandbyError('DATA_DIR_CONFLICT', `${ctx.upstream!.name} has tablespaces outside its data directory; hotstandby does not copy tablespaces between hosts yet`, {
      where: { step: 'base-backup', node: ctx.node.name },
      fix: 'move their tables into pg_default (ALTER TABLE ... SET TABLESPACE pg_default) and drop the tablespaces, or keep this standby on the same machine as its upstream',
    });
  }
}

// The actions that build the standby on its own machine: leftovers of an interrupted backup removed there, the data
// directory's parent made there, its TLS files (the CA it verifies the upstream against), then pg_basebackup there
// as the server account.
export async function planBackupAcrossHosts(ctx: StepContext<BackupOptions>, state: 'missing' | 'empty'): Promise<{ actions: Action[]; backup: TaskAction }> {
  const machine = ctx.node.machine;
  const node = ctx.node.name;
  const actions: Action[] = [];
  for (const stale of await stalePartials(ctx.node.dataDir, machine)) {
    actions.push({ kind: 'remove-dir', path: stale, node, summary: `remove ${stale} on ${machine.label}, left by an interrupted backup` });
  }
  const parent = path.dirname(ctx.node.dataDir);
  if (!(await machine.stat(parent))) actions.push({ kind: 'mkdir', path: parent, node, owner: 'invoker', mode: 0o755, summary: `create ${parent} on ${machine.label}` });
  actions.push(...(await planNodeTlsMaterial(ctx.spec, ctx.node, [ctx.primary, ...ctx.standbys])));
  const backup = await backupTask(ctx, state);
  actions.push(backup);
  return { actions, backup };
}

// pg_basebackup on the standby's machine, into a hidden partial directory there renamed into place when complete.
// The password comes from the standby's passfile there (0600), or through the SSH channel in the environment when
// there is none yet: never in arguments.
async function backupTask(ctx: StepContext<BackupOptions>, state: 'missing' | 'empty'): Promise<TaskAction> {
  const machine = ctx.node.machine;
  const upstream = ctx.upstream!;
  const host = await hostSeenFrom(upstream, ctx.node);
  const passfile = replicationPassfileOf(ctx.node, ctx.paths.replicationPassfile);
  const command = ctx.node.binaries.path('pg_basebackup');
  const shown = pgBasebackupArgs(ctx, ctx.node.dataDir, ctx.options, [], host);
  // Across hosts with TLS: verify-full against the CA on the standby's host, as its primary_conninfo does.
  const tls = tlsConninfoParams(ctx.spec, ctx.node.name, upstream.name);
  const tlsEnv: Record<string, string> = tls.sslmode ? { PGSSLMODE: tls.sslmode, PGSSLROOTCERT: tls.sslrootcert! } : {};
  const tlsShown = Object.entries(tlsEnv)
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  return {
    kind: 'task',
    changes: true,
    summary: `pg_basebackup from ${upstream.name} (${host}) into ${ctx.node.dataDir} on ${machine.label}`,
    details: [
      `on ${machine.label}, run as ${ctx.node.osUser.name}: ${tlsShown}PGPASSFILE=${passfile} ${command} ${shown.join(' ')}`,
      '(into a hidden partial directory, renamed into place when complete)',
      acrossHostsNote(ctx),
    ],
    run: (signal) =>
      withPartialDirectory(ctx, state, async (dir) => {
        const hasPassfile = (await machine.stat(passfile)) !== undefined;
        const env: Record<string, string> = {
          ...(hasPassfile ? { PGPASSFILE: passfile } : { PGPASSWORD: ctx.secrets.replicationPassword }),
          PGAPPNAME: `hotstandby-${ctx.node.name}`,
          ...tlsEnv,
        };
        await machine
          .run(command, pgBasebackupArgs(ctx, dir, ctx.options, [], host), { user: ctx.node.osUser, env, signal, purpose: `pg_basebackup for ${ctx.node.name}` })
          .catch((error: unknown) => {
            // Stopped, but pg_basebackup may still run there (the connection was gone): that error says so, and is kept.
            if (isAborted(error)) throw stillRunsThere(error) ? error : backupInterrupted(`pg_basebackup for ${ctx.node.name}`, { node: ctx.node.name });
            throw new HotstandbyError('BACKUP_FAILED', `pg_basebackup for ${ctx.node.name} on ${machine.label} failed; the partial copy was removed`, {
              where: { node: ctx.node.name, host: machine.remote ? machine.label : undefined },
              detail: (error as HotstandbyError).detail,
              fix: `read the pg_basebackup output above (can ${machine.label} reach ${host}:${upstream.port}?), fix the cause and run up again`,
              cause: error,
            });
          });
        await copyOutsideConfig(ctx, dir, ctx.node.osUser);
      }),
  };
}
