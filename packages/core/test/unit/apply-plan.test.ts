import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/executor/action.js';
import { applyPlan } from '../../src/executor/apply-plan.js';
import type { Executor } from '../../src/executor/executor.js';
import type { OperationPlan } from '../../src/executor/operation-plan.js';

// An executor whose actions each wait until released, recording when each starts and ends.
function gatedExecutor(failing: string[] = []) {
  const events: string[] = [];
  const gates = new Map<string, () => void>();
  const started = new Map<string, Promise<void>>();
  const startedResolvers = new Map<string, () => void>();
  const startedOf = (name: string) => {
    if (!started.has(name)) started.set(name, new Promise<void>((r) => startedResolvers.set(name, r)));
    return started.get(name)!;
  };
  const executor = {
    apply: async (action: Action) => {
      events.push(`start ${action.summary}`);
      startedOf(action.summary);
      startedResolvers.get(action.summary)!();
      await new Promise<void>((release) => gates.set(action.summary, release));
      events.push(`end ${action.summary}`);
      if (failing.includes(action.summary)) throw new Error(`${action.summary} failed`);
    },
    applyAll: async (actions: readonly Action[]) => {
      for (const a of actions) await executor.apply(a);
    },
  };
  return { executor: executor as unknown as Executor, events, gates, startedOf };
}

const stop = (name: string): Action => ({ kind: 'node', node: name, op: 'stop', mode: 'fast', summary: name });
const plan = (concurrent: boolean): OperationPlan => ({
  command: 'down',
  purpose: 'test',
  checked: [],
  steps: [{ title: 'stop a, b', concurrent, actions: [stop('a'), stop('b')] }],
});

describe('applyPlan', () => {
  it('starts every action of a concurrent step before the first one ends', async () => {
    const { executor, events, gates, startedOf } = gatedExecutor();
    const applying = applyPlan(executor, plan(true), () => undefined);
    await Promise.all([startedOf('a'), startedOf('b')]);
    expect(events).toEqual(['start a', 'start b']);
    gates.get('b')!();
    gates.get('a')!();
    await applying;
    expect(events).toEqual(['start a', 'start b', 'end b', 'end a']);
  });

  it('lets the other actions of a concurrent step finish when one fails, then fails with that error', async () => {
    const { executor, events, gates, startedOf } = gatedExecutor(['a']);
    const applying = applyPlan(executor, plan(true), () => undefined);
    const outcome = applying.then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await Promise.all([startedOf('a'), startedOf('b')]);
    gates.get('a')!();
    await new Promise((r) => setImmediate(r));
    expect(events).not.toContain('end b');
    gates.get('b')!();
    expect(await outcome).toBe('a failed');
    expect(events).toContain('end b');
  });

  it('runs the actions of an ordinary step one after another', async () => {
    const { executor, events, gates, startedOf } = gatedExecutor();
    const applying = applyPlan(executor, plan(false), () => undefined);
    await startedOf('a');
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['start a']);
    gates.get('a')!();
    await startedOf('b');
    gates.get('b')!();
    await applying;
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
