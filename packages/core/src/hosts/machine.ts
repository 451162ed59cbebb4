import type { ServerUser } from '../postgres/os-user.js';
import type { RunResult } from '../postgres/process-runner.js';
import type { SshTarget } from './ssh-target.js';

// What a file system entry is, as a machine reports it (symbolic links followed).
export interface MachineFileFacts {
  kind: 'file' | 'dir' | 'other';
  // Permission bits (0o7777).
  mode: number;
  uid: number;
  gid: number;
  size: number;
}

// How to run one program on a machine.
export interface MachineRunOptions {
  // Run as this account of that machine (PostgreSQL programs never run as root).
  user?: ServerUser;
  // Extra environment; secrets go here (or in input), never in arguments, on every machine.
  env?: Record<string, string>;
  // Text for the program's standard input.
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  // The program starts a server that outlives it (pg_ctl start).
  detached?: boolean;
  // What a failure message calls the command ("pg_ctl start for slave1").
  purpose?: string;
}

// Mode and owner a written file or made directory gets.
export interface MachineFileAttributes {
  mode?: number;
  uid?: number;
  gid?: number;
  // Give an existing file this mode and owner too.
  exact?: boolean;
}

// The computer a node lives on: this one, or another reached over SSH. Everything the tool does to a node's files
// and programs goes through its machine, so no step needs to know where the node is.
export interface Machine {
  // How messages name it: "this machine", "root@db2".
  readonly label: string;
  // False for this machine.
  readonly remote: boolean;
  // The address other machines reach this one at, when it is remote (its host name as ssh resolves it: an alias's
  // HostName).
  readonly address?: string;
  // How ssh reaches it, when it is remote.
  readonly sshTarget?: SshTarget | undefined;
  // Run a program there; resolves with its output and exit code.
  runAllowFailure(program: string, args: readonly string[], options?: MachineRunOptions): Promise<RunResult>;
  // Run a program there; a non-zero exit is a COMMAND_FAILED error carrying its output's tail.
  run(program: string, args: readonly string[], options?: MachineRunOptions): Promise<RunResult>;
  // A file's bytes, or undefined when it does not exist.
  readFile(file: string): Promise<Buffer | undefined>;
  // Write a whole file atomically (temp file beside it, then rename); an existing file keeps its mode and owner
  // unless attributes.exact.
  writeFileAtomic(file: string, content: string | Buffer, attributes?: MachineFileAttributes): Promise<void>;
  // What is at a path (following symbolic links), or undefined when nothing is.
  stat(file: string): Promise<MachineFileFacts | undefined>;
  // The names in a directory, or undefined when it does not exist.
  readdir(dir: string): Promise<string[] | undefined>;
  // Make a directory and its missing parents (those 0755, owned by the connecting account); returns the top-most
  // directory it created, or undefined when the directory existed.
  mkdir(dir: string, attributes: MachineFileAttributes & { mode: number }): Promise<string | undefined>;
  // Remove a file, or a directory tree with recursive; nothing there is no error.
  remove(target: string, options?: { recursive?: boolean }): Promise<void>;
  // Rename within the machine.
  rename(from: string, to: string): Promise<void>;
  // The path with every symbolic link resolved (the path itself when it does not exist).
  realpath(target: string): Promise<string>;
  // The file a write to the path changes: symbolic links followed, also when the last one dangles (an atomic write
  // writes where the link points, so the link starts to resolve); the path itself when it is no link.
  finalPath(target: string): Promise<string>;
  // The account of that machine that runs PostgreSQL.
  serverUser(name: string | undefined): Promise<ServerUser>;
  // Where a client on this machine reaches a PostgreSQL server listening on that machine's loopback at the port:
  // a host name or socket directory, and the port.
  postgresEndpoint(port: number, loopback: string): Promise<{ host: string; port: number }>;
  // End what reaching the machine needed (a connection); safe to call twice.
  close(): Promise<void>;
}
