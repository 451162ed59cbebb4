import { Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context.js';
import { registerCache } from './commands/cache-command.js';
import { registerCompletion } from './commands/completion-command.js';
import { registerDoctor } from './commands/doctor-command.js';
import { registerDown } from './commands/down-command.js';
import { registerEnv } from './commands/env-command.js';
import { registerLag } from './commands/lag-command.js';
import { registerFailoverCommands } from './commands/failover-commands.js';
import { registerNodeControl } from './commands/node-control-commands.js';
import { registerRunbook } from './commands/runbook-command.js';
import { registerScripts } from './commands/scripts-command.js';
import { registerStandbyCommands } from './commands/standby-commands.js';
import { registerPg } from './commands/pg-command.js';
import { registerPlugin } from './commands/plugin-command.js';
import { registerPlugins } from './commands/plugins-command.js';
import { registerStatus } from './commands/status-command.js';
import { registerUp } from './commands/up-command.js';
import { registerVerify } from './commands/verify-command.js';
import { reportUsageErrorsAsJson, wantsJson } from './output/json-output.js';
import { VERSION } from './version.js';

// This package's version, for --version.

// Exit codes: 0 success, 1 a reported failure (bad input, a failed check), 2 bad usage, 70 a bug, 130/143 stopped
// by Ctrl-C/SIGTERM.
export const EXIT = { ok: 0, failure: 1, usage: 2, bug: 70, interrupted: 130, terminated: 143 } as const;

// The exit code of a run stopped by a signal: the shell's convention, 128 + the signal's number.
export function exitCodeForSignal(signal: string | undefined): number {
  return signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}

// The hotstandby program with every command.
export function buildProgram(cli: CliContext): Command {
  const program = new Command('hotstandby')
    .description('Build and run a PostgreSQL primary plus hot standbys, step by step, on one machine or existing servers.')
    .option('-c, --config <file>', 'config file (default: discover hotstandby.config.*, .hotstandbyrc*, package.json "hotstandby"; else the built-in recipe)')
    .option('--verbose', 'show stack traces of errors inside plugins')
    .version(VERSION, '-V, --version', 'print the hotstandby version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => cli.out(s.trimEnd()), writeErr: (s) => cli.err(s.trimEnd()) });
  registerUp(program, cli);
  registerStatus(program, cli);
  registerVerify(program, cli);
  registerDown(program, cli);
  registerNodeControl(program, cli);
  registerStandbyCommands(program, cli);
  registerFailoverCommands(program, cli);
  registerRunbook(program, cli);
  registerScripts(program, cli);
  registerEnv(program, cli);
  registerLag(program, cli);
  registerDoctor(program, cli);
  registerPg(program, cli);
  registerCache(program, cli);
  registerPlugins(program, cli);
  registerPlugin(program, cli);
  registerCompletion(program, cli);
  return program;
}

// Run the CLI and return the exit code; the one place errors are caught and printed.
export async function runCli(argv: readonly string[], cli: CliContext): Promise<number> {
  const program = buildProgram(cli);
  const json = wantsJson(argv);
  if (json) reportUsageErrorsAsJson(program, cli);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return cli.exitCode ?? EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose ?? false;
    const { formatError } = await import('./output/format-error.js');
    const { text, bug } = formatError(error, verbose);
    cli.err(json ? JSON.stringify((await import('./output/error-json.js')).errorJson(error)) : text);
    // Stopped by Ctrl-C or SIGTERM: the shell's convention (128 + the signal), so scripts can tell it from a failure.
    if (cli.signal?.aborted) return exitCodeForSignal((cli.signal.reason as { signal?: string } | undefined)?.signal);
    return bug ? EXIT.bug : EXIT.failure;
  }
}
