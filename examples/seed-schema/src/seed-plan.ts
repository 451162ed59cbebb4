import { HotstandbyError, quoteIdent, type Action, type StepContext, type StepPlan } from '@hotstandby/core';
import { keyOf, type SeedOptions, type SeedTable } from './seed-options.js';

// What exists on the primary now.
interface Existing {
  schema: boolean;
  // Per table: its columns, and which of the wanted keys are already there (as text).
  tables: Map<string, { columns: Set<string>; keys: Set<string> }>;
}

// Plan only what is missing: the schema, each table, the rows whose key is not there yet.
export async function planSeed(ctx: StepContext<SeedOptions>): Promise<StepPlan> {
  const o = ctx.options;
  const existing = ctx.isPlanned(ctx.primary) ? { schema: false, tables: new Map() } : await readExisting(ctx);
  const actions: Action[] = [];
  const notes: string[] = [];
  const sql = (statement: string, summary: string, params?: unknown[]): Action => ({ kind: 'sql', node: ctx.primary.name, database: o.database, sql: statement, params, summary });
  if (!existing.schema) actions.push(sql(`CREATE SCHEMA ${quoteIdent(o.schema)}`, `create the schema ${o.schema}`));
  for (const table of o.tables) {
    const name = `${quoteIdent(o.schema)}.${quoteIdent(table.name)}`;
    const found = existing.tables.get(table.name);
    if (!found) {
      const columns = Object.entries(table.columns).map(([c, type]) => `${quoteIdent(c)} ${type}`);
      actions.push(sql(`CREATE TABLE ${name} (${[...columns, `PRIMARY KEY (${quoteIdent(keyOf(table))})`].join(', ')})`, `create the table ${o.schema}.${table.name}`));
    } else {
      const missing = Object.keys(table.columns).filter((c) => !found.columns.has(c));
      if (missing.length) {
        throw new HotstandbyError(
          'PLUGIN_FAILED',
          `${o.schema}.${table.name} exists on ${ctx.primary.name} without the column(s) ${missing.join(', ')}; seed-schema creates tables but never alters them`,
          {
            where: { node: ctx.primary.name, step: ctx.step, key: `steps.${ctx.step}.tables` },
            fix: `add the column(s) yourself (ALTER TABLE ${o.schema}.${table.name} ADD COLUMN ...) or change the options to match the table`,
          },
        );
      }
    }
    const rows = table.rows.filter((r) => !found?.keys.has(String(r[keyOf(table)])));
    if (table.rows.length > rows.length) notes.push(`${o.schema}.${table.name}: ${table.rows.length - rows.length} of ${table.rows.length} row(s) already there`);
    actions.push(...insertRows(table, name, rows, (statement, summary, params) => sql(statement, summary, params), `${o.schema}.${table.name}`));
  }
  return { actions, notes };
}

// One INSERT per set of columns (a row without a column gets the column's default).
function insertRows(table: SeedTable, name: string, rows: SeedTable['rows'], sql: (s: string, summary: string, p: unknown[]) => Action, label: string): Action[] {
  const groups = new Map<string, SeedTable['rows']>();
  for (const row of rows) {
    const cols = Object.keys(table.columns).filter((c) => c in row);
    const key = cols.join(',');
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.entries()].map(([key, group]) => {
    const cols = key.split(',');
    const params: unknown[] = [];
    const placeholder = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const values = group.map((row) => `(${cols.map((c) => placeholder(row[c])).join(', ')})`);
    return sql(`INSERT INTO ${name} (${cols.map(quoteIdent).join(', ')}) VALUES ${values.join(', ')}`, `insert ${group.length} row(s) into ${label}`, params);
  });
}

async function readExisting(ctx: StepContext<SeedOptions>): Promise<Existing> {
  const o = ctx.options;
  const db = o.database;
  const schema = (await ctx.primary.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [o.schema], db)).length > 0;
  const tables = new Map<string, { columns: Set<string>; keys: Set<string> }>();
  if (!schema) return { schema, tables };
  for (const table of o.tables) {
    const cols = await ctx.primary.query<{ c: string }>(
      'SELECT attname AS c FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped',
      [`${quoteIdent(o.schema)}.${quoteIdent(table.name)}`],
      db,
    );
    if (cols.length === 0) continue;
    const key = keyOf(table);
    const wanted = table.rows.map((r) => String(r[key]));
    const present = await ctx.primary.query<{ k: string }>(
      `SELECT ${quoteIdent(key)}::text AS k FROM ${quoteIdent(o.schema)}.${quoteIdent(table.name)} WHERE ${quoteIdent(key)}::text = ANY($1::text[])`,
      [wanted],
      db,
    );
    tables.set(table.name, { columns: new Set(cols.map((c) => c.c)), keys: new Set(present.map((p) => p.k)) });
  }
  return { schema, tables };
}
