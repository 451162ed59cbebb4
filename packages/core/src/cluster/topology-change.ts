import type { StateStore } from '../state/state-store.js';
import type { ClusterState, Topology } from '../state/cluster-state.js';

// Change the recorded topology (how the running cluster differs from the config) and write it at once.
export async function changeTopology(store: StateStore, change: (topology: Topology) => void): Promise<void> {
  await store.update((state) => {
    const topology = (state.topology ??= {});
    change(topology);
  });
}

// Record that a standby became the primary and the old primary waits for rejoin.
export async function recordPromotion(store: StateStore, configPrimary: string, newPrimary: string, oldPrimary: string): Promise<void> {
  await changeTopology(store, (t) => applyPromotion(t, configPrimary, newPrimary, oldPrimary));
}

// The recorded topology as it will be after a promotion (a copy; nothing is written), for planning what follows.
export function topologyAfterPromotion(topology: Topology | undefined, configPrimary: string, newPrimary: string, oldPrimary: string): Topology {
  const copy: Topology = structuredClone(topology ?? {});
  applyPromotion(copy, configPrimary, newPrimary, oldPrimary);
  return copy;
}

// The recorded topology as it will be once a former primary rejoined (a copy; nothing is written).
export function topologyAfterRejoin(topology: Topology | undefined, name: string): Topology {
  const copy: Topology = structuredClone(topology ?? {});
  applyRejoin(copy, name);
  return copy;
}

function applyPromotion(t: Topology, configPrimary: string, newPrimary: string, oldPrimary: string): void {
  t.primary = newPrimary === configPrimary ? undefined : newPrimary;
  t.formerPrimaries = [...new Set([...(t.formerPrimaries ?? []).filter((n) => n !== newPrimary), oldPrimary])];
  if (t.upstreams) delete t.upstreams[newPrimary];
  delete t.pendingPromotion;
}

// Settle a promotion a killed command left pending: recorded when the standby was promoted (its standby.signal
// or recovery.conf is gone, which PostgreSQL does when it leaves recovery), dropped when it was not.
// stillStandby: whether its marker is still there, as looked at on its machine (undefined: its data directory is unknown).
export function settlePendingPromotion(state: ClusterState, configPrimary: string, stillStandby: boolean | undefined): boolean {
  const pending = state.topology?.pendingPromotion;
  if (!pending) return false;
  const topology = state.topology!;
  if (stillStandby === false) applyPromotion(topology, configPrimary, pending.newPrimary, pending.oldPrimary);
  else delete topology.pendingPromotion;
  return true;
}

// Record that a former primary is a standby again (of the current primary).
export async function recordRejoin(store: StateStore, name: string): Promise<void> {
  await changeTopology(store, (t) => applyRejoin(t, name));
}

function applyRejoin(t: Topology, name: string): void {
  t.formerPrimaries = (t.formerPrimaries ?? []).filter((n) => n !== name);
  if (t.upstreams) delete t.upstreams[name];
}
