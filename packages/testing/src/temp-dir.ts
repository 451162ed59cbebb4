import { mkdtemp, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// True when KEEP_PGDATA=1 asks to keep test directories for inspection.
export function keepData(): boolean {
  return process.env.KEEP_PGDATA === '1' || process.env.KEEP_PGDATA === 'true';
}

// A fresh directory under the system temp directory that the PostgreSQL OS user can enter (mode 0755).
export async function makeTempDir(prefix = 'hotstandby-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

// Remove a test directory, unless KEEP_PGDATA=1 (then say where it is).
export async function removeTempDir(dir: string): Promise<void> {
  if (keepData()) {
    process.stderr.write(`KEEP_PGDATA: kept ${dir}\n`);
    return;
  }
  await rm(dir, { recursive: true, force: true });
}
