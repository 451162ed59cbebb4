import { depthOf } from '../config/cluster-spec.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// The standbys grouped by depth in the replication tree (direct standbys first, then their cascaded ones).
export function standbyWaves(rt: ClusterRuntime): PgNode[][] {
  const waves: PgNode[][] = [];
  for (const standby of rt.spec.standbys) {
    const depth = depthOf(rt.spec, standby);
    (waves[depth - 1] ??= []).push(rt.node(standby.name));
  }
  return waves.filter(Boolean);
}
