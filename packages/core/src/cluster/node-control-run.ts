import type { StopMode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { planNodeStart, planNodeStop, type ControlResult } from './node-control.js';
import { applyOperation } from './operation-executor.js';

// Start the named nodes (default all) by applying their start plan; what each start found is in the results.
export async function startPlanned(rt: ClusterRuntime, names: readonly string[] | undefined, log: (line: string) => void): Promise<ControlResult[]> {
  const { plan, results } = await planNodeStart(rt, names, { log });
  await applyOperation(rt, plan, log);
  return results;
}

// Stop the named nodes (default all) by applying their stop plan, warning first when commits will wait.
export async function stopPlanned(
  rt: ClusterRuntime,
  names: readonly string[] | undefined,
  mode: StopMode,
  log: (line: string) => void,
  timeoutSec?: number,
): Promise<ControlResult[]> {
  const { plan, results, warnings } = await planNodeStop(rt, names, mode, timeoutSec);
  for (const warning of warnings) log(`warning: ${warning}`);
  await applyOperation(rt, plan, log);
  return results;
}
