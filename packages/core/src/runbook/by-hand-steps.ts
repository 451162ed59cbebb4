import type { Action } from '../executor/action.js';
import type { OperationPlan } from '../executor/operation-plan.js';

// The numbers (from 1) of a plan's steps that hold work a script does not do: work a step only describes, or an
// action with no scripted form (a password that must not be written down, a task without one). Records of
// hotstandby's own state do not count: the runbook explains them where they are.
export function stepsByHand(plan: OperationPlan, scripted: (action: Action) => boolean): number[] {
  const numbers: number[] = [];
  plan.steps.forEach((step, i) => {
    if (step.described?.length || step.actions.some((a) => a.kind !== 'record' && !scripted(a))) numbers.push(i + 1);
  });
  return numbers;
}

// The warning at the top of a script whose steps hold work to do by hand, or nothing when every step is scripted.
export function byHandWarning(steps: readonly number[], marker: string): string[] {
  if (steps.length === 0) return [];
  return [
    `NOT EVERYTHING IS SCRIPTED: step${steps.length === 1 ? '' : 's'} ${steps.join(', ')} hold${steps.length === 1 ? 's' : ''} work this script does not do (the "${marker}" lines`,
    'in them: no password is written into a runbook, and some work has no scripted form). Do it yourself where the',
    'step says; the steps after it may depend on it.',
  ];
}
