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

// The lines --dry-run prints for a plan: each step's title, then what each of its actions would do.
export async function describePlan(executor: Executor, plan: OperationPlan): Promise<string[]> {
  const lines = [`plan for: hotstandby ${plan.command}`, ...plan.checked.map((c) => `checked: ${c}`)];
  let n = 0;
  for (const step of plan.steps) {
    lines.push(`── ${++n}. ${step.title}`);
    for (const action of step.actions) lines.push(...(await executor.describe(action)).map((l) => `   ${l}`));
    if (step.actions.length === 0) lines.push('   nothing to do');
  }
  for (const note of plan.after ?? []) lines.push(`then: ${note}`);
  return lines;
}
