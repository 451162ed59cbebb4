import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Action } from '../executor/action.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import { applyDelayMs } from '../postgres/apply-delay.js';
import type { PgNode } from '../postgres/pg-node.js';
import { logSize } from '../postgres/server-log.js';
import { editSettingsFile, settingsFilePath } from '../postgres/settings-file.js';
import { MAX_APPLY_DELAY_MS } from '../postgres/versions.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// What `lag` does to a standby: pause or resume its WAL replay, or apply WAL a fixed time after commit.
export type LagChange = { pause: true } | { resume: true } | { delay: string };

// A recovery_min_apply_delay value as PostgreSQL reads it: a whole number with a time unit, or 0.
const DELAY = /^(0|\d+(ms|s|min|h|d))$/;

// The --delay value without blanks, refused (before anything changes) unless PostgreSQL would take it.
function checkedDelay(given: string): string {
  const delay = given.replace(/\s+/g, '');
  if (!DELAY.test(delay)) {
    throw new HotstandbyError('CONFIG_INVALID', `--delay ${given} is not a duration PostgreSQL reads`, {
      fix: 'give a whole number with a unit: 500ms, 2s, 5min, 1h, 1d (0 takes the delay out)',
    });
  }
  if (applyDelayMs(delay) > MAX_APPLY_DELAY_MS) {
    throw new HotstandbyError('CONFIG_INVALID', `--delay ${given} is longer than PostgreSQL accepts for recovery_min_apply_delay (0 to ${MAX_APPLY_DELAY_MS}ms, about 24 days)`, {
      fix: 'give at most 24d (or 596h, 35791min, 2147483s)',
    });
  }
  return delay;
}

// After the reload: the standby uses the new delay. If it does not (the server refused the value), the settings
// file is put back as it was and reloaded, and the failure carries the server's own message.
function tookDelay(node: PgNode, delay: string, before: { file: string; current: string | undefined; logOffset: number }): Action {
  const wantedMs = applyDelayMs(delay);
  return {
    kind: 'check',
    node: node.name,
    summary: `check that ${node.name} applies WAL ${delay === '0' ? 'without delay' : `${delay} after commit`} (pg_settings)`,
    byHand: { text: `SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay' on ${node.name} shows ${wantedMs}` },
    run: async () => {
      const row = await node.queryOne<{ setting: string; source: string }>("SELECT setting, source FROM pg_settings WHERE name = 'recovery_min_apply_delay'");
      if (row && Number(row.setting) === wantedMs) return;
      const refused = await node.queryOne<{ error: string }>(
        "SELECT error FROM pg_file_settings WHERE name = 'recovery_min_apply_delay' AND sourcefile = $1 AND error IS NOT NULL",
        [before.file],
      );
      const said =
        serverSays(await node.logTail(40, before.logOffset)) ??
        refused?.error ??
        `it uses ${row?.setting ?? 'an unknown'}ms (from ${row?.source ?? 'somewhere unknown'}, which wins over ${path.basename(before.file)})`;
      if (before.current === undefined) await node.machine.remove(before.file);
      else await node.machine.writeFileAtomic(before.file, before.current, { mode: 0o600, uid: node.osUser.uid, gid: node.osUser.gid });
      await node.reload();
      throw new HotstandbyError('CONFIG_INVALID', `${node.name} did not take recovery_min_apply_delay = '${delay}': ${said}`, {
        where: { node: node.name, file: before.file },
        fix: `the settings file is back as it was; give a delay PostgreSQL accepts (read ${node.logFile})`,
      });
    },
  };
}

// The server log's line about recovery_min_apply_delay (with its HINT), when a reload refused the value.
function serverSays(tail: string): string | undefined {
  const lines = tail.split('\n');
  const at = lines.findIndex((l) => l.includes('"recovery_min_apply_delay"'));
  if (at < 0) return undefined;
  const clean = (l: string) => l.replace(/^.*?\b(LOG|ERROR|HINT|DETAIL):\s*/, '').trim();
  const hint = lines[at + 1] && /\b(HINT|DETAIL):/.test(lines[at + 1]!) ? ` (${clean(lines[at + 1]!)})` : '';
  return clean(lines[at]!) + hint;
}

// Plan a replication fault on one running standby, for testing applications against a replica that is behind:
// pause/resume (SQL, until resumed or restarted), or a delay (recovery_min_apply_delay in the standby's settings
// file, then a reload; 0 takes it out). Everything is checked before the plan changes anything.
export async function planLag(rt: ClusterRuntime, name: string, change: LagChange): Promise<OperationPlan> {
  const node = rt.node(name);
  if (!rt.standbys.includes(node)) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a standby: only a standby replays WAL`, {
      where: { node: name },
      fix: `name a standby: ${rt.standbys.map((s) => s.name).join(', ') || 'the cluster has none'}`,
    });
  }
  const delay = 'delay' in change ? checkedDelay(change.delay) : undefined;
  const running = await node.isRunning();
  // Taking a delay out needs no server: a stopped standby's file is edited and read at its next start.
  if (!running && delay !== '0') {
    throw new HotstandbyError('CONNECTION_FAILED', `${name} is not running`, {
      where: { node: name },
      fix: `start it first: hotstandby start ${name}${delay === undefined ? '' : ` (lag ${name} --delay 0 works on a stopped standby)`}`,
    });
  }
  const facts = node.facts;
  const checked = [running ? `${name} is a running standby` : `${name} is a stopped standby (its settings file is edited, read at its next start)`];
  if ('pause' in change || 'resume' in change) {
    const pause = 'pause' in change;
    const fn = pause ? facts.fn.replayPause : facts.fn.replayResume;
    return {
      command: `lag ${name} --${pause ? 'pause' : 'resume'}`,
      purpose: pause
        ? `Stop applying WAL on ${name}: it keeps receiving and serves the data it has, which grows older, until resumed (or restarted).`
        : `Apply WAL on ${name} again, catching up with what it received.`,
      checked,
      steps: [
        {
          title: `${pause ? 'Pause' : 'Resume'} replay on ${name}`,
          actions: [{ kind: 'sql', node: name, sql: `SELECT ${fn}()`, summary: `${pause ? 'pause' : 'resume'} WAL replay on ${name}` }],
        },
      ],
    };
  }
  if (delay === undefined) throw new Error('unreachable: a lag change is pause, resume or delay');
  if (facts.standbySetup !== 'standby.signal') {
    throw new HotstandbyError(
      'UNSUPPORTED_VERSION',
      `--delay needs PostgreSQL 12 or later on ${name} (before 12 recovery_min_apply_delay is in recovery.conf, read only at start)`,
      {
        where: { node: name },
        fix: 'set applyDelay on the standby in the config and run hotstandby up',
      },
    );
  }
  const file = settingsFilePath(facts, node.dataDir);
  const current = (await node.machine.readFile(file))?.toString('utf8');
  const wanted = editSettingsFile(facts, current, { recovery_min_apply_delay: delay === '0' ? undefined : delay });
  const summary = delay === '0' ? `remove recovery_min_apply_delay from ${file}` : `set recovery_min_apply_delay = '${delay}' in ${file}`;
  const write: Action = { kind: 'write-file', node: name, path: file, content: wanted, owner: 'server', mode: 0o600, summary };
  const actions: Action[] =
    wanted === current
      ? []
      : !running
        ? [write]
        : [
            write,
            { kind: 'node', node: name, op: 'reload', summary: `reload ${name} so it applies WAL ${delay === '0' ? 'without delay' : `${delay} after commit`}` },
            tookDelay(node, delay, { file, current, logOffset: await logSize(node.logFile, node.machine) }),
          ];
  return {
    command: `lag ${name} --delay ${delay}`,
    purpose: `Apply WAL on ${name} ${delay === '0' ? 'as soon as it arrives' : `${delay} after it was committed`} (recovery_min_apply_delay).`,
    checked,
    steps: [{ title: `Set the apply delay of ${name}`, actions }],
    after: [
      `hotstandby up puts the config's applyDelay back${rt.spec.standbys.find((s) => s.name === name)?.applyDelay ? '' : ' (none is configured for it)'}; lag ${name} --delay 0 takes the delay out now`,
    ],
  };
}
