// Where a command's time goes, for HOTSTANDBY_TIMINGS=1: every timed span is printed to standard error when it
// ends, as "[timing] END_MS DURATION_MS LABEL" (milliseconds since the process started, so the CLI's start-up
// shows as the first span's start), and, when the process exits, a count of the programs run per name and the
// process's peak RSS.
// Labels are masked like any other output: they never carry a secret.
import { performance } from 'node:perf_hooks';
import { maskSecrets } from '../secrets/secret-registry.js';

const enabled = Boolean(process.env.HOTSTANDBY_TIMINGS);
const programCounts = new Map<string, number>();
let summaryArranged = false;

// Run fn and, when timings are on, print how long it took under label.
export async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  const start = performance.now();
  try {
    return await fn();
  } finally {
    printSpan(label, start);
  }
}

// Print a point in time (no duration) under label, when timings are on.
export function timingMark(label: string): void {
  if (enabled) printSpan(label, performance.now());
}

// Count one run of a program (its base name, and its first argument when that is a subcommand or an option such
// as --version) for the summary printed at exit, when timings are on.
export function countProgram(command: string, args: readonly string[]): void {
  if (!enabled) return;
  const first = args[0];
  const name = `${command.split('/').pop() ?? command}${first && /^(--?)?[a-z][a-z_-]*$/.test(first) && !first.startsWith('--pg') ? ` ${first}` : ''}`;
  programCounts.set(name, (programCounts.get(name) ?? 0) + 1);
  if (!summaryArranged) {
    summaryArranged = true;
    process.on('exit', () => {
      const list = [...programCounts].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n}×${c}`);
      const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
      process.stderr.write(`[timing] ${Math.round(performance.now())} - programs run: ${list.join(' ')}; peak RSS ${peakMb} MB\n`);
    });
  }
}

function printSpan(label: string, start: number): void {
  const end = performance.now();
  process.stderr.write(`[timing] ${Math.round(end)} ${Math.round(end - start)} ${maskSecrets(label)}\n`);
}
