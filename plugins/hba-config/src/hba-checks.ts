import { findManagedBlock, hostSeenFrom, HotstandbyError, openSession, pollUntil, servesTls, tlsConninfoParams, type StepContext } from '@hotstandby/core';
import { crossMachinePairs } from './hba-rules.js';
import { libpqReplicationLogin, type LoginAttempt, type LoginRoute } from './libpq-login.js';

// Refuse to reload over a pg_hba.conf that PostgreSQL already reports errors in (it would keep the old rules).
// hotstandby's own hostssl rules on a server whose ssl is still off are no error: PostgreSQL loads them (and says
// they cannot match yet), and wal-config, the next step, turns ssl on before any standby connects.
export async function checkHbaErrors(ctx: StepContext, file: string, when: 'before' | 'after'): Promise<void> {
  const all = await ctx.primary.query<{ line_number: number; error: string; type: string | null }>(
    'SELECT line_number, error, type FROM pg_hba_file_rules WHERE error IS NOT NULL ORDER BY line_number',
  );
  const awaiting = all.some((r) => r.type === 'hostssl') ? await hostsslAwaitingTls(ctx, file) : new Set<number>();
  const rows = all.filter((r) => !(r.type === 'hostssl' && awaiting.has(r.line_number)));
  if (rows.length === 0) return;
  const first = rows[0]!;
  throw new HotstandbyError('CONFIG_FILE_ERRORS', `${file}:${first.line_number}: ${first.error}`, {
    where: { node: ctx.primary.name, file, line: first.line_number },
    detail:
      rows
        .slice(1)
        .map((r) => `${file}:${r.line_number}: ${r.error}`)
        .join('\n') || undefined,
    fix: when === 'before' ? `fix that line of ${file} first; hotstandby will not reload a pg_hba.conf with errors` : 'this is a bug in hotstandby; the original file is restored',
  });
}

// True when the primary is to serve TLS but still runs with ssl off (a node of this machine just promoted: it served
// none as a standby); wal-config, the next step, turns it on.
async function tlsNotOnYet(ctx: StepContext): Promise<boolean> {
  if (!servesTls(ctx.spec, ctx.primary.name)) return false;
  return (await ctx.primary.queryOne<{ ssl: string }>("SELECT current_setting('ssl') AS ssl"))?.ssl === 'off';
}

// The lines of hotstandby's block in the file that wait for ssl to be turned on by this run (none when the
// primary runs with ssl on already, or serves no TLS).
async function hostsslAwaitingTls(ctx: StepContext, file: string): Promise<Set<number>> {
  if (!(await tlsNotOnYet(ctx))) return new Set();
  const lines = ((await ctx.primary.machine.readFile(file))?.toString('utf8') ?? '').split(/\r?\n/);
  const block = findManagedBlock(lines);
  if (!block) return new Set();
  // pg_hba_file_rules numbers lines from 1: the rules are the lines between the markers.
  return new Set(Array.from({ length: block.end - block.start - 1 }, (_, i) => block.start + 2 + i));
}

// Prove the rule works: a real replication connection as the replication role must pass IDENTIFY_SYSTEM, made
// through libpq as the standby makes it (node-pg only where psql is missing).
// Returns undefined when it did, or why it cannot be tested yet: a server with no free WAL sender (max_wal_senders
// still 0 before wal-config raises it, or all in use) refuses replication connections before it authenticates
// them. The verify step proves the login at the end in any case.
// Standbys on other machines than the primary they stream from log in from their own machine, to the primary's
// address as they reach it; one the primary does not listen for yet (wal-config sets listen_addresses) is untested.
export async function checkReplicationLogin(ctx: StepContext, timeoutMs = 10_000): Promise<string | undefined> {
  const senders = await ctx.primary.queryOne<{ max: number }>("SELECT current_setting('max_wal_senders')::int AS max");
  if (senders && senders.max === 0) return 'max_wal_senders is still 0 (wal-config raises it)';
  const loopback = await checkLoginFrom(ctx, undefined, timeoutMs);
  if (loopback) return loopback;
  const untested: string[] = [];
  const tlsPending = await tlsNotOnYet(ctx);
  for (const { standby, upstream } of crossMachinePairs(ctx).filter((p) => p.upstream === ctx.primary)) {
    const route: LoginRoute = { from: standby, host: await hostSeenFrom(upstream, standby), port: upstream.port };
    const why = (await verifiedLoginPending(ctx, route, tlsPending)) ?? (await checkLoginFrom(ctx, route, timeoutMs));
    if (why) untested.push(why);
  }
  return untested.length > 0 ? untested.join('; ') : undefined;
}

// Why a login over TLS from a standby's machine cannot be made yet, or undefined when it can (or needs no TLS): it
// is verified against the CA on that machine, which base-backup or recovery-config puts there, and the primary
// must serve TLS, which wal-config turns on (tlsPending: it runs with ssl off still, a node of this machine just
// promoted, say). Never tried unverified instead.
async function verifiedLoginPending(ctx: StepContext, route: LoginRoute, tlsPending: boolean): Promise<string | undefined> {
  const { sslrootcert } = tlsConninfoParams(ctx.spec, route.from.name, ctx.primary.name);
  if (sslrootcert === undefined) return undefined;
  if (!(await route.from.machine.stat(sslrootcert)))
    return `the CA certificate is not on ${route.from.name}'s machine yet (${sslrootcert}), so the login from there cannot be verified`;
  if (tlsPending) return `${ctx.primary.name} runs with ssl off until wal-config turns it on, so ${route.from.name}'s hostssl login cannot match yet`;
  return undefined;
}

// One login check, polled until it works (or cannot be tested yet: the reason); HBA_SHADOWED when it never does.
async function checkLoginFrom(ctx: StepContext, route: LoginRoute | undefined, timeoutMs: number): Promise<string | undefined> {
  const { user } = ctx.spec.replication;
  const from = route ? ` from ${route.from.name} (${route.from.machine.label}) at ${route.host}` : '';
  // node-pg connects only from this machine; another host's login needs psql there.
  const elsewhere = route !== undefined || ctx.primary.machine.remote;
  const client = route?.from ?? ctx.primary;
  if (elsewhere && !client.binaries.has('psql')) return `psql is missing from ${client.binaries.binDir}, so the login${from} cannot be made`;
  let lastError = '';
  let untested: string | undefined;
  await pollUntil(
    async () => {
      const attempt = (await libpqReplicationLogin(ctx, route)) ?? (await nodePgReplicationLogin(ctx));
      if (attempt.ok) return true;
      lastError = attempt.error;
      if (attempt.busy) {
        untested = `every WAL sender is in use (${lastError})`;
        return true;
      }
      if (route && attempt.unreached) {
        untested = `${ctx.primary.name} does not listen at ${route.host} yet (${lastError})`;
        return true;
      }
      return undefined;
    },
    { timeoutMs, what: `a replication connection as ${user} to ${ctx.primary.name}${from}`, fix: 'look for an earlier pg_hba.conf line or an include that matches first' },
    () => lastError,
  ).catch((error: unknown) => {
    throw new HotstandbyError('HBA_SHADOWED', `the replication role ${user} still cannot connect for replication to ${ctx.primary.name}${from}: ${lastError}`, {
      where: { node: ctx.primary.name, step: 'hba-config' },
      fix: "check pg_hba.conf (SELECT * FROM pg_hba_file_rules) for a rule that matches first, and the role's password",
      cause: error,
    });
  });
  return untested;
}

// One replication login through node-pg (where psql is missing): IDENTIFY_SYSTEM on a replication connection.
async function nodePgReplicationLogin(ctx: StepContext): Promise<LoginAttempt> {
  try {
    const client = await openSession({
      host: '127.0.0.1',
      port: ctx.primary.port,
      user: ctx.spec.replication.user,
      password: ctx.secrets.replicationPassword,
      database: 'replication',
      replication: true,
      node: ctx.primary.name,
    });
    try {
      await client.query('IDENTIFY_SYSTEM');
      return { ok: true };
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message, busy: (error as { cause?: { code?: string } }).cause?.code === TOO_MANY_CONNECTIONS };
  }
}

// SQLSTATE too_many_connections: raised before authentication, so it says nothing about the pg_hba rule.
const TOO_MANY_CONNECTIONS = '53300';
