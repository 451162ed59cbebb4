import type { Action } from './action.js';
import type { Executor } from './executor.js';
import type { OperationPlan } from './operation-plan.js';

// One action of a plan as --dry-run and --json show it: its kind, one line for people, and what it would run or
// change (SQL, a diff, a command line), secrets masked.
export interface ActionView {
  kind: Action['kind'];
  node?: string;
  summary: string;
  lines: string[];
}

// A plan as printed, with every action described: the same document --dry-run prints and --json emits.
export interface PlanView {
  command: string;
  purpose: string;
  checked: string[];
  steps: { title: string; actions: ActionView[]; check?: string; ifFails?: string }[];
  after: string[];
}

// Describe every action of a plan (reading the files a write would change, to show the diff); changes nothing.
export async function planView(executor: Executor, plan: OperationPlan): Promise<PlanView> {
  const steps: PlanView['steps'] = [];
  for (const step of plan.steps) {
    const actions: ActionView[] = [];
    for (const action of step.actions) {
      const node = 'node' in action && typeof action.node === 'string' ? action.node : undefined;
      actions.push({ kind: action.kind, ...(node ? { node } : {}), summary: action.summary, lines: await executor.describe(action) });
    }
    steps.push({ title: step.title, actions, ...(step.check ? { check: step.check } : {}), ...(step.ifFails ? { ifFails: step.ifFails } : {}) });
  }
  return { command: plan.command, purpose: plan.purpose, checked: [...plan.checked], steps, after: [...(plan.after ?? [])] };
}

// The text --dry-run prints for a plan: each numbered step's title, then what each action would do.
export function planText(view: PlanView): string[] {
  const lines = [`Dry run of "hotstandby ${view.command}": nothing will be changed.`, view.purpose, ...view.checked.map((c) => `checked: ${c}`)];
  view.steps.forEach((step, i) => {
    lines.push(`── ${i + 1}. ${step.title}`);
    if (step.actions.length === 0) lines.push('   nothing to do');
    for (const action of step.actions) lines.push(...action.lines.map((l) => `   ${l}`));
  });
  for (const note of view.after) lines.push(`then: ${note}`);
  return lines;
}
