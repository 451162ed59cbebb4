import { expect } from 'vitest';
import type { ErrorCode } from '../../../src/errors/error-codes.js';
import { HotstandbyError } from '../../../src/errors/hotstandby-error.js';

// The HotstandbyError a call throws, checked to carry the code and a fix; fails the test when nothing or something else is thrown.
export function hotstandbyErrorFrom(run: () => unknown, code: ErrorCode): HotstandbyError {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  return checked(thrown, code);
}

// The same for an async call.
export async function hotstandbyErrorFromAsync(run: () => Promise<unknown>, code: ErrorCode): Promise<HotstandbyError> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  return checked(thrown, code);
}

function checked(thrown: unknown, code: ErrorCode): HotstandbyError {
  expect(thrown, 'expected a HotstandbyError to be thrown').toBeInstanceOf(HotstandbyError);
  const error = thrown as HotstandbyError;
  expect(error.code).toBe(code);
  expect(error.fix ?? '', 'every HotstandbyError says how to fix it').not.toBe('');
  return error;
}
