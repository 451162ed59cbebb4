import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// One process as /proc shows it.
export interface ProcessInfo {
  pid: number;
  // Its parent (0 when /proc/PID/stat could not be read).
  ppid: number;
  args: string[];
}

// Every process's command line (processes that vanish while being read are skipped).
export function listProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const raw = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (raw) out.push({ pid: Number(entry), ppid: parentOf(entry), args: raw.replace(/\0$/, '').split('\0') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

// The postmasters (postgres -D DIR) whose data directory is dir or lies under it.
export function postmastersUnder(dir: string): ProcessInfo[] {
  const root = path.resolve(dir);
  return listProcesses().filter((p) => {
    if (path.basename(p.args[0] ?? '') !== 'postgres') return false;
    const i = p.args.indexOf('-D');
    const dataDir = i >= 0 ? p.args[i + 1] : undefined;
    if (!dataDir) return false;
    const resolved = path.resolve(dataDir);
    return resolved === root || resolved.startsWith(root + path.sep);
  });
}

// Records every command line that contains one of the needles, sampling /proc every intervalMs until stopped.
export function sampleCommandLines(needles: readonly string[], intervalMs = 20): { stop(): { samples: number; hits: string[] } } {
  const hits = new Set<string>();
  let samples = 0;
  const sample = () => {
    samples++;
    for (const p of listProcesses()) {
      if (p.pid === process.pid) continue;
      const line = p.args.join(' ');
      if (needles.some((n) => line.includes(n))) hits.add(`${p.pid}: ${line}`);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { samples, hits: [...hits] };
    },
  };
}

// /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so fields are read after the last ')'.
function parentOf(pid: string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}
