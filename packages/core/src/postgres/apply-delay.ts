import type { PgNode } from './pg-node.js';

// The recovery_min_apply_delay a running standby actually uses ("1h", "5min"), whoever set it (the config,
// ALTER SYSTEM, an edited postgresql.conf); null when it applies WAL at once or cannot be asked.
export async function activeApplyDelay(standby: PgNode): Promise<string | null> {
  const row = await standby.queryOne<{ delay: string }>("SELECT current_setting('recovery_min_apply_delay') AS delay").catch(() => undefined);
  if (!row || /^0(ms|s|min|h|d)?$/.test(row.delay.trim())) return null;
  return row.delay;
}
