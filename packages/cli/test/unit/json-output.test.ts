import { describe, expect, it } from 'vitest';
import { HotstandbyError, registerSecret, type DependencyContainer } from '@hotstandby/core';
import { runCli } from '../../src/main.js';
import { errorJson } from '../../src/output/error-json.js';
import { wantsJson } from '../../src/output/json-output.js';

// Run the CLI in-process and collect what it printed on each stream.
async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { container: {} as DependencyContainer, cwd: process.cwd(), out: (t) => void out.push(t), err: (t) => void err.push(t) });
  return { code, out, err };
}

describe('--json errors', () => {
  it('is asked for by --json anywhere before "--", not after it', () => {
    expect(wantsJson(['stop', '--json'])).toBe(true);
    expect(wantsJson(['--json', 'status'])).toBe(true);
    expect(wantsJson(['stop', '--', '--json'])).toBe(false);
    expect(wantsJson(['stop'])).toBe(false);
  });

  it('reports a HotstandbyError with its code, where, fix and detail', () => {
    const error = new HotstandbyError('UNKNOWN_NODE', 'no node s9', { where: { node: 's9' }, fix: 'name one of main, s1' });
    expect(errorJson(error)).toEqual({ error: { code: 'UNKNOWN_NODE', message: 'no node s9', where: { node: 's9' }, fix: 'name one of main, s1', detail: null } });
  });

  it('reports anything else as INTERNAL, with secrets masked', () => {
    registerSecret('hunter2-json-test');
    const json = errorJson(new TypeError('boom with hunter2-json-test'));
    expect(json.error).toMatchObject({ code: 'INTERNAL', where: {}, detail: null });
    expect(json.error.message).toBe('unexpected error: boom with ********');
    expect(json.error.fix).toMatch(/bug in hotstandby/);
  });

  it('turns bad usage into one JSON object on stderr, exit 2, no help text and nothing on stdout', async () => {
    const { code, out, err } = await run(['stop', '--mode', 'gentle', '--json']);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(JSON.parse(err[0]!)).toEqual({
      error: { code: 'USAGE', message: '--mode must be smart, fast or immediate (got "gentle")', where: {}, fix: 'see "hotstandby stop --help"', detail: null },
    });
  });

  it('keeps the text form (with help) without --json', async () => {
    const { code, err } = await run(['pg', 'install', 'abc']);
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/^error: command-argument value 'abc' is invalid/);
    expect(err.join('\n')).toContain('Usage: hotstandby pg install');
  });
});
