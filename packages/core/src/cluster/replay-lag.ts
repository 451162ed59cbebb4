import { readFile } from 'node:fs/promises';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Action } from '../executor/action.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import { editSettingsFile, settingsFilePath } from '../postgres/settings-file.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// What `lag` does to a standby: pause or resume its WAL replay, or apply WAL a fixed time after commit.
export type LagChange = { pause: true } | { resume: true } | { delay: string };

// A recovery_min_apply_delay value as PostgreSQL reads it: a whole number with a time unit, or 0.
const DELAY = /^(0|\d+(ms|s|min|h|d))$/;

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
  if (!(await node.isRunning())) {
    throw new HotstandbyError('CONNECTION_FAILED', `${name} is not running`, { where: { node: name }, fix: `start it first: hotstandby start ${name}` });
  }
  const facts = node.facts;
  const checked = [`${name} is a running standby`];
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
  const delay = change.delay.replace(/\s+/g, '');
  if (!DELAY.test(delay)) {
    throw new HotstandbyError('CONFIG_INVALID', `--delay ${change.delay} is not a duration PostgreSQL reads`, {
      fix: 'give a whole number with a unit: 500ms, 2s, 5min, 1h, 1d (0 takes the delay out)',
    });
  }
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
  const current = await readFile(file, 'utf8').catch(() => undefined);
  const wanted = editSettingsFile(facts, current, { recovery_min_apply_delay: delay === '0' ? undefined : delay });
  const actions: Action[] =
    wanted === current
      ? []
      : [
          { kind: 'write-file', path: file, content: wanted, owner: 'server', mode: 0o600, summary: `set recovery_min_apply_delay = '${delay}' in ${file}` },
          { kind: 'node', node: name, op: 'reload', summary: `reload ${name} so it applies WAL ${delay === '0' ? 'without delay' : `${delay} after commit`}` },
        ];
  return {
    command: `lag ${name} --delay ${delay}`,
    purpose: `Apply WAL on ${name} ${delay === '0' ? 'as soon as it arrives' : `${delay} after it was committed`} (recovery_min_apply_delay).`,
    checked,
    steps: [{ title: `Set the apply delay of ${name}`, actions, check: `SELECT current_setting('recovery_min_apply_delay') on ${name} shows ${delay}` }],
    after: [
      `hotstandby up puts the config's applyDelay back${rt.spec.standbys.find((s) => s.name === name)?.applyDelay ? '' : ' (none is configured for it)'}; lag ${name} --delay 0 takes the delay out now`,
    ],
  };
}
