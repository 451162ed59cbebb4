import { changesSomething } from '../executor/action.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import type { DescribedWork, StepPlan } from './step-plugin.js';

// Whether a plan changes anything: an action that changes something, or described work that will.
export function planChangesSomething(plan: Pick<StepPlan, 'actions' | 'described'>): boolean {
  return plan.actions.some(changesSomething) || (plan.described ?? []).some((work) => work.changes);
}

// The lines --dry-run prints for described work: its summary, then its details indented (secrets masked).
export function describeWork(work: DescribedWork): string[] {
  return [work.summary, ...(work.details ?? []).map((d) => `  ${d}`)].map(maskSecrets);
}
