import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';

// A lock file that keeps two hotstandby commands from changing the same cluster at once.
// Re-entrant within one RunLock: a command that calls another (promote, then up) holds it once.
export class RunLock {
  private held = false;
  private depth = 0;

  constructor(private readonly file: string) {}

  // Take the lock, taking over a lock whose process is gone; refuse when a live process holds it.
  async acquire(command: string): Promise<void> {
    if (this.held) {
      this.depth++;
      return;
    }
    await mkdir(path.dirname(this.file), { recursive: true });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(this.file, 'wx', 0o600);
        await handle.writeFile(JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() }) + '\n');
        await handle.close();
        this.held = true;
        this.depth = 1;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readHolder(this.file);
      if (holder && isAlive(holder.pid) && holder.pid !== process.pid) {
        throw new HotstandbyError('LOCKED', `another hotstandby command (${holder.command}, pid ${holder.pid}, since ${holder.since}) is working on this cluster`, {
          where: { file: this.file },
          fix: `wait for it to finish; if that process is not hotstandby, delete ${this.file}`,
        });
      }
      await unlink(this.file).catch(() => undefined);
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
    await unlink(this.file).catch(() => undefined);
  }
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
