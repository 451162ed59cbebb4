import type { NodeHostSpec } from '../config/cluster-spec.js';
import type { NodeRole } from '../config/cluster-spec.js';
import type { BinarySource } from '../postgres/binaries.js';

// What the tool remembers about one node between commands.
export interface NodeState {
  name: string;
  role: NodeRole;
  port: number;
  dataDir: string;
  // Where its postgresql.conf lives when not in the data directory (remembered for when it is stopped).
  configDir?: string;
  // The tool made the data directory itself (so --purge may delete it).
  createdDataDir: boolean;
  // The tool ran initdb or the base backup into it.
  initializedByTool: boolean;
  // The data directory held a cluster before the tool first ran.
  adopted: boolean;
  wasRunningAtAdoption?: boolean;
  osUser: { name: string; uid: number; gid: number };
  upstream?: string;
  slot?: string;
  // The host it lives on, as ssh reached it when last recorded (absent: this machine).
  host?: JournalHost;
}

// Which other host a journal entry acted on, as ssh reached it then: what identifies the machine, never a secret
// (the key and options to reach it again are the node's current ones).
export interface JournalHost {
  host: string;
  user?: string;
  port?: number;
}

// One reversible effect the tool had on something it did not create.
export type JournalEntry =
  // node: the node whose machine the file is on, when that is another host (its backup is on this machine); host:
  // that machine (absent in journals written before it was recorded: the node's host as configured).
  | { kind: 'file'; node?: string; host?: JournalHost; path: string; existed: boolean; backup?: string; mode?: number; uid?: number; gid?: number; at: string }
  | { kind: 'role'; node: string; role: string; at: string }
  | { kind: 'slot'; node: string; slot: string; at: string }
  // node: the node whose machine the directory is on, when that is another host; host: that machine, as for a file.
  | { kind: 'dir'; node?: string; host?: JournalHost; path: string; at: string };

// A standby added with `add-standby` (it is not in the config file).
export interface AddedStandby {
  name: string;
  port: number;
  dataDir: string;
  upstream?: string;
  synchronous?: boolean;
  applyDelay?: string;
  // The host it lives on (absent: this machine).
  host?: NodeHostSpec;
}

// How the running topology differs from the config: after promote, switchover, add-standby, remove-standby.
export interface Topology {
  // The node that is primary now, when it is not the config's primary.
  primary?: string;
  // Standbys that stream from another node than the config says.
  upstreams?: Record<string, string>;
  added?: AddedStandby[];
  // Standbys of the config taken out with remove-standby.
  removed?: string[];
  // Former primaries that wait for `rejoin` (starting them would make a second primary).
  formerPrimaries?: string[];
  // A promotion under way: written before pg_ctl promote, cleared once recorded. Found by a later command (the
  // promoting one was killed), it is settled by looking at the standby: promoted, or not.
  pendingPromotion?: { newPrimary: string; oldPrimary: string };
}

// The content of state.json.
export interface ClusterState {
  version: 1;
  createdAt: string;
  updatedAt: string;
  configPath?: string;
  socketDir?: string;
  // The binaries chosen on the first run, reused so a later install elsewhere does not switch them; with the
  // version their postgres printed and its stamp (programStamp), so a later command need not run it again.
  binaries?: { binDir: string; source: BinarySource; reason: string; version?: string; stamp?: string };
  pgMajor?: number;
  nodes: Record<string, NodeState>;
  journal: JournalEntry[];
  topology?: Topology;
}

// A state for a cluster the tool has not touched yet.
export function emptyState(): ClusterState {
  const now = new Date().toISOString();
  return { version: 1, createdAt: now, updatedAt: now, nodes: {}, journal: [] };
}
