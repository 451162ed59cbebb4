import { chmod, chown, copyFile, lstat, mkdir, opendir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import { backupInterrupted } from './backup-interrupted.js';

// What a low-level copy leaves out (from the version facts): files by path, directories copied empty,
// and name prefixes dropped anywhere in the tree.
export interface CopyExclusions {
  files: readonly string[];
  emptyDirs: readonly string[];
  prefixes: readonly string[];
}

// Who the copy belongs to (the server's OS user), when the tool may give files away (it runs as root).
export interface CopyOwner {
  uid: number;
  gid: number;
  chown: boolean;
}

// How many files are copied at once.
const PARALLEL_FILES = 8;

// Copy a running cluster's data directory the way pg_basebackup does: everything except the excluded files,
// excluded directories created empty, pg_wal created as a real (empty) directory even when it is a symlink,
// files that vanish during the copy skipped, and global/pg_control copied last. Returns the bytes copied and the
// files written (relative to target: what a sync must reach where there is no syncfs).
export async function copyDataDir(source: string, target: string, exclusions: CopyExclusions, owner: CopyOwner, signal?: AbortSignal): Promise<{ bytes: number; files: string[] }> {
  const files: { from: string; to: string }[] = [];
  await walk(source, target, '', exclusions, owner, files);
  const control = files.findIndex((f) => f.from === path.join(source, 'global', 'pg_control'));
  const last = control >= 0 ? files.splice(control, 1) : [];
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      if (signal?.aborted) throw backupInterrupted('the copy of the data directory');
      const file = files[next++]!;
      bytes += await copyOne(file.from, file.to, owner);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_FILES }, worker));
  for (const file of last) bytes += await copyOne(file.from, file.to, owner);
  return { bytes, files: [...files, ...last].map((f) => path.relative(target, f.to)) };
}

async function walk(sourceDir: string, targetDir: string, rel: string, exclusions: CopyExclusions, owner: CopyOwner, files: { from: string; to: string }[]): Promise<void> {
  const dir = await opendir(sourceDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!dir) return;
  for await (const entry of dir) {
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    if (exclusions.files.includes(relPath)) continue;
    if (exclusions.prefixes.some((p) => entry.name.startsWith(p))) continue;
    const from = path.join(sourceDir, entry.name);
    const to = path.join(targetDir, entry.name);
    const st = await lstat(from).catch(() => undefined);
    if (!st) continue;
    if (exclusions.emptyDirs.includes(relPath)) {
      await makeDir(to, st.isDirectory() ? st.mode & 0o7777 : 0o700, owner);
      continue;
    }
    if (st.isSymbolicLink()) {
      await symlink(await readlink(from), to);
      if (owner.chown) await chownLink(to, owner);
    } else if (st.isDirectory()) {
      await makeDir(to, st.mode & 0o7777, owner);
      await walk(from, to, relPath, exclusions, owner, files);
    } else if (st.isFile()) {
      files.push({ from, to });
    }
  }
}

async function makeDir(dir: string, mode: number, owner: CopyOwner): Promise<void> {
  await mkdir(dir, { mode });
  await chmod(dir, mode);
  if (owner.chown) await chown(dir, owner.uid, owner.gid);
}

async function copyOne(from: string, to: string, owner: CopyOwner): Promise<number> {
  try {
    await copyFile(from, to);
  } catch (error) {
    // A file removed while the backup runs (a dropped relation, a recycled segment) is simply not needed.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const st = await lstat(from).catch(() => undefined);
  await chmod(to, (st?.mode ?? 0o600) & 0o7777);
  if (owner.chown) await chown(to, owner.uid, owner.gid);
  return st?.size ?? 0;
}

async function chownLink(link: string, owner: CopyOwner): Promise<void> {
  const { lchown } = await import('node:fs/promises');
  await lchown(link, owner.uid, owner.gid);
}
