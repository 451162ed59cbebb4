import type { PlanView } from '@hotstandby/core';
import type { CliContext } from '../cli-context.js';
import { printJson } from '../output/json-output.js';

// What --dry-run prints for a planned command: the PlanView as JSON with --json, else its text.
export async function printPlan(cli: CliContext, view: PlanView, json: boolean | undefined): Promise<void> {
  if (json) return printJson(cli, view);
  const { planText } = await import('@hotstandby/core');
  cli.out(planText(view).join('\n'));
}
