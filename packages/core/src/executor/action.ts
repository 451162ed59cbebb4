// Who owns a file or directory the tool creates: the account running the servers, or the person running the tool.
export type Owner = 'server' | 'invoker';

// What an action records so that `down --restore` can undo it (files are journaled by the executor itself).
export type JournalRecord = { kind: 'role'; node: string; role: string } | { kind: 'slot'; node: string; slot: string };

interface ActionBase {
  // One line for people: "create the replication role repuser".
  summary: string;
  // Applied even when an earlier action of its list failed or the run was interrupted: it takes back something
  // temporary an earlier action gave (a pg_hba rule that let the superuser in for pg_rewind).
  always?: boolean;
}

// Run SQL on a node as the superuser.
export interface SqlAction extends ActionBase {
  kind: 'sql';
  node: string;
  sql: string;
  params?: readonly unknown[];
  database?: string;
  // What to print instead of the SQL (when it carries a secret such as a password verifier).
  display?: string;
  journal?: JournalRecord;
}

// Write a whole file atomically (backing the original up first when the tool did not create it).
export interface WriteFileAction extends ActionBase {
  kind: 'write-file';
  path: string;
  // which node's machine the path is on; absent: this machine
  node?: string;
  content: string;
  owner: Owner;
  mode?: number;
  // Never print the content (password files, private keys).
  secret?: boolean;
  // What a secret file holds, as plans and runbooks say it; absent: a password.
  holds?: 'a private key';
  // What the file holds when this runs, written by an earlier action of the same plan (a dry run diffs against it
  // rather than against the file as it is now).
  plannedBefore?: string;
  // Write only when the file's directory exists then (a marker in a data directory an earlier fallback removed).
  whenDirExists?: boolean;
  // How a runbook writes a secret file without showing its content (a copy of the runbook's own passfile).
  byHand?: ByHand;
}

// What a secret file holds, as plans and runbooks say it ("a password" unless the action says otherwise).
export function secretHeld(action: WriteFileAction): string {
  return action.holds ?? 'a password';
}

// Delete one file.
export interface RemoveFileAction extends ActionBase {
  kind: 'remove-file';
  path: string;
  // which node's machine the path is on; absent: this machine
  node?: string;
}

// Create a directory (and record that the tool created it).
export interface MakeDirAction extends ActionBase {
  kind: 'mkdir';
  path: string;
  // which node's machine the path is on; absent: this machine
  node?: string;
  owner: Owner;
  mode: number;
}

// Run a program; secrets travel in env, never in args.
export interface ExecAction extends ActionBase {
  kind: 'exec';
  command: string;
  args: readonly string[];
  runAs: Owner;
  env?: Record<string, string>;
  node?: string;
  timeoutMs?: number;
  // Applied instead of failing when the program fails (pg_rewind that cannot rewind: a fresh copy instead).
  otherwise?: readonly Action[];
}

// Start, stop, restart, reload or promote a node (promote: pg_ctl promote, waiting until it accepts writes).
export interface NodeAction extends ActionBase {
  kind: 'node';
  node: string;
  op: 'start' | 'stop' | 'restart' | 'reload' | 'promote';
  // How a stop ends sessions (fast when not given).
  mode?: 'smart' | 'fast' | 'immediate';
  // How long a stop may take before it fails (seconds; pg_ctl's default when not given).
  timeoutSec?: number;
  // Why (the settings that need it).
  reasons?: readonly string[];
}

// How a person does a step by hand, for runbooks and --dry-run: a POSIX shell snippet, a Windows cmd snippet, words.
export interface ByHand {
  sh?: string;
  cmd?: string;
  text?: string;
}

// Remove a directory tree the tool created (the planner decides that; a user's directory is moved aside instead).
export interface RemoveDirAction extends ActionBase {
  kind: 'remove-dir';
  path: string;
  // which node's machine the path is on; absent: this machine
  node?: string;
}

// Rename a directory out of the way, keeping everything in it.
export interface MoveAsideAction extends ActionBase {
  kind: 'move-aside';
  path: string;
  // which node's machine the path is on; absent: this machine
  node?: string;
  to: string;
}

// Wait until a condition holds (never a fixed sleep); fails with TIMEOUT naming what was awaited and the last state seen.
export interface WaitAction extends ActionBase {
  kind: 'wait';
  node?: string;
  timeoutMs: number;
  // Checked until it returns true; a string says how far things are ("replayed up to 0/3000060").
  until(signal: AbortSignal): Promise<true | string>;
  byHand: ByHand;
  // Run when the wait times out or is interrupted, before the failure is reported (put things back as they were).
  onTimeout?: (signal: AbortSignal) => Promise<void>;
  // What to do next by hand when it times out (runbooks).
  ifFails?: string;
}

// Check something that must hold before the next action; throws a HotstandbyError when it does not. Changes nothing.
export interface CheckAction extends ActionBase {
  kind: 'check';
  node?: string;
  run(signal: AbortSignal): Promise<void>;
  byHand: ByHand;
}

// Record a change in hotstandby's own state (which node is the primary, which waits for rejoin), after the effect
// on the servers it describes; runbooks say what a person running them by hand leaves unrecorded.
export interface RecordAction extends ActionBase {
  kind: 'record';
  run(): Promise<void>;
}

// A unit of work that is more than one primitive (a low-level backup); describes itself for --dry-run.
export interface TaskAction extends ActionBase {
  kind: 'task';
  details: readonly string[];
  // False for checks that change nothing (verification).
  changes: boolean;
  run(signal: AbortSignal): Promise<void>;
  byHand?: ByHand;
}

// One effect a step plans; core applies it through the executor.
export type Action =
  | SqlAction
  | WriteFileAction
  | RemoveFileAction
  | MakeDirAction
  | ExecAction
  | NodeAction
  | TaskAction
  | RemoveDirAction
  | MoveAsideAction
  | WaitAction
  | CheckAction
  | RecordAction;

// The node an action changes something on (its files, programs or server); undefined for one that acts on this
// machine only. Waits and checks name a node they look at, not one they change.
export function actedOnNode(action: Action): string | undefined {
  if (action.kind === 'wait' || action.kind === 'check' || !('node' in action) || typeof action.node !== 'string') return undefined;
  return action.node;
}

// True when applying the action changes something (as opposed to only checking).
export function changesSomething(action: Action): boolean {
  if (action.kind === 'task') return action.changes;
  return action.kind !== 'wait' && action.kind !== 'check';
}
