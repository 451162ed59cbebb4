import { randomBytes } from 'node:crypto';
import { chown, lstat, open, readdir, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { processAlive } from '../postgres/process-alive.js';

// Owner and mode a written file gets when it did not exist before.
export interface NewFileAttributes {
  mode?: number;
  uid?: number;
  gid?: number;
  // Give an existing file this mode and owner too (a secret file of the tool's own, which must stay private).
  exact?: boolean;
}

// Write a file so readers see the old bytes or the new bytes, never a mix: temp file in the same directory,
// fsync, rename, fsync the directory. An existing file keeps its mode and owner (unless exact); a symlink keeps
// pointing at its target, which is what gets rewritten. The temp file has its final owner and mode before a byte is
// written (a kill at any moment leaves nothing the server cannot read), and temp files an earlier, killed run
// left in the directory are removed first.
export async function writeFileAtomic(target: string, content: string | Buffer, attrs: NewFileAttributes = {}): Promise<void> {
  const destination = await resolveSymlink(target);
  const existing = await stat(destination).catch(() => undefined);
  const keep = existing && !attrs.exact;
  const mode = keep ? existing.mode & 0o7777 : (attrs.mode ?? 0o600);
  const uid = keep ? existing.uid : attrs.uid;
  const gid = keep ? existing.gid : attrs.gid;
  const dir = path.dirname(destination);
  await removeStaleTempFiles(dir);
  const temp = path.join(dir, `.${path.basename(destination)}.hotstandby-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    if (uid !== undefined && gid !== undefined && canChown()) await handle.chown(uid, gid);
    await handle.chmod(mode);
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, destination);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

// The tool's temp-file names: ".NAME.hotstandby-PID-XXXXXXXX.tmp" (and ".NAME.hotstandby-XXXXXXXX.tmp", from
// versions that did not record the writer's PID).
const TEMP_NAME = /^\..+\.hotstandby-(?:(\d+)-)?[0-9a-f]{8}\.tmp$/;

// Temp files of writeFileAtomic in a directory whose writer is gone (killed before it could rename or remove
// them): only regular files named by the tool's own pattern, never one a running process is still writing.
export async function staleTempFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale: string[] = [];
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const writer = match[1] === undefined ? undefined : Number(match[1]);
    if (writer !== undefined && (writer === process.pid || (await processAlive(writer)))) continue;
    const file = path.join(dir, name);
    if ((await lstat(file).catch(() => undefined))?.isFile()) stale.push(file);
  }
  return stale;
}

// Remove the temp files killed runs left in a directory (see staleTempFiles); returns what was removed.
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const stale = await staleTempFiles(dir);
  for (const file of stale) await unlink(file).catch(() => undefined);
  return stale;
}

// The file a path finally names (following symlinks), or the path itself when it does not exist yet.
export async function resolveSymlink(target: string): Promise<string> {
  const st = await lstat(target).catch(() => undefined);
  if (!st?.isSymbolicLink()) return target;
  try {
    return await realpath(target);
  } catch (error) {
    // A dangling link: write where it points, so the link starts to resolve.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return path.resolve(path.dirname(target), await readlink(target));
  }
}

// Give a path to an owner when this process may (root); a no-op otherwise.
export async function chownIfRoot(target: string, uid: number, gid: number): Promise<void> {
  if (canChown()) await chown(target, uid, gid);
}

function canChown(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}
