import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { Action } from '../executor/action.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { entryAt, journalPlaceOf } from '../state/journal-node.js';

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

// The tablespace directories of a standby that go with its data directory (on rebuild and remove --purge): only
// those the tool created, and never one another node's tablespace links point at. Reads only; the caller plans
// their removal.
export async function standbyTablespaceDirsToRemove(rt: ClusterRuntime, node: PgNode): Promise<string[]> {
  const others = rt.nodes.filter((n) => n.name !== node.name);
  // Nodes on other hosts have no tablespaces (base backups across hosts refuse them).
  if (node.machine.remote) return [];
  const usedElsewhere = new Set((await Promise.all(others.filter((n) => !n.machine.remote).map((n) => tablespaceDirsOf(n.dataDir)))).flat());
  return (await tablespaceDirsOf(node.dataDir)).filter((dir) => !usedElsewhere.has(dir) && rt.createdByTool(dir, node));
}

// Actions deleting those directories and forgetting them in the journal.
export function removeTablespaceDirActions(rt: ClusterRuntime, dirs: readonly string[], node?: PgNode): Action[] {
  const place = node && journalPlaceOf(node.machine, node.name);
  return dirs.flatMap((dir): Action[] => [
    { kind: 'remove-dir', ...(node ? { node: node.name } : {}), path: dir, summary: `deleting ${dir}` },
    { kind: 'record', summary: `forget the directory ${dir}`, run: () => rt.store.removeJournal((e) => e.kind === 'dir' && e.path === dir && entryAt(e, place)) },
  ]);
}
