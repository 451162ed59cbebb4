import type { Action } from './action.js';
import type { Executor } from './executor.js';
import type { OperationPlan, PlanStep } from './operation-plan.js';

// One action of a plan as --dry-run and --json show it: its kind, one line for people, and what it would run or
// change (SQL, a diff, a command line), secrets masked.
export interface ActionView {
  kind: Action['kind'];
  node?: string;
  // The host it happens on, when that is not this machine (as the config names it).
  host?: string;
  summary: string;
  lines: string[];
}

// One step of a plan as printed: its actions described, with its notes and the work it describes for people.
export interface PlanStepView {
  title: string;
  actions: ActionView[];
  notes?: string[];
  described?: string[];
  check?: string;
  ifFails?: string;
}

// A plan as printed, with every action described: the same document --dry-run prints and --json emits.
export interface PlanView {
  command: string;
  purpose: string;
  checked: string[];
  steps: PlanStepView[];
  after: string[];
}

// Describe every action of a plan (reading the files a write would change, to show the diff); changes nothing.
export async function planView(executor: Executor, plan: OperationPlan): Promise<PlanView> {
  const steps: PlanStepView[] = [];
  for (const step of plan.steps) steps.push(await planStepView(executor, step));
  return { command: plan.command, purpose: plan.purpose, checked: [...plan.checked], steps, after: [...(plan.after ?? [])] };
}

// Describe one step's actions; changes nothing.
export async function planStepView(executor: Executor, step: PlanStep): Promise<PlanStepView> {
  const actions: ActionView[] = [];
  for (const action of step.actions) {
    const node = 'node' in action && typeof action.node === 'string' ? action.node : undefined;
    const remote = executor.remoteMachineOf(action);
    const host = remote ? (remote.address ?? remote.label) : undefined;
    actions.push({ kind: action.kind, ...(node ? { node } : {}), ...(host ? { host } : {}), summary: action.summary, lines: await executor.describe(action) });
  }
  return {
    title: step.title,
    actions,
    ...(step.notes?.length ? { notes: [...step.notes] } : {}),
    ...(step.described?.length ? { described: [...step.described] } : {}),
    ...(step.check ? { check: step.check } : {}),
    ...(step.ifFails ? { ifFails: step.ifFails } : {}),
  };
}

// What a step would do, as lines: its notes, the work it describes, then each action's lines.
export function planStepLines(step: PlanStepView): string[] {
  return [...(step.notes ?? []).map((n) => `note: ${n}`), ...(step.described ?? []), ...step.actions.flatMap((a) => a.lines)];
}

// The text --dry-run prints for a plan: each numbered step's title, then what each action would do.
export function planText(view: PlanView): string[] {
  const lines = [`Dry run of "hotstandby ${view.command}": nothing will be changed.`, view.purpose, ...view.checked.map((c) => `checked: ${c}`)];
  view.steps.forEach((step, i) => {
    lines.push(`── ${i + 1}. ${step.title}`);
    const body = planStepLines(step);
    if (body.length === 0) lines.push('   nothing to do');
    lines.push(...body.map((l) => `   ${l}`));
  });
  for (const note of view.after) lines.push(`then: ${note}`);
  return lines;
}
