import type { Executor } from './executor.js';
import type { OperationPlan } from './operation-plan.js';

// Apply a plan's steps in order through the executor, telling the caller each step's title as it starts.
export async function applyPlan(executor: Executor, plan: OperationPlan, log: (line: string) => void): Promise<void> {
  for (const step of plan.steps) {
    if (step.actions.length === 0) continue;
    log(step.title);
    await executor.applyAll(step.actions);
  }
}
