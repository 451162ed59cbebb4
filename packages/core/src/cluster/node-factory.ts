import type { ClusterSpec, NodeSpec } from '../config/cluster-spec.js';
import type { PgBinaries } from '../postgres/binaries.js';
import type { ServerUser } from '../postgres/os-user.js';
import { PgNode } from '../postgres/pg-node.js';
import type { StateLayout } from '../state/state-layout.js';

// Makes the PgNode handle of a node of the spec, on a port, with what is known of it.
export type NodeFactory = (n: NodeSpec, port: number, known?: { configDir?: string; password?: string }) => PgNode;

// The one place a node of the spec becomes a PgNode handle: this machine's binaries, server account and log file, on
// the given port; with the superuser's password and the node's configuration directory when known.
export function nodeFactory(spec: ClusterSpec, binaries: PgBinaries, serverUser: ServerUser, layout: StateLayout): NodeFactory {
  return (n, port, known = {}) =>
    new PgNode({
      configDir: known.configDir,
      name: n.name,
      role: n.role,
      port,
      dataDir: n.dataDir,
      binaries,
      osUser: serverUser,
      logFile: layout.logFile(n.name),
      superuser: { name: spec.superuser.name, password: known.password },
    });
}
