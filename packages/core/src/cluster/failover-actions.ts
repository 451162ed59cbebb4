import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Action, CheckAction, WaitAction } from '../executor/action.js';
import { lsnAfter } from '../postgres/lsn.js';
import { readControlFacts } from '../postgres/pg-control.js';
import type { PgNode } from '../postgres/pg-node.js';
import { quoteShellArg as q } from '../postgres/quoting.js';
import type { StateStore } from '../state/state-store.js';
import { changeTopology, recordPromotion } from './topology-change.js';

// The shell line that prints a stopped node's pg_control field (runbooks): pg_controldata as the server account.
export function controlDataLine(node: PgNode, field: string): string {
  return `as_server env LC_ALL=C "$PGBIN"/pg_controldata -D ${q(node.dataDir)} | sed -n ${q(`s/^${field}: *//p`)}`;
}

// Check that a node stopped cleanly (pg_control says "shut down"): only then is its last checkpoint final.
export function cleanShutdownCheck(node: PgNode): CheckAction {
  return {
    kind: 'check',
    node: node.name,
    summary: `${node.name} shut down cleanly (pg_control says "shut down")`,
    async run() {
      const { state } = await readControlFacts(node.dataDir, node.machine);
      if (state !== 'shut down') throw new HotstandbyError('SERVER_STOP_FAILED', `${node.name} did not shut down cleanly (${state})`, { where: { node: node.name } });
    },
    byHand: {
      sh: `[ "$(${controlDataLine(node, 'Database cluster state')})" = 'shut down' ] || { echo ${q(`${node.name} did not shut down cleanly`)} >&2; exit 1; }`,
      text: `pg_controldata -D ${node.dataDir} says "Database cluster state: shut down"`,
    },
  };
}

// Wait until a standby has replayed past the stopped primary's shutdown checkpoint (so it holds everything the
// primary wrote); when it does not in time, the old primary starts again as the primary and nothing changed.
export function replayPastShutdownWait(target: PgNode, old: PgNode, timeoutMs: number): WaitAction {
  const seconds = Math.ceil(timeoutMs / 1000);
  const fn = target.facts.fn;
  const replayedPast = `SELECT ${fn.walLsnDiff}(${fn.lastReplayLsn}(), '$ckpt') > 0`;
  return {
    kind: 'wait',
    node: target.name,
    timeoutMs,
    summary: `${target.name} to replay past ${old.name}'s shutdown checkpoint`,
    async until() {
      const { checkpoint } = await readControlFacts(old.dataDir, old.machine);
      const replayed = await target.lsn('replay');
      if (lsnAfter(replayed, checkpoint)) return true;
      return `replayed up to ${replayed ?? 'nothing'}, the checkpoint is at ${checkpoint}`;
    },
    async onTimeout() {
      await old.start();
    },
    ifFails: `${target.name} did not catch up, so ${old.name} was started again as the primary and nothing changed; find why ${target.name} lags (hotstandby status), then try again`,
    byHand: {
      sh: [
        `ckpt=$(${controlDataLine(old, 'Latest checkpoint location')})`,
        'i=0',
        `until [ "$(sql_at ${q(target.host)} ${target.port} postgres -Atc "${replayedPast}")" = t ]; do`,
        `  i=$((i + 1)); if [ "$i" -ge ${seconds} ]; then echo ${q(`${target.name} did not replay past ${old.name}'s checkpoint $ckpt in ${seconds} s: start ${old.name} again`)} >&2; exit 1; fi`,
        '  sleep 1',
        'done',
      ].join('\n'),
      text: `${fn.lastReplayLsn}() on ${target.name} is past the "Latest checkpoint location" pg_controldata shows for ${old.name}`,
    },
  };
}

// Promote a standby with the intent recorded first, so that a command killed between pg_ctl promote and recording
// it leaves a state the next command settles (never two primaries); then record the new primary.
export function promotionActions(store: StateStore, configPrimary: string, target: PgNode, oldPrimary: string): Action[] {
  return [
    {
      kind: 'record',
      summary: `a promotion of ${target.name} is under way`,
      run: () => changeTopology(store, (t) => void (t.pendingPromotion = { newPrimary: target.name, oldPrimary })),
    },
    { kind: 'node', node: target.name, op: 'promote', summary: `promote ${target.name} (pg_ctl promote, waiting until it accepts writes)` },
    {
      kind: 'record',
      summary: `${target.name} is the primary; ${oldPrimary} waits for rejoin`,
      run: () => recordPromotion(store, configPrimary, target.name, oldPrimary),
    },
  ];
}
