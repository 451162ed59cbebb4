import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError, runningAsRoot, sqlStateOf, syncTree, writeFileAtomic, type StepContext } from '@hotstandby/core';
import { copyDataDir } from './copy-data-dir.js';

// The recipe's own base backup, through the low-level API: start the backup, copy the data directory, stop the
// backup — all in one session, which PostgreSQL requires — then write the backup_label (and tablespace_map)
// the stop call returns into the copy, byte for byte.
export async function copyBackup(ctx: StepContext, target: string, signal: AbortSignal): Promise<{ bytes: number; lsn: string }> {
  const upstream = ctx.upstream!;
  const api = ctx.facts.backup;
  const source = await upstream.settingPath('data_directory');
  await refuseTablespaces(source, ctx);
  const owner = { uid: ctx.serverUser.uid, gid: ctx.serverUser.gid, chown: runningAsRoot() };
  const copied = await upstream.session(async (client) => {
    await client.query(api.startSql, [`hotstandby base backup for ${ctx.node.name}`]);
    let copy: { bytes: number; files: string[] };
    try {
      copy = await copyDataDir(source, target, ctx.facts.copyExclusions, owner, signal);
    } catch (error) {
      await client.query(api.stopSql).catch(() => undefined);
      throw error;
    }
    let stop: { lsn: string; labelfile: string | null; spcmapfile: string | null };
    try {
      stop = (await client.query(api.stopSql)).rows[0] as typeof stop;
    } catch (error) {
      throw new HotstandbyError('BACKUP_FAILED', `the backup of ${upstream.name} ended before the copy finished: ${(error as Error).message}`, {
        where: { node: ctx.node.name, step: 'base-backup' },
        detail: sqlStateOf(error) ? `SQLSTATE ${sqlStateOf(error)}` : undefined,
        fix: 'the copy was discarded; run up again (was the backup session terminated, or the primary restarted?)',
        cause: error,
      });
    }
    if (api.mode === 'non-exclusive') {
      if (!stop.labelfile) throw new HotstandbyError('BACKUP_FAILED', `${upstream.name} returned no backup_label`, { where: { node: ctx.node.name } });
      const attrs = { mode: 0o600, uid: ctx.serverUser.uid, gid: ctx.serverUser.gid };
      await writeFileAtomic(path.join(target, 'backup_label'), Buffer.from(stop.labelfile, 'utf8'), attrs);
      if (stop.spcmapfile) await writeFileAtomic(path.join(target, 'tablespace_map'), Buffer.from(stop.spcmapfile, 'utf8'), attrs);
    }
    return { ...copy, lsn: stop.lsn };
  });
  // Durable before it is put in place, as pg_basebackup makes its copy (a throwaway cluster's is not waited for);
  // after the backup session, which holds nothing the sync needs.
  if (ctx.spec.durable) await syncTree(target, copied.files);
  return { bytes: copied.bytes, lsn: copied.lsn };
}

// Tablespaces live outside the data directory; on one machine a plain copy would point the standby at the
// primary's own tablespace directories, and the low-level API has no mapping. Refuse before starting.
async function refuseTablespaces(source: string, ctx: StepContext): Promise<void> {
  const links = await readdir(path.join(source, 'pg_tblspc')).catch(() => [] as string[]);
  if (links.length > 0) {
    throw new HotstandbyError(
      'BACKUP_FAILED',
      `${ctx.upstream!.name} has ${links.length} tablespace(s); the copy method cannot give a standby on the same machine its own tablespace directories`,
      {
        where: { node: ctx.node.name, step: 'base-backup', key: 'steps.base-backup.method' },
        fix: 'use method "pg_basebackup" (install the PostgreSQL client programs)',
      },
    );
  }
}
