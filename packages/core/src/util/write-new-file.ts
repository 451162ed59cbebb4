import { HotstandbyError } from '../errors/hotstandby-error.js';
import { writeFileAtomic } from './atomic-write.js';
import { asFileWriteError } from './file-writable.js';
import { createExclusive } from './create-exclusive.js';

// Write a file the user asked for (a runbook) atomically: readers see all of it or nothing. An existing file is
// refused unless replace, and then replaced in one rename; no temporary file is left behind either way.
export async function writeNewFile(file: string, content: string, options: { mode: number; replace: boolean }): Promise<void> {
  if (options.replace) {
    await writeFileAtomic(file, content, { mode: options.mode, exact: true }).catch((e: unknown) => {
      throw asFileWriteError(file, e);
    });
    return;
  }
  const created = await createExclusive(file, content, options.mode).catch((error: unknown) => {
    throw asFileWriteError(file, error);
  });
  if (!created)
    throw new HotstandbyError('OUTPUT_EXISTS', `${file} exists already; it was left as it is`, { where: { file }, fix: 'name another file, or pass --force to replace it' });
}
