import { applyPlan } from '../executor/apply-plan.js';
import type { StopMode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { planNodeStart, planNodeStop, type ControlResult } from './node-control.js';
import { operationExecutor } from './operation-executor.js';

// Start the named nodes (default all) by applying their start plan; what each start found is in the results.
export async function startPlanned(rt: ClusterRuntime, names: readonly string[] | undefined, log: (line: string) => void): Promise<ControlResult[]> {
  const { plan, results } = await planNodeStart(rt, names, { log });
  // Said as before: what is started or restored; the checks around each start speak only when they find something.
  const said = new Set(plan.steps.flatMap((s) => s.actions.filter((a) => a.kind !== 'check' && a.kind !== 'task').map((a) => a.summary)));
  await applyPlan(operationExecutor(rt, (line) => said.has(line) && log(line)), plan, () => undefined);
  return results;
}

// Stop the named nodes (default all) by applying their stop plan, warning first when commits will wait.
export async function stopPlanned(rt: ClusterRuntime, names: readonly string[] | undefined, mode: StopMode, log: (line: string) => void, timeoutSec?: number): Promise<ControlResult[]> {
  const { plan, results, warnings } = await planNodeStop(rt, names, mode, timeoutSec);
  for (const warning of warnings) log(`warning: ${warning}`);
  await applyPlan(operationExecutor(rt, log), plan, () => undefined);
  return results;
}
