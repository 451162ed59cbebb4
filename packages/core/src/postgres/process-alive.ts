import { readlink, realpath } from 'node:fs/promises';
import type { Machine } from '../hosts/machine.js';
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
// On another machine, the same checks run there (machine).
export async function waitForDeadServer(dataDir: string, pid: number | undefined, timeoutMs = 10_000, machine?: Machine): Promise<void> {
  if (machine?.remote) {
    const gone = async () =>
      (await machine.runAllowFailure('sh', ['-c', SERVER_GONE, 'hotstandby', dataDir, String(pid ?? '')], { purpose: `check that the killed server of ${dataDir} exited` }))
        .exitCode === 0;
    await pollUntil(async () => ((await gone()) ? true : undefined), { timeoutMs, what: 'the killed server to exit' }).catch(() => undefined);
    return;
  }
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

// The shell words that start each check on another machine: $1 the data directory (resolved there), $2 a PID.
const RESOLVE = 'dir=$(realpath -e -- "$1" 2>/dev/null || printf %s "$1"); pid=$2';
const STATE = 'state() { sed "s/.*) //" "/proc/$1/stat" 2>/dev/null | cut -c1; }';

// Exits 0 when the PID is alive there (not a zombie) and, where /proc can tell, works in the data directory.
const SERVER_RUNS = [
  RESOLVE,
  STATE,
  '[ -e "/proc/$pid" ] || kill -0 "$pid" 2>/dev/null || exit 1',
  'case "$(state "$pid")" in Z|X) exit 1;; esac',
  'cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || exit 0',
  '[ "$cwd" = "$dir" ] || [ "$cwd" = "$dir (deleted)" ]',
].join('\n');

// Exits 0 when no process of a dead server is left there: the PID is not a zombie or dying, and no process works
// in the data directory.
const SERVER_GONE = [
  RESOLVE,
  STATE,
  'if [ -n "$pid" ]; then case "$(state "$pid")" in Z|X) exit 1;; esac; fi',
  'for p in /proc/[0-9]*; do',
  '  cwd=$(readlink "$p/cwd" 2>/dev/null) || continue',
  '  if [ "$cwd" = "$dir" ] || [ "$cwd" = "$dir (deleted)" ]; then exit 1; fi',
  'done',
].join('\n');

// True when the PID is a live process working in dataDir (processAlive and processWorksIn), checked on the machine
// the server lives on.
export async function serverProcessRuns(machine: Machine, pid: number, dataDir: string): Promise<boolean> {
  if (!machine.remote) return (await processAlive(pid)) && (await processWorksIn(pid, dataDir));
  const result = await machine.runAllowFailure('sh', ['-c', SERVER_RUNS, 'hotstandby', dataDir, String(pid)], { purpose: `check whether PID ${pid} serves ${dataDir}` });
  return result.exitCode === 0;
}
