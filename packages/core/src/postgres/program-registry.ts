import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { procPids, procStat } from './proc-stat.js';

// The programs a locked command is running, kept in a file beside its run lock, so that when the command is killed
// outright (SIGKILL: no handler runs, its children live on) the next command that takes the lock over ends them
// before it starts — a pg_basebackup left copying would keep its standby's slot busy and the next run would fail.

// One running program: its process group, when its leader started (so a reused number is not taken for it), what it is.
export interface RecordedProgram {
  group: number;
  startTicks?: string;
  command: string;
}

let file: string | undefined;
const running = new Map<number, RecordedProgram>();

// Keep the programs running from now on in this file too (the command holds the run lock); undefined stops that and
// removes the file.
export function recordProgramsIn(target: string | undefined): void {
  if (file && file !== target) removeQuietly(file);
  file = target;
  if (file) save();
}

// A program started as the leader of its own process group.
export function noteProgramStarted(group: number, command: string): void {
  running.set(group, { group, startTicks: procStat(group)?.startTicks, command });
  if (file) save();
}

// A program's leader exited (and its group was ended, or was left to run a server on purpose).
export function noteProgramEnded(group: number): void {
  if (running.delete(group) && file) save();
}

// The process groups of the programs still running (ended when the tool exits).
export function runningProgramGroups(): number[] {
  return [...running.keys()];
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
    const leaderStart = procStat(program.group)?.startTicks;
    const ours = leaderStart === undefined ? procPids().some((pid) => procStat(pid)?.group === program.group) : leaderStart === program.startTicks;
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
    // Only a program whose start time is known can be told apart later from another that got its number.
    writeFileSync(temp, JSON.stringify([...running.values()].filter((p) => p.startTicks !== undefined)), { mode: 0o600 });
    renameSync(temp, target);
  } catch {
    // The record is a safety net for a killed run; failing to write it must not fail the program it describes.
    removeQuietly(temp);
  }
}

function removeQuietly(target: string): void {
  try {
    unlinkSync(target);
  } catch {
    // not there
  }
}
