import type { ClusterRuntime } from './cluster-runtime.js';
import type { PgNode } from '../postgres/pg-node.js';

// Where a node on another host keeps its Unix socket: /tmp, which every server can use (the state's socket
// directory is on this machine).
export const REMOTE_SOCKET_DIR = '/tmp';

// The settings that make a tool-created node itself: its port, its socket directory and its name in process titles
// (and, from 12, the default application_name of its walreceiver); it listens on loopback, plus, on another host, on
// the address the other nodes reach it at.
export function nodeIdentitySettings(rt: ClusterRuntime, node: PgNode): Record<string, string> {
  const address = node.machine.address;
  return {
    port: String(node.port),
    listen_addresses: address && address !== '127.0.0.1' ? `127.0.0.1,${address}` : '127.0.0.1',
    unix_socket_directories: node.machine.remote ? REMOTE_SOCKET_DIR : rt.layout.socketDir(),
    ...(node.facts.clusterName ? { cluster_name: node.name } : {}),
  };
}
