import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { OperationPlan, PlanStep } from '../executor/operation-plan.js';
import { activeApplyDelay } from '../postgres/apply-delay.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { cleanShutdownCheck, promotionActions, replayPastShutdownWait } from './failover-actions.js';
import { pipelineStep, type Pipeline } from './pipeline-step.js';
import { replayPaused } from './promotion-preview.js';
import { topologyAfterPromotion, topologyAfterRejoin } from './topology-change.js';
import { rejoinSteps, type RejoinMethod } from './rejoin.js';

// switchover as a plan: the planned swap with nothing lost. Stop the primary cleanly (its walsenders send
// everything, up to the shutdown checkpoint), wait until the standby has replayed past that checkpoint, promote
// it. The old primary then stopped exactly before the new timeline forks, so it follows it without a rewind. If
// the standby does not catch up in time the old primary is started again as the primary and nothing changed.
export async function planSwitchover(
  rt: ClusterRuntime,
  name: string,
  options: { timeoutMs?: number; pipeline: Pipeline },
): Promise<{ plan: OperationPlan; oldPrimary: string; method: RejoinMethod }> {
  const target = rt.node(name);
  const spec = rt.spec.standbys.find((s) => s.name === name);
  const old = rt.primary;
  if (!spec)
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a standby of this cluster`, {
      where: { node: name },
      fix: `name one of: ${rt.spec.standbys.map((s) => s.name).join(', ')}`,
    });
  if (spec.upstream !== old.name) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} streams from ${spec.upstream}, not from the primary ${old.name}`, {
      where: { node: name },
      fix: 'switch over to a standby connected to the primary',
    });
  }
  if (spec.applyDelay) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is delayed by ${spec.applyDelay}; a switchover would wait for the whole delay`, {
      where: { node: name },
      fix: 'choose a standby without applyDelay, or promote it deliberately (hotstandby promote --force)',
    });
  }
  if (!(await old.isRunning()))
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `the primary ${old.name} is not running; use promote for a failover`, { fix: `hotstandby promote ${name}` });
  const streaming = await old.queryOne<{ state: string }>('SELECT state FROM pg_stat_replication WHERE application_name = $1', [name]);
  if (streaming?.state !== 'streaming') {
    throw new HotstandbyError('STANDBY_NOT_STREAMING', `${name} is not streaming from ${old.name} (${streaming?.state ?? 'not connected'}), so it could miss WAL`, {
      where: { node: name },
      fix: `bring it up to date first (hotstandby up, then hotstandby verify)`,
    });
  }
  // A delay or a pause the config does not know of (hotstandby lag, or by hand) holds replay back just the same:
  // the switchover would wait for it and time out. Refused up front, naming how to take it out.
  const delay = await activeApplyDelay(target);
  if (delay) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} applies WAL ${delay} after commit (recovery_min_apply_delay); a switchover would wait for the whole delay`, {
      where: { node: name },
      fix: `take the delay out first (hotstandby lag ${name} --delay 0), or choose another standby`,
    });
  }
  if (await replayPaused(target)) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} has WAL replay paused; a switchover would wait for it until it timed out`, {
      where: { node: name },
      fix: `resume replay first (hotstandby lag ${name} --resume), or choose another standby`,
    });
  }
  const follow = { method: 'follow' as const, detail: `${old.name} stops cleanly before ${name}'s timeline forks: no rewind needed` };
  const steps: PlanStep[] = [
    {
      title: `stopping the primary ${old.name} cleanly`,
      actions: [
        { kind: 'node', node: old.name, op: 'stop', mode: 'fast', summary: `stop ${old.name} (fast: its walsenders send everything up to the shutdown checkpoint)` },
        cleanShutdownCheck(old),
      ],
      ifFails: `start ${old.name} again (hotstandby start ${old.name}); nothing else changed`,
    },
    {
      title: `waiting until ${name} has replayed ${old.name}'s shutdown checkpoint`,
      actions: [replayPastShutdownWait(target, old, options.timeoutMs ?? 60_000)],
      ifFails: `start ${old.name} again as the primary (hotstandby start ${old.name}); nothing else changed`,
    },
    {
      title: `promoting ${name}`,
      actions: promotionActions(rt.store, rt.configSpec.primary.name, target, old.name),
      check: `SELECT pg_is_in_recovery() on ${name} returns f`,
      ifFails: `if ${name} is still in recovery, start ${old.name} again as the primary; nothing else changed`,
    },
    ...(await rejoinSteps(rt, old, follow, target)),
  ];
  return {
    oldPrimary: old.name,
    method: follow.method,
    plan: {
      command: `switchover ${name}`,
      purpose: `Swap roles with nothing lost: ${name} becomes the primary and ${old.name} follows it as a standby.`,
      checked: [`${name} streams from the primary ${old.name}`, `${name} has no apply delay`, `${old.name} runs`],
      steps: [
        ...steps,
        await pipelineStep(rt, options.pipeline, topologyAfterRejoin(topologyAfterPromotion(rt.state.topology, rt.configSpec.primary.name, name, old.name), old.name), steps),
      ],
    },
  };
}
