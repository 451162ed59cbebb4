import { describeCommand, quoteIdent, runProgram, type StepContext } from '@hotstandby/core';
import { pgbenchPath, type SmokeOptions } from './smoke-options.js';

// A load that was written, and the query whose answer every standby must give once it has replayed it.
export interface Load {
  method: 'pgbench' | 'builtin';
  transactions: number;
  tps: number | null;
  check: string;
}

// The pgbench command lines (initialise, then run), for the plan and for the run itself.
export function pgbenchCommands(ctx: StepContext<SmokeOptions>): { command: string; init: string[]; run: string[] } {
  const o = ctx.options;
  const connect = ['-h', ctx.primary.host, '-p', String(ctx.primary.port), '-U', ctx.spec.superuser.name];
  return {
    command: pgbenchPath(ctx.primary) ?? 'pgbench',
    init: ['-i', '-q', '-s', String(o.scale), ...connect, o.database],
    run: ['-n', '-c', String(o.clients), '-j', String(Math.min(o.clients, 4)), '-t', String(o.transactions), ...connect, o.database],
  };
}

// What the plan prints for each method.
export function describeLoad(ctx: StepContext<SmokeOptions>, method: 'pgbench' | 'builtin'): string[] {
  const o = ctx.options;
  if (method === 'builtin') return [`create table smoke_load in ${o.database}, insert ${o.rows} row(s) one transaction each`];
  const { command, init, run } = pgbenchCommands(ctx);
  return [describeCommand(command, init), describeCommand(command, run)];
}

// Run pgbench against the scratch database (password in the environment, never in the arguments).
export async function pgbenchLoad(ctx: StepContext<SmokeOptions>): Promise<Load> {
  const { command, init, run } = pgbenchCommands(ctx);
  const options = { user: ctx.serverUser, env: { PGPASSWORD: ctx.secrets.superuserPassword }, signal: ctx.signal, timeoutMs: ctx.options.timeoutSeconds * 1000 };
  await runProgram(command, init, { ...options, purpose: 'pgbench -i (initialise the smoke load)' });
  const result = await runProgram(command, run, { ...options, purpose: 'pgbench (the smoke load)' });
  const tps = /tps = ([\d.]+)/.exec(result.stdout)?.[1];
  return {
    method: 'pgbench',
    transactions: ctx.options.clients * ctx.options.transactions,
    tps: tps === undefined ? null : Number(tps),
    check: "SELECT (SELECT count(*) FROM pgbench_history)::text || '/' || (SELECT sum(abalance) FROM pgbench_accounts)::text AS v",
  };
}

// Insert rows one transaction each through a client connection (for servers without pgbench).
export async function builtinLoad(ctx: StepContext<SmokeOptions>): Promise<Load> {
  const { rows, database } = ctx.options;
  const started = Date.now();
  await ctx.primary.session(async (client) => {
    await client.query(`CREATE TABLE ${quoteIdent('smoke_load')} (id integer PRIMARY KEY, payload text NOT NULL)`);
    for (let i = 1; i <= rows; i++) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
      await client.query('INSERT INTO smoke_load (id, payload) VALUES ($1, md5($2))', [i, String(i)]);
    }
  }, database);
  const seconds = (Date.now() - started) / 1000;
  return {
    method: 'builtin',
    transactions: rows,
    tps: seconds > 0 ? Math.round((rows / seconds) * 10) / 10 : null,
    check: "SELECT count(*)::text || '/' || sum(id)::text || '/' || md5(string_agg(payload, '' ORDER BY id)) AS v FROM smoke_load",
  };
}
