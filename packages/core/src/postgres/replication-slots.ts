import type { PgNode } from './pg-node.js';

// Drop a physical replication slot on a node unless a walsender uses it (an active slot belongs to a standby that
// still streams). True when it was there and is gone.
export async function dropInactiveSlot(node: PgNode, slot: string): Promise<boolean> {
  const dropped = await node.query<{ slot_name: string }>(
    'SELECT slot_name, pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
    [slot],
  );
  return dropped.length > 0;
}
