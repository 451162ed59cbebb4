import { existsSync } from 'node:fs';
import { buildConninfo, tlsConninfoParams, type PgNode, type StepContext } from '@hotstandby/core';

// What one replication login attempt found: it worked, or the error, whether the server was only out of WAL
// senders, and whether the server was not reached at all (nothing listens at that address yet).
export type LoginAttempt = { ok: true } | { ok: false; error: string; busy: boolean; unreached?: boolean };

// Where a login is made from and to: a client on `from`'s machine connecting to host:port.
export interface LoginRoute {
  from: PgNode;
  host: string;
  port: number;
}

// One replication login the way the standby and pg_basebackup make it: through libpq (psql with replication=true
// running IDENTIFY_SYSTEM, with the replication passfile), since libpq prepares the password (SASLprep) by its
// own rules, which node-pg does not follow for every password. Undefined where the binaries have no psql.
// By default from the primary's machine to its loopback; a route makes it from a standby's machine instead (across
// hosts with TLS, verified against the CA on that machine, as the standby's own connection is).
export async function libpqReplicationLogin(ctx: StepContext, route?: LoginRoute): Promise<LoginAttempt | undefined> {
  const { user } = ctx.spec.replication;
  const from = route?.from ?? ctx.primary;
  if (!from.binaries.has('psql')) return undefined;
  const conninfo = buildConninfo({
    host: route?.host ?? '127.0.0.1',
    port: route?.port ?? ctx.primary.port,
    user,
    dbname: 'replication',
    replication: 'true',
    application_name: 'hotstandby-login-check',
    connect_timeout: 10,
    ...(route ? tlsConninfoParams(ctx.spec, route.from.name, ctx.primary.name) : {}),
  });
  // The password travels in the passfile the standby will use (or the environment before there is one, and on
  // another host, where the environment reaches the program through the SSH channel), never in arguments.
  const passfile = ctx.paths.replicationPassfile;
  const remote = from.machine.remote;
  const env: Record<string, string> = !remote && existsSync(passfile) ? { PGPASSFILE: passfile } : { PGPASSWORD: ctx.secrets.replicationPassword };
  const result = await from.machine.runAllowFailure(from.binaries.path('psql'), ['--no-psqlrc', '--no-password', '--dbname', conninfo, '--command', 'IDENTIFY_SYSTEM'], {
    user: remote ? from.osUser : ctx.serverUser,
    env,
    timeoutMs: 30_000,
    purpose: `psql replication login as ${user} to ${ctx.primary.name}${route ? ` from ${route.from.name}'s machine` : ''}`,
  });
  if (result.exitCode === 0) return { ok: true };
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /FATAL:/.test(l)) ?? lines[0] ?? `psql exited with ${result.exitCode}`;
  return { ok: false, error, busy: NO_FREE_WAL_SENDER.test(result.stderr), unreached: NOT_REACHED.test(result.stderr) };
}

// What libpq prints when the server refuses a replication connection for want of a WAL sender, before authentication.
const NO_FREE_WAL_SENDER = /exceeds max_wal_senders|too many clients already|remaining connection slots are reserved/;

// What libpq prints when nothing answered at the address (the server does not listen there yet).
const NOT_REACHED = /Connection refused|timeout expired|No route to host|Network is unreachable|Cannot assign requested address/;
