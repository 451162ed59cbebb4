import { readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

// The programs a locked command is running, kept in a file beside its run lock, so that when the command is killed
// outright (SIGKILL: no handler runs, its children live on) the next command that takes the lock over ends them
// before it starts — a pg_basebackup left copying would keep its standby's slot busy and the next run would fail.

// One running program: its process group, when its leader started (so a reused number is not taken for it), what it is.
export interface RecordedProgram {
  group: number;
  startTicks: string;
  command: string;
}

let file: string | undefined;
const running = new Map<number, RecordedProgram>();

// Record the programs started from now on in this file (the command holds the run lock); undefined stops recording
// and removes the file.
export function recordProgramsIn(target: string | undefined): void {
  if (file && file !== target) removeQuietly(file);
  file = target;
  running.clear();
}

// A program started as the leader of its own process group.
export function noteProgramStarted(group: number, command: string): void {
  if (!file) return;
  const startTicks = processStartTicks(group);
  if (startTicks === undefined) return;
  running.set(group, { group, startTicks, command });
  save();
}

// A program's leader exited (and its group was ended, or was left to run a server on purpose).
export function noteProgramEnded(group: number): void {
  if (!file || !running.delete(group)) return;
  save();
}

// End the programs a killed command left running (recorded in target), with everything in their process groups,
// and remove the record. Returns what was ended ("pg_basebackup (process group 1234)"). A group whose leader is
// alive but started at another time is another program that got the same number, and is left alone.
export function endProgramsOfDeadRun(target: string): string[] {
  let recorded: RecordedProgram[];
  try {
    recorded = JSON.parse(readFileSync(target, 'utf8')) as RecordedProgram[];
  } catch {
    return [];
  }
  const ended: string[] = [];
  for (const program of Array.isArray(recorded) ? recorded : []) {
    if (!Number.isInteger(program.group) || program.group <= 1) continue;
    const leaderStart = processStartTicks(program.group);
    const ours = leaderStart === undefined ? membersOf(program.group).length > 0 : leaderStart === program.startTicks;
    if (!ours) continue;
    try {
      process.kill(-program.group, 'SIGKILL');
      ended.push(`${program.command} (process group ${program.group})`);
    } catch {
      // already gone
    }
  }
  removeQuietly(target);
  return ended;
}

function save(): void {
  const target = file!;
  const temp = `${target}.${process.pid}.new`;
  try {
    writeFileSync(temp, JSON.stringify([...running.values()]), { mode: 0o600 });
    renameSync(temp, target);
  } catch {
    // The record is a safety net for a killed run; failing to write it must not fail the program it describes.
    removeQuietly(temp);
  }
}

// /proc/PID/stat field 22 (start time in clock ticks since boot); undefined when the process is gone (or no /proc).
function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

// Processes still in a process group (field 5 of /proc/PID/stat); a group outlives its leader while members remain,
// and its number cannot be given to a new group until the last one is gone.
function membersOf(group: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === group) members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

function removeQuietly(target: string): void {
  try {
    unlinkSync(target);
  } catch {
    // not there
  }
}
