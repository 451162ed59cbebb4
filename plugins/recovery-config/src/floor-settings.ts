import { lowerFloorSettings, type StepContext } from '@hotstandby/core';

// A running standby that holds a setting lower than its primary, among those a hot standby must hold at least
// as high (max_connections ...), has its replay paused by PostgreSQL (or is stopped by it before 14): it gets
// the primary's values in its settings file, and the restart that follows lets replay go on. The note says so.
export async function raisedFloorSettings(ctx: StepContext): Promise<{ settings: Record<string, string>; note?: string }> {
  if (ctx.isPlanned(ctx.node) || !(await ctx.node.isRunning()) || !(await ctx.primary.isRunning())) return { settings: {} };
  const lower = await lowerFloorSettings(ctx.node, ctx.primary);
  if (lower.length === 0) return { settings: {} };
  return {
    settings: Object.fromEntries(lower.map((s) => [s.name, String(s.primary)])),
    note: `${lower.map((s) => `${s.name} ${s.standby} → ${s.primary}`).join(', ')} on ${ctx.node.name}: a hot standby needs ${lower.length === 1 ? 'it' : 'them'} at least as high as its primary ${ctx.primary.name}, which paused its replay; raised to ${ctx.primary.name}'s value${lower.length === 1 ? '' : 's'}, and ${ctx.node.name} restarts`,
  };
}
