import type { Command } from 'commander';
import type { ControlResult } from '@hotstandby/core';
import { openCommandCluster, type CliContext } from '../cli-context.js';
import { collectWarnings, printJson } from '../output/json-output.js';
import type { NodeControlJson } from '../output/json-types.js';
import { DRY_RUN_HELP, printPlan } from './dry-run-option.js';
import { parseStopMode } from './stop-mode.js';

// `start`, `stop` and `restart [NODE...]`: the primary starts first and stops last; standbys in tree order.
export function registerNodeControl(program: Command, cli: CliContext): void {
  const print = (results: ControlResult[]) => {
    for (const r of results) cli.out(`${r.node}: ${r.result}${r.notStreaming ? `, NOT streaming: ${r.notStreaming}` : ''}`);
  };
  const seconds = (command: Command, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) command.error(`error: --timeout must be a whole number of seconds (got "${value}")`, { exitCode: 2 });
    return n;
  };
  program
    .command('start')
    .description('start nodes (default all): the primary first, each standby after its upstream')
    .argument('[nodes...]', 'node names')
    .option('--dry-run', DRY_RUN_HELP)
    .option('--json', 'print what happened to each node as JSON (with --dry-run: the plan)')
    .action(async (nodes: string[], opts: { json?: boolean; dryRun?: boolean }, command: Command) => {
      const { cluster } = await openCommandCluster(cli, command, { withPlugins: false });
      if (opts.dryRun) return printPlan(cli, await cluster.describePlan('start', { args: nodes }), opts.json);
      const warnings: string[] = [];
      const results = await cluster.start(nodes, { log: opts.json ? collectWarnings(warnings) : (l) => cli.out(l) });
      if (opts.json) return printJson(cli, { nodes: results, warnings } satisfies NodeControlJson);
      print(results);
      // A standby the user named that runs but does not replicate is not what they asked for.
      if (results.some((r) => r.notStreaming && nodes.includes(r.node))) cli.exitCode = 1;
    });
  // stop and restart take the same options and differ only in what the cluster does.
  const stopping = (name: 'stop' | 'restart', description: string) =>
    program
      .command(name)
      .description(description)
      .argument('[nodes...]', 'node names')
      .option('--mode <mode>', 'shutdown mode: smart, fast or immediate', 'fast')
      .option('--timeout <seconds>', 'how long each node may take to stop (default 90)')
      .option('--dry-run', DRY_RUN_HELP)
      .option('--json', 'print what happened to each node as JSON (with --dry-run: the plan)')
      .action(async (nodes: string[], opts: { mode: string; timeout?: string; json?: boolean; dryRun?: boolean }, command: Command) => {
        const warnings: string[] = [];
        const options = {
          mode: parseStopMode(command, opts.mode),
          timeoutSec: seconds(command, opts.timeout),
          log: opts.json ? collectWarnings(warnings) : (l: string) => cli.out(l),
        };
        const { cluster } = await openCommandCluster(cli, command, { withPlugins: false });
        if (opts.dryRun) return printPlan(cli, await cluster.describePlan(name, { args: nodes, mode: options.mode, timeoutSec: options.timeoutSec }), opts.json);
        const results = await (name === 'stop' ? cluster.stop(nodes, options) : cluster.restart(nodes, options));
        if (opts.json) return printJson(cli, { nodes: results, warnings } satisfies NodeControlJson);
        print(results);
        // A standby the user named that runs but does not replicate is not what they asked for.
        if (results.some((r) => r.notStreaming && nodes.includes(r.node))) cli.exitCode = 1;
      });
  stopping('stop', 'stop nodes (default all): the deepest standbys first, the primary last');
  stopping('restart', 'stop, then start nodes (default all), in the same orders');
}
