import type { ClusterRuntime } from './cluster-runtime.js';
import type { PgNode } from '../postgres/pg-node.js';
import { LOOPBACK_ADDRESS, reachedFromOtherMachines } from '../hosts/node-address.js';

// Where a node on another host keeps its Unix socket: /tmp, which every server can use (the state's socket
// directory is on this machine).
export const REMOTE_SOCKET_DIR = '/tmp';

// The settings that make a tool-created node itself: its port, its socket directory and its name in process titles
// (and, from 12, the default application_name of its walreceiver); it listens on loopback, plus, on another host, on
// the address the other nodes reach it at, and on this machine on the addresses the cluster's other hosts reach this
// machine at (reachedFromOtherMachines).
export async function nodeIdentitySettings(rt: ClusterRuntime, node: PgNode): Promise<Record<string, string>> {
  const address = node.machine.address;
  const reached = node.machine.remote ? (address && address !== LOOPBACK_ADDRESS ? [address] : []) : await reachedFromOtherMachines(node, rt.nodes);
  return {
    port: String(node.port),
    listen_addresses: [LOOPBACK_ADDRESS, ...reached].join(','),
    unix_socket_directories: node.machine.remote ? REMOTE_SOCKET_DIR : rt.layout.socketDir(),
    ...(node.facts.clusterName ? { cluster_name: node.name } : {}),
  };
}
