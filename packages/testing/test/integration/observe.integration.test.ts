import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, type LoadedPlugin, type PipelineEvent } from '@hotstandby/core';
import { createTestCluster, rejectionOf, type TestCluster } from '../../src/index.js';

// Steps that only look (plans with one check), so the run's result is known in advance.
const looker = (name: string, extra: object = {}) =>
  definePlugin({
    name,
    description: `look (${name})`,
    scope: 'primary',
    async plan() {
      return { actions: [{ kind: 'task', changes: false, summary: `look ${name}`, details: [], run: async () => undefined }] };
    },
    async apply() {
      return { summary: `${name} looked` };
    },
    ...extra,
  });

describe('observing a run', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  it('plugin observe hooks and the caller see every step with timings, as frozen copies; observers that throw or meddle change nothing', async () => {
    const seenByPlugin: PipelineEvent[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const plugins: LoadedPlugin[] = [
      { plugin: looker('first', { observe: (e: PipelineEvent) => void seenByPlugin.push(e) }), origin: './steps/first.ts' },
      {
        plugin: looker('second', {
          observe: () => {
            throw new Error('observer bug');
          },
        }),
        origin: './steps/second.ts',
      },
      {
        plugin: looker('third', {
          observe: (e: PipelineEvent) => {
            if (e.type === 'step:done') (e as { summary: string }).summary = 'tampered';
          },
        }),
        origin: './steps/third.ts',
      },
    ];
    try {
      tc = await createTestCluster({ plugins, standbys: [] });
      const seenByCaller: PipelineEvent[] = [];
      const result = await tc.cluster.up({
        renderer: 'silent',
        print: () => undefined,
        observe: async (e) => {
          seenByCaller.push(e);
          throw new Error('caller observer rejects');
        },
      });

      // The run went through, unchanged by the observers.
      expect(result.steps.map((r) => [r.step, r.summary])).toEqual([
        ['first', 'first looked'],
        ['second', 'second looked'],
        ['third', 'third looked'],
      ]);
      const flow = (events: PipelineEvent[]) => events.filter((e) => e.type.startsWith('step:')).map((e) => `${e.type} ${'step' in e ? e.step : ''}`);
      const expected = ['step:start first', 'step:done first', 'step:start second', 'step:done second', 'step:start third', 'step:done third'];
      expect(flow(seenByPlugin)).toEqual(expected);
      expect(flow(seenByCaller)).toEqual(expected);
      for (const e of seenByPlugin) {
        expect(Object.isFrozen(e)).toBe(true);
        if (e.type === 'step:done') {
          expect(e.durationMs).toBeGreaterThanOrEqual(0);
          expect(e.summary).toBe(`${e.step} looked`);
          expect(e.node).toBe('primary');
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.includes('plugin ./steps/second.ts (step second) threw'))).toHaveLength(1);
      expect(warnings.some((w) => w.includes('plugin ./steps/third.ts (step third) threw') && /read[- ]only|Cannot assign/.test(w))).toBe(true);
      expect(warnings.filter((w) => w.includes('the caller threw; the run goes on'))).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('announces each action a step applies, between its start and its end, and none in a dry run', async () => {
    const sqlStep = definePlugin({
      name: 'two-actions',
      description: 'create a table, then look',
      scope: 'primary',
      async plan(ctx) {
        const exists = await ctx.primary.queryOne<{ t: string | null }>("SELECT to_regclass('public.observed')::text AS t");
        return {
          actions: [
            ...(exists?.t ? [] : [{ kind: 'sql' as const, node: ctx.primary.name, sql: 'CREATE TABLE public.observed (n int)', summary: 'create observed' }]),
            { kind: 'task' as const, changes: false, summary: 'look at observed', details: [], run: async () => undefined },
          ],
        };
      },
    });
    tc = await createTestCluster({ plugins: [{ plugin: sqlStep, origin: 'test' }], standbys: [] });
    const dry: PipelineEvent[] = [];
    await tc.cluster.up({ renderer: 'silent', print: () => undefined, dryRun: true, observe: (e) => void dry.push(e) });
    expect(dry.filter((e) => e.type === 'action')).toEqual([]);

    const seen: PipelineEvent[] = [];
    await tc.cluster.up({ renderer: 'silent', print: () => undefined, observe: (e) => void seen.push(e) });
    const flow = seen
      .filter((e) => e.type !== 'notice')
      .map((e) => (e.type === 'action' ? `action ${e.kind} ${e.summary} (${e.step} on ${e.node})` : `${e.type} ${'step' in e ? e.step : ''}`));
    expect(flow).toEqual([
      'step:start two-actions',
      'action sql create observed (two-actions on primary)',
      'action task look at observed (two-actions on primary)',
      'step:done two-actions',
    ]);
  });

  it('reports a preflight failure to observers as the step failing, and says nothing was changed', async () => {
    const seenByPlugin: PipelineEvent[] = [];
    const refuses = definePlugin({
      name: 'refuses',
      description: 'refuse in preflight',
      scope: 'primary',
      async preflight() {
        throw new Error('not on this machine');
      },
      async plan() {
        return { actions: [] };
      },
      observe: (e: PipelineEvent) => void seenByPlugin.push(e),
    });
    tc = await createTestCluster({ plugins: [{ plugin: refuses, origin: './steps/refuses.ts' }], standbys: [] });
    const seenByCaller: PipelineEvent[] = [];
    const error = await rejectionOf(tc.cluster.up({ renderer: 'silent', print: () => undefined, observe: (e) => void seenByCaller.push(e) }));
    expect(error.code).toBe('PLUGIN_FAILED');
    expect(error.message).toBe('step refuses (./steps/refuses.ts) failed in preflight on primary: not on this machine');
    expect(error.fix).toMatch(/nothing was changed/);
    for (const seen of [seenByPlugin, seenByCaller]) {
      expect(seen.filter((e) => e.type.startsWith('step:'))).toEqual([expect.objectContaining({ type: 'step:fail', step: 'refuses', node: 'primary', error: error.message })]);
    }
  });

  it('a dry run plans "not yet" only for servers that are not running; a running one that refuses is an error', async () => {
    const wrongDatabase = definePlugin({
      name: 'wrong-database',
      description: 'ask a database that does not exist',
      scope: 'primary',
      async plan(ctx) {
        await ctx.primary.query('SELECT 1', [], 'no_such_database');
        return { actions: [] };
      },
    });
    tc = await createTestCluster({ plugins: [{ plugin: wrongDatabase, origin: 'test' }], standbys: [] });
    const printed: string[] = [];
    const error = await rejectionOf(tc.cluster.up({ renderer: 'silent', dryRun: true, print: (t) => void printed.push(t) }));
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.message).toMatch(/database "no_such_database" does not exist/);
    expect(printed.join('\n')).not.toMatch(/cannot plan yet/);
  });

  it('a silent run writes nothing to stdout (library callers own their output)', async () => {
    tc = await createTestCluster({ plugins: [{ plugin: looker('quiet'), origin: 'test' }], standbys: [] });
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      await tc.cluster.up({ renderer: 'silent' });
      await tc.cluster.up({ renderer: 'silent', dryRun: true });
    } finally {
      process.stdout.write = write;
    }
    expect(written).toEqual([]);
  });
});
