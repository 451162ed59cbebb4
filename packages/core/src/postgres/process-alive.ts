import { readdir, readFile, readlink, realpath } from 'node:fs/promises';

// True when a process exists and is not a zombie (a killed postmaster nobody has reaped yet is dead).
export async function processAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return true;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
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
  const deadline = Date.now() + timeoutMs;
  const real = await realpath(dataDir).catch(() => dataDir);
  for (;;) {
    const dying = pid !== undefined && (await processState(pid)) !== undefined && !(await processAlive(pid));
    const inDir = dying ? true : await anyProcessWorksIn(real);
    if (!dying && !inDir) return;
    if (Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A process's state letter from /proc (R, S, Z ...), or undefined when it does not exist (or no /proc).
async function processState(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

// True when some process (that this user may inspect) has the directory as its working directory.
async function anyProcessWorksIn(dir: string): Promise<boolean> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => undefined);
    if (cwd === dir || cwd === `${dir} (deleted)`) return true;
  }
  return false;
}
