import { isHotstandbyError, type ErrorCode, type HotstandbyError } from '@hotstandby/core';
import { PlanAssertionError } from './expect-planned.js';

// The HotstandbyError a promise rejects with (optionally of one code); fails when it resolves or rejects
// with anything else, so tests can assert on code, message, where and fix.
export async function rejectionOf(promise: Promise<unknown>, code?: ErrorCode): Promise<HotstandbyError> {
  const outcome = await promise.then(
    (value) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new PlanAssertionError('expected the call to fail, but it succeeded');
  if (!isHotstandbyError(outcome.error)) throw outcome.error;
  if (code && outcome.error.code !== code) {
    throw new PlanAssertionError(`expected a ${code} error, got ${outcome.error.code}: ${outcome.error.message}`);
  }
  return outcome.error;
}
