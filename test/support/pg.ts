import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { waitFor } from './wait.js';

// A connected client as the superuser on 127.0.0.1:port (closed by the caller, or by withClient).
export async function connect(port: number, password: string, user = 'postgres'): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'postgres', connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
}

// Run fn with a client, closing it afterwards.
export async function withClient<T>(port: number, password: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(port, password);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// The superuser password hotstandby generated and keeps in <stateDir>/secrets/superuser.password.
export function generatedSuperuserPassword(stateDir: string): string {
  return readFileSync(path.join(stateDir, 'secrets', 'superuser.password'), 'utf8').replace(/\r?\n$/, '');
}

// Wait until the standby has replayed everything the primary has written so far (LSNs, not sleeps).
export async function waitForReplay(primary: pg.Client, standby: pg.Client, timeoutMs = 30_000): Promise<string> {
  const { rows } = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  const target = rows[0]!.lsn;
  await waitFor(
    async () => {
      const r = await standby.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [target]);
      return r.rows[0]!.done;
    },
    { what: `the standby to replay up to ${target}`, timeoutMs },
  );
  return target;
}
