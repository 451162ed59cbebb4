import type { Command } from 'commander';
import { openCommandCluster, type CliContext } from '../cli-context.js';
import { DRY_RUN_HELP, printPlan } from './dry-run-option.js';

// `hotstandby up`: build (or check) the primary and every standby, then verify them.
export function registerUp(program: Command, cli: CliContext): void {
  program
    .command('up')
    .description('create or adopt the primary, build every standby, start everything and verify it (idempotent)')
    .option('--dry-run', DRY_RUN_HELP)
    .option('--allow-restart', 'let the tool restart a running primary when a setting needs it')
    .option('--plain', 'plain progress lines instead of the live task list')
    .option('--json', 'print the result as JSON (no progress display)')
    .option('--no-cache', 'create a new primary with initdb instead of a copy of the cached initdb template')
    .action(async (opts: { dryRun?: boolean; allowRestart?: boolean; plain?: boolean; json?: boolean; cache?: boolean }, command: Command) => {
      const { spec, cluster } = await openCommandCluster(cli, command);
      if (opts.dryRun && opts.json) return printPlan(cli, await cluster.describePlan('up', { args: [] }), true);
      const { renderConnectHints, renderStatus } = await import('../output/status-view.js');
      if (opts.dryRun && !opts.json) cli.out(`Dry run for ${spec.source.path ?? 'the built-in default config'}: nothing will be changed.\n`);
      const result = await cluster.up({
        dryRun: opts.dryRun,
        allowRestart: opts.allowRestart,
        renderer: opts.json ? 'silent' : opts.plain ? 'plain' : 'auto',
        print: opts.json ? () => undefined : (t) => cli.out(t),
        signal: cli.signal,
        templateCache: opts.cache,
      });
      if (opts.json) {
        cli.out(JSON.stringify(result, null, 2));
        return;
      }
      if (result.dryRun) {
        cli.out(`\nDry run complete: ${result.changed ? 'the changes above would be made' : 'everything is already in place'}; nothing was changed.`);
        return;
      }
      cli.out('');
      if (result.status) {
        cli.out(renderStatus(result.status, cli.cwd));
        cli.out('');
        cli.out(renderConnectHints(result.status, cli.cwd));
      }
      cli.out('');
      // Only claim "verified" when a verify step (the built-in or a replacement) ran.
      const verified = result.steps.some((r) => r.step === 'verify');
      const state = verified ? 'the cluster is up and verified.' : 'the cluster is up; it was not verified (the pipeline has no verify step).';
      cli.out(result.changed ? `Done: ${state}` : `Everything was already in place; nothing changed. ${state[0]!.toUpperCase()}${state.slice(1)}`);
    });
}
