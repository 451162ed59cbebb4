import { definePlugin, formatBytes, HotstandbyError, z, type StepContext } from '@hotstandby/core';
import { checkStandby } from './check-standby.js';
import { dropLeftoverMarkers, dropMarker, writeMarker } from './marker-table.js';
import { waitUntilCommitsComplete } from './sync-commit-wait.js';
import type { VerifyReport } from './verify-report.js';

export type { VerifyReport, StandbyReport, CheckResult } from './verify-report.js';
export { isVerifyProbe } from './probe-write.js';

const options = z.strictObject({
  timeoutSeconds: z.int().min(1).max(3600).default(60),
  database: z.string().min(1).default('postgres'),
});
type Options = z.infer<typeof options>;

async function verify(ctx: StepContext<Options>): Promise<VerifyReport> {
  const { primary } = ctx;
  const database = ctx.options.database;
  if (ctx.standbys.length === 0) return { ok: true, primary: primary.name, markerLsn: null, standbys: [] };
  if (await primary.isInRecovery()) {
    throw new HotstandbyError('VERIFY_FAILED', `${primary.name} is in recovery, so it is not a primary`, { where: { node: primary.name, step: 'verify' } });
  }
  await waitUntilCommitsComplete(primary, ctx.options.timeoutSeconds * 1000, ctx.signal);
  await dropLeftoverMarkers(primary, database, ctx.run);
  const marker = await writeMarker(primary, database, ctx.run);
  try {
    const standbys = await Promise.all(
      ctx.standbys.map((standby) => {
        const spec = ctx.spec.standbys.find((s) => s.name === standby.name)!;
        const upstream = spec.upstream === primary.name || !spec.upstream ? primary : ctx.standbys.find((s) => s.name === spec.upstream)!;
        return checkStandby(standby, upstream, primary, marker, {
          database,
          timeoutMs: ctx.options.timeoutSeconds * 1000,
          facts: ctx.facts,
          signal: ctx.signal,
          applyDelay: spec.applyDelay,
          slot: spec.slot,
        });
      }),
    );
    return { ok: standbys.every((s) => s.ok), primary: primary.name, markerLsn: marker.lsn, standbys };
  } finally {
    await dropMarker(primary, database, marker, ctx.run);
  }
}

// Step 6 of the recipe: every standby is in recovery and refuses writes, a row written on the primary appears on
// every standby (waiting on its LSN), the upstream shows it streaming, and the lag is measured. Leaves nothing behind.
export default definePlugin<Options>({
  name: 'verify',
  description: 'Check every standby: in recovery, read-only, replays a fresh row, streams; measure the lag.',
  scope: 'cluster',
  options,
  async plan(ctx) {
    // The checks are apply's own work: the plan only describes them.
    return {
      actions: [],
      described: [
        {
          changes: false,
          summary: `verify ${ctx.standbys.map((s) => s.name).join(', ') || 'no standbys'}`,
          details: [
            'write a marker row on the primary, wait until every standby has replayed its LSN, read it there,',
            'try an INSERT on each standby (must fail with 25006), check pg_stat_replication, drop the marker',
            `[${ctx.primary.name}] SQL: CREATE TABLE public.hotstandby_verify_<random> (...); INSERT INTO it (id, token) VALUES (1, <random>); DROP TABLE it`,
          ],
        },
      ],
    };
  },
  async apply(ctx) {
    const report = await verify(ctx);
    const failed = report.standbys.filter((s) => !s.ok);
    if (failed.length > 0) {
      const first = failed[0]!;
      const check = first.checks.find((c) => !c.ok)!;
      throw new HotstandbyError('VERIFY_FAILED', `${first.name}: check "${check.name}" failed: ${check.detail}`, {
        where: { node: first.name, step: 'verify' },
        detail: failed.flatMap((s) => s.checks.filter((c) => !c.ok).map((c) => `${s.name}: ${c.name}: ${c.detail}`)).join('\n'),
        fix: `look at ${first.name}'s log (${ctx.paths.logFile(first.name)}) and hotstandby status`,
        data: report,
      });
    }
    const lags = report.standbys.map((s) => `${s.name} ${s.replayLagBytes === null ? '?' : formatBytes(s.replayLagBytes)}`).join(', ');
    return { summary: report.standbys.length ? `${report.standbys.length} standby(s) read-only and streaming; lag ${lags}` : 'no standbys', data: report };
  },
});
