import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { OperationPlan, PlanStep } from '../executor/operation-plan.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { promotionActions } from './failover-actions.js';
import { pipelineStep, type Pipeline } from './pipeline-step.js';
import { topologyAfterPromotion } from './topology-change.js';
import { promotionPreview, refuseUnpromotable } from './promotion-preview.js';

// promote as a plan: make a standby the primary (pg_ctl promote, which every major from 10 supports and waits
// for). Refused while the current primary runs — never two primaries — unless force, which stops it cleanly
// first. The preview says what the standby holds that it has not replayed yet.
export async function planPromote(
  rt: ClusterRuntime,
  name: string,
  options: { force?: boolean; pipeline: Pipeline },
): Promise<{ plan: OperationPlan; oldPrimary: string; preview: string[] }> {
  const node = rt.node(name);
  const old = rt.primary;
  if (!rt.spec.standbys.some((s) => s.name === name)) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a standby of this cluster (the primary is ${old.name})`, {
      where: { node: name },
      fix: `name one of: ${rt.spec.standbys.map((s) => s.name).join(', ') || '(no standbys)'}`,
    });
  }
  if (!(await node.isRunning()) || !(await node.isInRecovery())) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a running standby`, { where: { node: name }, fix: `start it first (hotstandby start ${name})` });
  }
  await refuseUnpromotable(node);
  const oldRuns = await old.isRunning();
  if (oldRuns && !options.force) {
    throw new HotstandbyError('SPLIT_BRAIN_GUARD', `${old.name} is still running as the primary; promoting ${name} would make two primaries`, {
      where: { node: name },
      fix: `stop ${old.name} first (hotstandby stop ${old.name}), or pass --force to have promote stop it cleanly`,
    });
  }
  const preview = await promotionPreview(node);
  const steps: PlanStep[] = [];
  if (oldRuns) {
    steps.push({
      title: `stopping the old primary ${old.name} (fast), so there are never two primaries`,
      actions: [{ kind: 'node', node: old.name, op: 'stop', mode: 'fast', summary: `stop ${old.name} (fast)` }],
    });
  }
  steps.push({
    title: `promoting ${name}`,
    actions: promotionActions(rt.store, rt.configSpec.primary.name, node, old.name),
    check: `SELECT pg_is_in_recovery() on ${name} returns f`,
    ifFails: `if ${name} is still in recovery nothing changed: see its log (${node.logFile}); hotstandby settles a half-recorded promotion by itself`,
  });
  steps.push(await pipelineStep(rt, options.pipeline, topologyAfterPromotion(rt.state.topology, rt.configSpec.primary.name, name, old.name), steps));
  return {
    oldPrimary: old.name,
    preview,
    plan: {
      command: `promote ${name}${options.force ? ' --force' : ''}`,
      purpose: `Make the standby ${name} the primary; the other standbys then follow it. ${old.name} waits to rejoin.`,
      checked: [`${name} is a running standby`, oldRuns ? `${old.name} runs: it is stopped first (--force)` : `${old.name} is stopped`, ...preview],
      steps,
      after: [`${old.name} waits: "hotstandby rejoin ${old.name}" makes it a standby of ${name}`],
    },
  };
}
