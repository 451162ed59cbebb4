import { HotstandbyError } from '../errors/hotstandby-error.js';
import { openClient } from './pg-client.js';
import type { SqlClient } from './sql-client.js';

// What to connect to.
export interface ConnectTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  // Physical replication protocol (for IDENTIFY_SYSTEM checks).
  replication?: boolean;
  // Node name, for messages.
  node: string;
  // How messages name where the server is, when host and port are not that (a forwarded socket of an SSH
  // connection: "127.0.0.1:5432 on root@db2").
  endpoint?: string;
  connectTimeoutMs?: number;
}

// A PostgreSQL error with its SQLSTATE, as the server sent it.
export interface PgServerError extends Error {
  code?: string;
  detail?: string;
  hint?: string;
}

// SQLSTATEs that mean "the server is there but not ready yet".
export const NOT_READY_STATES = new Set(['57P03', '57P01', '57P02', '08006']);

// Open a SQL session, turning refusals and bad passwords into clear errors; the caller ends it.
export async function openSession(target: ConnectTarget): Promise<SqlClient> {
  return openClient(target);
}

// The error to report for a failed connection.
export function connectionError(error: PgServerError, target: ConnectTarget): HotstandbyError {
  const where = { node: target.node };
  const endpoint = target.endpoint ?? `${target.host}:${target.port}`;
  if (target.password === undefined && /password must be a string|password authentication|SASL/i.test(error.message)) {
    return new HotstandbyError('AUTH_FAILED', `${target.node} (${endpoint}) wants a password for "${target.user}", and none is known`, {
      where,
      fix: target.replication
        ? 'set replication.password or the environment variable named by replication.passwordEnv (default HOTSTANDBY_REPLICATION_PASSWORD)'
        : 'set superuser.password or the environment variable named by superuser.passwordEnv (default HOTSTANDBY_SUPERUSER_PASSWORD)',
      cause: error,
    });
  }
  if (error.code === '28P01' || error.code === '28000') {
    return new HotstandbyError('AUTH_FAILED', `${target.node} (${endpoint}) refused user "${target.user}": ${error.message}`, {
      where,
      fix:
        target.user === 'postgres' || !target.replication
          ? 'set superuser.password, or the environment variable superuser.passwordEnv names (default HOTSTANDBY_SUPERUSER_PASSWORD), to the password of that role'
          : 'check replication.password and the pg_hba.conf rule for the replication role',
      cause: error,
    });
  }
  const refused = (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  return new HotstandbyError('CONNECTION_FAILED', `cannot connect to ${target.node} at ${endpoint}: ${refused ? 'nothing listens there' : error.message}`, {
    where,
    fix: refused ? `start it (hotstandby up) or check its port` : undefined,
    cause: error,
  });
}
