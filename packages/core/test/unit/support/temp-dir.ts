import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// A fresh directory under the system temp directory (real path, so symlinked /tmp does not confuse comparisons).
export async function makeTempDir(prefix = 'hotstandby-unit-'): Promise<string> {
  return realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
}

// Remove a directory made by makeTempDir.
export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}
