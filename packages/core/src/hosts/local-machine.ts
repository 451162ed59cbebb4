import { chmod, mkdir, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { resolveServerUser, type ServerUser } from '../postgres/os-user.js';
import { runProgram, runProgramAllowFailure, type RunResult } from '../postgres/process-runner.js';
import { chownIfRoot, resolveSymlink, writeFileAtomic } from '../util/atomic-write.js';
import { restrictToOwner } from '../util/owner-only-access.js';
import type { Machine, MachineFileAttributes, MachineFileFacts, MachineRunOptions } from './machine.js';

// The machine hotstandby runs on: programs are started here, files are read and written here directly.
export class LocalMachine implements Machine {
  readonly label = 'this machine';
  readonly remote = false;

  runAllowFailure(program: string, args: readonly string[], options: MachineRunOptions = {}): Promise<RunResult> {
    return runProgramAllowFailure(program, args, options);
  }

  run(program: string, args: readonly string[], options: MachineRunOptions = {}): Promise<RunResult> {
    return runProgram(program, args, options);
  }

  async readFile(file: string): Promise<Buffer | undefined> {
    return readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
  }

  writeFileAtomic(file: string, content: string | Buffer, attributes: MachineFileAttributes = {}): Promise<void> {
    return writeFileAtomic(file, content, attributes);
  }

  async stat(file: string): Promise<MachineFileFacts | undefined> {
    const st = await stat(file).catch(() => undefined);
    if (!st) return undefined;
    return { kind: st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size };
  }

  async readdir(dir: string): Promise<string[] | undefined> {
    return readdir(dir).catch(() => undefined);
  }

  async mkdir(target: string, attributes: MachineFileAttributes & { mode: number }): Promise<string | undefined> {
    const missing: string[] = [];
    for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
      if (await this.stat(dir)) break;
      missing.unshift(dir);
      if (path.dirname(dir) === dir) break;
    }
    const { uid, gid } = attributes;
    for (const dir of missing) {
      const isTarget = dir === path.resolve(target);
      await mkdir(dir, { mode: isTarget ? attributes.mode : 0o755 });
      // The mode asked for, whatever the umask took away (as the chmod on another host does).
      if (isTarget) await chmod(dir, attributes.mode);
      if (isTarget && (attributes.mode & 0o077) === 0) await restrictToOwner(dir, 'dir');
      if (isTarget && uid !== undefined && gid !== undefined) await chownIfRoot(dir, uid, gid);
    }
    return missing[0];
  }

  remove(target: string, options: { recursive?: boolean } = {}): Promise<void> {
    return rm(target, { recursive: options.recursive === true, force: true });
  }

  rename(from: string, to: string): Promise<void> {
    return rename(from, to);
  }

  async realpath(target: string): Promise<string> {
    return realpath(target).catch(() => target);
  }

  finalPath(target: string): Promise<string> {
    return resolveSymlink(target);
  }

  async serverUser(name: string | undefined): Promise<ServerUser> {
    return resolveServerUser(name);
  }

  async postgresEndpoint(port: number, loopback: string): Promise<{ host: string; port: number }> {
    return { host: loopback, port };
  }

  async close(): Promise<void> {}
}

// The one local machine of a process.
export const localMachine = new LocalMachine();
