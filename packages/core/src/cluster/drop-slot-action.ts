import type { SqlAction } from '../executor/action.js';

// The SQL action that drops a physical replication slot on a node unless a walsender uses it (an active slot
// belongs to a standby that still streams); dropping a slot that is gone already changes nothing.
export function dropInactiveSlotAction(node: string, slot: string, summary: string): SqlAction {
  return {
    kind: 'sql',
    node,
    sql: 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
    params: [slot],
    summary,
  };
}
