import { isHotstandbyError, maskSecrets } from '@hotstandby/core';
import type { ErrorJson } from './json-types.js';

// An error as --json reports it on stderr: what, where, how to fix; a bug says so in its fix.
export function errorJson(error: unknown): ErrorJson {
  if (isHotstandbyError(error)) {
    return { error: { code: error.code, message: error.message, where: error.where, fix: error.fix ?? null, detail: error.detail ?? null } };
  }
  const message = maskSecrets(error instanceof Error ? error.message : String(error));
  return {
    error: {
      code: 'INTERNAL',
      message: `unexpected error: ${message}`,
      where: {},
      fix: 'This is a bug in hotstandby; please report it with this output (run without --json and with --verbose for the stack).',
      detail: null,
    },
  };
}
