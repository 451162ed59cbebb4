import { definePlugin, HotstandbyError, quoteIdent, type StepContext } from '@hotstandby/core';
import { catchUp, type StandbyCatchUp } from './catch-up.js';
import { builtinLoad, describeLoad, pgbenchLoad, type Load } from './load.js';
import { chooseMethod, pgbenchPath, smokeOptions, type SmokeOptions } from './smoke-options.js';

export { smokeOptions, type SmokeOptions } from './smoke-options.js';
export type { StandbyCatchUp } from './catch-up.js';

// What the step reports (in its record's data).
export interface SmokeReport {
  method: 'pgbench' | 'builtin';
  database: string;
  transactions: number;
  tps: number | null;
  // The primary's WAL position after the load: every standby replayed at least this far.
  lsn: string;
  standbys: StandbyCatchUp[];
}

async function smoke(ctx: StepContext<SmokeOptions>): Promise<SmokeReport> {
  const { primary } = ctx;
  const database = quoteIdent(ctx.options.database);
  // A scratch database left by an interrupted run goes first.
  await primary.query(`DROP DATABASE IF EXISTS ${database}`);
  await primary.query(`CREATE DATABASE ${database}`);
  try {
    const method = chooseMethod(ctx.options, primary);
    const load: Load = method === 'pgbench' ? await pgbenchLoad(ctx) : await builtinLoad(ctx);
    const lsn = (await primary.lsn('write'))!;
    const expected = await primary.session(async (client) => String((await client.query<{ v: string }>(load.check)).rows[0]?.v), ctx.options.database);
    const standbys = await Promise.all(ctx.standbys.map((s) => catchUp(ctx, s, lsn, load.check, expected)));
    return { method, database: ctx.options.database, transactions: load.transactions, tps: load.tps, lsn, standbys };
  } finally {
    await primary.query(`DROP DATABASE IF EXISTS ${database}`);
  }
}

// pgbench-smoke: write load on the primary (pgbench when it is next to the server binaries, else a built-in loop
// of inserts) in a scratch database, wait until every standby has replayed it (on LSNs, no sleeps), check each
// standby reads the same data, and drop the database again. It changes nothing that stays, so its plan is a check.
export default definePlugin<SmokeOptions>({
  name: 'pgbench-smoke',
  description: 'Write a smoke load on the primary and check every standby catches up with it.',
  scope: 'cluster',
  options: smokeOptions,
  after: ['recovery-config'],
  async preflight(ctx) {
    if (ctx.options.method === 'pgbench' && !pgbenchPath(ctx.primary)) {
      throw new HotstandbyError('BINARY_MISSING', `steps.pgbench-smoke.method is "pgbench", but there is no pgbench in ${ctx.primary.binaries.binDir}`, {
        where: { step: ctx.step, key: 'steps.pgbench-smoke.method' },
        fix: 'use method "auto" (the built-in load where pgbench is missing), or point postgres.binDir at binaries that include pgbench',
      });
    }
  },
  async plan(ctx) {
    const method = chooseMethod(ctx.options, ctx.primary);
    const names = ctx.standbys.map((s) => s.name).join(', ') || 'no standbys';
    return {
      actions: [
        {
          kind: 'task',
          changes: false,
          summary: `smoke load with ${method} on ${ctx.primary.name} in a scratch database ${ctx.options.database}, then wait for ${names}`,
          details: [...describeLoad(ctx, method), `wait until ${names} replayed it (LSN), compare the data, drop ${ctx.options.database}`],
          run: async () => undefined,
        },
      ],
    };
  },
  async apply(ctx) {
    const report = await smoke(ctx);
    const waited = report.standbys.map((s) => (s.skipped ? `${s.name} skipped` : `${s.name} ${s.waitedMs} ms`)).join(', ');
    const rate = report.tps === null ? '' : ` at ${report.tps} tps`;
    return { summary: `${report.transactions} ${report.method} transaction(s)${rate}; caught up: ${waited || 'no standbys'}`, data: report };
  },
});
