import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type { PgNode } from '../postgres/pg-node.js';
import { formatBytes } from '../util/format-bytes.js';

// A replication slot and how much WAL it keeps on the server.
export interface RetainingSlot {
  slot: string;
  retainedBytes: number;
  // False when no standby is connected to it (the usual way a slot keeps WAL without limit).
  active?: boolean;
  // pg_replication_slots.wal_status (13+): 'extended' keeps more than max_wal_size, 'unreserved' is about to be given up.
  walStatus?: string | null;
}

// The filesystem pg_wal lives on.
export interface WalDisk {
  freeBytes: number;
  totalBytes: number;
}

// Slots together keeping at least this share of what WAL can still use (their WAL plus the free space) are a
// warning: a disk that fills stops the primary, and these numbers leave time to act.
const RETAINED_SHARE = 0.25;
// A disk this full, with inactive slots keeping WAL on it, is a warning whatever their share.
const FULL_DISK_SHARE = 0.8;
// Below this, what inactive slots keep is normal churn (a few segments), not worth a warning.
const NEGLIGIBLE_BYTES = 64 * 1024 * 1024;

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

// Warnings about WAL piling up on a running primary, with the numbers and the fix: inactive slots keeping WAL its
// disk may not have room for (slotRetentionWarning), and an archiver whose last attempt failed.
export async function walHealthWarnings(node: PgNode): Promise<WalHealthWarning[]> {
  const { fn } = node.facts;
  const warnings: WalHealthWarning[] = [];
  if (node.facts.slots) {
    const walStatus = node.facts.slotWalStatus ? 'wal_status' : 'NULL::text AS wal_status';
    const rows = await node.query<{ slot: string; retained: string; active: boolean; wal_status: string | null }>(
      `SELECT slot_name AS slot, ${fn.walLsnDiff}(${fn.currentWalLsn}(), restart_lsn)::bigint::text AS retained, active, ${walStatus} FROM pg_replication_slots WHERE restart_lsn IS NOT NULL`,
    );
    const walDir = path.join(node.dataDir, node.facts.walDir);
    // The disk is this machine's to measure only for a node here (another host's is not looked at).
    const fs = node.machine.remote ? undefined : await statfs(walDir).catch(() => undefined);
    if (fs) {
      const disk = { freeBytes: Number(fs.bavail) * Number(fs.bsize), totalBytes: Number(fs.blocks) * Number(fs.bsize) };
      const slots = rows.map((r) => ({ slot: r.slot, retainedBytes: Number(r.retained), active: r.active, walStatus: r.wal_status }));
      const warning = slotRetentionWarning(node.name, walDir, slots, disk);
      if (warning) warnings.push(warning);
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

// Inactive slots keeping WAL the primary's disk may not have room for: together a quarter or more of what WAL can
// still use (their WAL plus the free space), or any real amount on a disk 80% full, or a slot the server is about
// to give up (wal_status 'unreserved'). Warned early, with the numbers, while there is still time to act; the disk
// filling up stops the primary. Undefined when none of that holds.
export function slotRetentionWarning(node: string, walDir: string, slots: readonly RetainingSlot[], disk: WalDisk): WalHealthWarning | undefined {
  const inactive = slots.filter((s) => s.active === false && s.retainedBytes > 0);
  const unreserved = slots.filter((s) => s.walStatus === 'unreserved');
  const kept = inactive.reduce((sum, s) => sum + s.retainedBytes, 0);
  const usedShare = disk.totalBytes > 0 ? (disk.totalBytes - disk.freeBytes) / disk.totalBytes : 0;
  const large = kept > 0 && kept >= RETAINED_SHARE * (kept + disk.freeBytes);
  const fullDisk = kept >= NEGLIGIBLE_BYTES && usedShare >= FULL_DISK_SHARE;
  if (!large && !fullDisk && unreserved.length === 0) return undefined;
  const names = inactive.map((s) => s.slot);
  const parts: string[] = [];
  if (inactive.length) {
    const which = inactive.length === 1 ? `the inactive replication slot ${names[0]}` : `${inactive.length} inactive replication slots (${names.join(', ')})`;
    parts.push(
      `${which} on ${node} ${inactive.length === 1 ? 'keeps' : 'keep'} ${formatBytes(kept)} of WAL; ${formatBytes(disk.freeBytes)} is still free under ${walDir}` +
        (disk.totalBytes > 0 ? ` (the disk is ${Math.round(usedShare * 100)}% full)` : ''),
    );
  }
  if (unreserved.length) parts.push(`the server is about to give up ${unreserved.map((s) => s.slot).join(', ')} (wal_status unreserved): its standby will need a rebuild`);
  const drop = (inactive.length ? inactive : unreserved).map((s) => `SELECT pg_drop_replication_slot('${s.slot}')`).join('; ');
  return {
    check: 'slot retention',
    detail: `${parts.join('; ')}; when the disk is full ${node} stops`,
    fix: `start the standby that uses it (hotstandby start), remove a standby you no longer need (hotstandby remove-standby), or drop a slot nothing uses (${drop})`,
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
