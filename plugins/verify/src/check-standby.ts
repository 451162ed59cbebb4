import {
  activeApplyDelay,
  holdsUnappliedWal,
  lastErrorLine,
  lostSlotProblem,
  lsnDiff,
  lsnReached,
  pollUntil,
  quoteIdent,
  sqlStateOf,
  type PgNode,
  type VersionFacts,
} from '@hotstandby/core';
import { isUnreachable, unreachableState } from '@hotstandby/core';
import { lowerThanPrimary } from './lower-settings.js';
import type { Marker } from './marker-table.js';
import { probeWrite } from './probe-write.js';
import type { CheckResult, StandbyReport } from './verify-report.js';

// SQLSTATE of "cannot execute INSERT in a read-only transaction".
const READ_ONLY_SQL_TRANSACTION = '25006';

// The recipe's checks on one standby: it runs, is in recovery, replays the marker (waiting on its LSN), refuses
// an INSERT with PostgreSQL's read-only error, and its upstream lists it as streaming.
export async function checkStandby(
  standby: PgNode,
  upstream: PgNode,
  primary: PgNode,
  marker: Marker,
  options: { database: string; timeoutMs: number; facts: VersionFacts; signal: AbortSignal; applyDelay?: string; slot?: string },
): Promise<StandbyReport> {
  const checks: CheckResult[] = [];
  const report: StandbyReport = {
    name: standby.name,
    upstream: upstream.name,
    ok: false,
    delayedBy: options.applyDelay ?? null,
    inRecovery: null,
    readOnly: null,
    rowReplicated: null,
    streaming: null,
    replayLagBytes: null,
    replayLagSeconds: null,
    waitedMs: null,
    checks,
  };
  // A standby whose host could not be reached is reported by name at once; the others are still checked.
  if (isUnreachable(standby.machine)) {
    checks.push({ name: 'running', ok: false, detail: `${unreachableState(standby.machine)} (fix: ${standby.machine.error.fix ?? 'make ssh to it work'})` });
    return report;
  }
  if (!(await standby.isRunning())) {
    checks.push({ name: 'running', ok: false, detail: `${standby.name} is not running (start it with hotstandby up)` });
    return report;
  }
  checks.push({ name: 'running', ok: true, detail: `pid ${await standby.pid()}` });

  report.inRecovery = await standby.isInRecovery();
  checks.push({
    name: 'in-recovery',
    ok: report.inRecovery,
    detail: report.inRecovery ? 'pg_is_in_recovery() is true' : 'pg_is_in_recovery() is false: this node is a primary, not a standby',
  });
  if (!report.inRecovery) return report;
  // A delay set by hand on the standby (ALTER SYSTEM) holds replay back just as a configured one does.
  const inEffect = options.applyDelay ? undefined : await activeApplyDelay(standby);
  if (inEffect) {
    options = { ...options, applyDelay: inEffect };
    report.delayedBy = inEffect;
  }

  const started = Date.now();
  const upstreamUnreachable = upstream !== primary && isUnreachable(upstream.machine);
  const upstreamDown = upstream !== primary && (upstreamUnreachable || !(await upstream.isRunning()));
  if (upstreamDown) {
    // Its upstream standby is down (or its host cannot be reached): no new WAL can reach it, so there is nothing to wait for.
    report.rowReplicated = false;
    checks.push({
      name: 'row-replicated',
      ok: false,
      detail: isUnreachable(upstream.machine)
        ? `its upstream ${upstream.name} is ${unreachableState(upstream.machine)}, so no new WAL is known to reach it`
        : `its upstream ${upstream.name} is not running, so no new WAL reaches it (start ${upstream.name})`,
    });
  } else if (options.applyDelay) await checkDelayed(standby, marker, options, report, started);
  else await checkReplayed(standby, marker, { ...options, upstream, primary }, report, started);

  // The recipe's probe is an INSERT into the replicated table; a standby that has not replayed it (delayed or
  // paused) is asked to create a table instead, which a read-only server refuses just the same.
  const useInsert = report.rowReplicated === true && !options.applyDelay;
  try {
    const write = probeWrite(marker.table, useInsert);
    await standby.query(write, [], options.database);
    report.readOnly = false;
    checks.push({ name: 'read-only', ok: false, detail: 'an INSERT succeeded on the standby' });
  } catch (error) {
    const state = sqlStateOf(error);
    report.readOnly = state === READ_ONLY_SQL_TRANSACTION;
    checks.push({
      name: 'read-only',
      ok: report.readOnly,
      detail: report.readOnly
        ? `${useInsert ? 'INSERT' : 'CREATE TABLE'} refused: cannot execute ${useInsert ? 'INSERT' : 'CREATE TABLE'} in a read-only transaction (25006)`
        : `the write failed for another reason: ${(error as Error).message}`,
    });
  }

  // The upstream may itself be a standby (cascading), so lag in bytes is measured against the primary below.
  const seen = upstreamDown
    ? undefined
    : await upstream.queryOne<{ state: string; replay_lag: number | null }>(
        `SELECT state, ${options.facts.statReplication.hasLagTimes ? 'EXTRACT(EPOCH FROM replay_lag)::float8' : 'NULL::float8'} AS replay_lag ` +
          'FROM pg_stat_replication WHERE application_name = $1',
        [standby.name],
      );
  report.streaming = seen?.state === 'streaming';
  const waitingByDesign = !report.streaming && options.applyDelay ? await holdsUnappliedWal(standby) : undefined;
  checks.push({
    name: 'streaming',
    ok: report.streaming || waitingByDesign !== undefined,
    detail: seen
      ? `pg_stat_replication on ${upstream.name}: state ${seen.state}`
      : upstreamDown
        ? `its upstream ${upstream.name} is ${upstreamUnreachable ? 'unreachable' : 'not running'}`
        : waitingByDesign
          ? `not streaming yet, by design (${options.applyDelay}): ${waitingByDesign}`
          : `${upstream.name} lists no walsender for ${standby.name}`,
  });
  const primaryLsn = await primary.lsn('write');
  const replayed = await standby.lsn('replay');
  report.replayLagBytes = primaryLsn && replayed ? lsnDiff(primaryLsn, replayed) : null;
  report.replayLagSeconds = seen?.replay_lag ?? (seen ? 0 : null);
  report.ok = checks.every((c) => c.ok);
  return report;
}

// Why replay did not reach the marker: not receiving, or receiving but replay paused or delayed.
async function replayDiagnosis(
  standby: PgNode,
  upstream: PgNode,
  primary: PgNode,
  slot: string | undefined,
  target: string,
  facts: VersionFacts,
  timeout: string,
): Promise<string> {
  try {
    const received = await standby.lsn('receive');
    const replayed = await standby.lsn('replay');
    const receiver = await standby.queryOne<{ status: string | null }>('SELECT status FROM pg_stat_wal_receiver');
    const paused = await standby.queryOne<{ paused: boolean }>(`SELECT ${facts.fn.isReplayPaused}() AS paused`);
    if (!receiver?.status) {
      const lost = await lostSlotProblem(upstream, slot, standby.name);
      if (lost) return `${timeout}; ${lost}`;
      const why = await lastReplicationError(standby);
      return `${timeout}; the standby receives no WAL (no walreceiver)${why ? `; its log says: ${why}` : ''} (log: ${standby.logFile})`;
    }
    const lower = paused?.paused ? await lowerThanPrimary(standby, primary) : undefined;
    if (lower) return `${timeout}; replay is paused at ${replayed}: ${lower}`;
    if (paused?.paused) return `${timeout}; WAL received up to ${received} but replay is paused at ${replayed} (${facts.fn.replayResume}() continues it)`;
    return `${timeout}; WAL received up to ${received ?? 'nothing'}, replayed up to ${replayed ?? 'nothing'}, target ${target}`;
  } catch {
    return timeout;
  }
}

// A delayed standby applies WAL only after its delay, by design: it passes when it has *received* the marker's
// WAL (flushed to its disk) in time; replaying it is left to the delay.
async function checkDelayed(
  standby: PgNode,
  marker: Marker,
  options: { timeoutMs: number; signal: AbortSignal; applyDelay?: string },
  report: StandbyReport,
  started: number,
): Promise<void> {
  let received: string | null = null;
  // A delayed standby that already holds WAL it has not applied does not reconnect (after its upstream
  // changed, say) until it has applied that WAL, after the delay: that is by design, not a fault.
  const holding = await holdsUnappliedWal(standby);
  if (holding) {
    report.rowReplicated = null;
    report.checks.push({ name: 'row-replicated', ok: true, detail: `delayed by design (${options.applyDelay}): ${holding}` });
    return;
  }
  try {
    let byDesign: string | undefined;
    await pollUntil(
      async () => {
        received = await standby.lsn('receive');
        if (lsnReached(received, marker.lsn)) return true;
        // Across a timeline switch its walreceiver waits for the startup process, which waits out the delay.
        byDesign = await holdsUnappliedWal(standby);
        return byDesign ? true : undefined;
      },
      { timeoutMs: options.timeoutMs, what: `${standby.name} to receive WAL up to ${marker.lsn}`, signal: options.signal },
    );
    if (byDesign) {
      report.rowReplicated = null;
      report.checks.push({ name: 'row-replicated', ok: true, detail: `delayed by design (${options.applyDelay}): ${byDesign}` });
      return;
    }
    report.waitedMs = Date.now() - started;
    report.rowReplicated = true;
    report.checks.push({
      name: 'row-replicated',
      ok: true,
      detail: `delayed by design (${options.applyDelay}): received the marker's WAL (${received}) after ${report.waitedMs} ms; it is applied after the delay`,
    });
  } catch (error) {
    report.rowReplicated = false;
    report.checks.push({ name: 'row-replicated', ok: false, detail: `${(error as Error).message}; received up to ${received ?? 'nothing'}` });
  }
}

// The recipe's check: the standby replays past the marker's LSN in time, and the row is there.
async function checkReplayed(
  standby: PgNode,
  marker: Marker,
  options: { database: string; timeoutMs: number; facts: VersionFacts; signal: AbortSignal; upstream: PgNode; primary: PgNode; slot?: string },
  report: StandbyReport,
  started: number,
): Promise<void> {
  // A lost slot never recovers: say so at once rather than after the timeout.
  const lost = await lostSlotProblem(options.upstream, options.slot, standby.name);
  if (lost) {
    report.rowReplicated = false;
    report.checks.push({ name: 'row-replicated', ok: false, detail: lost });
    return;
  }
  // A replay paused because the primary raised a setting above the standby's never resumes by itself.
  const paused = await standby.queryOne<{ paused: boolean }>(`SELECT ${options.facts.fn.isReplayPaused}() AS paused`).catch(() => undefined);
  const lower = paused?.paused ? await lowerThanPrimary(standby, options.primary) : undefined;
  if (lower) {
    report.rowReplicated = false;
    report.checks.push({ name: 'row-replicated', ok: false, detail: `replay is paused: ${lower}` });
    return;
  }
  try {
    await standby.waitForReplay(marker.lsn, options.timeoutMs, options.signal);
    report.waitedMs = Date.now() - started;
    const rows = await standby.query<{ token: string }>(`SELECT token FROM public.${quoteIdent(marker.table)} WHERE id = 1`, [], options.database);
    report.rowReplicated = rows[0]?.token === marker.token;
    report.checks.push({
      name: 'row-replicated',
      ok: report.rowReplicated,
      detail: report.rowReplicated ? `marker row visible after ${report.waitedMs} ms (replayed past ${marker.lsn})` : 'replayed past the marker but the row is missing',
    });
  } catch (error) {
    report.rowReplicated = false;
    report.checks.push({
      name: 'row-replicated',
      ok: false,
      detail: await replayDiagnosis(standby, options.upstream, options.primary, options.slot, marker.lsn, options.facts, (error as Error).message),
    });
  }
}

// The last error the standby logged about replication (a refused login, WAL already removed ...), if any.
async function lastReplicationError(standby: PgNode): Promise<string | undefined> {
  return lastErrorLine(await standby.logTail(40).catch(() => ''));
}
