import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { openCommandCluster, type CliContext } from '../cli-context.js';

// `hotstandby status`: every node with role, port, state, recovery, upstream and lag; a tree on a terminal.
export function registerStatus(program: Command, cli: CliContext): void {
  program
    .command('status')
    .description('show every node: role, port, data directory, running, in recovery, upstream, replay lag')
    .option('--json', 'print JSON: { "nodes": [ { "name", "role", "port", "dataDir", "running", "inRecovery", "upstream", "replayLagBytes", "url", ... } ] }')
    .option('--tree', 'draw the replication tree (the default on a terminal)')
    .option('--table', 'print a table (the default when not on a terminal)')
    .option('--watch [seconds]', 'redraw every few seconds (default 2) until Ctrl-C')
    .action(async (opts: { json?: boolean; tree?: boolean; table?: boolean; watch?: string | boolean }, command: Command) => {
      const { cluster } = await openCommandCluster(cli, command, { withPlugins: false, withSteps: false });
      const tree = opts.tree || (!opts.table && process.stdout.isTTY === true);
      const { renderStatus } = await import('../output/status-view.js');
      const { renderStatusTree } = await import('../output/status-tree.js');
      const { renderStatusNotes } = await import('../output/status-notes.js');
      const render = async () => {
        const status = await cluster.status();
        if (opts.json) return JSON.stringify(status, null, 2);
        return tree
          ? `${renderStatusTree(status)}${renderStatusNotes(status)}\n\nPostgreSQL ${status.postgres.version}; servers run as ${status.osUser}`
          : renderStatus(status, cli.cwd);
      };
      if (opts.watch === undefined || opts.watch === false) return cli.out(await render());
      const seconds = opts.watch === true ? 2 : Number(opts.watch);
      if (!Number.isFinite(seconds) || seconds <= 0) command.error(`error: --watch takes a number of seconds (got "${opts.watch}")`, { exitCode: 2 });
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      while (!stop.signal.aborted) {
        const text = await render();
        if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
        cli.out(`${new Date().toLocaleTimeString()}  (every ${seconds} s, Ctrl-C to stop)\n${text}\n`);
        // A display refresh interval, not a wait for a condition.
        await delay(seconds * 1000, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    });
}
