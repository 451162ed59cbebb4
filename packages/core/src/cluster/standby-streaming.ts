import { pollUntil } from '../util/poll.js';
import { upstreamOf } from '../config/cluster-spec.js';
import { activeApplyDelay } from '../postgres/apply-delay.js';
import type { PgNode } from '../postgres/pg-node.js';
import { passfileModeProblem } from '../postgres/passfile-mode.js';
import { lostSlotProblem } from '../postgres/replication-slots.js';
import { lastErrorLine, logTail } from '../postgres/server-log.js';
import { holdsUnappliedWal } from '../postgres/unapplied-wal.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// How a standby that was just started replicates: streaming, waiting by design (a delayed standby applying the
// WAL it holds first), or not streaming and why.
export type StreamingCheck = { streaming: true } | { streaming: false; byDesign: string } | { streaming: false; problem: string };

// Log lines of a start that are not about replication: pg_ctl's own connection probes while the server starts.
const START_NOISE = /the database system is (starting up|not yet accepting connections|shutting down)/;

// How long a standby whose upstream runs may keep failing to connect before start reports the error it logged.
const RETRY_GRACE_MS = 12_000;

// Wait until a standby that was just started streams from its upstream, or until it is clear it will not: its
// slot there is lost, its walreceiver logged an error (quoted), or timeoutMs passed. logOffset is where the
// server log stood before the start, so only this start's lines are read.
export async function checkStreamingAfterStart(rt: ClusterRuntime, node: PgNode, logOffset: number, timeoutMs = 30_000): Promise<StreamingCheck> {
  const spec = rt.spec.standbys.find((s) => s.name === node.name);
  if (!spec || !(await node.isInRecovery().catch(() => false))) return { streaming: true };
  const upstream = rt.node(upstreamOf(rt.spec, spec).name);
  const delay = await activeApplyDelay(node);
  let logged: string | undefined;
  let upstreamRunning = false;
  const began = Date.now();
  const seen = await pollUntil(
    async () => {
      const receiver = await node.queryOne<{ status: string | null }>('SELECT status FROM pg_stat_wal_receiver').catch(() => undefined);
      if (receiver?.status === 'streaming') return 'streaming' as const;
      upstreamRunning = await upstream.isRunning();
      if (upstreamRunning) {
        const lost = await lostSlotProblem(upstream, spec.slot, node.name);
        if (lost) return { problem: lost };
      }
      const byDesign = delay ? await holdsUnappliedWal(node).catch(() => undefined) : undefined;
      if (byDesign) return { byDesign: `a delayed standby (recovery_min_apply_delay ${delay}): ${byDesign}` };
      logged = lastReplicationError(await logTail(node.logFile, 40, logOffset, node.machine));
      // With its upstream up, one failed attempt may be passing: the walreceiver retries every few seconds
      // (wal_retrieve_retry_interval, 5 s by default), so an error ends the wait only once retries had time.
      if (logged && upstreamRunning && Date.now() - began < RETRY_GRACE_MS) return undefined;
      return logged ? 'logged' : undefined;
    },
    { timeoutMs, what: `${node.name} to stream from ${upstream.name}` },
  ).catch(() => 'timeout' as const);
  if (seen === 'streaming') return { streaming: true };
  if (typeof seen === 'object') return { streaming: false, ...seen };
  const says = logged ? `; its log says: ${logged}` : seen === 'timeout' ? `; nothing in its log says why after ${Math.round(timeoutMs / 1000)} s` : '';
  // libpq ignores a passfile that group or others can read, and the walreceiver then has no password.
  const passfile = await passfileModeProblem(rt.layout.replicationPassfile, rt.serverUser.uid);
  const passfileSays = passfile ? `; the replication passfile ${rt.layout.replicationPassfile} has ${passfile}: hotstandby up repairs it` : '';
  const reason = upstreamRunning
    ? `it does not stream from ${upstream.name}${says}${passfileSays} (log: ${node.logFile})`
    : `its upstream ${upstream.name} is not running${says}; start it with hotstandby start ${upstream.name}`;
  return { streaming: false, problem: reason };
}

// The last error a starting standby logged (its walreceiver's refused connection, a missing slot ...), if any;
// the refusals of its own start-up are not it.
export function lastReplicationError(tail: string): string | undefined {
  return lastErrorLine(tail, START_NOISE);
}
