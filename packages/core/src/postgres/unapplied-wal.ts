import { lsnReached } from './lsn.js';
import type { PgNode } from './pg-node.js';

// For a delayed standby that does not stream: why that is by design, if it is. After a restart or a timeline
// switch it streams again only once it has applied the WAL it already holds, after its delay; meanwhile its
// startup process waits in RecoveryApplyDelay (and after a restart it has not received anything yet).
export async function holdsUnappliedWal(standby: PgNode): Promise<string | undefined> {
  const receiver = await standby.queryOne<{ status: string | null }>('SELECT status FROM pg_stat_wal_receiver');
  if (receiver?.status === 'streaming') return undefined;
  const replayed = await standby.lsn('replay');
  const startup = standby.facts.startupProcessVisible
    ? await standby.queryOne<{ wait_event: string | null }>("SELECT wait_event FROM pg_stat_activity WHERE backend_type = 'startup'").catch(() => undefined)
    : undefined;
  if (startup?.wait_event === 'RecoveryApplyDelay') {
    return `it is applying WAL it already holds once its delay has passed (applied up to ${replayed ?? 'nothing'}) and streams from its upstream after that`;
  }
  if (receiver?.status) return undefined;
  const received = await standby.lsn('receive');
  if (!received || !replayed || lsnReached(replayed, received)) return undefined;
  return `it holds WAL up to ${received} not applied yet (applied up to ${replayed}) and reconnects to its upstream once it has applied it`;
}
