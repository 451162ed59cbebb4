import { open } from 'node:fs/promises';
import path from 'node:path';
import { runProgramAllowFailure } from '../postgres/process-runner.js';

// Make freshly written files and directories durable: one syncfs(2) of their file system through coreutils'
// `sync -f` where it exists (one call, however many files), else an fsync of each path.
export async function syncTree(root: string, relativePaths: readonly string[]): Promise<void> {
  const syncfs = await runProgramAllowFailure('sync', ['-f', root], { purpose: `sync -f ${root}` }).catch(() => undefined);
  if (syncfs?.exitCode === 0) return;
  for (const rel of relativePaths) await fsyncPath(path.join(root, rel));
}

// fsync one file or directory; file systems that cannot fsync a directory are let be.
export async function fsyncPath(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the data is still written.
  } finally {
    await handle.close();
  }
}
