import os from 'node:os';
import path from 'node:path';
import { onWindows } from '../util/platform.js';

// Longest Unix socket path the kernel accepts is about 107 bytes; PostgreSQL adds "/.s.PGSQL.NNNNN".
const MAX_SOCKET_DIR_LENGTH = 107 - '/.s.PGSQL.65535'.length - 1;

// Every path inside a state directory, named.
export interface StateLayout {
  root: string;
  stateFile: string;
  lockFile: string;
  // Invoker-only (0700): generated passwords.
  secretsDir: string;
  // Invoker-only (0600): superuser lines for psql (PGPASSFILE).
  userPassfile: string;
  // Owned by the server user (0700): sockets and the replication passfile the standbys read.
  runDir: string;
  replicationPassfile: string;
  // Owned by the server user: one server log per node.
  logsDir: string;
  // Invoker-only: original bytes of every user file the tool changed.
  journalDir: string;
  // Default home of data directories.
  dataRoot: string;
  logFile(node: string): string;
  secretFile(name: 'superuser' | 'replication'): string;
  // Where the servers put their Unix sockets: runDir when short enough, else the system temp directory; none
  // (empty) on Windows, where every connection is TCP on 127.0.0.1.
  socketDir(): string;
}

// The layout of a state directory.
export function stateLayout(stateDir: string, platform: NodeJS.Platform = process.platform): StateLayout {
  const runDir = path.join(stateDir, 'run');
  return {
    root: stateDir,
    stateFile: path.join(stateDir, 'state.json'),
    lockFile: path.join(stateDir, 'lock'),
    secretsDir: path.join(stateDir, 'secrets'),
    userPassfile: path.join(stateDir, 'pgpass'),
    runDir,
    replicationPassfile: path.join(runDir, 'replication.pgpass'),
    logsDir: path.join(stateDir, 'logs'),
    journalDir: path.join(stateDir, 'journal'),
    dataRoot: path.join(stateDir, 'data'),
    logFile: (node) => path.join(stateDir, 'logs', `${node}.log`),
    secretFile: (name) => path.join(stateDir, 'secrets', `${name}.password`),
    socketDir: () => (onWindows(platform) ? '' : runDir.length <= MAX_SOCKET_DIR_LENGTH ? runDir : os.tmpdir()),
  };
}
