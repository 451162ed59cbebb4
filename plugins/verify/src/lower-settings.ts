import type { PgNode } from '@hotstandby/core';

// The settings a hot standby holds lower than its primary, among those it must hold at least as high (versions.ts
// lists them per major): PostgreSQL then pauses the standby's replay (14+) or stops it, until they are raised.
// Undefined when none is lower; otherwise one sentence naming each setting, both values and the fix.
export async function lowerThanPrimary(standby: PgNode, primary: PgNode): Promise<string | undefined> {
  const names = standby.facts.hotStandbyFloorParams;
  const read = async (node: PgNode) =>
    new Map((await node.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_settings WHERE name = ANY($1)', [names]).catch(() => [])).map((r) => [r.name, Number(r.setting)]));
  const [own, primarys] = await Promise.all([read(standby), read(primary)]);
  const lower = names.filter((n) => own.has(n) && primarys.has(n) && own.get(n)! < primarys.get(n)!);
  if (lower.length === 0) return undefined;
  const what = lower.map((n) => `${n} is ${own.get(n)} on ${standby.name} but ${primarys.get(n)} on ${primary.name}`).join('; ');
  const raise = lower.map((n) => `${n} to at least ${primarys.get(n)}`).join(', ');
  return (
    `${what}: a hot standby needs ${lower.length === 1 ? 'it' : 'them'} at least as high as its primary, so PostgreSQL paused its replay; ` +
    `raise ${raise} on ${standby.name} (ALTER SYSTEM SET on ${standby.name}, or its postgresql.auto.conf) and restart it (hotstandby restart ${standby.name}); ` +
    'do not resume replay instead: the standby would shut down'
  );
}
