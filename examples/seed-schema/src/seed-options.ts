import { z } from '@hotstandby/core';

const identifier = z.string({ error: 'must be a name' }).regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case SQL name (a-z, 0-9, _; at most 63)' });

// A column type as SQL writes it: "integer", "text", "varchar(20)", "numeric(10,2)", "timestamptz", "int[]",
// optionally with words such as "not null" or "default 0". No quotes or semicolons, so nothing can be injected.
const sqlType = z
  .string({ error: 'must be a SQL type' })
  .regex(/^[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+(\s*,\s*\d+)?\s*\))?( [A-Za-z0-9_ ]+)?(\[\])?$/, { error: 'must be a SQL type such as "integer", "text" or "varchar(20)"' });

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'must be a string, number, boolean or null' });

const table = z
  .strictObject({
    name: identifier,
    // Column name → SQL type, in table order.
    columns: z.record(identifier, sqlType).refine((c) => Object.keys(c).length > 0, { error: 'must name at least one column' }),
    // The primary key column that identifies a row (default: the first column).
    key: identifier.optional(),
    rows: z.array(z.record(z.string(), scalar)).default([]),
  })
  .superRefine((t, ctx) => {
    const columns = Object.keys(t.columns);
    const key = t.key ?? columns[0];
    if (t.key !== undefined && !columns.includes(t.key)) ctx.addIssue({ code: 'custom', path: ['key'], message: `is not a column of ${t.name} (${columns.join(', ')})` });
    t.rows.forEach((row, i) => {
      for (const col of Object.keys(row)) {
        if (!columns.includes(col)) ctx.addIssue({ code: 'custom', path: ['rows', i, col], message: `is not a column of ${t.name} (${columns.join(', ')})` });
      }
      if (key !== undefined && (row[key] === undefined || row[key] === null))
        ctx.addIssue({ code: 'custom', path: ['rows', i], message: `has no value for the key column ${key}` });
    });
  });

// The options of the seed-schema step ("steps.seed-schema" in the config).
export const seedOptions = z.strictObject({
  database: z.string().min(1).default('postgres'),
  schema: identifier,
  tables: z.array(table).min(1, { error: 'must list at least one table' }),
});

// Options after validation (defaults applied).
export type SeedOptions = z.infer<typeof seedOptions>;

// One table of the options.
export type SeedTable = SeedOptions['tables'][number];

// The key column of a table: the one named, else the first.
export function keyOf(table: SeedTable): string {
  return table.key ?? Object.keys(table.columns)[0]!;
}
