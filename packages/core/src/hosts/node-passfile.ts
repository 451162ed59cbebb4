import type { PgNode } from '../postgres/pg-node.js';

// The replication passfile a node's programs (its walreceiver, pg_basebackup into it) read on its own machine: the
// one in the state directory for a node on this machine, `<dataDir>.pgpass` beside its data directory on another
// host (the state directory lives only here; the server log sits beside the data directory there too).
export function replicationPassfileOf(node: PgNode, localPassfile: string): string {
  return node.machine.remote ? `${node.dataDir}.pgpass` : localPassfile;
}
