import type { Command } from 'commander';

// A --port value as a port number, or the command's usage error (exit 2) naming what was given.
export function parsePortOption(command: Command, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) command.error(`error: --port must be from 1 to 65535 (got "${value}")`, { exitCode: 2 });
  return port;
}
