import { randomBytes } from 'node:crypto';
import { quoteIdent, type PgNode } from '@hotstandby/core';

// Prefix of the short-lived tables verify creates (and drops); leftovers of an interrupted run are dropped first.
export const MARKER_PREFIX = 'hotstandby_verify_';

// A table with one marker row on the primary, and the WAL position after its commit.
export interface Marker {
  table: string;
  token: string;
  lsn: string;
}

// Drop marker tables an interrupted verify left behind.
export async function dropLeftoverMarkers(primary: PgNode, database: string): Promise<void> {
  const rows = await primary.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE $1", [`${MARKER_PREFIX}%`], database);
  for (const { t } of rows) await primary.query(`DROP TABLE IF EXISTS public.${quoteIdent(t)}`, [], database);
}

// Create the marker table and row on the primary (a regular table: temporary and unlogged ones do not replicate).
export async function writeMarker(primary: PgNode, database: string): Promise<Marker> {
  const table = `${MARKER_PREFIX}${randomBytes(4).toString('hex')}`;
  const token = randomBytes(8).toString('hex');
  await primary.query(`CREATE TABLE public.${quoteIdent(table)} (id int PRIMARY KEY, token text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`, [], database);
  await primary.query(`INSERT INTO public.${quoteIdent(table)} (id, token) VALUES (1, $1)`, [token], database);
  const lsn = (await primary.lsn('write'))!;
  return { table, token, lsn };
}

// Remove the marker table (the drop replicates too, so no standby keeps it).
export async function dropMarker(primary: PgNode, database: string, marker: Marker): Promise<void> {
  await primary.query(`DROP TABLE IF EXISTS public.${quoteIdent(marker.table)}`, [], database);
}
