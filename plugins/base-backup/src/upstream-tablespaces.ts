import { HotstandbyError, type StepContext } from '@hotstandby/core';

// Refuse, before the first change, a backup of an upstream with tablespaces of its own: on this machine the
// standby would need the very directories the upstream's tablespaces live in, so the backup cannot be taken.
export async function checkNoTablespaces(ctx: StepContext): Promise<void> {
  const upstream = ctx.upstream!;
  if (ctx.isPlanned(upstream) || !(await upstream.isRunning())) return;
  const rows = await upstream.query<{ name: string; location: string }>(
    "SELECT spcname AS name, pg_tablespace_location(oid) AS location FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY 1",
  );
  if (rows.length === 0) return;
  const list = rows.map((r) => `${r.name} (${r.location})`).join(', ');
  throw new HotstandbyError(
    'DATA_DIR_CONFLICT',
    `${upstream.name} has tablespaces outside its data directory: ${list}; a standby on the same machine would need those same directories, so hotstandby cannot build ${ctx.node.name}`,
    {
      where: { node: ctx.node.name, step: 'base-backup' },
      fix: `move their tables into pg_default and drop them (ALTER TABLE ... SET TABLESPACE pg_default; DROP TABLESPACE ...), or build this standby yourself with pg_basebackup --tablespace-mapping=OLDDIR=NEWDIR`,
    },
  );
}
