import path from 'node:path';
import { allNodes, type ClusterSpec, type NodeSpec } from '../config/cluster-spec.js';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { ClusterState, NodeState } from '../state/cluster-state.js';

// What a command does with nodes the state records but the config no longer names (renamed, or deleted from the
// config file while they exist): refuse, or (down) take them along so they are stopped, not orphaned.
export type UnlistedNodes = 'refuse' | 'include';

// Nodes recorded in state.json that the cluster as configured (with its recorded topology) does not name.
export function unlistedNodes(spec: ClusterSpec, state: ClusterState): NodeState[] {
  // A standby being taken out with remove-standby is already out of the spec, and not unlisted.
  const named = new Set([...allNodes(spec), ...(spec.detached ?? [])].map((n) => n.name).concat(state.topology?.removed ?? []));
  return Object.values(state.nodes).filter((n) => !named.has(n.name));
}

// The spec with the unlisted nodes handled: unchanged when there are none; with them among the detached nodes
// (known, outside the pipeline) when included and every one of them was made by the tool; otherwise refused
// before anything happens, since acting on the config alone would orphan running servers or build a second
// cluster beside them.
export function withUnlistedNodes(spec: ClusterSpec, state: ClusterState, stateFile: string, mode: UnlistedNodes): ClusterSpec {
  const unlisted = unlistedNodes(spec, state);
  if (unlisted.length === 0) return spec;
  const names = unlisted.map((n) => `${n.name} (${n.role}, port ${n.port}, ${n.dataDir})`).join(', ');
  const configName = spec.source.path ?? 'the built-in default config';
  const adopted = unlisted.filter((n) => n.adopted);
  if (mode === 'include' && adopted.length === 0) {
    // Standbys before a primary, so down stops them in the usual order.
    const ordered = [...unlisted].sort((a, b) => Number(a.role === 'primary') - Number(b.role === 'primary'));
    return { ...spec, detached: [...(spec.detached ?? []), ...ordered.map(toNodeSpec)] };
  }
  const standbys = unlisted.filter((n) => n.role === 'standby').map((n) => n.name);
  const fix = [
    `put ${unlisted.length === 1 ? 'it' : 'them'} back into ${path.basename(configName)} under the same name${unlisted.length === 1 ? '' : 's'} (to hotstandby a renamed node is a new node)`,
    ...(standbys.length && !unlisted.some((n) => n.role === 'primary') ? [`to drop a standby, put it back and run hotstandby remove-standby ${standbys[0]}`] : []),
    adopted.length
      ? `then run hotstandby down --restore to give back ${adopted.map((n) => n.name).join(', ')}`
      : 'or remove the whole cluster first with hotstandby down --purge (it stops them too)',
  ].join('; ');
  throw new HotstandbyError('STATE_MISMATCH', `${stateFile} records ${names}, which ${configName} no longer names`, {
    where: { file: stateFile },
    fix,
  });
}

function toNodeSpec(n: NodeState): NodeSpec {
  return { name: n.name, role: n.role, port: n.port, portFixed: true, dataDir: n.dataDir, configDir: n.configDir, upstream: n.upstream, slot: n.slot };
}
