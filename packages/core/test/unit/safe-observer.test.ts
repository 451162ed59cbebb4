import { describe, expect, it } from 'vitest';
import type { PipelineEvent } from '../../src/pipeline/pipeline-events.js';
import { safeObserver } from '../../src/pipeline/safe-observer.js';

const start: PipelineEvent = { type: 'step:start', step: 'seed', node: 'master', at: '2026-01-01T00:00:00.000Z' };
const done: PipelineEvent = { type: 'step:done', step: 'seed', node: 'master', changed: true, summary: 'ok', durationMs: 12, at: '2026-01-01T00:00:00.012Z' };

describe('safeObserver', () => {
  it('gives every observer a frozen copy, so none can change what the run or the others see', () => {
    const seen: PipelineEvent[] = [];
    const observe = safeObserver(
      [
        {
          label: 'meddler',
          observe: (e) => {
            (e as { step: string }).step = 'changed';
          },
        },
        { label: 'recorder', observe: (e) => void seen.push(e) },
      ],
      () => undefined,
    );
    const event = { ...start };
    observe(event);
    expect(event.step).toBe('seed');
    expect(seen).toEqual([start]);
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(seen[0]).not.toBe(event);
  });

  it('keeps going when an observer throws, and reports it once', () => {
    const reports: string[] = [];
    const seen: string[] = [];
    const observe = safeObserver(
      [
        {
          label: 'plugin ./steps/bad.ts (step bad)',
          observe: () => {
            throw new Error('observer bug');
          },
        },
        { label: 'recorder', observe: (e) => void seen.push(e.type) },
      ],
      (label, error) => reports.push(`${label}: ${(error as Error).message}`),
    );
    expect(() => observe(start)).not.toThrow();
    observe(done);
    expect(seen).toEqual(['step:start', 'step:done']);
    expect(reports).toEqual(['plugin ./steps/bad.ts (step bad): observer bug']);
  });

  it('catches the rejection of an async observer', async () => {
    const reports: string[] = [];
    let settle!: () => void;
    const reported = new Promise<void>((resolve) => (settle = resolve));
    const observe = safeObserver(
      [
        {
          label: 'async',
          observe: async () => {
            throw new Error('later');
          },
        },
      ],
      (label, error) => {
        reports.push(`${label}: ${(error as Error).message}`);
        settle();
      },
    );
    observe(start);
    await reported;
    expect(reports).toEqual(['async: later']);
  });

  it('skips missing observers', () => {
    expect(() => safeObserver([undefined])(start)).not.toThrow();
  });
});
