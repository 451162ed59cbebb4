import { HotstandbyError, type Action, type StepContext } from '@hotstandby/core';

// The physical slot the standby will use on its upstream, created before the backup so the WAL it needs is kept.
export async function planSlot(ctx: StepContext): Promise<{ actions: Action[]; notes: string[] }> {
  const upstream = ctx.upstream!;
  const slot = ctx.nodeSpec.slot!;
  // PostgreSQL 9.3 has no slots; wal_keep_segments (and the archive) keep the WAL instead.
  if (!ctx.facts.slots) return { actions: [], notes: [`PostgreSQL ${ctx.facts.label} has no replication slots; WAL is kept by ${ctx.facts.walKeep.param}`] };
  if (ctx.isPlanned(upstream)) {
    return { actions: [createSlot(ctx, upstream.name, slot)], notes: [] };
  }
  const row = await upstream.queryOne<{ active: boolean; slot_type: string; reserved: boolean }>(
    'SELECT active, slot_type, restart_lsn IS NOT NULL AS reserved FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  if (!row) return { actions: [createSlot(ctx, upstream.name, slot)], notes: [] };
  if (row.slot_type !== 'physical') {
    throw new HotstandbyError('DATA_DIR_CONFLICT', `${upstream.name} already has a ${row.slot_type} slot named ${slot}`, {
      where: { node: ctx.node.name, key: 'slot' },
      fix: `set a different "slot" for ${ctx.node.name}`,
    });
  }
  if (row.active) {
    throw new HotstandbyError('DATA_DIR_CONFLICT', `the replication slot ${slot} on ${upstream.name} is in use by another client`, {
      where: { node: ctx.node.name, key: 'slot' },
      fix: `stop the client using it (SELECT active_pid FROM pg_replication_slots WHERE slot_name = '${slot}') or set a different "slot" for ${ctx.node.name}`,
    });
  }
  const ours = ctx.state.slotCreatedByTool(upstream.name, slot);
  if (!row.reserved && !(await standbyExists(ctx))) {
    // A slot that reserves no WAL would not keep what the new backup needs (S67).
    if (!ours) {
      throw new HotstandbyError('DATA_DIR_CONFLICT', `the replication slot ${slot} on ${upstream.name} reserves no WAL (restart_lsn is NULL), so it cannot protect a new base backup`, {
        where: { node: ctx.node.name, key: 'slot' },
        fix: `drop it (SELECT pg_drop_replication_slot('${slot}')) or set a different "slot" for ${ctx.node.name}`,
      });
    }
    return {
      actions: [
        { kind: 'sql', node: upstream.name, sql: 'SELECT pg_drop_replication_slot($1)', params: [slot], summary: `drop the slot ${slot} on ${upstream.name}, which reserves no WAL` },
        createSlot(ctx, upstream.name, slot),
      ],
      notes: [],
    };
  }
  return { actions: [], notes: ours ? [] : [`reusing the existing inactive slot ${slot} on ${upstream.name}`] };
}

function createSlot(ctx: StepContext, upstream: string, slot: string): Action {
  return {
    kind: 'sql',
    node: upstream,
    sql: ctx.facts.createPhysicalSlotSql,
    params: [slot],
    journal: { kind: 'slot', node: upstream, slot },
    summary: `create the physical replication slot ${slot} on ${upstream}`,
  };
}

async function standbyExists(ctx: StepContext): Promise<boolean> {
  return ctx.node.exists();
}
