import type { Command } from 'commander';
import type { LifecycleOptions, UpOptions } from '@hotstandby/core';
import type { CliContext } from '../cli-context.js';
import { collectWarnings } from '../output/json-output.js';

// What the options below parse into.
export interface PipelineFlags {
  plain?: boolean;
  allowRestart?: boolean;
  json?: boolean;
}

// The options of every command that runs the pipeline (up's steps) after its own work: add-standby, rebuild,
// promote, rejoin, switchover.
export function withPipelineOptions(command: Command): Command {
  return command
    .option('--plain', 'plain progress lines instead of the live task list')
    .option('--allow-restart', 'let the tool restart a node when a setting needs it (more WAL senders, say)')
    .option('--json', 'print the result as JSON (no progress display)');
}

// How such a command runs the pipeline: progress and lifecycle lines on the CLI's output; under --json none, and
// lifecycle warnings go into the given list. (The interrupt signal is not included: reading cli.signal opts the
// command into a clean stop on Ctrl-C, which each command decides.)
export function pipelineRunOptions(cli: CliContext, flags: PipelineFlags, warnings: string[] = []): UpOptions & LifecycleOptions {
  if (flags.json) {
    return { renderer: 'silent', allowRestart: flags.allowRestart, print: () => undefined, log: collectWarnings(warnings) };
  }
  return {
    renderer: flags.plain ? 'plain' : 'auto',
    allowRestart: flags.allowRestart,
    print: (t) => cli.out(t),
    log: (l) => cli.out(l),
  };
}
