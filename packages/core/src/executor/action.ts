// Who owns a file or directory the tool creates: the account running the servers, or the person running the tool.
export type Owner = 'server' | 'invoker';

// What an action records so that `down --restore` can undo it (files are journaled by the executor itself).
export type JournalRecord = { kind: 'role'; node: string; role: string } | { kind: 'slot'; node: string; slot: string };

interface ActionBase {
  // One line for people: "create the replication role repuser".
  summary: string;
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
  content: string;
  owner: Owner;
  mode?: number;
  // Never print the content (password files).
  secret?: boolean;
}

// Delete one file.
export interface RemoveFileAction extends ActionBase {
  kind: 'remove-file';
  path: string;
}

// Create a directory (and record that the tool created it).
export interface MakeDirAction extends ActionBase {
  kind: 'mkdir';
  path: string;
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
}

// Start, stop, restart or reload a node.
export interface NodeAction extends ActionBase {
  kind: 'node';
  node: string;
  op: 'start' | 'stop' | 'restart' | 'reload';
  // Why (the settings that need it).
  reasons?: readonly string[];
}

// A unit of work that is more than one primitive (a low-level backup); describes itself for --dry-run.
export interface TaskAction extends ActionBase {
  kind: 'task';
  details: readonly string[];
  // False for checks that change nothing (verification).
  changes: boolean;
  run(signal: AbortSignal): Promise<void>;
}

// One effect a step plans; core applies it through the executor.
export type Action = SqlAction | WriteFileAction | RemoveFileAction | MakeDirAction | ExecAction | NodeAction | TaskAction;

// True when applying the action changes something (as opposed to only checking).
export function changesSomething(action: Action): boolean {
  return action.kind === 'task' ? action.changes : true;
}
