import type { Command } from 'commander';
import type { StopMode } from '@hotstandby/core';

const MODES: readonly StopMode[] = ['smart', 'fast', 'immediate'];

// A --mode value as pg_ctl stop takes it, or bad usage (exit 2) naming the value and the choices.
export function parseStopMode(command: Command, value: string | undefined): StopMode {
  if (!(MODES as readonly (string | undefined)[]).includes(value)) command.error(`error: --mode must be smart, fast or immediate (got "${value ?? ''}")`, { exitCode: 2 });
  return value as StopMode;
}
