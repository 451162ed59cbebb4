import type { Executor } from './executor.js';
import type { Action } from './action.js';
import type { OperationPlan } from './operation-plan.js';

// Apply a plan's steps in order through the executor, telling the caller each step's title as it starts.
export async function applyPlan(executor: Executor, plan: OperationPlan, log: (line: string) => void): Promise<void> {
  for (const step of plan.steps) {
    if (step.actions.length === 0) continue;
    log(step.title);
    if (step.concurrent) await applyTogether(executor, step.actions);
    else await executor.applyAll(step.actions);
  }
}

// Apply independent actions at once; all of them run to their end before the first failure is thrown.
async function applyTogether(executor: Executor, actions: readonly Action[]): Promise<void> {
  const outcomes = await Promise.allSettled(actions.map((action) => executor.apply(action)));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}
