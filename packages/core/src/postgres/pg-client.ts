import pg from 'pg';
import { connectionError, type ConnectTarget, type PgServerError } from './sql-session.js';

// openSession with node-postgres' own Client, for core's connection cache (which listens to its events).
export async function openClient(target: ConnectTarget): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    connectionTimeoutMillis: target.connectTimeoutMs ?? 10_000,
    application_name: 'hotstandby',
    ...(target.replication ? { replication: 'true' } : {}),
  } as pg.ClientConfig);
  client.on('error', () => {
    // A server going away while the client is idle is reported by the next query, not here.
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError(error as PgServerError, target);
  }
}
