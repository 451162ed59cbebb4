import { readFile } from 'node:fs/promises';
import { splitPgpassLine } from '../state/secret-store.js';

// What a password is looked up for, as libpq matches a .pgpass line.
export interface PassfileTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

// The password a pgpass-format file (PGPASSFILE, or env's passfile) holds for a connection, by libpq's rules: the
// first line whose five fields match, * matching anything. For drivers that do not read PGPASSFILE themselves
// (Prisma), or to stop relying on one that does (node-postgres warns its support goes away in pg 9): pass it at
// run time instead of printing it. Undefined when no line matches or the file is missing.
export async function passwordFromPassfile(file: string, target: PassfileTarget): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const wanted = [target.host, String(target.port), target.database, target.user];
  for (const line of text.split(/\r?\n/)) {
    const fields = splitPgpassLine(line);
    if (!fields) continue;
    const matches = wanted.every((value, i) => fields[i] === '*' || fields[i] === value);
    if (matches) return fields[4];
  }
  return undefined;
}
