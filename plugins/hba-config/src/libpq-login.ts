import { existsSync } from 'node:fs';
import { buildConninfo, runProgramAllowFailure, type StepContext } from '@hotstandby/core';

// What one replication login attempt found: it worked, or the error and whether the server was only out of WAL senders.
export type LoginAttempt = { ok: true } | { ok: false; error: string; busy: boolean };

// One replication login the way the standby and pg_basebackup make it: through libpq (psql with replication=true
// running IDENTIFY_SYSTEM, with the replication passfile), since libpq prepares the password (SASLprep) by its
// own rules, which node-pg does not follow for every password. Undefined where the binaries have no psql.
export async function libpqReplicationLogin(ctx: StepContext): Promise<LoginAttempt | undefined> {
  if (!ctx.primary.binaries.has('psql')) return undefined;
  const { user } = ctx.spec.replication;
  const conninfo = buildConninfo({
    host: '127.0.0.1',
    port: ctx.primary.port,
    user,
    dbname: 'replication',
    replication: 'true',
    application_name: 'hotstandby-login-check',
    connect_timeout: 10,
  });
  // The password travels in the passfile the standby will use (or the environment before there is one), never in arguments.
  const passfile = ctx.paths.replicationPassfile;
  const env: Record<string, string> = existsSync(passfile) ? { PGPASSFILE: passfile } : { PGPASSWORD: ctx.secrets.replicationPassword };
  const result = await runProgramAllowFailure(ctx.primary.binaries.path('psql'), ['--no-psqlrc', '--no-password', '--dbname', conninfo, '--command', 'IDENTIFY_SYSTEM'], {
    user: ctx.serverUser,
    env,
    timeoutMs: 30_000,
    purpose: `psql replication login as ${user} to ${ctx.primary.name}`,
  });
  if (result.exitCode === 0) return { ok: true };
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /FATAL:/.test(l)) ?? lines[0] ?? `psql exited with ${result.exitCode}`;
  return { ok: false, error, busy: NO_FREE_WAL_SENDER.test(result.stderr) };
}

// What libpq prints when the server refuses a replication connection for want of a WAL sender, before authentication.
const NO_FREE_WAL_SENDER = /exceeds max_wal_senders|too many clients already|remaining connection slots are reserved/;
