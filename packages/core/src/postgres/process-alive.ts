import { readlink, realpath } from 'node:fs/promises';
import { pollUntil } from '../util/poll.js';
import { procPids, procStat } from './proc-stat.js';

// True when a process exists and is not a zombie (a killed postmaster nobody has reaped yet is dead).
export async function processAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = procStat(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

// True unless the process is known to work in another directory than dataDir: a postmaster runs with its data
// directory as working directory, so a stale postmaster.pid whose PID now belongs to another process (after a
// crash and a reboot, say) does not pass for a running server. Where /proc cannot tell, it is given the benefit.
export async function processWorksIn(pid: number, dataDir: string): Promise<boolean> {
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  if (cwd === undefined) return true;
  const real = await realpath(dataDir).catch(() => dataDir);
  return cwd === real || cwd === `${real} (deleted)`;
}

// After a postmaster was killed, it and its backends take a moment to go: the postmaster stays a zombie until its
// parent reaps it, and PostgreSQL refuses to start while a lock file names a PID that still exists ("lock file
// already exists") or its backends still hold the shared memory. Wait (at most timeoutMs) until no process of
// the dead server is left: the PID from postmaster.pid while it is a zombie or dying, and any process working in
// the data directory. Never waits on a live process that merely got the same PID.
export async function waitForDeadServer(dataDir: string, pid: number | undefined, timeoutMs = 10_000): Promise<void> {
  const real = await realpath(dataDir).catch(() => dataDir);
  const dying = () => pid !== undefined && ['Z', 'X'].includes(procStat(pid)?.state ?? '');
  // Past the deadline PostgreSQL's own start says what still holds the directory.
  await pollUntil(async () => (dying() || (await anyProcessWorksIn(real)) ? undefined : true), { timeoutMs, what: 'the killed server to exit' }).catch(() => undefined);
}

// True when some process (that this user may inspect) has the directory as its working directory.
async function anyProcessWorksIn(dir: string): Promise<boolean> {
  for (const pid of procPids()) {
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    if (cwd === dir || cwd === `${dir} (deleted)`) return true;
  }
  return false;
}
