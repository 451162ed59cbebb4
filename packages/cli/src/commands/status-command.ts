import type { Command } from 'commander';
import { openCluster, type CliContext } from '../cli-context.js';
import { renderStatus } from '../output/status-view.js';

// `hotstandby status`: every node with role, port, state, recovery, upstream and lag.
export function registerStatus(program: Command, cli: CliContext): void {
  program
    .command('status')
    .description('show every node: role, port, data directory, running, in recovery, upstream, replay lag')
    .option('--json', 'print JSON: { "nodes": [ { "name", "role", "port", "dataDir", "running", "inRecovery", "upstream", "replayLagBytes", "url", ... } ] }')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const { cluster } = await openCluster(cli, command);
      const status = await cluster.status();
      cli.out(opts.json ? JSON.stringify(status, null, 2) : renderStatus(status, cli.cwd));
    });
}
