import type { NodeHostSpec } from '../config/cluster-spec.js';

// What a runbook needs to know about the cluster to spell out commands a person can paste: where the programs
// are, which account runs the servers, how to connect, and each node's directories and port.
export interface RunbookNode {
  name: string;
  host: string;
  port: number;
  // The directory pg_ctl -D takes (the configuration directory for a Debian-style layout).
  controlDir: string;
  dataDir: string;
  logFile: string;
  // For a node on another host: how ssh reaches that host, the account running its servers there, and its
  // binaries' directory there; its actions run there through ssh.
  ssh?: NodeHostSpec;
  serverUser?: string;
  binDir?: string;
}

// The cluster as the runbook's commands address it.
export interface RunbookTarget {
  // Directory holding pg_ctl and pg_controldata.
  binDir: string;
  // psql to run SQL with (a full path, or "psql" from PATH when the server's binaries have none).
  psql: string;
  // The OS account the servers run as, switched to when the runbook runs as root; undefined when it is the invoker.
  serverUser?: string;
  superuser: string;
  // The superuser's password file (0600), so no password appears in the runbook.
  passfile: string;
  stateDir: string;
  nodes: Readonly<Record<string, RunbookNode>>;
}
