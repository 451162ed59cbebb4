import type { Command } from 'commander';
import type { LifecycleOptions, UpOptions } from '@hotstandby/core';
import type { CliContext } from '../cli-context.js';

// What the options below parse into.
export interface PipelineFlags {
  plain?: boolean;
  allowRestart?: boolean;
}

// The options of every command that runs the pipeline (up's steps) after its own work: add-standby, rebuild,
// promote, rejoin, switchover.
export function withPipelineOptions(command: Command): Command {
  return command
    .option('--plain', 'plain progress lines instead of the live task list')
    .option('--allow-restart', 'let the tool restart a node when a setting needs it (more WAL senders, say)');
}

// How such a command runs the pipeline: progress and lifecycle lines on the CLI's output. (The interrupt signal is
// not included: reading cli.signal opts the command into a clean stop on Ctrl-C, which each command decides.)
export function pipelineRunOptions(cli: CliContext, flags: PipelineFlags): UpOptions & LifecycleOptions {
  return {
    renderer: flags.plain ? 'plain' : 'auto',
    allowRestart: flags.allowRestart,
    print: (t) => cli.out(t),
    log: (l) => cli.out(l),
  };
}
