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
  const row = await upstream.queryOne<{ active: boolean; slot_type: string; reserved: boolean; user_app: string | null }>(
    'SELECT s.active, s.slot_type, s.restart_lsn IS NOT NULL AS reserved, r.application_name AS user_app ' +
      'FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = $1',
    [slot],
  );
  if (!row) return { actions: [createSlot(ctx, upstream.name, slot)], notes: [] };
  if (row.slot_type !== 'physical') {
    throw new HotstandbyError('DATA_DIR_CONFLICT', `${upstream.name} already has a ${row.slot_type} slot named ${slot}`, {
      where: { node: ctx.node.name, key: 'slot' },
      fix: `set a different "slot" for ${ctx.node.name}`,
    });
  }
  // The standby itself streaming through its slot is what should happen.
  if (row.active && row.user_app === ctx.node.name) return { actions: [], notes: [] };
  if (row.active) {
    throw new HotstandbyError('DATA_DIR_CONFLICT', `the replication slot ${slot} on ${upstream.name} is in use by another client`, {
      where: { node: ctx.node.name, key: 'slot' },
      fix: `stop the client using it (SELECT active_pid FROM pg_replication_slots WHERE slot_name = '${slot}') or set a different "slot" for ${ctx.node.name}`,
    });
  }
  const ours = ctx.state.slotCreatedByTool(upstream.name, slot);
  if (!row.reserved && !(await standbyExists(ctx))) {
    // A slot that reserves no WAL would not keep what the new backup needs.
    if (!ours) {
      throw new HotstandbyError(
        'DATA_DIR_CONFLICT',
        `the replication slot ${slot} on ${upstream.name} reserves no WAL (restart_lsn is NULL), so it cannot protect a new base backup`,
        {
          where: { node: ctx.node.name, key: 'slot' },
          fix: `drop it (SELECT pg_drop_replication_slot('${slot}')) or set a different "slot" for ${ctx.node.name}`,
        },
      );
    }
    return {
      actions: [
        {
          kind: 'sql',
          node: upstream.name,
          sql: 'SELECT pg_drop_replication_slot($1)',
          params: [slot],
          summary: `drop the slot ${slot} on ${upstream.name}, which reserves no WAL`,
        },
        createSlot(ctx, upstream.name, slot),
      ],
      notes: [],
    };
  }
  return { actions: [], notes: ours ? [] : [`reusing the existing inactive slot ${slot} on ${upstream.name}`] };
}

// True for the action that creates the standby's slot (the one a failed backup must not leave behind).
export function isSlotCreation(action: Action): boolean {
  return action.kind === 'sql' && action.journal?.kind === 'slot';
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

// Slots the tool made for this standby on nodes it no longer streams from (after a promotion or a new
// upstream): inactive ones are dropped, because an unused slot keeps WAL on its node forever.
export async function planOrphanSlots(ctx: StepContext): Promise<Action[]> {
  const slot = ctx.nodeSpec.slot!;
  const upstream = ctx.upstream!.name;
  const actions: Action[] = [];
  const nodes = [ctx.primary, ...ctx.standbys];
  const owners = new Set(ctx.state.journal().flatMap((e) => (e.kind === 'slot' && e.slot === slot && e.node !== upstream ? [e.node] : [])));
  for (const name of owners) {
    const node = nodes.find((n) => n.name === name);
    if (!node || ctx.isPlanned(node) || !(await node.isRunning())) continue;
    const row = await node.queryOne<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]).catch(() => undefined);
    if (row && !row.active) {
      actions.push({
        kind: 'sql',
        node: name,
        sql: 'SELECT pg_drop_replication_slot($1)',
        params: [slot],
        summary: `drop the slot ${slot} on ${name}, which ${ctx.node.name} no longer uses`,
      });
    }
  }
  return actions;
}
