import { lowerFloorSettings, type PgNode } from '@hotstandby/core';

// Why a standby's replay is paused, when it holds a setting lower than its primary among those it must hold at
// least as high: one sentence naming each setting, both values and the fix. Undefined when none is lower.
export async function lowerThanPrimary(standby: PgNode, primary: PgNode): Promise<string | undefined> {
  const lower = await lowerFloorSettings(standby, primary);
  if (lower.length === 0) return undefined;
  const what = lower.map((s) => `${s.name} is ${s.standby} on ${standby.name} but ${s.primary} on ${primary.name}`).join('; ');
  const raise = lower.map((s) => `${s.name} to at least ${s.primary}`).join(', ');
  return (
    `${what}: a hot standby needs ${lower.length === 1 ? 'it' : 'them'} at least as high as its primary, so PostgreSQL paused its replay; ` +
    `run hotstandby up (it raises ${raise} on ${standby.name} and restarts it), or raise ${lower.length === 1 ? 'it' : 'them'} there yourself and restart it (hotstandby restart ${standby.name}); ` +
    'do not resume replay instead: the standby would shut down'
  );
}
