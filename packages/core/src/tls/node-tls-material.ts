import { type ClusterSpec, upstreamOf } from '../config/cluster-spec.js';
import type { Action } from '../executor/action.js';
import { hostSeenFrom, onSameMachine } from '../hosts/node-address.js';
import type { PgNode } from '../postgres/pg-node.js';
import { ensureTlsMaterial } from './tls-material-plan.js';
import { tlsMaterialKind } from './tls-decisions.js';

// The addresses the standbys on other hosts that stream from a node reach it at (hostSeenFrom of each), without
// repeats: what its certificate must name when it lives on this machine.
export async function tlsSeenAs(spec: ClusterSpec, node: PgNode, nodes: readonly PgNode[]): Promise<string[]> {
  const streaming = spec.standbys.filter((s) => upstreamOf(spec, s).name === node.name);
  const across = streaming.map((s) => nodes.find((n) => n.name === s.name)).filter((n): n is PgNode => n !== undefined && !onSameMachine(n, node));
  return [...new Set(await Promise.all(across.map((standby) => hostSeenFrom(node, standby))))];
}

// The actions that put a node's TLS files on its host before its server starts or reloads with them (none when it
// needs none): ensureTlsMaterial with the addresses its standbys on other hosts reach it at.
export async function planNodeTlsMaterial(spec: ClusterSpec, node: PgNode, nodes: readonly PgNode[]): Promise<Action[]> {
  if (tlsMaterialKind(spec, node.name) === 'none') return [];
  return ensureTlsMaterial(spec, node.name, node.machine, await tlsSeenAs(spec, node, nodes));
}
