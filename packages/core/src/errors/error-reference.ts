import { ERROR_CODES } from './error-codes.js';

// docs/errors.md, generated from the error catalogue so the two never drift apart.
export function renderErrorReference(): string {
  const lines = [
    '# Error reference',
    '',
    'Every failure hotstandby reports is one `hotstandby: error:` line saying what happened, followed by where',
    '(step, node, config key, file:line), any detail, and a `fix:` line. The code in parentheses is one of these.',
    'Exit codes: `0` success, `1` a reported failure, `2` bad usage of the command line, `70` a bug in hotstandby',
    '(printed with a stack trace). Secrets are masked (`********`) in every message.',
    '',
    '| Code | Meaning |',
    '|---|---|',
    ...Object.entries(ERROR_CODES).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`),
    '',
    '*This file is generated from `packages/core/src/errors/error-codes.ts` (`UPDATE_GOLDEN=1 pnpm test:unit`).*',
    '',
  ];
  return lines.join('\n');
}
