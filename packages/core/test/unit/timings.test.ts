import { afterEach, describe, expect, it, vi } from 'vitest';

// timings.ts reads HOTSTANDBY_TIMINGS once, when it is loaded: each case loads a fresh copy.
async function loadTimings(value: string | undefined) {
  vi.resetModules();
  vi.stubEnv('HOTSTANDBY_TIMINGS', value);
  return import('../../src/util/timings.js');
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('HOTSTANDBY_TIMINGS', () => {
  it('prints each timed span with its end and duration, masking secrets in the label', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const { timed } = await loadTimings('1');
    const { registerSecret: register } = await import('../../src/secrets/secret-registry.js');
    register('hunter2-timing-secret');
    const value = await timed('login with hunter2-timing-secret', async () => 42);
    expect(value).toBe(42);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^\[timing\] \d+ \d+ login with \S+\n$/);
    expect(written[0]).not.toContain('hunter2-timing-secret');
  });

  it('prints nothing and still returns the result when unset', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { timed, timingMark } = await loadTimings(undefined);
    await expect(timed('anything', async () => 'done')).resolves.toBe('done');
    timingMark('a point');
    expect(write).not.toHaveBeenCalled();
  });

  it('reports the span of a failing function and passes its error on', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const { timed } = await loadTimings('1');
    await expect(timed('failing step', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(written.join('')).toMatch(/\] \d+ \d+ failing step\n/);
  });
});
