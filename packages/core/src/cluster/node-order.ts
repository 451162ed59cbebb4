import { depthOf } from '../config/cluster-spec.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// The order nodes start in: the primary, then standbys by depth (a cascaded standby after its upstream).
export function startOrder(rt: ClusterRuntime): PgNode[] {
  const standbys = [...rt.spec.standbys].sort((a, b) => depthOf(rt.spec, a) - depthOf(rt.spec, b));
  return [rt.primary, ...standbys.map((s) => rt.node(s.name))];
}

// The order nodes stop in: the deepest standbys first, the primary last (so standbys receive its shutdown
// checkpoint).
export function stopOrder(rt: ClusterRuntime): PgNode[] {
  return startOrder(rt).reverse();
}
