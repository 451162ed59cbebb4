import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import type { ErrorJson } from './json-types.js';

// Nothing here imports @hotstandby/core: command modules load this at start-up, and --version must stay fast.

// True when the command line asks for JSON: --json before any "--" (after which arguments are not options).
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

// Print a command's result: one JSON document on stdout.
export function printJson(cli: CliContext, value: unknown): void {
  cli.out(JSON.stringify(value, null, 2));
}

// Make commander report bad usage (unknown option, missing argument, a value a command rejects) on every command as
// one JSON error on stderr, without the help text, when the command line asks for JSON. The exit code stays 2.
export function reportUsageErrorsAsJson(command: Command, cli: CliContext): void {
  command.showHelpAfterError(false).configureOutput({
    outputError: (text) => {
      const message = text.trim().replace(/^error: /, '');
      const usage: ErrorJson = { error: { code: 'USAGE', message, where: {}, fix: `see "${commandPath(command)} --help"`, detail: null } };
      cli.err(JSON.stringify(usage));
    },
  });
  for (const sub of command.commands) reportUsageErrorsAsJson(sub, cli);
}

// The command line that names this command, e.g. "hotstandby pg install".
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

// A lifecycle log for --json: progress lines are dropped (stdout holds only the document), warnings go into the list.
export function collectWarnings(into: string[]): (line: string) => void {
  return (line) => {
    if (line.startsWith('warning: ')) into.push(line.slice('warning: '.length));
  };
}
