import type { StateStore } from '../state/state-store.js';
import type { Topology } from '../state/cluster-state.js';

// Change the recorded topology (how the running cluster differs from the config) and write it at once.
export async function changeTopology(store: StateStore, change: (topology: Topology) => void): Promise<void> {
  await store.update((state) => {
    const topology = (state.topology ??= {});
    change(topology);
  });
}

// Record that a standby became the primary and the old primary waits for rejoin.
export async function recordPromotion(store: StateStore, configPrimary: string, newPrimary: string, oldPrimary: string): Promise<void> {
  await changeTopology(store, (t) => {
    t.primary = newPrimary === configPrimary ? undefined : newPrimary;
    t.formerPrimaries = [...new Set([...(t.formerPrimaries ?? []).filter((n) => n !== newPrimary), oldPrimary])];
    if (t.upstreams) delete t.upstreams[newPrimary];
  });
}

// Record that a former primary is a standby again (of the current primary).
export async function recordRejoin(store: StateStore, name: string): Promise<void> {
  await changeTopology(store, (t) => {
    t.formerPrimaries = (t.formerPrimaries ?? []).filter((n) => n !== name);
    if (t.upstreams) delete t.upstreams[name];
  });
}
