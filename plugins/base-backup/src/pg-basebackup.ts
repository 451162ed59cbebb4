import type { StepContext } from '@hotstandby/core';
import { tablespaceMappingArg, type MappedTablespace } from './tablespace-mapping.js';

// pg_basebackup's arguments: stream WAL through the standby's own slot, fast checkpoint, never ask for a password
// (it comes from the passfile in the environment, never from the command line); each tablespace to the standby's
// own directory for it.
export function pgBasebackupArgs(
  ctx: StepContext,
  target: string,
  options: { maxRate?: string; checkpoint: 'fast' | 'spread' },
  tablespaces: readonly MappedTablespace[] = [],
  // Where the standby's machine reaches the upstream (loopback on the same machine).
  upstreamHost = '127.0.0.1',
): string[] {
  const upstream = ctx.upstream!;
  const facts = ctx.facts;
  return [
    '--pgdata',
    target,
    '--host',
    upstreamHost,
    '--port',
    String(upstream.port),
    '--username',
    ctx.spec.replication.user,
    facts.pgBasebackup.walMethodFlag,
    'stream',
    ...(facts.pgBasebackup.slotFlag ? ['--slot', ctx.nodeSpec.slot!] : []),
    '--checkpoint',
    options.checkpoint,
    '--no-password',
    // A throwaway cluster (durable: false) does not wait for its files to reach the disk.
    ...(!ctx.spec.durable && facts.pgBasebackup.noSyncFlag ? ['--no-sync'] : []),
    ...(options.maxRate ? ['--max-rate', options.maxRate] : []),
    ...tablespaces.map((ts) => tablespaceMappingArg(ts.upstreamLocation, ts.location)),
  ];
}
