import { randomBytes } from 'node:crypto';
import { link, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { writeFileAtomic } from './atomic-write.js';
import { asFileWriteError } from './file-writable.js';

// Write a file the user asked for (a runbook) atomically: readers see all of it or nothing. An existing file is
// refused unless replace, and then replaced in one rename; no temporary file is left behind either way.
export async function writeNewFile(file: string, content: string, options: { mode: number; replace: boolean }): Promise<void> {
  if (options.replace) {
    await writeFileAtomic(file, content, { mode: options.mode, exact: true }).catch((e: unknown) => {
      throw asFileWriteError(file, e);
    });
    return;
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, content, { mode: options.mode, flag: 'wx' });
    // link() never replaces an existing file, so a file that appeared meanwhile is refused too.
    await link(temp, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      throw new HotstandbyError('OUTPUT_EXISTS', `${file} exists already; it was left as it is`, { where: { file }, fix: 'name another file, or pass --force to replace it' });
    });
  } catch (error) {
    throw asFileWriteError(file, error);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
