import { HotstandbyError } from '../errors/hotstandby-error.js';
import { activeApplyDelay } from '../postgres/apply-delay.js';
import { lsnDiff } from '../postgres/lsn.js';
import type { PgNode } from '../postgres/pg-node.js';

// Refuse, before anything changes, a promotion PostgreSQL would not carry out: before 14 a standby whose replay
// is paused does not promote until replay resumes.
export async function refuseUnpromotable(node: PgNode): Promise<void> {
  const { fn, promoteEndsReplayPause } = node.facts;
  if (promoteEndsReplayPause || !(await replayPaused(node))) return;
  throw new HotstandbyError('TOPOLOGY_CONFLICT', `${node.name} has WAL replay paused, and PostgreSQL ${node.facts.label} does not promote a paused standby until replay resumes`, {
    where: { node: node.name },
    fix: `resume replay on ${node.name} (SELECT ${fn.replayResume}()), then promote it again`,
  });
}

// What a standby about to be promoted holds: how far it has received and replayed WAL, and what the promotion
// does with WAL received but not replayed. PostgreSQL replays all of it before the promotion completes: a
// promotion cuts a recovery_min_apply_delay short and (14+) ends a replay pause. Before 14 a paused standby would
// not promote until resumed (refuseUnpromotable).
export async function promotionPreview(node: PgNode): Promise<string[]> {
  const received = await node.lsn('receive');
  const replayed = await node.lsn('replay');
  const gap = received && replayed ? Math.max(0, lsnDiff(received, replayed)) : 0;
  const lines = [`${node.name}: received WAL up to ${received ?? 'nothing since it started'}, replayed up to ${replayed ?? 'nothing'}: ${gap} bytes received but not replayed`];
  if (await replayPaused(node)) {
    lines.push(`${node.name}: replay is paused; promotion ends the pause and replays the WAL received so far before ${node.name} accepts writes`);
  }
  const delay = await activeApplyDelay(node);
  if (delay)
    lines.push(
      `${node.name}: its recovery_min_apply_delay is ${delay}; promotion stops waiting out the delay and replays the WAL received so far before ${node.name} accepts writes`,
    );
  return lines;
}

// True when the standby's WAL replay is paused (or a pause was requested, 14+).
export async function replayPaused(node: PgNode): Promise<boolean> {
  const { fn } = node.facts;
  const row = await node.queryOne<{ paused: boolean }>(
    fn.replayPauseState ? `SELECT ${fn.replayPauseState}() <> 'not paused' AS paused` : `SELECT ${fn.isReplayPaused}() AS paused`,
  );
  return row?.paused === true;
}
