import type { ClusterRuntime } from './cluster-runtime.js';
import type { PgNode } from '../postgres/pg-node.js';

// The settings that make a tool-created node itself on this machine: its port, loopback only, its socket
// directory and its name in process titles (and, from 12, the default application_name of its walreceiver).
export function nodeIdentitySettings(rt: ClusterRuntime, node: PgNode): Record<string, string> {
  return {
    port: String(node.port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: rt.layout.socketDir(),
    ...(node.facts.clusterName ? { cluster_name: node.name } : {}),
  };
}
