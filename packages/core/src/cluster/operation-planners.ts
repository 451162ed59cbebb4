import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import { planAdoptTopology } from './adopt-topology.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import type { Pipeline } from './pipeline-step.js';
import { planPromote } from './promote.js';
import { planRejoin } from './rejoin.js';
import { planSwitchover } from './switchover.js';
import { planScripts } from './control-scripts-plan.js';
import { planNodeStart, planNodeStop, planRestart } from './node-control.js';
import { planRebuild } from './rebuild-standby.js';
import { planStandbyRemoval } from './remove-standby.js';
import { planTeardown } from './teardown.js';
import type { StopMode } from '../postgres/pg-node.js';
import { planLag, type LagChange } from './replay-lag.js';
import type { AddStandbyRequest } from './add-standby-request.js';

// What a command was asked to do: its arguments and the flags that change its plan.
export interface PlanRequest {
  args: readonly string[];
  force?: boolean;
  // remove-standby --purge, down --purge.
  purge?: boolean;
  // down --restore.
  restore?: boolean;
  // stop, restart, down: the shutdown mode.
  mode?: StopMode;
  // stop, restart: how long each node may take to stop.
  timeoutSec?: number;
  // lag: pause, resume or delay the standby's replay.
  lag?: LagChange;
  // add-standby: where the new standby goes and what it streams from (its name is the argument).
  standby?: Omit<AddStandbyRequest, 'name'>;
}

// The commands planned by up's own dry run (the pipeline, planned step by step; nodes that do not exist yet are
// planned as fresh ones), each with its arguments.
export const pipelinePlanUsage: Readonly<Record<string, string>> = {
  up: 'up',
  'add-standby': 'add-standby <name> [-- --upstream U --port P --data-dir D --synchronous]',
};

// True for a command whose plan is up's pipeline (up, add-standby).
export function plansThePipeline(command: string): boolean {
  return Object.hasOwn(pipelinePlanUsage, command);
}

// The standby add-standby's plan is for, from the request's one argument and its options.
export function addStandbyRequestOf(request: PlanRequest): AddStandbyRequest {
  return { ...request.standby, name: argument(request, 'add-standby') };
}

// Plans one command from the cluster as it is, changing nothing; pipeline runs `up`'s steps when applied.
export type OperationPlanner = (rt: ClusterRuntime, request: PlanRequest, pipeline: Pipeline) => Promise<OperationPlan>;

// The commands that can be planned (for --dry-run, --json and `hotstandby runbook`), each with its arguments.
export const operationPlanners: Readonly<Record<string, { usage: string; plan: OperationPlanner }>> = {
  promote: { usage: 'promote <standby> [--force]', plan: async (rt, r, pipeline) => (await planPromote(rt, argument(r, 'promote'), { force: r.force, pipeline })).plan },
  switchover: { usage: 'switchover <standby>', plan: async (rt, r, pipeline) => (await planSwitchover(rt, argument(r, 'switchover'), { pipeline })).plan },
  rejoin: { usage: 'rejoin <former-primary>', plan: async (rt, r, pipeline) => (await planRejoin(rt, argument(r, 'rejoin'), pipeline)).plan },
  'adopt-topology': { usage: 'adopt-topology', plan: (rt) => planAdoptTopology(rt) },
  'remove-standby': {
    usage: 'remove-standby <standby> [-- --purge]',
    // wal-config's run is described, not planned: it depends on the topology the plan's first step records.
    plan: async (rt, r) => (await planStandbyRemoval(rt, argument(r, 'remove-standby'), { purge: r.purge ?? false, applyWalConfig: async () => undefined })).plan,
  },
  rebuild: { usage: 'rebuild <standby>', plan: (rt, r) => planRebuild(rt, argument(r, 'rebuild')) },
  down: { usage: 'down [-- --purge --restore --mode M]', plan: async (rt, r) => (await planTeardown(rt, { purge: r.purge, restore: r.restore, mode: r.mode })).plan },
  start: { usage: 'start [nodes...]', plan: async (rt, r) => (await planNodeStart(rt, names(r), { log: () => undefined })).plan },
  stop: { usage: 'stop [nodes...] [-- --mode M]', plan: async (rt, r) => (await planNodeStop(rt, names(r), r.mode ?? 'fast', r.timeoutSec)).plan },
  restart: { usage: 'restart [nodes...] [-- --mode M]', plan: (rt, r) => planRestart(rt, names(r), r.mode ?? 'fast', r.timeoutSec) },
  lag: {
    usage: 'lag <standby> -- --pause | --resume | --delay D',
    plan: (rt, r) => {
      if (!r.lag) throw new HotstandbyError('NO_PLAN', 'lag needs one of --pause, --resume or --delay D', { fix: `hotstandby runbook ${operationPlanners.lag!.usage}` });
      return planLag(rt, argument(r, 'lag'), r.lag);
    },
  },
  scripts: {
    usage: 'scripts [directory [directory-on-other-hosts]]',
    plan: (rt, r) => planScripts(rt, r.args[0] ? path.resolve(r.args[0]) : path.join(rt.layout.root, 'scripts'), r.args[1]),
  },
};

// The nodes a start, stop or restart names (all when none).
function names(request: PlanRequest): readonly string[] | undefined {
  return request.args.length ? request.args : undefined;
}

// The planner of a command, or a clear refusal naming those that exist.
export function plannerOf(command: string): OperationPlanner {
  const found = Object.hasOwn(operationPlanners, command) ? operationPlanners[command] : undefined;
  if (!found) {
    throw new HotstandbyError('NO_PLAN', `"${command}" cannot be planned`, {
      fix: `commands with a plan: ${[...Object.values(pipelinePlanUsage), ...Object.values(operationPlanners).map((p) => p.usage)].join('; ')}`,
    });
  }
  return found.plan;
}

function argument(request: PlanRequest, command: string): string {
  const name = request.args[0];
  const usage = pipelinePlanUsage[command] ?? operationPlanners[command]!.usage;
  if (!name || request.args.length > 1) throw new HotstandbyError('NO_PLAN', `${command} takes one node name`, { fix: `hotstandby runbook ${usage}` });
  return name;
}
