import { setTimeout as delay } from 'node:timers/promises';
import type { Machine } from '../hosts/machine.js';
import { startedPostmasterPid, type PostmasterLaunch } from './postmaster-pid-file.js';
import { serverProcessRuns } from './process-alive.js';

// pg_ctl -w looks at postmaster.pid every 100 ms, so it sees a server started or stopped 50 ms late on average
// (a small cluster starts in 0.1–0.3 s and stops in about 0.1 s). These waits look every 10 ms for the first
// two seconds, then every 100 ms as pg_ctl does (a long crash recovery is not read a hundred times a second).
function checkEvery(elapsedMs: number): number {
  return elapsedMs < 2000 ? 10 : 100;
}

// Where a server lives: its machine, its data directory and the postmaster.pid in it.
export interface ServerFiles {
  machine: Machine;
  dataDir: string;
  pidFile: string;
}

// A postmaster.pid's text, or undefined when it is not there (yet) or cannot be read now.
async function pidFileText(files: ServerFiles): Promise<string | undefined> {
  return (await files.machine.readFile(files.pidFile).catch(() => undefined))?.toString('utf8');
}

// Wait until the postmaster launched at launch reports in postmaster.pid that it has finished starting (see
// startedPostmasterPid) and is a live process of the data directory; its PID then, undefined as soon as
// stillWaiting() says the wait is over (pg_ctl ended: it decides failures and the timeout).
export async function waitUntilStarted(files: ServerFiles, launch: PostmasterLaunch, stillWaiting: () => boolean): Promise<number | undefined> {
  const begin = Date.now();
  while (stillWaiting()) {
    const text = await pidFileText(files);
    const pid = text === undefined ? undefined : startedPostmasterPid(text, launch);
    if (pid !== undefined && (await serverProcessRuns(files.machine, pid, files.dataDir))) return pid;
    await delay(checkEvery(Date.now() - begin));
  }
  return undefined;
}

// Wait (at most timeoutMs) until the postmaster with this PID has exited. pg_ctl stop -w is content once
// postmaster.pid is gone, which the postmaster removes a moment before it exits (its shared memory and ports
// are released by then); waiting for the process itself leaves no such moment. True when it has exited, false
// at the timeout.
export async function waitUntilStopped(files: Omit<ServerFiles, 'pidFile'>, pid: number, timeoutMs: number): Promise<boolean> {
  const begin = Date.now();
  for (;;) {
    if (!(await serverProcessRuns(files.machine, pid, files.dataDir))) return true;
    const elapsed = Date.now() - begin;
    if (elapsed >= timeoutMs) return false;
    await delay(Math.min(checkEvery(elapsed), timeoutMs - elapsed));
  }
}
