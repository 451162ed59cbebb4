import type { PgNode } from '../postgres/pg-node.js';

// The address a server on one node's machine uses to reach another node's server: loopback on the same machine,
// the other host's address when that node is on another host, and this machine's address as that host sees it when
// the other node is here.
export async function addressToReach(target: PgNode, from: PgNode): Promise<string> {
  if (sameMachine(target, from)) return '127.0.0.1';
  if (target.machine.remote) return target.machine.address ?? target.host;
  return (await from.machine.addressOfController()) ?? '127.0.0.1';
}

// True when both nodes live on one machine.
export function sameMachine(a: PgNode, b: PgNode): boolean {
  return a.machine === b.machine || (a.machine.remote && b.machine.remote && a.machine.label === b.machine.label);
}
