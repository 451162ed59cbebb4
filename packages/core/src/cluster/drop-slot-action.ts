import type { SqlAction } from '../executor/action.js';
import { DROP_INACTIVE_SLOT_SQL } from '../postgres/replication-slots.js';

// The SQL action that drops a physical replication slot on a node unless a walsender uses it (an active slot
// belongs to a standby that still streams); dropping a slot that is gone already changes nothing.
export function dropInactiveSlotAction(node: string, slot: string, summary: string): SqlAction {
  return {
    kind: 'sql',
    node,
    sql: DROP_INACTIVE_SLOT_SQL,
    params: [slot],
    summary,
  };
}
