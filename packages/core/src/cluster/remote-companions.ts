import type { Action } from '../executor/action.js';
import { replicationPassfileOf } from '../hosts/node-passfile.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { JournalEntry } from '../state/cluster-state.js';
import { tlsFiles } from '../tls/tls-decisions.js';
import { isInside } from '../util/is-inside.js';
import { entryAt, journalPlaceOf } from '../state/journal-node.js';

// What hotstandby keeps beside the data directory of a node on another host (the state directory is on this
// machine): its server log, its replication passfile and its TLS files. They go with the data directory.
export function remoteCompanionPaths(node: PgNode): string[] {
  if (!node.machine.remote) return [];
  return [node.logFile, replicationPassfileOf(node, ''), tlsFiles(node.dataDir).dir];
}

// The same for a node's data directory on a host it no longer lives on (found by the directory alone: the log and
// passfile sit beside it there as `<dataDir>.log` and `<dataDir>.pgpass`).
export function companionPathsBeside(dataDir: string): string[] {
  return [`${dataDir}.log`, `${dataDir}.pgpass`, tlsFiles(dataDir).dir];
}

// A journal entry of something the tool created among those (the caller knows it is on that host).
export function isFormerCompanionEntry(entry: JournalEntry, dataDir: string): boolean {
  if (entry.kind !== 'file' && entry.kind !== 'dir') return false;
  if (entry.kind === 'file' && entry.existed) return false;
  return companionPathsBeside(dataDir).some((c) => entry.path === c || isInside(entry.path, c));
}

// Actions deleting them on the node's host (nothing there is no error).
export function removeRemoteCompanionActions(node: PgNode): Action[] {
  return remoteCompanionPaths(node).map((target): Action => ({ kind: 'remove-dir', node: node.name, path: target, summary: `deleting ${target} on ${node.machine.label}` }));
}

// A journal entry of something the tool created among them (on that node's host): nothing to restore once they go.
export function isCompanionEntry(entry: JournalEntry, node: PgNode): boolean {
  if (entry.kind !== 'file' && entry.kind !== 'dir') return false;
  if (!entryAt(entry, journalPlaceOf(node.machine, node.name)) || (entry.kind === 'file' && entry.existed)) return false;
  return remoteCompanionPaths(node).some((c) => entry.path === c || isInside(entry.path, c));
}
