import path from 'node:path';
import { formatBytes, quoteShellArg, type ClusterStatus } from '@hotstandby/core';
import { displayPath } from './display-path.js';
import { renderStatusNotes } from './status-notes.js';
import { renderTable } from './table.js';

// The node table shown by `status` and at the end of `up`.
export function renderStatus(status: ClusterStatus, cwd: string): string {
  // A HOST column only when some node lives on another host (this machine's nodes show "-" there).
  const hosts = status.nodes.some((n) => n.host);
  const rows = status.nodes.map((n) => [
    n.name,
    ...(hosts ? [n.host ?? '-'] : []),
    roleLabel(n),
    String(n.port),
    n.state,
    n.inRecovery === null ? '-' : n.inRecovery ? 'yes' : 'no',
    n.upstream ?? '-',
    n.role === 'standby' ? formatBytes(n.replayLagBytes) : '-',
    displayPath(n.dataDir, cwd),
  ]);
  const table = renderTable(['NAME', ...(hosts ? ['HOST'] : []), 'ROLE', 'PORT', 'STATE', 'RECOVERY', 'UPSTREAM', 'LAG', 'DATA DIRECTORY'], rows);
  return `${table}${renderStatusNotes(status)}\n\nPostgreSQL ${status.postgres.version} from ${status.postgres.binDir} (${status.postgres.source}); servers run as ${status.osUser}`;
}

// The role as the table shows it, with what the tree shows beside it: synchronous, delayed, former primary.
function roleLabel(n: ClusterStatus['nodes'][number]): string {
  if (n.formerPrimary) return 'former primary';
  if (n.role !== 'standby') return n.role;
  if (n.synchronous) return 'standby (sync)';
  return n.applyDelay ? `standby (delayed ${n.applyDelay})` : 'standby';
}

// How to connect to the nodes, with the password kept in a 0600 file rather than on screen.
export function renderConnectHints(status: ClusterStatus, cwd: string): string {
  const passfile = displayPath(path.join(status.stateDir, 'pgpass'), cwd);
  const lines = ['Connect (the superuser password is in ' + passfile + ', which libpq reads through PGPASSFILE):'];
  for (const n of status.nodes) {
    const what = n.role === 'primary' ? 'read-write' : 'read-only';
    lines.push(`  ${n.name.padEnd(10)} ${what.padEnd(10)} PGPASSFILE=${quoteShellArg(passfile)} psql ${quoteShellArg(n.url)}`);
  }
  return lines.join('\n');
}
