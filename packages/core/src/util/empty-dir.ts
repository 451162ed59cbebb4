import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

// Remove everything inside a directory and keep the directory itself (its mode and owner); a missing one is fine.
export async function emptyDir(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) await rm(path.join(dir, name), { recursive: true, force: true });
}
