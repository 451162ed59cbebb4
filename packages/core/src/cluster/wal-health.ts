import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type { PgNode } from '../postgres/pg-node.js';
import { formatBytes } from '../util/format-bytes.js';

// An inactive slot and how much WAL it keeps on the server.
export interface RetainingSlot {
  slot: string;
  retainedBytes: number;
}

// One finding: what (with the numbers) and how to fix it.
export interface WalHealthWarning {
  check: 'slot retention' | 'archiver';
  detail: string;
  fix: string;
}

// What pg_stat_archiver says.
export interface ArchiverStats {
  failedCount: number;
  lastFailedWal: string | null;
  lastFailedTime: string | null;
  lastArchivedTime: string | null;
}

// Warnings about WAL piling up on a running primary, with the numbers and the fix: an inactive slot that keeps
// more WAL than the free space left on pg_wal's filesystem, and an archiver whose last attempt failed.
export async function walHealthWarnings(node: PgNode): Promise<WalHealthWarning[]> {
  const { fn } = node.facts;
  const warnings: WalHealthWarning[] = [];
  if (node.facts.slots) {
    const slots = await node.query<{ slot: string; retained: string }>(
      `SELECT slot_name AS slot, ${fn.walLsnDiff}(${fn.currentWalLsn}(), restart_lsn)::bigint::text AS retained FROM pg_replication_slots WHERE NOT active AND restart_lsn IS NOT NULL`,
    );
    const walDir = path.join(node.dataDir, node.facts.walDir);
    const fs = await statfs(walDir).catch(() => undefined);
    if (fs) {
      const free = Number(fs.bavail) * Number(fs.bsize);
      for (const s of slots) {
        const warning = slotRetentionWarning(node.name, walDir, { slot: s.slot, retainedBytes: Number(s.retained) }, free);
        if (warning) warnings.push(warning);
      }
    }
  }
  const archiving = await node.queryOne<{ on: boolean }>("SELECT current_setting('archive_mode') <> 'off' AS on");
  if (archiving?.on) {
    const row = await node.queryOne<{ failed_count: string; last_failed_wal: string | null; last_failed_time: string | null; last_archived_time: string | null }>(
      'SELECT failed_count::text, last_failed_wal, last_failed_time::text, last_archived_time::text FROM pg_stat_archiver',
    );
    const warning = row
      ? archiverWarning(node.name, {
          failedCount: Number(row.failed_count),
          lastFailedWal: row.last_failed_wal,
          lastFailedTime: row.last_failed_time,
          lastArchivedTime: row.last_archived_time,
        })
      : undefined;
    if (warning) warnings.push(warning);
  }
  return warnings;
}

// An inactive slot holding more WAL than is still free on pg_wal's filesystem (most of the space WAL can use):
// the disk fills and the server stops. Undefined when it holds less.
export function slotRetentionWarning(node: string, walDir: string, slot: RetainingSlot, freeBytes: number): WalHealthWarning | undefined {
  if (slot.retainedBytes <= 0 || slot.retainedBytes < freeBytes) return undefined;
  return {
    check: 'slot retention',
    detail: `the inactive replication slot ${slot.slot} on ${node} keeps ${formatBytes(slot.retainedBytes)} of WAL, more than the ${formatBytes(freeBytes)} still free under ${walDir}; when the disk is full ${node} stops`,
    fix: `start the standby that uses it (hotstandby start), or drop the slot if nothing does (SELECT pg_drop_replication_slot('${slot.slot}'))`,
  };
}

// An archiver whose last attempt failed (its last failure is newer than its last success): finished WAL segments
// stay in pg_wal until archive_command succeeds. Undefined when it has not failed since it last succeeded.
export function archiverWarning(node: string, stats: ArchiverStats): WalHealthWarning | undefined {
  if (stats.failedCount === 0 || !stats.lastFailedTime) return undefined;
  if (stats.lastArchivedTime && Date.parse(stats.lastArchivedTime) >= Date.parse(stats.lastFailedTime)) return undefined;
  return {
    check: 'archiver',
    detail:
      `the WAL archiver on ${node} is failing: ${stats.failedCount} failed attempt(s), the last for ${stats.lastFailedWal ?? '?'} at ${stats.lastFailedTime}, ` +
      `last success ${stats.lastArchivedTime ?? 'never'}; WAL piles up in pg_wal until it succeeds`,
    fix: `read ${node}'s log for archive_command's error, and fix the command or its archive directory`,
  };
}
