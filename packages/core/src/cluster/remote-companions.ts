import type { Action } from '../executor/action.js';
import type { PgNode } from '../postgres/pg-node.js';

// What hotstandby keeps beside the data directory of a node on another host (the state directory is on this
// machine): its server log, its replication passfile and its TLS files. They go with the data directory.
export function remoteCompanionPaths(node: PgNode): string[] {
  if (!node.machine.remote) return [];
  return ['log', 'pgpass', 'tls'].map((suffix) => `${node.dataDir}.${suffix}`);
}

// Actions deleting them on the node's host (nothing there is no error).
export function removeRemoteCompanionActions(node: PgNode): Action[] {
  return remoteCompanionPaths(node).map((target): Action => ({ kind: 'remove-dir', node: node.name, path: target, summary: `deleting ${target} on ${node.machine.label}` }));
}
