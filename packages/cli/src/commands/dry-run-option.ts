import type { Cluster, LifecycleRequest } from '@hotstandby/core';
import type { CliContext } from '../cli-context.js';
import { printJson } from '../output/json-output.js';

// What --dry-run says in a command's help.
export const DRY_RUN_HELP = 'print every SQL statement, file change (as a diff), command and wait it would run, in order, and change nothing';

// --dry-run of a lifecycle command: its plan as text, or with --json as the PlanView document; nothing changes.
export async function printDryRun(cli: CliContext, cluster: Cluster, request: LifecycleRequest, json: boolean | undefined): Promise<void> {
  const view = await cluster.dryRun(request);
  if (json) return printJson(cli, view);
  const { planText } = await import('@hotstandby/core');
  for (const line of planText(view)) cli.out(line);
  if (view.steps.every((s) => s.actions.length === 0)) cli.out('Nothing to do.');
}
