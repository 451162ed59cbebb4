import { HotstandbyError, type ErrorLocation } from '@hotstandby/core';

// A base backup stopped by Ctrl-C (or the run's abort signal): what was interrupted, that its partial copy is gone,
// and that the next run starts afresh.
export function backupInterrupted(what: string, where: ErrorLocation = {}): HotstandbyError {
  return new HotstandbyError('ABORTED', `${what} was interrupted; the partial copy was removed`, { where, fix: 'run up again; it starts the base backup afresh' });
}
