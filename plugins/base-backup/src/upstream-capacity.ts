import { HotstandbyError, inspectDataDir, localMachine, type NodeSpec, type StepContext } from '@hotstandby/core';

// What the run asks of one upstream: WAL senders at the peak (a streaming pg_basebackup holds two, each standby
// then streams on one) and slots not there yet, and who asks for them (for the message).
interface Demand {
  senders: number;
  slots: number;
  reasons: string[];
  newSlots: string[];
}

// Refuse, before the first change, an upstream whose WAL senders or replication slots are all taken: the backup
// would otherwise fail late, after roles, slots and files were made.
export async function checkUpstreamCapacity(ctx: StepContext, method: 'pg_basebackup' | 'copy'): Promise<void> {
  const upstream = ctx.upstream!;
  if (ctx.isPlanned(upstream) || !(await upstream.isRunning())) return;
  const row = (await upstream.queryOne<{ max_senders: string; senders: string; names: string[]; max_slots: string; slots: string; slot_names: string[] }>(
    "SELECT current_setting('max_wal_senders') AS max_senders, (SELECT count(*) FROM pg_stat_replication) AS senders, " +
      "ARRAY(SELECT application_name FROM pg_stat_replication WHERE state = 'streaming') AS names, " +
      (ctx.facts.slots
        ? "current_setting('max_replication_slots') AS max_slots, (SELECT count(*) FROM pg_replication_slots) AS slots, ARRAY(SELECT slot_name::text FROM pg_replication_slots) AS slot_names"
        : "'0' AS max_slots, '0' AS slots, ARRAY[]::text[] AS slot_names"),
  ))!;
  const demand = await demandOn(ctx, method, new Set(row.names), new Set(row.slot_names));
  const maxSenders = Number(row.max_senders);
  const busy = Number(row.senders);
  // A max_wal_senders too low for the run even when idle is wal-config's to raise (with a restart); here only
  // senders taken by other clients are refused.
  if (demand.senders > 0 && demand.senders <= maxSenders && busy + demand.senders > maxSenders) {
    throw new HotstandbyError(
      'CONFIG_INVALID',
      `${upstream.name} has max_wal_senders = ${maxSenders} with ${busy} in use, and this run needs ${demand.senders} more (${demand.reasons.join('; ')})`,
      {
        where: { node: upstream.name, step: 'base-backup' },
        fix: `end replication connections you do not need (SELECT pid, application_name, client_addr FROM pg_stat_replication; then SELECT pg_terminate_backend(pid)), or raise max_wal_senders on ${upstream.name} to at least ${busy + demand.senders} (ALTER SYSTEM SET max_wal_senders = ${busy + demand.senders}; it takes a restart)`,
      },
    );
  }
  const maxSlots = Number(row.max_slots);
  const slots = Number(row.slots);
  if (ctx.facts.slots && demand.slots > 0 && demand.slots <= maxSlots && slots + demand.slots > maxSlots) {
    throw new HotstandbyError(
      'CONFIG_INVALID',
      `${upstream.name} has max_replication_slots = ${maxSlots} with ${slots} in use, and this run needs ${demand.slots} more (${demand.newSlots.join(', ')})`,
      {
        where: { node: upstream.name, step: 'base-backup' },
        fix: `drop slots you no longer need (SELECT slot_name, active FROM pg_replication_slots; then SELECT pg_drop_replication_slot('...')), or raise max_replication_slots on ${upstream.name} to at least ${slots + demand.slots} (ALTER SYSTEM SET max_replication_slots = ${slots + demand.slots}; it takes a restart)`,
      },
    );
  }
}

// Senders and slots the standbys of this run that stream from ctx.upstream will take there.
async function demandOn(ctx: StepContext, method: 'pg_basebackup' | 'copy', streaming: ReadonlySet<string>, existingSlots: ReadonlySet<string>): Promise<Demand> {
  const upstream = ctx.upstream!.name;
  const demand: Demand = { senders: 0, slots: 0, reasons: [], newSlots: [] };
  const fed = ctx.spec.standbys.filter((s: NodeSpec) => (s.upstream ?? ctx.spec.primary.name) === upstream);
  for (const standby of fed) {
    // Each standby's data directory is looked at on its own machine.
    const machine = ctx.standbys.find((n) => n.name === standby.name)?.machine ?? localMachine;
    const backedUp = (await inspectDataDir(standby.dataDir, machine)).kind === 'cluster';
    if (!backedUp) {
      const senders = method === 'pg_basebackup' ? 2 : 1;
      demand.senders += senders;
      demand.reasons.push(method === 'pg_basebackup' ? `the pg_basebackup of ${standby.name} streams on 2 connections, then ${standby.name} on 1` : `${standby.name} streams on 1`);
    } else if (!streaming.has(standby.name)) {
      demand.senders += 1;
      demand.reasons.push(`${standby.name} streams on 1`);
    }
    if (standby.slot && !existingSlots.has(standby.slot)) {
      demand.slots += 1;
      demand.newSlots.push(`slot ${standby.slot} for ${standby.name}`);
    }
  }
  return demand;
}
