import { readdirSync, readFileSync } from 'node:fs';

// What Linux's /proc/PID/stat says about a process that hotstandby needs: its state letter (R, S, Z for a zombie,
// X while it is being removed), its parent, its process group, and when it started (clock ticks since boot).
export interface ProcStat {
  state: string;
  parent: number;
  group: number;
  startTicks: string;
}

// The process's /proc/PID/stat, or undefined when it is gone (or there is no /proc). The command name may hold
// spaces and parentheses, so fields are counted after the last ')'.
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, parent: Number(fields[1]), group: Number(fields[2]), startTicks: fields[19]! };
}

// The PIDs of every process /proc lists (none where there is no /proc).
export function procPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
  } catch {
    return [];
  }
}
