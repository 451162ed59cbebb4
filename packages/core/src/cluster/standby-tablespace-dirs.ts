import { readdir, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PgNode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// Where a data directory's tablespaces live: the targets of its pg_tblspc links (none when it has no such links).
export async function tablespaceDirsOf(dataDir: string): Promise<string[]> {
  const links = path.join(dataDir, 'pg_tblspc');
  const dirs: string[] = [];
  for (const name of await readdir(links).catch(() => [] as string[])) {
    const target = await readlink(path.join(links, name)).catch(() => undefined);
    if (target !== undefined) dirs.push(path.resolve(links, target));
  }
  return dirs;
}

// Delete the tablespace directories of a standby that go with its data directory (on rebuild and remove --purge):
// only those the tool created, and never one another node's tablespace links point at. Returns what it deleted.
export async function removeStandbyTablespaceDirs(rt: ClusterRuntime, node: PgNode, log: (line: string) => void): Promise<string[]> {
  const others = rt.nodes.filter((n) => n.name !== node.name);
  const usedElsewhere = new Set((await Promise.all(others.map((n) => tablespaceDirsOf(n.dataDir)))).flat());
  const deleted: string[] = [];
  for (const dir of await tablespaceDirsOf(node.dataDir)) {
    if (usedElsewhere.has(dir) || !rt.createdByTool(dir)) continue;
    log(`deleting ${dir}`);
    await rm(dir, { recursive: true, force: true });
    deleted.push(dir);
  }
  return deleted;
}
