import { dropInactiveSlot, HotstandbyError, isHotstandbyError, pollUntil, type StepContext } from '@hotstandby/core';

// How long the walsender of a failed or stopped backup may take to let go of the slot before it is dropped.
const RELEASE_TIMEOUT_MS = 15_000;

// A backup that failed after its slot was created leaves a slot no standby will ever use, and an inactive slot
// keeps WAL on the upstream forever: drop it (once the backup's walsender has let go of it). When it cannot be
// dropped, the error says so and gives the exact command to drop it.
export async function releaseSlotOfFailedBackup(ctx: StepContext, failure: unknown): Promise<unknown> {
  const upstream = ctx.upstream!;
  const slot = ctx.nodeSpec.slot!;
  try {
    const dropped = await pollUntil(async () => ((await dropInactiveSlot(upstream, slot)) || !(await slotExists(ctx)) ? true : undefined), {
      timeoutMs: RELEASE_TIMEOUT_MS,
      what: `the slot ${slot} on ${upstream.name} to become inactive`,
    });
    if (dropped) ctx.log.info(`dropped the replication slot ${slot} on ${upstream.name}, made for the failed backup`);
    return failure;
  } catch (dropError) {
    ctx.log.warn(`could not drop the replication slot ${slot} on ${upstream.name}: ${(dropError as Error).message}`);
    return withSlotLeft(
      failure,
      `the replication slot ${slot} on ${upstream.name} was kept (it could not be dropped: ${(dropError as Error).message}); it keeps WAL until dropped: SELECT pg_drop_replication_slot('${slot}') on ${upstream.name}, or run up again`,
    );
  }
}

async function slotExists(ctx: StepContext): Promise<boolean> {
  return (await ctx.upstream!.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [ctx.nodeSpec.slot!])).length > 0;
}

// The failure with a sentence about the slot left behind added to its fix.
function withSlotLeft(failure: unknown, note: string): unknown {
  if (!isHotstandbyError(failure)) return failure;
  return new HotstandbyError(failure.code, failure.message, {
    where: failure.where,
    detail: failure.detail,
    fix: [failure.fix, note].filter(Boolean).join('; '),
    cause: failure.cause,
    data: failure.data,
  });
}
