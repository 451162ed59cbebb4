import { HotstandbyError, quoteLiteral, type StepContext } from '@hotstandby/core';

// How long a cascading upstream may take to replay the replication role (it normally already has).
const ROLE_REPLAY_TIMEOUT_MS = 60_000;

// Before a standby is backed up from another standby (a cascade), that upstream must know the replication role the
// backup logs in as: roles reach a standby only through WAL, and an upstream that is a cold copy of the new primary
// (taken before the role was made) and has just started may not have replayed it yet. Only the role is waited for,
// so a delayed or paused upstream that has it is used as it is. Nothing to wait for when the upstream is the primary.
export async function waitForUpstreamRole(ctx: StepContext, signal?: AbortSignal): Promise<void> {
  const upstream = ctx.upstream!;
  if (upstream.name === ctx.primary.name) return;
  const role = ctx.spec.replication.user;
  await upstream
    .pollQueryUntil(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ${quoteLiteral(role)}`, (row) => (row.n === 1 ? true : undefined), {
      timeoutMs: ROLE_REPLAY_TIMEOUT_MS,
      what: `${upstream.name} to replay the replication role ${role}`,
      signal,
    })
    .catch((error: unknown) => {
      throw new HotstandbyError('STANDBY_NOT_STREAMING', `${upstream.name} has not replayed the replication role ${role} yet, so ${ctx.node.name} cannot be backed up from it`, {
        where: { node: ctx.node.name, step: 'base-backup' },
        detail: (error as Error).message,
        fix: `check that ${upstream.name} streams and replays (hotstandby status; hotstandby lag ${upstream.name} --resume if it is paused), then run up again`,
        cause: error,
      });
    });
}
