import { HotstandbyError, registerSecret } from '@hotstandby/core';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/output/format-error.js';

const STACK_LINE = /^\s+at /m;

describe('formatError for a HotstandbyError (a user error)', () => {
  const error = new HotstandbyError('PORT_IN_USE', 'port 5432 for master is already in use by another process', {
    where: { step: 'wal-config', node: 'master', plugin: '@hotstandby/plugin-wal-config', key: 'primary.port', file: '/srv/hotstandby.config.json', line: 7 },
    detail: 'first detail line\nsecond detail line',
    fix: 'set primary.port to a free port',
  });

  it('prints message, where, detail, fix and code, and no stack', () => {
    const { text, bug } = formatError(error, false);
    expect(bug).toBe(false);
    expect(text.split('\n')).toEqual([
      'hotstandby: error: port 5432 for master is already in use by another process',
      '  where: step wal-config, node master, plugin @hotstandby/plugin-wal-config, key primary.port, file /srv/hotstandby.config.json:7',
      '  | first detail line',
      '  | second detail line',
      '  fix: set primary.port to a free port',
      '  (PORT_IN_USE)',
    ]);
    expect(text).not.toMatch(STACK_LINE);
  });

  it('leaves out the where line when nothing is known, and the line number when there is none', () => {
    expect(formatError(new HotstandbyError('TIMEOUT', 'waited', { fix: 'wait longer' }), false).text).toBe('hotstandby: error: waited\n  fix: wait longer\n  (TIMEOUT)');
    expect(formatError(new HotstandbyError('STATE_CORRUPT', 'x', { where: { file: '/s/state.json' } }), false).text).toContain('  where: file /s/state.json\n');
  });

  it("adds the cause's stack only with --verbose", () => {
    const cause = new Error('socket hang up');
    const wrapped = new HotstandbyError('CONNECTION_FAILED', 'cannot connect', { cause, fix: 'start it' });
    expect(formatError(wrapped, false).text).not.toContain('socket hang up');
    const verbose = formatError(wrapped, true).text;
    expect(verbose).toContain('Error: socket hang up');
    expect(verbose).toMatch(STACK_LINE);
  });

  it('marks INTERNAL errors as bugs', () => {
    expect(formatError(new HotstandbyError('INTERNAL', 'should not happen'), false).bug).toBe(true);
  });
});

describe('formatError for an unexpected error (a bug)', () => {
  it('prints the message, the stack and says it is a bug', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'port')");
    const { text, bug } = formatError(error, false);
    expect(bug).toBe(true);
    expect(text.split('\n')[0]).toBe("hotstandby: unexpected error: Cannot read properties of undefined (reading 'port')");
    expect(text).toContain('TypeError');
    expect(text).toMatch(STACK_LINE);
    expect(text).toMatch(/bug/);
    expect(text).toContain('report');
  });

  it('handles thrown non-errors', () => {
    const { text, bug } = formatError('just a string', false);
    expect(bug).toBe(true);
    expect(text.split('\n')[0]).toBe('hotstandby: unexpected error: just a string');
    expect(text).toMatch(/bug/);
  });

  it('masks registered secrets in the message and the stack', () => {
    registerSecret('t0p-s3cret');
    const { text } = formatError(new Error('failed with t0p-s3cret'), true);
    expect(text).not.toContain('t0p-s3cret');
    expect(text).toContain('failed with ********');
  });
});
