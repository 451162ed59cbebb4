import type { ClusterSpec, NodeSpec } from '../config/cluster-spec.js';
import { checkConflicts } from '../config/check-conflicts.js';
import type { ClusterState } from '../state/cluster-state.js';

// The cluster as it runs now: the config's nodes, plus standbys added and minus those removed with the CLI,
// with the primary and upstreams that promote and switchover left behind. Former primaries waiting for
// rejoin are kept out of the pipeline (spec.detached).
export function effectiveSpec(spec: ClusterSpec, state: ClusterState): ClusterSpec {
  const topology = state.topology;
  if (!topology) return spec;
  const configPrimary = spec.primary.name;
  const removed = new Set(topology.removed ?? []);
  const added: NodeSpec[] = (topology.added ?? []).map((a) => ({
    name: a.name,
    role: 'standby',
    port: a.port,
    portFixed: true,
    dataDir: a.dataDir,
    upstream: a.upstream,
    slot: a.name.replace(/-/g, '_'),
    synchronous: a.synchronous ?? false,
    applyDelay: a.applyDelay,
    ...(a.host ? { host: a.host } : {}),
  }));
  const addedNames = new Set(added.map((a) => a.name));
  const all = [spec.primary, ...spec.standbys, ...added].filter((n) => !removed.has(n.name));
  const primaryName = topology.primary ?? configPrimary;
  const former = new Set(topology.formerPrimaries ?? []);
  const nodes = all.map((n): NodeSpec => {
    if (n.name === primaryName) return { ...n, role: 'primary', upstream: undefined, slot: undefined, synchronous: false, applyDelay: undefined };
    // A config standby naming the config's primary follows whichever node is primary now; a standby added with
    // --upstream streams from the node it named as long as that node is in the cluster (not waiting for rejoin).
    const followsPrimary = addedNames.has(n.name)
      ? !n.upstream || former.has(n.upstream)
      : n.role === 'primary' || !n.upstream || n.upstream === configPrimary || former.has(n.upstream);
    const configured = followsPrimary ? primaryName : n.upstream!;
    return {
      ...n,
      role: 'standby',
      upstream: topology.upstreams?.[n.name] ?? configured,
      slot: n.slot ?? n.name.replace(/-/g, '_'),
      synchronous: n.synchronous ?? false,
    };
  });
  const primary = nodes.find((n) => n.name === primaryName) ?? spec.primary;
  const standbys = nodes.filter((n) => n.role === 'standby' && !former.has(n.name));
  // A promotion or removal can leave fewer synchronous standbys than the config's count: commits would then wait
  // forever, so the count shrinks with them (the config's own numbers were checked when it was loaded).
  const synchronous = standbys.filter((n) => n.synchronous).length;
  const { count } = spec.replication.synchronous;
  const replication = synchronous > 0 && count > synchronous ? { ...spec.replication, synchronous: { ...spec.replication.synchronous, count: synchronous } } : spec.replication;
  const result: ClusterSpec = {
    ...spec,
    replication,
    primary,
    standbys,
    detached: nodes.filter((n) => former.has(n.name)),
  };
  checkConflicts(result, `${spec.source.path ?? 'the config'} with the topology recorded in state.json`);
  return result;
}
