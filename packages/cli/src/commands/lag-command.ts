import type { Command } from 'commander';
import type { LagChange } from '@hotstandby/core';
import { openCommandCluster, type CliContext } from '../cli-context.js';
import { printJson } from '../output/json-output.js';
import { DRY_RUN_HELP, printPlan } from './dry-run-option.js';

// `lag`: make a standby fall behind on purpose (for testing applications that read from replicas).
export function registerLag(program: Command, cli: CliContext): void {
  program
    .command('lag')
    .description("pause or resume a standby's WAL replay, or make it apply WAL a fixed time after commit (to test reads from a replica that is behind)")
    .argument('<name>', 'the standby')
    .option('--pause', 'stop applying WAL (it keeps receiving) until --resume or a restart')
    .option('--resume', 'apply WAL again')
    .option('--delay <duration>', 'apply WAL this long after commit: 500ms, 2s, 5min, 1h, at most 24d (0 takes the delay out, also on a stopped standby); PostgreSQL 12+')
    .option('--dry-run', DRY_RUN_HELP)
    .option('--json', 'print the plan that was applied as JSON')
    .action(async (name: string, opts: { pause?: boolean; resume?: boolean; delay?: string; dryRun?: boolean; json?: boolean }, command: Command) => {
      const change = lagChange(command, opts);
      const { cluster } = await openCommandCluster(cli, command, { withPlugins: false });
      if (opts.dryRun) return printPlan(cli, await cluster.describePlan('lag', { args: [name], lag: change }), opts.json);
      const applied = await cluster.lag(name, change);
      if (opts.json) return printJson(cli, applied);
      const done = applied.steps.flatMap((s) => s.actions.map((a) => a.summary));
      cli.out(done.length ? done.join('\n') : `nothing to change: ${applied.purpose}`);
    });
}

// The one change asked for, or bad usage (exit 2) when none or several are given.
function lagChange(command: Command, opts: { pause?: boolean; resume?: boolean; delay?: string }): LagChange {
  const given = [opts.pause && '--pause', opts.resume && '--resume', opts.delay !== undefined && '--delay'].filter(Boolean);
  if (given.length !== 1) {
    command.error(`error: lag takes exactly one of --pause, --resume or --delay <duration> (got ${given.length ? given.join(' and ') : 'none'})`, { exitCode: 2 });
  }
  if (opts.pause) return { pause: true };
  if (opts.resume) return { resume: true };
  return { delay: opts.delay! };
}
