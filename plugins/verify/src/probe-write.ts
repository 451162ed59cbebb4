import { quoteIdent } from '@hotstandby/core';
import { MARKER_PREFIX } from './marker-table.js';

// The write verify tries on a standby to prove it refuses writes: an INSERT into the marker table when the standby
// replayed it, else (a delayed or paused standby has not got the table) a CREATE TABLE next to it.
export function probeWrite(table: string, insert: boolean): string {
  return insert ? `INSERT INTO public.${quoteIdent(table)} (id, token) VALUES (2, 'standby')` : `CREATE TABLE public.${quoteIdent(table + '_probe')} (id int)`;
}

// Either probe as a server log's STATEMENT line shows it.
const PROBE = new RegExp(`^(INSERT INTO public\\."${MARKER_PREFIX}[0-9a-f]+" \\(id, token\\) VALUES |CREATE TABLE public\\."${MARKER_PREFIX}[0-9a-f]+_probe" \\(id int\\)$)`);

// True when a statement a standby refused is verify's own probe (so a check for application writes passes it over).
export function isVerifyProbe(statement: string): boolean {
  return PROBE.test(statement.trim());
}
