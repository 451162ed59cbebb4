import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin, isHotstandbyError, quoteIdent, z } from '@hotstandby/core';
import { BUILTIN_PLUGINS, createTestCluster, expectPlanned, planStep, runStep, type TestCluster } from '../../src/index.js';

// A primary step that keeps a setting-like row in a table: plan only what differs.
const options = z.strictObject({ value: z.string().default('on') });
const keepRow = definePlugin<z.infer<typeof options>>({
  name: 'keep-row',
  description: 'Keep one row in public.kv.',
  scope: 'primary',
  options,
  before: ['base-backup'],
  async plan(ctx) {
    const table = await ctx.primary.queryOne<{ t: string | null }>("SELECT to_regclass('public.kv')::text AS t");
    const row = table?.t ? await ctx.primary.queryOne<{ v: string }>("SELECT v FROM public.kv WHERE k = 'mode'") : undefined;
    if (row?.v === ctx.options.value) return { actions: [], notes: ['kv.mode is already ' + row.v] };
    return {
      actions: [
        ...(table?.t ? [] : [{ kind: 'sql' as const, node: ctx.primary.name, sql: 'CREATE TABLE public.kv (k text PRIMARY KEY, v text)', summary: 'create kv' }]),
        {
          kind: 'sql',
          node: ctx.primary.name,
          sql: `INSERT INTO public.kv VALUES ('mode', ${'$1'}) ON CONFLICT (k) DO UPDATE SET v = excluded.v`,
          params: [ctx.options.value],
          summary: `kv.mode = ${ctx.options.value}`,
        },
      ],
    };
  },
});

// A standby step that only looks: which standbys run, and where their data directory is.
const whoAmI = definePlugin({
  name: 'who-am-i',
  description: 'Report each standby.',
  scope: 'standby',
  async plan(ctx) {
    return { actions: [{ kind: 'task', changes: false, summary: `look at ${ctx.node.name}`, details: [], run: async () => undefined }] };
  },
  async apply(ctx) {
    const inRecovery = await ctx.node.isInRecovery();
    return { summary: `${ctx.node.name} in recovery: ${inRecovery}`, data: { node: ctx.node.name, upstream: ctx.upstream?.name, inRecovery } };
  },
});

const WAL_READY = { wal_keep_size: '1024' };

describe('runStep and planStep against a real PostgreSQL', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  it('runs one primary step: its plan before it ran, what it did, the events; idempotent on the second run', async () => {
    tc = await createTestCluster({ plugins: [], standbys: [] });
    const first = await runStep(tc, keepRow, { options: { value: 'fast' } });
    expectPlanned(first.plan)
      .toRunSql('CREATE TABLE public.kv')
      .toRunSql(/INSERT INTO public\.kv/);
    expect(first.plan.node).toBe('primary');
    expect(first.plan.lines.join('\n')).toContain('CREATE TABLE public.kv');
    expect(first.record).toMatchObject({ step: 'keep-row', node: 'primary', changed: true, summary: '2 changes applied' });
    // Each of the two SQL actions is announced as it is applied.
    expect(first.events.map((e) => e.type)).toEqual(['step:start', 'action', 'action', 'step:done']);
    expect(Object.isFrozen(first.events[0])).toBe(true);
    expect(await tc.primary.node.query('SELECT k, v FROM public.kv')).toEqual([{ k: 'mode', v: 'fast' }]);

    const second = await runStep(tc, keepRow, { options: { value: 'fast' } });
    expectPlanned(second.plan).toBeEmpty().toNote('already fast');
    expect(second.record.changed).toBe(false);

    const changed = await planStep(tc, keepRow, { options: { value: 'slow' } });
    expect(changed.plan.actions).toHaveLength(1);
    expect(await tc.primary.node.query('SELECT v FROM public.kv')).toEqual([{ v: 'fast' }]);
  });

  it('runs a standby step on every standby, and reports an invalid option by its key', async () => {
    tc = await createTestCluster({ plugins: BUILTIN_PLUGINS, settings: WAL_READY, standbys: ['standby1', 'standby2'] });
    await tc.up();
    const run = await runStep(tc, whoAmI);
    expect(run.plans.map((p) => p.node).sort()).toEqual(['standby1', 'standby2']);
    expectPlanned(run.plans).toChangeNothing();
    expect(run.records.map((r) => r.data).sort((a, b) => String((a as { node: string }).node).localeCompare((b as { node: string }).node))).toEqual([
      { node: 'standby1', upstream: 'primary', inRecovery: true },
      { node: 'standby2', upstream: 'primary', inRecovery: true },
    ]);

    const bad = await runStep(tc, keepRow, { options: { value: 3 } }).catch((e: unknown) => e);
    expect(isHotstandbyError(bad)).toBe(true);
    expect(bad).toMatchObject({ code: 'CONFIG_INVALID', where: { key: 'steps.keep-row.value' } });
  });

  it('says a standby step needs standbys when the test cluster has none', async () => {
    tc = await createTestCluster({ plugins: [], standbys: [] });
    await expect(planStep(tc, whoAmI)).rejects.toThrow(/ran on no node: a standby step needs standbys/);
  });

  it("a custom step among the test cluster's plugins runs in up before base-backup, so the standby starts with its row", async () => {
    // The plugin object as its module exports it, next to the built-in steps @hotstandby/testing re-exports.
    tc = await createTestCluster({ plugins: [...BUILTIN_PLUGINS, keepRow], settings: WAL_READY, config: { steps: { 'keep-row': { value: 'copied' } } } });
    expect(tc.plugins.map((p) => p.origin).slice(-2)).toEqual([expect.stringMatching(/^@hotstandby\/plugin-verify@.* \(built-in\)$/), 'test']);
    await tc.up();
    const standby = tc.standby('standby1');
    await standby.waitForReplay((await tc.primary.node.lsn('write'))!, 30_000);
    expect(await standby.query(`SELECT v FROM public.${quoteIdent('kv')}`)).toEqual([{ v: 'copied' }]);
  });
});
