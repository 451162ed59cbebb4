import { expect } from 'vitest';
import { describeRun, parseJson, type CliResult } from './cli.js';
import type { Project } from './project.js';
import type { StatusJson } from '../../packages/cli/src/output/json-types.js';

// The document `status --json` prints, as the CLI declares it, and one node of it.
export type { StatusJson };
export type StatusNode = StatusJson['nodes'][number];

// `hotstandby verify --json`.
export interface VerifyJson {
  ok: boolean;
  standbys: { name: string; ok: boolean; readOnly?: boolean; rowReplicated?: boolean; streaming?: boolean; checks?: { name: string; ok: boolean; detail: string }[] }[];
  [extra: string]: unknown;
}

// Run `status --json` (with the given global arguments) and return the parsed report; fails on a non-zero exit.
export async function statusOf(project: Project, globalArgs: readonly string[] = [], env?: Record<string, string | undefined>): Promise<StatusJson> {
  const result = await project.run([...globalArgs, 'status', '--json'], { env });
  expect(result.code, describeRun(result)).toBe(0);
  return parseJson<StatusJson>(result);
}

// Run `verify --json` and return the parsed report (whatever the exit code; tests assert it).
export async function verifyOf(project: Project, globalArgs: readonly string[] = []): Promise<{ result: CliResult; report: VerifyJson }> {
  const result = await project.run([...globalArgs, 'verify', '--json']);
  return { result, report: parseJson<VerifyJson>(result) };
}

// The node with this name in a status report.
export function nodeNamed(status: StatusJson, name: string): StatusNode {
  const node = status.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name} in status: ${JSON.stringify(status, null, 2)}`);
  return node;
}

// Assert a CLI run failed the way a user error must: exit 1, exactly one "hotstandby: error:" line, a "fix:" line,
// no stack trace, not reported as a bug, and every given fragment present in stderr.
export function expectUserError(result: CliResult, mentions: readonly (string | RegExp)[] = []): void {
  const context = describeRun(result);
  expect(result.code, context).toBe(1);
  const errorLines = result.stderr.split('\n').filter((l) => l.startsWith('hotstandby: error:'));
  expect(errorLines, context).toHaveLength(1);
  expect(result.stderr, context).toMatch(/^\s*fix: \S/m);
  expect(result.stderr, context).not.toMatch(/^\s+at \S/m);
  expect(result.stderr, context).not.toMatch(/unexpected error|this is a bug/i);
  for (const m of mentions) {
    if (typeof m === 'string') expect(result.stderr, context).toContain(m);
    else expect(result.stderr, context).toMatch(m);
  }
}
