import { randomBytes } from 'node:crypto';
import { quoteIdent, type PgNode, type SqlAction } from '@hotstandby/core';

// Prefix of the short-lived tables verify creates (and drops); leftovers of an interrupted run are dropped first.
export const MARKER_PREFIX = 'hotstandby_verify_';

// A table with one marker row on the primary, and the WAL position after its commit.
export interface Marker {
  table: string;
  token: string;
  lsn: string;
}

// Applies actions through core's executor (the step context's run).
export type RunActions = (actions: readonly SqlAction[]) => Promise<void>;

// Drop marker tables an interrupted verify left behind.
export async function dropLeftoverMarkers(primary: PgNode, database: string, run: RunActions): Promise<void> {
  const rows = await primary.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1", [`${MARKER_PREFIX}%`], database);
  await run(rows.map(({ t }) => dropAction(primary, database, t, `drop the marker table ${t} an interrupted verify left behind`)));
}

// Create the marker table and row on the primary (a regular table: temporary and unlogged ones do not replicate).
export async function writeMarker(primary: PgNode, database: string, run: RunActions): Promise<Marker> {
  const table = `${MARKER_PREFIX}${randomBytes(4).toString('hex')}`;
  const token = randomBytes(8).toString('hex');
  await run([
    {
      kind: 'sql',
      node: primary.name,
      database,
      sql: `CREATE TABLE public.${quoteIdent(table)} (id int PRIMARY KEY, token text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`,
      summary: `create the marker table ${table}`,
    },
    {
      kind: 'sql',
      node: primary.name,
      database,
      sql: `INSERT INTO public.${quoteIdent(table)} (id, token) VALUES (1, $1)`,
      params: [token],
      summary: `write the marker row into ${table}`,
    },
  ]);
  const lsn = (await primary.lsn('write'))!;
  return { table, token, lsn };
}

// Remove the marker table (the drop replicates too, so no standby keeps it).
export async function dropMarker(primary: PgNode, database: string, marker: Marker, run: RunActions): Promise<void> {
  await run([dropAction(primary, database, marker.table, `drop the marker table ${marker.table}`)]);
}

function dropAction(primary: PgNode, database: string, table: string, summary: string): SqlAction {
  return { kind: 'sql', node: primary.name, database, sql: `DROP TABLE IF EXISTS public.${quoteIdent(table)}`, summary };
}
