import { mkdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { createExclusive } from '../util/create-exclusive.js';
import { endProgramsOfDeadRun, recordProgramsIn } from '../postgres/program-registry.js';

// How often a dead holder's lock is looked at again while another process takes it over, and how long apart.
const TAKEOVER_ATTEMPTS = 50;
const TAKEOVER_WAIT_MS = 20;

// A lock file that keeps two hotstandby commands from changing the same cluster at once.
// Re-entrant within one RunLock: a command that calls another (promote, then up) holds it once.
export class RunLock {
  private held = false;
  private depth = 0;

  // Programs a killed command had left running, ended when this lock was taken ("pg_basebackup (process group 12)").
  endedLeftovers: string[] = [];

  constructor(private readonly file: string) {}

  private get programsFile(): string {
    return `${this.file}.programs`;
  }

  // Take the lock, taking over a lock whose process is gone; refuse when a live process holds it.
  async acquire(command: string): Promise<void> {
    if (this.held) {
      this.depth++;
      return;
    }
    await mkdir(path.dirname(this.file), { recursive: true });
    for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
      if (await createExclusive(this.file, holderLine(command))) {
        this.held = true;
        this.depth = 1;
        // Programs recorded beside the lock belong to a command killed while it held it: end them first.
        this.endedLeftovers = endProgramsOfDeadRun(this.programsFile);
        recordProgramsIn(this.programsFile);
        return;
      }
      const seen = await stat(this.file).catch(() => undefined);
      const holder = await readHolder(this.file);
      if (!isStale(holder)) {
        throw new HotstandbyError('LOCKED', `another hotstandby command (${holder!.command}, pid ${holder!.pid}, since ${holder!.since}) is working on this cluster`, {
          where: { file: this.file },
          fix: `wait for it to finish; if that process is not hotstandby, delete ${this.file}`,
        });
      }
      // A dead holder's lock: only the one process that claims this very file may remove it, so two takers
      // never both remove a lock (the second one removing the first one's new lock) and both hold it.
      // Another process claimed it first: give it a moment to put its own lock in place, then look again.
      if (seen && !(await takeOverStale(this.file, seen.ino))) await delay(TAKEOVER_WAIT_MS);
    }
    throw new HotstandbyError('LOCKED', `could not take the lock ${this.file}`, { where: { file: this.file }, fix: `delete ${this.file} if no hotstandby command is running` });
  }

  // True while this process holds the lock.
  get isHeld(): boolean {
    return this.held;
  }

  // Give the lock back.
  async release(): Promise<void> {
    if (!this.held) return;
    if (--this.depth > 0) return;
    this.held = false;
    recordProgramsIn(undefined);
    await unlink(this.file).catch(() => undefined);
  }
}

// Remove the stale file `file` (with inode `ino`) if this process wins the claim on it: an exclusively created
// "FILE.takeover-INO" naming it. Losers leave it alone. A claim whose claimer died is itself taken over the same
// way. Under the claim the file is removed only if it still is that inode and its holder is still dead. False
// when another process has the claim.
async function takeOverStale(file: string, ino: number): Promise<boolean> {
  const claim = `${file}.takeover-${ino}`;
  if (!(await createExclusive(claim, holderLine('takeover')))) {
    const claimSeen = await stat(claim).catch(() => undefined);
    if (claimSeen && !isStale(await readHolder(claim))) return false;
    if (claimSeen) await takeOverStale(claim, claimSeen.ino);
    if (!(await createExclusive(claim, holderLine('takeover')))) return false;
  }
  try {
    const now = await stat(file).catch(() => undefined);
    if (now?.ino === ino && isStale(await readHolder(file))) await unlink(file).catch(() => undefined);
    return true;
  } finally {
    await unlink(claim).catch(() => undefined);
  }
}

function holderLine(command: string): string {
  return JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() }) + '\n';
}

// A lock (or claim) whose holder is unknown, gone, or this very process under an older lock object.
function isStale(holder: { pid: number } | undefined): boolean {
  return !holder || !isAlive(holder.pid) || holder.pid === process.pid;
}

async function readHolder(file: string): Promise<{ pid: number; command: string; since: string } | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
