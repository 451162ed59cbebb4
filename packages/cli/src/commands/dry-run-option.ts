import type { PlanView } from '@hotstandby/core';
import type { CliContext } from '../cli-context.js';
import { printJson } from '../output/json-output.js';

// What --dry-run says in a command's help.
export const DRY_RUN_HELP = 'print every SQL statement, file change (as a diff), command and wait it would run, in order, and change nothing (with --json: the plan as JSON)';

// What --dry-run prints for a planned command: with --json the PlanView document, else its text; nothing changes.
export async function printPlan(cli: CliContext, view: PlanView, json: boolean | undefined): Promise<void> {
  if (json) return printJson(cli, view);
  const { planText } = await import('@hotstandby/core');
  for (const line of planText(view)) cli.out(line);
  if (view.steps.every((s) => s.actions.length === 0)) cli.out('Nothing to do.');
}
