import type { StopMode } from '../postgres/pg-node.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { planScripts } from './control-scripts-plan.js';
import { planNodeStart, planNodeStop } from './node-control.js';
import { planRebuild } from './rebuild-standby.js';
import { planStandbyRemoval } from './remove-standby.js';
import { planTeardown } from './teardown.js';

// A lifecycle command and its arguments, as --dry-run (and a runbook) asks for its plan.
export type LifecycleRequest =
  | { command: 'remove-standby'; name: string; purge?: boolean }
  | { command: 'rebuild'; name: string }
  | { command: 'down'; purge?: boolean; restore?: boolean; mode?: StopMode }
  | { command: 'start'; names?: readonly string[] }
  | { command: 'stop'; names?: readonly string[]; mode?: StopMode; timeoutSec?: number }
  | { command: 'restart'; names?: readonly string[]; mode?: StopMode; timeoutSec?: number }
  | { command: 'scripts'; outDir: string };

// The plan of a lifecycle command against the cluster as it is, without any effect. (remove-standby's wal-config
// run is described, not planned: it depends on the topology the plan's first step records.)
export async function planLifecycle(rt: ClusterRuntime, request: LifecycleRequest): Promise<OperationPlan> {
  switch (request.command) {
    case 'remove-standby':
      return (await planStandbyRemoval(rt, request.name, { purge: request.purge ?? false, applyWalConfig: async () => undefined })).plan;
    case 'rebuild':
      return planRebuild(rt, request.name);
    case 'down':
      return (await planTeardown(rt, request)).plan;
    case 'start':
      return (await planNodeStart(rt, request.names, { log: () => undefined })).plan;
    case 'stop':
      return (await planNodeStop(rt, request.names, request.mode ?? 'fast', request.timeoutSec)).plan;
    case 'restart':
      return planRestart(rt, request.names, request.mode ?? 'fast', request.timeoutSec);
    case 'scripts':
      return planScripts(rt, request.outDir);
  }
}

// Restart's plan: the stop plan, then the start plan of the same nodes as if they were stopped.
export async function planRestart(rt: ClusterRuntime, names: readonly string[] | undefined, mode: StopMode, timeoutSec?: number): Promise<OperationPlan> {
  const stop = await planNodeStop(rt, names, mode, timeoutSec);
  const stopping = new Set(stop.results.filter((r) => r.result === 'stopped').map((r) => r.node));
  const start = await planNodeStart(rt, names, { stoppedBefore: stopping, log: () => undefined });
  return {
    command: `restart${stop.plan.command.slice('stop'.length)}`,
    purpose: 'Stop the nodes (the deepest standbys first), then start them (the primary first).',
    checked: [...stop.plan.checked],
    steps: [...stop.plan.steps, ...start.plan.steps],
  };
}
