import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endProgramsOfDeadRun, noteProgramEnded, noteProgramStarted, recordProgramsIn } from '../../src/postgres/program-registry.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-programs-');
});
// The record is process-wide: each test forgets the programs it started, as the runner does when they end.
const started: number[] = [];
afterEach(async () => {
  for (const group of started.splice(0)) noteProgramEnded(group);
  recordProgramsIn(undefined);
  await removeTempDir(dir);
});

function sleeper(): { pid: number; alive(): boolean } {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  child.unref();
  started.push(child.pid!);
  return { pid: child.pid!, alive: () => existsSync(`/proc/${child.pid}`) && !readFileSync(`/proc/${child.pid}/stat`, 'utf8').includes(') Z ') };
}

describe('the record of running programs', () => {
  it('keeps a record while the run holds the lock, and none once it ends normally', () => {
    const file = path.join(dir, 'lock.programs');
    const program = sleeper();
    try {
      recordProgramsIn(file);
      noteProgramStarted(program.pid, 'sleep for a test');
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([expect.objectContaining({ group: program.pid, command: 'sleep for a test' })]);
      recordProgramsIn(undefined);
      expect(existsSync(file)).toBe(false);
    } finally {
      process.kill(-program.pid, 'SIGKILL');
    }
  });

  it('kills a recorded group whose leader still is the program recorded', async () => {
    const file = path.join(dir, 'lock.programs');
    const program = sleeper();
    recordProgramsIn(file);
    noteProgramStarted(program.pid, 'sleep for a test');
    const saved = readFileSync(file, 'utf8');
    recordProgramsIn(undefined);
    await writeFile(file, saved);
    expect(endProgramsOfDeadRun(file)).toEqual([`sleep for a test (process group ${program.pid})`]);
    await expect.poll(() => program.alive()).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('leaves alone a process that got a recorded number but started at another time', async () => {
    const file = path.join(dir, 'lock.programs');
    const program = sleeper();
    try {
      await writeFile(file, JSON.stringify([{ group: program.pid, startTicks: '1', command: 'an older program' }]));
      expect(endProgramsOfDeadRun(file)).toEqual([]);
      expect(program.alive()).toBe(true);
    } finally {
      process.kill(-program.pid, 'SIGKILL');
    }
  });

  it('forgets a program once it ended', () => {
    const file = path.join(dir, 'lock.programs');
    const program = sleeper();
    try {
      recordProgramsIn(file);
      noteProgramStarted(program.pid, 'sleep');
      noteProgramEnded(program.pid);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([]);
    } finally {
      process.kill(-program.pid, 'SIGKILL');
    }
  });
});
