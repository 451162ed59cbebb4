import { readFile, readlink, realpath } from 'node:fs/promises';

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
