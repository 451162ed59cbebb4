import { setTimeout as delay } from 'node:timers/promises';
import { HotstandbyError } from '../errors/hotstandby-error.js';

// How long and how often to check a condition.
export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  // What is being waited for, for the timeout message ("slave1 to replay up to 0/3000060").
  what: string;
  signal?: AbortSignal;
  fix?: string;
}

// Check a condition until it returns a value other than undefined, or fail with TIMEOUT naming what was awaited
// and the last state seen. This waits on a condition; it never sleeps a fixed time and hopes.
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: PollOptions, describeLast?: () => string): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let interval = options.intervalMs ?? 50;
  for (;;) {
    if (options.signal?.aborted) throw new HotstandbyError('ABORTED', `stopped waiting for ${options.what}`);
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      const last = describeLast ? ` (${describeLast()})` : '';
      throw new HotstandbyError('TIMEOUT', `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}${last}`, {
        fix: options.fix,
      });
    }
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())), undefined, { signal: options.signal }).catch(() => undefined);
    interval = Math.min(interval * 1.5, 500);
  }
}
