import { HotstandbyError, isHotstandbyError, lsnDiff, type PgNode, type StepContext } from '@hotstandby/core';
import type { SmokeOptions } from './smoke-options.js';

// How one standby took the load.
export interface StandbyCatchUp {
  name: string;
  // Milliseconds from the end of the load until the standby had replayed it (null when skipped).
  waitedMs: number | null;
  // Bytes the standby was behind the primary's write position once it had caught up.
  replayLagBytes: number | null;
  // Why it was not checked (a delayed standby applies WAL late on purpose).
  skipped: string | null;
}

// Wait until the standby has replayed the primary's WAL up to target (LSNs, no sleeps), then make sure it
// answers the check query exactly as the primary does.
export async function catchUp(ctx: StepContext<SmokeOptions>, standby: PgNode, target: string, check: string, expected: string): Promise<StandbyCatchUp> {
  const spec = ctx.spec.standbys.find((s) => s.name === standby.name);
  if (spec?.applyDelay) return { name: standby.name, waitedMs: null, replayLagBytes: null, skipped: `applies WAL ${spec.applyDelay} late on purpose` };
  const started = Date.now();
  try {
    await standby.waitForReplay(target, ctx.options.timeoutSeconds * 1000, ctx.signal);
  } catch (error) {
    throw isHotstandbyError(error) ? error.within({ node: standby.name }) : error;
  }
  const waitedMs = Date.now() - started;
  const seen = await standby.session(async (client) => String((await client.query<{ v: string }>(check)).rows[0]?.v), ctx.options.database);
  if (seen !== expected) {
    throw new HotstandbyError('VERIFY_FAILED', `${standby.name} replayed the smoke load's WAL but reads ${seen} where the primary reads ${expected}`, {
      where: { node: standby.name, step: ctx.step },
      fix: `look at ${standby.name}'s log (${ctx.paths.logFile(standby.name)})`,
    });
  }
  const primaryLsn = await ctx.primary.lsn('write');
  const replayed = await standby.lsn('replay');
  return { name: standby.name, waitedMs, replayLagBytes: primaryLsn && replayed ? lsnDiff(primaryLsn, replayed) : null, skipped: null };
}
