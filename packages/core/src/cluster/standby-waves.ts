import { depthOf, type ClusterSpec } from '../config/cluster-spec.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// The standbys grouped by depth in the replication tree (direct standbys first, then their cascaded ones).
export function standbyWaves(rt: ClusterRuntime): PgNode[][] {
  return standbyNameWaves(rt.spec).map((wave) => wave.map((name) => rt.node(name)));
}

// The names of the standbys grouped by depth, direct standbys first: the standbys of one wave do not depend on
// each other, so they are built, started or stopped together.
export function standbyNameWaves(spec: ClusterSpec): string[][] {
  const waves: string[][] = [];
  for (const standby of spec.standbys) (waves[depthOf(spec, standby) - 1] ??= []).push(standby.name);
  return waves.filter(Boolean);
}
