import type { Command } from 'commander';
import type { ControlResult } from '@hotstandby/core';
import { openCluster, type CliContext } from '../cli-context.js';

const MODES = ['smart', 'fast', 'immediate'] as const;
type Mode = (typeof MODES)[number];

// `start`, `stop` and `restart [NODE...]`: the primary starts first and stops last; standbys in tree order.
export function registerNodeControl(program: Command, cli: CliContext): void {
  const print = (results: ControlResult[]) => {
    for (const r of results) cli.out(`${r.node}: ${r.result}`);
  };
  const seconds = (command: Command, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) command.error(`error: --timeout must be a whole number of seconds (got "${value}")`, { exitCode: 2 });
    return n;
  };
  const mode = (command: Command, value: string): Mode => {
    if (!(MODES as readonly string[]).includes(value)) command.error(`error: --mode must be smart, fast or immediate (got "${value}")`, { exitCode: 2 });
    return value as Mode;
  };
  program
    .command('start')
    .description('start nodes (default all): the primary first, each standby after its upstream')
    .argument('[nodes...]', 'node names')
    .action(async (nodes: string[], _opts: unknown, command: Command) => {
      const { cluster } = await openCluster(cli, command, { withPlugins: false });
      print(await cluster.start(nodes, { log: (l) => cli.out(l) }));
    });
  program
    .command('stop')
    .description('stop nodes (default all): the deepest standbys first, the primary last')
    .argument('[nodes...]', 'node names')
    .option('--mode <mode>', 'shutdown mode: smart, fast or immediate', 'fast')
    .option('--timeout <seconds>', 'how long each node may take to stop (default 90)')
    .action(async (nodes: string[], opts: { mode: string; timeout?: string }, command: Command) => {
      const m = mode(command, opts.mode);
      const timeoutSec = seconds(command, opts.timeout);
      const { cluster } = await openCluster(cli, command, { withPlugins: false });
      print(await cluster.stop(nodes, { mode: m, timeoutSec, log: (l) => cli.out(l) }));
    });
  program
    .command('restart')
    .description('stop, then start nodes (default all), in the same orders')
    .argument('[nodes...]', 'node names')
    .option('--mode <mode>', 'shutdown mode: smart, fast or immediate', 'fast')
    .option('--timeout <seconds>', 'how long each node may take to stop (default 90)')
    .action(async (nodes: string[], opts: { mode: string; timeout?: string }, command: Command) => {
      const m = mode(command, opts.mode);
      const timeoutSec = seconds(command, opts.timeout);
      const { cluster } = await openCluster(cli, command, { withPlugins: false });
      print(await cluster.restart(nodes, { mode: m, timeoutSec, log: (l) => cli.out(l) }));
    });
}
