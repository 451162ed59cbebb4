import type { ClusterSpec } from '../config/cluster-spec.js';
import type { Action } from '../executor/action.js';
import { hostSeenFrom, standbysOnOtherMachines } from '../hosts/node-address.js';
import type { PgNode } from '../postgres/pg-node.js';
import { ensureTlsMaterial } from './tls-material-plan.js';
import { tlsMaterialKind } from './tls-decisions.js';

// The addresses the standbys on other hosts that stream from a node reach it at (hostSeenFrom of each), without
// repeats: what its certificate must name when it lives on this machine.
export async function tlsSeenAs(spec: ClusterSpec, node: PgNode, nodes: readonly PgNode[]): Promise<string[]> {
  return [...new Set(await Promise.all(standbysOnOtherMachines(spec, node, nodes).map((standby) => hostSeenFrom(node, standby))))];
}

// The actions that put a node's TLS files on its host before its server starts or reloads with them (none when it
// needs none): ensureTlsMaterial with the addresses its standbys on other hosts reach it at.
export async function planNodeTlsMaterial(spec: ClusterSpec, node: PgNode, nodes: readonly PgNode[]): Promise<Action[]> {
  if (tlsMaterialKind(spec, node.name) === 'none') return [];
  return ensureTlsMaterial(spec, node.name, node.machine, await tlsSeenAs(spec, node, nodes));
}
