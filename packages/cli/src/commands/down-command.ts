import type { Command } from 'commander';
import { openCommandCluster, type CliContext } from '../cli-context.js';
import { DRY_RUN_HELP, printPlan } from './dry-run-option.js';
import { parseStopMode } from './stop-mode.js';

// `hotstandby down`: stop the nodes, standbys first; --purge deletes what the tool created; --restore undoes its changes.
export function registerDown(program: Command, cli: CliContext): void {
  program
    .command('down')
    .description('stop the nodes, standbys first')
    .option('--purge', 'delete the data directories and state the tool created (never a data directory it adopted)')
    .option('--restore', 'put an adopted primary back as it was: original config files byte for byte, no replication role or slots')
    .option('--mode <mode>', 'shutdown mode: smart, fast or immediate', 'fast')
    .option('--dry-run', DRY_RUN_HELP)
    .option('--json', 'print what was done as JSON (with --dry-run: the plan)')
    .action(async (opts: { purge?: boolean; restore?: boolean; mode: string; json?: boolean; dryRun?: boolean }, command: Command) => {
      const mode = parseStopMode(command, opts.mode);
      const { cluster } = await openCommandCluster(cli, command, { withPlugins: false });
      if (opts.dryRun) {
        return printPlan(cli, await cluster.describePlan('down', { args: [], purge: opts.purge, restore: opts.restore, mode }), opts.json);
      }
      const result = await cluster.down({
        purge: opts.purge,
        restore: opts.restore,
        mode,
        log: opts.json ? undefined : (line) => cli.out(line),
      });
      if (opts.json) {
        cli.out(JSON.stringify(result, null, 2));
        return;
      }
      if (result.leftRunning.length) cli.out(`left running (it ran before hotstandby adopted it): ${result.leftRunning.join(', ')}`);
      for (const kept of result.kept) cli.out(`kept ${kept}`);
      cli.out(result.stopped.length || result.deleted.length || result.restored.length ? 'Done.' : 'Nothing was running.');
    });
}
