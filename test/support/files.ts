import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// The sha256 of a file's bytes, or null when it does not exist.
export function sha256File(file: string): string | null {
  if (!existsSync(file)) return null;
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

// sha256 of several files, keyed by path (null for a missing file), for before/after comparisons.
export function hashFiles(files: readonly string[]): Record<string, string | null> {
  return Object.fromEntries(files.map((f) => [f, sha256File(f)]));
}

// Mode (permission bits), owner and size of a file.
export function fileFacts(file: string): { mode: number; uid: number; gid: number; size: number } {
  const s = statSync(file);
  return { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, size: s.size };
}

// Every path under dir, relative to it, sorted (directories too); [] for an empty or missing directory.
export function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      out.push(path.relative(dir, full));
      if (entry.isDirectory() && !entry.isSymbolicLink()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

// Files anywhere under dir with this base name (state.json, postmaster.pid), without following symbolic links.
export function findFiles(dir: string, name: string): string[] {
  return listTree(dir)
    .filter((rel) => path.basename(rel) === name)
    .map((rel) => path.join(dir, rel));
}
