import { readFileSync } from 'node:fs';
import { procStat } from './proc-stat.js';

// The pg_ctl start that launched a postmaster and still waits for it, if one does (on this machine): the
// postmaster's parent while that runs the given pg_ctl program (pg_ctl forks the postmaster, and it is reparented
// once pg_ctl has exited).
export function waitingPgCtl(postmasterPid: number, pgCtl: string): number | undefined {
  const parent = procStat(postmasterPid)?.parent;
  if (parent === undefined || parent <= 1) return undefined;
  let args: string[];
  try {
    args = readFileSync(`/proc/${parent}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
  return args.includes(pgCtl) ? parent : undefined;
}

// End the pg_ctl start that still waits for a postmaster which has finished starting: SIGTERM to that process
// alone (pg_ctl does not handle it; its SIGINT handler would pass a Ctrl-C on to the server), never to its process
// group, where the server sits too before PostgreSQL 12, nor to the runuser above it (which, signalled itself,
// waits two seconds before ending its child). Nothing when pg_ctl has already exited.
export function endWaitingPgCtl(postmasterPid: number, pgCtl: string): void {
  const pid = waitingPgCtl(postmasterPid, pgCtl);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // ESRCH: it has just exited by itself.
  }
}
