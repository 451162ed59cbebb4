import type { Command } from 'commander';
import { openCommandCluster, type CliContext } from '../cli-context.js';
import { pipelineRunOptions, withPipelineOptions, type PipelineFlags } from './pipeline-options.js';
import { printJson } from '../output/json-output.js';
import type { PromoteJson, RejoinJson, SwitchoverJson } from '../output/json-types.js';
import { DRY_RUN_HELP, printPlan } from './dry-run-option.js';

// `promote`, `rejoin` and `switchover`: change which node is the primary.
export function registerFailoverCommands(program: Command, cli: CliContext): void {
  withPipelineOptions(
    program
      .command('promote')
      .description('promote a standby; the others follow it (refused while the primary runs, unless --force)')
      .argument('<name>', 'the standby to promote')
      .option('--force', 'stop the running primary first (cleanly) instead of refusing')
      .option('--dry-run', DRY_RUN_HELP),
  ).action(async (name: string, opts: PipelineFlags & { force?: boolean; dryRun?: boolean }, command: Command) => {
    const { cluster } = await openCommandCluster(cli, command);
    if (opts.dryRun) return printPlan(cli, await cluster.describePlan('promote', { args: [name], force: opts.force }), opts.json);
    const warnings: string[] = [];
    const result = await cluster.promote(name, { force: opts.force, ...pipelineRunOptions(cli, opts, warnings) });
    const document = { newPrimary: name, ...result, warnings } satisfies PromoteJson;
    await report(cli, opts.json, document, `${name} is the primary. ${result.oldPrimary} waits: "hotstandby rejoin ${result.oldPrimary}" makes it a standby of ${name}.`);
  });
  withPipelineOptions(
    program
      .command('rejoin')
      .description('turn the former primary into a standby of the new one (follow, pg_rewind, or a fresh base backup)')
      .argument('<name>', 'the former primary')
      .option('--dry-run', DRY_RUN_HELP),
  ).action(async (name: string, opts: PipelineFlags & { dryRun?: boolean }, command: Command) => {
    const { cluster } = await openCommandCluster(cli, command);
    if (opts.dryRun) return printPlan(cli, await cluster.describePlan('rejoin', { args: [name] }), opts.json);
    const warnings: string[] = [];
    // Ctrl-C stops it cleanly: what it lent for the rewind (a pg_hba rule, a passfile) is taken back first.
    const result = await cluster.rejoin(name, { ...pipelineRunOptions(cli, opts, warnings), signal: cli.signal });
    await report(cli, opts.json, { node: name, ...result, warnings } satisfies RejoinJson, `${name} rejoined by ${result.method}: ${result.detail}.`);
  });
  withPipelineOptions(
    program
      .command('switchover')
      .description('the planned swap with nothing lost: stop the primary cleanly, let the standby catch up, promote it, rejoin the old primary')
      .argument('<name>', 'the standby to become primary')
      .option('--dry-run', DRY_RUN_HELP),
  ).action(async (name: string, opts: PipelineFlags & { dryRun?: boolean }, command: Command) => {
    const { cluster } = await openCommandCluster(cli, command);
    if (opts.dryRun) return printPlan(cli, await cluster.describePlan('switchover', { args: [name] }), opts.json);
    const warnings: string[] = [];
    const result = await cluster.switchover(name, { ...pipelineRunOptions(cli, opts, warnings), signal: cli.signal });
    const document = { newPrimary: name, ...result, warnings } satisfies SwitchoverJson;
    await report(cli, opts.json, document, `${name} is the primary; ${result.oldPrimary} follows it as a standby (${result.method}).`);
  });
  program
    .command('adopt-topology')
    .description('record which node is the primary now, as the servers say (after a runbook was followed by hand)')
    .option('--dry-run', DRY_RUN_HELP)
    .option('--json', 'print the plan that was applied as JSON')
    .action(async (opts: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const { cluster } = await openCommandCluster(cli, command, { withPlugins: false });
      if (opts.dryRun) return printPlan(cli, await cluster.describePlan('adopt-topology', { args: [] }), opts.json);
      const applied = await cluster.adoptTopology();
      if (opts.json) return printJson(cli, applied);
      const changes = applied.steps.flatMap((s) => s.actions.map((a) => a.summary));
      cli.out(changes.length ? changes.map((c) => `recorded: ${c}`).join('\n') : `nothing to record: ${applied.checked.join('; ')}`);
    });
}

// What promote, rejoin and switchover print when done: their JSON document with --json, else the cluster's status
// after the pipeline ran and one line saying what changed.
async function report(cli: CliContext, json: boolean | undefined, document: PromoteJson | RejoinJson | SwitchoverJson, done: string): Promise<void> {
  if (json) return printJson(cli, document);
  if (document.up.status) cli.out('\n' + (await import('../output/status-view.js')).renderStatus(document.up.status, cli.cwd));
  cli.out(`\n${done}`);
}
