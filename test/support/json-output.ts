import { expect } from 'vitest';
import type { ErrorJson } from 'hotstandby';
import { describeRun, parseJson, type CliResult } from './cli.js';

// Parse the one JSON document a successful `--json` run printed: exit 0 and nothing on stdout but the document.
export function jsonResult<T>(result: CliResult): T {
  expect(result.code, describeRun(result)).toBe(0);
  return parseJson<T>(result);
}

// Assert a `--json` run failed as --json promises: the given exit code, stderr exactly one JSON object
// { error: { code, message, where, fix, detail } } with the given code, and every fragment in its message or fix.
export function expectJsonError(result: CliResult, expected: { exitCode: number; code: ErrorJson['error']['code']; mentions?: readonly (string | RegExp)[] }): ErrorJson['error'] {
  const context = describeRun(result);
  expect(result.code, context).toBe(expected.exitCode);
  let parsed: ErrorJson;
  try {
    parsed = JSON.parse(result.stderr) as ErrorJson;
  } catch {
    throw new Error(`expected one JSON object on stderr\n${context}`);
  }
  expect(Object.keys(parsed), context).toEqual(['error']);
  expect(Object.keys(parsed.error).sort(), context).toEqual(['code', 'detail', 'fix', 'message', 'where']);
  expect(parsed.error.code, context).toBe(expected.code);
  expect(parsed.error.message, context).not.toBe('');
  expect(typeof parsed.error.where, context).toBe('object');
  const said = `${parsed.error.message}\n${parsed.error.fix ?? ''}`;
  for (const m of expected.mentions ?? []) {
    if (typeof m === 'string') expect(said, context).toContain(m);
    else expect(said, context).toMatch(m);
  }
  return parsed.error;
}
