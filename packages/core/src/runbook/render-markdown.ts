import type { Action } from '../executor/action.js';
import type { OperationPlan } from '../executor/operation-plan.js';
import { quoteShellArg as q } from '../postgres/quoting.js';
import type { RunbookTarget } from './runbook-target.js';
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
    `PGBIN=${q(target.binDir)}`,
    `PSQL=${q(target.psql)}`,
    `export PGPASSFILE=${q(target.passfile)}`,
    target.serverUser ? `as_server() { if [ "$(id -u)" = 0 ]; then runuser -u ${q(target.serverUser)} -- "$@"; else "$@"; fi; }` : 'as_server() { "$@"; }',
    target.serverUser ? `to_server() { if [ "$(id -u)" = 0 ]; then chown ${q(target.serverUser)}: "$@"; fi; }` : 'to_server() { :; }',
    `sql_at() { host=$1; port=$2; db=$3; shift 3; "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$host" -p "$port" -U ${q(target.superuser)} -d "$db" "$@"; }`,
    '```',
    '',
    '## Steps',
    '',
  );
  let n = 0;
  for (const step of plan.steps) {
    out.push(`### ${++n}. ${step.title}`, '');
    if (step.actions.length === 0) out.push('Nothing to do.', '');
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
