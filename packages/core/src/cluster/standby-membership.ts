import type { AddedStandby, Topology } from '../state/cluster-state.js';
import { checkAddStandbyRequest, type AddStandbyRequest } from './add-standby-request.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import type { StateStore } from '../state/state-store.js';
import { childrenStreamError, notAStandbyError } from './remove-standby-hints.js';
import { changeTopology } from './topology-change.js';

export type { AddStandbyRequest } from './add-standby-request.js';

// Record a new standby in the topology (the caller then runs the pipeline, which builds and starts it).
// A request that does not fit the cluster is refused first, in the words of the command's options.
export async function recordAddedStandby(rt: ClusterRuntime, request: AddStandbyRequest): Promise<AddedStandby> {
  const added = await addedStandbyOf(rt, request);
  await recordStandbyAddition(rt.store, added);
  return added;
}

// Record a standby add-standby planned.
export async function recordStandbyAddition(store: StateStore, added: AddedStandby): Promise<void> {
  await changeTopology(store, (t) => addStandbyTo(t, added));
}

// What add-standby would record, and the recorded topology as it will be then (a copy; nothing is written), for its
// dry run and runbook. A request that does not fit the cluster is refused, as add-standby refuses it.
export async function plannedStandbyAddition(rt: ClusterRuntime, request: AddStandbyRequest): Promise<{ added: AddedStandby; topology: Topology }> {
  const added = await addedStandbyOf(rt, request);
  const topology = structuredClone(rt.state.topology ?? {});
  addStandbyTo(topology, added);
  return { added, topology };
}

// What add-standby records for a request: its port and data directory filled in.
async function addedStandbyOf(rt: ClusterRuntime, request: AddStandbyRequest): Promise<AddedStandby> {
  const { port, dataDir } = await checkAddStandbyRequest(rt, request);
  return {
    name: request.name,
    port,
    dataDir,
    // Only an upstream other than the primary is remembered: without one (or naming the primary) the standby
    // follows whichever node is primary, also after a switchover (a synchronous one must stream from it).
    upstream: request.upstream === rt.primary.name ? undefined : request.upstream,
    synchronous: request.synchronous,
    applyDelay: request.applyDelay,
    ...(request.host ? { host: request.host } : {}),
  };
}

function addStandbyTo(topology: Topology, added: AddedStandby): void {
  topology.added = [...(topology.added ?? []), added];
  topology.removed = (topology.removed ?? []).filter((n) => n !== added.name);
}

// Forget a standby added by mistake (when the pipeline refused it before changing anything).
export async function forgetAddedStandby(rt: ClusterRuntime, name: string): Promise<void> {
  await changeTopology(rt.store, (t) => {
    t.added = (t.added ?? []).filter((a) => a.name !== name);
  });
}

// Take a standby out of the topology: an added one is forgotten, one from the config is marked removed.
// Refused while other standbys stream from it.
export async function recordRemovedStandby(rt: ClusterRuntime, name: string): Promise<void> {
  checkRemovableStandby(rt, name);
  await changeTopology(rt.store, (t) => {
    const wasAdded = (t.added ?? []).some((a) => a.name === name);
    t.added = (t.added ?? []).filter((a) => a.name !== name);
    if (!wasAdded) t.removed = [...new Set([...(t.removed ?? []), name])];
    if (t.upstreams) delete t.upstreams[name];
  });
}

// Refuse to remove a node that is not a standby, or one other standbys stream from (before anything changes).
export function checkRemovableStandby(rt: ClusterRuntime, name: string): void {
  const spec = rt.spec.standbys.find((s) => s.name === name);
  if (!spec) throw notAStandbyError(rt, name);
  const children = rt.spec.standbys.filter((s) => s.upstream === name).map((s) => s.name);
  if (children.length > 0) throw childrenStreamError(rt, name, children);
}
