import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import { planAdoptTopology } from './adopt-topology.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import type { Pipeline } from './pipeline-step.js';
import { planPromote } from './promote.js';
import { planRejoin } from './rejoin.js';
import { planSwitchover } from './switchover.js';

// What a command was asked to do: its arguments and the flags that change its plan.
export interface PlanRequest {
  args: readonly string[];
  force?: boolean;
}

// Plans one command from the cluster as it is, changing nothing; pipeline runs `up`'s steps when applied.
export type OperationPlanner = (rt: ClusterRuntime, request: PlanRequest, pipeline: Pipeline) => Promise<OperationPlan>;

// The commands that can be planned (for --dry-run, --json and `hotstandby runbook`), each with its arguments.
export const operationPlanners: Readonly<Record<string, { usage: string; plan: OperationPlanner }>> = {
  promote: { usage: 'promote <standby> [--force]', plan: async (rt, r, pipeline) => (await planPromote(rt, argument(r, 'promote'), { force: r.force, pipeline })).plan },
  switchover: { usage: 'switchover <standby>', plan: async (rt, r, pipeline) => (await planSwitchover(rt, argument(r, 'switchover'), { pipeline })).plan },
  rejoin: { usage: 'rejoin <former-primary>', plan: async (rt, r, pipeline) => (await planRejoin(rt, argument(r, 'rejoin'), pipeline)).plan },
  'adopt-topology': { usage: 'adopt-topology', plan: (rt) => planAdoptTopology(rt) },
};

// The planner of a command, or a clear refusal naming those that exist.
export function plannerOf(command: string): OperationPlanner {
  const found = Object.hasOwn(operationPlanners, command) ? operationPlanners[command] : undefined;
  if (!found) {
    throw new HotstandbyError('NO_PLAN', `"${command}" cannot be planned`, {
      fix: `commands with a plan: ${Object.values(operationPlanners)
        .map((p) => p.usage)
        .join('; ')}`,
    });
  }
  return found.plan;
}

function argument(request: PlanRequest, command: string): string {
  const name = request.args[0];
  if (!name || request.args.length > 1) throw new HotstandbyError('NO_PLAN', `${command} takes one node name`, { fix: `hotstandby runbook ${operationPlanners[command]!.usage}` });
  return name;
}
