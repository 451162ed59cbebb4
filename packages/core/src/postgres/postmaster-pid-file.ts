// What a server's postmaster.pid says, read the way pg_ctl reads it (PostgreSQL's src/include/utils/pidfile.h):
// line 1 the postmaster's PID (negative for a single-user backend), line 3 when it started (seconds since the
// epoch), and from PostgreSQL 10 line 8 its status: "starting", "stopping", "ready" or "standby".
export interface PostmasterPidFile {
  pid: number;
  startedAtSec: number;
  // The status line without its padding, once the server has written it.
  status?: string;
}

// The facts of a postmaster.pid's text, or undefined while too little of it is written. Only whole lines count
// (PostgreSQL ends each with a newline; a line still being written is not one yet), as in pg_ctl.
export function parsePostmasterPidFile(text: string): PostmasterPidFile | undefined {
  const lines = text
    .split('\n')
    .slice(0, -1)
    .map((line) => line.replace(/\r$/, ''));
  if (lines.length < 3) return undefined;
  const pid = Number(lines[0]);
  const startedAtSec = Number(lines[2]);
  if (!/^-?\d+$/.test(lines[0]!) || !/^\d+$/.test(lines[2]!)) return undefined;
  const status = lines[7]?.trim();
  return { pid, startedAtSec, ...(status ? { status } : {}) };
}

// When a postmaster was launched, as the wait for its start needs to know it.
export interface PostmasterLaunch {
  // Date.now() just before pg_ctl start ran.
  atMs: number;
  // The postmaster that already ran for the data directory then, if one did (it is not the one launched).
  previousPid?: number;
}

// How much older than the launch a new postmaster's recorded start may look (pg_ctl allows the same 2 s for the
// clock of another process).
const CLOCK_SLACK_SEC = 2;

// The PID of the launched postmaster when its postmaster.pid says that it has finished starting, as pg_ctl start
// -w decides: status "ready", or "standby" (a standby with hot_standby off, which takes no connections but is as
// started as it will get), in a file written since the launch (not an earlier server's, still there or left
// by a crash) and not by the postmaster that already ran. Undefined while it is still starting.
export function startedPostmasterPid(text: string, launch: PostmasterLaunch): number | undefined {
  const file = parsePostmasterPidFile(text);
  if (!file || file.pid <= 0 || file.pid === launch.previousPid) return undefined;
  if (file.startedAtSec < Math.floor(launch.atMs / 1000) - CLOCK_SLACK_SEC) return undefined;
  return file.status === 'ready' || file.status === 'standby' ? file.pid : undefined;
}
