import type { ClusterSpec, NodeSpec } from '../config/cluster-spec.js';
import type { Action } from '../executor/action.js';
import type { PgNode } from '../postgres/pg-node.js';
import type { ServerUser } from '../postgres/os-user.js';
import type { VersionFacts } from '../postgres/versions.js';
import type { JournalEntry, NodeState } from '../state/cluster-state.js';

// Lines a step writes to its task output (masked before display).
export interface StepLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

// Paths a step may need.
export interface ClusterPaths {
  stateDir: string;
  runDir: string;
  socketDir: string;
  logsDir: string;
  replicationPassfile: string;
  archiveDir?: string;
  logFile(node: string): string;
}

// Read-only view of what the tool remembers from earlier runs.
export interface StateView {
  node(name: string): NodeState | undefined;
  journal(): readonly JournalEntry[];
  // Whether the tool created the role (on any node of the cluster: roles replicate).
  roleCreatedByTool(node: string, role: string): boolean;
  slotCreatedByTool(node: string, slot: string): boolean;
  // Whether the tool made the directory (it, or a directory around it, is in the journal).
  // For a path on another host, pass the node whose machine it is on.
  dirCreatedByTool(dir: string, node?: PgNode): boolean;
}

// Everything a step sees. Steps never see the DI container or listr2.
export interface StepContext<Options = Record<string, unknown>> {
  step: string;
  options: Options;
  spec: ClusterSpec;
  // The node this run of the step is about: the primary for primary and cluster steps, the standby for standby steps.
  node: PgNode;
  nodeSpec: NodeSpec;
  primary: PgNode;
  standbys: readonly PgNode[];
  // For standby steps: the node this standby streams from.
  upstream?: PgNode;
  facts: VersionFacts;
  serverUser: ServerUser;
  secrets: { superuserPassword: string; replicationPassword: string };
  paths: ClusterPaths;
  state: StateView;
  log: StepLogger;
  signal: AbortSignal;
  // True for --dry-run: plans are printed, nothing is applied; nodes that do not exist yet are "planned".
  dryRun: boolean;
  allowRestart: boolean;
  // True when the node does not exist yet (dry run of a fresh cluster): plan as for a fresh initdb.
  isPlanned(node: PgNode): boolean;
  // True when an earlier step of the plan being previewed writes this file (a dry run of the pipeline a failover ends
  // with, planned before the failover's own steps ran: a former primary's standby.signal, say). Absent otherwise.
  plannedWrite?(file: string): boolean;
  // Apply actions right away (for apply() implementations that interleave checks and effects).
  run(actions: readonly Action[]): Promise<void>;
  // Tell core the step created this directory outside a mkdir action (so --purge may delete it, and nothing else).
  // For a directory on another host, pass the node whose machine it is on.
  recordCreated(dir: string, node?: PgNode): Promise<void>;
  // For standby steps: where this run keeps a cold copy of the standby's upstream for it (a primary the run created,
  // copied while cleanly shut down before its first start, when a step asked for it with takesColdCopy), or
  // undefined when there is none. In a dry run, the copy the plan will take. The copy may be gone when the step
  // runs (it could not be taken): check before using it. The step may move it (it is the standby's alone).
  coldCopy?(): string | undefined;
}
