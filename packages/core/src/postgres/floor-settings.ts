import type { PgNode } from './pg-node.js';

// One setting a hot standby holds lower than its primary.
export interface LowerSetting {
  name: string;
  standby: number;
  primary: number;
}

// The settings a running hot standby holds lower than its (running) primary, among those it must hold at least
// as high (versionFacts().hotStandbyFloorParams): PostgreSQL then pauses its replay (14+) or stops it.
export async function lowerFloorSettings(standby: PgNode, primary: PgNode): Promise<LowerSetting[]> {
  const names = standby.facts.hotStandbyFloorParams;
  const read = async (node: PgNode) =>
    new Map(
      (await node.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_settings WHERE name = ANY($1)', [names]).catch(() => [])).map((r) => [
        r.name,
        Number(r.setting),
      ]),
    );
  const [own, upstream] = await Promise.all([read(standby), read(primary)]);
  return names.flatMap((name) => {
    const mine = own.get(name);
    const theirs = upstream.get(name);
    return mine !== undefined && theirs !== undefined && mine < theirs ? [{ name, standby: mine, primary: theirs }] : [];
  });
}
