import { allNodes, type ClusterSpec, type NodeSpec } from '../config/cluster-spec.js';
import { inspectDataDir, type DataDirInfo } from '../postgres/data-dir.js';
import type { ClusterState, Topology } from '../state/cluster-state.js';
import { stateLayout, type StateLayout } from '../state/state-layout.js';
import { StateStore } from '../state/state-store.js';
import { isInside } from '../util/is-inside.js';
import { effectiveSpec } from './effective-spec.js';
import { MachinesRecord } from './runtime-machines.js';
import { MachinePool } from '../hosts/machine-pool.js';
import path from 'node:path';
import { settlePendingPromotion } from './topology-change.js';
import { withUnlistedNodes, type UnlistedNodes } from './unlisted-nodes.js';
import { entryAt, journalPlaceOf, type JournalPlace } from '../state/journal-node.js';

// The cluster a command works on: the config, the state recorded beside it, and the nodes as they are now (the
// config with the recorded promotions, added and removed standbys applied).
export interface TopologyRecord {
  // The cluster as it runs now (config + recorded topology), and as the config alone describes it.
  spec: ClusterSpec;
  configSpec: ClusterSpec;
  layout: StateLayout;
  store: StateStore;
  // The state as loaded when the command started (the store holds the live one).
  state: ClusterState;
  // What the primary's data directory holds, and whether hotstandby adopted it (did not create it).
  primaryInfo: DataDirInfo;
  adopted: boolean;
  // The machines the nodes live on, connected for this command (closed with the runtime).
  machines: MachinesRecord;
}

// Load the state and apply it to the config. A promotion a killed command left half-recorded is settled first,
// from what the standby shows; with `topology`, the cluster is opened as if that topology were recorded.
export async function loadTopology(configSpec: ClusterSpec, options: { unlisted?: UnlistedNodes; topology?: Topology; signal?: AbortSignal }): Promise<TopologyRecord> {
  const layout = stateLayout(configSpec.stateDir);
  const store = new StateStore(layout.stateFile);
  let state = await store.load();
  const pending = state.topology?.pendingPromotion;
  if (pending) {
    const stillStandby = await promotedNodeStillStandby(configSpec, state, pending.newPrimary, options.signal);
    state = await store.update((s) => void settlePendingPromotion(s, configSpec.primary.name, stillStandby));
  }
  const planned = options.topology ? { ...state, topology: options.topology } : state;
  const spec = withUnlistedNodes(effectiveSpec(configSpec, planned), planned, layout.stateFile, options.unlisted ?? 'refuse');
  const machines = await MachinesRecord.open(everyNode(spec), options.signal);
  try {
    const primaryInfo = await inspectDataDir(spec.primary.dataDir, machines.of(spec.primary.name));
    const adopted =
      primaryInfo.kind === 'cluster' && adoptedByState(state, spec.primary.name, spec.primary.dataDir, journalPlaceOf(machines.of(spec.primary.name), spec.primary.name));
    return { spec, configSpec, layout, store, state, primaryInfo, adopted, machines };
  } catch (error) {
    await machines.close();
    throw error;
  }
}

// Every node of the topology, former primaries waiting for rejoin included.
export function everyNode(spec: ClusterSpec): NodeSpec[] {
  return [...allNodes(spec), ...(spec.detached ?? [])];
}

// Whether an existing data directory is adopted: as recorded, else "not created by the tool".
function adoptedByState(state: ClusterState, node: string, dataDir: string, place?: JournalPlace): boolean {
  return state.nodes[node]?.adopted ?? !createdByJournal(state, dataDir, place);
}

// Whether the tool made the directory (it, or one around it, is journaled); `place` names the node of another host
// whose machine the path is on, and that host (absent: this machine), as the journal records it.
export function createdByJournal(state: ClusterState, dir: string, place?: JournalPlace): boolean {
  return state.journal.some((e) => e.kind === 'dir' && entryAt(e, place) && (e.path === dir || isInside(dir, e.path)));
}

// Whether the node a killed promotion was promoting still has its standby marker, looked at on its own machine
// (through a connection of its own: the command's machines are opened for the topology this decides).
async function promotedNodeStillStandby(configSpec: ClusterSpec, state: ClusterState, name: string, signal?: AbortSignal): Promise<boolean | undefined> {
  const node = everyNode(effectiveSpec(configSpec, state)).find((n) => n.name === name);
  const dataDir = state.nodes[name]?.dataDir ?? node?.dataDir;
  if (!dataDir) return undefined;
  const pool = new MachinePool();
  try {
    const machine = await pool.machineOf(node?.host, { signal });
    const marker = async (file: string) => (await machine.stat(path.posix.join(dataDir, file))) !== undefined;
    return (await marker('standby.signal')) || (await marker('recovery.conf'));
  } finally {
    await pool.close();
  }
}
