import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError, isInside, type StepContext } from '@hotstandby/core';
import { mappedLocation, primaryLocationOf, type MappedTablespace } from './tablespace-mapping.js';

type MappingOptions = { tablespaceMapping?: Record<string, string> };

const KEY = 'steps.base-backup.tablespaceMapping';

// The upstream's tablespaces and where this standby gets each, through steps.base-backup.tablespaceMapping.
// Refused, before the first change, when one is not mapped: on this machine the standby would need the very
// directories the upstream's tablespaces live in. Empty when the upstream is not running yet (a dry run).
export async function mappedTablespaces(ctx: StepContext<MappingOptions>): Promise<MappedTablespace[]> {
  const upstream = ctx.upstream!;
  if (ctx.isPlanned(upstream) || !(await upstream.isRunning())) return [];
  const rows = await upstream.query<{ name: string; location: string }>(
    "SELECT spcname AS name, pg_tablespace_location(oid) AS location FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY 1",
  );
  const mapping = ctx.options.tablespaceMapping;
  const upstreamIsPrimary = upstream.name === ctx.primary.name;
  const mapped: MappedTablespace[] = [];
  const unmapped: { name: string; location: string }[] = [];
  for (const row of rows) {
    const primaryLocation = primaryLocationOf(mapping, row.location, upstream.name, upstreamIsPrimary);
    const location = primaryLocation === undefined ? undefined : mappedLocation(mapping, primaryLocation, ctx.node.name);
    if (primaryLocation === undefined || location === undefined) unmapped.push(row);
    else mapped.push({ name: row.name, upstreamLocation: row.location, primaryLocation, location });
  }
  if (unmapped.length > 0) {
    const list = unmapped.map((r) => `${r.name} (${r.location})`).join(', ');
    const example = JSON.stringify({ steps: { 'base-backup': { tablespaceMapping: Object.fromEntries(unmapped.map((r) => [r.location, `${r.location}-{node}`])) } } });
    throw new HotstandbyError(
      'DATA_DIR_CONFLICT',
      `${upstream.name} has tablespaces outside its data directory that ${KEY} does not map: ${list}; a standby on the same machine would need those same directories, so hotstandby cannot build ${ctx.node.name}`,
      {
        where: { node: ctx.node.name, step: 'base-backup', key: KEY },
        fix: `give each standby its own directory for them (pg_basebackup --tablespace-mapping=OLDDIR=NEWDIR), in the config: ${example}${upstreamIsPrimary ? '' : ` (the keys are the primary's locations, ${ctx.primary.name})`}; or move their tables into pg_default and drop them (ALTER TABLE ... SET TABLESPACE pg_default; DROP TABLESPACE ...)`,
      },
    );
  }
  return mapped;
}

// Before the first change: every mapped directory is absolute, nobody else's (not the upstream's own tablespace,
// not inside a node's data directory, not another standby's) and absent or empty, so pg_basebackup can fill it.
export async function checkTablespaceTargets(ctx: StepContext<MappingOptions>, tablespaces: readonly MappedTablespace[], method: 'pg_basebackup' | 'copy'): Promise<void> {
  if (tablespaces.length === 0) return;
  const where = { node: ctx.node.name, step: 'base-backup', key: KEY };
  if (method === 'copy') {
    throw new HotstandbyError(
      'BACKUP_FAILED',
      `${ctx.upstream!.name} has ${tablespaces.length} tablespace(s); the copy method cannot give a standby on the same machine its own tablespace directories`,
      {
        where: { ...where, key: 'steps.base-backup.method' },
        fix: 'use method "pg_basebackup" (install the PostgreSQL client programs), which applies steps.base-backup.tablespaceMapping',
      },
    );
  }
  const nodes = [ctx.spec.primary, ...ctx.spec.standbys];
  for (const ts of tablespaces) {
    const refuse = (why: string, fix: string) =>
      new HotstandbyError('DATA_DIR_CONFLICT', `tablespace ${ts.name} of ${ctx.node.name} would go to ${ts.location}, which ${why}`, { where, fix });
    const forEach = `map ${ts.primaryLocation} to a directory of its own for each standby, such as "${ts.primaryLocation}-{node}"`;
    if (path.resolve(ts.location) === path.resolve(ts.upstreamLocation) || path.resolve(ts.location) === path.resolve(ts.primaryLocation)) {
      throw refuse(`is where ${ctx.upstream!.name} keeps it`, forEach);
    }
    const overlapping = tablespaces.find((other) => [other.upstreamLocation, other.primaryLocation].some((dir) => overlaps(ts.location, dir)));
    if (overlapping) {
      throw refuse(`overlaps where ${ctx.upstream!.name} keeps tablespace ${overlapping.name} (${overlapping.upstreamLocation})`, forEach);
    }
    for (const node of nodes) {
      if (overlaps(ts.location, node.dataDir)) {
        throw refuse(`overlaps the data directory of ${node.name} (${node.dataDir})`, `${forEach}, outside every data directory`);
      }
    }
    for (const other of ctx.spec.standbys) {
      if (other.name === ctx.node.name) continue;
      if (mappedLocation(ctx.options.tablespaceMapping, ts.primaryLocation, other.name) === ts.location) {
        throw refuse(
          `is also where ${other.name} would get it`,
          `put {node} in the mapped directory so that each standby gets its own: "${ts.primaryLocation}": "${ts.location}-{node}"`,
        );
      }
    }
    const entries = await readdir(ts.location).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw refuse(`cannot be used as a directory (${error.code ?? error.message})`, `map it to a path that does not exist yet or an empty directory`);
    });
    // A directory hotstandby made for this standby holds only what a backup that never finished wrote there (the
    // standby's own data directory is not there yet, or this step would not run): the plan empties it.
    if (entries.length > 0 && !ctx.state.dirCreatedByTool(ts.location)) {
      throw refuse('is not empty', `empty or move ${ts.location} away yourself, or map ${ts.primaryLocation} to a path that does not exist yet`);
    }
  }
}

// Whether two directories are the same or one lies inside the other.
function overlaps(a: string, b: string): boolean {
  const [x, y] = [path.resolve(a), path.resolve(b)];
  return x === y || isInside(x, y) || isInside(y, x);
}

// The standby's mapped tablespace directories that hotstandby made and an interrupted backup left files in.
export async function leftoverTablespaceDirs(ctx: StepContext<MappingOptions>, tablespaces: readonly MappedTablespace[]): Promise<string[]> {
  const leftovers: string[] = [];
  for (const ts of tablespaces) {
    const entries = await readdir(ts.location).catch(() => [] as string[]);
    if (entries.length > 0 && ctx.state.dirCreatedByTool(ts.location)) leftovers.push(ts.location);
  }
  return leftovers;
}
