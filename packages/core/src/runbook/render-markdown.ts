import type { Action } from '../executor/action.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import type { RunbookTarget } from './runbook-target.js';
import { shellSettings } from './render-sh.js';
import { shellOfAction } from './shell-of-action.js';

// A plan as a document a DBA can read and follow by hand: numbered steps, each with what it does (SQL, file
// changes, commands, waits) as shell commands to paste, what to check after it and what to do if it fails.
export async function renderMarkdownRunbook(
  plan: OperationPlan,
  target: RunbookTarget,
  options: { generatedBy: string; describe: (action: Action) => Promise<string[]> },
): Promise<string> {
  const out = [`# Runbook: \`hotstandby ${plan.command}\``, '', `_${options.generatedBy}_`, '', plan.purpose, ''];
  if (plan.checked.length) out.push('## Checked when this runbook was written', '', ...plan.checked.map((c) => `- ${c}`), '');
  out.push(
    '## Before you start',
    '',
    'The commands below use these shell settings (run them first, in the same shell):',
    '',
    '```sh',
    ...shellSettings(target),
    '```',
    '',
    '## Steps',
    '',
  );
  let n = 0;
  for (const step of plan.steps) {
    out.push(`### ${++n}. ${step.title}`, '');
    for (const note of step.notes ?? []) out.push(`_Note:_ ${note}`, '');
    if (step.described?.length) out.push('**By hand** (hotstandby does this itself; this runbook gives no command for it):', '', '```text', ...step.described, '```', '');
    if (step.actions.length === 0 && !step.described?.length) out.push('Nothing to do.', '');
    for (const action of step.actions) {
      const described = await options.describe(action);
      out.push(`- ${described[0] ?? action.summary}`);
      if (described.length > 1) out.push('', '  ```text', ...described.slice(1).map((l) => `  ${l}`), '  ```');
      out.push('', '  ```sh', ...shellOfAction(action, target).map((l) => `  ${l}`), '  ```', '');
    }
    if (step.check) out.push(`**Check:** ${step.check}`, '');
    if (step.ifFails) out.push(`**If it fails:** ${step.ifFails}`, '');
  }
  if (plan.after?.length) out.push('## Afterwards', '', ...plan.after.map((a) => `- ${a}`), '');
  return out.join('\n');
}
