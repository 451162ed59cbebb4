import type { PgNode } from './pg-node.js';

// Drops the slot named $1 unless a walsender uses it (an active slot belongs to a standby that still streams);
// one row when it was dropped, none when it was not there or in use.
export const DROP_INACTIVE_SLOT_SQL = 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active';

// Drop a physical replication slot on a node unless a walsender uses it. True when it was there and is gone.
export async function dropInactiveSlot(node: PgNode, slot: string): Promise<boolean> {
  return (await node.query(DROP_INACTIVE_SLOT_SQL, [slot])).length > 0;
}

// Why a standby's slot on its upstream can never serve it again, when PostgreSQL has given it up (wal_status
// "lost", 13+): the WAL the standby needs was removed and only a new base backup helps. Undefined otherwise.
export async function lostSlotProblem(upstream: PgNode, slot: string | undefined, standby: string): Promise<string | undefined> {
  if (!slot || !upstream.facts.slotWalStatus) return undefined;
  const row = await upstream.queryOne<{ wal_status: string | null }>('SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1', [slot]).catch(() => undefined);
  if (row?.wal_status !== 'lost') return undefined;
  return lostSlotMessage(slot, upstream.name, standby);
}

// What to tell the user about a standby whose slot on its upstream is lost, and the way out.
export function lostSlotMessage(slot: string, upstream: string, standby: string): string {
  return `its replication slot ${slot} on ${upstream} is lost: the WAL it needs was removed (max_slot_wal_keep_size), so it can never catch up; rebuild it from a new base backup with hotstandby rebuild ${standby}`;
}
