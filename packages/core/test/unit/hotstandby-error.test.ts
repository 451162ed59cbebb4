import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/error-codes.js';
import { HotstandbyError, isHotstandbyError } from '../../src/errors/hotstandby-error.js';
import { MASK, clearSecretsForTests, registerSecret } from '../../src/secrets/secret-registry.js';

afterEach(() => clearSecretsForTests());

describe('HotstandbyError', () => {
  it('carries code, message, where, fix, detail, data and cause', () => {
    const cause = new Error('root cause');
    const error = new HotstandbyError('PORT_IN_USE', 'port 5432 is taken', {
      where: { node: 'master', key: 'primary.port' },
      fix: 'free it',
      detail: 'ss output',
      data: { port: 5432 },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HotstandbyError');
    expect(error.code).toBe('PORT_IN_USE');
    expect(error.message).toBe('port 5432 is taken');
    expect(error.where).toEqual({ node: 'master', key: 'primary.port' });
    expect(error.fix).toBe('free it');
    expect(error.detail).toBe('ss output');
    expect(error.data).toEqual({ port: 5432 });
    expect(error.cause).toBe(cause);
  });

  it('defaults to an empty location and no cause', () => {
    const error = new HotstandbyError('INTERNAL', 'x');
    expect(error.where).toEqual({});
    expect(error.fix).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('masks registered secrets in message, fix and detail', () => {
    registerSecret('hunter2');
    const error = new HotstandbyError('AUTH_FAILED', 'login with hunter2 failed', { fix: 'hunter2 is wrong', detail: 'tried hunter2' });
    expect(error.message).toBe(`login with ${MASK} failed`);
    expect(error.fix).toBe(`${MASK} is wrong`);
    expect(error.detail).toBe(`tried ${MASK}`);
  });

  it('masks password= in a message', () => {
    registerSecret('other');
    expect(new HotstandbyError('CONNECTION_FAILED', 'cannot connect with "host=x password=pw123"').message).not.toContain('pw123');
  });

  it('has a catalogue entry for every code', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });
});

describe('HotstandbyError.within', () => {
  it('returns a copy with the outer location added', () => {
    const inner = new HotstandbyError('SQL_FAILED', 'relation missing', { where: { file: 'pg_hba.conf', line: 3 }, fix: 'fix it', detail: 'd', data: 1 });
    const outer = inner.within({ step: 'hba-config', node: 'slave1', plugin: '@hotstandby/plugin-hba-config' });
    expect(outer).not.toBe(inner);
    expect(outer).toBeInstanceOf(HotstandbyError);
    expect(outer.where).toEqual({ file: 'pg_hba.conf', line: 3, step: 'hba-config', node: 'slave1', plugin: '@hotstandby/plugin-hba-config' });
    expect([outer.code, outer.message, outer.fix, outer.detail, outer.data]).toEqual(['SQL_FAILED', 'relation missing', 'fix it', 'd', 1]);
    // The original is not changed.
    expect(inner.where).toEqual({ file: 'pg_hba.conf', line: 3 });
  });

  it('keeps the more specific inner location when both name the same fact', () => {
    const inner = new HotstandbyError('SQL_FAILED', 'x', { where: { node: 'master' } });
    expect(inner.within({ node: 'slave1', step: 's' }).where).toEqual({ node: 'master', step: 's' });
  });

  it('keeps the cause and the original stack', () => {
    const cause = new Error('boom');
    const inner = new HotstandbyError('COMMAND_FAILED', 'x', { cause });
    const outer = inner.within({ step: 's' });
    expect(outer.cause).toBe(cause);
    expect(outer.stack).toBe(inner.stack);
  });
});

describe('isHotstandbyError', () => {
  it('recognises the class and look-alikes from another copy of the module', () => {
    expect(isHotstandbyError(new HotstandbyError('INTERNAL', 'x'))).toBe(true);
    const lookAlike = Object.assign(new Error('x'), { name: 'HotstandbyError', code: 'INTERNAL' });
    expect(isHotstandbyError(lookAlike)).toBe(true);
  });

  it('rejects other errors and non-errors', () => {
    expect(isHotstandbyError(new Error('x'))).toBe(false);
    expect(isHotstandbyError(Object.assign(new Error('x'), { name: 'HotstandbyError' }))).toBe(false);
    expect(isHotstandbyError({ name: 'HotstandbyError', code: 'INTERNAL' })).toBe(false);
    expect(isHotstandbyError('HotstandbyError')).toBe(false);
    expect(isHotstandbyError(undefined)).toBe(false);
  });
});
