import { afterEach, describe, expect, it } from 'vitest';
import { configFromObject, isHotstandbyError, resolvePipeline, type HotstandbyError, type LoadedPlugin } from '@hotstandby/core';
import { createTestCluster, expectPlanned, planStep, runStep, type TestCluster } from '@hotstandby/testing';
import { BUILTIN_PLUGINS } from 'hotstandby';
import seedSchema from '../src/index.js';

const OPTIONS = {
  schema: 'shop',
  tables: [
    {
      name: 'items',
      columns: { id: 'integer', name: 'text not null', price: 'numeric(10,2)' },
      rows: [
        { id: 1, name: 'apple', price: 0.5 },
        { id: 2, name: 'pear', price: 0.75 },
        { id: 3, name: "it's quoted" },
      ],
    },
  ],
};
const SEED: LoadedPlugin = { plugin: seedSchema, origin: 'hotstandby-plugin-seed-schema (example)' };
// The primary already keeps 1GB of WAL, so wal-config has nothing to change (no reload in these tests).
const WAL_READY = { wal_keep_size: '1024' };

async function items(node: { query<T extends object>(sql: string): Promise<T[]> }): Promise<{ id: number; name: string; price: string | null }[]> {
  return node.query<{ id: number; name: string; price: string | null }>('SELECT id, name, price::text AS price FROM shop.items ORDER BY id');
}

describe('seed-schema (example plugin) against a real cluster', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  it('runs right before base-backup, so the standby starts with the rows; a second run plans nothing', async () => {
    tc = await createTestCluster({ plugins: [...BUILTIN_PLUGINS, SEED], settings: WAL_READY, config: { steps: { 'seed-schema': OPTIONS } } });
    const order = resolvePipeline(tc.spec, tc.plugins).steps.map((s) => s.plugin.name);
    expect(order).toEqual(['user-creation', 'hba-config', 'wal-config', 'seed-schema', 'base-backup', 'recovery-config', 'verify']);

    await tc.up();
    const expected = [
      { id: 1, name: 'apple', price: '0.50' },
      { id: 2, name: 'pear', price: '0.75' },
      { id: 3, name: "it's quoted", price: null },
    ];
    expect(await items(tc.primary.node)).toEqual(expected);
    const standby = tc.standby('standby1');
    await standby.waitForReplay((await tc.primary.node.lsn('write'))!, 30_000);
    expect(await items(standby)).toEqual(expected);

    const again = await runStep(tc, seedSchema, { options: OPTIONS });
    expectPlanned(again.plan).toBeEmpty().toNote('3 of 3 row(s) already there');
    expect(again.record.changed).toBe(false);
  });

  it('plans only what is missing, and rows added later stream to the standby', async () => {
    tc = await createTestCluster({ plugins: [...BUILTIN_PLUGINS, SEED], settings: WAL_READY, config: { steps: { 'seed-schema': OPTIONS } } });
    await tc.up();
    const more = { ...OPTIONS, tables: [{ ...OPTIONS.tables[0]!, rows: [...OPTIONS.tables[0]!.rows, { id: 4, name: 'plum' }] }] };

    const { plan } = await planStep(tc, seedSchema, { options: more });
    expect(plan.actions).toHaveLength(1);
    expectPlanned(plan).toRunSql(/^INSERT INTO "shop"\."items" \("id", "name"\) VALUES \(\$1, \$2\)$/);
    expect(plan.lines.join('\n')).not.toMatch(/CREATE/);

    const { record } = await runStep(tc, seedSchema, { options: more });
    expect(record).toMatchObject({ changed: true, summary: '1 change applied' });
    const standby = tc.standby('standby1');
    await standby.waitForReplay((await tc.primary.node.lsn('write'))!, 30_000);
    expect((await items(standby)).map((r) => r.name)).toEqual(['apple', 'pear', "it's quoted", 'plum']);
  });

  it('plans schema, table and rows on a bare primary, and refuses a table it would have to alter', async () => {
    tc = await createTestCluster({ plugins: [], standbys: [] });
    const { plan } = await planStep(tc, seedSchema, { options: OPTIONS });
    expectPlanned(plan)
      .toRunSql('CREATE SCHEMA "shop"')
      .toRunSql(/CREATE TABLE "shop"\."items" \("id" integer, "name" text not null, "price" numeric\(10,2\), PRIMARY KEY \("id"\)\)/)
      .toRunSql(/INSERT INTO "shop"\."items" \("id", "name", "price"\) VALUES \(\$1, \$2, \$3\), \(\$4, \$5, \$6\)/);

    await tc.primary.node.query('CREATE SCHEMA shop');
    await tc.primary.node.query('CREATE TABLE shop.items (id integer PRIMARY KEY, name text)');
    const error = await runStep(tc, seedSchema, { options: OPTIONS }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHotstandbyError(error), String(error)).toBe(true);
    const e = error as HotstandbyError;
    expect(e.message).toMatch(/shop\.items exists on primary without the column\(s\) price/);
    expect(e.where).toMatchObject({ step: 'seed-schema', node: 'primary', plugin: 'seed-schema (under test)' });
    expect((await tc.primary.node.query('SELECT 1 FROM shop.items')).length, 'nothing was inserted').toBe(0);
  });
});

describe('seed-schema options', () => {
  const spec = (steps: Record<string, unknown>) => configFromObject({ steps: { 'seed-schema': steps } }, '/tmp');

  it('names the key of a bad value', () => {
    const bad = { schema: 'shop', tables: [{ name: 'items', columns: { id: 'integer' }, rows: [{ id: 1 }, { idd: 2 }] }] };
    let thrown: unknown;
    try {
      resolvePipeline(spec(bad), [...BUILTIN_PLUGINS, SEED]);
    } catch (error) {
      thrown = error;
    }
    expect(isHotstandbyError(thrown)).toBe(true);
    const e = thrown as HotstandbyError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('steps.seed-schema.tables[0].rows[1]');
    expect(e.where.key).toMatch(/^steps\.seed-schema\.tables\[0\]\.rows\[1\]/);
  });

  it('refuses a column type that could smuggle SQL in', () => {
    const bad = { schema: 'shop', tables: [{ name: 'items', columns: { id: 'integer); DROP TABLE x; --' } }] };
    expect(() => resolvePipeline(spec(bad), [...BUILTIN_PLUGINS, SEED])).toThrow(/steps\.seed-schema\.tables\[0\]\.columns\.id: must be a SQL type/);
  });
});
