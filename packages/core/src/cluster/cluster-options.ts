import type { Action } from '../executor/action.js';
import type { ProgressListener } from '../postgres/embedded/install-embedded.js';
import type { PipelineObserver } from '../pipeline/pipeline-events.js';
import type { StepRecord } from '../pipeline/pipeline-step.js';
import type { RendererChoice } from '../pipeline/run-pipeline.js';
import type { ClusterStatus } from './cluster-status.js';
import type { LoadedPlugin } from './resolve-steps.js';
import type { UnlistedNodes } from './unlisted-nodes.js';
import type { DescribedWork } from '../plugin/step-plugin.js';

// How a Cluster is built.
export interface ClusterOptions {
  plugins: readonly LoadedPlugin[];
  // Ordered step names from the config's pipeline (default: the built-in recipe).
  pipeline?: readonly string[];
  // Progress of a download of embedded binaries (a progress bar in the CLI).
  onDownloadProgress?: ProgressListener;
}

// How `up` runs.
export interface UpOptions {
  dryRun?: boolean;
  allowRestart?: boolean;
  renderer?: RendererChoice;
  observe?: PipelineObserver;
  // Where --dry-run plans and notices are printed.
  print?: (text: string) => void;
  signal?: AbortSignal;
  // A new primary is a copy of the cached initdb template (default), or made by initdb when false (--no-cache).
  templateCache?: boolean;
}

// How runSteps and planSteps run.
export interface StepRunOptions {
  renderer?: RendererChoice;
  observe?: PipelineObserver;
  signal?: AbortSignal;
  allowRestart?: boolean;
  // Create missing state directories first (default yes; verify, which writes nothing there, says no).
  prepareStateDir?: boolean;
  // Nodes the state records but the config does not name (default: refused). remove-standby includes the
  // standby it is taking out, which has already left the topology when wal-config runs.
  unlisted?: UnlistedNodes;
}

// One step's plan on one node.
export interface PlannedStep {
  step: string;
  node: string;
  actions: Action[];
  notes: string[];
  // Work the step describes but core does not run (its own checks, changes once a server this run creates runs).
  described?: DescribedWork[];
  // The printable form (SQL, diffs, commands), as --dry-run shows it.
  lines: string[];
}

// What `up` did.
export interface UpResult {
  dryRun: boolean;
  changed: boolean;
  notices: string[];
  // What the user must hear about the result (fewer synchronous copies than the config asks for).
  warnings: string[];
  steps: StepRecord[];
  status?: ClusterStatus;
}

// How lifecycle commands (start, stop, promote ...) report progress.
export interface LifecycleOptions {
  log?: (line: string) => void;
}
