import { readdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes, HotstandbyError, type StepContext } from '@hotstandby/core';

// Refuse, before the first change, a base backup that cannot fit: the upstream's databases plus its WAL must fit
// in the free space where the standby's data directory will be.
export async function checkBackupSpace(ctx: StepContext): Promise<void> {
  const upstream = ctx.upstream!;
  if (ctx.isPlanned(upstream) || !(await upstream.isRunning())) return;
  const row = await upstream.queryOne<{ bytes: string }>('SELECT sum(pg_database_size(oid))::bigint::text AS bytes FROM pg_database');
  const needed = Number(row?.bytes ?? 0) + (await directoryBytes(path.join(upstream.dataDir, ctx.facts.walDir)));
  const where = await nearestExisting(ctx.node.dataDir);
  const fs = await statfs(where).catch(() => undefined);
  if (!fs) return;
  const free = fs.bavail * fs.bsize;
  if (free >= needed) return;
  throw new HotstandbyError(
    'DATA_DIR_CONFLICT',
    `the base backup of ${upstream.name} needs about ${formatBytes(needed)} (its databases plus WAL), but only ${formatBytes(free)} is free at ${where}, where the data directory of ${ctx.node.name} (${ctx.node.dataDir}) goes`,
    {
      where: { node: ctx.node.name, step: 'base-backup' },
      fix: `free at least ${formatBytes(needed - free)} there, or point the dataDir of ${ctx.node.name} at a file system with more room`,
    },
  );
}

// The path itself or its closest existing parent.
async function nearestExisting(p: string): Promise<string> {
  let current = path.resolve(p);
  while (!(await stat(current).catch(() => undefined))) {
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

// The bytes of the regular files directly in dir (WAL segments), 0 when it cannot be read.
async function directoryBytes(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let total = 0;
  for (const name of names) {
    const st = await stat(path.join(dir, name)).catch(() => undefined);
    if (st?.isFile()) total += st.size;
  }
  return total;
}
