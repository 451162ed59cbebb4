import type { PgNode } from './pg-node.js';

// The recovery_min_apply_delay a running standby actually uses ("1h", "5min"), whoever set it (the config,
// ALTER SYSTEM, an edited postgresql.conf); null when it applies WAL at once or cannot be asked.
export async function activeApplyDelay(standby: PgNode): Promise<string | null> {
  const row = await standby.queryOne<{ delay: string }>("SELECT current_setting('recovery_min_apply_delay') AS delay").catch(() => undefined);
  if (!row || /^0(ms|s|min|h|d)?$/.test(row.delay.trim())) return null;
  return row.delay;
}

// Milliseconds per unit of a recovery_min_apply_delay value (PostgreSQL's time units for a setting in ms).
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

// A delay such as "5min" or "0" in milliseconds, as PostgreSQL converts it (a bare number is milliseconds).
export function applyDelayMs(delay: string): number {
  const match = /^(\d+)\s*(ms|s|min|h|d)?$/.exec(delay.trim());
  if (!match) throw new Error(`not a delay: ${delay}`);
  return Number(match[1]) * UNIT_MS[match[2] ?? 'ms']!;
}
