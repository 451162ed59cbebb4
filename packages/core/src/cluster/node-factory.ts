import type { ClusterSpec, NodeSpec } from '../config/cluster-spec.js';
import { PgNode } from '../postgres/pg-node.js';
import type { StateLayout } from '../state/state-layout.js';
import type { NodePlacement } from './runtime-machines.js';

// Makes the PgNode handle of a node of the spec, on a port, with what is known of it.
export type NodeFactory = (n: NodeSpec, port: number, known?: { configDir?: string; password?: string }) => PgNode;

// The one place a node of the spec becomes a PgNode handle: on its machine, with that machine's binaries and server
// account, on the given port; with the superuser's password and the node's configuration directory when known. A
// node on this machine logs into the state's log directory; one on another host beside its data directory there
// (<dataDir>.log), since the state stays here.
export function nodeFactory(spec: ClusterSpec, layout: StateLayout, placementOf: (n: NodeSpec) => NodePlacement): NodeFactory {
  return (n, port, known = {}) => {
    const { machine, binaries, serverUser } = placementOf(n);
    return new PgNode({
      configDir: known.configDir,
      name: n.name,
      role: n.role,
      port,
      dataDir: n.dataDir,
      binaries,
      osUser: serverUser,
      machine,
      logFile: machine.remote ? `${n.dataDir}.log` : layout.logFile(n.name),
      superuser: { name: spec.superuser.name, password: known.password },
    });
  };
}
