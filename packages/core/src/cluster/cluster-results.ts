import type { UpResult } from './cluster-options.js';
import type { RejoinMethod } from './rejoin.js';

// What Cluster.promote() did: which node was the primary before, and the up run that followed.
export interface PromoteResult {
  oldPrimary: string;
  up: UpResult;
}

// What Cluster.rejoin() did: how the former primary became a standby, in a sentence, and the up run that followed.
export interface RejoinResult {
  method: RejoinMethod;
  detail: string;
  up: UpResult;
}

// What Cluster.switchover() did: the former primary, how it rejoined as a standby, and the up run that followed.
export interface SwitchoverResult {
  oldPrimary: string;
  method: RejoinMethod;
  up: UpResult;
}

// What Cluster.removeStandby() did: paths deleted (with purge, only what the tool created) and paths kept.
export interface RemoveStandbyResult {
  deleted: string[];
  kept: string[];
}
