import { isHotstandbyError, maskSecrets } from '@hotstandby/core';

// An error as the CLI prints it: one clear message, where, detail and how to fix; a stack only for bugs.
export function formatError(error: unknown, verbose: boolean): { text: string; bug: boolean } {
  if (isHotstandbyError(error)) {
    const lines = [`hotstandby: error: ${error.message}`];
    const w = error.where;
    const where = [
      w.step && `step ${w.step}`,
      w.node && `node ${w.node}`,
      w.host && `host ${w.host}`,
      w.plugin && `plugin ${w.plugin}`,
      w.key && `key ${w.key}`,
      w.file && `file ${w.file}${w.line ? `:${w.line}` : ''}`,
    ].filter(Boolean);
    if (where.length) lines.push(`  where: ${where.join(', ')}`);
    if (error.detail) lines.push(...error.detail.split('\n').map((l) => `  | ${l}`));
    if (error.fix) lines.push(`  fix: ${error.fix}`);
    lines.push(`  (${error.code})`);
    if (verbose && error.cause instanceof Error && error.cause.stack) lines.push(maskSecrets(error.cause.stack));
    return { text: lines.join('\n'), bug: error.code === 'INTERNAL' };
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    text: [
      `hotstandby: unexpected error: ${maskSecrets(error instanceof Error ? error.message : String(error))}`,
      maskSecrets(stack),
      'This is a bug in hotstandby; please report it with the output above.',
    ].join('\n'),
    bug: true,
  };
}
