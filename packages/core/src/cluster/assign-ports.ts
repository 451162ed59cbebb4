import { allNodes, type ClusterSpec, type NodeSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { findFreePort, isPortFree } from '../postgres/ports.js';
import type { ClusterState } from '../state/cluster-state.js';

// The port each node uses, and what the user should be told about moved ports.
export interface PortAssignment {
  ports: Map<string, number>;
  notices: string[];
}

// Ports as far as config and state say, without checking the machine (status, down).
export function knownPorts(spec: ClusterSpec, state: ClusterState, actual: ReadonlyMap<string, number> = new Map()): Map<string, number> {
  const ports = new Map<string, number>();
  for (const node of allNodes(spec)) ports.set(node.name, actual.get(node.name) ?? (node.portFixed ? node.port : (state.nodes[node.name]?.port ?? node.port)));
  return ports;
}

// Ports for `up`: a fixed port (from the user's config) must be free unless the node itself runs on it;
// a default port that is taken moves to the next free one, which is announced and remembered.
// Ports are checked on the machine each node lives on (isFree; this machine's by default). Nodes on different machines
// may share a port number.
export async function assignPorts(
  spec: ClusterSpec,
  state: ClusterState,
  running: ReadonlySet<string>,
  actual: ReadonlyMap<string, number>,
  isFree: (node: NodeSpec, port: number) => Promise<boolean> = (_node, port) => isPortFree(port),
): Promise<PortAssignment> {
  const ports = knownPorts(spec, state, actual);
  const notices: string[] = [];
  const nodes = allNodes(spec);
  const pinned = (n: NodeSpec) => running.has(n.name) || n.portFixed || actual.has(n.name);
  // Running nodes and ports the user fixed are settled first, so a default port that moves never takes them.
  // Ports taken so far, per host ('' for this machine).
  const taken = new Map<string, Set<number>>();
  const takenOn = (n: NodeSpec) => {
    const host = n.host?.host ?? '';
    if (!taken.has(host)) taken.set(host, new Set());
    return taken.get(host)!;
  };
  for (const node of nodes.filter(pinned)) takenOn(node).add(ports.get(node.name)!);
  for (const node of nodes.filter((n) => pinned(n) && !running.has(n.name))) {
    const port = ports.get(node.name)!;
    if (!(await isFree(node, port))) throw portInUse(spec, node, port);
  }
  for (const node of nodes.filter((n) => !pinned(n))) {
    const wanted = ports.get(node.name)!;
    const takenHere = takenOn(node);
    if (!takenHere.has(wanted) && (await isFree(node, wanted))) {
      takenHere.add(wanted);
      continue;
    }
    const moved = await findFreePort(wanted + 1, takenHere, (port) => isFree(node, port));
    notices.push(`port ${wanted} is in use, so ${node.name} will listen on ${moved} (remembered in ${spec.stateDir})`);
    ports.set(node.name, moved);
    takenHere.add(moved);
  }
  return { ports, notices };
}

function portInUse(spec: ClusterSpec, node: NodeSpec, port: number): HotstandbyError {
  const key = node.role === 'primary' ? 'primary.port' : `standbys[${spec.standbys.indexOf(node)}].port`;
  return new HotstandbyError('PORT_IN_USE', `port ${port} for ${node.name} is already in use by another process`, {
    where: { key, file: spec.source.path },
    fix: `stop whatever listens on ${port} (ss -ltnp 'sport = :${port}') or set ${key} to a free port`,
  });
}
